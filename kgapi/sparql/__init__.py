"""SPARQL on pyoxigraph, the one engine: the store (`store`), evaluation with its limits and
result writers (`evaluation`), the killable child process that runs it (`executor`), what the
query text itself says (`text`) and the service description."""
