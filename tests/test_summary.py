"""`rpnschema summary` and rpnschema.summary: figures agree with load_spec, no torch needed."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema.cli import app
from rpnschema.summary import DTYPE_BYTES, head_flops, human, summarize

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
runner = CliRunner()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_parameter_figures_equal_load_spec(path: Path) -> None:
    spec = rpnschema.load_spec(path)
    s = summarize(spec, batch=3, dtype="float64")
    assert s.total.parameters == spec.parameters
    assert sum(r.parameters for r in s.rows) == spec.parameters
    assert s.total.memory_bytes == 8 * spec.parameters
    heads = [r for r in s.rows if "head" in r.where]
    assert [r.D for r in heads] == [h.D for layer in spec.layers for h in layer.heads]
    assert s.total.flops.total == sum(r.flops.total for r in s.rows) > 0


def test_flops_scale_with_the_batch_except_reconciliation() -> None:
    spec = rpnschema.load_spec(ROOT / "examples/iris_perceptron.yaml")
    head = spec.layers[0].heads[0]  # m 4, D 20, n 1, lorr r 2, linear remainder
    one, two = head_flops(head, 1), head_flops(head, 2)
    lorr = 2 * 1 * 2 * 20
    assert one.matmul == 2 * 1 * 20 + lorr + 2 * 1 * 4
    assert two.matmul - lorr == 2 * (one.matmul - lorr)


def test_cli_table_and_json() -> None:
    path = str(ROOT / "examples/multihead_fusion.yaml")
    result = runner.invoke(app, ["summary", path, "--batch", "8"])
    assert result.exit_code == 0, result.output
    assert "layer 0 head 2" in result.output and "\n total " in result.output
    assert "parameters: 266 (1.04 KiB as float32)" in result.output
    result = runner.invoke(app, ["summary", path, "--format", "json", "--dtype", "bfloat16"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"]["parameters"] == 266
    assert data["total"]["memory_bytes"] == 266 * DTYPE_BYTES["bfloat16"]
    assert {"matmul", "elementwise", "total"} <= data["total"]["flops"].keys()


def test_cli_errors() -> None:
    path = str(ROOT / "examples/iris_perceptron.yaml")
    assert runner.invoke(app, ["summary", path, "--dtype", "int8"]).exit_code == 2
    assert runner.invoke(app, ["summary", "missing.yaml"]).exit_code == 2
    bad = str(ROOT / "tests/fixtures/invalid/layer_chain.yaml")
    assert runner.invoke(app, ["summary", bad]).exit_code == 1


def test_human() -> None:
    assert human(999) == "999"
    assert human(1_234_567) == "1.23 M"
    assert human(2048, "B") == "2.00 KiB"
    assert human(10, "B") == "10 B"
