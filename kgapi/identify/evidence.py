"""What a machine can see of its own virtualization, as an evidence bundle — and reading one safely.

A bundle holds files as the machine shows them under `/` (`/proc/cpuinfo`, `/proc/1/environ`,
`/sys/hypervisor/type`, `/proc/device-tree/…`, `/.dockerenv`, …), the text `dmidecode` printed
(or nothing where it failed), the CPUID hypervisor vendor string and the architecture. It comes
as JSON (`{"files": {...}, "dmidecode": ..., "cpuid_vendor": ..., "machine": ...}`) or as a
tar.gz laid out like the shared environments (`root/…`, `dmidecode.txt` or
`dmidecode.unavailable`, `cpuid-vendor.txt`, `uname-m.txt`).

A bundle is hostile until proven otherwise: it is read in memory, never extracted; absolute and
`..` paths, links, devices and fifos are refused; members, bytes per member and bytes in all are
capped, so a decompression bomb or a 2 GB declared size stops at the first header that exceeds
a limit. Nothing in a bundle is executed.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import IO, Any

MAX_MEMBERS = 4096
MAX_MEMBER_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_PATH_CHARS = 1024
TOP_LEVEL = ("dmidecode.txt", "dmidecode.unavailable", "cpuid-vendor.txt", "uname-m.txt")
# dmidecode's (section, key) -> the /sys/class/dmi/id field systemd reads.
DMI_KEYS = {
    ("System Information", "Manufacturer"): "sys_vendor",
    ("System Information", "Product Name"): "product_name",
    ("System Information", "Version"): "product_version",
    ("Base Board Information", "Manufacturer"): "board_vendor",
    ("BIOS Information", "Vendor"): "bios_vendor",
}
# Files the environments carry that are about the recording, not about the machine.
IGNORED = ("expected-virt-what.txt", "README.md")


class EvidenceError(ValueError):
    """A bundle that cannot be read; `too_large` when a limit was passed (413, not 400)."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class Evidence:
    """The evidence of one machine. Paths are absolute (`/proc/cpuinfo`); directories that hold
    no file of the bundle are listed in `directories`."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    directories: frozenset[str] = frozenset()
    dmidecode: str | None = None
    cpuid_vendor: str = ""
    machine: str = ""

    def text(self, path: str) -> str | None:
        content = self.files.get(path)
        return None if content is None else content.decode("utf-8", "replace")

    def exists(self, path: str) -> bool:
        """A file, an empty directory, or a directory holding files of the bundle."""
        if path in self.files or path in self.directories:
            return True
        prefix = path.rstrip("/") + "/"
        return any(name.startswith(prefix) for name in (*self.files, *self.directories))

    def entries(self, directory: str) -> set[str]:
        """The names directly under `directory`."""
        prefix = directory.rstrip("/") + "/"
        return {
            name[len(prefix) :].split("/", 1)[0]
            for name in (*self.files, *self.directories)
            if name.startswith(prefix)
        }

    @cached_property
    def environ(self) -> tuple[str, ...]:
        """PID 1's environment, one `NAME=value` a line (the file is NUL-separated)."""
        text = self.text("/proc/1/environ") or ""
        return tuple(line for line in text.replace("\0", "\n").split("\n") if line)

    @cached_property
    def dmi(self) -> dict[str, str]:
        """The DMI fields systemd reads from /sys/class/dmi/id, taken from dmidecode's text."""
        fields: dict[str, str] = {}
        section = ""
        for line in (self.dmidecode or "").splitlines():
            if line and not line[0].isspace():
                section = line.strip()
                continue
            key, _, value = line.strip().partition(": ")
            wanted = DMI_KEYS.get((section, key))
            if wanted and wanted not in fields:
                fields[wanted] = value.strip()
        return fields

    def to_json(self) -> dict[str, Any]:
        return {
            "files": {
                path: content.decode("utf-8", "replace")
                for path, content in sorted(self.files.items())
            },
            "directories": sorted(self.directories),
            "dmidecode": self.dmidecode,
            "cpuid_vendor": self.cpuid_vendor,
            "machine": self.machine,
        }


