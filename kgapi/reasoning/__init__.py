"""OWL 2 RL reasoning: the rules as data (`rules`), the semi-naive, incremental engine that
records how each triple follows (`inference`), the served closure and owlrl as its reference
(`closure`), inconsistencies with proofs (`consistency`), proofs of single triples
(`explanation`) and the classification of a described product (`classification`)."""
