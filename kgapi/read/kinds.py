"""What a term is, in one word: one table for the entity API, search, comparison and exports.

The first kind whose classes the term is a member of wins, in the order of `kind_table`
(a claim before a source, a product before a concept, a concept before a class).
"""

from __future__ import annotations

from collections.abc import Collection

from rdflib import OWL, RDF, RDFS, Namespace
from rdflib.namespace import SKOS

# A term of none of the kinds' classes: a typed individual, or (for graph nodes) an untyped
# resource, a blank node, or a literal.
INDIVIDUAL = "individual"
NODE_FALLBACKS = ("resource", "blank", "literal")


def kind_table(virt: Namespace) -> tuple[tuple[str, frozenset[str]], ...]:
    """The kinds, in order, with the class IRIs (as text) that make a term one."""
    table = (
        ("claim", (virt.ContestedClaim,)),
        ("claim-position", (virt.ClaimPosition,)),
        ("source", (virt.Source,)),
        ("scheme", (SKOS.ConceptScheme,)),
        ("product", (virt.SoftwareProduct,)),
        ("component", (virt.SoftwareComponent,)),
        ("concept", (SKOS.Concept,)),
        ("person", (virt.Person,)),
        ("organisation", (virt.Organisation, virt.Agent)),
        ("acquisition", (virt.Acquisition,)),
        ("licence", (virt.Licence,)),
        ("class", (OWL.Class, RDFS.Class, RDFS.Datatype)),
        ("restriction", (OWL.Restriction,)),
        (
            "property",
            (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty),
        ),
        ("ontology", (OWL.Ontology,)),
    )
    return tuple((name, frozenset(str(c) for c in classes)) for name, classes in table)


KINDS: tuple[str, ...] = (
    *(name for name, _ in kind_table(Namespace("urn:x:"))),
    INDIVIDUAL,
)
NODE_KINDS: tuple[str, ...] = (*KINDS, *NODE_FALLBACKS)


def kind_by_types(
    table: tuple[tuple[str, frozenset[str]], ...], types: Collection[str]
) -> str | None:
    """The first kind of `table` one of `types` (class IRIs as text) makes, or None."""
    for name, classes in table:
        if not classes.isdisjoint(types):
            return name
    return None
