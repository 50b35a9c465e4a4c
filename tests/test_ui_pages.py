"""The UI's server side without a browser: dereferenceable IRIs, negotiation, language, safety."""

from __future__ import annotations

import re
from urllib.robotparser import RobotFileParser

import pytest
from flask.testing import FlaskClient
from rdflib import RDF, Graph, URIRef

from kgapi.settings import Settings
from kgapi.web.pages import CONTENT_SECURITY_POLICY

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def base(settings: Settings) -> str:
    return settings.base_iri


def test_browser_gets_the_entity_page_of_an_individual(client: FlaskClient) -> None:
    response = client.get("/resource/kvm", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.vary
    page = response.get_data(as_text=True)
    assert "<h1>KVM</h1>" in page
    assert 'class="type inferred"' in page and "details" in page


def test_browser_gets_the_entity_page_of_a_class(client: FlaskClient, base: str) -> None:
    response = client.get("/ontology/Type1Hypervisor", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert f"{base}ontology/Type1Hypervisor" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("text/turtle;q=0.5, application/n-triples", "application/n-triples", "nt"),
    ],
)
# rdflib's JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_rdf_client_gets_the_description_by_negotiation(
    client: FlaskClient, base: str, accept: str, media_type: str, rdflib_format: str
) -> None:
    response = client.get("/resource/kvm", headers={"Accept": accept})
    assert response.status_code == 200  # answered directly, no 303
    assert response.mimetype == media_type
    assert "Accept" in response.vary
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    kvm = URIRef(f"{base}resource/kvm")
    assert (kvm, RDF.type, URIRef(f"{base}ontology/Hypervisor")) in graph
    assert len(graph) > 20


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get("/resource/kvm?format=ttl", headers={"Accept": "text/html"})
    assert response.mimetype == "text/turtle"


def test_alternate_formats_are_linked(client: FlaskClient) -> None:
    response = client.get("/resource/kvm", headers={"Accept": "text/html"})
    link = response.headers["Link"]
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples"):
        assert f'type="{media_type}"' in link


