"""Data expansion kernels kappa: x (b, m) -> (b, D), one per tinybig expansion class.

Public API:

- ``EXPANSIONS``: tinybig class name (e.g. ``"taylor_expansion"``) -> kernel. Every kernel is
  ``fn(x, *, semantics="native", **params)`` with tinybig's constructor parameter names and
  defaults (``name``, ``device`` and pre/post-processing are the compiler's business).
- ``nested(x, fns)`` and ``extended(x, fns)``: the two composite expansions.

``semantics="tinybig"`` reproduces tinybig 0.2.1's output; ``"native"`` is the documented
mathematics. They differ only for: laguerre (P1 sign), beta/shannon/meyer wavelets
(per-element evaluation, removable singularities) and the combinatorial expansions
(``with_replacement`` honoured). Output column order is tinybig's in both semantics.
No kernel modifies its input. All kernels are plain vectorised torch (no ``.item()``, no
data-dependent Python branches), so they run on any device incl. "meta" and any float dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

import rpnschema.compile.kernels.expansion_basic as _basic
import rpnschema.compile.kernels.expansion_bspline as _bspline
import rpnschema.compile.kernels.expansion_geometric as _geo
import rpnschema.compile.kernels.expansion_poly as _poly
import rpnschema.compile.kernels.expansion_wavelet as _wav

EXPANSIONS: dict[str, Callable[..., Tensor]] = {
    "identity_expansion": _basic.identity,
    "reciprocal_expansion": _basic.reciprocal,
    "linear_expansion": _basic.linear,
    "taylor_expansion": _basic.taylor,
    "fourier_expansion": _basic.fourier,
    "hyperbolic_expansion": _basic.hyperbolic,
    "arc_hyperbolic_expansion": _basic.arc_hyperbolic,
    "trigonometric_expansion": _basic.trigonometric,
    "arc_trigonometric_expansion": _basic.arc_trigonometric,
    "normal_expansion": _basic.normal,
    "cauchy_expansion": _basic.cauchy,
    "chi2_expansion": _basic.chi2,
    "gamma_expansion": _basic.gamma,
    "exponential_expansion": _basic.exponential,
    "laplace_expansion": _basic.laplace,
    "hybrid_probabilistic_expansion": _basic.hybrid_probabilistic,
    "naive_normal_expansion": _basic.naive_normal,
    "naive_cauchy_expansion": _basic.naive_cauchy,
    "naive_chi2_expansion": _basic.naive_chi2,
    "naive_gamma_expansion": _basic.naive_gamma,
    "naive_exponential_expansion": _basic.naive_exponential,
    "naive_laplace_expansion": _basic.naive_laplace,
    "gaussian_rbf_expansion": _basic.gaussian_rbf,
    "inverse_quadratic_rbf_expansion": _basic.inverse_quadratic_rbf,
    "bspline_expansion": _bspline.bspline,
    "chebyshev_expansion": _poly.chebyshev,
    "jacobi_expansion": _poly.jacobi,
    "hermite_expansion": _poly.hermite,
    "laguerre_expansion": _poly.laguerre,
    "legendre_expansion": _poly.legendre,
    "gegenbauer_expansion": _poly.gegenbauer,
    "bessel_expansion": _poly.bessel,
    "reverse_bessel_expansion": _poly.reverse_bessel,
    "fibonacci_expansion": _poly.fibonacci,
    "lucas_expansion": _poly.lucas,
    "meyer_wavelet_expansion": _wav.meyer_wavelet,
    "ricker_wavelet_expansion": _wav.ricker_wavelet,
    "shannon_wavelet_expansion": _wav.shannon_wavelet,
    "beta_wavelet_expansion": _wav.beta_wavelet,
    "harr_wavelet_expansion": _wav.harr_wavelet,
    "dog_wavelet_expansion": _wav.dog_wavelet,
    "combinatorial_expansion": _basic.combinatorial,
    "combinatorial_normal_expansion": _basic.combinatorial_normal,
    "cuboid_patch_based_geometric_expansion": _geo.cuboid_patch_based_geometric,
    "cylinder_patch_based_geometric_expansion": _geo.cylinder_patch_based_geometric,
    "sphere_patch_based_geometric_expansion": _geo.sphere_patch_based_geometric,
}

# Expansions whose native output differs from tinybig's (for some inputs or parameters).
NATIVE_DIFFERS: frozenset[str] = frozenset(
    {
        "laguerre_expansion",
        "beta_wavelet_expansion",
        "shannon_wavelet_expansion",
        "meyer_wavelet_expansion",
        "combinatorial_expansion",
        "combinatorial_normal_expansion",
    }
)


def nested(x: Tensor, fns: Sequence[Callable[[Tensor], Tensor]]) -> Tensor:
    """nested_expansion: apply fns[0], then fns[1] to its output, ...; D composes left to right."""
    if len(fns) == 0:
        raise ValueError("nested expansion needs at least one function")
    for fn in fns:
        x = fn(x)
    return x


def extended(x: Tensor, fns: Sequence[Callable[[Tensor], Tensor]]) -> Tensor:
    """extended_expansion: concatenate fn(x) over fns along dim 1; D is the sum of the parts."""
    if len(fns) == 0:
        raise ValueError("extended expansion needs at least one function")
    return torch.cat([fn(x) for fn in fns], dim=1)


__all__ = ["EXPANSIONS", "NATIVE_DIFFERS", "extended", "nested"]
