"""Tests for the data expansion kernels (rpnschema.compile.kernels.expansion*)."""

from __future__ import annotations

import json
import math
import warnings
from functools import partial
from pathlib import Path

import pytest
import torch

from rpnschema.compile.kernels.expansion import EXPANSIONS, NATIVE_DIFFERS, extended, nested
from rpnschema.compile.kernels.expansion_geometric import patch_index, sphere_cells

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance" / "expansions.json"
CASES = json.loads(DATA.read_text())["cases"]

CATALOG = [
    "identity_expansion", "reciprocal_expansion", "linear_expansion", "taylor_expansion",
    "fourier_expansion", "hyperbolic_expansion", "arc_hyperbolic_expansion",
    "trigonometric_expansion", "arc_trigonometric_expansion", "normal_expansion",
    "cauchy_expansion", "chi2_expansion", "gamma_expansion", "exponential_expansion",
    "laplace_expansion", "hybrid_probabilistic_expansion", "naive_normal_expansion",
    "naive_cauchy_expansion", "naive_chi2_expansion", "naive_gamma_expansion",
    "naive_exponential_expansion", "naive_laplace_expansion", "gaussian_rbf_expansion",
    "inverse_quadratic_rbf_expansion", "bspline_expansion", "chebyshev_expansion",
    "jacobi_expansion", "hermite_expansion", "laguerre_expansion", "legendre_expansion",
    "gegenbauer_expansion", "bessel_expansion", "reverse_bessel_expansion",
    "fibonacci_expansion", "lucas_expansion", "meyer_wavelet_expansion",
    "ricker_wavelet_expansion", "shannon_wavelet_expansion", "beta_wavelet_expansion",
    "harr_wavelet_expansion", "dog_wavelet_expansion", "combinatorial_expansion",
    "combinatorial_normal_expansion", "cuboid_patch_based_geometric_expansion",
    "cylinder_patch_based_geometric_expansion", "sphere_patch_based_geometric_expansion",
]  # fmt: skip

RTOL, ATOL = 1e-5, 1e-6


def _f32(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64).to(torch.float32)


def _kernel_from_config(fc: dict, semantics: str):
    name = fc["function_class"].rsplit(".", 1)[1]
    return partial(EXPANSIONS[name], semantics=semantics, **fc.get("function_parameters", {}))


def _run_case(case: dict, semantics: str) -> torch.Tensor:
    params = dict(case["params"])
    pre = params.pop("preprocess_function_configs", None)
    post = params.pop("postprocess_function_configs", None)
    x = _f32(case["x"])
    for fc in pre or []:
        assert fc["function_class"] == "torch.nn.Tanh"
        x = torch.nn.Tanh()(x)
    fn = case["function"]
    if fn in ("nested_expansion", "extended_expansion"):
        parts = [
            _kernel_from_config(fc, semantics) for fc in params["composition_function_configs"]
        ]
        y = (nested if fn == "nested_expansion" else extended)(x, parts)
    else:
        y = EXPANSIONS[fn](x, semantics=semantics, **params)
    for fc in post or []:
        assert fc["function_class"] == "torch.nn.LayerNorm"
        # tinybig keeps it unregistered: weight 1, bias 0 at construction
        y = torch.nn.LayerNorm(**fc["function_parameters"])(y)
    return y


def test_table_covers_catalog():
    assert sorted(EXPANSIONS) == sorted(CATALOG)
    assert set(EXPANSIONS) >= NATIVE_DIFFERS


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance_tinybig(case):
    y = _run_case(case, "tinybig").detach()
    expected = _f32(case["y"])
    assert y.shape[1] == case["D"]
    assert y.shape == expected.shape
    torch.testing.assert_close(y, expected, rtol=RTOL, atol=ATOL)


