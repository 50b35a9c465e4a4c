"""Curated updates: changes to the graph from people and tools the operator trusts.

A change is a set of quads added to and removed from the user graphs (`patch`); it is accepted
only if the graph after it still satisfies the shapes, the quality queries and OWL 2 RL
consistency (`transaction`), appended durably to the change log (`changelog`), and applied with
its reasoning delta to the live graph of every process (`live`). Who may write is the token
store's (`tokens`). Nothing here knows HTTP.
"""
