"""The tables: which snapshot each row was read from, and what each column of each table means."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

REPOSITORY = Path(__file__).resolve().parents[2]
ONTOLOGY = REPOSITORY / "ontology"
CURATION = ONTOLOGY / "import"
DEFAULT_OUT = ONTOLOGY / "wikipedia.ttl"
DEFAULT_TABLES = REPOSITORY.parent / "shared" / "reference" / "wikipedia-tables"

VIRT = Namespace("https://w3id.org/kgapi/ontology/")
VR = Namespace("https://w3id.org/kgapi/resource/")
SPDX = Namespace("http://spdx.org/licenses/")

PREFIXES = {
    "virt": str(VIRT),
    "vr": str(VR),
    "rdf": str(RDF),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": str(DCTERMS),
    "spdx": str(SPDX),
    "owl": "http://www.w3.org/2002/07/owl#",
}

CITATION = re.compile(r"\[\d+(?::[^\]]*)?\]")
# "1982", "2013-2015" (either dash), "July 2000", "February 2004": the first year is when
# development started.
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
FIRST_YEAR = re.compile(rf"^(?:(?:{MONTHS}) )?(?P<year>\d{{4}})(?:\s*[-\u2013]\s*\d{{4}})?$")


# ---------------------------------------------------------------------------------------------
# Snapshots: which copy of which article a row was read from
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    key: str  # becomes vr:snapshot-<key>
    source: str  # the register entry it is a copy of (vr:source-sN)
    title: str
    date: str | None  # xsd:gYear / gYearMonth / date as text, or None where the copy is undated
    rank: int  # newer snapshots rank higher; decides the current value

    @property
    def identifier(self) -> str:
        """The register entry and the snapshot's date: "S2 2016-10" (or "S58 undated")."""
        return f"{self.source.upper()} {self.date or 'undated'}"

    @property
    def iri(self) -> URIRef:
        return VR[f"snapshot-{self.key}"]


SNAPSHOTS = {
    s.key: s
    for s in (
        Snapshot(
            "platform-2015-06",
            "s2",
            "Comparison of platform virtualization software, wikitext of June 2015",
            "2015-06",
            1,
        ),
        Snapshot(
            "platform-2016-10",
            "s2",
            "Comparison of platform virtualization software, as extracted in October 2016",
            "2016-10",
            2,
        ),
        Snapshot(
            "platform-c2020",
            "s2",
            "Comparison of platform virtualization software, copies of about 2020-2024",
            "2020",
            3,
        ),
        Snapshot(
            "platform-2025",
            "s2",
            "Comparison of platform virtualization software, 2025 mirrors",
            "2025",
            4,
        ),
        Snapshot(
            "os-level-c2015",
            "s1",
            "OS-level virtualization, implementation table of about 2015",
            "2015",
            1,
        ),
        Snapshot(
            "os-level-2026-07",
            "s1",
            "OS-level virtualization, implementation table as converted on 2026-07-02",
            "2026-07-02",
            2,
        ),
        Snapshot(
            "app-vm-list-2016-10",
            "s59",
            "List of application virtual machine implementations, as extracted in October 2016",
            "2016-10",
            1,
        ),
        Snapshot(
            "app-vm-comparison",
            "s58",
            "Comparison of application virtual machines, newest stored copy"
            " (undated; later than the pre-2018 layout)",
            None,
            2,
        ),
    )
}


def platform_snapshot(row: dict[str, str]) -> Snapshot:
    url = row["source_url"]
    if "OpenCompare" in url and "wikitext" in row["snapshot_note"]:
        return SNAPSHOTS["platform-2015-06"]
    if "OpenCompare" in url:
        return SNAPSHOTS["platform-2016-10"]
    status = row.get("row_status_2025", "")
    if status.startswith("present"):
        return SNAPSHOTS["platform-2025"]
    return SNAPSHOTS["platform-c2020"]


# ---------------------------------------------------------------------------------------------
# Columns: what each column of each table means
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """A cell listing entities (creators, CPUs, operating systems, licences) by name."""

    kind: str
    prop: URIRef


@dataclass(frozen=True)
class Text:
    """A cell whose words are the value (method of operation, a limit, a machine model)."""

    prop: URIRef
    assert_it: bool = True  # False for edition-specific values such as limits


@dataclass(frozen=True)
class Feature:
    """A feature cell: a capability statement."""

    capability: URIRef


@dataclass(frozen=True)
class FirstRelease:
    pass


@dataclass(frozen=True)
class Status:
    pass


Column = Terms | Text | Feature | FirstRelease | Status


def cap(slug: str) -> Feature:
    return Feature(VR[f"capability-{slug}"])


