"""Running the real `kgapi serve` for the tests that need it: a free port on 127.0.0.1, wait for
/healthz, stop with SIGTERM (and kill after 30 s). KGAPI_* variables are not passed on, so the
server sees only the flags the test gives. Also the Chromium flags and the request guard the
browser tests share with scripts/screenshots.py (which imports this file), so both drive the
browser the same way."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

STARTUP_SECONDS = 300  # a cold start reasons over the ontology first
STOP_SECONDS = 30  # SIGTERM stops the server within seconds; past this it is killed
# Screenshots and reports the tests leave for people to look at.
ARTIFACTS = Path(
    os.environ.get(
        "KGAPI_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"
    )
)
# The flags Chromium needs on a closed network: no background calls home, no sandbox as root.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1360, "height": 900}
# Under pytest, tests/conftest.py sets this for each test: only a test marked `live` (one that asks
# for the `serves_live` fixture) may start a server. The README's command runs the live tests
# apart from the in-process ones, and an unmarked test that started one would hide among them.
may_start_servers = True


def create_token(store: Path | str, name: str, scope: str = "write") -> str:
    """A bearer token made as an operator makes one, `kgapi token create`; `store` is the data
    directory, or a PostgreSQL URL (`postgresql://…`)."""
    where = (
        ["--database-url", store]
        if isinstance(store, str) and store.startswith("postgres")
        else ["--data-dir", str(store)]
    )
    done = subprocess.run(
        [sys.executable, "-m", "kgapi.cli", "token", *where, "create", name, "--scope", scope],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def kgapi_server(
    arguments: list[str],
    *,
    port: int,
    log_path: Path,
    settings: dict[str, str] | None = None,
    program: list[str] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`kgapi ARGUMENTS` (which must serve on 127.0.0.1:`port`), up until the block ends;
    `settings` are environment variables (KGAPI_* settings that have no flag, say). `program`
    replaces this checkout's `python -m kgapi.cli` (an installed `kgapi`, say)."""
    if not may_start_servers:
        pytest.fail("this test starts kgapi serve: let it ask for the serves_live fixture")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KGAPI_")}
    environ.update(settings or {})
    command = [*(program or [sys.executable, "-m", "kgapi.cli"]), *arguments]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=environ, stdout=log, stderr=subprocess.STDOUT, cwd=cwd
        )
        try:
            _wait_until_up(process, port, log_path)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _report_not_stopped(process.pid, log_path)
                process.kill()
                process.wait()


def _report_not_stopped(pid: int, log_path: Path) -> None:
    """Write down what each process of a server that did not stop on SIGTERM was doing, before it
    is killed: its kernel state and wait channel, and its Python stack where py-spy can read it.
    Seen once in CI (a 30 s teardown, not reproduced since); the report goes to test-artifacts/
    (or `$KGAPI_TEST_ARTIFACTS`) for whoever looks next."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lines = [f"kgapi serve (pid {pid}) had not stopped {STOP_SECONDS} s after SIGTERM", ""]
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    for member in [pid, *_descendants(pid)]:
        proc = Path(f"/proc/{member}")
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next(
                line for line in (proc / "status").read_text().splitlines() if line[:6] == "State:"
            )
            wchan = (proc / "wchan").read_text()
        except (OSError, StopIteration):
            continue
        lines += [f"--- {member}: {command}", f"{state}; waiting in {wchan or '-'}"]
        if py_spy:
            dump = subprocess.run(
                [py_spy, "dump", "--pid", str(member)], capture_output=True, text=True, timeout=30
            )
            lines.append(dump.stdout or dump.stderr)
    lines += ["--- the server's log, last 100 lines", *_tail(log_path, 100)]
    (ARTIFACTS / f"server-not-stopped-{pid}.txt").write_text("\n".join(lines) + "\n")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, waiting = [], [pid]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.append(child)
            waiting.append(child)
    return found


def _tail(path: Path, count: int) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()[-count:]
    except OSError:
        return []


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")
            pytest.fail(f"kgapi serve exited with {process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"kgapi serve did not answer /healthz within {STARTUP_SECONDS} s")


def held_to(origin: str, outside: list[str]) -> Callable[[Any], None]:
    """A Playwright route handler that lets requests to `origin` (and data: URLs) through and
    aborts any other, noting it in `outside`."""

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(origin + "/") or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    return guard
