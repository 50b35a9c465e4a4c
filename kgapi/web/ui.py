"""The browser UI and dereferenceable IRIs: `GET /`, `/resource/<slug>`, `/ontology/<name>`,
`/entity?id=`, `/graph` and `/compare`.

An IRI of the graph, `{base_iri}resource/<slug>` or `{base_iri}ontology/<Name>`, is answered at
`/resource/<slug>` and `/ontology/<Name>` of this server (so they dereference when `base_iri` is
the server's own URL, or a proxy such as w3id.org redirects there). The answer is direct — 200
with `Vary: Accept`, never a 303 — in the format negotiated from Accept (or `format=`): an HTML
page for browsers, or the entity's description (its statements, asserted and inferred, with the
blank nodes they lead to, and the statements pointing at it) in Turtle, JSON-LD, N-Triples or
RDF/XML. `Link` headers name the other formats.

Pages come in English or Chinese, and load only this server's assets (kgapi.web.pages).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, g, redirect, request
from rdflib import OWL, URIRef
from werkzeug.wrappers import Response as BaseResponse

from kgapi.graph.documents import triples_of
from kgapi.parameters import parse_boolean
from kgapi.read.entities import entity_graph
from kgapi.read.facts import FactReader
from kgapi.read.names import NameIndex, NameResolutionError
from kgapi.reasoning.explanation import RULE_DESCRIPTIONS
from kgapi.web import delivery
from kgapi.web.api_common import lookups
from kgapi.web.entity_view import Links, describe_entity, entity_exists
from kgapi.web.negotiation import FORMATS, PAGE, Format, NotAcceptable, asks_for_page, negotiate
from kgapi.web.pages import hold_to_this_server, page_language, render_page
from kgapi.web.state import services
from kgapi.web.ui_text import AXES, EXAMPLE_SUMMARIES_ZH, translate

blueprint = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
blueprint.after_request(hold_to_this_server)  # the pages' policy: this server's assets only

RDF_FORMAT_NAMES = ("turtle", "jsonld", "ntriples", "rdfxml", "nquads", "trig")
RDF_OFFERS: tuple[Format, ...] = tuple(f for n in RDF_FORMAT_NAMES for f in FORMATS if f.name == n)
PAGE_OFFERS: tuple[Format, ...] = (PAGE, *RDF_OFFERS)
# Prefixes offered to the editor, in this order, when the graph binds them.
EDITOR_PREFIXES = (
    "virt", "vr", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "schema", "spdx",
    "wd", "dbo", "dbr", "doap", "occi", "foaf",
)  # fmt: skip


# --- the SPARQL editor ------------------------------------------------------------------------


@blueprint.get("/")
def editor() -> Response:
    """The SPARQL editor (YASGUI), with the graph's prefixes and example queries."""
    knowledge = services().knowledge
    bound = dict(knowledge.asserted.namespaces())
    prefixes = {prefix: str(bound[prefix]) for prefix in EDITOR_PREFIXES if prefix in bound}
    examples = example_queries(prefixes)
    if page_language() == "zh":
        examples = [{**e, "summary": EXAMPLE_SUMMARIES_ZH[e["name"]]} for e in examples]
    return render_page(
        "editor.html",
        examples=examples,
        page_data={"prefixes": prefixes, "examples": examples, "endpoint": "/sparql"},
    )


