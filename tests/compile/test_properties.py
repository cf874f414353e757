"""Property tests over generated specs: counts as inferred, forward and backward finite."""

from __future__ import annotations

import torch
from hypothesis import HealthCheck, given, settings

from rpnschema.compile import build
from rpnschema.testing import model_specs

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}


UNBOUNDED = {
    "hyperbolic_expansion",
    "trigonometric_expansion",
    "reciprocal_expansion",
    "linear_expansion",
    "taylor_expansion",
    "chebyshev_expansion",
    "jacobi_expansion",
    "hermite_expansion",
    "laguerre_expansion",
    "legendre_expansion",
    "gegenbauer_expansion",
    "bessel_expansion",
    "reverse_bessel_expansion",
    "fibonacci_expansion",
    "lucas_expansion",
}


def _expansions(spec):
    for layer in spec.layers:
        for head in layer.heads:
            stack = [head.expansion]
            while stack:
                e = stack.pop()
                yield e
                stack.extend(getattr(e, "functions", []))


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _x(model: torch.nn.Module) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(4, model.layers[0].m, generator=g) * 0.8 + 0.1
    return x.to(DTYPES[model.spec.dtype])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs(max_parameters=5000))
def test_generated_specs_count_as_inferred(data: dict) -> None:
    model = build(data, seed=0)
    assert _count(model) == model.spec.parameters
    for layer in model.layers:
        assert _count(layer) == layer.spec.parameters
        assert [_count(h) for h in layer.heads] == [h.parameters for h in layer.spec.heads]
    with torch.no_grad():
        y = model(_x(model))
    assert y.shape == (4, model.layers[-1].spec.output_dim)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs(max_parameters=5000, semantics="native"))
def test_generated_specs_train(data: dict) -> None:
    """Finite outputs and gradients (tinybig semantics keep tinybig's NaN wavelets)."""
    model = build(data, seed=0)
    y = model(_x(model))
    if not torch.isfinite(y).all():
        # Stacked layers of functions that grow without bound (cosh, tan, 1/x, polynomials)
        # can overflow float32 by design; any other function must stay finite.
        used = {e.name for e in _expansions(model.spec)}
        assert used & UNBOUNDED, used
        return
    if not y.requires_grad:  # a model without parameters
        return
    y.sum().backward()
    for name, p in model.named_parameters():
        # None: no differentiable path (e.g. behind a piecewise-constant Haar wavelet)
        assert p.grad is None or torch.isfinite(p.grad).all(), name


@settings(max_examples=15, deadline=None)
@given(model_specs(max_parameters=2000))
def test_generated_specs_build_on_meta_with_the_same_shapes(data: dict) -> None:
    meta, cpu = build(data, device="meta", seed=0), build(data, seed=0)
    want = {k: (tuple(v.shape), v.dtype) for k, v in cpu.state_dict().items()}
    assert {k: (tuple(v.shape), v.dtype) for k, v in meta.state_dict().items()} == want
    assert build(cpu.spec).spec == cpu.spec
