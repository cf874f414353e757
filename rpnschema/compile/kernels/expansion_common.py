"""Shared helpers for the data expansion kernels (kappa: x (b, m) -> (b, D))."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

SEMANTICS = ("native", "tinybig")


def check_semantics(semantics: str) -> None:
    """Raise ``ValueError`` unless ``semantics`` is one of :data:`SEMANTICS`."""
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}")


def check_input(x: Tensor) -> None:
    """Expansion kernels take a 2-d (b, m) tensor."""
    if x.dim() != 2:
        raise ValueError(f"expansion input must be 2-d (b, m), got shape {tuple(x.shape)}")


def outer_powers(v: Tensor, d: int) -> Tensor:
    """Concatenate the k-fold row-wise outer products of ``v`` for k = 1..d.

    This is tinybig's Taylor layout: order k contributes ``v.size(1) ** k`` columns, the
    flattening of ``v (x) v (x) ... (x) v`` in row-major order.
    """
    b = v.size(0)
    if d == 2:  # the common case, without the loop
        return torch.cat((v, (v.unsqueeze(2) * v.unsqueeze(1)).flatten(1)), dim=1)
    parts = []
    powers = v
    for k in range(1, d + 1):
        if k > 1:
            powers = (powers.unsqueeze(2) * v.unsqueeze(1)).flatten(1)
        parts.append(powers)
    if not parts:
        return v.new_zeros((b, 0))
    return torch.cat(parts, dim=1)


def stack_degrees(polys: Sequence[Tensor], b: int, m: int, x: Tensor) -> Tensor:
    """Stack per-degree (b, m) tensors into tinybig's feature-major (b, m * d) layout."""
    if len(polys) == 0:
        return x.new_zeros((b, 0))
    return torch.stack(list(polys), dim=-1).reshape(b, m * len(polys))


def traced_constants(function: Callable[..., Any]) -> Callable[..., Any]:
    """Cache a function of Python values that returns constant tensors (index tables, knots),
    except while torch.compile or torch.export traces: the tensors made then are the traced
    graph's constants (fake tensors under export) and must never be reused outside it."""
    cached = functools.lru_cache(maxsize=64)(function)

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        if torch.compiler.is_compiling() or torch.compiler.is_exporting():
            return function(*args)
        return cached(*args)

    return wrapper
