"""The one table of settings (name, default, help), read once from flags or KGAPI_* variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kgapi.parameters import parse_boolean, parse_decimal, parse_integer

# The checkout's own directories: `pip install -e .` keeps them beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Installed from a wheel, the bundled ontology and queries are package data inside kgapi/.
PACKAGE_ROOT = Path(__file__).resolve().parent
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "ontology").is_dir()


def bundled(name: str) -> Path:
    """Where the bundled `ontology` or `queries` are: the checkout's, else the installed copy."""
    return PROJECT_ROOT / name if IN_CHECKOUT else PACKAGE_ROOT / name


def default_cache_dir() -> Path:
    """The checkout's `cache/`, else the user's cache directory (XDG), as installed tools do."""
    if IN_CHECKOUT:
        return PROJECT_ROOT / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kgapi"


def default_data_dir() -> Path:
    """The checkout's `data/`, else the user's data directory (XDG)."""
    if IN_CHECKOUT:
        return PROJECT_ROOT / "data"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kgapi"


CANONICAL_BASE_IRI = "https://w3id.org/kgapi/"


class SettingsError(ValueError):
    """A setting has a value it does not allow."""


def setting(
    default: Any,
    help: str,
    *,
    secret: bool = False,
    minimum: float | None = None,
) -> Any:
    metadata = {"help": help, "secret": secret, "minimum": minimum}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set. Immutable: build a new one with `replace()`."""

    ontology_dir: Path = setting(bundled("ontology"), "Directory of the ontology's Turtle files.")
    shapes_dir: Path = setting(
        bundled("ontology") / "shapes", "Directory of the SHACL shapes the data must satisfy."
    )
    queries_dir: Path = setting(bundled("queries"), "Directory of stored SPARQL queries.")
    base_iri: str = setting(
        CANONICAL_BASE_IRI,
        "IRI base of the graph's terms; the bundled files use the canonical base and are rebased.",
    )
    cache_dir: Path = setting(
        default_cache_dir(),
        "Where the reasoned closure is cached between starts (installed from a wheel: "
        "$XDG_CACHE_HOME/kgapi or ~/.cache/kgapi).",
    )
    # --- serving (`kgapi serve`) ---
    host: str = setting("127.0.0.1", "Address the HTTP server listens on.")
    port: int = setting(8080, "Port the HTTP server listens on.", minimum=0)
    workers: int = setting(
        2,
        "App processes (each computes one request at a time; one stopped at the time limit is "
        "replaced).",
        minimum=1,
    )
    io_processes: int = setting(
        1,
        "HTTP I/O processes (Granian's: they hold the connections and answer health, metrics, "
        "assets and cached answers themselves).",
        minimum=1,
    )
    max_worker_memory_mb: int = setting(
        4096,
        "Address space an app process may use, in MiB: a request needing more is answered 503 "
        "and the process replaced (0: no limit).",
        minimum=0,
    )
    query_timeout: float = setting(
        10.0,
        "Seconds any request may take, waiting and computing, before it is answered 503 (under "
        "`kgapi serve` the app process computing it is ended and replaced); 0 means no limit.",
        minimum=0,
    )
    max_result_rows: int = setting(
        100_000,
        "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) a query may return (422).",
        minimum=1,
    )
    max_request_bytes: int = setting(
        1_000_000, "Largest request body accepted, in bytes (413 beyond it).", minimum=1
    )
    result_cache_entries: int = setting(
        512,
        "Answers kept for repeated requests, per process (the front's and each app process's; "
        "0 turns the caches off).",
        minimum=0,
    )
    result_cache_mb: int = setting(
        64,
        "Memory the kept answers may take, per process, in MiB (the bodies' bytes; an answer "
        "larger than a quarter of it is served but not kept; 0 turns the caches off).",
        minimum=0,
    )
    allow_service: bool = setting(
        False, "Let SPARQL SERVICE make outbound requests (off: such queries get 403)."
    )
    graphs: tuple[str, ...] = setting(
        (), "Extra RDF files served as named graphs, as IRI=path (space-separated in KGAPI_GRAPHS)."
    )
    writes: bool = setting(
        False,
        "Accept curated updates (SPARQL Update, the Graph Store Protocol) from holders of a "
        "write or admin token; off, the service is read-only.",
    )
    data_dir: Path = setting(
        default_data_dir(),
        "Where the change log and the tokens live (installed from a wheel: "
        "$XDG_DATA_HOME/kgapi or ~/.local/share/kgapi).",
    )
    database_url: str = setting(
        "",
        "PostgreSQL URL (postgresql://…) holding the change log and tokens, which every instance "
        "sharing it follows; empty: both live in data_dir, for one machine.",
        secret=True,
    )
    max_lag_versions: int = setting(
        10,
        "Versions an instance may be behind the change log before /readyz answers 503.",
        minimum=0,
    )
    min_version_wait: float = setting(
        5.0,
        "Seconds a request asking for at least a version (header Kgapi-Min-Version) waits for "
        "this instance to have it before 503.",
        minimum=0,
    )
    open_reads: bool = setting(
        True, "Let anyone read; off, every request but /healthz needs a token (any scope)."
    )
    cors_origins: tuple[str, ...] = setting(
        ("*",), "Origins allowed by CORS, never with credentials (empty: no CORS headers)."
    )

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            minimum = spec.metadata["minimum"]
            if minimum is not None and value < minimum:
                raise SettingsError(f"{spec.name} must be at least {minimum:g}, not {value!r}")
            if spec.name == "port" and value > 65535:
                raise SettingsError(f"port must be at most 65535, not {value!r}")

    @classmethod
    def from_sources(
        cls, *, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        """Defaults, then KGAPI_<NAME> variables, then explicit overrides (CLI flags).

        Raises SettingsError naming the variable for a value that is not of the setting's type,
        or below its minimum.
        """
        environ = os.environ if environ is None else environ
        defaults = cls()
        values: dict[str, Any] = {}
        for spec in fields(cls):
            variable = f"KGAPI_{spec.name.upper()}"
            raw = environ.get(variable)
            if raw is None:
                continue
            try:
                values[spec.name] = _convert(getattr(defaults, spec.name), raw)
            except ValueError as error:
                raise SettingsError(f"{variable}={raw!r}: {error}") from error
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
        (spec.name, _show_default(getattr(defaults, spec.name)), spec.metadata["help"])
        for spec in fields(Settings)
    ]


def markdown_table() -> str:
    """The settings as the README's Markdown table (a test holds the README to it)."""
    rows = ["| setting | environment variable | default | what it does |", "|---|---|---|---|"]
    for name, default, help in describe():
        rows.append(f"| `{name}` | `KGAPI_{name.upper()}` | `{default}` | {help} |")
    return "\n".join(rows)


def _show_default(value: Any) -> str:
    # Paths inside the checkout are shown relative to it, so the table reads the same everywhere.
    if isinstance(value, Path) and value.is_relative_to(PROJECT_ROOT):
        return f"<checkout>/{value.relative_to(PROJECT_ROOT)}"
    if isinstance(value, tuple):
        return " ".join(value) if value else "(none)"
    return str(value)


def _convert(default: Any, raw: str) -> Any:
    """`raw` as a value of the default's type; raises ValueError saying the expected form."""
    if isinstance(default, tuple):  # lists are written space- or comma-separated
        return tuple(part for part in raw.replace(",", " ").split() if part)
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, bool):
        return parse_boolean(raw)
    if isinstance(default, int):
        return parse_integer(raw)
    if isinstance(default, float):
        return parse_decimal(raw)
    return raw
