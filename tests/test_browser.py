"""The browser UI in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright.

A live `kgapi serve` runs on 127.0.0.1 with `base_iri` set to its own URL, so the graph's IRIs
are the server's addresses. Every page is held to the server: a request to any other origin is
aborted, logged, and fails the test. Each test leaves a screenshot in `test-artifacts/`
(or `$KGAPI_TEST_ARTIFACTS`).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from serving import (
    ARTIFACTS,
    CHROMIUM_FLAGS,
    VIEWPORT,
    create_token,
    free_port,
    held_to,
    kgapi_server,
)

from kgapi.settings import Settings

CHROMIUM = Path(os.environ.get("KGAPI_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.is_file():
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium "
        "fonts-noto-cjk; or set KGAPI_CHROMIUM)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright: pip install -e '.[test]'"
)

TIMEOUT_MS = 30_000


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Outside:
    """Requests the page tried to make to anywhere but the test server."""

    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def ui_server(
    serves_live: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`kgapi serve` on 127.0.0.1, its base IRI its own URL, so IRIs dereference on it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("ui-server") / "server.log"
    arguments = [
        "--base-iri", f"{url}/",
        "--cache-dir", str(settings.cache_dir),
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
    ]  # fmt: skip
    with kgapi_server(arguments, port=port, log_path=log_path) as process:
        yield Server(url, process, log_path)


@pytest.fixture(scope="session")
def browser() -> Iterator[sync_api.Browser]:
    """Debian's Chromium; Playwright gives it a fresh, empty profile directory of its own."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def page(
    browser: sync_api.Browser,
    ui_server: Server,
    outside: Outside,
    request: pytest.FixtureRequest,
) -> Iterator[sync_api.Page]:
    """A fresh page whose requests outside the test server are aborted and logged; the test
    fails if there were any, or if the page logged an error. A screenshot is saved either way."""
    with held_page(browser, ui_server.url, outside, request.node.name) as held:
        yield held