@pytest.mark.parametrize(
    "path", ["/resource/kvm", "/ontology", "/graph/asserted", "/graph/products"]
)
@pytest.mark.parametrize("accept", ["image/png", "*/*;q=0", "text/turtle;q=abc", "a/b/c"])
def test_unacceptable_format_is_406(client: FlaskClient, path: str, accept: str) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 406, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_unknown_iri_is_404_with_candidates(client: FlaskClient) -> None:
    page = client.get("/resource/kvmm", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "/resource/kvm" in page.get_data(as_text=True)
    problem = client.get("/resource/kvmm", headers={"Accept": "text/turtle"})
    assert problem.status_code == 404
    assert problem.mimetype == "application/problem+json"
    assert problem.get_json()["status"] == 404
    # Chosen by Accept, both say so, or a cache would hand the page to a program.
    assert "Accept" in page.vary and "Accept" in problem.vary


def test_entity_lookup_by_label_redirects_to_the_iri(client: FlaskClient) -> None:
    response = client.get("/entity?id=全虚拟化")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ontology/FullVirtualization")


def test_language_parameter_is_remembered_in_a_cookie(client: FlaskClient) -> None:
    first = client.get("/ontology/FullVirtualization?lang=zh")
    assert "<h1>全虚拟化</h1>" in first.get_data(as_text=True)
    assert "kgapi_lang=zh" in first.headers["Set-Cookie"]
    again = client.get("/ontology/FullVirtualization")
    assert '<html lang="zh-Hans"' in again.get_data(as_text=True)
    english = client.get("/ontology/FullVirtualization?lang=en")
    assert "<h1>full virtualization</h1>" in english.get_data(as_text=True)


def test_the_language_parameter_takes_a_language_tag(client: FlaskClient) -> None:
    # As the API's `lang` does: a locale such as zh-CN, in any case, names the language.
    page = client.get("/ontology/FullVirtualization?lang=ZH-cn", headers={"Accept": "text/html"})
    assert "<h1>全虚拟化</h1>" in page.get_data(as_text=True)
    assert "kgapi_lang=zh;" in page.headers["Set-Cookie"]
    english = client.get("/ontology/FullVirtualization?lang=en-GB")
    assert "<h1>full virtualization</h1>" in english.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/", "/resource/kvm", "/graph", "/compare?ids=kvm,xen", "/ontology/Hypervisor"]
)
def test_every_page_offers_both_languages_and_loads_only_local_assets(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-lang="en"' in page and 'data-lang="zh"' in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page):
        for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
            assert not url.startswith(("http:", "https:", "//")), tag


def test_vendored_assets_are_served(client: FlaskClient) -> None:
    for path in (
        "/assets/vendor/yasgui/yasgui.min.js",
        "/assets/vendor/yasgui/yasgui.min.css",
        "/assets/vendor/cytoscape/cytoscape.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_names_typed_into_pages_are_escaped(client: FlaskClient) -> None:
    response = client.get("/entity?id=<script>alert(1)</script>", headers={"Accept": "text/html"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("given", "checked"),
    [
        ("no", False),
        ("off", False),
        ("false", False),
        ("yes", True),
        ("banana", True),
        (None, True),
    ],
)
def test_the_graph_form_reads_inferred_as_every_boolean_is_read(
    client: FlaskClient, given: str | None, checked: bool
) -> None:
    """The one boolean reader's words; a word it does not know leaves the default (on)."""
    query = "" if given is None else f"&inferred={given}"
    page = client.get(f"/graph?scope=taxonomy{query}").get_data(as_text=True)
    assert ('name="inferred" value="true" checked' in page) is checked


@pytest.mark.parametrize("path", ["/nonexistent", "/resource/", "/wp-login.php"])
def test_a_url_that_names_no_route_is_a_page_for_a_browser_and_a_problem_for_a_program(
    client: FlaskClient, path: str
) -> None:
    """A person who follows a stale link sees a page in their language, with the site around
    it; a program sees the problem document every route answers errors with."""
    page = client.get(path, headers={"Accept": BROWSER_ACCEPT, "Accept-Language": "zh-CN,zh"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "未找到" in text and 'href="/"' in text
    assert "Accept" in page.vary
    # The pages' own policy, which lets it load its stylesheet from this server (the one for
    # documents outside the pages, `default-src 'none'`, left the page unstyled).
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for accept in ("application/json", "*/*", None):  # a program's, curl's, none
        problem = client.get(path, headers={"Accept": accept} if accept else {})
        assert problem.status_code == 404 and problem.mimetype == "application/problem+json"
        assert "Accept" in problem.vary


def test_a_routed_404_keeps_its_routes_shape_for_a_browser(client: FlaskClient) -> None:
    """Only a URL that names no route gets the page: a route's own 404 keeps its shape, and so
    does any URL under /api/, the programs' part of the site."""
    for path in ("/api/entities/no-such-entity", "/api/nope/at/all"):
        api = client.get(path, headers={"Accept": BROWSER_ACCEPT})
        assert api.status_code == 404 and api.mimetype == "application/problem+json"
    sparql = client.get("/sparql/nope", headers={"Accept": BROWSER_ACCEPT})
    assert sparql.status_code == 404


def test_robots_txt_lets_crawlers_read_the_pages_but_not_compute(client: FlaskClient) -> None:
    # A public deployment is crawled: the pages and documents of the graph's terms are worth
    # indexing; the endpoints that compute (a crawler follows every export and query link on
    # the pages) and the ones that write are not.
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    robots = RobotFileParser()
    robots.parse(response.get_data(as_text=True).splitlines())
    for allowed in ("/", "/resource/kvm", "/ontology/Hypervisor", "/ontology", "/entity?id=kvm"):
        assert robots.can_fetch("AnyBot", allowed), allowed
    for refused in (
        "/sparql?query=ASK%7B%7D",
        "/sparql/asserted",
        "/export?scope=all&format=svg",
        "/api/entities/kvm",
        "/api/queries/axis-taxonomy",
        "/graph?scope=taxonomy",
        "/graph/wikipedia",
        "/compare?ids=kvm,xen",
        "/store?default",
        "/update",
        "/identify",
        "/metrics",
    ):
        assert not robots.can_fetch("AnyBot", refused), refused
