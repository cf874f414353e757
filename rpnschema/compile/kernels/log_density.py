"""Log-densities for the probabilistic expansions, in closed form.

tinybig evaluates ``torch.distributions.<D>(loc, scale).log_prob(x)`` with one-element float
parameter tensors. Building a distribution object costs more than the arithmetic on the small
inputs these expansions see (argument broadcasting, constraint objects, several tensors per
call), and a forward + backward step paid it twice over. These functions compute the same
expressions, operation for operation, so values and gradients are bitwise those of
``log_prob``: the parameter-only terms (``log(2 scale)``, ``2 scale^2``, ...) are computed once
per dtype and device from the same one-element tensors and cached, and an operation is left
out only where it is exact for every input (subtracting a zero location, dividing by a unit
scale, subtracting ``log 1 = 0``). ``tests/compile/test_log_density.py`` checks the equality
against torch.distributions on every parameter the kernels use.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from rpnschema.compile.kernels.expansion_common import traced_constants

#: log(sqrt(2 pi)) and log(pi), as torch.distributions writes them (Python floats)
_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))
_LOG_PI = math.log(math.pi)


@traced_constants
def _param(v: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    """The one-element parameter tensor tinybig passes to the distribution."""
    return torch.tensor([v], dtype=dtype, device=device)


@traced_constants
def _normal_consts(scale: float, dtype: torch.dtype, device: torch.device) -> tuple[Tensor, Tensor]:
    s = _param(scale, dtype, device)
    return 2 * s**2, s.log()


@traced_constants
def _laplace_const(scale: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    return -torch.log(2 * _param(scale, dtype, device))


@traced_constants
def _cauchy_const(scale: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    return -_LOG_PI - _param(scale, dtype, device).log()


def _gamma_terms(k: Tensor, r: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """k - 1, xlogy(k, r), lgamma(k) and r: Gamma(k, r).log_prob's parameter-only terms."""
    return k - 1, torch.xlogy(k, r), torch.lgamma(k), r


@traced_constants
def _gamma_consts(
    concentration: float, rate: float, dtype: torch.dtype, device: torch.device
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    return _gamma_terms(_param(concentration, dtype, device), _param(rate, dtype, device))


@traced_constants
def _chi2_consts(
    df: float, dtype: torch.dtype, device: torch.device
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Chi2(df) is Gamma(0.5 * df, 0.5), the concentration a tensor op on df's tensor."""
    return _gamma_terms(0.5 * _param(df, dtype, device), _param(0.5, dtype, device))


def _centered(x: Tensor, loc: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    """x - loc; x itself for loc 0 (the sign of a zero may differ; every caller squares it or
    takes its absolute value)."""
    return x if loc == 0.0 else x - _param(loc, dtype, device)


def normal(x: Tensor, loc: float, scale: float) -> Tensor:
    """``Normal(loc, scale).log_prob(x)``: -(x - loc)^2 / (2 scale^2) - log scale - log sqrt 2pi."""
    two_var, log_scale = _normal_consts(scale, x.dtype, x.device)
    y = -(_centered(x, loc, x.dtype, x.device) ** 2) / two_var
    if scale != 1.0:  # log 1 = 0 exactly: subtracting it changes nothing
        y = y - log_scale
    return y - _LOG_SQRT_2PI


def cauchy(x: Tensor, loc: float, scale: float) -> Tensor:
    """``Cauchy(loc, scale).log_prob(x)``: -log pi - log scale - log1p(((x - loc) / scale)^2)."""
    z = _centered(x, loc, x.dtype, x.device)
    if scale != 1.0:
        z = z / _param(scale, x.dtype, x.device)
    return _cauchy_const(scale, x.dtype, x.device) - (z**2).log1p()


def laplace(x: Tensor, loc: float, scale: float) -> Tensor:
    """``Laplace(loc, scale).log_prob(x)``: -log(2 scale) - |x - loc| / scale."""
    a = torch.abs(_centered(x, loc, x.dtype, x.device))
    if scale != 1.0:
        a = a / _param(scale, x.dtype, x.device)
    return _laplace_const(scale, x.dtype, x.device) - a


def exponential(x: Tensor, rate: float) -> Tensor:
    """``Exponential(rate).log_prob(x)``: log rate - rate x."""
    r = _param(rate, x.dtype, x.device)
    return _log_param(rate, x.dtype, x.device) - r * x


@traced_constants
def _log_param(v: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    return _param(v, dtype, device).log()


def gamma(x: Tensor, concentration: float, rate: float) -> Tensor:
    """``Gamma(k, r).log_prob(x)``: xlogy(k, r) + xlogy(k - 1, x) - r x - lgamma(k)."""
    return _gamma_log_prob(x, *_gamma_consts(concentration, rate, x.dtype, x.device))


def chi2(x: Tensor, df: float) -> Tensor:
    """``Chi2(df).log_prob(x)``."""
    return _gamma_log_prob(x, *_chi2_consts(df, x.dtype, x.device))


def _gamma_log_prob(x: Tensor, k1: Tensor, xlogy_kr: Tensor, lgamma_k: Tensor, r: Tensor) -> Tensor:
    return xlogy_kr + torch.xlogy(k1, x) - r * x - lgamma_k