# Conformance cases on which native semantics must give a different answer (everything
# else must match tinybig's y in native semantics too).
NATIVE_DIFFERS_ON_CASE = {
    "laguerre_d3_a1_m3",  # P1 = 1 + alpha - x
    "laguerre_d4_a0.5_m2",
    "beta_wavelet_a2_b2_s2_t2_sigmoid_m2",  # no batch-wide sigmoid
}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance_native(case):
    y = _run_case(case, "native").detach()
    expected = _f32(case["y"])
    assert y.shape == expected.shape
    agree = torch.allclose(y, expected, rtol=RTOL, atol=ATOL)
    assert agree == (case["id"] not in NATIVE_DIFFERS_ON_CASE)


# ------------------------------------------------------------------------ smoke

M = 4
# (params, expected D for m = M) per kernel; geometric ones use a 2 x 2 x 1 grid (m = 4).
SMOKE: dict[str, tuple[dict, int]] = {
    "identity_expansion": ({}, M),
    "reciprocal_expansion": ({}, M),
    "linear_expansion": ({"c": 2.0}, M),
    "taylor_expansion": ({"d": 3}, M + M**2 + M**3),
    "fourier_expansion": ({"P": 3, "N": 2}, 2 * 2 * M),
    "hyperbolic_expansion": ({}, 3 * M),
    "arc_hyperbolic_expansion": ({}, 3 * M),
    "trigonometric_expansion": ({}, 3 * M),
    "arc_trigonometric_expansion": ({}, 3 * M),
    "normal_expansion": ({}, 6 * M),
    "cauchy_expansion": ({}, 6 * M),
    "chi2_expansion": ({}, 2 * M),
    "gamma_expansion": ({}, 6 * M),
    "exponential_expansion": ({}, 6 * M),
    "laplace_expansion": ({}, 6 * M),
    "hybrid_probabilistic_expansion": ({}, 6 * M),
    "naive_normal_expansion": ({}, M),
    "naive_cauchy_expansion": ({}, M),
    "naive_chi2_expansion": ({}, M),
    "naive_gamma_expansion": ({}, M),
    "naive_exponential_expansion": ({}, M),
    "naive_laplace_expansion": ({}, M),
    "gaussian_rbf_expansion": ({"num_interval": 6}, 6 * M),
    "inverse_quadratic_rbf_expansion": ({}, 10 * M),
    "bspline_expansion": ({"t": 4, "d": 2}, M * 6),
    "chebyshev_expansion": ({"d": 4}, 4 * M),
    "jacobi_expansion": ({"d": 4, "alpha": 0.5, "beta": 1.5}, 4 * M),
    "hermite_expansion": ({"d": 4}, 4 * M),
    "laguerre_expansion": ({"d": 4, "alpha": 0.5}, 4 * M),
    "legendre_expansion": ({"d": 4}, 4 * M),
    "gegenbauer_expansion": ({"d": 4, "alpha": 0.5}, 4 * M),
    "bessel_expansion": ({"d": 4}, 4 * M),
    "reverse_bessel_expansion": ({"d": 4}, 4 * M),
    "fibonacci_expansion": ({"d": 4}, 4 * M),
    "lucas_expansion": ({"d": 4}, 4 * M),
    "meyer_wavelet_expansion": ({"a": 2.0, "s": 2, "t": 2}, 4 * M),
    "ricker_wavelet_expansion": ({"d": 2}, M + M**2),
    "shannon_wavelet_expansion": ({"s": 2}, 2 * M),
    "beta_wavelet_expansion": ({"alpha": 2.0, "beta": 3.0, "t": 2}, 2 * M),
    "harr_wavelet_expansion": ({"a": 2.0, "b": 0.5, "s": 2, "t": 2, "d": 2}, 16 + 16**2),
    "dog_wavelet_expansion": ({"sigma_1": 0.5, "sigma_2": 1.5}, M),
    "combinatorial_expansion": ({"d": 2}, M + 2 * 6),
    "combinatorial_normal_expansion": ({"d": 3}, 4 + 6 + 4),
    "cuboid_patch_based_geometric_expansion": (
        {"h": 2, "w": 2, "d": 1, "p_h": 1, "p_w": 1, "p_d": 0},
        4 * 9,
    ),
    "cylinder_patch_based_geometric_expansion": ({"h": 2, "w": 2, "d": 1, "p_r": 1, "p_d": 0}, 20),
    "sphere_patch_based_geometric_expansion": ({"h": 2, "w": 2, "d": 1, "p_r": 1}, 28),
}


