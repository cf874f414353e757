"""tinybig 0.2.1's catalog and its constructor defaults as the code has them, for reading tinybig
configs with the parameters tinybig's code actually uses.

A tinybig config that leaves a parameter out gets tinybig's default (the constructor's, not
the docstring's: where they disagree, the code is what runs), written explicitly into the
converted spec. Each native default equals tinybig's, except the parameters in
:data:`DIFFERENCES`, which say why and what a converted spec gets instead. ``tests/interop``
checks both against ``inspect.signature`` of the installed tinybig 0.2.1 (a JSON copy in
``tests/data``), and ``docs/reference/tinybig-defaults.md`` is generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticUndefined

from rpnschema.interop import _tinybig_table as T
from rpnschema.spec import CATALOG


class _Marker:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


#: tinybig's constructor has no default: a config without the parameter fails to build.
REQUIRED = _Marker("required")
#: A converted spec leaves the parameter out: the native rule (inference) gives tinybig's value.
INFERRED = _Marker("inferred")

#: Every class tinybig 0.2.1 exports from its catalog packages, ``tinybig.<package>.<name>``.
TINYBIG_CLASSES: dict[str, tuple[str, ...]] = {
    "compression": (
        "cuboid_max_based_geometric_compression",
        "cuboid_mean_based_geometric_compression",
        "cuboid_min_based_geometric_compression",
        "cuboid_patch_based_geometric_compression",
        "cylinder_max_based_geometric_compression",
        "cylinder_mean_based_geometric_compression",
        "cylinder_min_based_geometric_compression",
        "cylinder_patch_based_geometric_compression",
        "dimension_reduction_compression",
        "extended_compression",
        "feature_selection_compression",
        "geometric_compression",
        "identity_compression",
        "incremental_PCA_based_compression",
        "incremental_feature_clustering_based_compression",
        "incremental_random_projection_based_compression",
        "incremental_variance_threshold_based_compression",
        "isomap_manifold_compression",
        "linear_compression",
        "lle_manifold_compression",
        "manifold_compression",
        "max_compression",
        "mds_manifold_compression",
        "mean_compression",
        "median_compression",
        "metric_compression",
        "min_compression",
        "naive_cauchy_probabilistic_compression",
        "naive_chi2_probabilistic_compression",
        "naive_exponential_probabilistic_compression",
        "naive_gamma_probabilistic_compression",
        "naive_laplace_probabilistic_compression",
        "naive_normal_probabilistic_compression",
        "naive_probabilistic_compression",
        "naive_uniform_probabilistic_compression",
        "nested_compression",
        "prod_compression",
        "reciprocal_compression",
        "spectral_embedding_manifold_compression",
        "sphere_max_based_geometric_compression",
        "sphere_mean_based_geometric_compression",
        "sphere_min_based_geometric_compression",
        "sphere_patch_based_geometric_compression",
        "sum_compression",
        "transformation",
        "tsne_manifold_compression",
    ),
    "expansion": (
        "arc_hyperbolic_expansion",
        "arc_trigonometric_expansion",
        "bessel_expansion",
        "beta_wavelet_expansion",
        "bspline_expansion",
        "cauchy_expansion",
        "chebyshev_expansion",
        "chi2_expansion",
        "combinatorial_expansion",
        "combinatorial_normal_expansion",
        "cuboid_patch_based_geometric_expansion",
        "cylinder_patch_based_geometric_expansion",
        "dog_wavelet_expansion",
        "exponential_expansion",
        "extended_expansion",
        "fibonacci_expansion",
        "fourier_expansion",
        "gamma_expansion",
        "gaussian_rbf_expansion",
        "gegenbauer_expansion",
        "geometric_expansion",
        "harr_wavelet_expansion",
        "hermite_expansion",
        "hybrid_probabilistic_expansion",
        "hyperbolic_expansion",
        "identity_expansion",
        "inverse_quadratic_rbf_expansion",
        "jacobi_expansion",
        "laguerre_expansion",
        "laplace_expansion",
        "legendre_expansion",
        "linear_expansion",
        "lucas_expansion",
        "meyer_wavelet_expansion",
        "naive_cauchy_expansion",
        "naive_chi2_expansion",
        "naive_exponential_expansion",
        "naive_gamma_expansion",
        "naive_laplace_expansion",
        "naive_normal_expansion",
        "nested_expansion",
        "normal_expansion",
        "reciprocal_expansion",
        "reverse_bessel_expansion",
        "ricker_wavelet_expansion",
        "shannon_wavelet_expansion",
        "sphere_patch_based_geometric_expansion",
        "taylor_expansion",
        "transformation",
        "trigonometric_expansion",
    ),
    "fusion": (
        "average_fusion",
        "concatenation_fusion",
        "dual_lphm_parameterized_concatenation_fusion",
        "fusion",
        "hm_parameterized_concatenation_fusion",
        "lowrank_parameterized_concatenation_fusion",
        "lphm_parameterized_concatenation_fusion",
        "max_fusion",
        "mean_fusion",
        "median_fusion",
        "metric_fusion",
        "min_fusion",
        "parameterized_concatenation_fusion",
        "parameterized_weighted_summation_fusion",
        "prod_fusion",
        "random_matrix_adaption_parameterized_concatenation_fusion",
        "sum_fusion",
        "summation_fusion",
        "weighted_summation_fusion",
    ),
    "head": (
        "bilinear_interdependence_head",
        "chain_interdependence_head",
        "graph_interdependence_head",
        "grid_compression_head",
        "grid_interdependence_head",
        "head",
        "kan_head",
        "naive_bayes_head",
        "perceptron_head",
        "pgm_head",
        "rpn_head",
        "svm_head",
    ),
    "interdependence": (
        "anisotropic_rbf_kernel_interdependence",
        "canberra_distance_interdependence",
        "chain_interdependence",
        "chebyshev_distance_interdependence",
        "constant_c_interdependence",
        "constant_interdependence",
        "cosine_similarity_interdependence",
        "cuboid_patch_aggregation_based_geometric_interdependence",
        "cuboid_patch_based_geometric_interdependence",
        "cuboid_patch_padding_based_geometric_interdependence",
        "custom_hybrid_kernel_interdependence",
        "cylinder_patch_aggregation_based_geometric_interdependence",
        "cylinder_patch_based_geometric_interdependence",
        "cylinder_patch_padding_based_geometric_interdependence",
        "dual_lphm_parameterized_bilinear_interdependence",
        "dual_lphm_parameterized_interdependence",
        "euclidean_distance_interdependence",
        "exponential_approx_multihop_chain_interdependence",
        "exponential_kernel_interdependence",
        "eye_interdependence",
        "gaussian_rbf_kernel_interdependence",
        "geometric_interdependence",
        "graph_interdependence",
        "hm_parameterized_bilinear_interdependence",
        "hm_parameterized_interdependence",
        "hybrid_interdependence",
        "hyperbolic_tangent_kernel_interdependence",
        "identity_interdependence",
        "interdependence",
        "inverse_approx_multihop_chain_interdependence",
        "kl_divergence_interdependence",
        "laplacian_kernel_interdependence",
        "linear_kernel_interdependence",
        "lowrank_parameterized_bilinear_interdependence",
        "lowrank_parameterized_interdependence",
        "lphm_parameterized_bilinear_interdependence",
        "lphm_parameterized_interdependence",
        "manhattan_distance_interdependence",
        "minkowski_distance_interdependence",
        "multihop_chain_interdependence",
        "multihop_graph_interdependence",
        "mutual_information_interdependence",
        "numerical_kernel_based_interdependence",
        "one_interdependence",
        "pagerank_multihop_graph_interdependence",
        "parameterized_bilinear_interdependence",
        "parameterized_interdependence",
        "parameterized_rpn_interdependence",
        "pearson_correlation_interdependence",
        "polynomial_kernel_interdependence",
        "random_matrix_adaption_parameterized_bilinear_interdependence",
        "random_matrix_adaption_parameterized_interdependence",
        "rv_coefficient_interdependence",
        "sphere_patch_aggregation_based_geometric_interdependence",
        "sphere_patch_based_geometric_interdependence",
        "sphere_patch_padding_based_geometric_interdependence",
        "statistical_kernel_based_interdependence",
        "zero_interdependence",
    ),
    "layer": (
        "bilinear_interdependence_layer",
        "chain_interdependence_layer",
        "graph_bilinear_interdependence_layer",
        "graph_interdependence_layer",
        "grid_compression_layer",
        "grid_interdependence_layer",
        "kan_layer",
        "layer",
        "naive_bayes_layer",
        "perceptron_layer",
        "pgm_layer",
        "rpn_layer",
        "svm_layer",
    ),
    "model": (
        "cnn",
        "gat",
        "gcn",
        "kan",
        "mlp",
        "model",
        "naive_bayes",
        "pgm",
        "regression_rnn",
        "rnn",
        "rpn",
        "svm",
        "transformer",
    ),
    "reconciliation": (
        "constant_eye_reconciliation",
        "constant_reconciliation",
        "dual_lphm_reconciliation",
        "duplicated_diagonal_padding_reconciliation",
        "duplicated_padding_reconciliation",
        "fabrication",
        "hm_reconciliation",
        "hypernet_reconciliation",
        "identity_reconciliation",
        "lorr_reconciliation",
        "lphm_reconciliation",
        "masking_reconciliation",
        "one_reconciliation",
        "random_matrix_adaption_reconciliation",
        "random_matrix_hypernet_reconciliation",
        "zero_reconciliation",
    ),
    "remainder": (
        "constant_remainder",
        "identity_remainder",
        "linear_remainder",
        "remainder",
        "zero_remainder",
    ),
}


@dataclass(frozen=True)
class Difference:
    """A parameter whose native default is not tinybig's: tinybig's default, what a converted
    spec gets when a tinybig config leaves it out, and why they differ."""

    tinybig: Any
    read_as: Any
    why: str


_PATCH_GRID = (
    "tinybig's None leaves the grid unset and the expansion fails to build; natively h and w "
    "are inferred from m (h = m / (w d) when one is missing)"
)
_CONCAT_P = "natively p defaults to the divisor of n closest to its square root"

#: (catalog name, parameter) -> how the native default differs from tinybig 0.2.1's.
DIFFERENCES: dict[tuple[str, str], Difference] = {
    **{
        (name, "d"): Difference(
            None, 1, "tinybig's None gives a grid of depth 1 (its grid's default); natively d is 1"
        )
        for name in (
            "cuboid_patch_based_geometric_expansion",
            "cylinder_patch_based_geometric_expansion",
            "sphere_patch_based_geometric_expansion",
        )
    },
    **{
        (name, key): Difference(None, INFERRED, _PATCH_GRID)
        for name in (
            "cuboid_patch_based_geometric_expansion",
            "cylinder_patch_based_geometric_expansion",
            "sphere_patch_based_geometric_expansion",
        )
        for key in ("h", "w")
    },
    **{
        (name, "packing_strategy"): Difference(
            None,
            "densest_packing",
            "tinybig's None selects its geometric interdependence's default, densest_packing",
        )
        for name in (
            "cuboid_patch_based_geometric_expansion",
            "cylinder_patch_based_geometric_expansion",
            "sphere_patch_based_geometric_expansion",
        )
    },
    **{
        (name, "p_d"): Difference(
            REQUIRED, REQUIRED, "natively a flat patch (p_d = 0) is the default"
        )
        for name in (
            "cuboid_patch_based_geometric_expansion",
            "cylinder_patch_based_geometric_expansion",
        )
    },
    ("weighted_summation_fusion", "weights"): Difference(
        None,
        REQUIRED,
        "tinybig's None builds, but its forward asserts weights is not None (AssertionError); "
        "natively weights are required",
    ),
    **{
        (name, "p"): Difference(REQUIRED, REQUIRED, _CONCAT_P)
        for name in (
            "hm_parameterized_concatenation_fusion",
            "lphm_parameterized_concatenation_fusion",
            "dual_lphm_parameterized_concatenation_fusion",
        )
    },
    **{
        (name, "r"): Difference(
            REQUIRED,
            REQUIRED,
            "natively r = 2, as in the other low-rank fusions and reconciliations",
        )
        for name in (
            "lphm_parameterized_concatenation_fusion",
            "dual_lphm_parameterized_concatenation_fusion",
        )
    },
    **{
        (name, "dims"): Difference(
            REQUIRED,
            REQUIRED,
            "natively dims is inferred from the inputs (the heads or channels it fuses)",
        )
        for name in (
            "summation_fusion",
            "average_fusion",
            "mean_fusion",
            "sum_fusion",
            "max_fusion",
            "min_fusion",
            "prod_fusion",
            "median_fusion",
        )
    },
}

#: Defaults of tinybig base classes its catalog does not export, read from tinybig's source:
#: the discrete wavelets' ``discrete_wavelet_expansion(d=1, s=1, t=1)``.
BASE_DEFAULTS: dict[str, dict[str, Any]] = {
    name: {"d": 1, "s": 1, "t": 1}
    for name in (
        "meyer_wavelet_expansion",
        "ricker_wavelet_expansion",
        "shannon_wavelet_expansion",
        "beta_wavelet_expansion",
        "harr_wavelet_expansion",
        "dog_wavelet_expansion",
    )
}

#: Fields of a catalog class that are not constructor parameters of the tinybig class (they
#: come from ``*_function_configs`` and ``composition_function_configs``).
NOT_PARAMETERS = frozenset({"name", "preprocess", "postprocess", "activation", "functions"})


def parameters(name: str) -> list[str]:
    """The parameters of catalog class ``name`` that a tinybig config may give."""
    return [f for f in CATALOG[name].model_fields if f not in NOT_PARAMETERS]


def native_default(name: str, param: str) -> Any:
    """The native default of a parameter (:data:`REQUIRED` for a required field)."""
    field = CATALOG[name].model_fields[param]
    if field.default is PydanticUndefined and field.default_factory is None:
        return REQUIRED
    value = field.get_default(call_default_factory=True)
    return list(value) if isinstance(value, tuple) else value


def tinybig_default(name: str, param: str) -> Any:
    """tinybig 0.2.1's default of a parameter, as its code defines it."""
    difference = DIFFERENCES.get((name, param))
    return difference.tinybig if difference else native_default(name, param)


