"""<bspline(x), W> without the b x D expansion: the B-spline bases built a slab of inputs at a
time, each slab multiplied into the output and dropped.

A B-spline head with identity W over many inputs (tinybig's KAN example: 26,964 inputs, D =
215,712) spends its memory on the expansion, not on the arithmetic: the b x D bases (55 MB at
batch 64), the kernel's index and value tensors around them (about four times that while it
runs), and autograd keeping the bases until the backward needs them for W's gradient. Here the
forward computes y = sum_s bspline(x_s) W_s^T over slabs s of inputs (the feature-major layout
makes each slab's features a contiguous block of W's columns), and the backward rebuilds each
slab's bases from the saved input to write W's gradient block by block (and, when x needs a
gradient, the slab's input gradient through the kernel's own autograd). Nothing of size b x D
is ever alive: a step's memory is W's gradient plus one slab.

The arithmetic is the materialized head's, summed over the features in slab order (float
rounding differs accordingly). Under ``create_graph`` the backward falls back to the plain
differentiable computation, so higher-order gradients are those of the materialized head.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from rpnschema.compile.kernels.expansion_bspline import bspline

#: the bases of one slab take about this many bytes (the kernel's temporaries about four times;
#: smaller slabs cost more calls, larger ones stay resident in the allocator)
SLAB_BYTES = 2 * 2**20


def slab_inputs(b: int, m: int, bases: int, itemsize: int, budget: int | None = None) -> int:
    """How many inputs one slab holds: the most whose b x (inputs * bases) bases fit ``budget``
    (:data:`SLAB_BYTES` by default)."""
    budget = SLAB_BYTES if budget is None else budget
    return max(1, min(m, budget // max(1, b * bases * itemsize)))


def _slabs(x: Tensor, bases: int) -> list[tuple[int, int]]:
    b, m = x.shape
    step = slab_inputs(b, m, bases, x.element_size())
    return [(i, min(m, i + step)) for i in range(0, m, step)]


def _forward(x: Tensor, W: Tensor, params: dict[str, Any]) -> Tensor:
    bases = params["t"] + params["d"]
    slabs = _slabs(x, bases)
    if len(slabs) == 1:
        return F.linear(bspline(x, **params), W)
    y: Tensor | None = None
    for i0, i1 in slabs:
        kappa = bspline(x[:, i0:i1].contiguous(), **params)
        Wt = W[:, i0 * bases : i1 * bases].T
        y = kappa @ Wt if y is None else y.addmm_(kappa, Wt)
    assert y is not None
    return y


class _BsplineLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, W: Tensor, params: dict[str, Any]) -> Tensor:
        ctx.save_for_backward(x, W)
        ctx.params = params
        return _forward(x, W, params)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, Tensor | None, None]:
        x, W = ctx.saved_tensors
        params = ctx.params
        # degree 0 bases are piecewise constant: no path to x (None, as autograd gives)
        need_x = ctx.needs_input_grad[0] and params["d"] > 0
        need_W = ctx.needs_input_grad[1]
        if torch.is_grad_enabled():  # create_graph: the plain differentiable computation
            return (*_plain_backward(x, W, g, params, need_x, need_W), None)
        bases = params["t"] + params["d"]
        gx = torch.empty_like(x) if need_x else None
        gW = torch.empty_like(W) if need_W else None
        for i0, i1 in _slabs(x, bases):
            cols = slice(i0 * bases, i1 * bases)
            if gx is None:
                kappa = bspline(x[:, i0:i1].contiguous(), **params)
            else:
                with torch.enable_grad():
                    xs = x[:, i0:i1].detach().contiguous().requires_grad_()
                    kappa = bspline(xs, **params)
                (gx[:, i0:i1],) = torch.autograd.grad(kappa, xs, g @ W[:, cols])
            if gW is not None:
                torch.mm(g.T, kappa.detach(), out=gW[:, cols])
        return gx, gW, None


def _plain_backward(
    x: Tensor, W: Tensor, g: Tensor, params: dict[str, Any], need_x: bool, need_W: bool
) -> tuple[Tensor | None, Tensor | None]:
    kappa = bspline(x, **params)
    gW = g.T @ kappa if need_W else None
    gx = torch.autograd.grad(kappa, x, g @ W, create_graph=True)[0] if need_x else None
    return gx, gW


def bspline_linear(x: Tensor, W: Tensor, **params: Any) -> Tensor:
    """bspline(x, **params) @ W.T, (b, m) x (n, m (t + d)) -> (b, n), slab by slab.

    ``params`` are the B-spline kernel's (``semantics``, ``grid_range``, ``t``, ``d``).
    """
    if torch.compiler.is_compiling() or torch.compiler.is_exporting():
        return F.linear(bspline(x, **params), W)  # traced graphs: the plain computation
    if torch.is_grad_enabled() and (x.requires_grad or W.requires_grad):
        return _BsplineLinear.apply(x, W, params)
    return _forward(x, W, params)