def normalize_path(raw: str) -> str:
    """`raw` as an absolute path under `/`, refusing `..`, NUL and over-long names."""
    if not isinstance(raw, str) or len(raw) < 2 or len(raw) > MAX_PATH_CHARS or "\0" in raw:
        raise EvidenceError(
            f"bad path {raw[:80]!r}" if isinstance(raw, str) else "a path must be text"
        )
    if not raw.startswith("/"):
        raise EvidenceError(f"path {raw[:80]!r} is not absolute (it must start with /)")
    segments = raw.split("/")[1:]
    if any(part in ("..", ".") for part in segments):
        raise EvidenceError(f"path {raw[:80]!r} leaves the machine's root (.. or .)")
    parts = PurePosixPath(raw).parts[1:]
    return "/" + "/".join(parts)


def clean_vendor(raw: str) -> str:
    """The CPUID vendor string as compared: NUL padding and the trailing newline removed."""
    return raw.replace("\0", "").rstrip("\n").rstrip()


def from_json(data: Any) -> Evidence:
    """A bundle given as JSON (already parsed)."""
    if not isinstance(data, dict):
        raise EvidenceError("the evidence must be a JSON object")
    unknown = set(data) - {"files", "directories", "dmidecode", "cpuid_vendor", "machine"}
    if unknown:
        raise EvidenceError(
            f"unknown keys {sorted(unknown)}; expected files, directories, dmidecode, "
            "cpuid_vendor, machine"
        )
    files_in = data.get("files", {})
    if not isinstance(files_in, dict):
        raise EvidenceError("'files' must be an object of path -> text")
    if len(files_in) > MAX_MEMBERS:  # in the published schema (maxProperties): a 400
        raise EvidenceError(f"more than {MAX_MEMBERS} files")
    files: dict[str, bytes] = {}
    total = 0
    for path, content in files_in.items():
        if not isinstance(content, str):
            raise EvidenceError(f"the content of {str(path)[:80]!r} must be text")
        # JSON may carry lone surrogates; they are kept as bytes and read back as U+FFFD.
        encoded = content.encode("utf-8", "surrogatepass")
        if len(encoded) > MAX_MEMBER_BYTES:
            raise EvidenceError(
                f"{str(path)[:80]!r} is larger than {MAX_MEMBER_BYTES} bytes", too_large=True
            )
        total += len(encoded)
        if total > MAX_TOTAL_BYTES:
            raise EvidenceError(f"the files hold more than {MAX_TOTAL_BYTES} bytes", too_large=True)
        files[normalize_path(path)] = encoded
    directories = data.get("directories", [])
    if not isinstance(directories, list) or not all(isinstance(d, str) for d in directories):
        raise EvidenceError("'directories' must be a list of paths")
    if len(directories) > MAX_MEMBERS:  # in the published schema (maxItems): a 400
        raise EvidenceError(f"more than {MAX_MEMBERS} directories")
    dmidecode = data.get("dmidecode")
    for key in ("cpuid_vendor", "machine"):
        if not isinstance(data.get(key, ""), str):
            raise EvidenceError(f"'{key}' must be text")
    if dmidecode is not None and not isinstance(dmidecode, str):
        raise EvidenceError("'dmidecode' must be text, or null where dmidecode failed")
    if dmidecode is not None and len(dmidecode) > MAX_MEMBER_BYTES:
        raise EvidenceError("'dmidecode' is too large", too_large=True)
    return Evidence(
        files,
        frozenset(normalize_path(d) for d in directories),
        dmidecode,
        clean_vendor(data.get("cpuid_vendor", ""))[:256],
        data.get("machine", "").strip()[:64],
    )


