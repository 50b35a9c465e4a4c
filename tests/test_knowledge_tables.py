"""Issue 14: Wikipedia's comparison tables as knowledge — every product, capabilities as data, a
source on every imported statement — and the errors the first version had, fixed.

Questions are asked of the served graph (asserted plus inferred) in SPARQL, as a client would.
"""

from __future__ import annotations

import csv

import pytest
from rdflib import RDF, RDFS, Literal, URIRef

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.settings import PROJECT_ROOT

PREFIXES = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX virt: <https://w3id.org/kgapi/ontology/>
PREFIX vr:   <https://w3id.org/kgapi/resource/>
PREFIX spdx: <http://spdx.org/licenses/>
"""


def select(kg: KnowledgeGraph, query: str) -> list[dict[str, str]]:
    result = kg.dataset.query(PREFIXES + query)
    return [
        {str(var): str(row[var]) for var in result.vars if row[var] is not None} for row in result
    ]


def slugs(rows: list[dict[str, str]], var: str) -> set[str]:
    return {row[var].rsplit("/", 1)[-1] for row in rows}


def test_every_row_of_every_table_is_a_product_of_the_graph(knowledge: KnowledgeGraph) -> None:
    listed = select(
        knowledge,
        "SELECT DISTINCT ?product WHERE { ?product virt:listedIn ?snapshot . "
        "FILTER NOT EXISTS { ?product a virt:SoftwareProduct } "
        "FILTER NOT EXISTS { ?product a virt:SoftwareComponent } }",
    )
    assert listed == []
    products = slugs(select(knowledge, "SELECT DISTINCT ?p WHERE { ?p virt:listedIn ?s }"), "p")
    with (PROJECT_ROOT / "ontology" / "import" / "wikipedia-names.csv").open(encoding="utf-8") as f:
        reconciled = {row["resource"] for row in csv.DictReader(f)}
    assert products == reconciled
    assert len(products) == 125


def test_os_level_implementations_that_checkpoint_or_live_migrate(
    knowledge: KnowledgeGraph,
) -> None:
    rows = select(
        knowledge,
        """SELECT ?product ?value ?qualifier WHERE {
             ?statement virt:capabilityOf ?product ;
                 virt:capability vr:capability-checkpointing-and-live-migration ;
                 virt:capabilityValue ?value ; virt:isCurrent true .
             OPTIONAL { ?statement virt:qualifier ?qualifier }
             FILTER (?value IN (vr:capability-yes, vr:capability-partial)) }""",
    )
    fully = {r["product"].rsplit("/", 1)[-1] for r in rows if r["value"].endswith("-yes")}
    partly = {r["product"].rsplit("/", 1)[-1]: r.get("qualifier") for r in rows}
    assert {"openvz", "virtuozzo-product"} <= fully
    assert partly["docker"] == "only in experimental mode with CRIU"
    assert "docker" not in fully


def test_snapshots_that_disagree_are_both_kept_with_the_newest_current(
    knowledge: KnowledgeGraph,
) -> None:
    rows = select(
        knowledge,
        """SELECT ?value ?current ?date ?text WHERE {
             ?statement virt:capabilityOf vr:docker ; virt:capability vr:capability-disk-quotas ;
                 virt:capabilityValue ?value ; virt:isCurrent ?current ;
                 virt:snapshotDate ?date ; virt:sourceText ?text }""",
    )
    by_date = {row["date"]: row for row in rows}
    assert by_date["2015"]["text"] == "Not directly" and by_date["2015"]["current"] == "false"
    assert by_date["2026-07-02"]["value"].endswith("capability-partial")
    assert by_date["2026-07-02"]["current"] == "true"


def test_products_running_on_an_aarch64_host(knowledge: KnowledgeGraph) -> None:
    rows = select(knowledge, "SELECT ?p WHERE { ?p virt:cpuArchitecture vr:aarch64 }")
    assert {"86box", "kvm", "vmware-esxi", "qemu"} <= slugs(rows, "p")


def test_products_reading_vmdk_or_qcow2(knowledge: KnowledgeGraph) -> None:
    rows = select(
        knowledge,
        "SELECT DISTINCT ?p WHERE { ?p virt:hasCapability ?c . "
        "?c virt:imageFormat ?f . FILTER (?f IN (vr:image-format-vmdk, vr:image-format-qcow2)) }",
    )
    assert {"qemu", "virtualbox", "vmware-workstation"} <= slugs(rows, "p")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (
            "kvm",
            {
                "proxmox-ve",
                "firecracker",
                "cloud-hypervisor",
                "kata-containers",
                "red-hat-virtualization",
                "nutanix-ahv",
            },
        ),
        ("xen", {"xenserver", "oracle-vm-server-x86", "sun-xvm-server", "virtual-iron"}),
    ],
)
def test_what_is_built_on_a_hypervisor_is_one_relation(
    knowledge: KnowledgeGraph, base: str, expected: set[str]
) -> None:
    rows = select(knowledge, f"SELECT ?p WHERE {{ ?p virt:buildsOn vr:{base} }}")
    assert expected <= slugs(rows, "p")


def test_which_source_says_a_fact_is_one_query(knowledge: KnowledgeGraph) -> None:
    rows = select(
        knowledge,
        """SELECT ?source ?article ?text WHERE {
             ?said rdf:subject vr:kvm ; rdf:predicate virt:license ; rdf:object spdx:GPL-2.0 ;
                 dcterms:source ?source ; virt:sourceText ?text .
             ?source virt:snapshotOf ?article }""",
    )
    assert rows and {row["article"].rsplit("/", 1)[-1] for row in rows} == {"source-s2"}
    assert {row["text"] for row in rows} == {"GPL version 2"}


def test_what_a_source_says_about_a_product_is_one_query(knowledge: KnowledgeGraph) -> None:
    rows = select(
        knowledge,
        """SELECT ?statement WHERE {
             { ?statement rdf:subject vr:docker } UNION { ?statement virt:capabilityOf vr:docker }
             ?statement dcterms:source/virt:snapshotOf vr:source-s1 }""",
    )
    assert len(rows) >= 20


def test_curated_values_win_over_imported_ones(knowledge: KnowledgeGraph) -> None:
    # The table says "GPL version 2" (spdx:GPL-2.0); the curated file says GPL-2.0-only.
    gpl2 = URIRef("http://spdx.org/licenses/GPL-2.0")
    gpl2_only = URIRef("http://spdx.org/licenses/GPL-2.0-only")
    assert (VR.kvm, VIRT.license, gpl2_only) in knowledge.asserted
    assert (VR.kvm, VIRT.license, gpl2) not in knowledge.asserted


def test_no_product_inherits_a_requirement_from_one_technique_among_several(
    knowledge: KnowledgeGraph,
) -> None:
    """Xen's own notes say it runs unmodified Windows guests under HVM."""
    for product in ("xen", "xenserver", "oracle-vm-server-x86", "virtual-iron"):
        triple = (VR[product], VIRT.requiresModifiedGuestKernel, Literal(True))
        assert triple not in knowledge.asserted and triple not in knowledge.inferred, product
    rows = select(
        knowledge,
        "SELECT ?p WHERE { ?p a virt:SoftwareProduct ; virt:requiresModifiedGuestKernel true }",
    )
    modified = (None, VIRT.requiresModifiedGuestKernel, Literal(True))
    asserted = {s for s, _, _ in knowledge.asserted.triples(modified)}
    assert {URIRef(row["p"]) for row in rows} <= asserted


