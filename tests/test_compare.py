"""Comparison tables (kgapi.read.comparison), `GET /api/compare` and `kgapi compare`."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kgapi import cli
from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.comparison import Comparison, ComparisonError, compare
from kgapi.read.comparison_formats import (
    display_width,
    markdown_table,
    to_csv,
    to_html,
    to_markdown,
    to_text,
)
from kgapi.read.facts import FactReader
from kgapi.settings import Settings

PRODUCTS = [VR.kvm, VR.xen, VR["vmware-esxi"]]
TECHNIQUES = [VIRT.FullVirtualization, VIRT.Paravirtualization, VIRT.HardwareAssistedVirtualization]


@pytest.fixture(scope="module")
def reader(knowledge: KnowledgeGraph) -> FactReader:
    return FactReader(knowledge)


@pytest.fixture(scope="module")
def products(reader: FactReader) -> Comparison:
    return compare(reader, PRODUCTS)


def row(comparison: Comparison, name: str) -> dict:
    data = comparison.to_dict()
    return next(attribute for attribute in data["attributes"] if attribute["name"] == name)


def labels(cell: dict) -> list[str]:
    return [value["label"] for value in cell["values"]]


def test_products_are_compared_on_product_attributes(products: Comparison) -> None:
    names = [attribute["name"] for attribute in products.to_dict()["attributes"]]
    for expected in (
        "hypervisor_type",
        "vmm_structure",
        "software_architecture",
        "implementation_technique",
        "requires_hardware_support",
        "cpu_extensions",
        "developer",
        "license",
        "open_source",
        "first_release",
        "host_platforms",
        "guest_support",
        "cpu_architectures",
        "builds_on",
        "built_upon_by",
        "uses_hypervisor",
        "components",
        "device_model",
        "used_by",
    ):
        assert expected in names
    assert products.kind == "products"


def test_cells_say_asserted_or_inferred_and_carry_sources(products: Comparison) -> None:
    architecture = row(products, "software_architecture")["cells"][str(VR.xen)]
    assert architecture["status"] == "inferred"
    assert architecture["values"][0]["triple"][0] == f"<{VR.xen}>"
    technique = row(products, "implementation_technique")["cells"][str(VR.xen)]
    assert technique["status"] == "asserted"
    assert {source["id"] for source in technique["sources"]} >= {"seed"}


def test_open_source_is_inferred_from_the_licence(products: Comparison) -> None:
    cells = row(products, "open_source")["cells"]
    assert cells[str(VR.kvm)]["values"][0]["value"] is True
    assert cells[str(VR.kvm)]["status"] == "inferred"
    esxi = cells[str(VR["vmware-esxi"])]
    assert esxi["values"][0]["value"] is False  # and says why: not "not derived"
    assert esxi["status"] == "all licences proprietary"


def test_open_source_is_unknown_where_nothing_is_known(reader: FactReader) -> None:
    """The open world: no licence known is "unknown", never "false"."""
    cells = row(compare(reader, [VR.chroot, VR.docker]), "open_source")["cells"]
    chroot = cells[str(VR.chroot)]
    assert chroot["status"] == "unknown" and chroot["values"][0]["value"] is None


def test_a_conclusion_under_every_position_of_a_contested_licence_is_drawn(
    reader: FactReader,
) -> None:
    """LXC's licence is contested (LGPL-2.1-or-later or GPL-2.0-only): open source either way."""
    comparison = compare(reader, [VR.docker, VR.podman, VR.lxc])
    lxc = row(comparison, "open_source")["cells"][str(VR.lxc)]
    assert lxc["values"][0]["value"] is True
    assert lxc["status"] == "under every position"
    assert "under every position" in to_text(comparison)


def test_products_are_compared_cell_by_cell_on_capabilities(reader: FactReader) -> None:
    comparison = compare(reader, [VR.docker, VR.podman])
    data = comparison.to_dict()
    names = [attribute["name"] for attribute in data["attributes"]]
    assert "capability-checkpointing-and-live-migration" in names
    checkpoint = row(comparison, "capability-checkpointing-and-live-migration")
    docker = checkpoint["cells"][str(VR.docker)]
    assert docker["values"][0]["label"] == "partial"
    assert docker["values"][0]["qualifier"] == "only in experimental mode with CRIU"
    assert [source["id"] for source in docker["sources"]] == ["S1 2026-07-02"]
    assert checkpoint["agreement"] == "differs"
    assert "capability-file-system-isolation" in data["shared"]
    chinese = compare(reader.with_language("zh"), [VR.docker, VR.podman])
    assert "检查点与热迁移" in to_text(chinese)


