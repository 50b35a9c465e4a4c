"""What the app factory builds once and views read: settings, graph, store, executor, cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from kgapi.knowledge import KnowledgeGraph
from kgapi.query_executor import QueryExecutor
from kgapi.query_store import QueryStore
from kgapi.settings import Settings

EXTENSION_KEY = "kgapi"


class ResponseCache:
    """A bounded least-recently-used map from a request's key to its ready response parts.

    Per process (each worker keeps its own); `capacity` 0 keeps nothing.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)


@dataclass
class Services:
    """The app's long-lived objects; views get them with `services()`."""

    settings: Settings
    knowledge: KnowledgeGraph
    query_store: QueryStore
    executor: QueryExecutor
    cache: ResponseCache
    extras: dict[str, Any] = field(default_factory=dict)


def services() -> Services:
    """The current app's Services (inside a request or app context)."""
    return services_of(current_app)


def services_of(app: Flask) -> Services:
    """`app`'s Services, outside a request."""
    found: Services = app.extensions[EXTENSION_KEY]
    return found
