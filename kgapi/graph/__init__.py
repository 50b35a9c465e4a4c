"""Loading and building the graph: the Turtle files loaded (`loading`), the knowledge graph
built from them with its cached closure (`knowledge`), the namespaces, the one RDF writer
(`documents`), and the quality gates (`validation`)."""