def example_queries(prefixes: dict[str, str]) -> list[dict[str, str]]:
    """Built-in examples; the page adds the stored queries from `/api/queries` when served."""

    def header(*names: str) -> str:
        return "".join(f"PREFIX {name}: <{prefixes[name]}>\n" for name in names if name in prefixes)

    return [
        {
            "name": "classification-schemes",
            "summary": "The ways to classify virtualization, and the categories of each",
            "query": header("skos") + "SELECT ?scheme ?category WHERE {\n"
            "  ?scheme a skos:ConceptScheme ; skos:hasTopConcept ?category .\n"
            "}\nORDER BY ?scheme ?category\n",
        },
        {
            "name": "type-1-hypervisors",
            "summary": "Type-1 hypervisors, asserted or inferred, with their English labels",
            "query": header("virt", "rdfs") + "SELECT ?product ?label WHERE {\n"
            "  ?product a virt:Type1Hypervisor ; rdfs:label ?label .\n"
            '  FILTER (lang(?label) = "en")\n'
            "}\nORDER BY ?label\n",
        },
        {
            "name": "products-by-technique",
            "summary": "Products and their VMM implementation techniques (Chinese labels)",
            "query": header("virt", "rdfs") + "SELECT ?product ?technique WHERE {\n"
            "  ?p virt:implementationTechnique ?t .\n"
            '  ?p rdfs:label ?product . FILTER (lang(?product) = "zh")\n'
            '  ?t rdfs:label ?technique . FILTER (lang(?technique) = "zh")\n'
            "}\nORDER BY ?product\n",
        },
        {
            "name": "hypervisor-taxonomy-graph",
            "summary": "CONSTRUCT: the subclasses of virt:Hypervisor, drawn as a graph",
            "query": header("virt", "rdfs")
            + "CONSTRUCT { ?class rdfs:subClassOf ?super } WHERE {\n"
            "  ?class rdfs:subClassOf+ virt:Hypervisor ; rdfs:subClassOf ?super .\n"
            "  FILTER (isIRI(?super) && ?class != ?super)\n"
            "  # direct superclasses only: no class in between\n"
            "  FILTER NOT EXISTS {\n"
            "    ?class rdfs:subClassOf ?middle . ?middle rdfs:subClassOf ?super .\n"
            "    FILTER (?middle != ?class && ?middle != ?super)\n"
            "  }\n"
            "}\n",
        },
    ]


# --- entity pages: dereferenceable IRIs -------------------------------------------------------


@blueprint.get("/resource/<path:slug>")
def resource(slug: str) -> Response:
    """An individual's IRI, `{base}resource/<slug>`: its page or its RDF, by negotiation."""
    return dereference(URIRef(f"{services().knowledge.ontology.base_iri}resource/{slug}"))


@blueprint.get("/ontology/<path:name>")
def ontology_term(name: str) -> Response:
    """A class's or property's IRI, `{base}ontology/<Name>`: its page or its RDF."""
    return dereference(URIRef(f"{services().knowledge.ontology.base_iri}ontology/{name}"))


@blueprint.get("/entity")
def entity() -> BaseResponse:
    """Any name (IRI, prefixed name, slug, label): our IRIs redirect to their own address,
    other described IRIs are shown here."""
    name = request.args.get("id", "").strip()
    try:
        term = name_index().resolve(name)
    except NameResolutionError as error:
        return not_found(name, error.candidates)
    href = Links(FactReader(services().knowledge, page_language())).href(str(term))
    if not href.startswith("/entity?"):
        arguments = {k: v for k, v in request.args.items() if k != "id"}
        return redirect(href + (f"?{urlencode(arguments)}" if arguments else ""), code=303)
    return dereference(term)


def dereference(term: URIRef) -> Response:
    """Answer for `term` in the negotiated format: HTML page or its RDF description."""
    knowledge = services().knowledge
    if not entity_exists(knowledge, term):
        return not_found(str(term), name_index().suggest(str(term).rsplit("/", 1)[-1]))
    try:
        chosen = negotiate(
            request.headers.get("Accept"), PAGE_OFFERS, requested=request.args.get("format")
        )
    except NotAcceptable as error:
        abort(406, description=str(error))
    if chosen is PAGE:
        view = describe_entity(knowledge, term, language=page_language())
        response = render_page(
            "entity.html",
            view=view,
            rule_descriptions=RULE_DESCRIPTIONS,
            rdf_links=[(f.name, f.media_type, format_url(f)) for f in RDF_OFFERS],
            page_data={"iri": view.iri, "elements": view.graph_elements},
            history=entity_history(str(term)),
        )
    else:
        response = delivery.rdf_document(
            lambda: triples_of(entity_graph(FactReader(knowledge), term)),
            chosen,
            (knowledge.version, term),
        )
    response.vary.add("Accept")
    response.headers["Link"] = ", ".join(
        f'<{format_url(f)}>; rel="alternate"; type="{f.media_type}"' for f in PAGE_OFFERS
    )
    return response


