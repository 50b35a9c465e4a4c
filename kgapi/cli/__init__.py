"""The `kgapi` command line: one sub-command per job, each a thin shell over the core.

The settings and validate commands live here; the others in a module per group:
`reasoning_commands` (reason, explain, classify), `serve_command`, `export_command`,
`compare_command`, `identify_command`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from kgapi import __version__
from kgapi.cli import (
    compare_command,
    curation_commands,
    export_command,
    identify_command,
    reasoning_commands,
    serve_command,
)
from kgapi.cli.registry import COMMANDS, command
from kgapi.graph.loading import OntologyLoadError
from kgapi.settings import Settings, SettingsError, describe


def build_parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(f"  KGAPI_{name.upper():<18} {help}" for name, _, help in describe())
    parser = argparse.ArgumentParser(
        prog="kgapi",
        description="A knowledge graph of virtualization technology.",
        epilog=f"settings (flags override these environment variables):\n{settings_help}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kgapi {__version__}")
    parser.add_argument("--ontology-dir", type=Path, help="directory of the Turtle files")
    parser.add_argument("--base-iri", help="IRI base the graph is served under")
    parser.add_argument("--cache-dir", type=Path, help="where the reasoned closure is cached")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser(
        "validate", help="check the ontology against its SHACL shapes and quality queries"
    )
    validate.add_argument("--shapes-dir", type=Path, help="directory of SHACL shapes")
    validate.add_argument("--queries-dir", type=Path, help="directory of *-violation.rq queries")

    sub.add_parser("settings", help="print the settings in force (secrets hidden)")
    for group in (
        reasoning_commands,
        serve_command,
        export_command,
        compare_command,
        identify_command,
        curation_commands,
    ):
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Every setting a sub-command offers as a flag (dest = the setting's name) overrides it.
    overrides = {spec.name: getattr(args, spec.name, None) for spec in fields(Settings)}
    try:
        settings = Settings.from_sources(overrides=overrides)
    except SettingsError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args, settings)
    except OntologyLoadError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2


@command("settings")
def show_settings(args: argparse.Namespace, settings: Settings) -> int:
    for name, value in settings.redacted().items():
        print(f"{name} = {value}")
    return 0


@command("validate")
def validate(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.graph.loading import load_ontology
    from kgapi.graph.validation import validate_ontology

    ontology = load_ontology(settings.ontology_dir, base_iri=settings.base_iri)
    report = validate_ontology(
        ontology, shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir
    )
    print(report.to_text())
    return 0 if report.conforms else 1
