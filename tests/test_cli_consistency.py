"""Commands that look alike behave alike (#16 item 22): ``hash`` takes several files like
sha256sum, ``convert -o`` and ``new --out`` both need ``--force`` to overwrite, ``diff`` and
``validate`` write paths the same way, and tables fit 120 columns when piped."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
runner = CliRunner()


def test_hash_takes_several_files_like_sha256sum(tmp_path: Path) -> None:
    a, b = ROOT / "examples/kan_bspline.yaml", ROOT / "examples/iris_perceptron.yaml"
    result = runner.invoke(app, ["hash", str(a), str(b)])
    assert result.exit_code == 0
    assert result.output == (f"{rpnschema.spec_hash(a)}  {a}\n{rpnschema.spec_hash(b)}  {b}\n")
    bad = ROOT / "tests/fixtures/invalid/hm_p_divides_n.yaml"
    result = runner.invoke(app, ["hash", str(bad), str(a)])
    assert result.exit_code == 1 and f"{rpnschema.spec_hash(a)}  {a}\n" in result.stdout
    assert "RPN402" in result.stderr
    result = runner.invoke(app, ["hash", str(tmp_path / "missing.yaml"), str(bad), str(a)])
    assert result.exit_code == 2 and result.stdout.endswith(f"  {a}\n")


def test_convert_out_needs_force_like_new(tmp_path: Path) -> None:
    out = tmp_path / "kan.yaml"
    out.write_text("precious\n")
    source = str(ROOT / "examples/tinybig/iris_kan.yaml")
    for argv in (
        ["convert", source, "-o", str(out)],
        ["new", "mlp", "--out", str(out)],
        ["resolve", str(ROOT / "examples/kan_bspline.yaml"), "--out", str(out)],
    ):
        result = runner.invoke(app, argv)
        assert result.exit_code == 2
        assert result.stderr == f"error: {out} exists; use --force to overwrite it\n"
        assert out.read_text() == "precious\n"
    result = runner.invoke(app, ["convert", source, "-o", str(out), "--force", "-q"])
    assert result.exit_code == 0 and rpnschema.load_spec(out).layers


def test_diff_paths_are_written_like_validate_paths(tmp_path: Path) -> None:
    a = ROOT / "examples/multihead_fusion.yaml"
    b = tmp_path / "variant.yaml"
    b.write_text(a.read_text().replace("d: 2", "d: 3", 1))
    result = runner.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 1
    assert "~ layers/0/heads/0/expansion/d: 2 -> 3\n" in result.output
    assert " /layers" not in result.output


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_summary_fits_120_columns_when_piped(path: Path) -> None:
    result = runner.invoke(app, ["summary", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 120


def test_list_fits_120_columns_when_piped() -> None:
    result = runner.invoke(app, ["list"], env={"COLUMNS": "300"})
    assert max(len(line) for line in result.output.splitlines()) <= 120


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
def test_build_table_fits_120_columns_when_piped() -> None:
    for name in ("mnist_taylor.yaml", "multihead_fusion.yaml"):
        argv = ["build", str(ROOT / "examples" / name), "--device", "meta", "--no-check"]
        result = runner.invoke(app, argv, env={"COLUMNS": "300"})
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.output.splitlines()) <= 120
