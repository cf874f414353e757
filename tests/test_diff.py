"""`rpnschema hash` and `rpnschema diff`: canonical hashes and architectural differences."""

import json
from pathlib import Path

from typer.testing import CliRunner

import rpnschema
from rpnschema import io
from rpnschema.canonical import spec_hash
from rpnschema.cli import app
from rpnschema.diff import diff

ROOT = Path(__file__).resolve().parents[1]
IRIS = ROOT / "examples/iris_perceptron.yaml"
runner = CliRunner()

TERSE = """
layers:
  - {m: 4, n: 1, heads: [{expansion: taylor_expansion}]}
"""
# The same spec: other key order, flow vs block style, comments, defaults spelled out.
SPELLED = """
# a comment
spec_version: 1
name: rpn_model
semantics: native
dtype: float32
layers:
  - heads:
      - remainder: {name: zero_remainder}
        reconciliation: identity_reconciliation
        expansion:
          d: 2
          name: taylor_expansion
        channels: 1
    n: 1
    m: 4
    width: 1
"""


def _hash(text: str, suffix: str = ".yaml") -> str:
    return spec_hash(rpnschema.validate_text(text, file=f"spec{suffix}").unwrap())


def test_hash_ignores_formatting_order_and_spelled_out_defaults() -> None:
    as_json = json.dumps(io.parse(SPELLED, file="s.yaml").data, indent=4)
    assert _hash(TERSE) == _hash(SPELLED) == _hash(as_json, ".json")
    assert _hash(TERSE) != _hash(
        TERSE.replace("taylor_expansion", "{name: taylor_expansion, d: 3}")
    )


def test_hash_of_the_resolved_spec_is_the_same(tmp_path: Path) -> None:
    out = tmp_path / "resolved.yaml"
    assert runner.invoke(app, ["resolve", str(IRIS), "--out", str(out)]).exit_code == 0
    a = runner.invoke(app, ["hash", str(IRIS)])
    b = runner.invoke(app, ["hash", str(out)])
    assert a.exit_code == b.exit_code == 0
    assert a.output.split()[0] == b.output.split()[0] == spec_hash(rpnschema.load_spec(IRIS))
    assert len(a.output.split()[0]) == 64


def test_hash_exit_codes() -> None:
    assert runner.invoke(app, ["hash", "missing.yaml"]).exit_code == 2
    bad = str(ROOT / "tests/fixtures/invalid/layer_chain.yaml")
    assert runner.invoke(app, ["hash", bad]).exit_code == 1


def test_diff_equal_exits_0(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.json"
    a.write_text(TERSE)
    b.write_text(json.dumps(io.parse(SPELLED, file="s.yaml").data))
    result = runner.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("equal (sha256 ")


def test_diff_reports_changes_with_dims_and_parameter_deltas(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(TERSE)
    b.write_text(
        TERSE.replace("taylor_expansion", "{name: taylor_expansion, d: 3}").replace("n: 1", "n: 2")
        + "  - {n: 1, heads: [{expansion: identity_expansion}]}\n"
    )
    result = runner.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "~ layers/0/heads/0/expansion/d: 2 -> 3" in lines
    assert (
        "~ layers/0/heads/0: n 1 -> 2, D 20 -> 84, l 20 -> 168, output_dim 1 -> 2, "
        "parameters 20 -> 168 (+148)" in lines
    )
    assert "+ layers/1: m 2, n 1, width 1, output_dim 1, parameters 2, 1 head" in lines
    assert lines[-1] == "parameters: 20 -> 170 (+150); 5 changes"

    data = json.loads(runner.invoke(app, ["diff", str(a), str(b), "-f", "json"]).output)
    assert data["equal"] is False and data["parameters"] == {"a": 20, "b": 170, "delta": 150}
    kinds = {(c["kind"], c["path"]) for c in data["changes"]}
    assert ("added", "layers/1") in kinds and ("changed", "depth") in kinds


def test_diff_renamed_component_is_one_change() -> None:
    a = rpnschema.validate_text(TERSE, file="a.yaml").unwrap()
    b = rpnschema.validate_text(TERSE.replace("taylor", "chebyshev"), file="b.yaml").unwrap()
    changes = [c for c in diff(a, b).changes if c.path.endswith("/expansion")]
    assert len(changes) == 1
    assert changes[0].before["name"] == "taylor_expansion"
    assert changes[0].after["name"] == "chebyshev_expansion"


def test_diff_removed_head_and_invalid_input(tmp_path: Path) -> None:
    spec = rpnschema.load_spec(ROOT / "examples/multihead_fusion.yaml")
    fewer = spec.to_data()
    del fewer["layers"][0]["heads"][2]
    for key in ("width", "parameters", "output_dim", "head_fusion"):
        fewer["layers"][0].pop(key)
    del fewer["parameters"]
    result = diff(spec, rpnschema.validate_data(fewer).unwrap())
    removed = [c for c in result.changes if c.kind == "removed"]
    assert removed[0].path == "layers/0/heads/2" and removed[0].parameters_delta == -22
    bad = str(ROOT / "tests/fixtures/invalid/layer_chain.yaml")
    assert runner.invoke(app, ["diff", str(IRIS), bad]).exit_code == 2
    assert runner.invoke(app, ["diff", str(IRIS), "missing.yaml"]).exit_code == 2
