"""tinybig 0.2.1's grid classes (grid_interdependence_head/layer, grid_compression_head/layer,
model.cnn) reproduced from their tinybig configs through the public API: parameter count,
state_dict names, structure (m, n, D, l per head) and output; and the grid rules on other
shapes: a convolution equals torch's conv over the zero-padded grid with the packing's stride,
a max pooling equals torch's max pool over the zero-padded grid, and the statically inferred
sizes equal the built model's on drawn grid models, in both semantics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings

from rpnschema.compile import build, load_tinybig_state_dict
from rpnschema.interop import from_tinybig
from rpnschema.testing import cnn_specs, grid_layer_specs
from rpnschema.validate import load_spec

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance" / "rpn2"
RTOL, ATOL = 1e-5, 1e-6
GRID = (
    "grid_interdependence_head",
    "grid_compression_head",
    "grid_interdependence_layer",
    "grid_compression_layer",
    "cnn",
)


def _cases() -> list[dict[str, Any]]:
    out = []
    for kind in ("heads", "layers", "models"):
        out += json.loads((DATA / f"{kind}.json").read_text())["cases"]
    return out


def _class(case: dict[str, Any]) -> str:
    config = case["tinybig_config"]
    path = config.get("head_class") or config.get("layer_class") or config["model_class"]
    return path.rsplit(".", 1)[-1]


CASES = [pytest.param(c, id=c["id"]) for c in _cases() if _class(c) in GRID]


def f32(value: Any) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64).to(torch.float32)


def _spec(case: dict[str, Any]) -> Any:
    data, diags = from_tinybig(case["tinybig_config"])
    assert data is not None, [d.message for d in diags if d.severity == "error"]
    return load_spec(data)


def _target(model: torch.nn.Module, case: dict[str, Any]) -> torch.nn.Module:
    config = case["tinybig_config"]
    target = model if "model_class" in config else model.layers[0]
    return target.heads[0] if "head_class" in config else target


def test_every_grid_class_has_cases() -> None:
    assert {_class(p.values[0]) for p in CASES} == set(GRID)


@pytest.mark.parametrize("case", CASES)
def test_parameters_and_state_dict_names_match_tinybig(case: dict[str, Any]) -> None:
    spec = _spec(case)
    assert spec.parameters == case["param_count"]
    target = _target(build(spec, seed=0), case)
    assert sum(p.numel() for p in target.parameters()) == case["param_count"]
    assert sorted(target.state_dict()) == sorted(case["parameters"])


def _heads(structure: dict[str, Any]) -> list[dict[str, Any]]:
    if "heads" in structure:
        return structure["heads"]
    if "layers" in structure:
        return [h for layer in structure["layers"] for h in layer["heads"]]
    return [structure]


@pytest.mark.parametrize("case", CASES)
def test_sizes_match_tinybigs_structure(case: dict[str, Any]) -> None:
    heads = [h for layer in _spec(case).layers for h in layer.heads]
    expected = _heads(case["structure"])
    assert len(heads) == len(expected)
    for head, want in zip(heads, expected, strict=True):
        assert (head.m, head.n, head.D) == (want["m"], want["n"], want["D"])
        assert head.l == (want["l"] or 0)
        if want["attribute_interdependence"] is not None:
            assert head.m_prime == want["m_prime"]


@pytest.mark.parametrize("case", CASES)
def test_output_with_tinybigs_weights_matches(case: dict[str, Any]) -> None:
    model = build(_spec(case), seed=0)
    load_tinybig_state_dict(_target(model, case), case["parameters"])
    model.eval()  # BatchNorm1d stays on batch statistics in tinybig semantics
    with torch.no_grad():
        y = model(f32(case["x"]))
    assert list(y.shape) == case["y_shape"]
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)


def test_a_width_2_grid_layer_shares_one_head_object_as_tinybig() -> None:
    config = {
        "layer_class": "tinybig.layer.grid_interdependence_layer",
        "layer_parameters": {"h": 3, "w": 3, "in_channel": 1, "out_channel": 2, "p_h": 1,
                             "width": 2, "with_batch_norm": False},
    }  # fmt: skip
    data, _ = from_tinybig(config)
    layer = build(load_spec(data), seed=0).layers[0]
    assert layer.heads[0] is layer.heads[1]
    assert sorted(layer.state_dict()) == ["heads.0.w", "heads.1.w"]
    assert sum(p.numel() for p in layer.parameters()) == 2 * 9


# --- the rules on other shapes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("h", "w", "cin", "cout", "p", "packing", "stride"),
    [
        (5, 4, 2, 3, 1, "densest_packing", 1),
        (6, 6, 1, 2, 1, "complete_square", 2),
        (7, 5, 3, 1, 2, "dense_square", 2),
        (4, 6, 2, 2, 1, "sparse_square", 3),
    ],
)
def test_a_convolution_is_torchs_conv_on_the_zero_padded_grid(
    h: int, w: int, cin: int, cout: int, p: int, packing: str, stride: int
) -> None:
    """Cuboid patches of half-width p at centres ``stride`` apart: conv2d with padding p."""
    spec = load_spec(
        {"semantics": "native", "layers": [{"heads": [{
            "preset": "grid_interdependence", "h": h, "w": w, "in_channel": cin,
            "out_channel": cout, "p_h": p, "packing_strategy": packing,
            "with_batch_norm": False, "with_relu": False, "enable_bias": True,
        }]}]}
    )  # fmt: skip
    model = build(spec, seed=3)
    head = model.layers[0].heads[0]
    x = torch.randn(5, cin * h * w)
    weight = head.w.detach().reshape(cout, cin, 2 * p + 1, 2 * p + 1)
    ref = F.conv2d(x.view(5, cin, h, w), weight, stride=stride, padding=p)
    out_h, out_w = -(-h // stride), -(-w // stride)
    assert ref.shape[2:] == (out_h, out_w)
    assert spec.layers[0].output_dim == cout * out_h * out_w
    with torch.no_grad():
        # the bias has one value per output (channel and position), not one per channel
        ref = ref.reshape(5, -1) + head.b.detach()
        torch.testing.assert_close(model(x), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("h", "w", "c"), [(4, 4, 2), (5, 3, 1), (6, 7, 3)])
def test_a_max_pooling_is_torchs_max_pool_on_the_zero_padded_grid(h: int, w: int, c: int) -> None:
    spec = load_spec(
        {"layers": [{"heads": [{
            "preset": "grid_compression", "h": h, "w": w, "channel_num": c, "p_h": 1,
            "packing_strategy": "complete_square", "with_dropout": False,
        }]}]}
    )  # fmt: skip
    x = torch.randn(3, c * h * w)
    padded = F.pad(x.view(3, c, h, w), (1, 2, 1, 2))  # zeros; the right/bottom reach ceil
    ref = F.max_pool2d(padded, 3, stride=2)[:, :, : -(-h // 2), : -(-w // 2)]
    with torch.no_grad():
        torch.testing.assert_close(build(spec)(x), ref.reshape(3, -1))


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_built_sizes(data: dict[str, Any]) -> None:
    spec = load_spec(data)
    model = build(spec, seed=0)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    x = torch.randn(3, spec.layers[0].m)
    model.eval()
    with torch.no_grad():
        out = x
        for layer, built in zip(spec.layers, model.layers, strict=True):
            out = built(out)
            assert out.shape == (3, layer.output_dim)
    assert torch.isfinite(out).all()


@SETTINGS
@given(cnn_specs())
def test_inferred_sizes_equal_the_built_cnn(data: dict[str, Any]) -> None:
    _check_built_sizes(data)


@SETTINGS
@given(grid_layer_specs())
def test_inferred_sizes_equal_the_built_grid_layers(data: dict[str, Any]) -> None:
    _check_built_sizes(data)
