"""Issue 17: `kgapi identify` on this machine, on bundles, and `--collect` round-tripping
through `POST /api/identify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kgapi.cli import main
from kgapi.identify.evidence import from_directory, read_bundle

KINDS = {"cloud", "hypervisor", "platform", "partition", "container"}


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["identify", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_identify_on_this_machine_gives_a_sensible_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = run_json(capsys)
    assert isinstance(answer["virt_what"], list)
    assert set(answer["systemd_detect_virt"]) == {"vm", "container"}
    for layer in answer["layers"]:
        assert layer["kind"] in KINDS and layer["iri"] and layer["evidence"]
    # What the machine's own reading says and the layers agree: a layer per virt-what fact
    # that names a technology the graph has.
    if answer["systemd_detect_virt"]["container"] not in ("none", "container-other"):
        assert "container" in {layer["kind"] for layer in answer["layers"]}


def test_collect_round_trips_through_the_api(
    client: FlaskClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "machine.tar.gz"
    assert main(["identify", "--collect", str(bundle)]) == 0
    capsys.readouterr()
    local = run_json(capsys)
    response = client.post(
        "/api/identify", data=bundle.read_bytes(), headers={"Content-Type": "application/gzip"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    remote = response.get_json()
    assert remote["virt_what"] == local["virt_what"]
    assert remote["systemd_detect_virt"] == local["systemd_detect_virt"]
    assert [layer["iri"] for layer in remote["layers"]] == [
        layer["iri"] for layer in local["layers"]
    ]
    from_file = run_json(capsys, str(bundle))
    assert from_file["layers"] == local["layers"]


def test_identify_reads_json_and_directory_bundles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "bundle"
    (directory / "root" / "proc" / "1").mkdir(parents=True)
    (directory / "root" / "proc" / "1" / "environ").write_bytes(b"PATH=/bin\0container=podman\0")
    (directory / "cpuid-vendor.txt").write_text("\n")
    (directory / "uname-m.txt").write_text("x86_64\n")
    (directory / "dmidecode.unavailable").write_text("")
    assert run_json(capsys, str(directory))["virt_what"] == ["podman"]
    as_json = tmp_path / "bundle.json"
    as_json.write_text(json.dumps(from_directory(directory).to_json()))
    answer = run_json(capsys, str(as_json))
    assert answer["virt_what"] == ["podman"]
    assert answer["systemd_detect_virt"] == {"vm": "none", "container": "podman"}
    assert read_bundle(as_json) == from_directory(directory)


def test_identify_text_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps({"cpuid_vendor": "KVMKVMKVM", "machine": "x86_64"}))
    assert main(["identify", "--lang", "zh", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "KVM" in out and "硬件辅助虚拟化" in out
    assert "virt-what: kvm" in out and "systemd-detect-virt: vm=kvm" in out


def test_a_bad_bundle_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "bad.json"
    bundle.write_text('{"files": 3}')
    assert main(["identify", str(bundle)]) == 2
    assert "files" in capsys.readouterr().err


def test_a_confidential_guest_is_recognised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """IBM Secure Execution shows in a file an unprivileged process can read."""
    bundle = tmp_path / "z.json"
    bundle.write_text(
        json.dumps({"files": {"/sys/firmware/uv/prot_virt_guest": "1\n"}, "machine": "s390x"})
    )
    answer = run_json(capsys, str(bundle))
    assert [item["iri"].rsplit("/", 1)[-1] for item in answer["confidential_computing"]] == [
        "ibm-secure-execution"
    ]
