"""The B-spline kernel with a hand-written input gradient, for heads that differentiate it.

On its interval every non-zero basis is a polynomial of the local coordinate u = (x - g_k) / h
(:mod:`rpnschema.compile.kernels.expansion_bspline`), so d basis / dx is the derivative
polynomial times 1 / h, evaluated in the forward alongside the bases. The backward is then one
gather of the output gradient at the d + 1 columns each input wrote, a product and a sum, where
autograd would walk the Horner chain's nodes (an addcmul per degree, the index and scatter
nodes) every step. The values are the kernel's; the gradient equals autograd's up to float
rounding. Under ``create_graph`` the backward falls back to the plain differentiable kernel, so
higher-order gradients are autograd's.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_bspline import (
    MONOMIAL_MAX_DEGREE,
    _tables,
    bspline,
    piece_coefficients,
)
from rpnschema.compile.kernels.expansion_common import traced_constants


@traced_constants
def _powers_and_coefficients(d: int, dtype: torch.dtype, device: torch.device):
    """Exponents 0..d and the (d + 1, 2 (d + 1)) coefficients taking [u^0 .. u^d] to the d + 1
    pieces and their derivatives d / du (constant term first)."""
    M = torch.tensor(piece_coefficients(d), dtype=torch.float64)  # (piece j, power p)
    slope = torch.zeros_like(M)
    slope[:, :-1] = M[:, 1:] * torch.arange(1, d + 1, dtype=torch.float64)
    both = torch.cat([M, slope]).T.contiguous()  # (power, 2 (d + 1))
    return torch.arange(d + 1, dtype=dtype, device=device), both.to(dtype=dtype, device=device)


def _values_and_slopes(x: Tensor, grid_range: tuple[float, float], t: int, d: int):
    """(b, m (t + d)) bases, the columns each input wrote (b, m, d + 1) and their d / dx."""
    b, m = x.shape
    lo, hi = float(grid_range[0]), float(grid_range[1])
    grid, offset, column, real, scale, _ = _tables(lo, hi, t, d, x.dtype, x.device)
    k = torch.bucketize(x, grid, right=True)
    u = torch.addcmul(torch.take(offset, k), x, scale)
    flat = k.view(-1)
    mask = real.index_select(0, flat).view(b, m, d + 1)
    exponents, both = _powers_and_coefficients(d, x.dtype, x.device)
    pieces = u.unsqueeze(-1).pow(exponents) @ both  # (b, m, 2 (d + 1))
    values, slopes = pieces[..., : d + 1] * mask, pieces[..., d + 1 :] * (mask * scale)
    index = column.index_select(0, flat).view(b, m, d + 1)
    out = x.new_zeros(b, m, t + d).scatter_add_(2, index, values)
    return out.view(b, m * (t + d)), index, slopes


class _Bspline(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, params: dict[str, Any]) -> Tensor:
        out, index, slopes = _values_and_slopes(x, params["grid_range"], params["t"], params["d"])
        ctx.save_for_backward(x, index, slopes)
        ctx.params = params
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, None]:
        x, index, slopes = ctx.saved_tensors
        params = ctx.params
        if torch.is_grad_enabled():  # create_graph: the plain differentiable computation
            kappa = bspline(x, **params)
            return torch.autograd.grad(kappa, x, g, create_graph=True)[0], None
        b, m = x.shape
        picked = g.reshape(b, m, -1).gather(2, index)  # the gradient at each input's columns
        return (picked * slopes).sum(-1), None


def bspline_differentiable(x: Tensor, **params: Any) -> Tensor:
    """:func:`~rpnschema.compile.kernels.expansion_bspline.bspline` (``params``: its keywords)
    with the hand-written input gradient when x needs one and ``grid_range``, ``t`` and ``d``
    (1 to :data:`MONOMIAL_MAX_DEGREE`) are given; otherwise, in traced graphs and without a
    gradient, the plain kernel."""
    if (
        not (torch.is_grad_enabled() and x.requires_grad)
        or not {"grid_range", "t", "d"} <= params.keys()
        or not 0 < params["d"] <= MONOMIAL_MAX_DEGREE
        or torch.compiler.is_compiling()
        or torch.compiler.is_exporting()
        or x.dim() != 2
    ):
        return bspline(x, **params)
    return _Bspline.apply(x, params)
