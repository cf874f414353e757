"""`rpnschema space check | sample | grid | schema` through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.space.schema import SPACE_SCHEMA_FILE, render

from .conftest import EXAMPLE, ROOT, small_space

runner = CliRunner()


def _write_space(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "small.space.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_check_reports_counts_and_reasons() -> None:
    result = runner.invoke(app, ["space", "check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{EXAMPLE}: ok (3 dimensions, 462 candidates, checked all)"
    assert lines[1] == "  valid and within budget: 368 (79.7%)"
    assert lines[2] == "  invalid:                 84 (18.2%)"
    assert lines[3].startswith("    RPN402: 84, e.g. layers/0/heads/0/reconciliation/p: p (=3)")
    assert lines[4] == "  over budget:             10 (2.2%)"
    assert lines[5].startswith("    RPN408 max_parameters: 10, e.g. ")


def test_check_json_matches_the_api() -> None:
    result = runner.invoke(app, ["space", "check", str(EXAMPLE), "-f", "json"])
    data = json.loads(result.output)
    assert (data["size"], data["accepted"], data["invalid"], data["over_budget"]) == (
        462,
        368,
        84,
        10,
    )
    assert data["reasons"] == {"RPN402": 84, "RPN408 max_parameters": 10}


def test_check_samples_large_spaces() -> None:
    args = ["space", "check", str(EXAMPLE), "--exhaustive-limit", "10", "--samples", "50"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "checked 50 drawn at random" in result.output
    assert "of 462)" in result.output and "±" in result.output


def test_check_exits_1_when_nothing_is_accepted(tmp_path: Path) -> None:
    path = _write_space(tmp_path, small_space(max_parameters=1))
    result = runner.invoke(app, ["space", "check", str(path)])
    assert result.exit_code == 1
    assert "no candidate is valid and within budget (RPN704)" in result.output


def test_sample_writes_valid_specs_reproducibly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["space", "sample", str(EXAMPLE), "-n", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.yaml"))
    assert [f.name for f in files] == [f"digits-00{i}.yaml" for i in range(1, 5)]
    check = runner.invoke(app, ["validate", *map(str, files)])
    assert check.exit_code == 0, check.output
    for f in files:
        spec = yaml.safe_load(f.read_text())
        assert spec["layers"][0]["n"] in (16, 32, 64)
    again = tmp_path / "again"
    runner.invoke(app, ["space", "sample", str(EXAMPLE), "-n", "4", "--out", str(again)])
    assert [f.read_text() for f in files] == [(again / f.name).read_text() for f in files]


def test_sample_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    args = ["space", "sample", str(EXAMPLE), "-n", "1", "--out", str(tmp_path)]
    assert runner.invoke(app, args).exit_code == 0
    second = runner.invoke(app, args)
    assert second.exit_code == 2 and "pass --force" in second.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_sample_reports_too_few_candidates(tmp_path: Path) -> None:
    path = _write_space(tmp_path, small_space(max_parameters=150))
    result = runner.invoke(app, ["space", "sample", str(path), "-n", "40", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "RPN704" in result.output and "found 10 of 40 accepted candidates" in result.output


def test_grid_writes_every_accepted_candidate(tmp_path: Path) -> None:
    path = _write_space(tmp_path, small_space(max_parameters=150))
    result = runner.invoke(app, ["space", "grid", str(path), "-o", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "10 of 12 candidates are valid and within budget"
    assert len(list((tmp_path / "g").glob("*.yaml"))) == 10


def test_grid_refuses_continuous_spaces(tmp_path: Path) -> None:
    data = small_space()
    data["dimensions"]["layers/0/heads/0/expansion"] = {
        "choice": {"fourier_expansion": {"P": "float[1..10]"}}
    }
    path = _write_space(tmp_path, data)
    result = runner.invoke(app, ["space", "grid", str(path), "-o", str(tmp_path / "g")])
    assert result.exit_code == 2
    assert "a continuous dimension: too many to enumerate" in result.output


def test_the_committed_space_schema_is_current() -> None:
    assert (ROOT / "schemas" / SPACE_SCHEMA_FILE).read_text() == render()


def test_the_space_schema_accepts_the_example_and_rejects_a_malformed_space() -> None:
    import jsonschema

    schema = json.loads(render())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(yaml.safe_load(EXAMPLE.read_text())))
    bad = {"base": "b.yaml", "dimensions": {"seed": {"int": [1, 2], "bogus": 1}}}
    assert list(validator.iter_errors(bad))
    assert list(validator.iter_errors({"base": "b.yaml", "dimension": {}}))


def test_space_check_does_not_import_torch() -> None:
    code = (
        "import sys; from rpnschema.cli import main; sys.argv = ['rpnschema', 'space', 'check', "
        f"{str(EXAMPLE)!r}, '--exhaustive-limit', '5', '--samples', '5']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "assert 'torch' not in sys.modules and 'optuna' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
