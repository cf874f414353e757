"""Small specs that together use every component of the catalog at least once."""

from __future__ import annotations

from typing import Any

from rpnschema.spec import COMPONENT_TYPES, component_name

TAYLOR2 = {"name": "taylor_expansion", "d": 2}

# Expansions whose defaults need more than {"name": ...}, with the m they need.
_EXPANSIONS: dict[str, tuple[dict[str, Any], int]] = {
    "cuboid_patch_based_geometric_expansion": ({"h": 2, "w": 2, "p_h": 1, "p_w": 1}, 4),
    "cylinder_patch_based_geometric_expansion": ({"h": 2, "w": 2, "p_r": 1}, 4),
    "sphere_patch_based_geometric_expansion": ({"h": 2, "w": 2, "p_r": 1}, 4),
    "nested_expansion": ({"functions": ["identity_expansion", TAYLOR2]}, 3),
    "extended_expansion": ({"functions": ["identity_expansion", "chebyshev_expansion"]}, 3),
    "combinatorial_expansion": ({"d": 2}, 3),
    "combinatorial_normal_expansion": ({"d": 2}, 3),
    "bspline_expansion": ({"d": 2, "t": 3}, 3),
}

_GRID = {"h": 3, "w": 3}
_CUBOID, _CYLINDER, _SPHERE = {"p_h": 1, "p_w": 1, "p_d": 0}, {"p_r": 1, "p_d": 0}, {"p_r": 1}
# Compressions whose defaults need more than {"name": ...}, with the m they need (default 3).
_COMPRESSIONS: dict[str, tuple[dict[str, Any], int]] = {
    "metric_compression": ({"metric": "batch_l2_norm"}, 3),
    "geometric_compression": (
        {**_GRID, "metric": "batch_max", "patch": {"shape": "cuboid", "p_h": 1, "p_w": 1}},
        9,
    ),
    "cuboid_patch_based_geometric_compression": ({**_GRID, **_CUBOID, "metric": "batch_mean"}, 9),
    "cylinder_patch_based_geometric_compression": (
        {**_GRID, **_CYLINDER, "metric": "batch_sum", "channel_num": 2},
        18,
    ),
    "sphere_patch_based_geometric_compression": ({**_GRID, **_SPHERE, "metric": "batch_min"}, 9),
    **{
        f"cuboid_{k}_based_geometric_compression": ({**_GRID, **_CUBOID}, 9)
        for k in ("max", "min", "mean")
    },
    **{
        f"cylinder_{k}_based_geometric_compression": ({**_GRID, **_CYLINDER}, 9)
        for k in ("max", "min", "mean")
    },
    **{
        f"sphere_{k}_based_geometric_compression": ({**_GRID, **_SPHERE}, 9)
        for k in ("max", "min", "mean")
    },
    "feature_selection_compression": ({"D": 2, "function": "incremental_feature_clustering"}, 4),
    "incremental_variance_threshold_based_compression": ({"D": 2}, 4),
    "incremental_feature_clustering_based_compression": ({"D": 2}, 4),
    "dimension_reduction_compression": ({"D": 2, "function": "incremental_PCA"}, 4),
    "incremental_PCA_based_compression": ({"D": 2}, 4),
    "incremental_random_projection_based_compression": ({"D": 2}, 4),
    "isomap_manifold_compression": ({"D": 1, "n_neighbors": 2}, 4),
    "lle_manifold_compression": ({"D": 1, "n_neighbors": 3}, 4),
    "mds_manifold_compression": ({"D": 1}, 4),
    "spectral_embedding_manifold_compression": ({"D": 1}, 4),
    "tsne_manifold_compression": ({"D": 1, "perplexity": 2.0}, 4),
    "manifold_compression": ({"D": 1, "function": "isomap", "n_neighbors": 2}, 4),
    "nested_compression": (
        {"functions": [{"name": "linear_compression", "c": 2.0}, "median_compression"]},
        3,
    ),
    "extended_compression": ({"functions": ["max_compression", "mean_compression"]}, 3),
}
_PROBABILISTIC_K = ({"k": 2}, 4)