def test_a_disputed_value_is_never_asserted(knowledge: KnowledgeGraph) -> None:
    """The contested rule: where two positions of standing disagree, neither value is a fact.

    Positions marked misconception do not make a dispute (they record what people wrongly
    believe); a claim with two or more other positions does, and then no position's value may
    be asserted for the subject — nor, for a class, as a superclass.
    """
    rows = select(
        knowledge,
        """SELECT ?claim ?subject ?property ?value WHERE {
             ?claim a virt:ContestedClaim ; virt:claimSubject ?subject ;
                 virt:claimProperty ?property ; virt:hasPosition ?position .
             ?position virt:claimedValue|virt:claimedDataValue ?value .
             FILTER NOT EXISTS { ?position virt:positionStatus vr:position-misconception }
             { SELECT ?claim (COUNT(?other) AS ?standing) WHERE {
                 ?claim virt:hasPosition ?other .
                 FILTER NOT EXISTS { ?other virt:positionStatus vr:position-misconception } }
               GROUP BY ?claim }
             FILTER (?standing >= 2) }""",
    )
    assert rows
    for row in rows:
        subject, prop = URIRef(row["subject"]), URIRef(row["property"])
        values = set(knowledge.asserted.objects(subject, prop))
        values |= set(knowledge.asserted.objects(subject, RDF.type))
        values |= set(knowledge.asserted.objects(subject, RDFS.subClassOf))
        claimed = {str(v) for v in values}
        assert row["value"] not in claimed, row


def test_the_readme_gives_the_counts_of_the_graph(knowledge: KnowledgeGraph) -> None:
    def count(pattern: str) -> int:
        rows = select(knowledge, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
        return int(rows[0]["n"])

    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    products = count("?x a virt:SoftwareProduct")
    components = count("?x a virt:SoftwareComponent")
    assert f"**{products} products and {components} components**" in readme
    listed = count("?x virt:listedIn ?snapshot")
    assert f"{listed} products reconciled" in readme
    assert f"**{count('?x a virt:CapabilityStatement')} capability statements**" in readme
    assert f"over {count('?x a virt:Capability')} capabilities" in readme
    assert f"{count('?x a virt:DiskImageFormat')} disk-image formats" in readme
    assert f"**{count('?x a virt:SourcedStatement')} sourced statements**" in readme
    assert f"{count('?x a virt:Source')} sources in all" in readme
    assert f"**{count('?x a virt:TimelineEntry')} dated events**" in readme
    assert f"graph's {count('?x a virt:DetectionSignature')} detection signatures" in readme


def test_the_timeline_says_what_happened_to_a_product_and_when(knowledge: KnowledgeGraph) -> None:
    rows = select(
        knowledge,
        """SELECT ?date ?words WHERE {
             ?entry a virt:TimelineEntry ; virt:concerns vr:kvm ;
                 virt:eventDate ?date ; virt:sourceText ?words }""",
    )
    # Typed as precisely as the source says: a year, a month, a day (so sorted as text here).
    assert sorted(row["date"] for row in rows) == ["2006", "2006-10", "2007-02-05", "2008"]
    assert any("2.6.20" in row["words"] for row in rows)
    approximate = select(
        knowledge,
        'SELECT ?date WHERE { ?e virt:sourceDate "c. 1970" ; virt:eventDate ?date }',
    )
    assert approximate == [{"date": "1970"}]


def test_products_removed_from_the_2025_article_are_known(knowledge: KnowledgeGraph) -> None:
    rows = select(knowledge, "SELECT ?p WHERE { ?p virt:removedFrom vr:snapshot-platform-2025 }")
    assert slugs(rows, "p") == {"alphavm", "guest-pc", "gnome-boxes"}