def test_smoke_table_complete():
    assert sorted(SMOKE) == sorted(CATALOG)


@pytest.mark.parametrize("semantics", ["native", "tinybig"])
@pytest.mark.parametrize("name", sorted(SMOKE))
def test_smoke_dtypes_devices(name, semantics):
    params, D = SMOKE[name]
    fn = EXPANSIONS[name]
    gen = torch.Generator().manual_seed(0)
    x64 = torch.randn(5, M, generator=gen, dtype=torch.float64)
    x_orig = x64.clone()
    y64 = fn(x64, semantics=semantics, **params)
    assert y64.shape == (5, D)
    assert y64.dtype == torch.float64
    assert torch.equal(x64, x_orig), "kernel modified its input"
    # float32 agrees with float64 (loosely: a precision check, not a conformance one)
    y32 = fn(x64.float(), semantics=semantics, **params)
    assert y32.dtype == torch.float32
    torch.testing.assert_close(y32.double(), y64, rtol=1e-3, atol=1e-3, equal_nan=True)
    # bfloat16 runs
    assert fn(x64.bfloat16(), semantics=semantics, **params).dtype == torch.bfloat16
    # meta device: shape only
    y_meta = fn(torch.empty(7, M, device="meta"), semantics=semantics, **params)
    assert y_meta.device.type == "meta"
    assert y_meta.shape == (7, D)


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_unknown_semantics_rejected(name):
    params, _ = SMOKE[name]
    with pytest.raises(ValueError, match="semantics"):
        EXPANSIONS[name](torch.zeros(2, M), semantics="numpy", **params)


def test_nested_and_extended_compose():
    x = torch.randn(3, 2)
    cheb = partial(EXPANSIONS["chebyshev_expansion"], d=2)
    tay = partial(EXPANSIONS["taylor_expansion"], d=2)
    assert nested(x, [cheb, tay]).shape == (3, 4 + 16)
    assert extended(x, [cheb, tay]).shape == (3, 4 + 6)
    torch.testing.assert_close(nested(x, [cheb, tay]), tay(cheb(x)))
    torch.testing.assert_close(extended(x, [cheb, tay])[:, :4], cheb(x))
    with pytest.raises(ValueError):
        nested(x, [])


# ------------------------------------------------------------- native vs tinybig


def _agreement_input() -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(6, M, generator=gen, dtype=torch.float64)
    # a row hitting the removable singularities (shannon tau = 0, meyer tau = 0.75)
    x[0] = torch.tensor([0.0, 0.75, -0.75, 0.3], dtype=torch.float64)
    return x


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_native_agrees_with_tinybig_except_documented(name):
    params, _ = SMOKE[name]
    if name.startswith("combinatorial"):
        params = {**params, "with_replacement": True}
    x = _agreement_input()
    fn = EXPANSIONS[name]
    a, b = fn(x, semantics="native", **params), fn(x, semantics="tinybig", **params)
    agree = a.shape == b.shape and torch.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
    assert agree == (name not in NATIVE_DIFFERS)


# ------------------------------------------------------------------- laguerre


def _laguerre_reference(x: float, d: int, alpha: float) -> list[float]:
    p = [1.0, 1.0 + alpha - x]
    for n in range(2, d + 1):
        p.append(((2 * n - 1 + alpha - x) * p[n - 1] - (n - 1 + alpha) * p[n - 2]) / n)
    return p[1 : d + 1]


