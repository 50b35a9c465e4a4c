"""schemathesis over kgapi's OpenAPI description, in one way for the in-process app and the live
server: every operation but the quality gates, answers held to the documented contract."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

# What counts as refusing data the schema forbids: schemathesis's own list, and the size limits,
# which refuse it as surely — a body past max_request_bytes (413), a URL or header fields past
# theirs (414, 431). A negative case that is also large drew a 413 and was called "accepted".
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    *("400", "401", "403", "404", "405", "406", "409", "415", "422", "428"),
                    *("429", "5xx", "413", "414", "431"),
                ]
            }
        }
    }
)

CONTRACT_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def operations(schema: Any) -> list[Any]:
    """The operations to fuzz: all but the quality gates, which scan the whole graph (seconds
    each) and are run in their own tests."""
    return [
        result.ok()
        for result in schema.get_all_operations()
        if not result.ok().path.endswith("-violation")
    ]


def takes_input(operation: Any) -> bool:
    """Whether the operation takes input negative mode can make invalid: a header that takes
    any text (If-None-Match) cannot be."""
    raw = operation.definition.raw
    violable = [
        parameter
        for parameter in raw.get("parameters", [])
        if not (parameter["in"] == "header" and parameter["schema"] == {"type": "string"})
    ]
    return bool(violable) or "requestBody" in raw


def fuzz(
    operation: Any,
    *,
    mode: str,
    checks_here: list[Any],
    examples: int,
    base_url: str | None = None,
) -> None:
    """Draw `examples` requests for `operation` in `mode` ("positive": schema-valid, "negative":
    schema-violating) and hold each answer to `checks_here`; `base_url` for a live server."""

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
    def check(case: Any) -> None:
        # gzip is the transport's business; a WSGI test client would not undo it
        options: dict[str, Any] = {"headers": {"Accept-Encoding": "identity"}}
        if base_url is not None:
            options |= {"base_url": base_url, "timeout": 60}
        response = case.call(**options)
        case.validate_response(response, checks=checks_here)

    check()
