"""Checking a space: every invalid fixture gives its exact report; the example is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.errors import Code, SpecError
from rpnschema.space import check_space_data, load_space

from .conftest import BASE, EXAMPLE, small_space

INVALID = Path(__file__).resolve().parents[1] / "fixtures" / "space" / "invalid"
FIXTURES = sorted(p for p in INVALID.glob("*.yaml") if p.name != "base.yaml")
runner = CliRunner()


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_invalid_space_report(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    expected = path.with_suffix(".expected").read_text()
    result = runner.invoke(app, ["space", "check", path.name])
    assert f"{result.output}exit {result.exit_code}\n" == expected


def test_every_space_code_has_a_fixture() -> None:
    reported = "".join(p.with_suffix(".expected").read_text() for p in FIXTURES)
    for code in (Code.SPACE_PATH, Code.SPACE_CHOICE, Code.SPACE_RANGE, Code.SPACE_BASE):
        assert code.value in reported


def test_the_example_space_is_valid() -> None:
    space = load_space(EXAMPLE)
    assert space.size == 462
    assert space.spec.budgets.max_parameters == 30_000


def test_load_space_raises_every_problem_located() -> None:
    data = small_space()
    data["dimensions"]["layers/9/n"] = [1]
    data["dimensions"]["layers/0/heads/0/expansion"] = {"choice": {"taylor_expanson": {}}}
    with pytest.raises(SpecError) as e:
        load_space(data)
    codes = sorted(d.code.value for d in e.value.diagnostics)
    assert codes == ["RPN700", "RPN701"]


def test_an_invalid_base_is_reported_with_its_first_error() -> None:
    result = check_space_data({"base": {**BASE, "depth": 0}, "dimensions": {"seed": [1]}})
    assert not result.ok
    (d,) = result.diagnostics
    assert d.code is Code.SPACE_BASE
    assert "depth must be >= 1" in d.message and d.path == ("base",)


def test_a_base_file_beside_the_space_is_read(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "base.yaml").write_text(EXAMPLE.with_name("digits_base.yaml").read_text())
    space = tmp_path / "s.yaml"
    space.write_text("base: specs/base.yaml\ndimensions:\n  layers/0/n: [8, 16]\n")
    assert load_space(space).size == 2


def test_a_space_that_is_not_a_mapping() -> None:
    result = check_space_data([1, 2])
    assert [d.code for d in result.diagnostics] == [Code.NOT_A_MAPPING]


def test_a_missing_space_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["space", "check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "RPN103" in result.output
