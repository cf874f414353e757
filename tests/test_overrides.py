"""`--set PATH=VALUE` overrides: applied before validation, typed, errors located at the path."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema import io
from rpnschema.cli import app
from rpnschema.errors import LoadError
from rpnschema.overrides import apply_overrides, parse_override

ROOT = Path(__file__).resolve().parents[1]
IRIS = str(ROOT / "examples/iris_perceptron.yaml")
KAN = str(ROOT / "examples/kan_bspline.yaml")
runner = CliRunner()


def test_values_are_yaml() -> None:
    assert parse_override("a.b=3").value == 3
    assert parse_override("a=true").value is True
    assert parse_override("dims=[2, 3, 1]").value == [2, 3, 1]
    assert parse_override("x={name: lorr_reconciliation, r: 2}").value == {
        "name": "lorr_reconciliation",
        "r": 2,
    }
    assert parse_override("name=a=b").value == "a=b"
    assert parse_override("seed=").value is None


@pytest.mark.parametrize("text", ["no_equals", "=3", "a..b=1", "a=[unclosed"])
def test_malformed_overrides_are_usage_errors(text: str) -> None:
    with pytest.raises(LoadError):
        parse_override(text)


def test_python_tags_are_not_evaluated() -> None:
    with pytest.raises(LoadError):
        parse_override("x=!!python/object/apply:os.system [echo]")


def test_apply_sets_appends_removes_and_expands_shorthand() -> None:
    doc = io.load(IRIS)
    new, paths = apply_overrides(
        doc,
        [
            "layers.0.heads.0.expansion.d=3",
            "layers.0.heads.0.remainder=zero_remainder",
            "seed=null",
            "layers.1={n: 2, heads: [identity_expansion]}",
        ],
    )
    assert doc.data["layers"][0]["heads"][0]["expansion"]["d"] == 2  # the original is intact
    head = new.data["layers"][0]["heads"][0]
    assert head["expansion"]["d"] == 3 and head["remainder"] == "zero_remainder"
    assert "seed" not in new.data and len(new.data["layers"]) == 2
    assert paths[0] == ("layers", 0, "heads", 0, "expansion", "d")
    assert ("layers", 0, "heads", 0, "expansion", "d") not in new.values


def test_step_into_a_component_name_makes_a_mapping() -> None:
    doc = io.parse("layers: [{m: 2, n: 1, heads: [{expansion: taylor_expansion}]}]", file="s.yaml")
    new, _ = apply_overrides(doc, ["layers.0.heads.0.expansion.d=3"])
    expansion = new.data["layers"][0]["heads"][0]["expansion"]
    assert expansion == {"name": "taylor_expansion", "d": 3}
    assert rpnschema.validate_data(new.data).unwrap().layers[0].heads[0].D == 2 + 4 + 8


def test_validate_with_overrides() -> None:
    result = runner.invoke(app, ["validate", IRIS, "--set", "layers.0.heads.0.expansion.d=3"])
    assert result.exit_code == 0, result.output
    assert "ok (1 layer, 176 parameters)" in result.output


def test_bad_override_is_located_at_its_path() -> None:
    args = ["validate", IRIS, "-f", "json", "--set", "layers.0.heads.0.expansion.d=abc"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    (diag,) = json.loads(result.output)["files"][0]["diagnostics"]
    assert diag["path"] == "layers/0/heads/0/expansion/d"
    assert diag["message"].endswith("(from --set layers.0.heads.0.expansion.d=abc)")
    assert diag["line"] is None and diag["code"] == "RPN203"


def test_unknown_key_and_bad_index() -> None:
    result = runner.invoke(app, ["validate", IRIS, "--set", "layers.0.heads.0.expansion.dd=3"])
    assert result.exit_code == 1
    assert "from --set layers.0.heads.0.expansion.dd=3" in result.output
    assert "did you mean" in result.output
    result = runner.invoke(app, ["validate", IRIS, "--set", "layers.5.n=2"])
    assert result.exit_code == 2
    assert "is a list of 1" in result.output


def test_resolve_and_summary_see_the_override() -> None:
    result = runner.invoke(app, ["resolve", KAN, "-f", "json", "--set", "dims=[2, 3, 1]"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["layers"]) == 2
    result = runner.invoke(app, ["summary", KAN, "-f", "json", "--set", "head.t=2"])
    assert result.exit_code == 0, result.output
    before = rpnschema.load_spec(KAN).parameters
    assert json.loads(result.output)["total"]["parameters"] < before
