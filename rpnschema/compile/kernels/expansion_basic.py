"""Basic, polynomial (Taylor/Fourier), trigonometric, probabilistic, RBF and combinatorial
expansion kernels.

Every kernel maps x (b, m) -> (b, D) with tinybig 0.2.1's column order. Unless a docstring
says otherwise the "native" and "tinybig" semantics give the same output.
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import Tensor

from rpnschema.compile.kernels import log_density
from rpnschema.compile.kernels.expansion_common import (
    check_input,
    check_semantics,
    outer_powers,
)

# ---------------------------------------------------------------------------- basic


def identity(x: Tensor, *, semantics: str = "native") -> Tensor:
    """kappa(x) = x (D = m); returns the input tensor itself, as tinybig does."""
    check_semantics(semantics)
    check_input(x)
    return x


def reciprocal(x: Tensor, *, semantics: str = "native") -> Tensor:
    """kappa(x) = 1/x (D = m); entries in [0, 1e-6] count as 1e-6, in [-1e-6, 0) as -1e-6.

    tinybig writes those replacements into the caller's tensor; both semantics here leave the
    input untouched (the tinybig-mode output is still tinybig's).
    """
    check_semantics(semantics)
    check_input(x)
    eps = 1e-6
    safe = torch.where((x >= 0) & (x <= eps), eps, x)
    safe = torch.where((safe < 0) & (safe >= -eps), -eps, safe)
    return torch.reciprocal(safe)


def linear(
    x: Tensor,
    *,
    semantics: str = "native",
    c: float | Tensor | None = None,
    pre_C: Tensor | None = None,
    post_C: Tensor | None = None,
) -> Tensor:
    """kappa(x) = c*x, else pre_C @ x, else x @ post_C, else x (tinybig's precedence; D = m).

    As in tinybig, ``pre_C`` multiplies from the left, i.e. it mixes the b samples and must be
    b x b; ``post_C`` must be m x m.
    """
    check_semantics(semantics)
    check_input(x)
    b, m = x.shape
    if c is not None:
        if isinstance(c, Tensor):
            c = c.to(dtype=x.dtype, device=x.device)
        out = c * x
    elif pre_C is not None:
        if pre_C.size(-1) != b:
            raise ValueError(f"pre_C must have {b} columns (the batch size), got {pre_C.size(-1)}")
        out = torch.matmul(pre_C.to(dtype=x.dtype, device=x.device), x)
    elif post_C is not None:
        if post_C.size(0) != m:
            raise ValueError(f"post_C must have {m} rows, got {post_C.size(0)}")
        out = torch.matmul(x, post_C.to(dtype=x.dtype, device=x.device))
    else:
        out = x
    if tuple(out.shape) != (b, m):
        raise ValueError(f"linear expansion output must be {(b, m)}, got {tuple(out.shape)}")
    return out


# ---------------------------------------------------------------- taylor / fourier


def taylor(x: Tensor, *, semantics: str = "native", d: int = 2) -> Tensor:
    """All monomials of degree 1..d as row-wise outer products; D = sum_{i=1..d} m^i."""
    check_semantics(semantics)
    check_input(x)
    return outer_powers(x, d)


def fourier(x: Tensor, *, semantics: str = "native", P: float = 1, N: int = 5) -> Tensor:
    """[cos(2 pi n x / P), sin(2 pi n x / P)] for n = 1..N, each an m-column block; D = 2 N m."""
    check_semantics(semantics)
    check_input(x)
    parts = []
    for n in range(1, N + 1):
        arg = (2 * math.pi * (n / P)) * x
        parts.extend((torch.cos(arg), torch.sin(arg)))
    if not parts:
        return x.new_zeros((x.size(0), 0))
    return torch.cat(parts, dim=1)


# ------------------------------------------------------------------ trigonometric


def hyperbolic(x: Tensor, *, semantics: str = "native") -> Tensor:
    """[sinh x, cosh x, tanh x]; D = 3m."""
    check_semantics(semantics)
    check_input(x)
    return torch.cat((torch.sinh(x), torch.cosh(x), torch.tanh(x)), dim=1)


def arc_hyperbolic(x: Tensor, *, semantics: str = "native") -> Tensor:
    """With s = sigmoid(x): [asinh s, acosh(s + 1.01), atanh(0.99 s)]; D = 3m."""
    check_semantics(semantics)
    check_input(x)
    s = torch.sigmoid(x)
    return torch.cat((torch.arcsinh(s), torch.arccosh(s + 1.01), torch.arctanh(0.99 * s)), dim=1)


def trigonometric(x: Tensor, *, semantics: str = "native") -> Tensor:
    """[sin x, cos x, tan x]; D = 3m."""
    check_semantics(semantics)
    check_input(x)
    return torch.cat((torch.sin(x), torch.cos(x), torch.tan(x)), dim=1)


def arc_trigonometric(x: Tensor, *, semantics: str = "native") -> Tensor:
    """With s = sigmoid(x): [asin(0.99 s), acos(0.99 s), atan s]; D = 3m."""
    check_semantics(semantics)
    check_input(x)
    s = torch.sigmoid(x)
    return torch.cat((torch.arcsin(0.99 * s), torch.arccos(0.99 * s), torch.arctan(s)), dim=1)


# ------------------------------------------------------------------ probabilistic
# tinybig evaluates torch.distributions log_prob with float32 parameters; the closed forms in
# log_density compute the same arithmetic with parameters of x's dtype/device.


def _squash(x: Tensor) -> Tensor:
    """0.99 * sigmoid(x) + 0.001 (tinybig's map into (0, 1) for gamma/exponential/chi2)."""
    return 0.99 * F.sigmoid(x) + 0.001


def naive_normal(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log N(x | 0, 1); D = m."""
    check_semantics(semantics)
    check_input(x)
    return log_density.normal(x, 0.0, 1.0)


def normal(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log N(x | mu, s) for (mu, s) in (0,1), (1,1), (-1,1), (0,.1), (1,.1), (-1,.1); D = 6m."""
    check_semantics(semantics)
    check_input(x)
    params = ((0.0, 1.0), (1.0, 1.0), (-1.0, 1.0), (0.0, 0.1), (1.0, 0.1), (-1.0, 0.1))
    return torch.cat([log_density.normal(x, loc, scale) for loc, scale in params], dim=1)


def naive_cauchy(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Cauchy(x | 0, 1); D = m."""
    check_semantics(semantics)
    check_input(x)
    return log_density.cauchy(x, 0.0, 1.0)


def cauchy(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Cauchy(x | x0, g) for (0,1), (0,.5), (1,1), (1,.5), (-1,1), (-1,.5); D = 6m."""
    check_semantics(semantics)
    check_input(x)
    params = ((0.0, 1.0), (0.0, 0.5), (1.0, 1.0), (1.0, 0.5), (-1.0, 1.0), (-1.0, 0.5))
    return torch.cat([log_density.cauchy(x, loc, scale) for loc, scale in params], dim=1)


def naive_chi2(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Chi2(sigmoid(x) + 0.001 | df=1); D = m."""
    check_semantics(semantics)
    check_input(x)
    return log_density.chi2(F.sigmoid(x) + 0.001, 1.0)


def chi2(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Chi2(sigmoid(x) + 0.001 | df) for df = 1, 2; D = 2m."""
    check_semantics(semantics)
    check_input(x)
    s = F.sigmoid(x) + 0.001
    return torch.cat((log_density.chi2(s, 1.0), log_density.chi2(s, 2.0)), dim=1)


def naive_gamma(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Gamma(0.99 sigmoid(x) + 0.001 | 0.5, 1); D = m."""
    check_semantics(semantics)
    check_input(x)
    return log_density.gamma(_squash(x), 0.5, 1.0)


def gamma(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Gamma(0.99 sigmoid(x) + 0.001 | k, r); (k, r) in (.5,1),(.5,2),(1,1),(1,2),(2,1),(2,2).

    D = 6m.
    """
    check_semantics(semantics)
    check_input(x)
    s = _squash(x)
    params = ((0.5, 1.0), (0.5, 2.0), (1.0, 1.0), (1.0, 2.0), (2.0, 1.0), (2.0, 2.0))
    return torch.cat([log_density.gamma(s, k, r) for k, r in params], dim=1)


def naive_exponential(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Exp(0.99 sigmoid(x) + 0.001 | rate 0.5); D = m."""
    check_semantics(semantics)
    check_input(x)
    return log_density.exponential(_squash(x), 0.5)


def exponential(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Exp(0.99 sigmoid(x) + 0.001 | rate) for rate in .5, .75, 1, 2, 3, 5; D = 6m."""
    check_semantics(semantics)
    check_input(x)
    s = _squash(x)
    rates = (0.5, 0.75, 1.0, 2.0, 3.0, 5.0)
    return torch.cat([log_density.exponential(s, r) for r in rates], dim=1)


def naive_laplace(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Laplace(x | 0, 1); D = m."""
    check_semantics(semantics)
    check_input(x)
    return log_density.laplace(x, 0.0, 1.0)


def laplace(x: Tensor, *, semantics: str = "native") -> Tensor:
    """log Laplace(x | mu, b) for (0,1), (0,2), (1,1), (1,2), (-1,1), (-1,2); D = 6m."""
    check_semantics(semantics)
    check_input(x)
    params = ((0.0, 1.0), (0.0, 2.0), (1.0, 1.0), (1.0, 2.0), (-1.0, 1.0), (-1.0, 2.0))
    return torch.cat([log_density.laplace(x, loc, scale) for loc, scale in params], dim=1)


def hybrid_probabilistic(x: Tensor, *, semantics: str = "native") -> Tensor:
    """[N(0,1), Cauchy(0,1), Chi2(1)*, Gamma(.5,1)*, Laplace(0,1), Exp(1)*] log-densities; D = 6m.

    (*) evaluated at 0.99 sigmoid(x) + 0.001.
    """
    check_semantics(semantics)
    check_input(x)
    s = _squash(x)
    return torch.cat(
        (
            log_density.normal(x, 0.0, 1.0),
            log_density.cauchy(x, 0.0, 1.0),
            log_density.chi2(s, 1.0),
            log_density.gamma(s, 0.5, 1.0),
            log_density.laplace(x, 0.0, 1.0),
            log_density.exponential(s, 1.0),
        ),
        dim=1,
    )


# -------------------------------------------------------------------------- RBF


def _rbf_base(x: Tensor, base_range, num_interval: int) -> Tensor:
    lo, hi = base_range
    return torch.linspace(lo, hi, num_interval, dtype=x.dtype, device=x.device)


def gaussian_rbf(
    x: Tensor,
    *,
    semantics: str = "native",
    base_range: tuple[float, float] = (-1, 1),
    num_interval: int = 10,
    epsilon: float = 1.0,
) -> Tensor:
    """exp(-((x_j - c_k) * epsilon)^2), c = linspace(*base_range, num_interval); D = m*num_interval.

    Column order: feature-major (col = j * num_interval + k).
    """
    check_semantics(semantics)
    check_input(x)
    base = _rbf_base(x, base_range, num_interval)
    return torch.exp(-(((x.unsqueeze(-1) - base) * epsilon) ** 2)).flatten(1)


def inverse_quadratic_rbf(
    x: Tensor,
    *,
    semantics: str = "native",
    base_range: tuple[float, float] = (-1, 1),
    num_interval: int = 10,
    epsilon: float = 1.0,
) -> Tensor:
    """1 / (1 + ((x_j - c_k) * epsilon)^2), same centers and layout as :func:`gaussian_rbf`."""
    check_semantics(semantics)
    check_input(x)
    base = _rbf_base(x, base_range, num_interval)
    return (1 / (1 + ((x.unsqueeze(-1) - base) * epsilon) ** 2)).flatten(1)


# ----------------------------------------------------------------- combinatorial


@lru_cache(maxsize=256)
def _combination_index(m: int, r: int, with_replacement: bool) -> tuple[tuple[int, ...], ...]:
    """Index tuples in torch.combinations' (lexicographic) order."""
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    return tuple(gen(range(m), r))


def _combinations(x: Tensor, d: int, with_replacement: bool, semantics: str) -> list[Tensor]:
    """Per degree r = 1..d, the (b, C, r) tensor of combinations of each row's entries."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"combinatorial expansion order d must be an int >= 1, got {d!r}")
    if semantics == "tinybig":
        with_replacement = False  # tinybig ignores the flag (its forward default wins)
    m = x.size(1)
    if not with_replacement and d > m:
        raise ValueError(f"combinatorial expansion needs d <= m without replacement ({d} > {m})")
    out = []
    for r in range(1, d + 1):
        idx = _combination_index(m, r, with_replacement)
        if len(idx) == 0:
            out.append(x.new_zeros((x.size(0), 0, r)))
            continue
        index = torch.tensor(idx, dtype=torch.long, device=x.device)  # (C, r)
        out.append(x[:, index])
    return out


def combinatorial(
    x: Tensor, *, semantics: str = "native", d: int = 2, with_replacement: bool = False
) -> Tensor:
    """All r-combinations (r = 1..d) of each row's entries, flattened; D = sum r * C(m, r).

    Layout: for r = 1..d, the row-major flattening of the (C, r) array of combinations in
    torch.combinations order. tinybig returns a nested list instead of a tensor (the
    conformance ``y`` is this flattening) and ignores ``with_replacement``; in tinybig
    semantics this kernel ignores it too. Native semantics honour it:
    D = sum r * C(m + r - 1, r), and d > m is then allowed.
    """
    check_semantics(semantics)
    check_input(x)
    parts = _combinations(x, d, with_replacement, semantics)
    return torch.cat([p.flatten(1) for p in parts], dim=1)


def combinatorial_normal(
    x: Tensor, *, semantics: str = "native", d: int = 1, with_replacement: bool = False
) -> Tensor:
    """log N(c | 0, I_r) of every r-combination c (r = 1..d); D = sum_r C(m, r).

    Native semantics honour ``with_replacement`` (D = sum_r C(m + r - 1, r)); tinybig
    ignores it.
    """
    check_semantics(semantics)
    check_input(x)
    parts = _combinations(x, d, with_replacement, semantics)
    out = []
    for r, p in enumerate(parts, start=1):
        # MultivariateNormal(0, I_r).log_prob, as torch computes it (L = I, half_log_det = 0)
        maha = p.pow(2).sum(-1)
        out.append(-0.5 * (r * math.log(2 * math.pi) + maha))
    return torch.cat(out, dim=1)
