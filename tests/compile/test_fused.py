"""The ``fused`` head path (rpnschema.compile.fast) equals the ``materialized`` reference.

``fused`` computes what ``materialized`` computes with less per-call Python: empty processing
slots skipped, components' ``forward`` called directly, a single channel's W passed straight to
``F.linear``, same-shaped fusions applied to stacked inputs without the kernels' checks. Each
case compares outputs and the gradients of the parameters and of the input.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from hypothesis import HealthCheck, given, settings
from torch.testing import assert_close
from torch.utils.flop_counter import FlopCounterMode

import rpnschema
from rpnschema.compile import build, fast
from rpnschema.compile.fast import FUSED, MATERIALIZED, PATHS
from rpnschema.testing import model_specs
from tests.compile.forward_backward import run as _run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    p
    for p in (ROOT / "examples").glob("*")
    if p.suffix in (".yaml", ".json") and "mnist" not in p.name  # 784 inputs: D = 615,440
)


def _heads(model) -> list:
    return [head for layer in model.layers for head in layer.heads]


def _materialize(model) -> None:
    for head in _heads(model):
        head.evaluation_path = MATERIALIZED


def _compare(model, x: torch.Tensor, **tol: float) -> None:
    fused = _run(model, x)
    _materialize(model)
    reference = _run(model, x)
    assert_close(fused[0], reference[0], **tol)
    if reference[1] is not None:
        assert_close(fused[1], reference[1], **tol)
    assert fused[2].keys() == reference[2].keys()
    for k, want in reference[2].items():
        atol = tol.get("atol", 1e-12) * max(1.0, want.abs().max().item())
        assert_close(fused[2][k], want, rtol=tol.get("rtol"), atol=atol, msg=k)


def _example_data(path: Path, semantics: str) -> dict[str, Any]:
    text = path.read_text()
    data = yaml.safe_load(text) if path.suffix == ".yaml" else __import__("json").loads(text)
    return {**data, "semantics": semantics}


@pytest.mark.parametrize("semantics", ["native", "tinybig"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_fused_equals_materialized(path: Path, dtype, semantics: str) -> None:
    result = rpnschema.validate_data(_example_data(path, semantics))
    if not result.ok:
        pytest.skip(f"{path.name} is not valid in {semantics} semantics")
    model = build(result.unwrap(), seed=0, dtype=dtype)
    model.eval()
    assert FUSED in [h.evaluation_path for h in _heads(model)]
    x = torch.randn(9, model.layers[0].m, generator=torch.Generator().manual_seed(1), dtype=dtype)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-9, "atol": 1e-12}
    _compare(model, x, **tol)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs(max_parameters=3000))
def test_generated_specs_fused_equals_materialized(data: dict) -> None:
    """Random valid specs (float64, the default size floor): every head small enough to take
    ``fused`` agrees with the reference, values and gradients."""
    model = build(data, seed=0, dtype="float64")
    assert all(h.evaluation_path in PATHS for h in _heads(model))
    model.eval()  # dropout off, masks fixed: both evaluations see the same function
    g = torch.Generator().manual_seed(0)
    x = torch.rand(4, model.layers[0].m, generator=g, dtype=torch.float64) * 0.8 + 0.1
    fused = _run(model, x)
    _materialize(model)
    reference = _run(model, x)
    if not all(torch.isfinite(t).all() for t in (reference[0], *reference[2].values())):
        return  # stacked unbounded functions may overflow; nothing to compare
    assert_close(fused[0], reference[0], rtol=1e-7, atol=1e-9)
    assert fused[2].keys() == reference[2].keys()
    for k, want in reference[2].items():
        atol = 1e-9 * max(1.0, want.abs().max().item())
        assert_close(fused[2][k], want, rtol=1e-7, atol=atol, msg=k)


def test_training_mode_processing_matches() -> None:
    """Batch norm (batch statistics in training mode) and dropout-free processing slots."""
    cheb = {"name": "chebyshev_expansion", "d": 2, "preprocess": ["tanh"]}
    spec = {
        "seed": 2,
        "layers": [
            {
                "m": 3,
                "n": 4,
                "input_process": ["batch_norm"],
                "heads": [
                    {
                        "expansion": cheb,
                        "reconciliation": {"name": "lorr_reconciliation", "r": 1},
                        "remainder": {"name": "linear_remainder", "activation": ["silu"]},
                        "output_process": ["layer_norm"],
                    }
                ],
            }
        ],
    }
    model = build(spec)
    model.train()
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(3))
    _compare(model, x, rtol=1e-5, atol=1e-6)


def test_small_example_heads_are_fused_and_printed() -> None:
    from typer.testing import CliRunner

    from rpnschema.cli import app

    result = CliRunner().invoke(app, ["build", str(ROOT / "examples" / "multihead_fusion.yaml")])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.match(r"│ layer \d head", line)]
    assert [row.split("│")[-2].strip() for row in rows] == [FUSED] * 4
    assert "``fused``" in (fast.__doc__ or "")
    assert "path=fused" in repr(build(ROOT / "examples" / "iris_perceptron.yaml"))


def test_hooks_on_heads_fire_on_components_only_when_materialized() -> None:
    model = build(ROOT / "examples" / "iris_perceptron.yaml")
    head = model.layers[0].heads[0]
    calls: list[str] = []
    head.register_forward_hook(lambda *a: calls.append("head"))
    head.expansion.register_forward_hook(lambda *a: calls.append("expansion"))
    model(torch.randn(2, 4))
    assert calls == ["head"]
    calls.clear()
    head.evaluation_path = MATERIALIZED
    model(torch.randn(2, 4))
    assert calls == ["expansion", "head"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fused_flops_equal_materialized_flops(path: Path) -> None:
    """FlopCounterMode (under no_grad) sees the same matmuls on both paths."""

    def flops(materialized: bool) -> int:
        model = build(path, seed=0)
        if materialized:
            _materialize(model)
        x = torch.randn(5, model.layers[0].m, generator=torch.Generator().manual_seed(0))
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(x)
        return counter.get_total_flops()

    assert flops(False) == flops(True) > 0


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fused_modules_pickle_and_copy(path: Path) -> None:
    """What the fused forward keeps from the build (kernels, fusion operations) pickles."""
    import copy
    import io

    model = build(path, seed=0)
    x = torch.randn(3, model.layers[0].m, generator=torch.Generator().manual_seed(0))
    want = model(x)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    assert_close(torch.load(buffer, weights_only=False)(x), want)
    assert_close(copy.deepcopy(model)(x), want)


def _composite_spec(kind: str, parts: list[Any], semantics: str = "native") -> dict[str, Any]:
    head = {
        "expansion": {"name": kind, "functions": parts},
        "reconciliation": {"name": "lorr_reconciliation", "r": 1},
        "remainder": "linear_remainder",
    }
    return {"seed": 4, "semantics": semantics, "layers": [{"m": 2, "n": 3, "heads": [head]}]}


BSPLINE = {"name": "bspline_expansion", "t": 10, "d": 4}
COMPOSITES = {
    "extended": _composite_spec("extended_expansion", [BSPLINE, "taylor_expansion"]),
    "nested": _composite_spec("nested_expansion", [BSPLINE, "taylor_expansion"], "tinybig"),
    "extended_of_nested": _composite_spec(
        "extended_expansion",
        [
            {"name": "nested_expansion", "functions": ["hyperbolic_expansion", BSPLINE]},
            "chebyshev_expansion",
            "identity_expansion",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composites_of_catalog_kernels_run_as_one_function(name: str) -> None:
    """tinybig's elementary / composite / feynman heads: extended and nested compositions of
    catalog kernels are one plain function picked at build time; same values and gradients as
    the module-by-module reference, and the model still pickles."""
    import io

    model = build(COMPOSITES[name], dtype=torch.float64)
    (head,) = _heads(model)
    # a Taylor d=2 nested over another expansion takes the bilinear form on the inner part
    path = fast.NESTED_BILINEAR_LOWRANK if name == "nested" else FUSED
    assert head.evaluation_path == path and head._kernel is not None
    x = torch.rand(6, 2, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 2 - 1
    assert_close(head._kernel(x), head.expansion(x))
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    assert_close(torch.load(buffer, weights_only=False)(x), model(x))
    _compare(model, x, rtol=1e-9, atol=1e-12)


def test_composites_with_processing_keep_their_modules() -> None:
    part = {**BSPLINE, "postprocess": ["layer_norm"]}
    model = build(_composite_spec("extended_expansion", [part, "taylor_expansion"]))
    (head,) = _heads(model)
    assert head._kernel is None  # the layer_norm part stays a module
    x = torch.rand(5, 2, generator=torch.Generator().manual_seed(3)) * 2 - 1
    _compare(model, x, rtol=1e-5, atol=1e-6)