def entity_history(iri: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """The versions whose change touched `iri` (as subject or object), newest first: empty
    when the server takes no writes."""
    live = services().live
    if live is None:
        return []
    node = ox.NamedNode(iri)
    found = []
    for version in reversed(live.history()):
        change = version.change
        touching = [q for q in (*change.added, *change.removed) if node in (q.subject, q.object)]
        if touching:
            added = sum(1 for q in touching if q in change.added)
            found.append({"version": version, "added": added, "removed": len(touching) - added})
            if len(found) == limit:
                break
    return found


def _rdf_only(names: tuple[object, ...], graph_iri: str) -> Response:
    """A graph of the store that has no page: RDF by negotiation (browsers' `*/*` gets
    Turtle)."""
    try:
        chosen = negotiate(
            request.headers.get("Accept"), RDF_OFFERS, requested=request.args.get("format")
        )
    except NotAcceptable as error:
        abort(406, description=str(error))
    store = services().query_store.store
    graph = ox.NamedNode(graph_iri)
    response = delivery.rdf_document(
        lambda: [q.triple for q in store.quads_for_pattern(None, None, None, graph)],
        chosen,
        names,
    )
    response.vary.add("Accept")
    return response


@blueprint.get("/ontology")
def ontology_document() -> Response:
    """The ontology's IRI (`{base}ontology`): the whole asserted ontology, every module, as RDF;
    a browser gets the page of the ontology's header."""
    knowledge = services().knowledge
    try:
        chosen = negotiate(request.headers.get("Accept"), PAGE_OFFERS, requested=None)
    except NotAcceptable as error:
        abort(406, description=str(error))
    if chosen is PAGE and "format" not in request.args:
        return dereference(URIRef(f"{knowledge.ontology.base_iri}ontology"))
    return _rdf_only((knowledge.version, "ontology"), str(knowledge.asserted_graph_iri))


@blueprint.get("/releases/<version>/ontology")
def ontology_version(version: str) -> Response:
    """The ontology's `owl:versionIRI`: the same document while that version is the one served."""
    knowledge = services().knowledge
    ontology = URIRef(f"{knowledge.ontology.base_iri}ontology")
    served = knowledge.asserted.value(ontology, OWL.versionIRI)
    if served is None or not str(served).endswith(f"/releases/{version}/ontology"):
        abort(404, description=f"version {version!r} is not served here; this server has {served}")
    return _rdf_only((knowledge.version, "ontology", version), str(knowledge.asserted_graph_iri))


@blueprint.get("/graph/<path:name>")
def named_graph(name: str) -> Response:
    """A named graph's IRI (`{base}graph/<name>`: asserted, inferred, or one ontology module):
    its triples as RDF."""
    state = services()
    prefix = f"{state.knowledge.ontology.base_iri}graph/"
    iri = prefix + name
    if iri not in state.query_store.graph_sizes:
        graphs = (g for g in state.query_store.graph_sizes if g.startswith(prefix))
        names = ", ".join(sorted(g.removeprefix(prefix) for g in graphs))
        abort(404, description=f"no named graph {iri!r}; the graphs are: {names}")
    return _rdf_only((state.query_store.version, "graph", name), iri)


def format_url(chosen: Format) -> str:
    arguments = {k: v for k, v in request.args.items() if k not in ("format", "lang")}
    arguments["format"] = chosen.extension
    return f"{request.path}?{urlencode(arguments)}"


def not_found(name: str, candidates: list[URIRef]) -> Response:
    """404: a page listing the candidates for browsers, a problem document for the rest."""
    if not _wants_page():
        suggestions = ", ".join(f"<{c}>" for c in candidates) or "none"
        abort(404, description=f"no entity is named {name!r}; candidates: {suggestions}")
    links = Links(FactReader(services().knowledge, page_language()))
    return render_page(
        "not_found.html",
        status=404,
        name=name,
        candidates=[links.link(candidate) for candidate in candidates],
    )


def unknown_url_page() -> Response | None:
    """For a browser, the not-found page for a URL that names no route; None for a program,
    which gets the problem document. A URL that names nothing has no representation to choose
    by default, so the page goes only to a client whose Accept names text/html, as browsers'
    do (curl's and HTTP libraries' `*/*` gets the problem document)."""
    g.kgapi_vary_accept = True
    if not asks_for_page(request.headers.get("Accept"), RDF_OFFERS):
        return None
    page = render_page("not_found.html", status=404, name=request.path, candidates=[])
    return hold_to_this_server(page)  # (no blueprint of the pages answers it: their policy here)


def _wants_page() -> bool:
    """Whether the client would rather have a page than an RDF or problem document (the
    answer then varies with Accept, which the response says)."""
    g.kgapi_vary_accept = True
    try:
        return negotiate(request.headers.get("Accept"), PAGE_OFFERS) is PAGE
    except NotAcceptable:
        return False


def name_index() -> NameIndex:
    """The resolver for names people type: the app's one name index."""
    return services().lookups.names


# --- graph view and comparison ----------------------------------------------------------------


@blueprint.get("/graph")
def graph_view() -> Response:
    """An interactive drawing of an export scope (`/export?format=cytoscape`)."""
    scope = request.args.get("scope", "taxonomy")
    if scope not in ("taxonomy", "axis", "products", "neighbourhood"):
        scope = "taxonomy"
    language = page_language()
    settings = {
        "scope": scope,
        "axis": request.args.get("axis", AXES[0][0]),
        "focus": request.args.get("focus", ""),
        "depth": request.args.get("depth", "1"),
        "inferred": _flag("inferred", default=True),
    }
    axes = [(name, zh if language == "zh" else en) for name, en, zh in AXES]
    return render_page("graph.html", form=settings, axes=axes, page_data={"form": settings})


def _flag(name: str, *, default: bool) -> bool:
    """A page's boolean parameter: a word the one reader does not take leaves the default, as
    an unknown scope does (a page is a form to correct, not a request to refuse)."""
    try:
        return parse_boolean(request.args.get(name, ""))
    except ValueError:
        return default


@blueprint.get("/compare")
def compare_view() -> Response:
    """The comparison page; `?ids=a,b,c` is the shareable state, the table comes from
    `/api/compare`."""
    ids = request.args.get("ids", "")
    only_differences = _flag("diff", default=False)
    return render_page(
        "compare.html",
        ids=ids,
        only_differences=only_differences,
        page_data={"ids": ids, "onlyDifferences": only_differences},
    )


@blueprint.route("/identify", methods=["GET", "POST"])
def identify_view() -> Response:
    """Upload a machine's evidence bundle and see its layers, linked into the graph.

    Rendered on the server from the same core as `POST /api/identify`; the upload is read in
    memory like any bundle (hostile until proven otherwise) and nothing is stored.
    """
    from kgapi.identify.answer import identify
    from kgapi.identify.evidence import EvidenceError, read_bundle_bytes

    if request.method == "GET":
        return render_page("identify.html", answer=None, error=None)
    upload = request.files.get("bundle")
    if upload is None or not upload.filename:
        return render_page(
            "identify.html",
            status=400,
            answer=None,
            error=translate(page_language(), "identify.missing"),
        )
    try:
        evidence = read_bundle_bytes(upload.read())
    except EvidenceError as failure:
        status = 413 if failure.too_large else 400
        return render_page("identify.html", status=status, answer=None, error=str(failure))
    answer = identify(lookups().reader_for(page_language()), evidence)
    return render_page("identify.html", answer=answer, error=None)