def test_laguerre_native_matches_documented_polynomials():
    x = torch.linspace(-2, 3, 11, dtype=torch.float64).reshape(-1, 1).repeat(1, 2)
    d, alpha = 5, 0.5
    y = EXPANSIONS["laguerre_expansion"](x, d=d, alpha=alpha)
    expected = torch.tensor(
        [_laguerre_reference(v, d, alpha) * 1 for v in x[:, 0].tolist()], dtype=torch.float64
    )
    torch.testing.assert_close(y[:, :d], expected)
    torch.testing.assert_close(y[:, d:], expected)
    # closed forms: L1 = 1 + a - x, L2 = x^2/2 - (a + 2) x + (a + 1)(a + 2)/2
    xs = x[:, 0]
    torch.testing.assert_close(y[:, 0], 1 + alpha - xs)
    torch.testing.assert_close(
        y[:, 1], xs**2 / 2 - (alpha + 2) * xs + (alpha + 1) * (alpha + 2) / 2
    )


def test_laguerre_tinybig_keeps_sign_error():
    x = torch.tensor([[0.5]])
    assert EXPANSIONS["laguerre_expansion"](x, semantics="tinybig", d=1)[0, 0] == 2.5
    assert EXPANSIONS["laguerre_expansion"](x, semantics="native", d=1)[0, 0] == 1.5


# -------------------------------------------------------------------- wavelets

WAVELETS = {
    "harr_wavelet_expansion": {"a": 2.0, "b": 0.5, "s": 2, "t": 2},
    "beta_wavelet_expansion": {"alpha": 2.0, "beta": 3.0, "s": 2, "t": 2, "a": 2.0},
    "shannon_wavelet_expansion": {"a": 2.0, "b": 1.0, "s": 2, "t": 2},
    "ricker_wavelet_expansion": {"sigma": 0.8, "d": 2},
    "dog_wavelet_expansion": {"sigma_1": 1.0, "sigma_2": 2.0, "t": 3},
    "meyer_wavelet_expansion": {"a": 2.0, "b": 2.0, "s": 2, "t": 2},
}


@pytest.mark.parametrize("name", sorted(WAVELETS))
def test_wavelet_native_is_per_sample(name):
    fn = partial(EXPANSIONS[name], semantics="native", **WAVELETS[name])
    row = torch.tensor([[0.3, 0.6]])
    others = torch.tensor([[1.5, 0.2], [-3.0, 7.0], [0.0, 0.75]])
    alone = fn(row)
    batched = fn(torch.cat((row, others)))
    torch.testing.assert_close(batched[:1], alone, rtol=0, atol=0)
    assert torch.isfinite(batched).all()


def test_beta_wavelet_batch_dependence_tinybig_vs_native():
    params = {"alpha": 2.0, "beta": 3.0}
    fn = EXPANSIONS["beta_wavelet_expansion"]
    row = torch.tensor([[0.3, 0.6]])
    batch = torch.tensor([[0.3, 0.6], [1.5, 0.2]])
    expected_alone = torch.tensor([[1.7639999389648438, 1.1519999504089355]])
    torch.testing.assert_close(fn(row, semantics="tinybig", **params), expected_alone)
    torch.testing.assert_close(
        fn(batch, semantics="tinybig", **params)[:1],
        torch.tensor([[1.2483727931976318, 0.9728190302848816]]),
    )
    native = fn(batch, semantics="native", **params)
    torch.testing.assert_close(native[:1], expected_alone)
    # per element: density 12 tau (1 - tau)^2 on [0, 1], 0 outside
    torch.testing.assert_close(native[1], torch.tensor([0.0, 12 * 0.2 * 0.8**2]))


