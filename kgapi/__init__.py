"""kgapi: a knowledge graph of virtualization technology."""

__version__ = "0.1.0"
