"""Content negotiation: q-values, wildcards, aliases, `format=` and the 406 listing."""

from __future__ import annotations

import pytest

from kgapi.web.negotiation import FORMATS, RDF, RESULTS, NotAcceptable, formats_of, negotiate

RESULT_FORMATS = formats_of(RESULTS)
GRAPH_FORMATS = formats_of(RDF)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("text/csv", "csv"),
        ("text/csv;q=0.1, text/tab-separated-values;q=0.2", "tsv"),
        ("text/*;q=0.5, */*;q=0.1", "csv"),
        ("text/*;q=0.3, application/sparql-results+xml;q=0.2", "csv"),
        ("application/json", "json"),
        ("application/sparql-results+json;q=0, */*", "xml"),
        ("application/sparql-results+json,*/*;q=0.9", "json"),
    ],
)
def test_q_values_and_wildcards(accept: str | None, expected: str) -> None:
    assert negotiate(accept, RESULT_FORMATS).name == expected


def test_format_parameter_wins_by_name_extension_or_media_type() -> None:
    for requested in ("turtle", "ttl", "text/turtle"):
        assert negotiate("application/rdf+xml", GRAPH_FORMATS, requested=requested).name == "turtle"


def test_406_lists_every_offer() -> None:
    with pytest.raises(NotAcceptable) as raised:
        negotiate("image/png", RESULT_FORMATS)
    assert raised.value.offered == RESULT_FORMATS
    assert "text/tab-separated-values" in str(raised.value)
    with pytest.raises(NotAcceptable):
        negotiate(None, RESULT_FORMATS, requested="turtle")


def test_the_table_has_unique_names_and_media_types() -> None:
    assert len({item.name for item in FORMATS}) == len(FORMATS)
    assert len({item.media_type for item in FORMATS}) == len(FORMATS)
    assert {item.name for item in GRAPH_FORMATS} >= {"turtle", "ntriples", "jsonld", "rdfxml"}


@pytest.mark.parametrize(
    ("weight", "value"),
    [("1", 1.0), ("0.9", 0.9), (".5", 0.5), ("0.50000", 0.5), ("2", 1.0), ("-1", 0.0),
     ("nan", 0.0), ("inf", 0.0), ("", 0.0), ("high", 0.0)],
)  # fmt: skip
def test_weights_are_numbers_held_to_zero_and_one(weight: str, value: float) -> None:
    from kgapi.web.negotiation import qvalue

    assert qvalue(weight) == value


def test_a_range_weighted_nan_is_not_chosen() -> None:
    offered = formats_of(RESULTS)
    assert negotiate("application/sparql-results+json;q=nan, text/csv;q=0.1", offered).name == "csv"


def test_a_header_negotiated_again_gets_the_same_answer_whatever_its_length() -> None:
    """Choices are remembered per header; one past the memo's key length is read afresh, and a
    refusal is never remembered as a choice."""
    padding = ", ".join(f"application/x-unknown-{number}" for number in range(200))
    long_header = f"{padding}, text/csv"
    assert len(long_header) > 1_024
    for _ in range(2):
        assert negotiate(long_header, RESULT_FORMATS).name == "csv"
        assert negotiate("text/tab-separated-values", RESULT_FORMATS).name == "tsv"
        assert negotiate("text/csv", GRAPH_FORMATS, requested="turtle").name == "turtle"
        for header in ("image/png", padding):
            with pytest.raises(NotAcceptable) as refused:
                negotiate(header, RESULT_FORMATS)
            assert refused.value.asked == header
