"""``rpnschema convert`` and ``validate --from``."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from rpnschema import load_spec
from rpnschema.cli.app import app
from rpnschema.interop import from_tinybig

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MULTIHEAD = str(EXAMPLES / "tinybig" / "multihead_layer.yaml")
KAN = str(EXAMPLES / "tinybig" / "iris_kan.yaml")


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_convert_tinybig_to_yaml_on_stdout_with_notices_on_stderr() -> None:
    result = _run("convert", MULTIHEAD)
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["semantics"] == "tinybig"
    assert data["layers"][0]["head_fusion"] == {"name": "mean_fusion"}
    assert "notice RPN502 layer_parameters: a multi-head layer without head_fusion_configs" in (
        result.stderr
    )
    assert result.stderr.startswith(f"{MULTIHEAD}:5:1: notice RPN502")
    quiet = _run("convert", MULTIHEAD, "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_convert_to_json_with_native_semantics_into_a_file(tmp_path: Path) -> None:
    out = tmp_path / "kan.json"
    result = _run(
        "convert", KAN, "--from", "tinybig", "--to", "json", "--semantics", "native", "-o", str(out)
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert "semantics: native" in result.stderr
    data = json.loads(out.read_text())
    assert data["semantics"] == "native" and data["name"] == "iris_kan"
    assert load_spec(data).parameters == 449


def test_convert_a_spec_to_tinybig_and_back(tmp_path: Path) -> None:
    out = tmp_path / "kan_tinybig.yaml"
    result = _run(
        "convert", str(EXAMPLES / "kan_bspline.yaml"), "--to", "tinybig", "-o", str(out), "-q"
    )
    assert result.exit_code == 0, result.output
    config = yaml.safe_load(out.read_text())
    assert config["configurations"]["model_configs"]["model_class"] == "tinybig.model.rpn"
    data, _ = from_tinybig(config, semantics="native")
    assert load_spec(data) == load_spec(EXAMPLES / "kan_bspline.yaml")
    as_json = _run(
        "convert", str(EXAMPLES / "kan_bspline.yaml"), "-o", str(tmp_path / "t.json"), "-q"
    )
    assert as_json.exit_code == 0
    assert "configurations" in json.loads((tmp_path / "t.json").read_text())


def test_convert_failures() -> None:
    unexpressible = _run(
        "convert", str(EXAMPLES / "multihead_fusion.yaml"), "--to", "tinybig", "-q"
    )
    assert unexpressible.exit_code == 1 and unexpressible.stdout == ""
    assert (
        "error RPN500 layers/0/output_process: tinybig 0.2.1's rpn_layer has no output_process"
        in (unexpressible.stderr)
    )
    missing = _run("convert", "nope.yaml")
    assert missing.exit_code == 2 and "cannot be read" in missing.stderr
    invalid = _run("convert", "tests/fixtures/invalid/layer_norm_size.yaml", "--to", "tinybig")
    assert invalid.exit_code == 1 and "RPN404" in invalid.stderr
    bad_option = _run("convert", MULTIHEAD, "--to", "xml")
    assert bad_option.exit_code == 2


def test_convert_native_spec_to_yaml_and_json(tmp_path: Path) -> None:
    result = _run("convert", str(EXAMPLES / "repeated_layers.json"), "--to", "yaml", "-q")
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout) == json.loads(
        (EXAMPLES / "repeated_layers.json").read_text()
    )


def test_validate_reads_tinybig_files_auto_or_forced(tmp_path: Path) -> None:
    auto = _run("validate", MULTIHEAD)
    assert auto.exit_code == 0
    assert auto.stdout.endswith(f"{MULTIHEAD}: ok (1 layer, 120 parameters, 2 notices)\n")
    forced = _run("validate", "--from", "tinybig", "-q", KAN)
    assert forced.exit_code == 0 and forced.stdout == f"{KAN}: ok (2 layers, 449 parameters)\n"
    native = _run("validate", "--from", "native", "-q", KAN)
    assert native.exit_code == 1 and "unknown key 'model_class'" in native.stdout
    wrong = _run("validate", "--from", "tinybig", "examples/iris_perceptron.yaml")
    assert wrong.exit_code == 1 and "not a tinybig config" in wrong.stdout
    strict = _run("validate", "--strict", MULTIHEAD)
    assert strict.exit_code == 1


def test_validate_json_report_has_tinybig_paths() -> None:
    result = _run("validate", "-f", "json", MULTIHEAD)
    doc = json.loads(result.stdout)
    (notice, *_) = doc["files"][0]["diagnostics"]
    assert (notice["code"], notice["path"], notice["line"]) == ("RPN502", "layer_parameters", 5)


def test_resolve_prints_the_normalized_spec_of_a_tinybig_file() -> None:
    result = _run("resolve", KAN)
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["parameters"] == 449 and data["semantics"] == "tinybig"
