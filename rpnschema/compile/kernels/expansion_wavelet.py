"""Discrete wavelet expansion kernels (harr, beta, shannon, ricker, dog, meyer).

For scale s' in range(s) and shift t' in range(t), the child wavelet is

    phi_{s',t'}(x) = a^(-s'/2) * psi(tau),   tau = x / a^s' - t' * b.

Order 1 gives, per feature j, the s*t values phi_{s',t'}(x_j) (column j*s*t + s'*t + t');
orders 2..d append the k-fold row-wise outer products of the order-1 vector, like Taylor.
D = sum_{k=1..d} (m*s*t)^k.

native vs tinybig:
- beta: tinybig applies sigmoid to ALL tau of an (s', t') evaluation as soon as ANY tau of
  the whole batch lies outside [0, 1], so a sample's output depends on the rest of the batch.
  tinybig semantics reproduce that (vectorised with torch.where on a batch-wide flag, so it
  also runs on the meta device). native semantics evaluate each element on its own: the
  documented beta density tau^(alpha-1) (1-tau)^(beta-1) / B(alpha, beta) on its support
  [0, 1] and 0 outside it (no sigmoid).
- shannon: psi(tau) = (sin 2 pi tau - sin pi tau) / (pi tau) is 0/0 = NaN at tau = 0 in
  tinybig; native uses the limit value 1 there.
- meyer: the formula is 0/0 at tau = +-3/4 (NaN in tinybig); native uses the limit
  2 / (3 pi) there (tau = 0 already has its limit 2/3 + 4/(3 pi) in both semantics).
- harr, ricker, dog: identical in both semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import (
    check_input,
    check_semantics,
    outer_powers,
)

_Psi = Callable[[Tensor], Tensor]


def _check_ab(a: float, b: float) -> None:
    # tinybig: `if a < 1 or b < 0: raise ValueError('a must be > 1 and b mush > 0...')`
    if a < 1 or b < 0:
        raise ValueError(f"wavelet needs a >= 1 and b >= 0, got a={a}, b={b}")


def _expand(x: Tensor, psi: _Psi, a: float, b: float, d: int, s: int, t: int) -> Tensor:
    check_input(x)
    _check_ab(a, b)
    if d < 1:
        # tinybig fails its own D assertion for d < 1 (calculate_D gives 0)
        raise ValueError(f"wavelet expansion order d must be >= 1, got {d}")
    bsz, m = x.shape
    cols = []
    for si in range(s):
        scale = a**si
        for ti in range(t):
            tau = x / scale - ti * b
            cols.append(1.0 / math.sqrt(scale) * psi(tau))
    if not cols:
        wavelet_x = x.new_zeros((bsz, 0))
    else:
        wavelet_x = torch.stack(cols, dim=-1).reshape(bsz, m * s * t)
    if d > 1:
        return outer_powers(wavelet_x, d)
    return wavelet_x


def harr_wavelet(
    x: Tensor,
    *,
    semantics: str = "native",
    a: float = 1.0,
    b: float = 1.0,
    d: int = 1,
    s: int = 1,
    t: int = 1,
) -> Tensor:
    """Haar: psi = 1 on [0, 1/2), -1 on [1/2, 1), 0 elsewhere."""
    check_semantics(semantics)

    def psi(tau: Tensor) -> Tensor:
        one = torch.ones_like(tau)
        out = torch.where((tau >= 0) & (tau < 0.5), one, torch.zeros_like(tau))
        return torch.where((tau >= 0.5) & (tau < 1), -one, out)

    return _expand(x, psi, a, b, d, s, t)


def _beta_fn(alpha: float, beta: float) -> float:
    return math.exp(math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta))


def beta_wavelet(
    x: Tensor,
    *,
    semantics: str = "native",
    a: float = 1.0,
    b: float = 1.0,
    alpha: float = 1.0,
    beta: float = 1.0,
    d: int = 1,
    s: int = 1,
    t: int = 1,
) -> Tensor:
    """Beta: psi = tau^(alpha-1) (1-tau)^(beta-1) / B(alpha, beta); alpha, beta >= 1.

    tinybig: batch-wide sigmoid switch (see module docstring). native: per element, the
    density on [0, 1] and 0 outside.
    """
    check_semantics(semantics)
    if alpha < 1.0 or beta < 1.0:
        raise ValueError("alpha and beta must be >= 1.")
    coeff = 1.0 / _beta_fn(alpha, beta)

    def density(tau: Tensor) -> Tensor:
        return coeff * tau ** (alpha - 1) * (1.0 - tau) ** (beta - 1.0)

    def psi_tinybig(tau: Tensor) -> Tensor:
        inside = (tau >= 0) & (tau <= 1)
        tau = torch.where(inside.all(), tau, torch.sigmoid(tau))
        return density(tau)

    def psi_native(tau: Tensor) -> Tensor:
        # The density is 0 at an endpoint whose exponent is positive; leaving that endpoint
        # out of the support keeps the value and avoids tau^(alpha-1)'s infinite slope there.
        lower = tau > 0 if alpha > 1 else tau >= 0
        upper = tau < 1 if beta > 1 else tau <= 1
        inside = lower & upper
        safe = torch.where(inside, tau, torch.full_like(tau, 0.5))
        return torch.where(inside, density(safe), torch.zeros_like(tau))

    psi = psi_tinybig if semantics == "tinybig" else psi_native
    return _expand(x, psi, a, b, d, s, t)


def shannon_wavelet(
    x: Tensor,
    *,
    semantics: str = "native",
    a: float = 1.0,
    b: float = 1.0,
    d: int = 1,
    s: int = 1,
    t: int = 1,
) -> Tensor:
    """Shannon: psi = (sin 2 pi tau - sin pi tau) / (pi tau); native: psi(0) = 1 (the limit)."""
    check_semantics(semantics)

    def formula(tau: Tensor) -> Tensor:
        return (torch.sin(2 * torch.pi * tau) - torch.sin(torch.pi * tau)) / (torch.pi * tau)

    def psi_native(tau: Tensor) -> Tensor:
        zero = tau == 0
        safe = torch.where(zero, torch.ones_like(tau), tau)
        return torch.where(zero, torch.ones_like(tau), formula(safe))

    psi = formula if semantics == "tinybig" else psi_native
    return _expand(x, psi, a, b, d, s, t)


def ricker_wavelet(
    x: Tensor,
    *,
    semantics: str = "native",
    a: float = 1.0,
    b: float = 1.0,
    sigma: float = 1.0,
    d: int = 1,
    s: int = 1,
    t: int = 1,
) -> Tensor:
    """Ricker: psi = 2 (1 - (tau/sigma)^2) / (sqrt(3 sigma) pi^(1/4)) exp(-tau^2 / (2 sigma^2))."""
    check_semantics(semantics)
    if sigma < 0.0:
        raise ValueError("sigma must be >= 0.")

    def psi(tau: Tensor) -> Tensor:
        term1 = 2.0 * (1.0 - (tau / sigma) ** 2) / (math.sqrt(3 * sigma) * (torch.pi**0.25))
        term2 = torch.exp(-(tau**2) / (2 * sigma**2))
        return term1 * term2

    return _expand(x, psi, a, b, d, s, t)


def dog_wavelet(
    x: Tensor,
    *,
    semantics: str = "native",
    a: float = 1.0,
    b: float = 1.0,
    sigma_1: float = 1.0,
    sigma_2: float = 2.0,
    d: int = 1,
    s: int = 1,
    t: int = 1,
) -> Tensor:
    """Difference of Gaussians: psi = N(tau | 0, sigma_1) - N(tau | 0, sigma_2) (densities)."""
    check_semantics(semantics)
    if sigma_1 < 0.0 or sigma_2 < 0.0:
        raise ValueError("sigma_1 and sigma_2 must be >= 0.")

    def psi(tau: Tensor) -> Tensor:
        g1 = torch.exp(-0.5 * (tau / sigma_1) ** 2) / math.sqrt(2 * torch.pi * sigma_1**2)
        g2 = torch.exp(-0.5 * (tau / sigma_2) ** 2) / math.sqrt(2 * torch.pi * sigma_2**2)
        return g1 - g2

    return _expand(x, psi, a, b, d, s, t)


_MEYER_AT_0 = 2.0 / 3.0 + 4.0 / (3.0 * math.pi)
_MEYER_AT_3_4 = 2.0 / (3.0 * math.pi)


def meyer_wavelet(
    x: Tensor,
    *,
    semantics: str = "native",
    a: float = 1.0,
    b: float = 1.0,
    d: int = 1,
    s: int = 1,
    t: int = 1,
) -> Tensor:
    """Meyer: psi = (sin(2 pi tau / 3) + 4/3 tau cos(4 pi tau / 3)) / (pi tau - 16 pi tau^3 / 9),
    psi(0) = 2/3 + 4/(3 pi); native also psi(+-3/4) = 2/(3 pi) (tinybig: NaN)."""
    check_semantics(semantics)

    def formula(tau: Tensor) -> Tensor:
        num = torch.sin((2.0 * torch.pi / 3.0) * tau) + 4.0 / 3.0 * tau * torch.cos(
            (4.0 * torch.pi / 3.0) * tau
        )
        return num / (torch.pi * tau - (16.0 * torch.pi / 9.0) * tau**3)

    def psi(tau: Tensor) -> Tensor:
        zero = tau == 0
        singular = zero if semantics == "tinybig" else zero | (tau == 0.75) | (tau == -0.75)
        safe = torch.where(singular, torch.full_like(tau, 0.5), tau)
        out = formula(safe)
        out = torch.where(zero, torch.full_like(tau, _MEYER_AT_0), out)
        if semantics != "tinybig":
            out = torch.where(singular & ~zero, torch.full_like(tau, _MEYER_AT_3_4), out)
        return out

    return _expand(x, psi, a, b, d, s, t)