@contextmanager
def held_page(
    browser: sync_api.Browser, url: str, outside: Outside, name: str
) -> Iterator[sync_api.Page]:
    """A page of a fresh context, held to `url` (see the `page` fixture)."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    errors: list[str] = []

    context.route("**/*", held_to(url, outside.requests))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()
    assert outside.requests == [], f"the page requested outside the server: {outside.requests}"
    assert errors == [], "\n".join(errors)


def test_editor_runs_a_query_and_shows_the_result_table(
    page: sync_api.Page, ui_server: Server
) -> None:
    # A person who types the endpoint's address lands in the editor too (a 303 from /sparql).
    page.goto(f"{ui_server.url}/sparql")
    assert page.url == f"{ui_server.url}/"
    page.wait_for_selector(".yasqe .CodeMirror")
    query = (
        "PREFIX virt: <" + ui_server.url + "/ontology/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?product ?label WHERE { ?product a virt:Type1Hypervisor ; rdfs:label ?label .\n"
        '  FILTER (lang(?label) = "en") } ORDER BY ?label'
    )
    page.evaluate("query => window.kgapiYasgui.getTab().getYasqe().setValue(query)", query)
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    text = page.locator(".yasr table.dataTable tbody").inner_text()
    assert rows.count() >= 3
    assert "ESXi" in text  # the label ("VMware ESXi"), as the stored query returns it
    assert "Xen" in text


def test_editor_draws_a_construct_result_as_a_graph(page: sync_api.Page, ui_server: Server) -> None:
    page.goto(f"{ui_server.url}/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.select_option("#examples", "hypervisor-taxonomy-graph")
    page.click(".yasqe_queryButton")
    page.wait_for_function(
        "() => window.kgapiConstructGraph && window.kgapiConstructGraph.nodes().length > 1"
    )
    assert page.evaluate("() => window.kgapiConstructGraph.edges().length") >= 1


def test_entity_page_opens_by_its_iri_and_explains_an_inferred_type(
    page: sync_api.Page, ui_server: Server
) -> None:
    iri = f"{ui_server.url}/resource/kvm"
    page.goto(iri)  # the IRI itself: the browser asks for text/html
    assert page.locator("h1").inner_text() == "KVM"
    assert page.locator(".entity-head .iri code").inner_text() == iri
    inferred = page.locator("li.type.inferred")
    assert inferred.count() >= 1
    explanation = inferred.first.locator("details.explanation")
    assert not explanation.locator(".proof").is_visible()
    explanation.locator("summary").click()
    assert explanation.locator(".proof").is_visible()
    steps = explanation.locator(".proof-step")
    assert steps.count() >= 2  # the inferred triple and at least one premise
    assert explanation.locator(".proof-asserted").count() >= 1  # down to asserted triples
    assert page.locator(".claims .claim").count() >= 1  # KVM's hypervisor type is contested
    page.wait_for_function("() => window.kgapiGraph && window.kgapiGraph.nodes().length > 3")


def test_graph_view_draws_the_taxonomy(page: sync_api.Page, ui_server: Server) -> None:
    page.goto(f"{ui_server.url}/graph?scope=taxonomy&lang=en")
    page.wait_for_selector("body[data-graph-ready=true]")
    drawn = page.evaluate("() => window.kgapiGraph.nodes().length")
    assert drawn >= 20
    assert page.locator("#graph-status").get_attribute("data-nodes") == str(drawn)
    assert page.locator("#graph canvas").count() >= 1


def test_switching_to_chinese_shows_full_virtualization_on_the_taxonomy(
    page: sync_api.Page, ui_server: Server
) -> None:
    page.goto(f"{ui_server.url}/graph?scope=taxonomy&lang=en")
    page.wait_for_selector("body[data-graph-ready=true]")
    page.click(".lang-switch a[data-lang=zh]")
    page.wait_for_selector("html[lang=zh-Hans] body[data-graph-ready=true]")
    labels = page.evaluate("() => window.kgapiGraph.nodes().map(node => node.data('label'))")
    assert "全虚拟化" in labels
    assert page.locator("h1").inner_text() == "图谱视图"
    # Remembered: the next page, asked for without ?lang=, comes in Chinese too.
    page.goto(f"{ui_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.evaluate("() => window.localStorage.getItem('kgapi.lang')") == "zh"


def test_comparison_page_highlights_differences(page: sync_api.Page, ui_server: Server) -> None:
    page.goto(f"{ui_server.url}/compare?ids=kvm,xen,esxi")
    page.wait_for_selector("body[data-compare-ready=true]")
    headers = page.locator("table.comparison thead th").all_inner_texts()
    assert headers[1:4] == ["KVM", "Xen", "VMware ESXi"]
    assert page.locator("table.comparison tr.row-differs").count() >= 1
    assert page.locator("table.comparison td.cell[title]").count() >= 1  # sources on hover


@pytest.mark.parametrize("word", ["1", "true", "yes"])
def test_comparison_page_shows_only_differences_when_asked(
    page: sync_api.Page, ui_server: Server, word: str
) -> None:
    # `diff` is a boolean parameter, read as every other one is: the checkbox and the table
    # agree on it (the script read it itself, as "1" alone).
    page.goto(f"{ui_server.url}/compare?ids=kvm,xen,esxi&diff={word}")
    page.wait_for_selector("body[data-compare-ready=true]")
    assert page.locator("input[name=diff]").is_checked()
    rows = page.locator("table.comparison tbody tr")
    assert rows.count() >= 1
    assert rows.count() == page.locator("table.comparison tbody tr.row-differs").count()


def test_pages_request_nothing_outside_the_server(
    page: sync_api.Page, ui_server: Server, outside: Outside
) -> None:
    for path in ("/", "/resource/kvm?lang=zh", "/ontology/Type1Hypervisor", "/graph", "/compare"):
        page.goto(f"{ui_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert outside.requests == []
    # The guard itself works: a request elsewhere is caught (from a page without our CSP,
    # which would stop it in the browser before the guard sees it).
    page.goto("about:blank")
    page.evaluate("() => fetch('http://192.0.2.1/x').catch(() => null)")
    assert any(re.match(r"http://192\.0\.2\.1/", url) for url in outside.requests)
    outside.requests.clear()


def test_a_stale_link_shows_the_sites_own_not_found_page(
    page: sync_api.Page, ui_server: Server
) -> None:
    """A URL that names nothing is the site's page, styled by its own stylesheet (a policy that
    refused it would fail this test through the page fixture), with the way back to the site."""
    response = page.goto(f"{ui_server.url}/no/such/page?lang=zh")
    assert response is not None and response.status == 404
    assert "未找到" in page.locator("h1").inner_text()
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # ui.css, applied
    page.locator("a.brand").click()
    page.wait_for_url(f"{ui_server.url}/")


@dataclass
class CuratingServer:
    url: str
    token: str


@pytest.fixture(scope="module")
def curating_server(
    serves_live: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CuratingServer]:
    """`kgapi serve --writes` on 127.0.0.1 with a write token made by `kgapi token create`."""

    root = tmp_path_factory.mktemp("curating")
    token = create_token(root / "data", "browser")
    port = free_port()
    arguments = [
        "--cache-dir", str(settings.cache_dir),
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
        "--writes", "--data-dir", str(root / "data"),
    ]  # fmt: skip
    with kgapi_server(arguments, port=port, log_path=root / "server.log"):
        yield CuratingServer(f"http://127.0.0.1:{port}", token)


def test_the_curation_form_checks_then_sends_a_product_and_its_page_shows_the_history(
    browser: sync_api.Browser,
    curating_server: CuratingServer,
    outside: Outside,
    request: pytest.FixtureRequest,
) -> None:
    with held_page(browser, curating_server.url, outside, request.node.name) as page:
        page.goto(f"{curating_server.url}/curate")
        page.fill("input[name=iri]", "https://example.org/products/browser-vmm")
        page.fill("input[name=graph]", "https://example.org/graphs/browser")
        page.fill("input[name=label_en]", "Browser VMM")
        page.click("#curate-check")
        # Half a product: the shapes' refusal is shown before anything is sent.
        page.wait_for_selector("#curate-report .status.error")
        assert "skos:prefLabel" in page.inner_text("#curate-report") or "Chinese" in (
            page.inner_text("#curate-report")
        )
        page.fill("input[name=label_zh]", "浏览器虚拟机监控器")
        page.fill("textarea[name=definition_en]", "A VMM described in a browser test.")
        page.fill("textarea[name=definition_zh]", "在浏览器测试中描述的虚拟机监控器。")
        for name, label in (
            ("developer", "Amazon Web Services"),
            ("license", "Apache License 2.0"),
            ("virtualizedObject", "Server virtualization"),
            ("source", None),
        ):
            select = page.locator(f"select[name={name}]")
            if label is None or select.locator(f"option:text-is('{label}')").count() == 0:
                select.select_option(index=1)
            else:
                select.select_option(label=label)
        page.click("#curate-check")
        page.wait_for_selector("#curate-report .status.ok")
        assert "would accept" in page.inner_text("#curate-report")
        page.fill("input[name=token]", curating_server.token)
        # Chinese, as a curator using the Chinese page writes it: a browser refuses a header
        # value outside latin-1, and the server's HTTP layer drops any non-ASCII one.
        page.fill("input[name=message]", "added from the browser — 从浏览器添加")
        page.click("#curate-send")
        page.wait_for_selector("#curate-report .status.ok >> text=Accepted")
        page.goto(
            f"{curating_server.url}/entity?id=https%3A%2F%2Fexample.org%2Fproducts%2Fbrowser-vmm"
        )
        history = page.inner_text("section.history")
        assert "#1" in history and "added from the browser — 从浏览器添加" in history


def test_a_page_of_another_origin_writes_and_reads_the_version_it_made(
    browser: sync_api.Browser, curating_server: CuratingServer
) -> None:
    """A web application served elsewhere (here: the same server named `localhost`, another
    origin to the browser) writes with a bearer token, then reads the headers it needs to read
    its own write: the new version (Kgapi-Version, for Kgapi-Min-Version) and the graph's ETag.
    CORS let a script read ETag and Location alone."""
    elsewhere = curating_server.url.replace("127.0.0.1", "localhost")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{elsewhere}/openapi.json")
        seen = page.evaluate(
            """async ([url, token]) => {
                const answer = await fetch(url + "/update", {
                    method: "POST",
                    headers: {"Authorization": "Bearer " + token,
                              "Content-Type": "application/sparql-update"},
                    body: "INSERT DATA { GRAPH <https://example.org/graphs/cors> " +
                          "{ <urn:cors:s> <urn:cors:p> 1 } }",
                });
                const refused = await fetch(url + "/update", {method: "POST",
                    headers: {"Content-Type": "application/sparql-update"}, body: "CLEAR ALL"});
                return {status: answer.status, version: answer.headers.get("Kgapi-Version"),
                        etag: answer.headers.get("ETag"),
                        challenge: refused.headers.get("WWW-Authenticate")};
            }""",
            [curating_server.url, curating_server.token],
        )
    finally:
        context.close()
    assert seen["status"] == 200 and seen["etag"]
    assert seen["version"] and seen["version"].isdigit()
    assert seen["challenge"] and seen["challenge"].startswith("Bearer")
