"""tinybig 0.2.1's head, layer and model classes (perceptron_layer ... pgm_layer, model.mlp ...
pgm; graph_interdependence_head/layer and model.gcn) reproduced from their tinybig configs:
parameter count, state_dict names, output (tests/data/conformance/rpn2/heads.json, layers.json
and models.json, copied from the shared set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from rpnschema.compile import build, load_tinybig_state_dict
from rpnschema.interop import from_tinybig
from rpnschema.validate import load_spec

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance" / "rpn2"
RTOL, ATOL = 1e-5, 1e-6

#: The RPN 1 classes (no interdependence or compression function inside).
RPN1_LAYERS = ("perceptron_layer", "svm_layer", "kan_layer", "pgm_layer", "naive_bayes_layer")
RPN1_MODELS = ("mlp", "kan", "svm", "naive_bayes", "pgm")
#: The graph architectures (an instance interdependence over the nodes).
GRAPH = ("graph_interdependence_head", "graph_interdependence_layer", "gcn")


def _cases(kind: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{kind}.json").read_text())["cases"]


def f32(value: Any) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64).to(torch.float32)


def _class(case: dict[str, Any]) -> str:
    config = case["tinybig_config"]
    path = config.get("head_class") or config.get("layer_class") or config["model_class"]
    return path.rsplit(".", 1)[-1]


def _layer_classes(case: dict[str, Any]) -> set[str]:
    params = case["tinybig_config"].get("model_parameters", {})
    return {c["layer_class"].rsplit(".", 1)[-1] for c in params.get("layer_configs", [])}


CASES = [
    pytest.param(c, id=c["id"])
    for c in _cases("heads") + _cases("layers") + _cases("models")
    if _class(c) in RPN1_LAYERS + RPN1_MODELS + GRAPH + ("rpn_layer",)
    or (
        _class(c) == "rpn"
        and _layer_classes(c)
        and _layer_classes(c) <= {*RPN1_LAYERS, "rpn_layer"}
    )
]


def _model(case: dict[str, Any]) -> torch.nn.Module:
    data, diags = from_tinybig(case["tinybig_config"])
    assert data is not None, [d.message for d in diags if d.severity == "error"]
    spec = load_spec(data)
    assert spec.parameters == case["param_count"]
    return build(spec, seed=0)


def test_every_rpn1_layer_and_model_class_has_cases() -> None:
    covered = {_class(p.values[0]) for p in CASES}
    assert covered == {*RPN1_LAYERS, *RPN1_MODELS, *GRAPH, "rpn", "rpn_layer"}
    assert len(CASES) == 17


@pytest.mark.parametrize("case", CASES)
def test_parameters_and_state_dict_names_match_tinybig(case: dict[str, Any]) -> None:
    model = _model(case)
    assert sum(p.numel() for p in model.parameters()) == case["param_count"]
    config = case["tinybig_config"]
    prefix = (
        "" if "model_class" in config else "layers.0." + ("heads.0." * ("head_class" in config))
    )
    names = {k[len(prefix) :] for k in model.state_dict() if k.startswith(prefix)}
    assert set(case["parameters"]) <= names


@pytest.mark.parametrize("case", CASES)
def test_output_with_tinybigs_weights_matches(case: dict[str, Any]) -> None:
    model = _model(case)
    config = case["tinybig_config"]
    target = model if "model_class" in config else model.layers[0]
    target = target.heads[0] if "head_class" in config else target
    load_tinybig_state_dict(target, case["parameters"])
    model.eval()  # dropout_eval cases: tinybig's Dropout modules were switched to eval
    with torch.no_grad():
        y = model(f32(case["x"]))
    assert list(y.shape) == case["y_shape"]
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)


def test_a_width_2_layer_shares_one_head_object_as_tinybig() -> None:
    case = next(c for c in _cases("layers") if c["id"] == "perceptron_layer_width2_m3_n2")
    layer = _model(case).layers[0]
    assert layer.heads[0] is layer.heads[1]
    assert [k for k in layer.state_dict() if k.startswith("heads.")] == [
        "heads.0.w",
        "heads.0.b",
        "heads.1.w",
        "heads.1.b",
    ]
    assert case["structure"]["head_object_index"] == [0, 0]
