"""Detection signatures, read from the graph, and how virt-what and systemd-detect-virt walk them.

The signatures (`virt:DetectionSignature`, ontology/detection.ttl) say what is observed, how it
is matched, what it indicates and in which layer, and where virt-what and systemd-detect-virt
place it in their order of checks. This module only knows how to look at evidence and how the
two programs walk their checks (virt-what: facts in test order, the first of a group winning,
later tests skipped once certain facts are out; systemd-detect-virt: its stages, DMI vendors
that decide early, CPUID, then the rest); which signature says what is data.

The answer lists the layers found outermost first — cloud, hypervisor, management platform,
partition, container (kgapi's order, not virt-what's) — each with the graph entity, its
classification and the evidence that matched, and says what virt-what and systemd-detect-virt
would print, so that scripts can switch.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import RDF, SKOS, Graph, Literal, URIRef

from kgapi.graph.namespaces import ontology_namespace, resource_namespace
from kgapi.identify.evidence import Evidence

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph

LAYER_ORDER = ("cloud", "hypervisor", "platform", "partition", "container")
DMI_FIELDS = ("product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version")
X86 = re.compile(r"^(x86_64|amd64|i[3-6]86)$")
DEVICE_TREE = re.compile(r"^(arm|aarch64|ppc|riscv)")


@dataclass(frozen=True)
class Signature:
    """One detection signature as read from the graph."""

    iri: URIRef
    slug: str
    kind: str
    target: str
    op: str
    value: str
    indicates: URIRef | None
    layer: str
    facts: tuple[str, ...]
    order: int | None
    group: str
    unless: frozenset[str]
    requires: tuple[str, ...]
    excluded_by: tuple[str, ...]
    arch: re.Pattern[str] | None
    systemd_id: str
    systemd_stage: str

    def observed(self, evidence: Evidence) -> bool:
        """Whether the evidence shows what this signature looks for (its own test only)."""
        if self.op == "exists":
            return evidence.exists(self.target)
        if self.kind == "cpuid":
            return _compare(self.op, evidence.cpuid_vendor, self.value)
        if self.kind == "dmidecode":
            return evidence.dmidecode is not None and _compare(
                self.op, evidence.dmidecode, self.value
            )
        if self.kind == "dmi":
            fields = evidence.dmi
            names = (self.target,) if self.target else DMI_FIELDS
            return any(
                _compare(self.op, fields.get(name, ""), self.value)
                for name in names
                if fields.get(name)
            )
        if self.kind == "file":
            text = evidence.text(self.target)
            return text is not None and _compare(self.op, text, self.value)
        if self.kind == "environ":
            return _compare(self.op, "\n".join(evidence.environ), self.value)
        if self.kind == "dt-entries":
            return any(self.value in name for name in evidence.entries("/proc/device-tree"))
        return False


def _compare(op: str, observed: str, value: str) -> bool:
    if op == "equals":
        return observed.rstrip() == value.rstrip()
    if op == "prefix":
        return observed.startswith(value)
    if op == "contains":
        return value in observed
    if op == "regex":
        return re.search(value, observed, re.MULTILINE) is not None
    if op == "iregex":
        return re.search(value, observed, re.MULTILINE | re.IGNORECASE) is not None
    if op == "first-line":
        return observed.replace("\0", "\n").split("\n", 1)[0].strip() == value
    if op == "token":
        return value in {token.strip() for token in observed.split(",")}
    if op == "hexbit":
        try:
            return bool(int(observed.strip() or "0", 16) >> int(value) & 1)
        except ValueError:
            return False
    return False


class SignatureBook:
    """Every detection signature of a graph, read once."""

    def __init__(self, graph: Graph, base_iri: str) -> None:
        virt, vr = ontology_namespace(base_iri), resource_namespace(base_iri)

        def text(node: URIRef, prop: URIRef) -> str:
            value = graph.value(node, prop)
            return str(value) if value is not None else ""

        signatures = []
        for node in graph.subjects(RDF.type, virt.DetectionSignature):
            if not isinstance(node, URIRef):
                continue
            layer = graph.value(node, virt.detectionLayer)
            order = graph.value(node, virt.virtWhatOrder)
            arch = text(node, virt.architecturePattern)
            indicates = graph.value(node, virt.indicates)
            signatures.append(
                Signature(
                    node,
                    str(node).removeprefix(str(vr) + "signature-"),
                    text(node, virt.evidenceKind),
                    text(node, virt.evidenceTarget),
                    text(node, virt.matchOperator),
                    text(node, virt.matchValue),
                    indicates if isinstance(indicates, URIRef) else None,
                    str(layer).rsplit("layer-", 1)[-1] if layer is not None else "hint",
                    tuple(text(node, virt.virtWhatFact).split()),
                    int(order) if isinstance(order, Literal) else None,
                    text(node, virt.virtWhatGroup),
                    frozenset(text(node, virt.virtWhatUnless).split()),
                    tuple(_slug(o, vr) for o in graph.objects(node, virt.requiresSignature)),
                    tuple(_slug(o, vr) for o in graph.objects(node, virt.excludedBySignature)),
                    re.compile(arch) if arch else None,
                    text(node, virt.systemdId),
                    text(node, virt.systemdStage),
                )
            )
        self.signatures = sorted(signatures, key=lambda s: s.slug)
        self.by_slug = {signature.slug: signature for signature in self.signatures}
        self.virt_what = sorted(
            (s for s in self.signatures if s.facts and s.order is not None),
            key=lambda s: s.order or 0,
        )

    def stage(self, name: str) -> list[Signature]:
        return [s for s in self.signatures if s.systemd_stage == name]


def _slug(node: object, vr: object) -> str:
    return str(node).removeprefix(str(vr) + "signature-")


# One book per knowledge graph (by identity: the graph is immutable, and not hashable).
_BOOKS: dict[int, tuple[weakref.ref[Graph], SignatureBook]] = {}
_BOOKS_LOCK = threading.Lock()


def signature_book(kg: KnowledgeGraph) -> SignatureBook:
    with _BOOKS_LOCK:
        entry = _BOOKS.get(id(kg.asserted))
        if entry is None or entry[0]() is not kg.asserted:
            entry = (weakref.ref(kg.asserted), SignatureBook(kg.asserted, kg.ontology.base_iri))
            _BOOKS[id(kg.asserted)] = entry
        return entry[1]


class Reading:
    """One evidence bundle read against a signature book; which signatures hold, memoized."""

    def __init__(self, book: SignatureBook, evidence: Evidence) -> None:
        self.book = book
        self.evidence = evidence
        self._holds: dict[str, bool] = {}

    def holds(self, signature: Signature) -> bool:
        """Observed, on the right architecture, with what it requires, without what excludes it."""
        if signature.slug not in self._holds:
            self._holds[signature.slug] = False  # a cycle in the data never holds
            result = (
                (signature.arch is None or bool(signature.arch.search(self.evidence.machine)))
                and signature.observed(self.evidence)
                and all(self.holds(self.book.by_slug[slug]) for slug in signature.requires)
                and not any(self.holds(self.book.by_slug[slug]) for slug in signature.excluded_by)
            )
            self._holds[signature.slug] = result
        return self._holds[signature.slug]

    def virt_what(self) -> list[tuple[Signature, tuple[str, ...]]]:
        """What virt-what prints: each deciding signature with its facts, in virt-what's order."""
        printed: list[str] = []
        decided: list[tuple[Signature, tuple[str, ...]]] = []
        groups: set[str] = set()
        for signature in self.book.virt_what:
            if signature.group and signature.group in groups:
                continue
            if signature.unless & set(printed):
                continue
            if self.holds(signature):
                printed.extend(signature.facts)
                decided.append((signature, signature.facts))
                if signature.group:
                    groups.add(signature.group)
        return decided

    def first(self, stage: str, test: Iterable[Signature] | None = None) -> Signature | None:
        return next((s for s in (test or self.book.stage(stage)) if self.holds(s)), None)

    def systemd_vm(self) -> tuple[str, Signature | None]:
        """systemd-detect-virt --vm: its id, and the signature that decided (None for none)."""
        evidence = self.evidence
        fields = evidence.dmi
        dmi = [s for s in self.book.signatures if s.systemd_stage in ("dmi", "dmi-early")]
        dmi_hit: Signature | None = None
        for name in DMI_FIELDS:
            dmi_hit = next((s for s in dmi if fields.get(name, "").startswith(s.value)), None)
            if dmi_hit is not None:
                break
        if dmi_hit is not None and dmi_hit.systemd_stage == "dmi-early":
            if dmi_hit.systemd_id != "amazon":
                return dmi_hit.systemd_id, dmi_hit
            if self.first("vm-bit") is not None:
                return "amazon", dmi_hit
            return "none", self.first("metal")
        for stage in ("uml",):
            hit = self.first(stage)
            if hit is not None:
                return hit.systemd_id, hit
        xen = self.first("xen")
        if xen is not None and self.first("xen-dom0") is None:
            return "xen", xen
        remembered = ""
        if X86.match(evidence.machine) and evidence.cpuid_vendor:
            hit = self.first("cpuid")
            if hit is not None:
                return hit.systemd_id, hit
            deferred = self.first("cpuid-deferred")
            remembered = "microsoft" if deferred is not None else "vm-other"
        if dmi_hit is not None:
            return dmi_hit.systemd_id, dmi_hit
        hit = self.first("hypervisor-type")
        if hit is not None:
            return hit.systemd_id, hit
        if evidence.text("/sys/hypervisor/type"):
            remembered = remembered or "vm-other"
        if DEVICE_TREE.match(evidence.machine):
            hit = self.first("device-tree")
            if hit is not None:
                return hit.systemd_id, hit
        hit = self.first("zvm")
        if hit is not None:
            return hit.systemd_id, hit
        if self.first("vm-bit") is not None:
            remembered = remembered or "vm-other"
        return remembered or "none", None

    def systemd_container(self) -> tuple[str, Signature | None]:
        """systemd-detect-virt --container: its id and the deciding signature."""
        for stage in ("container",):
            hit = self.first(stage)
            if hit is not None:
                return hit.systemd_id, hit
        for source in self.book.stage("container-manager"):
            name = self._manager_name(source)
            if name:
                named = next((s for s in self.book.stage("manager-name") if s.value == name), None)
                if named is not None and named.systemd_id:
                    return named.systemd_id, named
                if name == "oci":
                    break  # decided by the two files below
                return "container-other", named or source
        for stage in ("container-late", "container-last"):
            hit = self.first(stage)
            if hit is not None:
                return hit.systemd_id, hit
        return "none", None

    def _manager_name(self, source: Signature) -> str:
        if source.kind == "environ":
            for line in self.evidence.environ:
                if line.startswith("container="):
                    return line.removeprefix("container=").strip()
            return ""
        text = self.evidence.text(source.target) or ""
        return text.split("\n", 1)[0].strip()

    def manager_signature(self) -> Signature | None:
        """The container manager PID 1 or the container files name, as a signature."""
        for source in self.book.stage("container-manager"):
            name = self._manager_name(source)
            if name:
                return next(
                    (
                        s
                        for s in self.book.stage("manager-name")
                        if name.lower().startswith(s.value)
                    ),
                    None,
                )
        return None


def labels_of(graph: Graph, node: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for predicate in (SKOS.prefLabel,):
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal) and value.language and value.language not in found:
                found[value.language] = str(value)
    return found
