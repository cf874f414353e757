"""Dimension rules of the compressions (D(m) and its constraints), by family group.

Pure arithmetic like :mod:`rpnschema.dims`, which imports this module the first time it meets
a compression (the compression classes are built only on demand). The geometric rules reuse
the geometric expansions' patch volumes and packings.
"""

from __future__ import annotations

from typing import Any

from rpnschema import dims
from rpnschema.dims import DimProblem
from rpnschema.errors import Code, Diagnostic, Loc
from rpnschema.spec.compression import basic as cb
from rpnschema.spec.compression import dimension_reduction as cdr
from rpnschema.spec.compression import feature_selection as cfs
from rpnschema.spec.compression import geometric as cg
from rpnschema.spec.compression import manifold as cm
from rpnschema.spec.compression import metric as cmet
from rpnschema.spec.compression import probabilistic as cp
from rpnschema.spec.compression.base import Compression

# --- basic and metric -------------------------------------------------------------------------

_BASIC = {
    cb.IdentityCompression: lambda s, m, sem: m,
    cb.ReciprocalCompression: lambda s, m, sem: m,
    cb.LinearCompression: lambda s, m, sem: m,
}
_METRIC = {
    cmet.MetricCompression: lambda s, m, sem: 1,
    cmet._FixedMetricCompression: lambda s, m, sem: 1,
}

# --- geometric ----------------------------------------------------------------------------------

_PATCH_FIELDS = {"p_h", "p_w", "p_d", "p_h_prime", "p_w_prime", "p_d_prime", "p_r"}


def _geometric_D(spec: cg._GeometricCompression, m: int, semantics: str) -> int:
    generic = isinstance(spec, cg.GeometricCompression)
    try:
        return _patch_based_D(cg.as_patch_based(spec) if generic else spec, m, semantics)
    except DimProblem as p:
        if generic and p.path and p.path[0] in _PATCH_FIELDS:
            p.path = ("patch", *p.path)
        raise


def _patch_based_D(spec: Any, m: int, semantics: str) -> int:
    cells = spec.h * spec.w * spec.d
    if m != spec.channel_num * cells:
        raise DimProblem(
            Code.COMPRESSION_DOMAIN,
            f"the input size m (={m}) must equal channel_num*h*w*d "
            f"(={spec.channel_num}*{spec.h}*{spec.w}*{spec.d}={spec.channel_num * cells})",
            expected=f"m = {spec.channel_num * cells}",
            found=f"m = {m}",
            suggestion="set h, w, d (and channel_num) to the grid shape of the input"
            + (f", e.g. channel_num: {m // cells}" if m % cells == 0 and m > cells else ""),
        )
    dims.patch_volume(spec, semantics)  # bounds p_r before the packings scale it
    from rpnschema import dims_grid

    # tinybig zero-pads any patch (its cnn pools a 2x2 grid with 3x3 patches); a patch that
    # reaches past the whole grid from every centre is an error in native semantics only
    wide = dims_grid.oversized_patch(spec, semantics)
    if wide is not None and semantics == "native":
        axis, extent, size = wide
        field = "p_r" if hasattr(spec, "p_r") else "p_d" if axis == "d" else f"p_{axis}"
        raise DimProblem(
            Code.COMPRESSION_DOMAIN,
            f"each patch spans {extent} cells along {axis}, more than the "
            f"{spec.h}x{spec.w}x{spec.d} grid gives it from any centre ({2 * size - 1}): every "
            "patch would be mostly zero padding",
            path=(field,),
            expected=f"a patch at most {2 * size - 1} cells wide along {axis}",
            found=f"{extent} cells",
            suggestion="use a smaller patch",
        )
    try:
        centres = dims._geometric_centres(spec, semantics)
    except DimProblem as p:
        p.code = Code.COMPRESSION_DOMAIN
        raise
    return spec.channel_num * centres


# --- probabilistic and fitted -------------------------------------------------------------------


