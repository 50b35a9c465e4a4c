"""Reading the graph for people and programs: facts marked asserted or inferred (`facts`), the
one label policy (`labels`) and kinds table (`kinds`), names people type (`names`), search, the
one description of an entity (`entities`), comparison, the stored queries (`stored_queries`),
and the per-process lookups built from them (`lookups`)."""