# Reconciliations with n = 4 on D = 12 (Taylor d=2 on m=3).
_RECONCILIATIONS: dict[str, dict[str, Any]] = {
    "constant_reconciliation": {"c": 0.5, "enable_bias": True},
    "duplicated_padding_reconciliation": {"p": 2},
    "duplicated_diagonal_padding_reconciliation": {"p": 4},
    "lphm_reconciliation": {"r": 1},
    "dual_lphm_reconciliation": {"r": 1},
    "hypernet_reconciliation": {"l": 8, "hidden_dim": 16, "static": False},
    "random_matrix_hypernet_reconciliation": {"l": 8, "hidden_dim": 16},
    "masking_reconciliation": {"p": 0.5, "enable_bias": True},
}
_EXTRA_RECONCILIATIONS = {
    "hypernet_static": {"name": "hypernet_reconciliation", "l": 8, "hidden_dim": 16},
    "masking_redrawn": {"name": "masking_reconciliation", "fixed_mask": False},
}

# Fusions of 3 channels of n = 4.
_FUSIONS: dict[str, dict[str, Any]] = {
    "weighted_summation_fusion": {"weights": [0.2, 0.3, 0.5]},
    "parameterized_concatenation_fusion": {"n": 4},
    "lowrank_parameterized_concatenation_fusion": {"n": 4, "r": 2},
    "hm_parameterized_concatenation_fusion": {"n": 4, "p": 2},
    "lphm_parameterized_concatenation_fusion": {"n": 4, "p": 2, "r": 1},
    "dual_lphm_parameterized_concatenation_fusion": {"n": 4, "p": 2, "r": 1},
    "random_matrix_adaption_parameterized_concatenation_fusion": {"n": 4, "r": 2},
}


