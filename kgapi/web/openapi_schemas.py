"""The OpenAPI description's component schemas: the shapes of kgapi's JSON documents."""

from __future__ import annotations

from typing import Any

from kgapi.read.kinds import KINDS

PROBLEM = "application/problem+json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_TERM = {
    "type": "object",
    "properties": {
        "iri": {"type": "string"},
        "curie": {"type": "string"},
        "label": {"type": "string"},
        "value": {},
        "lang": {"type": "string"},
        "datatype": {"type": "string"},
        "bnode": {"type": "string"},
    },
}
_SOURCE = {
    "type": "object",
    "required": ["iri"],
    "properties": {
        "iri": {"type": "string"},
        "id": {"type": ["string", "null"]},
        "label": {"type": ["string", "null"]},
        "title": {"type": ["string", "null"]},
        "urls": {"type": "array", "items": {"type": "string"}},
    },
}
_TEXTS_BY_LANGUAGE = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_STATUS = {"type": "string", "enum": ["asserted", "inferred"]}

# Raw text bodies (a SPARQL query, a Turtle document) are accepted but not listed as request
# bodies: OpenAPI client generators type only JSON, form and binary bodies, and skip (with a
# warning) an operation's other types. The description says what else is taken.
RAW_BODY_NOTE = (
    "Besides {typed} described here, the body may be {raw}; it is not listed as a request body "
    "type so that generated clients stay typed."
)

# An absolute path of the machine, without . or .. segments (what the evidence reader accepts).
PATH_SCHEMA = {
    "type": "string",
    "minLength": 2,
    "maxLength": 1024,
    "pattern": "^/(?!(.*/)?[.][.]?(/|$))[^\\u0000]+$",
}

