"""Data compression kernels kappa: x (b, m) -> (b, D), one per tinybig compression class.

Public API:

- ``COMPRESSIONS``: name -> stateless kernel ``fn(x, *, semantics="native", **params)`` (the
  compiler passes the spec's parameters; see ``rpnschema.compile.compression``).
- ``FITTED``: name -> {semantics: class}; ``cls(semantics=..., D=..., ...)`` is a callable
  ``(b, m) -> (b, D)`` that keeps its fitted state between calls (tinybig refits per batch).

The compositions (nested_compression, extended_compression) are modules, not kernels.
Kernels with a built-in metric or shape are ``functools.partial`` objects (they pickle).
Groups: compression_metric, compression_geometric, compression_probabilistic,
compression_feature_selection, compression_dimension_reduction, compression_manifold
(the basic ones are the identity/reciprocal/linear expansion kernels).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from torch import Tensor

import rpnschema.compile.kernels.compression_dimension_reduction as _dr
import rpnschema.compile.kernels.compression_feature_selection as _fs
import rpnschema.compile.kernels.compression_geometric as _geo
import rpnschema.compile.kernels.compression_manifold as _mf
import rpnschema.compile.kernels.compression_metric as _metric
import rpnschema.compile.kernels.compression_probabilistic as _prob
import rpnschema.compile.kernels.expansion_basic as _basic

_PROBABILISTIC = (
    "naive_probabilistic_compression",
    "naive_uniform_probabilistic_compression",
    "naive_normal_probabilistic_compression",
    "naive_cauchy_probabilistic_compression",
    "naive_chi2_probabilistic_compression",
    "naive_exponential_probabilistic_compression",
    "naive_gamma_probabilistic_compression",
    "naive_laplace_probabilistic_compression",
)

COMPRESSIONS: dict[str, Callable[..., Tensor]] = {
    # basic
    "identity_compression": _basic.identity,
    "reciprocal_compression": _basic.reciprocal,
    "linear_compression": _basic.linear,
    # metric
    "metric_compression": _metric.metric,
    "max_compression": partial(_metric.metric, metric="batch_max"),
    "min_compression": partial(_metric.metric, metric="batch_min"),
    "sum_compression": partial(_metric.metric, metric="batch_sum"),
    "mean_compression": partial(_metric.metric, metric="batch_mean"),
    "prod_compression": partial(_metric.metric, metric="batch_prod"),
    "median_compression": partial(_metric.metric, metric="batch_median"),
    # geometric
    "geometric_compression": _geo.patch_compression,
    "cuboid_patch_based_geometric_compression": partial(_geo.patch_compression, shape="cuboid"),
    "cylinder_patch_based_geometric_compression": partial(_geo.patch_compression, shape="cylinder"),
    "sphere_patch_based_geometric_compression": partial(_geo.patch_compression, shape="sphere"),
    **{
        f"{shape}_{metric}_based_geometric_compression": partial(
            _geo.patch_compression, shape=shape, metric=f"batch_{metric}"
        )
        for shape in ("cuboid", "cylinder", "sphere")
        for metric in ("max", "min", "mean")
    },
    # probabilistic (the distribution comes from the spec)
    **dict.fromkeys(_PROBABILISTIC, _prob.sample),
}

_VARIANCE = {"tinybig": _fs.VarianceThreshold, "native": _fs.VarianceThreshold}
_CLUSTERING = {"tinybig": _fs.FeatureClustering, "native": _fs.FeatureClustering}
_PCA = {"tinybig": _dr.SklearnIncrementalPCA, "native": _dr.TorchPCA}
_PROJECTION = {"tinybig": _dr.SklearnRandomProjection, "native": _dr.TorchRandomProjection}
_EMBEDDING = {"tinybig": _mf.Embedding, "native": _mf.Embedding}

FITTED: dict[str, dict[str, type]] = {
    # feature selection
    "incremental_variance_threshold_based_compression": _VARIANCE,
    "incremental_feature_clustering_based_compression": _CLUSTERING,
    "feature_selection_compression": {},  # by its ``function``: see FUNCTIONS
    # dimension reduction
    "incremental_PCA_based_compression": _PCA,
    "incremental_random_projection_based_compression": _PROJECTION,
    "dimension_reduction_compression": {},
    # manifold
    "isomap_manifold_compression": _EMBEDDING,
    "lle_manifold_compression": _EMBEDDING,
    "mds_manifold_compression": _EMBEDDING,
    "spectral_embedding_manifold_compression": _EMBEDDING,
    "tsne_manifold_compression": _EMBEDDING,
    "manifold_compression": _EMBEDDING,
}

#: The koala functions the generic fitted compressions name (``function``).
FUNCTIONS: dict[str, dict[str, type]] = {
    "incremental_variance_threshold": _VARIANCE,
    "incremental_feature_clustering": _CLUSTERING,
    "incremental_PCA": _PCA,
    "incremental_random_projection": _PROJECTION,
}

__all__ = ["COMPRESSIONS", "FITTED", "FUNCTIONS"]
