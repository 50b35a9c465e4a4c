"""The timeline (timeline.csv): each dated event as a `virt:TimelineEntry` record.

An entry keeps the source's words (`virt:sourceText`), the date as the source gives it
(`virt:sourceDate`) and, typed, as precisely as the source allows (`virt:eventDate`: a date, a
year and month, or a year — "c. 1970" and "2006 (late)" give the year only), the entities it
concerns (`virt:concerns`, by the "timeline" rows of wikipedia-terms.csv; names nobody mapped
stay in the words) and the copy it was read from (`rdfs:seeAlso`). Entries are records of what a
source says, like the statements: the reasoner draws nothing from them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

from rdflib import Literal, URIRef

from wikipedia_import.reading import Curation
from wikipedia_import.tables import VR

DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
APPROXIMATE = re.compile(r"^(?:c\. )?(?P<year>\d{4})(?: \((?:early|mid|late)\))?$")


def event_date(text: str) -> tuple[str, str] | None:
    """(lexical form, XSD type) of the date as precisely as `text` gives it, or None."""
    exact = DATE.match(text)
    if exact:
        if exact["day"]:
            return text, "date"
        return (text, "gYearMonth") if exact["month"] else (text, "gYear")
    approximate = APPROXIMATE.match(text)
    return (approximate["year"], "gYear") if approximate else None


def timeline_lines(
    path: Path, curation: Curation, term: Callable[[URIRef | Literal], str]
) -> list[str]:
    lines = ["# --- the timeline, event by event ---", ""]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=1):
        node = VR[f"timeline-{number:02d}"]
        props = [
            "a virt:TimelineEntry",
            f"virt:sourceText {term(Literal(row['event'].strip()))}",
            f"virt:sourceDate {term(Literal(row['date'].strip()))}",
        ]
        typed = event_date(row["date"].strip())
        if typed is not None:
            props.append(f'virt:eventDate "{typed[0]}"^^xsd:{typed[1]}')
        concerned = curation.entities("timeline", row["entity"].replace(";", ","))
        if concerned:
            props.append("virt:concerns " + " , ".join(term(entity) for entity in concerned))
        props.append("dcterms:source vr:source-s60")
        url = row["source_url"].split(" ", 1)[0]
        if url.startswith("http"):
            props.append(f"rdfs:seeAlso <{url}>")
        lines.append(f"{term(node)} " + " ;\n    ".join(props) + " .")
        lines.append("")
    return lines
