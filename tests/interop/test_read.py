"""from_tinybig: document forms, the class table, processing functions, presets, findings."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rpnschema import Code, validate_data
from rpnschema.interop import detect_tinybig, from_tinybig

LP = ("layer_parameters",)
HP0 = (*LP, "head_configs", 0, "head_parameters")


def fn(cls: str, **params: Any) -> dict[str, Any]:
    return {"function_class": cls, "function_parameters": params}


def head(**params: Any) -> dict[str, Any]:
    base = {
        "data_transformation_configs": fn("tinybig.expansion.taylor_expansion", d=2),
        "parameter_fabrication_configs": fn("tinybig.reconciliation.identity_reconciliation"),
        "remainder_configs": fn("tinybig.remainder.linear_remainder", require_parameters=True),
    }
    base.update(params)
    return {"head_class": "tinybig.module.rpn_head", "head_parameters": base}


def layer(m: int = 3, n: int = 2, heads: list[Any] | None = None, **params: Any) -> dict[str, Any]:
    p = {"m": m, "n": n, "head_configs": heads or [head()], **params}
    return {"layer_class": "tinybig.module.rpn_layer", "layer_parameters": p}


def model(*layers: dict[str, Any], **params: Any) -> dict[str, Any]:
    return {
        "model_class": "tinybig.model.rpn",
        "model_parameters": {"layer_configs": list(layers), **params},
    }


def found(diags: list[Any], code: Code | None = None) -> list[tuple[str, str, str]]:
    return [(d.code.value, d.severity, d.pointer) for d in diags if code is None or d.code == code]


def ok(data: dict[str, Any] | None):
    assert data is not None
    return validate_data(data).unwrap()


# --- document forms -------------------------------------------------------------------------


def test_configurations_document_reports_run_configs_and_keeps_seed_device_name() -> None:
    doc = {
        "configurations": {
            "device": "cpu",
            "random_seed": 1234,
            "data_configs": {"data_class": "tinybig.data.mnist"},
            "learner_configs": {},
            "metric_configs": {},
            "output_configs": {},
            "model_configs": model(layer(), name="net", depth=1),
        }
    }
    data, diags = from_tinybig(doc)
    assert data is not None
    assert (data["seed"], data["device"], data["name"], data["semantics"]) == (
        1234,
        "cpu",
        "net",
        "tinybig",
    )
    assert found(diags) == [
        ("RPN500", "warning", f"configurations/{key}")
        for key in ("data_configs", "learner_configs", "metric_configs", "output_configs")
    ]
    spec = ok(data)
    assert spec.init == "xavier_uniform" and spec.parameters == 30


def test_missing_model_configs_is_an_error() -> None:
    data, diags = from_tinybig({"configurations": {"data_configs": {}}})
    assert data is None
    assert ("RPN202", "error", "configurations") in found(diags)


@pytest.mark.parametrize(
    "doc",
    [
        layer(),
        layer()["layer_parameters"],  # bare layer_parameters
        {**head(), "head_parameters": {**head()["head_parameters"], "m": 3, "n": 2}},
        model(layer()),
        model(layer())["model_parameters"],
        {"model_configs": model(layer())},
    ],
    ids=["layer", "layer_parameters", "head", "model", "model_parameters", "model_configs"],
)
def test_every_document_form_converts(doc: dict[str, Any]) -> None:
    data, diags = from_tinybig(doc)
    assert not [d for d in diags if d.severity == "error"], diags
    spec = ok(data)
    assert spec.parameters == 30 and spec.semantics == "tinybig"


def test_a_head_config_needs_m_and_n() -> None:
    data, diags = from_tinybig(head())
    assert data is None
    assert found(diags) == [("RPN303", "error", "head_parameters")] * 2


def test_not_a_tinybig_config() -> None:
    assert from_tinybig({"layers": []})[1][0].code == Code.BAD_VALUE
    assert from_tinybig([1, 2])[1][0].code == Code.NOT_A_MAPPING


def test_detect() -> None:
    assert detect_tinybig({"configurations": {}})
    assert detect_tinybig(model(layer()))
    assert detect_tinybig({"head_configs": []})
    assert not detect_tinybig({"layers": [{"m": 2, "n": 1, "heads": ["x"]}]})
    assert not detect_tinybig([{"model_class": "x"}])


def test_input_is_not_modified() -> None:
    doc = model(layer(), depth_alloc=1)
    before = copy.deepcopy(doc)
    from_tinybig(doc)
    assert doc == before


# --- classes --------------------------------------------------------------------------------


def test_submodule_class_paths_are_accepted() -> None:
    h = head(
        data_transformation_configs=fn("tinybig.expansion.polynomial_expansion.taylor_expansion"),
        parameter_fabrication_configs=fn(
            "tinybig.reconciliation.lowrank_reconciliation.lorr_reconciliation", r=1
        ),
        remainder_configs=fn("tinybig.remainder.basic_remainder.zero_remainder"),
    )
    data, diags = from_tinybig(layer(3, 3, [h]))
    assert not diags
    head_spec = ok(data).layers[0].heads[0]
    assert (head_spec.expansion.name, head_spec.reconciliation.name, head_spec.l) == (
        "taylor_expansion",
        "lorr_reconciliation",
        15,
    )


def test_unknown_classes_are_reported_with_a_did_you_mean() -> None:
    h = head(data_transformation_configs=fn("tinybig.expansion.taylor_expnsion", d=2))
    data, diags = from_tinybig(model(layer(heads=[h])))
    assert data is None or not data["layers"]
    (d,) = diags
    assert d.code == Code.UNKNOWN_FUNCTION
    assert d.pointer == "model_parameters/layer_configs/0/" + "/".join(
        map(str, (*HP0, "data_transformation_configs", "function_class"))
    )
    assert d.suggestion == "did you mean 'tinybig.expansion.taylor_expansion'?"
    _, diags = from_tinybig({"model_class": "tinybig.model.rpn_mlp", "model_parameters": {}})
    assert diags[0].suggestion == "did you mean 'tinybig.model.rpn_mlp.mlp'?"


def test_a_class_of_the_wrong_family() -> None:
    h = head(parameter_fabrication_configs=fn("tinybig.fusion.metric_fusion.max_fusion"))
    _, diags = from_tinybig(layer(heads=[h]))
    assert found(diags) == [
        (
            "RPN205",
            "error",
            "/".join(map(str, (*HP0, "parameter_fabrication_configs", "function_class"))),
        )
    ]


def test_unexported_short_paths_are_flagged_and_converted() -> None:
    h = head(
        channel_num=2,
        remainder_configs=fn("tinybig.remainder.one_remainder"),
        channel_fusion_configs=fn("tinybig.fusion.l1_norm_fusion"),
    )
    data, diags = from_tinybig(layer(2, 2, [h]))
    assert [d.suggestion for d in diags if d.code == Code.TINYBIG_BEHAVIOUR] == [
        "use 'tinybig.remainder.basic_remainder.one_remainder'",
        "use 'tinybig.fusion.metric_fusion.l1_norm_fusion'",
    ]
    spec = ok(data)
    assert spec.layers[0].heads[0].remainder.name == "one_remainder"
    assert spec.layers[0].heads[0].channel_fusion.name == "l1_norm_fusion"


def test_unknown_keys_are_warnings_with_a_did_you_mean() -> None:
    h = head(chanel_num=2)
    h["head_parameters"]["data_transformation_configs"]["function_parameters"]["degree"] = 3
    data, diags = from_tinybig(layer(heads=[h], widht=1))
    assert [(d.code, d.severity, d.suggestion) for d in diags] == [
        (Code.UNKNOWN_KEY, "warning", "did you mean 'width'?"),
        (Code.UNKNOWN_KEY, "warning", "did you mean 'channel_num'?"),
        (Code.UNKNOWN_KEY, "warning", "remove it"),
    ]
    assert ok(data).layers[0].heads[0].channels == 1  # as tinybig: the typo has no effect


def test_python_object_parameters_cannot_be_converted() -> None:
    _, diags = from_tinybig(layer(heads=[head(remainder="an object")]))
    assert found(diags, Code.NOT_REPRESENTABLE) == [
        ("RPN500", "error", "/".join(map(str, (*HP0, "remainder"))))
    ]


def test_interdependence_configs_convert_to_the_head_slots() -> None:
    h = head(
        batch_num=4,
        attribute_interdependence_configs=fn(
            "tinybig.interdependence.identity_interdependence", b=4, m=3
        ),
        instance_interdependence_configs=fn(
            "tinybig.interdependence.graph_interdependence",
            nodes=[0, 1, 2, 3],
            links=[[0, 1]],
            interdependence_type="instance",
        ),
        l_instance_interdependence=0,
    )
    data, diags = from_tinybig(layer(heads=[h]))
    assert data is not None, diags
    converted = data["layers"][0]["heads"][0]
    assert converted["batch"] == 4
    assert converted["attribute_interdependence"] == {"name": "identity_interdependence"}
    assert converted["instance_interdependence"]["nodes"] == [0, 1, 2, 3]
    assert converted["l_instance_interdependence"] == 0


def test_unsupported_interdependence_class_says_why() -> None:
    h = head(attribute_interdependence_configs=fn("tinybig.interdependence.interdependence"))
    _, diags = from_tinybig(layer(heads=[h]))
    where = "/".join(map(str, (*HP0, "attribute_interdependence_configs", "function_class")))
    assert ("RPN422", "error", where) in found(diags)
    (message,) = [d.message for d in diags if d.code.value == "RPN422"]
    assert "abstract base class" in message


# --- components and processing --------------------------------------------------------------


def test_processing_functions_map_to_the_catalog() -> None:
    expansion = fn(
        "tinybig.expansion.taylor_expansion",
        d=2,
        preprocess_functions="tanh",
        postprocess_function_configs=[
            fn("torch.nn.LayerNorm", normalized_shape=[12], eps=1e-6, device="cpu"),
            fn("torch.nn.modules.activation.ReLU", inplace=True),
        ],
    )
    remainder = fn(
        "tinybig.remainder.linear_remainder",
        require_parameters=True,
        enable_bias=True,
        activation_functions=["torch.nn.functional.silu", "torch.nn.functional.layer_norm"],
    )
    outputs = {
        "norm": fn("torch.nn.BatchNorm1d", num_features=2),
        "act": fn("torch.nn.Softmax", dim=-1),
    }
    h = head(
        data_transformation_configs=expansion,
        remainder_configs=remainder,
        output_process_function_configs=outputs,
        input_process_functions=["torch.nn.BatchNorm1d"],
    )
    data, diags = from_tinybig(layer(heads=[h]))
    assert not diags
    spec = ok(data).layers[0].heads[0]
    assert [p.to_data() for p in spec.expansion.postprocess] == [
        {
            "name": "layer_norm",
            "normalized_shape": 12,
            "eps": 1e-6,
            "elementwise_affine": True,
            "bias": True,
        },
        {"name": "relu"},
    ]
    assert [p.name for p in spec.expansion.preprocess] == ["tanh"]
    assert spec.remainder.to_data()["activation"][1] == {
        "name": "layer_norm",
        "normalized_shape": 2,
        "eps": 1e-5,
        "elementwise_affine": False,
        "bias": True,
    }
    assert spec.remainder.enable_bias is True
    assert [p.name for p in spec.output_process] == ["batch_norm", "softmax"]
    assert spec.input_process[0].to_data() == {
        "name": "batch_norm",
        "num_features": 3,
        "eps": 1e-5,
        "momentum": 0.1,
        "affine": False,
        "track_running_stats": False,
    }


def test_processing_problems() -> None:
    h = head(
        output_process_function_configs=[
            fn("torch.nn.functional.relu"),
            fn("torch.nn.Softmax", dimension=1),
            fn("torch.nn.Mish"),
        ],
        output_process_functions=["dropout", "exp"],
    )
    data, diags = from_tinybig(layer(heads=[h]))
    base = "/".join(map(str, HP0))
    assert found(diags) == [
        ("RPN501", "warning", f"{base}/output_process_function_configs"),
        ("RPN501", "warning", f"{base}/output_process_functions/0"),
        ("RPN201", "error", f"{base}/output_process_functions/1"),
    ]
    # configs are ignored when functions are given; converted from the functions alone
    assert data is not None
    h = head(
        output_process_function_configs=[
            fn("torch.nn.functional.relu"),
            fn("torch.nn.Softmax", dimension=1),
            fn("torch.nn.Mish"),
        ]
    )
    _, diags = from_tinybig(layer(heads=[h]))
    assert found(diags) == [
        ("RPN501", "warning", f"{base}/output_process_function_configs/0/function_class"),
        (
            "RPN200",
            "error",
            f"{base}/output_process_function_configs/1/function_parameters/dimension",
        ),
        ("RPN201", "error", f"{base}/output_process_function_configs/2/function_class"),
    ]


def test_linear_remainder_has_weights_unless_require_parameters_is_false() -> None:
    # tinybig 0.2.1's code defaults to require_parameters=True (its docstring says False)
    h = head(remainder_configs=fn("tinybig.remainder.linear_remainder"))
    data, diags = from_tinybig(layer(3, 2, [h]))
    assert found(diags) == []
    remainder = ok(data).layers[0].heads[0].remainder
    assert remainder.to_data() == {
        "name": "linear_remainder",
        "activation": [],
        "enable_bias": False,
    }
    h = head(remainder_configs=fn("tinybig.remainder.linear_remainder", require_parameters=False))
    data, diags = from_tinybig(layer(3, 3, [h]))
    where = (*HP0, "remainder_configs", "function_parameters", "require_parameters")
    assert found(diags) == [("RPN501", "warning", "/".join(map(str, where)))]
    assert ok(data).layers[0].heads[0].remainder.name == "identity_remainder"
    _, diags = from_tinybig(layer(3, 2, [h]))
    assert (
        "RPN403",
        "error",
        "/".join(
            map(str, (*HP0, "remainder_configs", "function_parameters", "require_parameters"))
        ),
    ) in found(diags)


def test_remainders_tinybig_cannot_use() -> None:
    h = head(remainder_configs=fn("tinybig.remainder.identity_remainder", require_parameters=True))
    data, diags = from_tinybig(layer(3, 3, [h]))
    assert found(diags) == [
        (
            "RPN500",
            "warning",
            "/".join(
                map(str, (*HP0, "remainder_configs", "function_parameters", "require_parameters"))
            ),
        )
    ]
    _, diags = from_tinybig(
        layer(3, 2, [head(remainder_configs=fn("tinybig.remainder.identity_remainder"))])
    )
    assert found(diags, Code.REMAINDER) == [
        ("RPN403", "error", "/".join(map(str, (*HP0, "remainder_configs"))))
    ]
    no_remainder = head()
    del no_remainder["head_parameters"]["remainder_configs"]
    data, diags = from_tinybig(layer(3, 2, [no_remainder]))
    assert found(diags) == [("RPN501", "warning", "/".join(map(str, HP0)))]
    assert ok(data).layers[0].heads[0].remainder.name == "zero_remainder"


def test_composed_expansions() -> None:
    nested = fn(
        "tinybig.expansion.nested_expansion",
        composition_function_configs=[
            {"function_class": "tinybig.expansion.identity_expansion"},
            fn("tinybig.expansion.chebyshev_expansion", d=2),
        ],
    )
    data, diags = from_tinybig(layer(heads=[head(data_transformation_configs=nested)]))
    assert found(diags) == [
        (
            "RPN501",
            "warning",
            "/".join(
                map(
                    str,
                    (
                        *HP0,
                        "data_transformation_configs",
                        "function_parameters",
                        "composition_function_configs",
                        0,
                    ),
                )
            ),
        )
    ]
    assert ok(data).layers[0].heads[0].D == 6


def test_missing_components() -> None:
    h = head()
    del h["head_parameters"]["data_transformation_configs"]
    data, diags = from_tinybig(layer(heads=[h]))
    assert data is None
    assert found(diags) == [("RPN202", "error", "/".join(map(str, HP0)))]


def test_combinatorial_expansion_in_a_head_is_flagged() -> None:
    h = head(data_transformation_configs=fn("tinybig.expansion.combinatorial_expansion", d=2))
    data, diags = from_tinybig(layer(heads=[h]))
    assert [d.code for d in diags] == [Code.TINYBIG_BEHAVIOUR]
    assert ok(data).layers[0].heads[0].D == 9


# --- layers and models ----------------------------------------------------------------------


def test_multi_head_layer_without_fusion_gets_a_mean_fusion_and_a_notice() -> None:
    data, diags = from_tinybig(model(layer(heads=[head()], width=3)))
    assert found(diags) == [
        ("RPN502", "notice", "model_parameters/layer_configs/0/layer_parameters")
    ]
    spec = ok(data)
    assert spec.layers[0].head_fusion.to_data() == {"name": "mean_fusion", "dims": [2, 2, 2]}


def test_layer_config_details() -> None:
    h = head(m=5, n=2)
    data, diags = from_tinybig(
        layer(
            heads=h,
            width_alloc=2,
            fusion_strategy="average",
            head_fusion_configs=fn("tinybig.fusion.summation_fusion", dims=[2, 2]),
        )
    )
    assert found(diags) == [
        ("RPN501", "warning", "layer_parameters/fusion_strategy"),
        ("RPN501", "warning", "layer_parameters/head_configs/head_parameters/m"),
    ]
    spec = ok(data)
    assert spec.layers[0].width == 2 and spec.layers[0].head_fusion.name == "summation_fusion"


def test_layers_need_m_and_n_and_head_configs() -> None:
    _, diags = from_tinybig(
        model({"layer_class": "tinybig.module.rpn_layer", "layer_parameters": {"n": 2}})
    )
    assert found(diags) == [
        ("RPN303", "error", "model_parameters/layer_configs/0/layer_parameters"),
        ("RPN202", "error", "model_parameters/layer_configs/0/layer_parameters"),
    ]


def test_depth_alloc_and_init_methods() -> None:
    a = layer(2, 2, parameters_init_method="kaiming_uniform")
    b = layer(2, 1, parameters_init_method="xavier_uniform")
    data, diags = from_tinybig(model(a, b, depth=3, depth_alloc=[2, 1]))
    assert found(diags) == [
        (
            "RPN500",
            "warning",
            "model_parameters/layer_configs/1/layer_parameters/parameters_init_method",
        )
    ]
    spec = ok(data)
    assert spec.init == "kaiming_uniform" and len(spec.layers) == 3


# --- presets --------------------------------------------------------------------------------


def test_perceptron_layer_preset_uses_tinybig_defaults() -> None:
    doc = {
        "layer_class": "tinybig.layer.perceptron_layer",
        "layer_parameters": {"m": 4, "n": 3, "width": 2},
    }
    data, diags = from_tinybig(doc)
    assert found(diags) == [
        ("RPN313", "notice", "layer_parameters"),
        ("RPN502", "notice", "layer_parameters/width"),
    ]
    h = ok(data).layers[0].heads[0]
    assert (h.expansion.name, h.reconciliation.enable_bias, h.remainder.name) == (
        "identity_expansion",
        True,
        "zero_remainder",
    )
    # tinybig 0.2.1's perceptron_layer defaults to with_relu=True (perceptron_head: False)
    assert [p.name for p in h.output_process] == ["relu", "dropout", "softmax"]


@pytest.mark.parametrize(
    ("cls", "params", "expansion", "D"),
    [
        (
            "tinybig.head.svm_head",
            {"kernel": "gaussian_rbf", "num_interval": 3},
            "gaussian_rbf_expansion",
            12,
        ),
        (
            "tinybig.head.basic_heads.naive_bayes_head",
            {"distribution": "gamma"},
            "naive_gamma_expansion",
            4,
        ),
        (
            "tinybig.head.pgm_head",
            {"d": 2, "with_lorr": True, "r": 1},
            "combinatorial_normal_expansion",
            10,
        ),
        (
            "tinybig.head.perceptron_head",
            {"with_taylor": True, "with_dual_lphm": True, "r": 1, "with_dropout": False},
            "taylor_expansion",
            20,
        ),
    ],
)
def test_head_presets(cls: str, params: dict[str, Any], expansion: str, D: int) -> None:
    doc = {"head_class": cls, "head_parameters": {"m": 4, "n": 4, **params}}
    data, diags = from_tinybig(doc)
    assert [d.code for d in diags] == [Code.PRESET_EXPANDED]
    h = ok(data).layers[0].heads[0]
    assert (h.expansion.name, h.D) == (expansion, D)


def test_kan_presets_have_a_weighted_remainder() -> None:
    # kan_head builds linear_remainder(...): tinybig's code default require_parameters=True
    doc = {"layer_class": "tinybig.layer.kan_layer", "layer_parameters": {"m": 3, "n": 2}}
    data, diags = from_tinybig(doc)
    assert [d.code for d in diags] == [Code.PRESET_EXPANDED]
    h = ok(data).layers[0].heads[0]
    assert h.remainder.to_data() == {
        "name": "linear_remainder",
        "activation": [{"name": "silu"}],
        "enable_bias": False,
    }
    # bspline m (t + d) = 3 * 8, times n = 2; the remainder n x m
    assert ok(data).parameters == 48 + 6


def test_bad_preset_arguments() -> None:
    _, diags = from_tinybig(
        {
            "head_class": "tinybig.head.svm_head",
            "head_parameters": {"m": 2, "n": 2, "kernel": "rbf"},
        }
    )
    assert found(diags) == [("RPN205", "error", "head_parameters/kernel")]
    _, diags = from_tinybig(
        {
            "head_class": "tinybig.head.kan_head",
            "head_parameters": {"m": 2, "n": 2, "with_softmax": "yes", "grid": 3},
        }
    )
    assert found(diags) == [
        ("RPN200", "warning", "head_parameters/grid"),
        ("RPN203", "error", "head_parameters/with_softmax"),
    ]


# --- semantics ------------------------------------------------------------------------------


def test_native_semantics_lists_the_functions_whose_outputs_change() -> None:
    h = head(
        data_transformation_configs=fn(
            "tinybig.expansion.laguerre_expansion",
            d=2,
            postprocess_function_configs=[fn("torch.nn.LayerNorm", normalized_shape=6)],
        ),
        parameter_fabrication_configs=fn("tinybig.reconciliation.hm_reconciliation", p=2, q=3),
    )
    data, diags = from_tinybig(layer(3, 2, [h]), semantics="native")
    assert data is not None and data["semantics"] == "native"
    summary, *places = diags
    assert summary.pointer == "<root>" and summary.severity == "notice"
    assert "laguerre_expansion, layer_norm, hm_reconciliation" in summary.message
    base = "/".join(map(str, HP0))
    assert [d.pointer for d in places] == [
        f"{base}/data_transformation_configs",
        f"{base}/data_transformation_configs/function_parameters/postprocess_function_configs/0",
        f"{base}/parameter_fabrication_configs",
    ]
    # l = p q + (n/p)(D/q) = 8, the remainder 6, and the layer_norm's 12 (counted under native)
    assert ok(data).parameters == 26
    assert ok(from_tinybig(layer(3, 2, [h]))[0]).parameters == 14
    _, plain = from_tinybig(layer(), semantics="native")
    assert [d.message for d in plain] == [
        "semantics: native: no function of this model changes its outputs"
    ]
    with pytest.raises(ValueError):
        from_tinybig(layer(), semantics="exact")  # type: ignore[arg-type]
