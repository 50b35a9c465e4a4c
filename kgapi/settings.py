"""The one table of settings (name, default, help), read once from flags or KGAPI_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

# The checkout's own directories: `pip install -e .` keeps them beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CANONICAL_BASE_IRI = "https://w3id.org/kgapi/"


def setting(default: Any, help: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set. Immutable: build a new one with `replace()`."""

    ontology_dir: Path = setting(
        PROJECT_ROOT / "ontology", "Directory of the ontology's Turtle files."
    )
    shapes_dir: Path = setting(
        PROJECT_ROOT / "ontology" / "shapes", "Directory of the SHACL shapes the data must satisfy."
    )
    queries_dir: Path = setting(PROJECT_ROOT / "queries", "Directory of stored SPARQL queries.")
    base_iri: str = setting(
        CANONICAL_BASE_IRI,
        "IRI base of the graph's terms; the bundled files use the canonical base and are rebased.",
    )
    cache_dir: Path = setting(
        PROJECT_ROOT / "cache", "Where the reasoned closure is cached between starts."
    )

    @classmethod
    def from_sources(
        cls, *, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        """Defaults, then KGAPI_<NAME> variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = environ.get(f"KGAPI_{spec.name.upper()}")
            if raw is not None:
                values[spec.name] = _convert(spec.type, raw)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
        return replace(cls(), **values)

    def redacted(self) -> dict[str, str]:
        """The settings as strings, secrets hidden — for logs and `kgapi settings`."""
        return {
            spec.name: "***" if spec.metadata["secret"] else str(getattr(self, spec.name))
            for spec in fields(self)
        }


def describe() -> list[tuple[str, str, str]]:
    """(name, default, help) for every setting — the source of the CLI help and README table."""
    defaults = Settings()
    return [
        (spec.name, str(getattr(defaults, spec.name)), spec.metadata["help"])
        for spec in fields(Settings)
    ]


def _convert(type_name: Any, raw: str) -> Any:
    kind = str(type_name)
    if "Path" in kind:
        return Path(raw)
    if "bool" in kind:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if "int" in kind:
        return int(raw)
    if "float" in kind:
        return float(raw)
    return raw
