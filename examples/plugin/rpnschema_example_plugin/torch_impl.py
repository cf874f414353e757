"""The torch modules of the example plugin; rpnschema imports this module when it builds.

Each class is a factory ``cls(spec, info)``: ``spec`` is the validated component and ``info``
(:class:`rpnschema.compile.plugin.BuildInfo`) carries the sizes its rules gave.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class SignedPower(nn.Module):
    """(b, m) -> (b, m * len(powers)), powers outermost (like tinybig's expansions)."""

    def __init__(self, spec, info):
        super().__init__()
        self.powers = tuple(spec.powers)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([torch.sign(x) * x.abs().pow(p) for p in self.powers], dim=-1)


class BlockDiagonal(nn.Module):
    """(l,) -> (n, D): the l values are the blocks, row-major, placed on the diagonal."""

    def __init__(self, spec, info):
        super().__init__()
        self.blocks, self.n, self.D = spec.blocks, info.n, info.D

    def forward(self, w: Tensor) -> Tensor:
        b = self.blocks
        parts = w.view(b, self.n // b, self.D // b)
        return torch.block_diag(*parts.unbind(0))


class GatedIdentity(nn.Module):
    """(b, n) -> (b, n): sigmoid(g) * x, one gate per feature."""

    def __init__(self, spec, info):
        super().__init__()
        self.gate = nn.Parameter(torch.full((info.n,), float(spec.initial_gate)))

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(self.gate) * x


class SoftmaxWeighted(nn.Module):
    """[(b, d)] * k, w (k,) -> (b, d): the softmax(w)-weighted sum."""

    def __init__(self, spec, info):
        super().__init__()

    def forward(self, xs: list[Tensor], w: Tensor | None) -> Tensor:
        weights = torch.softmax(w, dim=0)
        return torch.einsum("k,kbd->bd", weights, torch.stack(xs, dim=0))
