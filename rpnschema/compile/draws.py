"""Random draws of the random components (masks, fixed random matrices, hypernet networks).

Drawn once at build time from a generator seeded by the model seed and the component's path,
and kept in the module (buffers, or parameters for a trained hypernet), so that a saved and
reloaded model computes the same function. On the meta device only the shapes are made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import Tensor, nn

from rpnschema.compile.context import BuildContext

Shape = tuple[int, ...]


def random_tensors(
    maker: Callable[..., dict[str, Tensor]],
    shapes: Mapping[str, tuple[Shape, torch.dtype | None]],
    ctx: BuildContext,
    **params: Any,
) -> dict[str, Tensor]:
    """``maker``'s draws for the component at ``ctx.path`` (empty tensors on meta).

    ``shapes`` gives each tensor's shape and dtype (None: the model dtype); on other devices
    it is checked against what ``maker`` drew.
    """
    if ctx.meta:
        return {k: ctx.empty(*shape, dtype=dtype) for k, (shape, dtype) in shapes.items()}
    drawn = maker(generator=ctx.generator(), dtype=ctx.dtype, device=ctx.device, **params)
    got = {k: tuple(v.shape) for k, v in drawn.items()}
    want = {k: shape for k, (shape, _) in shapes.items()}
    if got != want:  # pragma: no cover - a kernel and this table disagree
        raise RuntimeError(f"random draws at {ctx.path}: expected shapes {want}, got {got}")
    return drawn


def register(
    module: nn.Module, tensors: dict[str, Tensor], trainable: bool = False, frozen: bool = False
) -> None:
    """Register draws as persistent buffers, as parameters when ``trainable``, or as parameters
    that are not trained when ``frozen`` (tinybig's static hypernet network)."""
    for name, t in tensors.items():
        if trainable or frozen:
            module.register_parameter(name, nn.Parameter(t, requires_grad=trainable))
        else:
            module.register_buffer(name, t, persistent=True)
