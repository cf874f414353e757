"""Remainder kernels pi: x (b, m) -> (b, n) or (n,), in pure torch.

Activation functions (tinybig's ``activation_functions`` / ``activation_function_configs``) are
applied by the compiler after the kernel, not here. The learnable weights are passed in:
``w`` is the head's ``w_remainder`` (n, m) and ``b`` its ``b_remainder`` (n,).

Shapes follow tinybig 0.2.1 in both semantics: ``zero``, ``one`` and ``constant`` return a
length-n vector whatever the batch size (the head broadcasts it over the batch; tinybig's head
skips ``zero_remainder`` altogether). ``identity`` returns x itself (m must equal n) and ``linear``
returns ``x @ w.T + b`` (x unchanged when ``w`` is None, as in tinybig). Inputs are never modified.

tinybig constructor parameters: all remainders take ``require_parameters`` (default False, True for
``linear_remainder``) and ``enable_bias`` (default False); only ``constant_remainder`` has ``c``
(default 1.0).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["REMAINDERS", "constant", "identity", "linear", "one", "zero"]


def constant(
    x: Tensor | None = None,
    *,
    n: int,
    c: float = 1.0,
    dtype: torch.dtype | None = None,
    device=None,
) -> Tensor:
    """c * ones(n): shape (n,), batch-independent. dtype/device default to x's."""
    if dtype is None:
        dtype = x.dtype if x is not None else torch.get_default_dtype()
    if device is None:
        device = x.device if x is not None else torch.device("cpu")
    return torch.full((n,), float(c), dtype=dtype, device=device)


def zero(
    x: Tensor | None = None, *, n: int, dtype: torch.dtype | None = None, device=None
) -> Tensor:
    """zeros(n): shape (n,)."""
    return constant(x, n=n, c=0.0, dtype=dtype, device=device)


def one(
    x: Tensor | None = None, *, n: int, dtype: torch.dtype | None = None, device=None
) -> Tensor:
    """ones(n): shape (n,)."""
    return constant(x, n=n, c=1.0, dtype=dtype, device=device)


def identity(x: Tensor, *, n: int | None = None) -> Tensor:
    """x itself (requires x.shape[-1] == n when n is given)."""
    if n is not None and x.shape[-1] != n:
        raise ValueError(f"identity_remainder needs m == n, got m={x.shape[-1]}, n={n}")
    return x


def linear(x: Tensor, *, w: Tensor | None, b: Tensor | None = None) -> Tensor:
    """x @ w.T + b with w (n, m), b (n,) or None; x unchanged if w is None."""
    if w is None:
        return x
    return F.linear(x, w, b)


REMAINDERS: dict[str, Callable[..., Tensor]] = {
    "zero_remainder": zero,
    "one_remainder": one,
    "constant_remainder": constant,
    "identity_remainder": identity,
    "linear_remainder": linear,
}
