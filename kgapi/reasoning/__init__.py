"""OWL 2 RL reasoning.

- `rule_language`: variables, patterns, guards and rules; `rules` (what follows),
  `inconsistency_rules` (what concludes false) and `list_rules` (rules over rdf:Lists, written
  per axiom): the W3C rule tables as data.
- `inference`: the semi-naive, incremental forward chaining that records how each triple
  follows, over `triple_index`, one rule at a time by `rule_matching`; `retraction` updates a
  closure in place — insertions semi-naively, retractions by delete-and-rederive (DRed).
- `closure`: the served closure (trivia dropped), and owlrl's as the reference.
- `consistency`, `explanation`, `classification`: inconsistencies with proofs, the proof of one
  triple, and what follows about a described product.
"""