SCHEMAS: dict[str, Any] = {
    "Evidence": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "files": {
                "type": "object",
                "description": "Absolute path -> the file's text, as the machine shows it.",
                "maxProperties": 4096,
                "propertyNames": PATH_SCHEMA,
                "additionalProperties": {"type": "string"},
            },
            "directories": {"type": "array", "maxItems": 4096, "items": PATH_SCHEMA},
            "dmidecode": {"type": ["string", "null"], "description": "null where it failed"},
            "cpuid_vendor": {"type": "string"},
            "machine": {"type": "string", "description": "uname -m"},
        },
    },
    "Identification": {
        "type": "object",
        "required": ["layers", "virt_what", "systemd_detect_virt"],
        "properties": {
            "layers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "iri", "label", "classification", "evidence"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": ["cloud", "hypervisor", "platform", "partition", "container"],
                        },
                        "iri": {"type": "string"},
                        "label": {"type": "string"},
                        "classification": {"type": "object"},
                        "evidence": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
            "virt_what": {"type": "array", "items": {"type": "string"}},
            "systemd_detect_virt": {
                "type": "object",
                "properties": {"vm": {"type": "string"}, "container": {"type": "string"}},
            },
        },
    },
    "Readiness": {
        "type": "object",
        "required": ["ready"],
        "properties": {
            "ready": {"type": "boolean"},
            "log": {
                "type": "object",
                "description": "With writes on: the change log's version served, the versions "
                "not yet applied (null when the log cannot be read), whether it answers, and the "
                "snapshot the instance started from (null: it replayed the whole log).",
                "properties": {
                    "version": {"type": "integer"},
                    "lag": {"type": ["integer", "null"]},
                    "reachable": {"type": "boolean"},
                    "database": {"type": "boolean"},
                    "started_from_snapshot": {"type": ["integer", "null"]},
                },
            },
        },
    },
    "Health": {
        "type": "object",
        "required": [
            "status",
            "version",
            "ontology_version",
            "asserted_triples",
            "inferred_triples",
            "closure_seconds",
            "closure_cached",
            "consistency",
            "named_graphs",
        ],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string", "description": "Version of the served data."},
            "ontology_version": {"type": "string"},
            "asserted_triples": {"type": "integer"},
            "inferred_triples": {"type": "integer"},
            "closure_seconds": {"type": "number"},
            "closure_cached": {"type": "boolean"},
            "consistency": {
                "type": "object",
                "required": ["consistent", "issues"],
                "properties": {
                    "consistent": {"type": "boolean"},
                    "issues": {"type": "integer"},
                },
            },
            "named_graphs": {"type": "integer"},
            "log": {
                "type": "object",
                "description": "With writes on: the change log as this instance sees it (see "
                "/readyz).",
            },
        },
    },
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "parameter": {"type": "string"},
            "name": {"type": "string"},
            "candidates": {"type": "array", "items": {"type": "object"}},
            "offered": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Term": _TERM,
    "Source": _SOURCE,
    "ContestedClaim": {
        "type": "object",
        "required": ["iri", "positions", "sources"],
        "properties": {
            "iri": {"type": "string"},
            "label": {"type": ["string", "null"]},
            "definition": {"type": ["string", "null"]},
            "subject": ref("Term"),
            "property": ref("Term"),
            "via": {"oneOf": [ref("Term"), {"type": "null"}]},
            "positions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["iri", "value", "sources"],
                    "properties": {
                        "iri": {"type": "string"},
                        "label": {"type": ["string", "null"]},
                        "value": ref("Term"),
                        "status": {"type": ["string", "null"]},
                        "asserted_by": {"type": "array", "items": ref("Term")},
                        "comment": {"type": ["string", "null"]},
                        "sources": {"type": "array", "items": ref("Source")},
                    },
                },
            },
            "sources": {"type": "array", "items": ref("Source")},
        },
    },
    "Entity": {
        "type": "object",
        "required": [
            "iri",
            "curie",
            "label",
            "kind",
            "labels",
            "definitions",
            "types",
            "statements",
            "contested",
            "sources",
        ],
        "properties": {
            "iri": {"type": "string"},
            "curie": {"type": "string"},
            "label": {"type": "string"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "labels": _TEXTS_BY_LANGUAGE,
            "aliases": _TEXTS_BY_LANGUAGE,
            "definitions": _TEXTS_BY_LANGUAGE,
            "types": {
                "type": "array",
                "items": {
                    "allOf": [ref("Term")],
                    "type": "object",
                    "required": ["iri", "status"],
                    "properties": {"status": _STATUS, "explanation": ref("Explanation")},
                },
            },
            "statements": {
                "type": "object",
                "required": ["outgoing", "incoming"],
                "properties": {
                    "outgoing": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["predicate", "object", "status"],
                            "properties": {
                                "predicate": ref("Term"),
                                "object": ref("Term"),
                                "status": _STATUS,
                            },
                        },
                    },
                    "incoming": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["predicate", "subject", "status"],
                            "properties": {
                                "predicate": ref("Term"),
                                "subject": ref("Term"),
                                "status": _STATUS,
                            },
                        },
                    },
                },
            },
            "contested": {"type": "array", "items": ref("ContestedClaim")},
            "sources": {"type": "array", "items": ref("Source")},
            "links": {"type": "object"},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["query", "results"],
        "properties": {
            "query": {"type": "string"},
            "lang": {"type": ["string", "null"]},
            "type": {"type": ["string", "null"]},
            "limit": {"type": "integer"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["iri", "label", "kind", "score"],
                    "properties": {
                        "iri": {"type": "string"},
                        "curie": {"type": "string"},
                        "label": {"type": "string"},
                        "kind": {"type": "string", "enum": list(KINDS)},
                        "score": {"type": "integer"},
                        "match": {"type": "string", "enum": ["exact", "prefix", "substring"]},
                        "matched": {"type": "string"},
                        "matched_lang": {"type": "string"},
                    },
                },
            },
        },
    },
    "Comparison": {
        "type": "object",
        "required": ["kind", "entities", "attributes", "shared", "differing"],
        "properties": {
            "kind": {"type": "string", "enum": ["products", "concepts"]},
            "lang": {"type": "string"},
            "entities": {"type": "array", "items": ref("Term")},
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "label", "agreement", "contested", "cells"],
                    "properties": {
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                        "agreement": {"type": "string", "enum": ["shared", "differs", "empty"]},
                        "contested": {"type": "boolean"},
                        "cells": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "required": ["status", "values", "sources", "contested"],
                                "properties": {
                                    "status": {
                                        "type": "string",
                                        "enum": [
                                            "asserted",
                                            "inferred",
                                            "mixed",
                                            "not-inferred",
                                            "empty",
                                        ],
                                    },
                                    "values": {"type": "array", "items": ref("Term")},
                                    "sources": {"type": "array", "items": ref("Source")},
                                    "contested": {"type": "array", "items": ref("ContestedClaim")},
                                },
                            },
                        },
                    },
                },
            },
            "shared": {"type": "array", "items": {"type": "string"}},
            "differing": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Explanation": {
        "type": "object",
        "required": ["triple", "text", "status"],
        "properties": {
            "holds": {"type": "boolean"},
            "triple": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 3},
            "text": {"type": "string"},
            "status": {"type": "string", "enum": ["asserted", "inferred", "does-not-hold"]},
            "sources": {"type": "array", "items": {"type": "string"}},
            "proof": {"anyOf": [ref("ProofNode"), {"type": "null"}]},
        },
    },
    "ProofNode": {
        "description": "One step of a proof: a triple, and where it is asserted (`files`) or the "
        "OWL 2 RL rule and the proofs of its premises.",
        "type": "object",
        "required": ["triple", "text", "status"],
        "properties": {
            "triple": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 3},
            "text": {"type": "string"},
            "status": {"type": "string", "enum": ["asserted", "inferred"]},
            "files": {"type": "array", "items": {"type": "string"}},
            "rule": {"type": ["string", "null"]},
            "rule_description": {"type": "string"},
            "repeated": {"type": "boolean", "description": "proved higher up in the same tree"},
            "premises": {"type": "array", "items": ref("ProofNode")},
        },
    },
    "ConsistencyIssue": {
        "description": "One OWL 2 RL rule that concludes false, as it holds here: the rule, a "
        "sentence, the IRIs involved, and the proof of each premise.",
        "type": "object",
        "required": ["rule", "message", "resources", "proof"],
        "properties": {
            "rule": {"type": "string"},
            "message": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string"}},
            "proof": {"type": "array", "items": ref("ProofNode")},
        },
    },
    "Classification": {
        "type": "object",
        "required": ["individual", "classes", "values", "consistency"],
        "properties": {
            "individual": {"type": "string"},
            "label": {"type": ["string", "null"]},
            "classes": {"type": "array", "items": {"type": "object"}},
            "values": {"type": "array", "items": {"type": "object"}},
            "consistency": ref("Consistency"),
        },
    },
    "Consistency": {
        "type": "object",
        "required": ["consistent", "issues"],
        "properties": {
            "version": {"type": "string"},
            "consistent": {"type": "boolean"},
            "issues": {"type": "array", "items": ref("ConsistencyIssue")},
        },
    },
    "QueryList": {
        "type": "object",
        "required": ["queries"],
        "properties": {
            "queries": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "summary", "parameters"],
                    "properties": {
                        "name": {"type": "string"},
                        "summary": {"type": "string"},
                        "description": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "form": {"type": "string"},
                        "href": {"type": "string"},
                        "parameters": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "type", "required"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "type": {"type": "string"},
                                    "description": {"type": "string"},
                                    "default": {"type": ["string", "null"]},
                                    "required": {"type": "boolean"},
                                },
                            },
                        },
                    },
                },
            }
        },
    },
    "SparqlResults": {
        "description": "SPARQL 1.1 Query Results JSON: `results` for SELECT, `boolean` for ASK.",
        "type": "object",
        "required": ["head"],
        "properties": {
            "head": {
                "type": "object",
                "properties": {
                    "vars": {"type": "array", "items": {"type": "string"}},
                    "link": {"type": "array", "items": {"type": "string"}},
                },
            },
            "results": {
                "type": "object",
                "required": ["bindings"],
                "properties": {
                    "bindings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": ref("RdfTerm"),
                        },
                    }
                },
            },
            "boolean": {"type": "boolean"},
        },
    },
    "RdfTerm": {
        "description": "One bound value of a SPARQL JSON result row.",
        "type": "object",
        "required": ["type", "value"],
        "properties": {
            "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
            "value": {},
            "xml:lang": {"type": "string"},
            "datatype": {"type": "string"},
        },
    },
}