def test_structural_rows_show_what_a_product_builds_on(reader: FactReader) -> None:
    comparison = compare(reader, [VR["kata-containers"], VR["proxmox-ve"]])
    builds_on = row(comparison, "builds_on")["cells"]
    kata = {value["iri"] for value in builds_on[str(VR["kata-containers"])]["values"]}
    assert str(VR.kvm) in kata  # through Firecracker or Cloud Hypervisor
    assert row(comparison, "uses_hypervisor")["cells"][str(VR["proxmox-ve"])]["values"]


def test_contested_cells_show_every_position_with_sources(products: Comparison) -> None:
    hypervisor_type = row(products, "hypervisor_type")
    assert hypervisor_type["contested"] is True
    kvm = hypervisor_type["cells"][str(VR.kvm)]
    assert kvm["values"] == []  # the disputed value is not a fact of the graph
    positions = kvm["contested"][0]["positions"]
    assert len(positions) >= 2
    assert {p["value"].get("curie") for p in positions} >= {
        "virt:Type1Hypervisor",
        "virt:Type2Hypervisor",
    }
    assert all(position["sources"] for position in positions)
    assert labels(hypervisor_type["cells"][str(VR.xen)]) == ["Type-1 hypervisor"]


def test_inherited_dispute_is_marked_via_the_base(reader: FactReader) -> None:
    comparison = compare(reader, [VR["red-hat-virtualization"], VR.xen])
    cell = row(comparison, "hypervisor_type")["cells"][str(VR["red-hat-virtualization"])]
    assert cell["contested"][0]["via"]["iri"] == str(VR.kvm)


def test_shared_and_differing_attributes_are_marked(
    products: Comparison, reader: FactReader
) -> None:
    data = products.to_dict()
    assert "license" in data["differing"]
    assert "requires_hardware_support" in data["differing"]
    kvm_and_esxi = compare(reader, [VR.kvm, VR["vmware-esxi"]]).to_dict()
    assert "implementation_technique" in kvm_and_esxi["shared"]
    assert "cpu_extensions" in kvm_and_esxi["shared"]


def test_concepts_are_compared_on_rings_and_trade_offs(reader: FactReader) -> None:
    comparison = compare(reader, TECHNIQUES)
    assert comparison.kind == "concepts"
    para = str(VIRT.Paravirtualization)
    hardware = str(VIRT.HardwareAssistedVirtualization)
    assert [x.lower() for x in labels(row(comparison, "guest_kernel_ring")["cells"][para])] == [
        "ring 0"
    ]
    assert [x.lower() for x in labels(row(comparison, "hypervisor_ring")["cells"][hardware])] == [
        "ring -1"
    ]
    modified = row(comparison, "guest_os_modified")["cells"]
    assert modified[para]["values"][0]["value"] is True
    assert modified[str(VIRT.FullVirtualization)]["values"][0]["value"] is False
    assert labels(row(comparison, "mechanisms")["cells"][para]) == ["hypercall"]
    examples = labels(row(comparison, "examples")["cells"][para])
    assert "Xen" in examples
    assert row(comparison, "disadvantages")["cells"][hardware]["values"]


@pytest.mark.parametrize(
    "terms", [[VR.kvm], [VR.kvm, VR.kvm], [VR.kvm] + [VR[f"x{i}"] for i in range(10)]]
)
def test_two_to_ten_distinct_entities(reader: FactReader, terms: list) -> None:
    with pytest.raises(ComparisonError):
        compare(reader, terms)


def test_csv_has_one_line_per_attribute(products: Comparison) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(products))))
    assert rows[0] == ["attribute", "KVM", "Xen", "VMware ESXi", "agreement"]
    assert len(rows) == 1 + len(products.rows)
    hypervisor_type = next(r for r in rows if r[0] == "hypervisor type")
    assert "contested" in hypervisor_type[1]


