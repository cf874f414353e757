"""Sequence heads: a head applied to every position of its input row (tinybig's chain heads).

The input row of a sequence head holds ``steps`` positions of m features. The head computes
kappa per position, its instance interdependence mixes the positions of each row
(``A^T`` over the position axis: A is steps x steps), the reconciled weights map each
position to n, the remainder acts per position, and ``input_process`` / ``output_process``
act on the whole row (b, steps*m) / (b, steps*n). Parameter names are those of
:class:`~rpnschema.compile.modules.RPNHead` (tinybig's ``w``, ``b``, ``w_remainder``, ...).
See :mod:`rpnschema.sequence` for the static rules.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from rpnschema.compile.context import BuildContext
from rpnschema.compile.modules import RPNHead
from rpnschema.spec.head import HeadSpec


class SequenceHead(RPNHead):
    """g over the positions of each row: (b, steps*m) -> (b, steps*n)."""

    def __init__(self, spec: HeadSpec, ctx: BuildContext):
        super().__init__(spec, ctx)  # the instance interdependence is built for b = steps
        if spec.steps is None:
            raise ValueError("a sequence head needs steps; build from a normalized spec")
        self.steps = spec.steps
        inst = self.instance_interdependence
        fixed = inst.A if inst is not None else None
        # a fixed steps x steps A is applied dense (faster than sparse at these sizes); not in
        # the state dict, rebuilt from the spec like the interdependence's own A
        dense = fixed.to_dense() if fixed is not None and fixed.is_sparse else fixed
        self.register_buffer("_positions_A", dense, persistent=False)

    def _positions_kappa(self, xs: Tensor, channel: int) -> Tensor:
        """kappa of every position (b*steps, D), the positions of each row mixed by A^T."""
        attr, inst = self.attribute_interdependence, self.instance_interdependence
        if attr is not None:
            w = self.w_attribute_interdependence
            xs = attr.apply(xs, w[channel : channel + 1] if w is not None else None)
        kappa = self.expansion(xs)
        if inst is None:
            return kappa
        L, D = self.steps, kappa.shape[-1]
        b = kappa.shape[0] // L
        if self._positions_A is not None:  # out[j] = sum_i A[i, j] kappa[i], per row
            mixed = torch.einsum("ij,bid->bjd", self._positions_A, kappa.reshape(b, L, D))
            return mixed.reshape(b * L, D)
        # (b*L, D) -> (L, b*D): one column per (row, feature); A^T mixes the L positions
        by_position = kappa.reshape(b, L, D).transpose(0, 1).reshape(L, b * D)
        w = self.w_instance_interdependence
        mixed = inst.apply(xs, w[channel : channel + 1] if w is not None else None, by_position)
        return mixed.reshape(L, b, D).transpose(0, 1).reshape(b * L, D)

    def forward(self, x: Tensor) -> Tensor:
        b = x.shape[0]
        x = self.input_process(x)
        xs = x.reshape(b * self.steps, self.m)
        shared = (
            self.w_attribute_interdependence is None and self.w_instance_interdependence is None
        )
        kappa = self._positions_kappa(xs, 0)
        Ws = self.reconciliation(self.w, self.channels, kappa)  # (C, n, D)
        outs = []
        for c in range(self.channels):
            if c > 0 and not shared:
                kappa = self._positions_kappa(xs, c)
            outs.append(F.linear(kappa, Ws[c], self.b))
        out = self.channel_fusion(outs, self.w_channel_fusion) if self.channel_fusion else outs[0]
        if not self.remainder.skipped:
            out = out + self.remainder(xs, self.w_remainder, self.b_remainder)
        return self.output_process(out.reshape(b, -1))

    def reference_forward(self, x: Tensor) -> Tensor:
        return self.forward(x)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, steps={self.steps}"


def pool_positions(x: Tensor, steps: int) -> Tensor:
    """The mean of the ``steps`` positions of each row: (b, steps*m) -> (b, m)."""
    return x.reshape(x.shape[0], steps, -1).mean(dim=1)
