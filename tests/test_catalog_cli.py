"""`rpnschema list` (the catalog) and `rpnschema new` (starter specs that validate)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema.cli import app
from rpnschema.spec import CATALOG, PRESET_TYPES
from rpnschema.spec.model_presets import MODEL_PRESET_TYPES
from rpnschema.templates import TEMPLATES

runner = CliRunner()


def test_list_covers_the_catalog_and_presets() -> None:
    result = runner.invoke(app, ["list", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    presets = ("preset", "model_preset")
    assert {r["name"] for r in rows if r["family"] not in presets} == set(CATALOG)
    assert len([r for r in rows if r["family"] == "preset"]) == len(PRESET_TYPES)
    assert len([r for r in rows if r["family"] == "model_preset"]) == len(MODEL_PRESET_TYPES)
    taylor = next(r for r in rows if r["name"] == "taylor_expansion")
    assert taylor["parameters"] == "d=2" and "D = sum" in taylor["rule"]


def test_list_filters() -> None:
    result = runner.invoke(app, ["list", "--family", "remainder"])
    assert result.exit_code == 0, result.output
    assert "linear_remainder" in result.output and "taylor" not in result.output
    assert "5 entries" in result.output
    rows = json.loads(runner.invoke(app, ["list", "lorr", "-f", "json"]).output)
    assert rows and all("lorr" in r["name"] for r in rows)
    assert runner.invoke(app, ["list", "--family", "nope"]).exit_code == 2


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_every_template_validates(template: str, tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = runner.invoke(app, ["new", template, "--out", str(out)])
    assert result.exit_code == 0, result.output
    spec = rpnschema.load_spec(out)
    assert result.output == f"wrote {out} ({template}; {spec.parameters:,} parameters)\n"
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    assert runner.invoke(app, ["new", template, "--out", str(out)]).exit_code == 2  # exists
    assert runner.invoke(app, ["new", template, "--out", str(out), "--force"]).exit_code == 0


def test_new_with_overrides_and_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "mlp", "--set", "dims=[4, 8, 2]"])
    assert result.exit_code == 0, result.output
    spec = rpnschema.validate_text(result.output, file="s.yaml").unwrap()
    assert [layer.m for layer in spec.layers] == [4, 8]
    result = runner.invoke(app, ["new", "mlp", "--set", "head.reconciliation.r=0"])
    assert result.exit_code == 1
    assert "from --set head.reconciliation.r=0" in result.output
    assert runner.invoke(app, ["new", "nope"]).exit_code == 2
    assert runner.invoke(app, ["new", "mlp", "--set", "oops"]).exit_code == 2
