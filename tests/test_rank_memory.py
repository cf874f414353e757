"""Per-rank training memory estimates (``rpnschema summary --world-size``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import rpnschema
from rpnschema.cli.app import app
from rpnschema.rank_memory import rank_memory, units

# two heads (taylor d=2 on m=3: D = 12, l = 4 * 12) and a layer of one head
SPEC = {
    "layers": [
        {"m": 3, "n": 4, "width": 2, "heads": [{"expansion": "taylor_expansion"}]},
        {"n": 2, "heads": [{"expansion": {"name": "taylor_expansion", "d": 1}}]},
    ]
}


def test_units_are_heads_and_layer_own_parameters() -> None:
    spec = rpnschema.load_spec(SPEC)
    assert units(spec) == [spec.layers[0].heads[0].parameters] * 2 + [
        spec.layers[1].heads[0].parameters
    ]
    assert sum(units(spec)) == spec.parameters


def test_ddp_replicates_and_fsdp_divides() -> None:
    spec = rpnschema.load_spec(SPEC)
    P = spec.parameters
    ddp = rank_memory(spec, 4, "ddp")
    assert (ddp.parameters, ddp.gradients, ddp.optimizer_state) == (4 * P, 4 * P, 8 * P)
    assert ddp.communication == 4 * P and ddp.total == 20 * P
    fsdp = rank_memory(spec, 4, "fsdp", optimizer="sgd", dtype="bfloat16")
    held = sum(-(-u // 4) for u in units(spec))
    assert fsdp.parameters == fsdp.gradients == 2 * held and fsdp.optimizer_state == 0
    assert fsdp.communication == 2 * 2 * max(units(spec))
    assert fsdp.unsharded == 2 * 2 * P


def test_bad_arguments() -> None:
    spec = rpnschema.load_spec(SPEC)
    for kwargs in ({"world_size": 0}, {"world_size": 2, "sharding": "zero"}):
        with pytest.raises(ValueError):
            rank_memory(spec, **kwargs)  # type: ignore[arg-type]


def test_summary_cli_prints_and_reports_the_estimate() -> None:
    runner = CliRunner()
    args = ["summary", "examples/mnist_taylor.yaml", "--world-size", "4", "--sharding", "fsdp"]
    text = runner.invoke(app, args)
    assert text.exit_code == 0
    assert text.output.splitlines()[-1].startswith(
        "per rank (fsdp, world size 4, adam, float32): parameters 38.80 MiB, "
    )
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).output)
    assert data["per_rank"]["world_size"] == 4 and data["per_rank"]["sharding"] == "fsdp"
    spec = rpnschema.load_spec("examples/mnist_taylor.yaml")
    assert data["per_rank"]["total"] == rank_memory(spec, 4, "fsdp").total
    assert "per_rank" not in json.loads(
        runner.invoke(app, ["summary", "examples/mnist_taylor.yaml", "-f", "json"]).output
    )