_GRAPH = {"nodes": [0, 1, 2, 3, 4], "links": [[0, 1], [1, 2], [2, 3], [3, 4], [0, 2]]}
#: interdependence name -> (slot, parameters, m); default: attribute slot, no parameters, m = 3
_INTERDEPENDENCES: dict[str, tuple[str, dict[str, Any], int]] = {
    "constant_interdependence": ("attribute", {"A": [[0.5, 1.0], [0.0, 1.0], [1.0, -1.0]]}, 3),
    "constant_c_interdependence": ("attribute", {"c": 0.5, "m_prime": 2}, 3),
    "statistical_kernel_based_interdependence": (
        "instance",
        {"kernel": "rv_coefficient_kernel"},
        3,
    ),
    "numerical_kernel_based_interdependence": (
        "instance",
        {"kernel": "cosine_similarity_kernel"},
        3,
    ),
    "minkowski_distance_interdependence": ("attribute", {"p": 3}, 3),
    "anisotropic_rbf_kernel_interdependence": ("attribute", {"a_vector": [1, 0.5, 0.5, 1, 2]}, 3),
    "custom_hybrid_kernel_interdependence": (
        "attribute",
        {"kernels": ["linear_kernel", "gaussian_rbf_kernel"], "weights": [0.1, 0.9]},
        3,
    ),
    "parameterized_interdependence": ("attribute", {"m_prime": 2}, 3),
    "hm_parameterized_interdependence": ("attribute", {"p": 2}, 4),
    "lphm_parameterized_interdependence": ("attribute", {"p": 2, "r": 1}, 4),
    "dual_lphm_parameterized_interdependence": ("instance", {"p": 5, "q": 1, "r": 1}, 3),
    "hm_parameterized_bilinear_interdependence": ("instance", {"p": 2}, 4),
    "lphm_parameterized_bilinear_interdependence": ("instance", {"p": 2, "r": 1}, 4),
    "dual_lphm_parameterized_bilinear_interdependence": ("attribute", {"p": 5, "r": 1}, 3),
    "graph_interdependence": ("instance", {**_GRAPH, "normalization": True}, 3),
    "multihop_graph_interdependence": ("instance", {**_GRAPH, "h": 2, "accumulative": True}, 3),
    "pagerank_multihop_graph_interdependence": ("instance", _GRAPH, 3),
    "chain_interdependence": ("attribute", {"chain_length": 3}, 3),
    "multihop_chain_interdependence": ("instance", {"chain_length": 5, "h": 2}, 3),
    "inverse_approx_multihop_chain_interdependence": ("instance", {"chain_length": 5}, 3),
    "geometric_interdependence": (
        "attribute",
        {"h": 3, "w": 3, "channel_num": 2, "patch": {"shape": "cylinder", "p_r": 1}},
        18,
    ),
    "cuboid_patch_based_geometric_interdependence": (
        "attribute",
        {"h": 4, "w": 4, "p_h": 1, "p_w": 1, "p_d": 0, "packing_strategy": "complete_square"},
        16,
    ),
    "cuboid_patch_padding_based_geometric_interdependence": (
        "attribute",
        {"h": 3, "w": 1, "p_h": 1, "p_w": 0, "p_d": 0},
        3,
    ),
    "cuboid_patch_aggregation_based_geometric_interdependence": (
        "instance",
        {"h": 5, "w": 1, "p_h": 1, "p_w": 0, "p_d": 0, "normalization": True},
        3,
    ),
    "cylinder_patch_based_geometric_interdependence": (
        "attribute",
        {"h": 3, "w": 3, "r": 1, "p_d": 0},
        9,
    ),
    "cylinder_patch_padding_based_geometric_interdependence": (
        "attribute",
        {"h": 3, "w": 2, "d": 2, "r": 1, "p_d": 1, "p_d_prime": 0},
        12,
    ),
    "cylinder_patch_aggregation_based_geometric_interdependence": (
        "attribute",
        {"h": 3, "w": 3, "r": 1, "p_d": 0},
        9,
    ),
    "sphere_patch_based_geometric_interdependence": (
        "attribute",
        {"h": 2, "w": 2, "d": 2, "r": 1},
        8,
    ),
    "sphere_patch_padding_based_geometric_interdependence": (
        "attribute",
        {"h": 3, "w": 1, "d": 1, "r": 1},
        3,
    ),
    "sphere_patch_aggregation_based_geometric_interdependence": (
        "attribute",
        {"h": 2, "w": 2, "d": 2, "r": 1},
        8,
    ),
    "parameterized_rpn_interdependence": (
        "attribute",
        {
            "m_prime": 2,
            "data_transformation": {"name": "taylor_expansion", "d": 2},
            "parameter_fabrication": {"name": "lorr_reconciliation", "r": 1},
        },
        3,
    ),
    "hybrid_interdependence": (
        "instance",
        {
            "functions": [
                {"name": "chain_interdependence", "chain_length": 5},
                "parameterized_bilinear_interdependence",
            ],
            "fusion": "prod_fusion",
        },
        3,
    ),
    "exponential_approx_multihop_chain_interdependence": (
        "attribute",
        {"chain_length": 4, "bi_directional": True},
        4,
    ),
}
#: more slots and options, with two channels
_INTERDEPENDENCE_EXTRA: dict[str, tuple[str, dict[str, Any], int]] = {
    "instance_pearson_2ch": ("instance", {"name": "pearson_correlation_interdependence"}, 3),
    "instance_lowrank_2ch": ("instance", {"name": "lowrank_parameterized_interdependence"}, 3),
    "attribute_bilinear_2ch": (
        "attribute",
        {"name": "parameterized_bilinear_interdependence"},
        3,
    ),
    "instance_rma_bilinear_2ch": (
        "instance",
        {"name": "random_matrix_adaption_parameterized_bilinear_interdependence"},
        3,
    ),
    "attribute_graph_undirected_2ch": (
        "attribute",
        {"name": "graph_interdependence", "directed": False, "self_dependence": True, **_GRAPH},
        5,
    ),
    "attribute_hybrid_concat_2ch": (
        "attribute",
        {
            "name": "hybrid_interdependence",
            "functions": [
                "identity_interdependence",
                {"name": "parameterized_interdependence", "m_prime": 2},
            ],
            "fusion": {"name": "lowrank_parameterized_concatenation_fusion", "n": 3, "r": 1},
        },
        3,
    ),
    "instance_rpn_2ch": (
        "instance",
        {
            "name": "parameterized_rpn_interdependence",
            "data_transformation": "chebyshev_expansion",
            "parameter_fabrication": {"name": "hm_reconciliation", "p": 5},
        },
        3,
    ),
    "instance_inverse_bi_2ch": (
        "instance",
        {
            "name": "inverse_approx_multihop_chain_interdependence",
            "bi_directional": True,
            "chain_length": 5,
        },
        3,
    ),
}


def model(head: dict[str, Any], m: int, n: int = 4, **layer: Any) -> dict[str, Any]:
    return {"seed": 7, "layers": [{"m": m, "n": n, "heads": [head], **layer}]}


