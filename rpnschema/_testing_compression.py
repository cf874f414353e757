"""Hypothesis strategies for the compression family (re-exported by :mod:`rpnschema.testing`).

Draws compression data valid on inputs of size m with its D, mixing bare names and mappings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from rpnschema.spec import component_name
from rpnschema.spec.compression import COMPRESSION_TYPES
from rpnschema.spec.compression.metric import MetricName

Draw = Callable[[SearchStrategy[Any]], Any]

COMPRESSION_NAMES: tuple[str, ...] = tuple(component_name(cls) for cls in COMPRESSION_TYPES)
#: Compressions that fit to the batch (scikit-learn or running statistics).
FITTED_NAMES: tuple[str, ...] = tuple(
    component_name(cls) for cls in COMPRESSION_TYPES if cls.fitted
)
METRICS: tuple[str, ...] = MetricName.__args__  # type: ignore[attr-defined]
_COMPOSITIONS = ("nested_compression", "extended_compression")
_DISTRIBUTIONS = {
    "uniform": {"low": (-1.0, 0.0), "high": (1.0, 2.0)},
    "normal": {"loc": (-1.0, 1.0), "scale": (0.5, 2.0)},
    "cauchy": {"loc": (-1.0, 1.0), "scale": (0.5, 2.0)},
    "chi2": {"df": (0.5, 3.0)},
    "exponential": {"rate": (0.25, 2.0)},
    "gamma": {"concentration": (0.5, 3.0), "rate": (0.5, 2.0)},
    "laplace": {"loc": (-1.0, 1.0), "scale": (0.5, 2.0)},
}
_OWN_FLOATS = {
    "naive_uniform_probabilistic_compression": {"low": (-1.0, 0.0), "high": (1.0, 2.0)},
    "naive_normal_probabilistic_compression": {"mean": (-1.0, 1.0), "std": (0.5, 2.0)},
    "naive_cauchy_probabilistic_compression": {"loc": (-1.0, 1.0), "scale": (0.5, 2.0)},
    "naive_chi2_probabilistic_compression": {"df": (0.5, 3.0)},
    "naive_exponential_probabilistic_compression": {"rate": (0.25, 2.0)},
    "naive_gamma_probabilistic_compression": {"concentration": (0.5, 3.0), "rate": (0.5, 2.0)},
    "naive_laplace_probabilistic_compression": {"loc": (-1.0, 1.0), "scale": (0.5, 2.0)},
}


def _real(lo: float, hi: float) -> SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False).map(lambda v: round(v, 3))


def _divisors(k: int) -> list[int]:
    return [d for d in range(1, k + 1) if k % d == 0]


def _volume(shape: str, p: dict[str, Any], semantics: str) -> int:
    if shape == "cuboid":
        sizes = [p["p_h"], p["p_w"], p["p_d"]]
        return math.prod(
            s + p.get(f"p_{a}_prime", s) + 1 for a, s in zip("hwd", sizes, strict=True)
        )
    r = p["p_r"]
    span = range(-r, r + 1)
    if shape == "cylinder":
        disc = sum(1 for i in span for j in span if i * i + j * j <= r * r)
        pd2 = p.get("p_d_prime", p["p_d"])
        return disc * (2 * pd2 + 1 if semantics == "tinybig" else p["p_d"] + pd2 + 1)
    return sum(1 for i in span for j in span for k in span if i * i + j * j + k * k <= r * r)


def _geometric(draw: Draw, name: str, m: int, semantics: str) -> tuple[dict[str, Any], int]:
    channels = draw(st.sampled_from(_divisors(m)))
    cells = m // channels
    h = draw(st.sampled_from(_divisors(cells)))
    w = draw(st.sampled_from(_divisors(cells // h)))
    d = cells // (h * w)
    shape = (
        next(s for s in ("cuboid", "cylinder", "sphere") if s in name)
        if (name != "geometric_compression")
        else draw(st.sampled_from(("cuboid", "cylinder", "sphere")))
    )
    patch: dict[str, Any] = (
        {"p_h": draw(st.integers(0, 1)), "p_w": draw(st.integers(0, 1)), "p_d": 0}
        if shape == "cuboid"
        else {"p_r": draw(st.integers(0, 1)), "p_d": 0}
        if shape == "cylinder"
        else {"p_r": draw(st.integers(0, 1))}
    )
    if _volume(shape, patch, semantics) > cells:
        patch = {k: 0 for k in patch}
    p: dict[str, Any] = {"h": h, "w": w, "d": d}
    if channels > 1 or draw(st.booleans()):
        p["channel_num"] = channels
    if draw(st.booleans()):  # explicit centre distances
        cd = (draw(st.integers(1, h)), draw(st.integers(1, w)), draw(st.integers(1, d)))
        p.update(cd_h=cd[0], cd_w=cd[1], cd_d=cd[2])
    else:
        cd = (1, 1, 1)
    if name == "geometric_compression":
        p["patch"] = {"shape": shape, **patch}
    else:
        p.update(patch)
    if name == "geometric_compression" or "_patch_based_" in name:
        p["metric"] = draw(st.sampled_from(METRICS))
    centres = math.ceil(h / cd[0]) * math.ceil(w / cd[1]) * math.ceil(d / cd[2])
    return p, channels * centres


def _params(draw: Draw, name: str, m: int, semantics: str) -> tuple[dict[str, Any], int]:
    if name in ("identity_compression", "reciprocal_compression"):
        return {}, m
    if name == "linear_compression":
        return ({"c": draw(_real(-2, 2))} if draw(st.booleans()) else {}), m
    if name == "metric_compression":
        return {"metric": draw(st.sampled_from(METRICS))}, 1
    if name.endswith("_compression") and name.split("_")[0] in (
        "max", "min", "sum", "mean", "prod", "median",
    ):  # fmt: skip
        return {}, 1
    if "geometric" in name:
        return _geometric(draw, name, m, semantics)
    if "probabilistic" in name:
        k = draw(st.integers(1, m))
        p: dict[str, Any] = {"k": k}
        for flag in ("simply_sampling", "with_replacement", "require_normalization", "log_prob"):
            if draw(st.booleans()):
                p[flag] = draw(st.booleans())
        floats = _OWN_FLOATS.get(name, {})
        if name == "naive_probabilistic_compression" and draw(st.booleans()):
            dist = draw(st.sampled_from(sorted(_DISTRIBUTIONS)))
            p["distribution"] = dist
            p["distribution_parameters"] = {
                k: draw(_real(*bounds)) for k, bounds in _DISTRIBUTIONS[dist].items()
            }
        for key, bounds in floats.items():
            if draw(st.booleans()):
                p[key] = draw(_real(*bounds))
        return p, k
    if name in ("feature_selection_compression", "dimension_reduction_compression") or (
        "variance" in name or "clustering" in name or "PCA" in name or "projection" in name
    ):
        D = draw(st.integers(1, m))
        p = {"D": D}
        if name == "feature_selection_compression":
            p["function"] = draw(
                st.sampled_from(
                    ("incremental_variance_threshold", "incremental_feature_clustering")
                )
            )
        if name == "dimension_reduction_compression":
            p["function"] = draw(
                st.sampled_from(("incremental_PCA", "incremental_random_projection"))
            )
        return p, D
    D = draw(st.integers(1, 3))  # manifold: bounded by the batch size, not by m
    p = {"D": D}
    if name in ("isomap_manifold_compression", "lle_manifold_compression"):
        p["n_neighbors"] = draw(st.integers(1, 4))
    if name == "tsne_manifold_compression":
        p["perplexity"] = draw(_real(1, 4))
    if name == "manifold_compression":
        p["function"] = draw(
            st.sampled_from(("isomap", "lle", "mds", "spectral_embedding", "tsne"))
        )
        if draw(st.booleans()):
            p["n_neighbors"] = draw(st.integers(1, 4))
    return p, D


def _compression(
    draw: Draw, m: int, semantics: str, names: Sequence[str], nesting: int
) -> tuple[Any, int]:
    options = [n for n in names if n not in _COMPOSITIONS or nesting > 0]
    name = draw(st.sampled_from(options))
    if name in _COMPOSITIONS:
        parts, size, total = [], m, 0
        plain = [n for n in names if n not in _COMPOSITIONS]
        for _ in range(draw(st.integers(1, 2))):
            sub, D = _compression(
                draw, size if name == "nested_compression" else m, semantics, plain, nesting - 1
            )
            parts.append(sub)
            size, total = D, total + D
        return {"name": name, "functions": parts}, size if name == "nested_compression" else total
    params, D = _params(draw, name, m, semantics)
    if not params and draw(st.booleans()):
        return name, D
    return {"name": name, **params}, D


def compressions(
    m: int,
    *,
    semantics: str = "native",
    names: Sequence[str] | None = None,
    fitted: bool = True,
    nesting: int = 1,
) -> SearchStrategy[tuple[Any, int]]:
    """(compression data valid on inputs of size m, its D).

    ``names`` restricts the functions; ``fitted=False`` leaves out the fitted ones (they need
    scikit-learn to build and refit on every batch).
    """
    pool = [n for n in (names or COMPRESSION_NAMES) if fitted or n not in FITTED_NAMES]
    return st.composite(lambda draw: _compression(draw, m, semantics, pool, nesting))()
