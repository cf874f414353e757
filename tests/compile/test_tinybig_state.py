"""load_tinybig_state_dict: key mapping, value forms, and its errors."""

from __future__ import annotations

import pytest
import torch

from rpnschema.compile import build, load_tinybig_state_dict
from rpnschema.errors import StateDictError
from tests.compile.tinybig_cases import f32, load_cases, model_spec

HEAD = next(c for c in load_cases("heads") if c["id"].startswith("single_taylor2"))
LAYER = next(c for c in load_cases("layers") if c["id"].startswith("width3_repeated"))


def test_head_dict_loads_into_a_one_head_model_layer_and_head() -> None:
    model = build(model_spec(HEAD))
    load_tinybig_state_dict(model, HEAD["parameters"])
    layer = build(model_spec(HEAD)).layers[0]
    load_tinybig_state_dict(layer, HEAD["parameters"])
    head = build(model_spec(HEAD)).layers[0].heads[0]
    load_tinybig_state_dict(head, HEAD["parameters"])
    x, y = f32(HEAD["x"]), f32(HEAD["y"])
    with torch.no_grad():
        for module in (model, layer, head):
            torch.testing.assert_close(module(x), y, rtol=1e-5, atol=1e-6)


def test_tensor_values_are_cast_to_the_module_dtype() -> None:
    model = build(model_spec(LAYER), dtype="float64")
    tensors = {k: f32(v) for k, v in LAYER["parameters"].items()}
    load_tinybig_state_dict(model, tensors)
    assert model.layers[0].w_head_fusion.dtype == torch.float64
    with torch.no_grad():
        y = model(f32(LAYER["x"]).double())
    torch.testing.assert_close(y, f32(LAYER["y"]).double(), rtol=1e-5, atol=1e-6)


def test_every_problem_is_reported_at_once() -> None:
    model = build(model_spec(HEAD))
    params = dict(HEAD["parameters"])
    params["w_prime"] = params.pop("w_remainder")  # tinybig's older name
    params["w"] = params["w"][0]  # (24,) instead of (1, 24)
    with pytest.raises(StateDictError) as info:
        load_tinybig_state_dict(model, params)
    text = str(info.value)
    assert "unexpected key 'w_prime'" in text
    assert "'w': expected shape (1, 24), got (24,)" in text
    assert "missing 'w_remainder' (shape (2, 3))" in text
    assert "did you mean" in text


def test_dict_levels_must_fit_the_module() -> None:
    layer_model = build(model_spec(LAYER))  # one layer, three heads
    with pytest.raises(StateDictError, match="one head; this layer has 3"):
        load_tinybig_state_dict(layer_model, HEAD["parameters"])
    head = build(model_spec(HEAD)).layers[0].heads[0]
    with pytest.raises(StateDictError, match="layer state dict cannot load into an RPNHead"):
        load_tinybig_state_dict(head, LAYER["parameters"])
    with pytest.raises(StateDictError, match="RPNModel, RPNLayer or RPNHead"):
        load_tinybig_state_dict(torch.nn.Linear(2, 2), {})


def test_modules_keys_tinybig_lacks_are_kept_and_reported() -> None:
    spec = model_spec(HEAD, semantics="native")
    spec["layers"][0]["heads"][0]["output_process"] = ["layer_norm"]
    spec["layers"][0]["heads"][0]["reconciliation"] = "masking_reconciliation"
    model = build(spec)
    mask = model.layers[0].heads[0].reconciliation.mask.clone()
    kept = load_tinybig_state_dict(model, HEAD["parameters"])
    prefix = "layers.0.heads.0."
    assert kept == [
        prefix + "output_process.0.bias",
        prefix + "output_process.0.weight",
        prefix + "reconciliation.mask",
    ]
    assert torch.equal(model.layers[0].heads[0].reconciliation.mask, mask)
