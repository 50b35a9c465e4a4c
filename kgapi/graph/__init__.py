"""The graph: the Turtle files loaded (`loading`), the knowledge graph built from them with its
cached closure (`knowledge`), the namespaces, and the quality gates (`validation`)."""