def _at_most_m(value: int, field: str, m: int, why: str) -> int:
    if value > m:
        raise DimProblem(
            Code.COMPRESSION_DOMAIN,
            f"{field} (={value}) exceeds the input size m (={m}): {why}",
            path=(field,),
            expected=f"{field} <= {m}",
            found=str(value),
            suggestion=f"use {field}: {m} or less",
        )
    return value


_PROBABILISTIC = {
    cp._ProbabilisticCompression: lambda s, m, sem: _at_most_m(
        s.k, "k", m, "a compression cannot sample more features than it is given"
    ),
}
_FEATURE_SELECTION = {
    cfs._FeatureSelectionCompression: lambda s, m, sem: _at_most_m(
        s.D, "D", m, "feature selection keeps at most all m features"
    ),
}
_DIMENSION_REDUCTION = {
    cdr._DimensionReductionCompression: lambda s, m, sem: _at_most_m(
        s.D, "D", m, "a projection keeps at most m components"
    ),
}
#: Manifold embeddings of the batch's rows: D is bounded by the batch size, not by m.
_MANIFOLD = {cm._ManifoldCompression: lambda s, m, sem: s.D}

D_RULES: dict[type, dims.ExpansionRule] = {
    **_BASIC,
    **_METRIC,
    cg._GeometricCompression: _geometric_D,
    **_PROBABILISTIC,
    **_FEATURE_SELECTION,
    **_DIMENSION_REDUCTION,
    **_MANIFOLD,
}
dims.D_RULES.update(D_RULES)


# --- what validation says about a compression besides its D ------------------------------------


def fit_backend(spec: Compression, semantics: str) -> str | None:
    """What a fitted compression fits with: "sklearn", "torch", or None (not fitted)."""
    name = getattr(spec, "function", None) or spec.name
    if not spec.fitted:
        return None
    if "variance_threshold" in name:
        return "torch"
    if semantics == "native" and ("PCA" in name or "random_projection" in name):
        return "torch"
    return "sklearn"


_NATIVE_FIT = {
    "PCA": "batch PCA in torch (differentiable, refit per batch, no running state)",
    "random_projection": "one sparse random projection drawn at build time (a fixed, "
    "differentiable linear map)",
}


def notices(spec: Compression, path: Loc, semantics: str) -> list[Diagnostic]:
    """Notices and warnings about a compression's behaviour in training."""
    out: list[Diagnostic] = []
    backend = fit_backend(spec, semantics)
    if backend is not None:
        name = getattr(spec, "function", None) or spec.name
        native = next((v for k, v in _NATIVE_FIT.items() if k in name), None)
        how = (
            "by running column statistics in torch"
            if backend == "torch" and native is None
            else f"as {native}"
            if backend == "torch"
            else "by scikit-learn on every forward call"
        )
        out.append(
            Diagnostic(
                Code.FITTED_COMPRESSION,
                f"{spec.name} is fitted to the data {how}: its output depends on the batch"
                + (
                    ", and it is not differentiable"
                    if backend == "sklearn"
                    else "; gradients flow only through the selected columns"
                    if native is None
                    else ""
                ),
                path=path,
                severity="notice",
                suggestion="building it needs scikit-learn: pip install 'rpnschema[sklearn]'"
                if backend == "sklearn"
                else (
                    "semantics: tinybig fits it with scikit-learn as tinybig does"
                    if native is not None
                    else None
                ),
            )
        )
    if (
        isinstance(spec, cp._ProbabilisticCompression)
        and spec.name in cp.ALWAYS_NORMALIZED
        and not spec.require_normalization
        and semantics == "tinybig"
    ):
        out.append(
            Diagnostic(
                Code.SEMANTICS,
                f"tinybig's {spec.name} ignores require_normalization: false (it always maps x "
                "to 0.99 * sigmoid(x) + 0.001)",
                path=(*path, "require_normalization"),
                severity="warning",
                suggestion="set semantics: native to honour it, or remove it",
            )
        )
    return out
