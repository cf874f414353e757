"""Every output format, exactly, on a fixture with several errors in several files."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema import __version__
from rpnschema.cli import app

CI = Path(__file__).parent / "fixtures" / "ci"
FILES = ["a_bad.yaml", "b_typos.yaml", "c_ok.yaml"]
runner = CliRunner()


def _run(fmt: str, monkeypatch: pytest.MonkeyPatch, *extra: str):
    monkeypatch.chdir(CI)
    return runner.invoke(app, ["validate", "--format", fmt, *extra, *FILES])


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_format_output_is_exact(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(fmt, monkeypatch)
    assert result.exit_code == 1
    expected = (CI / f"expected.{fmt}").read_text()
    if fmt == "sarif":
        expected = expected.replace('"version": "0.1.0"', f'"version": "{__version__}"')
    assert result.output == expected


def test_github_annotations_one_per_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _run("github", monkeypatch, "--quiet").output.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 5
    assert errors[0].startswith("::error file=a_bad.yaml,line=7,col=54,title=rpnschema RPN402::")
    assert "%0A" in errors[0] and "\n" not in errors[0]
    assert not any(line.startswith("::notice") for line in lines)


def test_json_document(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = json.loads(_run("json", monkeypatch).output)
    assert doc["summary"] == {"files": 3, "invalid": 2, "errors": 5, "warnings": 0, "notices": 1}
    keys = {
        "code",
        "severity",
        "path",
        "message",
        "expected",
        "found",
        "suggestion",
        "file",
        "line",
        "column",
    }
    for f in doc["files"]:
        for d in f["diagnostics"]:
            assert set(d) == keys and d["line"] >= 1 and d["column"] >= 1


def test_sarif_structure(monkeypatch: pytest.MonkeyPatch) -> None:
    log = json.loads(_run("sarif", monkeypatch).output)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    results = run["results"]
    assert [r["ruleId"] for r in results] == [
        "RPN402",
        "RPN310",
        "RPN403",
        "RPN200",
        "RPN201",
        "RPN204",
    ]
    for r in results:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        loc = r["locations"][0]
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        assert loc["logicalLocations"][0]["fullyQualifiedName"]
    assert results[1]["level"] == "note"


def test_junit_one_case_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    root = ET.fromstring(_run("junit", monkeypatch).output.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == FILES
    assert cases[0].find("failure").get("type") == "RPN402"
    assert "a_bad.yaml:12:20" in cases[0].find("failure").text
    assert cases[2].find("failure") is None
