"""``bspline-slabs``: <bspline(x), W> slab by slab equals the materialized head, values and
gradients (hand-written backward checked by gradcheck in float64), and keeps no b x D tensor."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from rpnschema.compile import build, fast
from rpnschema.compile.kernels import bspline_linear as bl
from rpnschema.compile.kernels.expansion_bspline import bspline
from tests.compile.forward_backward import run as _run

# (semantics, t, d): the default grid, tinybig's KAN doc config, the recursion above degree 4,
# and degree 0 (piecewise constant: zero input gradient)
GRIDS = (("native", 5, 3), ("tinybig", 10, 4), ("native", 4, 6), ("tinybig", 3, 0))


@pytest.fixture
def tiny_slabs(monkeypatch):
    """A few hundred bytes per slab, so that small inputs span several slabs."""
    monkeypatch.setattr(bl, "SLAB_BYTES", 300)


def _params(semantics: str, t: int, d: int) -> dict:
    return {"semantics": semantics, "grid_range": (-1.0, 1.0), "t": t, "d": d}


def _inputs(b: int, m: int, n: int, t: int, d: int, dtype=torch.float64):
    g = torch.Generator().manual_seed(7)
    x = torch.rand(b, m, generator=g, dtype=dtype) * 2.6 - 1.3  # some outside the grid
    W = torch.randn(n, m * (t + d), generator=g, dtype=dtype)
    return x.requires_grad_(), W.requires_grad_()


@pytest.mark.parametrize(("semantics", "t", "d"), GRIDS)
def test_equals_materialized_values_and_gradients(tiny_slabs, semantics, t, d) -> None:
    x, W = _inputs(6, 11, 3, t, d)
    params = _params(semantics, t, d)
    assert len(bl._slabs(x, t + d)) > 2
    y = bl.bspline_linear(x, W, **params)
    ref = F.linear(bspline(x, **params), W)
    assert_close(y, ref, rtol=1e-12, atol=1e-12)
    g = torch.randn(y.shape, dtype=y.dtype, generator=torch.Generator().manual_seed(1))
    ours = torch.autograd.grad(y, (x, W), g, allow_unused=True)
    theirs = torch.autograd.grad(ref, (x, W), g, allow_unused=True)
    assert (ours[0] is None) == (theirs[0] is None) == (d == 0)
    for a, b in zip(ours, theirs, strict=True):
        if a is not None:
            assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("semantics", "t", "d"), GRIDS)
def test_gradcheck(tiny_slabs, semantics, t, d) -> None:
    x, W = _inputs(3, 4, 2, t, d)
    fn = lambda x, W: bl.bspline_linear(x, W, **_params(semantics, t, d))  # noqa: E731
    assert torch.autograd.gradcheck(fn, (x, W))


def test_gradgradcheck_falls_back_to_the_differentiable_computation(tiny_slabs) -> None:
    x, W = _inputs(2, 3, 2, 3, 2)
    fn = lambda x, W: bl.bspline_linear(x, W, **_params("native", 3, 2))  # noqa: E731
    assert torch.autograd.gradgradcheck(fn, (x, W))


def test_only_the_input_and_W_are_kept_for_the_backward(tiny_slabs) -> None:
    x, W = _inputs(5, 9, 2, 5, 3, dtype=torch.float32)
    y = bl.bspline_linear(x.detach(), W, **_params("native", 5, 3))
    saved = y.grad_fn.saved_tensors
    assert [tuple(s.shape) for s in saved] == [(5, 9), (2, 72)]
    (gW,) = torch.autograd.grad(y.sum(), W)
    ref = torch.ones(5, 2).T @ bspline(x.detach(), **_params("native", 5, 3))
    assert_close(gW, ref, rtol=1e-5, atol=1e-6)


def test_without_grad_and_in_one_slab() -> None:
    x, W = _inputs(4, 5, 3, 5, 3)
    params = _params("native", 5, 3)
    assert len(bl._slabs(x, 8)) == 1
    with torch.no_grad():
        y = bl.bspline_linear(x, W, **params)
    assert y.grad_fn is None
    assert_close(y, F.linear(bspline(x, **params), W), rtol=1e-12, atol=1e-12)


def test_slab_inputs_budget() -> None:
    assert bl.slab_inputs(64, 26964, 8, 4, budget=2 * 2**20) == 1024
    assert bl.slab_inputs(64, 100, 8, 4, budget=2 * 2**20) == 100
    assert bl.slab_inputs(10**6, 100, 8, 4, budget=10) == 1


def _kan(channels: int = 1, semantics: str = "native") -> dict:
    head = {
        "expansion": {"name": "bspline_expansion", "t": 4, "d": 2},
        "reconciliation": "identity_reconciliation",
        "remainder": {"name": "linear_remainder", "activation": "silu"},
    }
    if channels > 1:
        head |= {"channels": channels, "channel_fusion": "mean_fusion"}
    return {
        "seed": 3,
        "semantics": semantics,
        "layers": [{"m": 7, "n": 4, "heads": [head]}, {"m": 4, "n": 2, "heads": [head]}],
    }


@pytest.mark.parametrize(("channels", "semantics"), [(1, "native"), (3, "tinybig")])
def test_model_path_equals_materialized(tiny_slabs, monkeypatch, channels, semantics) -> None:
    monkeypatch.setattr(fast, "MIN_FEATURES", 1)
    monkeypatch.setattr(fast, "SLAB_MIN_FEATURES", 1)
    spec = _kan(channels, semantics)
    model = build(spec, dtype=torch.float64)
    twin = build(spec, dtype=torch.float64)
    assert [h.evaluation_path for layer in model.layers for h in layer.heads] == [
        "bspline-slabs"
    ] * 2
    for layer in twin.layers:
        for head in layer.heads:
            head.evaluation_path = "materialized"
    x = torch.rand(5, 7, dtype=torch.float64) * 2.4 - 1.2
    out, gx, grads = _run(model, x)
    ref, ref_gx, ref_grads = _run(twin, x)
    assert_close(out, ref, rtol=1e-12, atol=1e-12)
    assert_close(gx, ref_gx, rtol=1e-12, atol=1e-12)
    assert grads.keys() == ref_grads.keys() and "layers.0.heads.0.w" in grads
    for k, v in grads.items():
        assert_close(v, ref_grads[k], rtol=1e-12, atol=1e-12)


def test_default_floor_keeps_small_heads_fused() -> None:
    model = build(_kan())
    assert {h.evaluation_path for layer in model.layers for h in layer.heads} == {"fused"}
