"""Issue 14, done when: each question is one request over HTTP — and the same questions asked
with Chinese names give the same answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from kgapi.graph.namespaces import VIRT, VR


def bindings(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    data = json.loads(response.get_data(as_text=True))
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def products(response: Any, var: str = "product") -> set[str]:
    return {row[var].rsplit("/", 1)[-1] for row in bindings(response)}


@pytest.mark.parametrize("name", ["checkpointing and live migration", "检查点与热迁移"])
def test_which_os_level_implementations_checkpoint_or_live_migrate(
    client: FlaskClient, name: str
) -> None:
    response = client.get(
        "/api/queries/products-with-capability", query_string={"capability": name}
    )
    rows = bindings(response)
    by_product = {row["product"].rsplit("/", 1)[-1]: row for row in rows}
    assert by_product["openvz"]["value"].endswith("capability-yes")
    assert by_product["docker"]["value"].endswith("capability-partial")
    assert by_product["docker"]["qualifier"] == "only in experimental mode with CRIU"


@pytest.mark.parametrize("name", ["AArch64", "arm64"])
def test_which_products_run_on_an_aarch64_host(client: FlaskClient, name: str) -> None:
    response = client.get(
        "/api/queries/products-by-cpu-architecture", query_string={"architecture": name}
    )
    hosts = {
        row["product"].rsplit("/", 1)[-1] for row in bindings(response) if row["role"] == "host"
    }
    assert {"86box", "kvm", "vmware-esxi"} <= hosts


@pytest.mark.parametrize("name", ["VMDK", "QCOW2"])
def test_which_products_read_an_image_format(client: FlaskClient, name: str) -> None:
    response = client.get(
        "/api/queries/products-reading-image-format", query_string={"imageFormat": name}
    )
    assert {"qemu", "virtualbox"} <= products(response)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "KVM",
            {"proxmox-ve", "firecracker", "cloud-hypervisor", "kata-containers", "nutanix-ahv"},
        ),
        ("基于内核的虚拟机", {"proxmox-ve", "kata-containers", "red-hat-virtualization"}),
        ("Xen", {"xenserver", "oracle-vm-server-x86", "sun-xvm-server", "virtual-iron"}),
    ],
)
def test_what_is_built_on_a_hypervisor(client: FlaskClient, name: str, expected: set[str]) -> None:
    response = client.get("/api/queries/products-based-on", query_string={"product": name})
    assert expected <= products(response, "derived")


def test_which_source_says_a_fact(client: FlaskClient) -> None:
    response = client.get("/api/queries/statement-sources", query_string={"product": "KVM"})
    licence = {
        row["value"]: row for row in bindings(response) if row["property"] == str(VIRT.license)
    }
    # The comparison table's cell, read from a dated copy of Wikipedia's article (S2) …
    table = licence["http://spdx.org/licenses/GPL-2.0"]
    assert table["sourceText"] == "GPL version 2" and table["article"] == str(VR["source-s2"])
    # … and the curated value, with the research brief's row and the source behind it (S4).
    curated = licence["http://spdx.org/licenses/GPL-2.0-only"]
    assert curated["article"] == str(VR["source-s4"]) and curated["factSheetRow"] == "A P11"
    assert "GPL-2.0-only" in curated["sourceText"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_how_docker_and_podman_differ_cell_by_cell(client: FlaskClient, lang: str) -> None:
    data = client.get(
        "/api/compare", query_string={"ids": "Docker,Podman", "lang": lang}
    ).get_json()
    rows = {row["name"]: row for row in data["attributes"]}
    checkpoint = rows["capability-checkpointing-and-live-migration"]
    assert checkpoint["agreement"] == "differs"
    assert checkpoint["label"] == (
        "checkpointing and live migration" if lang == "en" else "检查点与热迁移"
    )
    docker = checkpoint["cells"][str(VR.docker)]
    assert docker["values"][0]["qualifier"] == "only in experimental mode with CRIU"
    assert docker["sources"][0]["id"] == "S1 2026-07-02"


@pytest.mark.parametrize(
    "name", ["一型", "1型 Hypervisor", "第一类 Hypervisor", "类型一 Hypervisor"]
)
def test_chinese_names_of_type_1_find_it(client: FlaskClient, name: str) -> None:
    data = client.get("/api/search", query_string={"q": name}).get_json()
    assert data["results"][0]["iri"] == str(VIRT.Type1Hypervisor)


@pytest.mark.parametrize("name", ["二型", "托管型"])
def test_chinese_names_of_type_2_find_it(client: FlaskClient, name: str) -> None:
    data = client.get("/api/search", query_string={"q": name}).get_json()
    assert data["results"][0]["iri"] == str(VIRT.Type2Hypervisor)


def test_裸机虚拟化_finds_the_bare_metal_architecture(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "裸机虚拟化"}).get_json()
    assert data["results"][0]["iri"] == str(VIRT.BareMetalArchitecture)
