"""The answer to "what am I running on, and what is it?": layers, outermost first, from the graph.

Each layer is a graph entity (a cloud, a hypervisor or a family of them, a management platform,
a partitioning, a container engine) with its classification on the five axes and any contested
claim about it, the evidence that matched (every signature that held for it) and the rule that
gave the deciding signature precedence. Layers come from the signatures virt-what's walk decides,
then from systemd-detect-virt's for what virt-what does not know (WSL, systemd-nspawn, ACRN, …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from kgapi.identify.evidence import Evidence
from kgapi.identify.signatures import LAYER_ORDER, Reading, Signature, signature_book

if TYPE_CHECKING:
    from kgapi.read.facts import FactReader

AXES = (
    ("virtualized_object", "virtualizedObject"),
    ("software_architecture", "softwareArchitecture"),
    ("hypervisor_type", "hypervisorType"),
    ("implementation_technique", "implementationTechnique"),
    ("vmm_structure", "vmmStructure"),
)


@dataclass
class Layer:
    kind: str
    entity: URIRef
    decided_by: Signature
    rule: str
    roles: list[str] = field(default_factory=list)


def identify(reader: FactReader, evidence: Evidence) -> dict[str, Any]:
    """Identify the machine whose `evidence` is given; texts in `reader.lang`."""
    kg = reader.kg
    reading = Reading(signature_book(kg), evidence)
    decided = reading.virt_what()
    layers: dict[tuple[str, URIRef], Layer] = {}
    for signature, facts in decided:
        if signature.layer not in LAYER_ORDER or signature.indicates is None:
            continue
        key = (signature.layer, signature.indicates)
        if key in layers:
            layers[key].roles.extend(facts)
        else:
            layers[key] = Layer(
                signature.layer,
                signature.indicates,
                signature,
                _virt_what_rule(signature, reader.lang),
            )
    vm_id, vm_signature = reading.systemd_vm()
    container_id, container_signature = reading.systemd_container()
    manager = reading.manager_signature()
    for other in (vm_signature, container_signature, manager):
        if other is None or other.indicates is None or other.layer not in LAYER_ORDER:
            continue
        if any(kind == other.layer for kind, _ in layers):
            continue  # virt-what's walk already decided this layer
        rule = (
            f"systemd-detect-virt 的 {other.systemd_stage} 步骤"
            if reader.lang == "zh"
            else f"systemd-detect-virt, step {other.systemd_stage}"
        )
        layers[(other.layer, other.indicates)] = Layer(other.layer, other.indicates, other, rule)
    ordered = sorted(layers.values(), key=lambda layer: LAYER_ORDER.index(layer.kind))
    confidential = [
        reader.term(signature.indicates)
        for signature in reading.book.stage("cvm")
        if signature.indicates is not None and reading.holds(signature)
    ]
    return {
        "layers": [_layer(reader, reading, layer) for layer in ordered],
        "confidential_computing": confidential,
        "virt_what": [fact for _, facts in decided for fact in facts],
        "systemd_detect_virt": {"vm": vm_id, "container": container_id},
        "machine": evidence.machine,
        "lang": reader.lang,
    }


def _virt_what_rule(signature: Signature, lang: str) -> str:
    """Why this signature decided, in the reader's language."""
    unless = sorted(signature.unless)
    if lang == "zh":
        words = [f"virt-what 第 {signature.order} 项检查"]
        if signature.group:
            words.append(f"“{signature.group}”组中第一个成立的检查")
        if unless:
            words.append(f"若已输出 {'、'.join(unless)} 则跳过")
        return "；".join(words)  # noqa: RUF001 (Chinese punctuation)
    words = [f"virt-what, test {signature.order}"]
    if signature.group:
        words.append(f"first of the '{signature.group}' tests to hold")
    if unless:
        words.append(f"skipped once {', '.join(unless)} is printed")
    return "; ".join(words)


def _layer(reader: FactReader, reading: Reading, layer: Layer) -> dict[str, Any]:
    entity = reader.term(layer.entity)
    matched = [
        signature
        for signature in reading.book.signatures
        if signature.indicates == layer.entity
        and signature.layer == layer.kind
        and reading.holds(signature)
    ]
    if layer.decided_by not in matched:
        matched.insert(0, layer.decided_by)
    virt = reader.virt
    members = [value.term for value in reader.values(layer.entity, virt.familyMember)]
    classification: dict[str, list[dict[str, Any]]] = {}
    contested = []
    for name, prop in AXES:
        if members:
            shared = _shared_values(reader, members, virt[prop])
            values = [{**reader.term(term), "status": "shared by every member"} for term in shared]
        else:
            values = [
                {**reader.term(value.term), "status": value.status}
                for value in reader.values(layer.entity, virt[prop])
            ]
        if values:
            classification[name] = values
        contested += [claim.to_dict() for claim in reader.claims(layer.entity, prop=virt[prop])]
    return {
        "kind": layer.kind,
        "iri": entity["iri"],
        "label": entity["label"],
        "types": [reader.term(value.term) for value in reader.types(layer.entity)],
        "classification": classification,
        "contested": contested,
        "candidates": [reader.term(member) for member in members],
        "roles": layer.roles,
        "evidence": [_evidence(reader, signature) for signature in matched],
        "decided_by": {**_evidence(reader, layer.decided_by), "rule": layer.rule},
    }


def _shared_values(reader: FactReader, members: list[Any], prop: Any) -> list[Any]:
    sets = [{value.term for value in reader.values(member, prop)} for member in members]
    common = set.intersection(*sets) if sets else set()
    return sorted(common, key=str)


def _evidence(reader: FactReader, signature: Signature) -> dict[str, Any]:
    summary = reader.term(signature.iri)
    return {"signature": summary["iri"], "label": summary["label"]}


def to_text(answer: dict[str, Any]) -> str:
    """The answer for a terminal: one line per layer, then what the two programs would print."""
    lines = []
    for layer in answer["layers"]:
        classes = "; ".join(
            ", ".join(value["label"] for value in values)
            for values in layer["classification"].values()
        )
        roles = f" ({', '.join(layer['roles'])})" if layer["roles"] else ""
        lines.append(
            f"{layer['kind']:<10} {layer['label']}{roles}" + (f" — {classes}" if classes else "")
        )
        if layer["candidates"]:
            lines.append(f"{'':<10} one of: {', '.join(c['label'] for c in layer['candidates'])}")
        lines.append(f"{'':<10} by: {layer['decided_by']['label']} [{layer['decided_by']['rule']}]")
    if not answer["layers"]:
        lines.append("no virtualization found (bare metal, or something no signature knows)")
    systemd = answer["systemd_detect_virt"]
    lines.append(f"virt-what: {' '.join(answer['virt_what']) or '(nothing)'}")
    lines.append(f"systemd-detect-virt: vm={systemd['vm']} container={systemd['container']}")
    return "\n".join(lines) + "\n"
