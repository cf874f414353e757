"""Seeded parameter initialization (the model's ``init`` method).

Each parameter is filled exactly once, from a CPU generator seeded by the model seed and the
parameter's path, in float32, then cast and moved: the same spec and seed give bit-identical
weights whatever the device, and the float64/bfloat16 weights are the float32 ones rounded.
On the meta device nothing is drawn.

Methods (w is ``channels x l``, ``w_remainder`` ``n x m``, fusion weights ``1 x l``):

- ``xavier_uniform`` / ``xavier_normal``: torch's, with fan_in = size(1), fan_out = size(0).
- ``kaiming_uniform``: torch's with a = sqrt(5) (as tinybig and torch.nn.Linear).
- ``fanout_std_uniform``: U(-1/sqrt(k), 1/sqrt(k)) with k = size(-1) (the GCN-style rule).

Biases are initialized as the ``1 x n`` row with the same method, except under
``kaiming_uniform`` where, as in tinybig and torch.nn.Linear, the bound is 1/sqrt(fan_in) of the
weight the bias belongs to.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from rpnschema.compile.context import BuildContext

Init = Callable[[Tensor, torch.Generator], None]


def _xavier_uniform(t: Tensor, g: torch.Generator) -> None:
    nn.init.xavier_uniform_(t, generator=g)


def _xavier_normal(t: Tensor, g: torch.Generator) -> None:
    nn.init.xavier_normal_(t, generator=g)


def _kaiming_uniform(t: Tensor, g: torch.Generator) -> None:
    nn.init.kaiming_uniform_(t, a=math.sqrt(5), generator=g)


def _fanout_std_uniform(t: Tensor, g: torch.Generator) -> None:
    bound = 1.0 / math.sqrt(t.size(-1))
    nn.init.uniform_(t, -bound, bound, generator=g)


INIT_METHODS: dict[str, Init] = {
    "xavier_uniform": _xavier_uniform,
    "xavier_normal": _xavier_normal,
    "kaiming_uniform": _kaiming_uniform,
    "fanout_std_uniform": _fanout_std_uniform,
}


def _parameter(
    ctx: BuildContext, shape: tuple[int, ...], fill: Callable[[Tensor], None]
) -> nn.Parameter:
    if ctx.meta:
        return nn.Parameter(ctx.empty(*shape))
    staged = torch.empty(*shape, dtype=torch.float32)
    fill(staged)
    return nn.Parameter(staged.to(device=ctx.device, dtype=ctx.dtype))


def new_weight(ctx: BuildContext, *shape: int) -> nn.Parameter:
    """A 2-d parameter at ``ctx.path``, filled by the model's init method."""
    method = INIT_METHODS[ctx.init]
    return _parameter(ctx, shape, lambda t: method(t, ctx.generator()))


def new_bias(ctx: BuildContext, n: int, weight_fan_in: int) -> nn.Parameter:
    """A length-n bias at ``ctx.path``; ``weight_fan_in`` is its weight's size(1)."""
    g = ctx.generator()
    if ctx.init == "kaiming_uniform":
        bound = 1.0 / math.sqrt(weight_fan_in) if weight_fan_in > 0 else 0.0
        return _parameter(ctx, (n,), lambda t: nn.init.uniform_(t, -bound, bound, generator=g))
    method = INIT_METHODS[ctx.init]
    return _parameter(ctx, (n,), lambda t: method(t.view(1, -1), g))
