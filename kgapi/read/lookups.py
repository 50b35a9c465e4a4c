"""The read-only lookups a served graph answers from, built once per process and shared.

The fact reader (in English; `reader_for` gives other languages), the name index people's names
resolve through, the search index, and the prepared stored queries and the namespaces they use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.read.facts import FactReader
from kgapi.read.names import NameIndex
from kgapi.read.search import SearchIndex
from kgapi.read.stored_queries import StoredQuery, load_stored_queries


@dataclass(frozen=True)
class Lookups:
    """The app's read-only lookup objects (built once; safe to share between requests)."""

    reader: FactReader
    names: NameIndex
    search: SearchIndex
    queries: dict[str, StoredQuery]
    namespaces: dict[str, str]

    def reader_for(self, lang: str) -> FactReader:
        return self.reader if lang == self.reader.lang else self.reader.with_language(lang)


def build_lookups(knowledge: KnowledgeGraph, *, queries_dir: Path) -> Lookups:
    """Build the lookups of a knowledge graph, with the stored queries of `queries_dir`."""
    base = knowledge.ontology.base_iri
    reader = FactReader(knowledge)
    namespaces = {prefix: str(namespace) for prefix, namespace in knowledge.asserted.namespaces()}
    return Lookups(
        reader=reader,
        names=NameIndex.build(
            knowledge.asserted, local_namespaces=(f"{base}ontology/", f"{base}resource/")
        ),
        search=SearchIndex.build(reader),
        queries=load_stored_queries(queries_dir, namespaces=namespaces, base_iri=base),
        namespaces=namespaces,
    )
