"""The README is tested: its settings table and routes match the code, its examples run, and
.ci/run runs its test command verbatim."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from kgapi.cli import main
from kgapi.settings import PROJECT_ROOT, markdown_table

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_settings_table_is_the_one_the_code_generates() -> None:
    start = README.index("<!-- settings-table")
    end = README.index("<!-- /settings-table -->")
    table = README[start:end].split("-->", 1)[1].strip()
    assert table == markdown_table()


def test_every_route_is_in_the_readme(app: Flask) -> None:
    documented = README.split("## HTTP", 1)[1].split("## Command line", 1)[0]
    missing = []
    for rule in app.url_map.iter_rules():
        if "assets" in rule.rule or rule.rule.startswith("/docs/"):
            continue  # static files of the UI and of /docs
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        if not re.search(rf"[ `]{re.escape(path)}[`?, ]", documented):
            missing.append(path)
    assert missing == []


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    commands = [block.strip() for block in fenced_blocks(README, "sh")]
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any(c.endswith("kgapi serve") for c in commands)


def test_readme_curl_examples_answer(client: FlaskClient) -> None:
    examples = [b for b in fenced_blocks(README, "sh") if b.lstrip().startswith("curl")]
    assert examples, "no curl examples found in the README"
    lines = " ".join(examples).replace("\\\n", " ").split("curl ")[1:]
    assert len(lines) >= 4
    for line in lines:
        words = shlex.split(line)
        headers = {}
        data = []
        url = ""
        for index, word in enumerate(words):
            if word == "-H":
                name, _, value = words[index + 1].partition(": ")
                headers[name] = value
            elif word == "--data-urlencode":
                data.append(words[index + 1])
            elif word.startswith("http"):
                url = word
        parts = urlsplit(url)
        query = "&".join(filter(None, [parts.query, *data]))
        response = client.get(f"{parts.path}?{query}", headers=headers)
        assert response.status_code == 200, (line, response.get_data(as_text=True)[:300])


def test_readme_explain_example_runs(tmp_path: Path) -> None:
    match = re.search(r"`kgapi explain (XenServer a \"[^\"]+\")`", README)
    assert match is not None
    args = shlex.split(match.group(1))
    assert main(["--cache-dir", str(tmp_path), "explain", *args]) == 0
