"""Content negotiation as data: one table of formats and one `negotiate()`.

A `format=` parameter (a format's name, extension or media type) overrides the Accept header so
that a browser link can choose. Other blueprints pick their offers from FORMATS by kind or name.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from kgapi.parameters import parse_decimal

RESULTS = "results"  # SPARQL SELECT/ASK results
RDF = "rdf"  # RDF graphs (CONSTRUCT, DESCRIBE, the service description, exports)


@dataclass(frozen=True)
class Format:
    """A format the service writes. `aliases` are further media types that ask for it."""

    name: str
    media_type: str
    extension: str
    kind: str
    aliases: tuple[str, ...] = ()
    nicknames: tuple[str, ...] = ()  # further words a `format=` parameter may use for it

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# The nicknames are what clients put in `format=` (SPARQLWrapper sends `json-ld`, `rdf+xml`, `n3`,
# and `xml` or `json` whatever the query form; Fuseki reads the same words).
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", RESULTS, ("application/json",)),
    Format(
        "xml",
        "application/sparql-results+xml",
        "srx",
        RESULTS,
        ("application/xml", "text/xml"),
    ),
    Format("csv", "text/csv", "csv", RESULTS),
    Format("tsv", "text/tab-separated-values", "tsv", RESULTS),
    Format(
        "turtle",
        "text/turtle",
        "ttl",
        RDF,
        ("application/x-turtle", "text/n3"),
        ("n3", "text/rdf+n3"),
    ),
    # text/plain was N-Triples' type before application/n-triples (RDF 1.1); clients still ask.
    Format("ntriples", "application/n-triples", "nt", RDF, ("text/plain",), ("n-triples",)),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        RDF,
        ("application/x-json+ld", "application/json"),
        ("json-ld", "json"),
    ),
    Format("rdfxml", "application/rdf+xml", "rdf", RDF, (), ("rdf+xml", "xml")),
    Format("nquads", "application/n-quads", "nq", RDF),
    Format("trig", "application/trig", "trig", RDF),
)


class NotAcceptable(Exception):
    """No offered format is acceptable; `offered` lists them for the 406 message."""

    def __init__(self, offered: Sequence[Format], asked: str) -> None:
        self.offered = tuple(offered)
        self.asked = asked
        listing = ", ".join(item.media_type for item in self.offered)
        super().__init__(f"cannot answer in {asked!r}; offered: {listing}")


# The pages people read: not in FORMATS, since no API answer is written as one.
PAGE = Format("html", "text/html", "html", "page", ("application/xhtml+xml",))


def formats_of(kind: str) -> tuple[Format, ...]:
    """The formats of one kind, in the service's order of preference."""
    return tuple(item for item in FORMATS if item.kind == kind)


def negotiate(
    accept_header: str | None, offered: Sequence[Format], *, requested: str | None = None
) -> Format:
    """The offered format the client prefers; raises NotAcceptable listing `offered`.

    `requested` (the `format=` parameter: a name, extension, nickname or media type, or a comma
    list of them, the first known one winning) decides when given. Otherwise the highest q-value
    of the most specific matching media range decides (RFC 9110 §12.5.1); ties go to the earlier
    offer. An absent or empty Accept header accepts anything.
    """
    offered = tuple(offered)
    if len(accept_header or "") + len(requested or "") > _MEMO_KEY_CHARS:
        chosen = _chosen(accept_header, offered, requested)
    else:
        chosen = _memo(accept_header, offered, requested)
    if chosen is None:
        raise NotAcceptable(offered, requested or accept_header or "")
    return chosen


# A client sends the same Accept header with each request, and the endpoint negotiates twice per
# query (results and graph format): a tenth of the work of answering a small query from the store
# went into reading the same header again. Headers past this length are read afresh, so that the
# memo's size stays bounded whatever clients send.
_MEMO_KEY_CHARS = 1_024


@functools.lru_cache(maxsize=512)
def _memo(
    accept_header: str | None, offered: tuple[Format, ...], requested: str | None
) -> Format | None:
    return _chosen(accept_header, offered, requested)


def _chosen(
    accept_header: str | None, offered: tuple[Format, ...], requested: str | None
) -> Format | None:
    """What `negotiate` answers, None for NotAcceptable."""
    if requested:
        for wanted in (part.strip().lower() for part in requested.split(",")):
            for item in offered:
                if wanted in (item.name, item.extension, *item.media_types, *item.nicknames):
                    return item
        return None
    ranges = _parse_accept(accept_header or "")
    if not ranges:
        return offered[0]
    best: Format | None = None
    best_quality = 0.0
    for item in offered:
        # Aliases count only when named exactly: `text/*` must not pick SPARQL XML via text/xml.
        quality = max(
            [
                _quality(ranges, item.media_type),
                *(_quality(ranges, alias, exact=True) for alias in item.aliases),
            ]
        )
        if quality > best_quality:
            best, best_quality = item, quality
    return best


def asks_for_page(accept_header: str | None, alternatives: Sequence[Format]) -> bool:
    """Whether a browser asks: its Accept names text/html itself (not through a wildcard: curl's
    and HTTP libraries' `*/*` does not), preferred to every alternative."""
    ranges = _parse_accept(accept_header or "")
    if _quality(ranges, PAGE.media_type, exact=True) <= 0:
        return False
    try:
        return negotiate(accept_header, (PAGE, *alternatives)) is PAGE
    except NotAcceptable:
        return False


def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    """(type, subtype, q) for each media range; malformed ranges are skipped."""
    ranges = []
    for part in header.split(","):
        media_range, *parameters = part.split(";")
        kind, slash, subtype = media_range.strip().lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                quality = qvalue(value)
        ranges.append((kind, subtype, quality))
    return ranges


def qvalue(text: str) -> float:
    """A `q=` weight: a decimal number, held to 0..1. Read as leniently as Jena reads it (`.5`,
    `0.50000`), but never as `nan` or `inf`, which no comparison would order; what is no
    number weighs 0, so the range is ignored rather than guessed at."""
    try:
        return min(max(parse_decimal(text), 0.0), 1.0)
    except ValueError:
        return 0.0


def _quality(
    ranges: list[tuple[str, str, float]], media_type: str, *, exact: bool = False
) -> float:
    """The q of the most specific range matching `media_type` (0 when none does)."""
    kind, _, subtype = media_type.partition("/")
    best_specificity, quality = -1, 0.0
    for range_kind, range_subtype, range_quality in ranges:
        if range_kind == kind and range_subtype == subtype:
            specificity = 2
        elif exact:
            continue
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif range_kind == "*" and range_subtype == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, range_quality
    return quality
