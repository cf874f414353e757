"""Acceptance tests: every example is valid; every invalid fixture gives its exact report."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema.cli import app

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "tests" / "fixtures" / "invalid"
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
runner = CliRunner()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_valid(path: Path) -> None:
    result = runner.invoke(app, ["validate", "--quiet", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{path}: ok (")


def test_all_examples_at_once() -> None:
    result = runner.invoke(app, ["validate", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok (") == len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_invalid_fixture_report(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    expected = path.with_suffix(".expected").read_text()
    result = runner.invoke(app, ["validate", "--quiet", path.name])
    assert f"{result.output}exit {result.exit_code}\n" == expected


def test_several_invalid_files_report_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    names = ["hm_p_divides_n.yaml", "layer_chain.yaml", "unknown_key.yaml"]
    result = runner.invoke(app, ["validate", "-q", *names])
    assert result.exit_code == 1
    for name in names:
        assert f"{name}: invalid" in result.output
