"""`kgapi identify`: what is this machine running on, and what is it?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kgapi.cli.registry import SubParsers, command
from kgapi.settings import Settings

if TYPE_CHECKING:
    pass


def add_parsers(sub: SubParsers) -> None:
    identify = sub.add_parser(
        "identify",
        help="what is this machine (or an evidence bundle) running on, and what is it?",
        description="Without BUNDLE, read this machine's evidence (as an unprivileged process "
        "can) and identify its virtualization layers from the graph. BUNDLE is a .tar.gz or "
        ".json evidence bundle, or a directory laid out like one. --collect writes this "
        "machine's bundle instead (to send it to POST /api/identify from elsewhere).",
    )
    identify.add_argument("bundle", nargs="?", type=Path, metavar="BUNDLE")
    identify.add_argument(
        "--collect", metavar="FILE", help="write this machine's evidence as tar.gz (- for stdout)"
    )
    identify.add_argument("--lang", default="en", choices=("en", "zh"), help="label language")
    identify.add_argument(
        "--format", default="text", choices=("text", "json"), help="output format"
    )


@command("identify")
def identify_machine(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.identify.answer import identify, to_text
    from kgapi.identify.collect import collect
    from kgapi.identify.evidence import EvidenceError, read_bundle, to_tar_gz
    from kgapi.identify.signatures import signature_book
    from kgapi.read.facts import FactReader

    kg = build_knowledge_graph(settings)
    if args.collect is not None:
        blob = to_tar_gz(collect(signature_book(kg)))
        if args.collect == "-":
            sys.stdout.buffer.write(blob)
        else:
            Path(args.collect).write_bytes(blob)
            print(f"wrote {args.collect} ({len(blob)} bytes)", file=sys.stderr)
        return 0
    try:
        evidence = read_bundle(args.bundle) if args.bundle else collect(signature_book(kg))
    except (EvidenceError, OSError) as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    answer = identify(FactReader(kg, args.lang), evidence)
    if args.format == "json":
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        print(to_text(answer), end="")
    return 0