def test_markdown_escapes_pipes(products: Comparison) -> None:
    text = to_markdown(products)
    lines = text.splitlines()
    assert lines[0] == "| attribute | KVM | Xen | VMware ESXi | agreement |"
    columns = {line.replace("\\|", "").count("|") for line in lines[2:]}
    assert columns == {6}


def markdown_cells(text: str) -> list[list[str]]:
    """The table's cells as a GitHub-flavoured Markdown renderer reads them: their text."""
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(
                "".join(
                    child.content
                    for child in token.children or ()
                    if child.type in ("text", "code_inline")
                )
                if token.children
                else token.content
            )
    return rows


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(
                alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
                max_size=12,
            ),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_markdown_cells_read_back_as_their_text(rows: list[list[str]]) -> None:
    # Labels come from curated writes: `*`, `_`, `<b>`, `[x](y)`, `&amp;` or a backslash in one
    # is text, not formatting, HTML, a link or an escape.
    header = ["attribute", "a", "b"]
    read = markdown_cells(markdown_table([header, *rows]))
    assert read == [header, *[[" ".join(cell.split()) for cell in row] for row in rows]]


def test_html_escapes_and_marks_rows(products: Comparison) -> None:
    page = to_html(products)
    assert page.startswith("<!DOCTYPE html>")
    assert 'class="differs contested"' in page
    assert "<script" not in page


def test_text_table_aligns_chinese(reader: FactReader) -> None:
    table = to_text(compare(reader.with_language("zh"), TECHNIQUES[:2]), width=20)
    assert "泛虚拟化" in table
    widths = {display_width(line) for line in table.splitlines()}
    assert len(widths) == 1  # every line as wide on a terminal (two columns per Han character)


# --- HTTP and CLI ----------------------------------------------------------------------------


def test_how_do_kvm_xen_and_esxi_differ_in_one_request(client: FlaskClient) -> None:
    response = client.get("/api/compare", query_string={"ids": "KVM,Xen,VMware ESXi"})
    assert response.status_code == 200
    data = response.get_json()
    assert [entity["iri"] for entity in data["entities"]] == [str(term) for term in PRODUCTS]
    assert "hypervisor_type" in data["differing"]


@pytest.mark.parametrize(
    ("headers", "query", "media_type"),
    [
        ({"Accept": "text/csv"}, {}, "text/csv"),
        ({"Accept": "text/markdown"}, {}, "text/markdown"),
        ({"Accept": "text/html"}, {}, "text/html"),
        ({"Accept": "text/html"}, {"format": "csv"}, "text/csv"),
        ({}, {"format": "markdown"}, "text/markdown"),
    ],
)
def test_compare_formats_by_negotiation_or_parameter(
    client: FlaskClient, headers: dict, query: dict, media_type: str
) -> None:
    response = client.get("/api/compare", query_string={"ids": "kvm,xen", **query}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_repeated_ids_parameters_work_too(client: FlaskClient) -> None:
    response = client.get("/api/compare?ids=全虚拟化&ids=泛虚拟化&lang=zh")
    assert response.get_json()["kind"] == "concepts"


@pytest.mark.parametrize(
    ("ids", "status"),
    [
        ("kvm", 400),
        ("kvm,kvm", 400),
        ("kvm,nosuchthing", 404),
        ("", 400),
        (",".join(["kvm"] * 11), 400),
    ],
)
def test_compare_errors(client: FlaskClient, ids: str, status: int) -> None:
    response = client.get("/api/compare", query_string={"ids": ids})
    assert response.status_code == status
    assert response.get_json()["parameter"] == "ids"


def test_cli_compare_prints_a_table(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--cache-dir", str(settings.cache_dir), "compare", "kvm", "Xen", "ESXi"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("+-") and lines[2].startswith("+=")
    header = [cell.strip() for cell in lines[1].strip("|").split("|")]
    assert header == ["attribute", "KVM", "Xen", "VMware ESXi", "agreement"]
    assert "contested" in out


def test_cli_compare_unknown_name_exits_2(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["--cache-dir", str(settings.cache_dir), "compare", "kvm", "nosuchthing"])
    assert code == 2
    assert "nosuchthing" in capsys.readouterr().err
