"""``rpnschema validate DIR`` (#16 item 4): every spec file under it, recursively, named by the
convention the pre-commit hook follows (``*.rpn.yaml``, ``*.rpn.yml``, ``*.rpn.json``), with
``--glob`` for other names and ``--exclude``; hidden folders are skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    root = tmp_path / "configs"
    for folder in ("sub", ".hidden", "old"):
        (root / folder).mkdir(parents=True)
    shutil.copy(ROOT / "examples/kan_bspline.yaml", root / "a.rpn.yaml")
    shutil.copy(ROOT / "tests/fixtures/invalid/hm_p_divides_n.yaml", root / "sub/b.rpn.yml")
    shutil.copy(ROOT / "examples/repeated_layers.json", root / "sub/c.rpn.json")
    (root / ".hidden/d.rpn.yaml").write_text("layers: [\n")
    shutil.copy(ROOT / "tests/fixtures/invalid/layer_chain.yaml", root / "old/e.rpn.yaml")
    (root / "training.yaml").write_text("lr: 0.1\n")  # not a spec: not named like one
    return root


def _files(output: str) -> list[str]:
    return [
        line.split(": ")[0]
        for line in output.splitlines()
        if ": ok (" in line or ": invalid (" in line
    ]


def test_a_directory_means_every_spec_under_it(configs: Path) -> None:
    result = runner.invoke(app, ["validate", "-q", str(configs)])
    assert result.exit_code == 1
    assert _files(result.output) == [
        str(configs / "a.rpn.yaml"),
        str(configs / "old/e.rpn.yaml"),
        str(configs / "sub/b.rpn.yml"),
        str(configs / "sub/c.rpn.json"),
    ]


def test_exclude_and_glob(configs: Path) -> None:
    result = runner.invoke(
        app, ["validate", "-q", str(configs), "--exclude", "old", "--exclude", "sub/b.*"]
    )
    assert result.exit_code == 0, result.output
    assert _files(result.output) == [str(configs / "a.rpn.yaml"), str(configs / "sub/c.rpn.json")]
    result = runner.invoke(app, ["validate", "-q", str(configs / "sub"), "--glob", "*.json"])
    assert _files(result.output) == [str(configs / "sub/c.rpn.json")]


def test_a_directory_without_specs_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "training.yaml").write_text("lr: 0.1\n")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: no spec files under {tmp_path} (names matching *.rpn.yaml, *.rpn.yml, "
        "*.rpn.json); name them so, or pass --glob PATTERN\n"
    )


def test_files_and_directories_mix(configs: Path) -> None:
    example = str(ROOT / "examples/iris_perceptron.yaml")  # a file is checked whatever its name
    result = runner.invoke(
        app, ["validate", "-q", example, str(configs / "sub"), "--exclude", "b.*"]
    )
    assert result.exit_code == 0, result.output
    assert _files(result.output) == [example, str(configs / "sub/c.rpn.json")]


def test_hash_and_upgrade_take_directories_too(configs: Path) -> None:
    import rpnschema

    result = runner.invoke(app, ["hash", str(configs), "--exclude", "old", "--exclude", "b.*"])
    assert result.exit_code == 0, result.output
    a, c = configs / "a.rpn.yaml", configs / "sub/c.rpn.json"
    assert result.stdout == f"{rpnschema.spec_hash(a)}  {a}\n{rpnschema.spec_hash(c)}  {c}\n"
    result = runner.invoke(app, ["upgrade", "--check", str(configs), "--exclude", "old"])
    assert result.exit_code == 1, result.output  # b (no spec_version) is version 1
    assert result.stderr.count("nothing to upgrade") == 2
    assert f"{configs / 'sub/b.rpn.yml'}: needs upgrade: spec_version 1 -> 2" in result.stderr
