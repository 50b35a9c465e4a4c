"""`POST /api/identify`: what a machine is running on, from the evidence it sends.

The body is an evidence bundle: `application/gzip` (a tar.gz laid out like the shared
environments: `root/…`, `dmidecode.txt`, `cpuid-vendor.txt`, `uname-m.txt`) or
`application/json` (`{"files": {...}, "dmidecode": ..., "cpuid_vendor": ..., "machine": ...}`);
sent untyped or as `application/octet-stream`, its first bytes say which. The answer: the
layers found, outermost first, each a graph entity with its classification and evidence, and
what virt-what and systemd-detect-virt would print. Labels follow `lang` or Accept-Language.
Nothing of the bundle touches the disk or is executed.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from kgapi.identify.answer import identify as identify_machine
from kgapi.identify.evidence import EvidenceError, from_json_text, from_tar_gz
from kgapi.web.api_common import (
    ApiProblem,
    json_response,
    language,
    lookups,
    register,
    require_media_type,
)
from kgapi.web.intake import UNTYPED

blueprint = register(Blueprint("api_identify", __name__))

GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/x-tar+gzip")
MEDIA_TYPES = ("application/json", *GZIP_TYPES)


def _sniffed(body: bytes) -> str | None:
    """The evidence type `body` is by its first bytes: gzip's magic number, or a JSON object."""
    if body[:2] == b"\x1f\x8b":
        return "application/gzip"
    if body.lstrip()[:1] == b"{":
        return "application/json"
    return None


@blueprint.post("/api/identify")
def identify() -> Response:
    """Identify a machine's virtualization from its evidence bundle."""
    body = request.get_data()
    sniffed = _sniffed(body) if request.mimetype in UNTYPED else None
    media_type = sniffed or require_media_type(
        MEDIA_TYPES, "the evidence (a tar.gz bundle or JSON)"
    )
    lang = language()
    try:
        evidence = from_tar_gz(body) if media_type in GZIP_TYPES else from_json_text(body)
    except EvidenceError as error:
        status = 413 if error.too_large else 400
        raise ApiProblem(status, str(error), slug="invalid-evidence") from error
    answer = identify_machine(lookups().reader_for(lang), evidence)
    return json_response(answer)
