"""tinybig compression configs <-> specs: class paths, code defaults, object-valued arguments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rpnschema import Code, io, load_spec
from rpnschema.interop import from_tinybig, to_tinybig, validate_tinybig

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance" / "rpn2" / "compressions.json"
CASES = json.loads(DATA.read_text())["cases"]


def head(function_class: str, params: dict[str, Any], m: int = 16) -> dict[str, Any]:
    return {
        "head_class": "tinybig.module.rpn_head",
        "head_parameters": {
            "m": m,
            "n": 2,
            "data_transformation_configs": {
                "function_class": function_class,
                "function_parameters": params,
            },
            "parameter_fabrication_configs": {
                "function_class": "tinybig.reconciliation.identity_reconciliation"
            },
            "remainder_configs": {"function_class": "tinybig.remainder.zero_remainder"},
        },
    }


def _expansion(data: dict[str, Any]) -> dict[str, Any]:
    return data["layers"][0]["heads"][0]["expansion"]


def test_object_valued_arguments_become_names() -> None:
    data, diags = from_tinybig(
        head(
            "tinybig.compression.geometric_compression",
            {
                "metric": "tinybig.koala.statistics.batch_mean",
                "grid_configs": {
                    "grid_class": "tinybig.koala.geometry.grid",
                    "grid_parameters": {"h": 2, "w": 4, "d": 1, "universe_num": 2},
                },
                "patch_configs": {
                    "patch_class": "tinybig.koala.geometry.cylinder",
                    "patch_parameters": {"p_r": 1},
                },
            },
        )
    )
    assert not diags
    assert _expansion(data) == {
        "name": "geometric_compression",
        "metric": "batch_mean",
        "h": 2,
        "w": 4,
        "d": 1,
        "channel_num": 2,
        "patch": {"shape": "cylinder", "p_r": 1},
    }


def test_fitted_function_configs() -> None:
    fs = {
        "D": 3,
        "fs_function_configs": {
            "function_class": "tinybig.koala.machine_learning.feature_selection."
            "incremental_feature_clustering",
            "function_parameters": {"n_feature": 3},
        },
    }
    data, diags = from_tinybig(head("tinybig.compression.feature_selection_compression", fs))
    assert not diags
    assert _expansion(data) == {
        "name": "feature_selection_compression",
        "D": 3,
        "function": "incremental_feature_clustering",
    }
    fs["fs_function_configs"]["function_parameters"]["n_feature"] = 2
    _, diags = from_tinybig(head("tinybig.compression.feature_selection_compression", fs))
    assert [(d.code, d.path[-1]) for d in diags] == [(Code.BAD_VALUE, "n_feature")]
    assert "must equal D (=3)" in diags[0].message


@pytest.mark.parametrize(
    ("path", "params", "where", "says"),
    [
        (
            "tinybig.compression.transformation",
            {},
            "function_class",
            "abstract base class",
        ),
        (
            "tinybig.compression.metric_compression",
            {"metric": "tinybig.koala.statistics.batch_mode"},
            "metric",
            "not one of the koala batch metrics",
        ),
        (
            "tinybig.compression.naive_probabilistic_compression",
            {"k": 2, "metric": "tinybig.koala.linear_algebra.batch_max"},
            "metric",
            "collapses each row",
        ),
        (
            "tinybig.compression.naive_probabilistic_compression",
            {
                "k": 2,
                "distribution_function_configs": {"function_class": "torch.distributions.Beta"},
            },
            "distribution_function_configs",
            "must be one of torch.distributions",
        ),
    ],
)
def test_unsupported_parts_are_named_precisely(
    path: str, params: dict[str, Any], where: str, says: str
) -> None:
    _, diags = from_tinybig(head(path, params))
    errors = [d for d in diags if d.severity == "error"]
    assert [d.code for d in errors] == [Code.UNSUPPORTED_CLASS]
    assert errors[0].path[-1] == where and says in errors[0].message


def test_validate_from_tinybig_checks_the_compression_dimensions() -> None:
    config = head("tinybig.compression.incremental_PCA_based_compression", {"D": 20}, m=16)
    result = validate_tinybig(io.parse(json.dumps(config), file="cfg.json"))
    assert [d.code for d in result.errors] == [Code.COMPRESSION_DOMAIN]
    assert "D (=20) exceeds the input size m (=16)" in result.errors[0].message


SPECS = [
    {"name": "cuboid_max_based_geometric_compression", "h": 4, "w": 4, "channel_num": 1,
     "p_h": 1, "p_w": 1, "p_d": 0, "packing_strategy": "complete_square"},
    {"name": "geometric_compression", "metric": "batch_l2_norm", "h": 2, "w": 4, "channel_num": 2,
     "patch": {"shape": "sphere", "p_r": 1}},
    {"name": "naive_probabilistic_compression", "k": 3, "distribution": "gamma",
     "distribution_parameters": {"concentration": 2.0, "rate": 1.0}, "simply_sampling": False},
    {"name": "naive_normal_probabilistic_compression", "k": 2, "std": 2.0},
    {"name": "manifold_compression", "D": 2, "function": "tsne", "perplexity": 3.0},
    {"name": "manifold_compression", "D": 2, "function": "lle", "n_neighbors": 4},
    {"name": "dimension_reduction_compression", "D": 2, "function": "incremental_PCA"},
    {"name": "nested_compression",
     "functions": [{"name": "linear_compression", "c": 2.0}, "median_compression"]},
    {"name": "extended_compression",
     "functions": ["max_compression", {"name": "metric_compression", "metric": "batch_std"}]},
]  # fmt: skip


@pytest.mark.parametrize("expansion", SPECS, ids=lambda e: e["name"])
def test_round_trip(expansion: dict[str, Any]) -> None:
    m = 16 if "h" not in expansion else expansion["h"] * expansion["w"] * expansion["channel_num"]
    spec = load_spec({"layers": [{"m": m, "n": 2, "heads": [{"expansion": expansion}]}]})
    config = to_tinybig(spec)
    back, diags = from_tinybig(config)
    assert not [d for d in diags if d.severity == "error"], diags
    assert load_spec(back).layers[0].heads[0].expansion == spec.layers[0].heads[0].expansion


def test_written_paths_and_objects() -> None:
    expansion = SPECS[1]
    spec = load_spec({"layers": [{"m": 16, "n": 2, "heads": [{"expansion": expansion}]}]})
    layer = to_tinybig(spec)["model_parameters"]["layer_configs"][0]["layer_parameters"]
    cfg = layer["head_configs"][0]["head_parameters"]["data_transformation_configs"]
    assert cfg["function_class"] == "tinybig.compression.geometric_compression"
    params = cfg["function_parameters"]
    assert params["metric"] == "tinybig.koala.linear_algebra.batch_l2_norm"
    assert params["grid_configs"] == {
        "grid_class": "tinybig.koala.geometry.grid",
        "grid_parameters": {"h": 2, "w": 4, "d": 1, "universe_num": 2},
    }
    assert params["patch_configs"] == {
        "patch_class": "tinybig.koala.geometry.sphere",
        "patch_parameters": {"p_r": 1},
    }


def test_every_conformance_class_path_converts() -> None:
    for case in CASES:
        params = {**case["params"], **case.get("callable_params", {})}
        data, diags = from_tinybig(head(case["class_path"], params, m=case["m"]))
        assert data is not None and not [d for d in diags if d.severity == "error"], case["id"]
