"""Tests of the example plugin, as a plugin's authors would write them.

The first checks use the plugin object directly; the last ones use the installed package through
the ``rpnschema --plugin example`` command line, as users do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from rpnschema_example_plugin import BlockDiagonalReconciliation, SignedPowerExpansion, plugin

from rpnschema import build, plugins
from rpnschema.errors import Code
from rpnschema.schema import family_title
from rpnschema.testing import check_plugin
from rpnschema.validate import validate_data, validate_file

EXAMPLE = Path(__file__).resolve().parents[1] / "example.yaml"


def test_rules_agree_with_the_torch_modules():
    cases = check_plugin(
        plugin,
        examples={
            "signed_power_expansion": [
                SignedPowerExpansion(name="signed_power_expansion"),
                SignedPowerExpansion(name="signed_power_expansion", powers=[0.5, 1, 3]),
            ],
            "block_diagonal_reconciliation": [
                BlockDiagonalReconciliation(name="block_diagonal_reconciliation", blocks=2)
            ],
        },
    )
    # 2 blocks split (n, D) = (2, 4) and (4, 8) only; the gate needs m == n; the fusion one size
    assert [c for c in cases if c.startswith("block")] == [
        "block_diagonal_reconciliation(blocks=2) at reconciliation sizes (2, 4)",
        "block_diagonal_reconciliation(blocks=2) at reconciliation sizes (4, 8)",
    ]
    assert len(cases) == 6 + 2 + 2 + 2


def test_the_example_spec_validates_and_builds():
    with plugins.registered(plugin):
        result = validate_file(EXAMPLE)
        assert result.ok, result.diagnostics
        assert result.spec.parameters == 164
        model = build(result.spec, seed=0, dtype="float64")
        assert sum(p.numel() for p in model.parameters()) == 164
        x = torch.randn(5, 4, dtype=torch.float64)
        fast = model(x)
        assert fast.shape == (5, 3)
        for layer in model.layers:  # the reference path computes the same function
            for head in layer.heads:
                head.evaluation_path = "materialized"
        torch.testing.assert_close(model(x), fast)


def test_signed_power_computes_its_formula():
    with plugins.registered(plugin):
        spec = {
            "layers": [
                {
                    "m": 2,
                    "n": 1,
                    "heads": [{"expansion": {"name": "signed_power_expansion", "powers": [2]}}],
                }
            ]
        }
        model = build(spec, dtype="float64")
    x = torch.tensor([[-2.0, 3.0]], dtype=torch.float64)
    w = model.layers[0].heads[0].w.view(1, 2)
    torch.testing.assert_close(model(x), torch.tensor([[-4.0, 9.0]], dtype=torch.float64) @ w.T)


def test_a_block_count_that_does_not_divide_gets_a_suggestion():
    head = {
        "expansion": "identity_expansion",
        "reconciliation": {"name": "block_diagonal_reconciliation", "blocks": 4},
    }
    with plugins.registered(plugin):
        result = validate_data({"layers": [{"m": 6, "n": 2, "heads": [head]}]})
    [d] = [d for d in result.diagnostics if d.severity == "error"]
    assert d.code is Code.DIVISIBILITY
    assert d.path == ("layers", 0, "heads", 0, "reconciliation", "blocks")
    assert d.expected == "a common divisor of 2 and 6: [1, 2]"
    assert d.suggestion == "use blocks: 2"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rpnschema", *args], capture_output=True, text=True, timeout=120
    )


def test_installed_plugin_is_loaded_only_when_asked():
    without = _cli("validate", str(EXAMPLE))
    assert without.returncode == 1
    assert "unknown function 'signed_power_expansion'" in without.stdout
    loaded = _cli("--plugin", "example", "validate", str(EXAMPLE))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert loaded.stdout.endswith("ok (2 layers, 164 parameters, 3 notices)\n")


def test_installed_plugin_appears_in_the_schema_and_the_catalog():
    out = _cli("--plugin", "example", "schema")
    assert out.returncode == 0
    defs = json.loads(out.stdout)["$defs"]
    assert "signed_power_expansion" in defs[family_title("expansion")]["anyOf"][0]["enum"]
    assert "softmax_weighted_fusion" in defs["Fusion"]["anyOf"][0]["enum"]
    assert defs["SignedPowerExpansion"]["properties"]["powers"]["minItems"] == 1
    listed = _cli("--plugin", "example", "list", "--format", "json", "gated")
    assert [(e["name"], e["plugin"]) for e in json.loads(listed.stdout)] == [
        ("gated_identity_remainder", "example")
    ]
    table = _cli("--plugin", "example", "list", "--family", "fusion", "softmax")
    assert "softmax_weighted_fusion (plugin example)" in table.stdout


def test_installed_plugin_builds_from_the_command_line():
    out = _cli("--plugin", "example", "build", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    assert "parameters: 164 (inferred 164)" in out.stdout
    assert "forward check: output (4, 3), all finite: True" in out.stdout


def test_validating_with_the_plugin_does_not_import_torch():
    code = (
        "import sys\n"
        "from rpnschema.plugins import load_entry_points\n"
        "from rpnschema.validate import validate_file\n"
        "load_entry_points(['example'])\n"
        f"assert validate_file({str(EXAMPLE)!r}).ok\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


@pytest.mark.parametrize("env", ["example", "all"])
def test_the_environment_variable_loads_plugins(env, monkeypatch):
    import os

    result = subprocess.run(
        [sys.executable, "-m", "rpnschema", "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env={**os.environ, "RPNSCHEMA_PLUGINS": env},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_converting_to_tinybig_names_each_plugin_component():
    out = _cli("--plugin", "example", "convert", "--to", "tinybig", "-q", str(EXAMPLE))
    assert out.returncode == 1
    errors = [line for line in out.stderr.splitlines() if " error RPN500 " in line]
    assert [line.split(" error RPN500 ")[1].split(":")[0] for line in errors] == [
        "layers/0/heads/0/expansion",
        "layers/0/heads/0/reconciliation",
        "layers/0/heads/0/remainder",
        "layers/0/heads/1/channel_fusion",
        "layers/0/head_fusion",
        "layers/1/heads/0/expansion",
    ]
    assert "Traceback" not in out.stderr
