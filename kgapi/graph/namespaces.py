"""The graph's own namespaces under the canonical base (the loader rebases them if configured)."""

from __future__ import annotations

from rdflib import Namespace

from kgapi.settings import CANONICAL_BASE_IRI


def ontology_namespace(base_iri: str = CANONICAL_BASE_IRI) -> Namespace:
    """Classes and properties: `{base}ontology/`."""
    return Namespace(f"{base_iri}ontology/")


def resource_namespace(base_iri: str = CANONICAL_BASE_IRI) -> Namespace:
    """Individuals (products, organisations, concepts, claims): `{base}resource/`."""
    return Namespace(f"{base_iri}resource/")


VIRT = ontology_namespace()
VR = resource_namespace()