class _Capped(io.RawIOBase):
    """A reader that stops the decompression past `limit` bytes (the gzip-bomb guard)."""

    def __init__(self, inner: IO[bytes] | gzip.GzipFile, limit: int) -> None:
        self._inner = inner
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise EvidenceError(
                f"the bundle unpacks to more than {MAX_TOTAL_BYTES} bytes", too_large=True
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def from_tar_gz(blob: bytes) -> Evidence:
    """A bundle given as tar.gz, read member by member in memory."""
    unpacked = gzip.GzipFile(fileobj=io.BytesIO(blob))
    stream = _Capped(unpacked, MAX_TOTAL_BYTES + 512 * (MAX_MEMBERS + 2))
    files: dict[str, bytes] = {}
    directories: set[str] = set()
    top: dict[str, bytes | None] = {}
    try:
        with tarfile.open(fileobj=io.BufferedReader(stream), mode="r|") as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_MEMBERS:
                    raise EvidenceError(f"more than {MAX_MEMBERS} members", too_large=True)
                _read_member(archive, member, files, directories, top)
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as error:
        if isinstance(error, EvidenceError):
            raise
        raise EvidenceError(f"not a readable tar.gz bundle: {error}") from None
    dmidecode_bytes = top.get("dmidecode.txt")
    return Evidence(
        files,
        frozenset(directories),
        dmidecode_bytes.decode("utf-8", "replace") if dmidecode_bytes is not None else None,
        clean_vendor((top.get("cpuid-vendor.txt") or b"").decode("utf-8", "replace"))[:256],
        (top.get("uname-m.txt") or b"").decode("utf-8", "replace").strip()[:64],
    )


def _read_member(
    archive: tarfile.TarFile,
    member: tarfile.TarInfo,
    files: dict[str, bytes],
    directories: set[str],
    top: dict[str, bytes | None],
) -> None:
    name = member.name
    if name.startswith("/") or len(name) > MAX_PATH_CHARS or "\0" in name:
        raise EvidenceError(f"member {name[:80]!r} has an absolute or bad path")
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise EvidenceError(f"member {name[:80]!r} leaves the bundle (..)")
    if not (member.isfile() or member.isdir()):
        kind = "a link" if member.issym() or member.islnk() else "a device or fifo"
        raise EvidenceError(
            f"member {name[:80]!r} is {kind}; a bundle holds files and directories only"
        )
    if member.size > MAX_MEMBER_BYTES:
        raise EvidenceError(f"member {name[:80]!r} declares {member.size} bytes", too_large=True)
    parts = tuple(part for part in parts if part != ".")
    if not parts:
        return
    if parts[0] != "root":
        if len(parts) == 1 and member.isfile() and parts[0] in TOP_LEVEL:
            top[parts[0]] = _content(archive, member)
        elif member.isdir() or parts[0] in IGNORED:
            return
        else:
            raise EvidenceError(
                f"unexpected member {name[:80]!r}: expected root/…, {', '.join(TOP_LEVEL)}"
            )
        return
    path = "/" + "/".join(parts[1:])
    if member.isdir():
        if path != "/":
            directories.add(path)
        return
    files[path] = _content(archive, member)


def _content(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    if handle is None:
        return b""
    data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise EvidenceError(f"member {member.name[:80]!r} is too large", too_large=True)
    return data


def from_json_text(text: bytes) -> Evidence:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise EvidenceError(f"not JSON: {error}") from None
    return from_json(data)


def to_tar_gz(evidence: Evidence) -> bytes:
    """The bundle as tar.gz, in the layout `from_tar_gz` reads (what `--collect` writes)."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

        for directory in sorted(evidence.directories):
            info = tarfile.TarInfo("root" + directory)
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        for path, content in sorted(evidence.files.items()):
            add("root" + path, content)
        if evidence.dmidecode is None:
            add("dmidecode.unavailable", b"")
        else:
            add("dmidecode.txt", evidence.dmidecode.encode("utf-8"))
        add("cpuid-vendor.txt", (evidence.cpuid_vendor + "\n").encode("utf-8"))
        add("uname-m.txt", (evidence.machine + "\n").encode("utf-8"))
    return buffer.getvalue()


def read_bundle(path: Path) -> Evidence:
    """A bundle on disk: a .tar.gz or .json file, or a directory in the bundle's layout."""
    if path.is_dir():
        return from_directory(path)
    return read_bundle_bytes(path.read_bytes())


def read_bundle_bytes(blob: bytes) -> Evidence:
    """A bundle's bytes, tar.gz (by its gzip magic number) or JSON."""
    if blob[:2] == b"\x1f\x8b":
        return from_tar_gz(blob)
    return from_json_text(blob)


def from_directory(directory: Path) -> Evidence:
    """A bundle laid out in a directory (as the shared environments are); links are refused."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_symlink():
                raise EvidenceError(f"{path} is a link; a bundle holds files and directories only")
            archive.add(path, arcname=str(path.relative_to(directory)), recursive=False)
    return from_tar_gz(buffer.getvalue())
