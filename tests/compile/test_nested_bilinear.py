"""``nested-bilinear-*``: a Taylor d=2 nested over another expansion (tinybig's composite doc
config: bspline then taylor, lorr W) as the bilinear form on the inner expansion, equal to the
materialized head in values and gradients; the B-spline's hand-written input gradient checked by
gradcheck in float64, and its double backward through the plain kernel."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch.testing import assert_close

from rpnschema.compile import build, fast
from rpnschema.compile.kernels.bspline_grad import bspline_differentiable
from rpnschema.compile.kernels.expansion_bspline import bspline
from tests.compile.forward_backward import run as _run

# (semantics, t, d): tinybig's composite doc config, the default grid, degree 1, the recursion
# above degree 4 and degree 0 (both the plain kernel)
GRIDS = (
    ("tinybig", 10, 4),
    ("native", 5, 3),
    ("native", 3, 1),
    ("native", 4, 6),
    ("tinybig", 3, 0),
)


def _params(semantics: str, t: int, d: int) -> dict[str, Any]:
    return {"semantics": semantics, "grid_range": (-1.0, 1.0), "t": t, "d": d}


def _x(b: int, m: int, dtype=torch.float64) -> torch.Tensor:
    g = torch.Generator().manual_seed(5)
    return (torch.rand(b, m, generator=g, dtype=dtype) * 2.6 - 1.3).requires_grad_()  # some off


@pytest.mark.parametrize(("semantics", "t", "d"), GRIDS)
def test_bspline_values_and_input_gradient_equal_autograd(semantics, t, d) -> None:
    x = _x(7, 3)
    params = _params(semantics, t, d)
    ours, ref = bspline_differentiable(x, **params), bspline(x, **params)
    assert_close(ours, ref, rtol=1e-12, atol=1e-12)
    if d == 0:  # piecewise constant: no path to x, as with the plain kernel
        assert not ours.requires_grad and not ref.requires_grad
        return
    g = torch.randn(ref.shape, dtype=ref.dtype, generator=torch.Generator().manual_seed(1))
    (a,) = torch.autograd.grad(ours, x, g)
    (b,) = torch.autograd.grad(ref, x, g)
    assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("semantics", "t", "d"), GRIDS[:3])
def test_bspline_gradcheck(semantics, t, d) -> None:
    x = _x(4, 3)
    assert (
        type(bspline_differentiable(x, **_params(semantics, t, d)).grad_fn).__name__
        == "_BsplineBackward"
    )
    fn = lambda x: bspline_differentiable(x, **_params(semantics, t, d))  # noqa: E731
    assert torch.autograd.gradcheck(fn, (x,))


def test_bspline_gradgradcheck_falls_back_to_the_plain_kernel() -> None:
    x = _x(3, 2)
    fn = lambda x: bspline_differentiable(x, **_params("native", 4, 3))  # noqa: E731
    assert torch.autograd.gradgradcheck(fn, (x,))


def test_bspline_without_grad_is_the_plain_kernel() -> None:
    x = _x(3, 2).detach()
    y = bspline_differentiable(x, **_params("tinybig", 10, 4))
    assert y.grad_fn is None
    assert_close(y, bspline(x, **_params("tinybig", 10, 4)), rtol=0, atol=0)


def _spec(semantics: str, reconciliation: Any, inner: Any, channels: int = 1) -> dict[str, Any]:
    head: dict[str, Any] = {
        "expansion": {"name": "nested_expansion", "functions": [inner, "taylor_expansion"]},
        "reconciliation": reconciliation,
        "remainder": "zero_remainder",
    }
    if channels > 1:
        head |= {"channels": channels, "channel_fusion": "mean_fusion"}
    layer = lambda m, n: {"m": m, "n": n, "heads": [head]}  # noqa: E731
    return {"seed": 2, "semantics": semantics, "layers": [layer(2, 2), layer(2, 2), layer(2, 1)]}


BSPLINE = {"name": "bspline_expansion", "t": 10, "d": 4}
LORR = {"name": "lorr_reconciliation", "r": 1}
CASES = {
    "composite": ("tinybig", LORR, BSPLINE, 1, fast.NESTED_BILINEAR_LOWRANK),
    "native_r2_channels": (
        "native",
        {"name": "lorr_reconciliation", "r": 2},
        BSPLINE,
        2,
        fast.NESTED_BILINEAR_LOWRANK,
    ),
    "identity": ("tinybig", "identity_reconciliation", BSPLINE, 1, fast.NESTED_BILINEAR_IDENTITY),
    "chebyshev_inner": ("native", LORR, "chebyshev_expansion", 1, fast.NESTED_BILINEAR_LOWRANK),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_model_path_equals_materialized(name: str, dtype: torch.dtype) -> None:
    semantics, rec, inner, channels, path = CASES[name]
    model = build(_spec(semantics, rec, inner, channels), dtype=dtype)
    twin = build(_spec(semantics, rec, inner, channels), dtype=dtype)
    twin.load_state_dict(model.state_dict())
    heads = [h for layer in model.layers for h in layer.heads]
    assert [h.evaluation_path for h in heads] == [path] * 3
    for layer in twin.layers:
        for head in layer.heads:
            head.evaluation_path = fast.MATERIALIZED
    x = torch.rand(9, 2, generator=torch.Generator().manual_seed(3), dtype=dtype) * 2 - 1
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-12}
    y, gx, grads = _run(model, x)
    y_ref, gx_ref, grads_ref = _run(twin, x)
    assert_close(y, y_ref, **tol)
    assert_close(gx, gx_ref, **tol)
    assert grads.keys() == grads_ref.keys()
    for k in grads:
        assert_close(grads[k], grads_ref[k], **tol)


def test_processing_on_the_composition_keeps_the_fused_path() -> None:
    spec = _spec("native", LORR, BSPLINE)
    spec["layers"][0]["heads"][0]["expansion"]["postprocess"] = ["layer_norm"]
    model = build(spec)
    assert model.layers[0].heads[0].evaluation_path == fast.FUSED


def test_bspline_with_default_grid_parameters_is_the_plain_kernel() -> None:
    x = _x(3, 2)
    y = bspline_differentiable(x, t=4)  # grid_range and d left to the kernel's defaults
    assert type(y.grad_fn).__name__ != "_BsplineBackward"
    assert_close(y, bspline(x, t=4), rtol=0, atol=0)
