"""The command line: exit codes, formats, resolve, and no torch on the validation path."""

import json
import subprocess
import sys

from typer.testing import CliRunner

from rpnschema import __version__, validate_text
from rpnschema.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"rpnschema {__version__}\n"


def test_help_lists_commands_and_exit_codes() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("validate", "resolve", "Exit codes"):
        assert word in result.output


def test_exit_codes() -> None:
    ok = runner.invoke(app, ["validate", "examples/iris_perceptron.yaml"])
    assert (
        ok.exit_code == 0
        and ok.output == "examples/iris_perceptron.yaml: ok (1 layer, 48 parameters)\n"
    )
    bad = runner.invoke(app, ["validate", "tests/fixtures/invalid/layer_chain.yaml"])
    assert bad.exit_code == 1
    missing = runner.invoke(app, ["validate", "nope.yaml", "examples/iris_perceptron.yaml"])
    assert missing.exit_code == 2
    assert "nope.yaml: cannot be read" in missing.output
    usage = runner.invoke(app, ["validate"])
    assert usage.exit_code == 2
    syntax = runner.invoke(app, ["validate", "tests/fixtures/invalid/syntax_error.yaml"])
    assert syntax.exit_code == 2


def test_strict_fails_on_notices() -> None:
    loose = runner.invoke(app, ["validate", "examples/kan_bspline.yaml"])
    strict = runner.invoke(app, ["validate", "--strict", "examples/kan_bspline.yaml"])
    assert loose.exit_code == 0
    assert strict.exit_code == 1
    assert "notice RPN313" in strict.output


def test_json_format_is_stable() -> None:
    result = runner.invoke(
        app,
        [
            "validate",
            "--format",
            "json",
            "tests/fixtures/invalid/hm_p_divides_n.yaml",
            "examples/iris_perceptron.yaml",
        ],
    )
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["format"] == "rpnschema-report" and doc["version"] == 1
    assert doc["summary"] == {"files": 2, "invalid": 1, "errors": 1, "warnings": 0, "notices": 0}
    (err,) = doc["files"][0]["diagnostics"]
    assert err == {
        "code": "RPN402",
        "severity": "error",
        "path": "layers/0/heads/0/reconciliation/p",
        "message": "p (=3) must divide n (=4)",
        "expected": "a divisor of 4: 1, 2, 4",
        "found": "3",
        "suggestion": "use p: 2",
        "file": "tests/fixtures/invalid/hm_p_divides_n.yaml",
        "line": 6,
        "column": 54,
    }
    assert doc["files"][1]["parameters"] == 48


def test_stdin() -> None:
    text = "layers: [{m: 3, n: 2, heads: [{expansion: taylor_expansion}]}]\n"
    result = runner.invoke(app, ["validate", "-q", "-"], input=text)
    assert result.exit_code == 0
    assert result.output.startswith("-: ok (1 layer, 24 parameters")


def test_resolve_prints_a_valid_normalized_spec(tmp_path) -> None:
    result = runner.invoke(app, ["resolve", "examples/kan_bspline.yaml"])
    assert result.exit_code == 0
    again = validate_text(result.output, format="yaml")
    assert again.ok and again.spec.parameters == 360
    assert [layer.m for layer in again.spec.layers] == [2, 5, 5]
    out = tmp_path / "resolved.json"
    result = runner.invoke(
        app, ["resolve", "-f", "json", "-o", str(out), "examples/kan_bspline.yaml"]
    )
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text())["layers"][0]["heads"][0]["D"] == 16


def test_resolve_of_invalid_spec_exits_1() -> None:
    result = runner.invoke(app, ["resolve", "tests/fixtures/invalid/layer_chain.yaml"])
    assert result.exit_code == 1
    assert "RPN400" in result.output


def test_validation_never_imports_torch() -> None:
    code = (
        "import sys, rpnschema\n"
        "from rpnschema.cli import app\n"
        "from typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['validate', 'examples/mnist_taylor.yaml'])\n"
        "assert r.exit_code == 0, r.output\n"
        "rpnschema.load_spec('examples/dual_lphm_mnist.yaml')\n"
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
