"""to_tinybig / export_tinybig: the config tinybig 0.2.1 accepts, and what it cannot express."""

from __future__ import annotations

from typing import Any

import pytest

from rpnschema import Code, SpecError, io, load_spec
from rpnschema.errors import InteropError
from rpnschema.interop import export_tinybig, from_tinybig, to_tinybig, validate_tinybig


def _spec(**extra: Any) -> dict[str, Any]:
    return {
        "name": "net",
        "seed": 3,
        "semantics": "tinybig",
        "layers": [
            {
                "m": 3,
                "n": 4,
                "width": 3,
                "width_alloc": [2, 1],
                "heads": [
                    {
                        "channels": 2,
                        "expansion": {
                            "name": "nested_expansion",
                            "functions": [
                                "identity_expansion",
                                {"name": "chebyshev_expansion", "d": 2},
                            ],
                            "postprocess": ["layer_norm"],
                        },
                        "reconciliation": {"name": "hm_reconciliation", "p": 2},
                        "remainder": {
                            "name": "linear_remainder",
                            "enable_bias": True,
                            "activation": ["silu"],
                        },
                        "channel_fusion": "l1_norm_fusion",
                    },
                    {"expansion": "identity_expansion", "remainder": "one_remainder"},
                ],
            },
            {
                "n": 4,
                "heads": [{"expansion": "taylor_expansion", "remainder": "identity_remainder"}],
            },
            {
                "n": 4,
                "heads": [{"expansion": "taylor_expansion", "remainder": "identity_remainder"}],
            },
        ],
        **extra,
    }


def test_config_structure() -> None:
    config = to_tinybig(_spec())
    assert config["model_class"] == "tinybig.model.rpn"
    mp = config["model_parameters"]
    assert (mp["name"], mp["device"], mp["depth"], mp["depth_alloc"]) == ("net", "cpu", 3, [1, 2])
    first = mp["layer_configs"][0]
    assert first["layer_class"] == "tinybig.module.rpn_layer"
    lp = first["layer_parameters"]
    assert (lp["m"], lp["n"], lp["width"], lp["width_alloc"]) == (3, 4, 3, [2, 1])
    assert lp["parameters_init_method"] == "xavier_normal"
    assert lp["head_fusion_configs"] == {
        "function_class": "tinybig.fusion.metric_fusion.mean_fusion",
        "function_parameters": {"dims": [4, 4, 4]},
    }
    head = lp["head_configs"][0]
    assert head["head_class"] == "tinybig.module.rpn_head"
    hp = head["head_parameters"]
    assert hp["channel_num"] == 2
    expansion = hp["data_transformation_configs"]
    assert expansion["function_class"] == "tinybig.expansion.nested_expansion"
    composed = expansion["function_parameters"]["composition_function_configs"]
    assert [c["function_parameters"] for c in composed] == [{}, {"d": 2}]  # always present
    assert expansion["function_parameters"]["postprocess_function_configs"] == [
        {
            "function_class": "torch.nn.LayerNorm",
            "function_parameters": {
                "normalized_shape": 6,
                "eps": 1e-5,
                "elementwise_affine": True,
                "bias": True,
            },
        }
    ]
    assert hp["parameter_fabrication_configs"] == {
        "function_class": "tinybig.reconciliation.hm_reconciliation",
        "function_parameters": {"enable_bias": False, "p": 2, "q": 2},
    }
    assert hp["remainder_configs"] == {
        "function_class": "tinybig.remainder.linear_remainder",
        "function_parameters": {
            "require_parameters": True,
            "enable_bias": True,
            "activation_function_configs": [
                {"function_class": "torch.nn.SiLU", "function_parameters": {}}
            ],
        },
    }
    assert hp["channel_fusion_configs"]["function_class"] == (
        "tinybig.fusion.metric_fusion.l1_norm_fusion"
    )
    second = lp["head_configs"][1]["head_parameters"]
    assert second["remainder_configs"]["function_class"] == (
        "tinybig.remainder.basic_remainder.one_remainder"
    )


def test_reading_it_back_gives_the_same_normalized_spec() -> None:
    spec = load_spec(_spec())
    config = to_tinybig(spec, document=True)
    assert config["configurations"]["random_seed"] == 3
    back = validate_tinybig(io.Document(data=config))
    assert back.ok, back.diagnostics
    assert back.spec == spec


