"""Fusion modules: a list of (b, d_i) tensors (+ the owner's weight) -> (b, n).

The learnable weight (``w_channel_fusion`` of a head, ``w_head_fusion`` of a layer, 1 x l) belongs
to the owner, under tinybig's names; the module holds only the fixed random matrices of the
random-matrix parameterized concatenation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

from rpnschema import dims as dimrules
from rpnschema.compile.context import BuildContext
from rpnschema.compile.draws import random_tensors, register
from rpnschema.compile.expansion import kernel_params
from rpnschema.compile.kernels.fusion import FUSIONS, RANDOM_BUFFERS, STACKED
from rpnschema.spec import fusion as fu

FusionBuilder = Callable[[fu.Fusion, BuildContext], nn.Module]


class Fusion(nn.Module):
    """One catalog fusion over inputs sized ``spec.dims`` (filled by normalization)."""

    def __init__(self, spec: fu.Fusion, ctx: BuildContext):
        super().__init__()
        if spec.dims is None:
            raise ValueError(f"{spec.name} has no dims; build from a normalized spec")
        self.name = spec.name
        self.semantics = ctx.semantics
        self.kernel = FUSIONS[spec.name]
        self.params = kernel_params(spec, frozenset({"name"}))
        self.dims = list(spec.dims)
        self.n = dimrules.fusion_n(spec, self.dims)
        self.l = dimrules.fusion_l(spec, self.dims)
        self.random_names: tuple[str, ...] = ()
        if spec.name in RANDOM_BUFFERS:
            assert isinstance(spec, fu.RandomMatrixAdaptionParameterizedConcatenationFusion)
            r = spec.r
            shapes = {"A": ((self.n, r), None), "B": ((sum(self.dims), r), None)}
            drawn = random_tensors(RANDOM_BUFFERS[spec.name], shapes, ctx, **self.params)
            register(self, drawn)
            self.random_names = tuple(drawn)
        # same-shaped inputs, no weight: the operation on them stacked, without the kernel's
        # input checks (the spec's dims guarantee them)
        self.stacked = STACKED.get(spec.name)
        self._concat_linear = spec.name == "parameterized_concatenation_fusion"

    def forward(self, xs: Sequence[Tensor], w: Tensor | None = None) -> Tensor:
        extra = {}
        if self.random_names:
            extra["buffers"] = {k: getattr(self, k) for k in self.random_names}
        return self.kernel(list(xs), w=w, semantics=self.semantics, **self.params, **extra)

    def fuse(self, xs: Sequence[Tensor], w: Tensor | None = None) -> Tensor:
        """``forward`` for inputs that the build guarantees to match ``dims``."""
        if self.stacked is not None:
            return self.stacked(torch.stack(list(xs), dim=0), 0)
        if self._concat_linear and w is not None:  # the kernel's arithmetic, unchecked
            return torch.matmul(torch.cat(list(xs), dim=-1), w.reshape(self.n, -1).T)
        return self.forward(xs, w)

    def fuse_stacked(self, y: Tensor, w: Tensor | None = None, dim: int = 0) -> Tensor:
        """``forward(list(y.unbind(dim)), w)``: the inputs stacked along ``dim`` of y."""
        if self.stacked is not None:
            return self.stacked(y, dim)
        return self.forward(list(y.unbind(dim)), w)

    def extra_repr(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params.items() if v is not None)
        return f"{self.name}({args}), n={self.n}, l={self.l}"


FUSION_BUILDERS: dict[type[fu.Fusion], FusionBuilder] = {cls: Fusion for cls in fu.FUSION_TYPES}


def build_fusion(spec: fu.Fusion, ctx: BuildContext) -> nn.Module:
    """The module of one (normalized) fusion spec."""
    builder = FUSION_BUILDERS.get(type(spec))
    if builder is None:
        from rpnschema.compile.plugin import PluginFusion

        return PluginFusion(spec, ctx)
    return builder(spec, ctx)
