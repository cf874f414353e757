"""The summary's figures against the built module: parameter counts and measured matmul FLOPs."""

from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import rpnschema
from rpnschema.summary import summarize

ROOT = Path(__file__).resolve().parents[2]
SMALL = [
    p
    for p in sorted((ROOT / "examples").glob("*"))
    if p.suffix in (".yaml", ".json") and "mnist" not in p.name
]


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_parameters_equal_the_built_module(path: Path) -> None:
    spec = rpnschema.load_spec(path)
    module = rpnschema.build(spec, seed=0)
    built = sum(p.numel() for p in module.parameters())
    assert summarize(spec).total.parameters == built


def _measured(spec, batch: int) -> int:
    module = rpnschema.build(spec, seed=0)
    for head in module.modules():  # the summary counts the reference (materialized) evaluation
        if hasattr(head, "evaluation_path"):
            head.evaluation_path = "materialized"
    x = torch.randn(batch, spec.layers[0].m, generator=torch.Generator().manual_seed(0))
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(x)
    return counter.get_total_flops()


@pytest.mark.parametrize(
    ("expansion", "reconciliation", "remainder", "channels", "width"),
    [
        ("identity_expansion", "identity_reconciliation", "zero_remainder", 1, 1),
        ({"name": "taylor_expansion", "d": 2}, "identity_reconciliation", "linear_remainder", 1, 1),
        (
            {"name": "taylor_expansion", "d": 2},
            {"name": "lorr_reconciliation", "r": 2},
            "linear_remainder",
            2,
            2,
        ),
        ("identity_expansion", {"name": "lorr_reconciliation", "r": 1}, "zero_remainder", 3, 1),
    ],
)
def test_matmul_flops_equal_a_measured_count(expansion, reconciliation, remainder, channels, width):
    data = {
        "layers": [
            {
                "m": 3,
                "n": 4,
                "width": width,
                "heads": [
                    {
                        "expansion": expansion,
                        "reconciliation": reconciliation,
                        "remainder": remainder,
                        "channels": channels,
                    }
                ],
            },
            {"n": 2, "heads": [{"expansion": "identity_expansion"}]},
        ]
    }
    spec = rpnschema.validate_data(data).unwrap()
    for batch in (2, 5):  # batch 1 takes matrix-vector kernels the counter skips
        assert summarize(spec, batch=batch).total.flops.matmul == _measured(spec, batch)


def test_build_takes_overrides() -> None:
    from typer.testing import CliRunner

    from rpnschema.cli import app

    path = str(ROOT / "examples/iris_perceptron.yaml")
    args = ["build", path, "--set", "layers.0.heads.0.expansion.d=3", "--no-check"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "parameters: 176 (inferred 176)" in result.output


def test_hash_command_equals_the_hash_stored_in_saved_models(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rpnschema.cli import app
    from rpnschema.compile.serialize import stored_hash

    path, out = str(ROOT / "examples/kan_bspline.yaml"), tmp_path / "kan.safetensors"
    runner = CliRunner()
    assert runner.invoke(app, ["build", path, "--out", str(out), "--no-check"]).exit_code == 0
    result = runner.invoke(app, ["hash", path])
    assert result.output.split()[0] == stored_hash(out)