def test_a_multi_head_layer_lacking_fusion_round_trips_to_the_same_architecture() -> None:
    layer = {
        "layer_class": "tinybig.module.rpn_layer",
        "layer_parameters": {
            "m": 3,
            "n": 2,
            "width": 2,
            "head_configs": {
                "head_class": "tinybig.module.rpn_head",
                "head_parameters": {
                    "data_transformation_configs": {
                        "function_class": "tinybig.expansion.taylor_expansion"
                    },
                    "parameter_fabrication_configs": {
                        "function_class": "tinybig.reconciliation.identity_reconciliation"
                    },
                    "remainder_configs": {"function_class": "tinybig.remainder.zero_remainder"},
                },
            },
        },
    }
    data, diags = from_tinybig(layer)
    assert [d.code for d in diags] == [Code.CONVERTED]
    spec = load_spec(data)
    config = to_tinybig(spec)
    lp = config["model_parameters"]["layer_configs"][0]["layer_parameters"]
    assert lp["head_fusion_configs"]["function_parameters"]["dims"] == [2, 2]
    back, diags = from_tinybig(config)
    assert not diags
    assert load_spec(back) == spec


def test_native_only_constructs_are_errors() -> None:
    data = _spec(semantics="native")
    data["layers"][0]["output_process"] = ["relu"]
    data["layers"][1]["heads"][0]["channels"] = 2
    data["layers"][1]["heads"][0]["channel_fusion"] = "parameterized_weighted_summation_fusion"
    config, diags = export_tinybig(data)
    assert [(d.code, d.severity, d.pointer) for d in diags if d.severity == "error"] == [
        (Code.NOT_REPRESENTABLE, "error", "layers/0/output_process"),
        (Code.NOT_REPRESENTABLE, "error", "layers/1/heads/0/channel_fusion/name"),
    ]
    assert (
        "output_process" not in config["model_parameters"]["layer_configs"][0]["layer_parameters"]
    )
    with pytest.raises(InteropError) as raised:
        to_tinybig(data)
    assert len(raised.value.diagnostics) == len(diags)


def test_warnings_for_what_tinybig_computes_differently() -> None:
    data = _spec(semantics="native", dtype="float64")
    data["layers"][1]["heads"][0]["expansion"] = {"name": "combinatorial_expansion", "d": 2}
    _, diags = export_tinybig(data)
    assert [(d.code, d.severity, d.pointer) for d in diags] == [
        # the two copies of head 0 are reported once
        (Code.SEMANTICS, "warning", "layers/0/heads/0/expansion/postprocess/0"),
        (Code.SEMANTICS, "warning", "layers/0/heads/0/reconciliation"),
        (Code.TINYBIG_BEHAVIOUR, "warning", "layers/1/heads/0/expansion"),
        (Code.NOT_REPRESENTABLE, "warning", "dtype"),
        (Code.NOT_REPRESENTABLE, "notice", "seed"),
    ]


def test_an_invalid_spec_is_a_spec_error() -> None:
    with pytest.raises(SpecError):
        to_tinybig({"layers": [{"m": 2, "heads": ["taylor_expansion"]}]})


@pytest.mark.parametrize(
    "name",
    [
        "dual_lphm_mnist.yaml",
        "iris_perceptron.yaml",
        "kan_bspline.yaml",
        "mnist_taylor.yaml",
        "multichannel_head.yaml",
        "repeated_layers.json",
        "svm_presets.yaml",
    ],
)
def test_native_examples_export_and_read_back(name: str) -> None:
    spec = load_spec(f"examples/{name}")
    config, diags = export_tinybig(spec, document=True)
    assert not [d for d in diags if d.severity == "error"], diags
    back = validate_tinybig(io.Document(data=config), semantics=spec.semantics)
    assert back.ok, back.diagnostics
    assert back.spec == spec


def test_layer_processing_of_an_example_is_reported() -> None:
    _, diags = export_tinybig(load_spec("examples/multihead_fusion.yaml"))
    assert [(d.code, d.pointer) for d in diags if d.severity == "error"] == [
        (Code.NOT_REPRESENTABLE, "layers/0/output_process")
    ]