PLATFORM_GENERAL: dict[str, Column] = {
    "Creator": Terms("creator", VIRT.developer),
    "Host CPU": Terms("cpu", VIRT.cpuArchitecture),
    "Guest CPU": Terms("cpu", VIRT.guestCPUArchitecture),
    "Host OS": Terms("os", VIRT.hostPlatform),
    "Guest OS": Terms("os", VIRT.guestSupport),
    "License": Terms("licence", VIRT.license),
}
PLATFORM_FEATURES: dict[str, Column] = {
    "Guest OS SMP available": cap("guest-smp"),
    "Runs arbitrary OS": cap("runs-arbitrary-os"),
    "Supported guest OS drivers": cap("guest-os-drivers"),
    "Method of operation": Text(VIRT.methodOfOperation, assert_it=False),
    "Typical use": Text(VIRT.typicalUse, assert_it=False),
    "Speed relative to host OS": Text(VIRT.speedRelativeToHost, assert_it=False),
    "Commercial support available": cap("commercial-support"),
}
PLATFORM_OTHER_FEATURES: dict[str, Column] = {
    "Can boot an OS on another disk partition as guest": cap("boot-from-partition"),
    "USB support": cap("usb-support"),
    "GUI": cap("gui"),
    "Live memory allocation": cap("live-memory-allocation"),
    "3D acceleration": cap("3d-acceleration"),
    "Snapshots per VM": cap("snapshots"),
    "Snapshot of running system": cap("running-system-snapshot"),
    "Live migration": Feature(VR["live-migration"]),
    "Shared folders": cap("shared-folders"),
    "Shared clipboard": cap("shared-clipboard"),
    "PCI passthrough": cap("pci-passthrough"),
}
PLATFORM_RESTRICTIONS: dict[str, Column] = {
    "Maximum host cores / CPUs": Text(VIRT.maxHostCores, assert_it=False),
    "Maximum host memory": Text(VIRT.maxHostMemory, assert_it=False),
    "Maximum host disk volume size": Text(VIRT.maxHostDiskVolume, assert_it=False),
    "Maximum number of guest VM running": Text(VIRT.maxRunningGuests, assert_it=False),
    "Maximum number of logical CPU per VM guest": Text(VIRT.maxGuestCPUs, assert_it=False),
    "Maximum amount of memory per VM guest": Text(VIRT.maxGuestMemory, assert_it=False),
    "Maximum number of SCSI + IDE disks per VM guest": Text(VIRT.maxGuestDisks, assert_it=False),
    "Maximum disk size per VM guest": Text(VIRT.maxGuestDiskSize, assert_it=False),
}
IMAGE_FORMATS = {
    "floppy": "floppy",
    "ISO": "iso",
    "folders on host": "host-folders",
    "physical disk / device": "physical-disk",
    "raw / flat (whole disk)": "raw-whole-disk",
    "raw / flat (partition)": "raw-partition",
    "hdd (Parallels)": "parallels-hdd",
    "QCOW (QEMU)": "qcow",
    "QCOW2 (QEMU)": "qcow2",
    "QED (QEMU)": "qed",
    "VDI (VirtualBox)": "vdi",
    "VHD (Connectix Virtual PC)": "vhd",
    "VHDX (Hyper-V)": "vhdx",
    "VMDK (VMware)": "vmdk",
}
PLATFORM_IMAGES: dict[str, Column] = {
    column: cap(f"reads-{slug}") for column, slug in IMAGE_FORMATS.items()
}
OS_LEVEL: dict[str, Column] = {
    "Operating system": Terms("os", VIRT.hostPlatform),
    "License": Terms("licence", VIRT.license),
    "Start of development": FirstRelease(),
    "status": Status(),
    "File system isolation": cap("file-system-isolation"),
    "Copy on write": cap("copy-on-write"),
    "Disk quotas": cap("disk-quotas"),
    "I/O rate limiting": cap("io-rate-limiting"),
    "Memory limits": cap("memory-limits"),
    "CPU quotas": cap("cpu-quotas"),
    "Network isolation": cap("network-isolation"),
    "Nested virtualization": cap("nested-virtualization"),
    "Partition checkpointing and live migration": cap("checkpointing-and-live-migration"),
    "Root privilege isolation": cap("root-privilege-isolation"),
}
OS_LEVEL_C2015: dict[str, Column] = {
    **{
        column: meaning
        for column, meaning in OS_LEVEL.items()
        if column not in ("Start of development", "status")
    },
    "Available since/between": FirstRelease(),
}
APP_VM: dict[str, Column] = {
    "Machine model": Text(VIRT.machineModel),
    "Memory management": Text(VIRT.memoryManagement),
    "Code security": cap("code-security"),
    "Interpreter": cap("interpreter"),
    "JIT": cap("jit-compilation"),
    "AOT": cap("aot-compilation"),
    "Shared libraries": cap("shared-libraries"),
    "Common Language Object Model": cap("common-language-object-model"),
    "Dynamic typing": cap("dynamic-typing"),
}
APP_VM_LIST: dict[str, Column] = {
    "Languages": Text(VIRT.hostedLanguage),
    "Interpreter": cap("interpreter"),
    "JIT": cap("jit-compilation"),
    "Implementation Language": Text(VIRT.implementationLanguage),
}


@dataclass(frozen=True)
class Table:
    file: str
    name_column: str
    columns: Mapping[str, Column]
    snapshot: Callable[[dict[str, str]], Snapshot]


TABLES = (
    Table("platform-general.csv", "Name", PLATFORM_GENERAL, platform_snapshot),
    Table("platform-features.csv", "Name", PLATFORM_FEATURES, platform_snapshot),
    Table("platform-other-features-2015.csv", "Name", PLATFORM_OTHER_FEATURES, platform_snapshot),
    Table("platform-restrictions-2016.csv", "Name", PLATFORM_RESTRICTIONS, platform_snapshot),
    Table("platform-image-formats.csv", "Name", PLATFORM_IMAGES, platform_snapshot),
    Table(
        "os-level-c2015.csv", "Mechanism", OS_LEVEL_C2015, lambda row: SNAPSHOTS["os-level-c2015"]
    ),
    Table("os-level.csv", "Mechanism", OS_LEVEL, lambda row: SNAPSHOTS["os-level-2026-07"]),
    Table(
        "app-virtualization-implementations-2016.csv",
        "Virtual machine",
        APP_VM_LIST,
        lambda row: SNAPSHOTS["app-vm-list-2016-10"],
    ),
    Table(
        "app-virtualization.csv",
        "Virtual machine",
        APP_VM,
        lambda row: SNAPSHOTS["app-vm-comparison"],
    ),
)
