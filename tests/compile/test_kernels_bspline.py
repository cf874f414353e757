"""The closed-form B-spline kernel equals the Cox-de Boor recursion over the whole grid (what
tinybig computes), values and input gradients, in float32 and float64."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from rpnschema.compile.kernels.expansion import EXPANSIONS
from rpnschema.compile.kernels.expansion_bspline import bspline, piece_coefficients


def cox_de_boor(x, lo, hi, t, d):
    """The reference: degree-0 indicators on the extended grid, then d rounds of Cox-de Boor."""
    h = (hi - lo) / t
    grid = torch.arange(-d, t + d + 1, dtype=x.dtype) * h + lo
    xe = x.unsqueeze(-1)
    bases = ((xe >= grid[:-1]) & (xe < grid[1:])).to(x.dtype)
    for k in range(1, d + 1):
        left = (xe - grid[: -(k + 1)]) / (grid[k:-1] - grid[: -(k + 1)]) * bases[:, :, :-1]
        right = (grid[k + 1 :] - xe) / (grid[k + 1 :] - grid[1:(-k)]) * bases[:, :, 1:]
        bases = left + right
    return bases.reshape(x.shape[0], -1)


def test_catalog_uses_the_closed_form():
    assert EXPANSIONS["bspline_expansion"] is bspline


def test_cubic_pieces_are_the_uniform_b_spline():
    # (1-u)^3/6, (3u^3 - 6u^2 + 4)/6, (-3u^3 + 3u^2 + 3u + 1)/6, u^3/6 (constant term first)
    expected = [
        [Fraction(1, 6), Fraction(-1, 2), Fraction(1, 2), Fraction(-1, 6)],
        [Fraction(2, 3), Fraction(0), Fraction(-1), Fraction(1, 2)],
        [Fraction(1, 6), Fraction(1, 2), Fraction(1, 2), Fraction(-1, 2)],
        [Fraction(0), Fraction(0), Fraction(0), Fraction(1, 6)],
    ]
    assert piece_coefficients(3) == tuple(tuple(float(c) for c in row) for row in expected)
    for d in range(6):  # partition of unity: the pieces sum to 1
        sums = [sum(row[p] for row in piece_coefficients(d)) for p in range(d + 1)]
        assert sums == pytest.approx([1.0] + [0.0] * d, abs=1e-12)


def test_knots_edges_and_outside_points():
    lo, hi, t, d = -1.0, 1.0, 4, 2
    h = (hi - lo) / t
    grid = [lo + (i - d) * h for i in range(t + 2 * d + 1)]
    x = torch.tensor([[*grid, grid[0] - 0.1, grid[-1] + 0.1, 5.0, -5.0, 0.3]], dtype=torch.float64)
    x = x.T.reshape(1, -1).repeat(3, 1)
    got = bspline(x, grid_range=(lo, hi), t=t, d=d)
    assert got.shape == (3, x.shape[1] * (t + d))
    assert_close(got, cox_de_boor(x, lo, hi, t, d), rtol=0, atol=1e-12)
    assert got.view(3, -1, t + d)[0, -5:-1].abs().sum() == 0  # off the extended grid


@settings(max_examples=40, deadline=None)
@given(
    t=st.integers(1, 8),
    d=st.integers(0, 7),
    lo=st.floats(-3, 1, allow_nan=False),
    width=st.floats(0.25, 4),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    seed=st.integers(0, 2**16),
)
def test_equals_cox_de_boor(t, d, lo, width, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    hi = lo + width
    x = torch.rand(5, 3, generator=gen, dtype=dtype) * (2 * width) + (lo - width / 2)
    x.requires_grad_(True)
    ref = cox_de_boor(x, lo, hi, t, d)
    got = bspline(x, grid_range=(lo, hi), t=t, d=d)
    # float32: x itself is rounded by up to eps*|x|, and a basis function changes by up to 2/h
    # (h = width / t) per unit of x, so near |x| ~ 3 with narrow knots 1e-6 is below rounding
    eps32 = torch.finfo(torch.float32).eps
    atol32 = max(1e-6, 2 * eps32 * (abs(lo) + 2 * width) * t / width)
    tol = (
        {"rtol": 1e-5, "atol": atol32} if dtype == torch.float32 else {"rtol": 1e-9, "atol": 1e-12}
    )
    assert_close(got, ref, **tol)
    if d == 0:  # piecewise constant: no gradient in either
        return
    g = torch.randn(ref.shape, generator=gen, dtype=dtype)
    (want,) = torch.autograd.grad(ref, x, g)
    (have,) = torch.autograd.grad(got, x, g)
    scale = max(1.0, want.abs().max().item())
    assert_close(have, want, rtol=tol["rtol"] * 10, atol=tol["atol"] * 10 * scale)
