"""The B-spline expansion kernel, evaluated in closed form on its uniform grid.

tinybig computes B-spline bases by the Cox-de Boor recursion over the whole extended grid: d
rounds over (b, m, t + 2d) tensors. On a uniform grid only d + 1 bases are non-zero at any x,
and on the grid interval k that holds x they are fixed polynomials of the local coordinate
u = (x - g_k) / h in [0, 1) (the uniform B-spline pieces). This kernel finds k with one
``bucketize`` against the same float grid (so every x lands in the interval the recursion's
``g_k <= x < g_{k+1}`` picks), evaluates the d + 1 pieces and scatters them into the
feature-major (b, m * (t + d)) output. The result equals the recursion's up to float rounding in
both semantics (the conformance cases are the oracle); x outside the extended grid gives zeros.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import (
    check_input,
    check_semantics,
    traced_constants,
)

#: up to this degree the pieces are evaluated from monomial coefficients (one matmul); above it
#: by the local recursion on d + 1 values (monomial coefficients grow with d)
MONOMIAL_MAX_DEGREE = 4


@lru_cache(maxsize=16)
def piece_coefficients(d: int) -> tuple[tuple[float, ...], ...]:
    """M (d + 1 x d + 1): on its interval, the non-zero basis j (j = 0 the oldest) equals
    sum_p M[j][p] u^p. Exact rationals from the recursion
    v_j^(k) = ((u + k - j) v_{j-1}^(k-1) + (j + 1 - u) v_j^(k-1)) / k, v^(0) = [1]."""
    polys: list[list[Fraction]] = [[Fraction(1)]]
    for k in range(1, d + 1):
        nxt = []
        for j in range(k + 1):
            acc = [Fraction(0)] * (k + 1)
            if j >= 1:  # (u + k - j) * v_{j-1}
                for p, c in enumerate(polys[j - 1]):
                    acc[p] += c * (k - j)
                    acc[p + 1] += c
            if j < k:  # (j + 1 - u) * v_j
                for p, c in enumerate(polys[j]):
                    acc[p] += c * (j + 1)
                    acc[p + 1] -= c
            nxt.append([c / k for c in acc])
        polys = nxt
    return tuple(tuple(float(c) for c in row) for row in polys)


@traced_constants
def _tables(lo: float, hi: float, t: int, d: int, dtype: torch.dtype, device: torch.device):
    """Per grid, built once: the knots; by bucket k (g_{k-1} <= x < g_k) -g_{k-1} / h, the d + 1
    output columns (clamped) and whether each is a real column (1.0) or off the end; 1 / h; and
    the rows of the piece coefficients (constant term first)."""
    h = (hi - lo) / t
    bases, intervals = t + d, t + 2 * d
    grid = torch.arange(-d, t + d + 1, dtype=dtype, device=device) * h + lo
    scale = t / (hi - lo)
    offset = torch.cat([grid[:1], grid]) * -scale
    column = torch.arange(intervals + 2, device=device).view(-1, 1) + torch.arange(
        -1 - d, 0, device=device
    )  # bucket k -> bases k - 1 - d + j
    real = ((column >= 0) & (column < bases)).to(dtype)
    rows: tuple[Tensor, ...] = ()
    if 0 < d <= MONOMIAL_MAX_DEGREE:
        rows = torch.tensor(piece_coefficients(d), dtype=dtype, device=device).T.unbind(0)
    return grid, offset, column.clamp(0, bases - 1), real, torch.tensor(scale, dtype=dtype), rows


def _pieces(u: Tensor, d: int, rows: tuple[Tensor, ...]) -> Tensor:
    """The d + 1 non-zero bases at local coordinate u: (..., d + 1)."""
    ue = u.unsqueeze(-1)
    if d == 0:
        return torch.ones_like(ue)
    if rows:  # Horner on all d + 1 pieces at once
        v = torch.addcmul(rows[d - 1], ue, rows[d])
        for p in range(d - 2, -1, -1):
            v = torch.addcmul(rows[p], v, ue)
        return v
    v = torch.ones_like(ue)
    for k in range(1, d + 1):
        j = torch.arange(k + 1, dtype=u.dtype, device=u.device)
        older = torch.nn.functional.pad(v, (1, 0))  # v_{j-1}, 0 for j = 0
        same = torch.nn.functional.pad(v, (0, 1))  # v_j, 0 for j = k
        v = ((ue + (k - j)) * older + ((j + 1) - ue) * same) / k
    return v


def bspline(
    x: Tensor,
    *,
    semantics: str = "native",
    grid_range: tuple[float, float] = (-1, 1),
    t: int = 5,
    d: int = 3,
) -> Tensor:
    """B-spline bases of degree d on t uniform intervals of grid_range (extended by d knots on
    each side); D = m * (t + d), feature-major.

    B_{i,0}(x) = 1 if g_i <= x < g_{i+1}, so values outside the extended grid are 0.
    """
    check_semantics(semantics)
    check_input(x)
    b, m = x.shape
    lo, hi = float(grid_range[0]), float(grid_range[1])
    grid, offset, column, real, scale, rows = _tables(lo, hi, t, d, x.dtype, x.device)
    # bucket k: g_{k-1} <= x < g_k (0 below the grid, t + 2d + 1 above it), x's interval k - 1
    k = torch.bucketize(x, grid, right=True)
    u = torch.addcmul(torch.take(offset, k), x, scale)  # (x - g_{k-1}) / h
    # the bases k - 1 - d + j (j = 0..d) non-zero there; off the grid none is a real column
    flat = k.view(-1)
    values = _pieces(u, d, rows) * real.index_select(0, flat).view(b, m, d + 1)
    out = x.new_zeros(b, m, t + d)  # off-end columns are clamped and add zeros: scatter_add
    index = column.index_select(0, flat).view(b, m, d + 1)
    return out.scatter_add_(2, index, values).view(b, m * (t + d))
