"""`GET /curate`: the page to add or correct a product, with the graph's own checks before
anything is sent (served when the server takes writes).

The page builds the product's triples from the form, asks `POST /api/check` what the write would
do — the SHACL violations, quality-query rows and inconsistencies it would be refused for, and
the classes it would make the product an instance of — and sends it to the Graph Store Protocol
(`POST /store?graph=…`) with the bearer token the curator types in (kept in the tab's
sessionStorage only). The choices offered come from the graph itself.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort

from kgapi.web.pages import hold_to_this_server, page_language, render_page
from kgapi.web.state import services
from kgapi.web.ui_text import translate

blueprint = Blueprint("curate", __name__)  # its page is among the ui templates
blueprint.after_request(hold_to_this_server)  # the UI's policy: this server's assets only

V = "ontology/"
# Each field's choices: a graph pattern binding ?x, over the served default graph.
CHOICES: dict[str, str] = {
    "product": "?x a virt:SoftwareProduct",
    "developer": "{ ?x a virt:Organisation } UNION { ?x a virt:Person }",
    "license": "?x a virt:Licence",
    "virtualizedObject": "?any virt:virtualizedObject ?x",
    "implementationTechnique": "?any virt:implementationTechnique ?x",
    "usesHypervisor": "?x a virt:Hypervisor",
    "hostPlatform": "?any virt:hostPlatform ?x",
    "source": "?x a virt:Source",
}


CURATE_SCRIPT_WORDS = (
    "curate.bad_iri",
    "curate.valid",
    "curate.invalid",
    "curate.accepted",
    "curate.now_a",
)


@blueprint.get("/curate")
def curate() -> Response:
    state = services()
    if state.live is None:
        abort(404, description="writes are turned off on this server (setting writes)")
    base = state.knowledge.ontology.base_iri
    choices = {field: _choices(pattern, base) for field, pattern in CHOICES.items()}
    return render_page(
        "curate.html",
        choices=choices,
        page_data={
            "vocabulary": f"{base}{V}",
            "curated": state.live.curated_graph,
            "messages_curate": {
                key: translate(page_language(), key) for key in CURATE_SCRIPT_WORDS
            },
        },
    )


def _choices(pattern: str, base: str) -> list[dict[str, Any]]:
    """(IRI, label in the page's language, else English) of what `pattern` binds, by label."""
    language = page_language()
    query = f"""PREFIX virt: <{base}{V}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?x ?label WHERE {{
  {pattern} FILTER (isIRI(?x))
  OPTIONAL {{ ?x skos:prefLabel ?wanted FILTER (lang(?wanted) = "{language}") }}
  OPTIONAL {{ ?x skos:prefLabel ?english FILTER (lang(?english) = "en") }}
  OPTIONAL {{ ?x <http://purl.org/dc/terms/title> ?title }}
  BIND (COALESCE(?wanted, ?english, ?title, STR(?x)) AS ?label)
}}"""
    solutions = services().query_store.store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    found = {
        str(row["x"].value): str(row["label"].value)
        for row in solutions
        if row["x"] is not None and row["label"] is not None
    }
    return [
        {"iri": iri, "label": label}
        for iri, label in sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))
    ]
