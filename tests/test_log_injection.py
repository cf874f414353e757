"""Untrusted text in reports cannot inject lines, workflow commands or control characters into a
CI log, nor make JUnit XML ill-formed (#15, class 7)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema.cli.app import app
from rpnschema.errors import Code, Diagnostic
from rpnschema.report import REPORTERS, FileReport, no_command, printable

EVIL = "x\n::error file=a.py,line=1::pwned\r\n##[warning]boom\x1b[31m\u2028\x85\x00"


def _spec(tmp_path: Path) -> Path:
    doc = {
        "spec_version": 1,
        "dims": [4, 2],
        "head": {"expansion": "identity_expansion"},
        EVIL: 1,
        "name": EVIL,
    }
    f = tmp_path / "evil.json"
    f.write_text(json.dumps(doc))
    return f


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "json", "sarif"])
def test_no_format_lets_a_spec_start_a_line(fmt: str, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["validate", str(_spec(tmp_path)), "-f", fmt]).output
    assert "Traceback" not in out
    lines = out.split("\n")
    for line in lines:
        assert not line.lstrip().startswith("##[")
        assert "\x1b" not in line and "\r" not in line and "\u2028" not in line
        if fmt != "github":
            assert not line.lstrip().startswith("::"), line
    if fmt == "github":  # only the annotations rpnschema writes itself
        commands = [line for line in lines if line.startswith("::")]
        assert len(commands) == 2
        assert all(line.startswith("::error file=") for line in commands)
        assert all("pwned" in line for line in commands)  # the text is there, escaped
    if fmt == "junit":
        ET.fromstring(out.split("\n", 1)[1])  # well-formed XML
    if fmt in ("json", "sarif"):
        doc = json.loads(out)  # well-formed, the text escaped by JSON only
        assert doc and "pwned" in out


def test_printable_escapes_every_non_printable_character() -> None:
    assert printable("plain ü 😀") == "plain ü 😀"
    assert printable("a\nb\t\x1b\u2028\ud800") == "a\\nb\\t\\x1b\\u2028\\ud800"


def test_no_command_defuses_workflow_commands() -> None:
    assert no_command("::error::x") == "\\x3a:error::x"
    assert no_command("  ##[group]x") == "  \\x23#[group]x"
    assert no_command("file.yaml: ::error::x") == "file.yaml: ::error::x"


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_a_crafted_file_name_or_path_is_escaped(fmt: str) -> None:
    d = Diagnostic(Code.UNKNOWN_KEY, "unknown key", path=("a\nb",), file="::warning::f\n.yaml")
    out = REPORTERS[fmt]([FileReport("::warning::f\n.yaml", [d], failed=True)])
    if fmt in ("text", "github", "junit"):
        assert "a\\nb" in out
        starts = [line.lstrip()[:2] for line in out.splitlines()]
        assert starts.count("::") == (1 if fmt == "github" else 0)
