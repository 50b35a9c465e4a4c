"""Remake the README's screenshots: docs/screenshots/<page>-<lang>.png, in English and Chinese.

Starts `kgapi serve` on a free 127.0.0.1 port (base IRI = its own URL, as the browser tests do),
drives Debian's headless Chromium through Playwright, and stops if any page asks for anything
outside the server. Needs `pip install -e '.[test]'` and `apt-get install chromium
fonts-noto-cjk`. Usage: python scripts/screenshots.py [--out DIR] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the live-server and browser helpers the tests use

from serving import CHROMIUM_FLAGS, VIEWPORT, free_port, held_to, kgapi_server  # noqa: E402


@contextmanager
def live_server() -> Iterator[str]:
    """`kgapi serve` on 127.0.0.1 until the block ends (writes on, into a throwaway data
    directory, for the curation page); yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as work:
        arguments = [
            "--base-iri", f"{url}/",
            "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
            "--writes", "--data-dir", str(Path(work) / "data"),
        ]  # fmt: skip
        with kgapi_server(arguments, port=port, log_path=Path(work) / "server.log"):
            yield url


def editor(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.select_option("#examples", "products-by-technique")
    page.click(".yasqe_queryButton")
    page.locator(".yasr table.dataTable tbody tr").first.wait_for()


def entity(page: Page, url: str) -> None:
    page.goto(f"{url}/resource/kvm")
    page.locator("li.type.inferred details.explanation summary").first.click()
    page.wait_for_function("() => window.kgapiGraph && window.kgapiGraph.nodes().length > 1")


def graph(page: Page, url: str) -> None:
    page.goto(f"{url}/graph?scope=axis&axis=implementation-technique")
    page.wait_for_selector("body[data-graph-ready=true]")


def taxonomy(page: Page, url: str) -> None:
    page.goto(f"{url}/graph?scope=taxonomy")
    page.wait_for_selector("body[data-graph-ready=true]")


def comparison(page: Page, url: str) -> None:
    page.goto(f"{url}/compare?ids=kvm,xen,esxi")
    page.wait_for_selector("body[data-compare-ready=true]")


ENVIRONMENTS = ROOT.parent / "shared" / "reference" / "virtualization-detection" / "environments"


def identify(page: Page, url: str) -> None:
    """The identify page after uploading a recorded environment (an EC2 instance on KVM)."""
    from kgapi.identify.evidence import from_directory, to_tar_gz

    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "aws-kvm-x86.tar.gz"
        bundle.write_bytes(to_tar_gz(from_directory(ENVIRONMENTS / "aws-kvm-x86")))
        page.goto(f"{url}/identify")
        page.set_input_files("input[type=file]", str(bundle))
        page.click(".identify-form button[type=submit]")
        page.wait_for_selector("ol.layers")
        page.locator("ol.layers details").first.evaluate("element => element.open = true")


def curate(page: Page, url: str) -> None:
    """The curation form with a product described and checked: what the graph would say."""
    page.goto(f"{url}/curate")
    page.fill("input[name=iri]", "https://example.org/products/acme-vmm")
    page.fill("input[name=graph]", "https://example.org/graphs/acme")
    page.fill("input[name=label_en]", "Acme VMM")
    page.fill("input[name=label_zh]", "Acme 虚拟机监控器")
    page.fill("textarea[name=definition_en]", "A virtual machine monitor built on KVM.")
    page.fill("textarea[name=definition_zh]", "基于 KVM 的虚拟机监控器。")
    for field, iri in (
        ("developer", "resource/amazon-web-services"),
        ("license", "http://spdx.org/licenses/Apache-2.0"),
        ("virtualizedObject", "ontology/ServerVirtualization"),
        ("implementationTechnique", "ontology/HardwareAssistedVirtualization"),
        ("usesHypervisor", "resource/kvm"),
        ("source", "resource/source-s14"),
    ):
        value = iri if iri.startswith("http") else f"{url}/{iri}"
        page.select_option(f"select[name={field}]", value=value)
    page.click("#curate-check")
    page.wait_for_selector("#curate-report .status.ok")


SHOTS: dict[str, Callable[[Page, str], None]] = {
    "editor": editor,
    "entity-kvm": entity,
    "graph": graph,
    "taxonomy": taxonomy,
    "compare-kvm-xen-esxi": comparison,
    "identify-aws-kvm": identify,
    "curate": curate,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--only", nargs="*", choices=sorted(SHOTS), help="some pages only")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with live_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(args.chromium), args=CHROMIUM_FLAGS, headless=True
        )

        for language in ("en", "zh"):
            context = browser.new_context(viewport=VIEWPORT, locale="en-US")
            context.route("**/*", held_to(url, outside))
            page = context.new_page()
            page.set_default_timeout(60_000)
            # The language is chosen once and remembered (cookie), as a visitor would.
            page.goto(f"{url}/?lang={language}")
            for name, shoot in SHOTS.items():
                if args.only and name not in args.only:
                    continue
                shoot(page, url)
                page.wait_for_timeout(300)
                path = args.out / f"{name}-{language}.png"
                page.screenshot(path=str(path))
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            context.close()
        browser.close()
    if outside:
        print(f"the pages requested outside the server: {outside}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