def read_default(name: str, param: str) -> Any:
    """What a converted spec gets for a parameter that a tinybig config leaves out:
    :data:`REQUIRED` (tinybig fails to build without it), :data:`INFERRED` (left out: the native
    inference gives tinybig's value) or the value to write."""
    difference = DIFFERENCES.get((name, param))
    return difference.read_as if difference else native_default(name, param)


def class_paths() -> dict[str, str]:
    """Every tinybig 0.2.1 catalog class path -> its package."""
    return {f"tinybig.{pkg}.{n}": pkg for pkg, names in TINYBIG_CLASSES.items() for n in names}


def supported_paths() -> set[str]:
    """The tinybig class paths rpnschema reads: every ``*_CLASSES`` table of the mapping."""
    return {
        path
        for key, table in vars(T).items()
        if key.endswith("_CLASSES") and isinstance(table, dict | set | frozenset)
        for path in table
        if isinstance(path, str) and path.startswith("tinybig.")
    }


def unsupported() -> dict[str, list[str]]:
    """package -> the tinybig 0.2.1 classes of that package rpnschema does not read."""
    supported = supported_paths()
    out: dict[str, list[str]] = {}
    for path, pkg in class_paths().items():
        if path not in supported:
            out.setdefault(pkg, []).append(path.rsplit(".", 1)[-1])
    return out


def known_unsupported(path: str) -> str | None:
    """The package of a tinybig 0.2.1 class that rpnschema does not read (``path`` either
    ``tinybig.<package>.<name>`` or ``tinybig.<package>.<module>.<name>``), else None."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "tinybig" or path in supported_paths():
        return None
    pkg, name = parts[1], parts[-1]
    if name in TINYBIG_CLASSES.get(pkg, ()) and f"tinybig.{pkg}.{name}" not in supported_paths():
        return pkg
    return None
