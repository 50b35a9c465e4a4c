"""Import Wikipedia's virtualization comparison tables into `ontology/wikipedia.ttl`.

The command is `tools/import_wikipedia_tables.py`; this package holds its parts: `tables`
(snapshots and what each column means), `reading` (curation files and cells into statements) and
`writing` (what is asserted, and the Turtle).

Tables in, Turtle out, deterministic: the same tables and curated files give the same bytes.
Every cell becomes a sourced statement (who says what, in which snapshot, in its own words):
feature cells are `virt:CapabilityStatement`s (value yes/no/partial/unknown/not applicable plus
the cell's qualifier); the other cells are `virt:SourcedStatement`s (RDF reification). A statement
is also asserted as a plain triple where that is safe — where the curated modules have no value
for that product and property (curated files win), and, for capabilities, where the newest
snapshot says yes.

Reconciliation is explicit: `ontology/import/wikipedia-names.csv` maps every row name to one
product IRI (and the edition the row is about), `wikipedia-terms.csv` maps cell tokens (creators,
licences, CPUs, operating systems) to IRIs, `wikipedia-cells.csv` decides the feature cells whose
words are not a plain yes/no. A row or cell nobody decided stops the import with its file and row.
"""
