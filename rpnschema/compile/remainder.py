"""Remainder modules pi: (b, m) -> (b, n) (constant ones give (n,), broadcast by the head).

The weights ``w_remainder`` (n x m) and ``b_remainder`` (n) belong to the head (tinybig's
names). The remainder's activation functions are applied to its output here; a constant
remainder's (n,) output is first broadcast to (b, n), so that activations over the feature
dimension (softmax, layer_norm) act per sample.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

from rpnschema.compile.context import BuildContext
from rpnschema.compile.kernels.remainder import REMAINDERS
from rpnschema.compile.processing import build_processing
from rpnschema.spec import remainder as rm

RemainderBuilder = Callable[[rm.Remainder, BuildContext, int, int], nn.Module]


class Remainder(nn.Module):
    """One catalog remainder followed by its activation functions."""

    skipped = False  # True: the head does not add it

    def __init__(self, spec: rm.Remainder, ctx: BuildContext, m: int, n: int):
        super().__init__()
        self.name = spec.name
        self.kernel = REMAINDERS[spec.name]
        self.m, self.n = m, n
        self.c = getattr(spec, "c", None)
        self.activation = build_processing(spec.activation, ctx.at("activation"))
        self.activated = len(self.activation) > 0  # decided once; empty: forward == compute

    def compute(self, x: Tensor, w: Tensor | None, b: Tensor | None) -> Tensor:
        if self.name == "linear_remainder":
            return self.kernel(x, w=w, b=b)
        if self.name == "identity_remainder":
            return self.kernel(x, n=self.n)
        extra = {"c": self.c} if self.c is not None else {}
        return self.kernel(x, n=self.n, dtype=x.dtype, device=x.device, **extra)

    def forward(self, x: Tensor, w: Tensor | None = None, b: Tensor | None = None) -> Tensor:
        out = self.compute(x, w, b)
        if not self.activated:
            return out
        if out.dim() == 1:  # a constant (n,): activate it per sample, as the head adds it
            out = out.expand(x.shape[0], -1)
        return self.activation(out)

    def extra_repr(self) -> str:
        c = f"(c={self.c})" if self.c is not None else ""
        return f"{self.name}{c}, m={self.m}, n={self.n}"


class ZeroRemainder(Remainder):
    """pi(x) = 0: the head skips it altogether (activation included), as tinybig does."""

    skipped = True


REMAINDER_BUILDERS: dict[type[rm.Remainder], RemainderBuilder] = {
    rm.ZeroRemainder: ZeroRemainder,
    rm.OneRemainder: Remainder,
    rm.ConstantRemainder: Remainder,
    rm.IdentityRemainder: Remainder,
    rm.LinearRemainder: Remainder,
}


def build_remainder(spec: rm.Remainder, ctx: BuildContext, m: int, n: int) -> nn.Module:
    """The module of one remainder spec mapping m inputs to n outputs."""
    builder = REMAINDER_BUILDERS.get(type(spec))
    if builder is None:
        from rpnschema.compile.plugin import PluginRemainder

        return PluginRemainder(spec, ctx, m, n)
    return builder(spec, ctx, m, n)
