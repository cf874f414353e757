"""Processing functions (activations, normalizations, dropout) as modules.

native semantics: layer_norm and batch_norm are the torch modules, registered, trained, saved
and counted. tinybig semantics mirror tinybig 0.2.1, which keeps them in plain lists: they have
no parameters or buffers (a LayerNorm with weight 1 and bias 0; a BatchNorm that never leaves
training mode, so it always normalizes with the batch statistics, even after ``.eval()``).
Dropout follows the module's training flag in both semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from rpnschema.compile.context import BuildContext
from rpnschema.spec import processing as pr

ProcessingBuilder = Callable[[pr.Processing, BuildContext], nn.Module]


class StatelessLayerNorm(nn.Module):
    """Layer normalization over the last ``size`` features, without parameters."""

    def __init__(self, size: int, eps: float):
        super().__init__()
        self.size, self.eps = size, eps

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, (self.size,), eps=self.eps)

    def extra_repr(self) -> str:
        return f"{self.size}, eps={self.eps}"


class BatchStatsNorm(nn.Module):
    """Batch normalization with the batch statistics only (tinybig's unregistered BatchNorm)."""

    def __init__(self, size: int, eps: float):
        super().__init__()
        self.size, self.eps = size, eps

    def forward(self, x: Tensor) -> Tensor:
        return F.batch_norm(x, None, None, training=True, eps=self.eps)

    def extra_repr(self) -> str:
        return f"{self.size}, eps={self.eps}"


def _layer_norm(spec: pr.LayerNorm, ctx: BuildContext) -> nn.Module:
    size = _size(spec.normalized_shape, spec)
    if ctx.semantics == "tinybig":
        return StatelessLayerNorm(size, spec.eps)
    return nn.LayerNorm(
        size,
        eps=spec.eps,
        elementwise_affine=spec.elementwise_affine,
        bias=spec.bias,
        device=ctx.device,
        dtype=ctx.dtype,
    )


def _batch_norm(spec: pr.BatchNorm, ctx: BuildContext) -> nn.Module:
    size = _size(spec.num_features, spec)
    if ctx.semantics == "tinybig":
        return BatchStatsNorm(size, spec.eps)
    return nn.BatchNorm1d(
        size,
        eps=spec.eps,
        momentum=spec.momentum,
        affine=spec.affine,
        track_running_stats=spec.track_running_stats,
        device=ctx.device,
        dtype=ctx.dtype,
    )


def _size(size: int | None, spec: pr.Processing) -> int:
    if size is None:  # normalization always fills it
        raise ValueError(f"{spec.name} has no size; build from a normalized spec")
    return size


PROCESSING_BUILDERS: dict[type[pr.Processing], ProcessingBuilder] = {
    pr.ReLU: lambda s, ctx: nn.ReLU(),
    pr.LeakyReLU: lambda s, ctx: nn.LeakyReLU(s.negative_slope),
    pr.Sigmoid: lambda s, ctx: nn.Sigmoid(),
    pr.Tanh: lambda s, ctx: nn.Tanh(),
    pr.GELU: lambda s, ctx: nn.GELU(approximate=s.approximate),
    pr.SiLU: lambda s, ctx: nn.SiLU(),
    pr.Softplus: lambda s, ctx: nn.Softplus(beta=s.beta, threshold=s.threshold),
    pr.ELU: lambda s, ctx: nn.ELU(alpha=s.alpha),
    pr.Softmax: lambda s, ctx: nn.Softmax(dim=s.dim),
    pr.LogSoftmax: lambda s, ctx: nn.LogSoftmax(dim=s.dim),
    pr.LayerNorm: _layer_norm,
    pr.BatchNorm: _batch_norm,
    pr.Dropout: lambda s, ctx: nn.Dropout(s.p),
}


def build_processing(items: Sequence[pr.Processing], ctx: BuildContext) -> nn.Sequential:
    """The processing functions in order, as an ``nn.Sequential`` (empty: the identity)."""
    return nn.Sequential(
        *(PROCESSING_BUILDERS[type(item)](item, ctx.at(i)) for i, item in enumerate(items))
    )
