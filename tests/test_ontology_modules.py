"""Every module of the ontology can be opened alone: an owl:Ontology header with its imports,
each resolvable through the XML catalog Protégé and ROBOT read (ontology/catalog-v001.xml)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from rdflib import OWL, RDF, Graph

from kgapi.settings import PROJECT_ROOT

ONTOLOGY = PROJECT_ROOT / "ontology"
CATALOG = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"


def catalog() -> dict[str, str]:
    root = ElementTree.parse(ONTOLOGY / "catalog-v001.xml").getroot()
    return {entry.attrib["name"]: entry.attrib["uri"] for entry in root.iter(f"{CATALOG}uri")}


def test_every_module_has_one_header_and_is_in_the_catalog() -> None:
    entries = catalog()
    files = sorted(ONTOLOGY.glob("*.ttl"))
    assert sorted(entries.values()) == sorted(path.name for path in files)
    for path in files:
        graph = Graph().parse(path, format="turtle")
        headers = list(graph.subjects(RDF.type, OWL.Ontology))
        assert len(headers) == 1, path.name
        assert entries[str(headers[0])] == path.name


def test_every_import_resolves_through_the_catalog_without_a_circle() -> None:
    entries = catalog()
    imports: dict[str, list[str]] = {}
    for path in ONTOLOGY.glob("*.ttl"):
        graph = Graph().parse(path, format="turtle")
        header = next(graph.subjects(RDF.type, OWL.Ontology))
        imports[str(header)] = [str(target) for target in graph.objects(header, OWL.imports)]
    for module, targets in imports.items():
        assert all(target in entries for target in targets), module
    # Every module but the core imports something, and following imports never comes back.
    assert sum(1 for targets in imports.values() if not targets) == 1

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            target == goal or (target not in seen and reaches(target, goal, seen | {target}))
            for target in imports[start]
        )

    assert not any(reaches(module, module) for module in imports)