def test_shannon_native_finite_at_tau_zero():
    fn = EXPANSIONS["shannon_wavelet_expansion"]
    x = torch.tensor([[0.0, 1e-3, 0.5]], dtype=torch.float64)
    y = fn(x, semantics="native")
    assert torch.isfinite(y).all()
    assert y[0, 0] == 1.0
    assert abs(y[0, 1].item() - 1.0) < 1e-4  # continuous at the limit
    assert torch.isnan(fn(x, semantics="tinybig")[0, 0])
    # tau = x / a^s - t b = 0 also for shifted children (a=2, b=1: x = 1 * 1 * 2 for s=1, t=1)
    y2 = fn(torch.tensor([[2.0, 0.0]]), semantics="native", a=2.0, b=1.0, s=2, t=2)
    assert torch.isfinite(y2).all()


def test_meyer_native_finite_at_singular_points():
    fn = EXPANSIONS["meyer_wavelet_expansion"]
    x = torch.tensor([[0.75, -0.75, 0.0, 0.75 + 1e-4, -0.75 - 1e-4]], dtype=torch.float64)
    y = fn(x, semantics="native")
    assert torch.isfinite(y).all()
    limit = 2.0 / (3.0 * math.pi)
    assert y[0, 0].item() == pytest.approx(limit) and y[0, 1].item() == pytest.approx(limit)
    assert y[0, 3].item() == pytest.approx(limit, abs=1e-3)
    assert y[0, 2].item() == pytest.approx(2 / 3 + 4 / (3 * math.pi))
    yt = fn(x, semantics="tinybig")
    assert torch.isnan(yt[0, :2]).all() and torch.isfinite(yt[0, 2:]).all()
    # child wavelets: tau = x / 2^s - t * 2 = 0.75 at x = 0.75 + 2 (s=0,t=1) and 1.5 (s=1,t=0)
    y2 = fn(torch.tensor([[2.75, 1.5]]), semantics="native", a=2.0, b=2.0, s=2, t=2)
    assert torch.isfinite(y2).all()


# --------------------------------------------------------------- combinatorial


def test_combinatorial_with_replacement_native():
    x = torch.tensor([[1.0, 2.0, 3.0]])
    comb = EXPANSIONS["combinatorial_expansion"]
    y = comb(x, d=2, with_replacement=True)
    assert y.shape == (1, 3 + 2 * 6)  # C(3+1, 2) = 6 pairs with replacement
    pairs = y[0, 3:].reshape(6, 2).tolist()
    assert pairs == [[1, 1], [1, 2], [1, 3], [2, 2], [2, 3], [3, 3]]
    assert comb(x, d=2, with_replacement=False).shape == (1, 3 + 2 * 3)
    # tinybig ignores the flag
    assert comb(x, semantics="tinybig", d=2, with_replacement=True).shape == (1, 9)
    # d > m is fine with replacement (C(m + r - 1, r) terms), an error without
    assert comb(x, d=4, with_replacement=True).shape[1] == sum(
        r * math.comb(3 + r - 1, r) for r in range(1, 5)
    )
    with pytest.raises(ValueError):
        comb(x, d=4)
    with pytest.raises(ValueError):
        comb(x, d=0)


def test_combinatorial_normal_with_replacement_native():
    x = torch.tensor([[0.5, -1.0, 2.0, 0.0]], dtype=torch.float64)
    cn = EXPANSIONS["combinatorial_normal_expansion"]
    y = cn(x, d=2, with_replacement=True)
    assert y.shape == (1, 4 + 10)
    # the (x0, x0) pair: log N([.5, .5] | 0, I_2)
    assert y[0, 4].item() == pytest.approx(-math.log(2 * math.pi) - 0.25)
    assert cn(x, semantics="tinybig", d=2, with_replacement=True).shape == (1, 4 + 6)
    assert cn(x, d=3).shape == (1, 4 + 6 + 4)
    with pytest.raises(ValueError):
        cn(torch.zeros(1, 2), d=3)


# ------------------------------------------------------------------- reciprocal


@pytest.mark.parametrize("semantics", ["native", "tinybig"])
def test_reciprocal_does_not_modify_input(semantics):
    x = torch.tensor([[5e-7, -5e-7, 0.0, 2.0]])
    before = x.clone()
    y = EXPANSIONS["reciprocal_expansion"](x, semantics=semantics)
    assert torch.equal(x, before)
    torch.testing.assert_close(y, torch.tensor([[1e6, -1e6, 1e6, 0.5]]))


