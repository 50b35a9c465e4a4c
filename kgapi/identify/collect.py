"""Collect the evidence of the machine kgapi runs on, as an unprivileged process can.

What is read is what the signatures look at (their files, the paths whose existence counts,
PID 1's environment, the device-tree entries): the graph says what to collect. `dmidecode`
needs root, so the DMI fields come from the kernel's view (`/sys/class/dmi/id`, readable by
everyone) and are written in dmidecode's layout; the SMBIOS "is a virtual machine" bit is then
unknown. The CPUID hypervisor vendor string is read with the CPUID instruction itself on x86-64
Linux — a dozen bytes of machine code run through ctypes, so nothing needs compiling at install
time — after checking the hypervisor bit; where that is not possible (another architecture, or
executable memory refused) the vendor is left empty and the other signals decide.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import platform
from pathlib import Path

from kgapi.identify.evidence import MAX_MEMBER_BYTES, Evidence, clean_vendor
from kgapi.identify.signatures import SignatureBook

DMI = Path("/sys/class/dmi/id")
# mov eax, edi; push rbx; xor ecx, ecx; cpuid; mov [rsi], ebx; mov [rsi+4], ecx;
# mov [rsi+8], edx; pop rbx; ret  (System V x86-64: leaf in edi, 12-byte buffer in rsi)
CPUID_CODE = bytes.fromhex("89f85331c90fa2891e894e048956085bc3")


def collect(book: SignatureBook, root: Path = Path("/")) -> Evidence:
    """The evidence of this machine (or of the tree at `root`, for tests)."""
    files: dict[str, bytes] = {}
    directories: set[str] = set()
    wanted = {"/proc/1/environ"} | {
        s.target for s in book.signatures if s.kind == "file" and s.target
    }
    for path in sorted(wanted):
        content = _read(root, path)
        if content is not None:
            files[path] = content
    for signature in book.signatures:
        if signature.op == "exists" and signature.target:
            located = root / signature.target.lstrip("/")
            if located.is_dir():
                directories.add(signature.target)
            elif located.is_file() and signature.target not in files:
                files[signature.target] = b""
    tree = root / "proc/device-tree"
    if tree.is_dir():
        with contextlib.suppress(OSError):
            directories.update(f"/proc/device-tree/{entry.name}" for entry in tree.iterdir())
    return Evidence(
        files, frozenset(directories), _dmi_text(root), cpuid_vendor(), platform.machine()
    )


def _read(root: Path, path: str) -> bytes | None:
    try:
        with (root / path.lstrip("/")).open("rb") as handle:
            return handle.read(MAX_MEMBER_BYTES)
    except OSError:
        return None


def _dmi_text(root: Path) -> str | None:
    """The DMI fields the kernel exposes, in dmidecode's layout; None where there are none."""

    def field(name: str) -> str:
        content = _read(root, str(DMI / name))
        return content.decode("utf-8", "replace").strip() if content else ""

    sections = {
        "BIOS Information": {"Vendor": field("bios_vendor"), "Version": field("bios_version")},
        "System Information": {
            "Manufacturer": field("sys_vendor"),
            "Product Name": field("product_name"),
            "Version": field("product_version"),
        },
        "Base Board Information": {"Manufacturer": field("board_vendor")},
    }
    if not any(value for values in sections.values() for value in values.values()):
        return None
    lines = []
    for title, values in sections.items():
        lines.append(title)
        lines += [f"\t{key}: {value}" for key, value in values.items() if value]
        lines.append("")
    return "\n".join(lines)


def cpuid_vendor() -> str:
    """The hypervisor vendor string (CPUID 0x40000000), or "" without a hypervisor bit or CPUID."""
    if platform.machine() not in ("x86_64", "AMD64") or platform.system() != "Linux":
        return ""
    try:
        cpuid = _CpuId()
    except (OSError, ValueError, PermissionError):
        return ""
    try:
        _, ecx, _ = cpuid(1)
        if not ecx >> 31 & 1:
            return ""
        ebx, ecx, edx = cpuid(0x40000000)
        raw = b"".join(value.to_bytes(4, "little") for value in (ebx, ecx, edx))
        return clean_vendor(raw.decode("ascii", "replace"))
    finally:
        cpuid.close()


class _CpuId:
    """CPUID through a few bytes of executable memory (see CPUID_CODE)."""

    def __init__(self) -> None:
        self._memory = mmap.mmap(
            -1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC
        )
        self._memory.write(CPUID_CODE)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._memory))
        prototype = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32))
        self._function = prototype(address)

    def __call__(self, leaf: int) -> tuple[int, int, int]:
        out = (ctypes.c_uint32 * 3)()
        self._function(leaf, out)
        return out[0], out[1], out[2]

    def close(self) -> None:
        del self._function
        with contextlib.suppress(BufferError):  # a ctypes view may still refer to it
            self._memory.close()