def _cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    base = {"reconciliation": "identity_reconciliation", "remainder": "linear_remainder"}
    for cls in COMPONENT_TYPES["expansion"]:
        name = component_name(cls)
        params, m = _EXPANSIONS.get(name, ({}, 3))
        cases[name] = model({**base, "expansion": {"name": name, **params}}, m)
    for cls in COMPONENT_TYPES["compression"]:
        name = component_name(cls)
        default = _PROBABILISTIC_K if "probabilistic" in name else ({}, 3)
        params, m = _COMPRESSIONS.get(name, default)
        cases[name] = model({**base, "expansion": {"name": name, **params}}, m)
    for cls in COMPONENT_TYPES["reconciliation"]:
        name = component_name(cls)
        rec = {"name": name, **_RECONCILIATIONS.get(name, {})}
        cases[name] = model(
            {"expansion": TAYLOR2, "reconciliation": rec, "remainder": "linear_remainder"}, 3
        )
    for key, rec in _EXTRA_RECONCILIATIONS.items():
        cases[key] = model({"expansion": TAYLOR2, "reconciliation": rec}, 3, n=3)
    for cls in COMPONENT_TYPES["remainder"]:
        name = component_name(cls)
        rem = {"name": name, "c": 0.5} if name == "constant_remainder" else name
        cases[name] = model({"expansion": TAYLOR2, "remainder": rem}, 4)
    cases["linear_remainder_bias_relu"] = model(
        {
            "expansion": TAYLOR2,
            "remainder": {"name": "linear_remainder", "enable_bias": True, "activation": ["relu"]},
        },
        3,
    )
    for cls in COMPONENT_TYPES["fusion"]:
        name = component_name(cls)
        fusion = {"name": name, **_FUSIONS.get(name, {})}
        remainder = "zero_remainder" if name == "concatenation_fusion" else "linear_remainder"
        head = {
            "expansion": TAYLOR2,
            "channels": 3,
            "channel_fusion": fusion,
            "reconciliation": {"name": "lorr_reconciliation", "enable_bias": True},
            "remainder": remainder,
        }
        cases[name] = model(head, 3)
        cases[f"head_fusion_{name}"] = model(
            {"expansion": "chebyshev_expansion", "remainder": "zero_remainder"},
            3,
            width=3,
            head_fusion=fusion,
        )
    for cls in COMPONENT_TYPES["processing"]:
        name = component_name(cls)
        cases[name] = model(
            {
                "expansion": TAYLOR2,
                "remainder": "linear_remainder",
                "output_process": [name],
                "input_process": [name] if name in ("layer_norm", "batch_norm", "tanh") else [],
            },
            3,
            input_process=["sigmoid"],
            output_process=[name],
        )
    for cls in COMPONENT_TYPES["interdependence"]:
        name = component_name(cls)
        slot, fn, m = _INTERDEPENDENCES.get(name, ("attribute", {}, 3))
        head = {"expansion": TAYLOR2, "batch": 5, f"{slot}_interdependence": {"name": name, **fn}}
        cases[name] = model({**head, "remainder": "linear_remainder"}, m)
    for name, (slot, fn, m) in _INTERDEPENDENCE_EXTRA.items():
        head = {"expansion": TAYLOR2, "batch": 5, f"{slot}_interdependence": fn, "channels": 2}
        cases[name] = model({**head, "remainder": "zero_remainder"}, m)
    cases["nested_processing"] = model(
        {
            "expansion": {**TAYLOR2, "preprocess": ["layer_norm"], "postprocess": ["batch_norm"]},
            "remainder": {"name": "linear_remainder", "activation": ["layer_norm"]},
        },
        3,
    )
    return cases


CASES = _cases()

#: Cases that tinybig semantics reject (tinybig cannot use these as head/channel fusions).
NATIVE_ONLY = {
    "parameterized_weighted_summation_fusion",
    "head_fusion_parameterized_weighted_summation_fusion",
}

#: Cases that native semantics reject ((I - adj)^-1 of a bi-directional chain does not exist).
TINYBIG_ONLY = {"instance_inverse_bi_2ch"}
#: tinybig 0.2.1 runs hybrid_interdependence only in the instance slot.
NATIVE_ONLY |= {"attribute_hybrid_concat_2ch"}
#: tinybig 0.2.1 cannot construct the cylinder / sphere patch interdependence classes.
NATIVE_ONLY |= {
    f"{shape}_patch{mode}_based_geometric_interdependence"
    for shape in ("cylinder", "sphere")
    for mode in ("", "_padding", "_aggregation")
}