# ------------------------------------------------------------------- geometric


def _geometric_reference(x, h, w, d, cells, cd):
    """Naive per-sample loop: out[k * G + g] = x[center_g + cell_k] (0 outside the grid)."""
    grid = x.reshape(x.size(0), h, w, d)
    centers = [(i, j, k) for i in range(0, h, cd[0]) for j in range(0, w, cd[1])
               for k in range(0, d, cd[2])]  # fmt: skip
    out = torch.zeros(x.size(0), len(cells), len(centers), dtype=x.dtype)
    for kk, (a, b, c) in enumerate(cells):
        for g, (i, j, k) in enumerate(centers):
            if 0 <= i + a < h and 0 <= j + b < w and 0 <= k + c < d:
                out[:, kk, g] = grid[:, i + a, j + b, k + c]
    return out.reshape(x.size(0), -1)


@pytest.mark.parametrize(
    ("name", "params", "cells", "cd"),
    [
        (
            "cuboid_patch_based_geometric_expansion",
            {"p_h": 1, "p_w": 1, "p_d": 0, "packing_strategy": "complete_square"},
            [(i, j, 0) for i in (-1, 0, 1) for j in (-1, 0, 1)],
            (2, 2, 1),
        ),
        (
            "cuboid_patch_based_geometric_expansion",
            {"p_h": 0, "p_w": 1, "p_d": 1, "p_w_prime": 0, "cd_h": 3, "cd_w": 1, "cd_d": 2},
            [(0, j, k) for j in (-1, 0) for k in (-1, 0, 1)],
            (3, 1, 2),
        ),
        (
            "cylinder_patch_based_geometric_expansion",
            {"p_r": 1, "p_d": 1, "packing_strategy": "sparse_square"},
            [
                (i, j, k)
                for (i, j) in [(-1, 0), (0, -1), (0, 0), (0, 1), (1, 0)]
                for k in (-1, 0, 1)
            ],
            (2, 2, 2),
        ),
        (
            "sphere_patch_based_geometric_expansion",
            {"p_r": 1, "packing_strategy": "dense_simple_cubic"},
            list(sphere_cells(1)),
            (1, 1, 1),
        ),
    ],
)
def test_geometric_against_naive_loop(name, params, cells, cd):
    h, w, d = 4, 5, 2
    x = torch.randn(3, h * w * d)
    y = EXPANSIONS[name](x, h=h, w=w, d=d, **params)
    torch.testing.assert_close(y, _geometric_reference(x, h, w, d, cells, cd), rtol=0, atol=0)


def test_geometric_sizes_and_errors():
    assert len(sphere_cells(2)) == 33
    cub = EXPANSIONS["cuboid_patch_based_geometric_expansion"]
    with pytest.raises(ValueError, match="h\\*w\\*d"):
        cub(torch.zeros(1, 8), h=3, w=3, d=1, p_h=1, p_w=1, p_d=0)
    with pytest.raises(ValueError, match="packing_strategy"):
        cub(torch.zeros(1, 9), h=3, w=3, d=1, p_h=1, p_w=1, p_d=0, packing_strategy="nope")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = cub(
            torch.zeros(1, 9), semantics="tinybig", h=3, w=3, d=1, p_h=1, p_w=1, p_d=0,
            packing_strategy="nope",
        )  # fmt: skip
    assert y.shape == (1, 81) and caught
    with pytest.raises(ValueError, match="zeros"):
        EXPANSIONS["sphere_patch_based_geometric_expansion"](
            torch.zeros(1, 9), h=3, w=3, d=1, p_r=0, packing_strategy="dense_hexagonal"
        )
    assert len(patch_index(3, 3, 1, tuple(sphere_cells(1)), (1, 1, 1))) == 63
