"""Grid presets without torch: expansion into explicit heads and layers, static sizes (grid
shrinkage by packing and pooling), summary figures, and located errors RPN470-474."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rpnschema import Code, validate_data
from rpnschema.interop import from_tinybig
from rpnschema.spec.grid_presets import (
    CnnModelPreset,
    GridCompressionPreset,
    GridInterdependencePreset,
)
from rpnschema.summary import summarize

CONV = {"preset": "grid_interdependence", "h": 4, "w": 4, "in_channel": 2, "out_channel": 3}
POOL = {"preset": "grid_compression", "h": 4, "w": 4, "channel_num": 3, "p_h": 1}


def _layers(*heads: dict[str, Any], semantics: str = "native") -> Any:
    return validate_data({"semantics": semantics, "layers": [{"heads": [h]} for h in heads]})


def _cnn(**options: Any) -> Any:
    preset = {"name": "cnn", "h": 8, "w": 8, "channel_nums": [1, 4, 8], "fc_dims": [10],
              "p_h": 1, "pooling_layer_gaps": 1, "packing_strategy": "densest_packing",
              "pooling_packing_strategy": "complete_square", **options}  # fmt: skip
    return validate_data({"preset": preset})


def test_a_convolution_and_a_pooling_size_themselves() -> None:
    result = _layers({**CONV, "p_h": 1}, {**POOL, "packing_strategy": "complete_square"})
    assert result.ok, result.diagnostics
    conv, pool = result.spec.layers
    # m = 2 channels of 4x4; 16 centres (densest packing) x 3 channels; l = 3 x (2 x 9), and
    # native semantics count batch norm's weight and bias
    assert (conv.m, conv.n, conv.heads[0].l, conv.parameters) == (32, 48, 54, 54 + 2 * 48)
    assert conv.heads[0].patch_convolution and conv.heads[0].m_prime == 16 * 9 * 2
    assert [p.name for p in conv.heads[0].output_process] == ["batch_norm", "relu"]
    # pooling with centres 2 apart: 3 channels of 2x2, no parameters
    assert (pool.m, pool.n, pool.parameters) == (48, 12, 0)
    codes = [d.code for d in result.diagnostics]
    assert codes.count(Code.PRESET_EXPANDED) == 2


def test_the_cnn_preset_shrinks_the_grid_layer_by_layer() -> None:
    result = _cnn()
    assert result.ok, result.diagnostics
    sizes = [(layer.m, layer.n) for layer in result.spec.layers]
    # conv 1x8x8 -> 4x8x8, pool -> 4x4x4, conv -> 8x4x4, pool -> 8x2x2, fc 32 -> 10
    assert sizes == [(64, 256), (256, 64), (64, 128), (128, 32), (32, 10)]
    notice = next(d for d in result.diagnostics if d.code is Code.PRESET_EXPANDED)
    assert "convolution, pooling, convolution, pooling, perceptron" in notice.message
    # w, b (one per output) and batch norm (native semantics count its weight and bias)
    conv1, conv2 = 36 + 256 + 2 * 256, 4 * 9 * 8 + 128 + 2 * 128
    assert result.spec.parameters == conv1 + conv2 + (32 * 10 + 10)


def test_pooling_gaps_and_halving_follow_tinybig() -> None:
    kinds = []
    for layer in _cnn(channel_nums=[1, 2, 2, 2], pooling_layer_gaps=2).spec.layers:
        head = layer.heads[0]
        kinds.append("conv" if head.patch_convolution else head.expansion.name[:4])
    assert kinds == ["conv", "conv", "geom", "conv", "iden"]
    halved = _cnn(p_h=2, patch_size_half_after_pooling=True, pooling_p_h=1, with_batch_norm=False)
    # the second convolution's patch is halved to p_h 1; native semantics keep p_d at 0, tinybig's
    # parameter_scheduler floors it at 1: 3 x 3 x 3 cells per input channel on a flat grid
    conv = halved.spec.layers[2].heads[0]
    assert (conv.attribute_interdependence.patch.p_h, conv.l) == (1, 8 * 4 * 9)
    tinybig = validate_data(
        {"semantics": "tinybig", "preset": {
            "name": "cnn", "h": 8, "w": 8, "channel_nums": [1, 4, 8], "fc_dims": [10], "p_h": 2,
            "pooling_layer_gaps": 1, "patch_size_half_after_pooling": True,
            "pooling_packing_strategy": "complete_square", "pooling_p_h": 1}}
    )  # fmt: skip
    assert tinybig.ok, tinybig.diagnostics
    assert tinybig.spec.layers[2].heads[0].l == 8 * 4 * 27


def test_summary_counts_a_convolution_per_patch() -> None:
    spec = _layers({**CONV, "p_h": 1, "with_batch_norm": False}).spec
    flops = summarize(spec, batch=2).total.flops
    assert flops.matmul == 2 * 2 * 48 * 18  # each of the 48 outputs reads 2 x 9 values


def _only_error(result: Any) -> Any:
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert len(errors) == 1, result.diagnostics
    return errors[0]


def test_rpn470_a_layer_reads_another_grid_than_the_previous_writes() -> None:
    # the same 12 values: 3 channels of 2x2 written, 1 channel of 4x3 read
    error = _only_error(
        _layers(
            {**POOL, "packing_strategy": "complete_square"},
            {**CONV, "h": 4, "w": 3, "in_channel": 1, "p_h": 1},
        )
    )
    assert error.code is Code.GRID_INPUT and error.path == ("layers", 1, "heads", 0)
    assert "reads 1 channel(s) of 4x3x1, but layer 0 outputs 3 channel(s) of 2x2x1" in (
        error.message
    )
    assert error.suggestion == "set channels, h, w and d to 3, 2, 2, 1"


def test_rpn470_a_channel_mismatch_between_layers() -> None:
    error = _only_error(_layers({**CONV, "p_h": 1}, {**POOL, "channel_num": 2}))
    assert error.code is Code.GRID_INPUT
    assert "reads 2 channel(s) of 4x4x1 (m = 32), but it receives 3 channel(s) of 4x4x1" in (
        error.message
    )


@pytest.mark.parametrize(
    ("head", "path", "says"),
    [
        (CONV, "p_h", "a cuboid patch needs p_h"),
        ({**POOL, "patch_shape": "sphere", "p_h": None}, "p_r", "a sphere patch needs p_r"),
        ({**POOL, "packing_strategy": "dense_hexagonal"}, "packing_strategy",
         "'dense_hexagonal' is not a packing of cuboid patches"),
    ],
)  # fmt: skip
def test_rpn471_a_patch_that_cannot_be_built(head: dict[str, Any], path: str, says: str) -> None:
    error = _only_error(_layers(head))
    assert error.code is Code.GRID_PATCH and error.path == ("layers", 0, "heads", 0, path)
    assert says in error.message


def test_rpn472_a_patch_past_the_whole_grid() -> None:
    head = {**CONV, "h": 2, "w": 2, "p_h": 2}
    error = _only_error(_layers(head))
    assert error.code is Code.GRID_PATCH_SIZE
    assert "spans 5 cells along h, more than the grid 2 channel(s) of 2x2x1 gives" in (
        error.message
    )
    tinybig = _layers(head, semantics="tinybig")  # tinybig zero-pads it: a warning
    assert tinybig.ok
    assert [d.severity for d in tinybig.diagnostics if d.code is Code.GRID_PATCH_SIZE] == [
        "warning"
    ]


def test_rpn473_tinybig_cannot_mean_pool() -> None:
    preset = {"name": "cnn", "h": 4, "w": 4, "channel_nums": [1, 2], "fc_dims": [3], "p_h": 1,
              "pooling_metric": "batch_mean", "pooling_layer_gaps": 1}  # fmt: skip
    error = _only_error(validate_data({"semantics": "tinybig", "preset": preset}))
    assert error.code is Code.GRID_POOLING and error.path == ("preset", "pooling_metric")
    assert validate_data({"preset": preset}).ok  # native semantics pool by the mean


def test_rpn474_patch_convolution_needs_a_geometric_padding_interdependence() -> None:
    head = {"expansion": "identity_expansion", "patch_convolution": True}
    result = validate_data({"layers": [{"m": 4, "n": 4, "heads": [head]}]})
    error = _only_error(result)
    assert error.code is Code.GRID_CONVOLUTION
    assert error.path == ("layers", 0, "heads", 0, "attribute_interdependence")


def test_rpn474_n_must_split_into_patches() -> None:
    head = {
        "attribute_interdependence": {"name": "geometric_interdependence", "h": 2, "w": 2,
                                      "patch": {"shape": "cuboid", "p_h": 1, "p_w": 1}},
        "expansion": "identity_expansion",
        "patch_convolution": True,
    }  # fmt: skip
    error = _only_error(validate_data({"layers": [{"m": 4, "n": 6, "heads": [head]}]}))
    assert error.code is Code.GRID_CONVOLUTION and "the grid has 4 patches" in error.message


def test_the_cnn_preset_takes_no_dims() -> None:
    result = validate_data({"dims": [16, 3], "preset": {"name": "cnn", "h": 4, "w": 4,
                            "channel_nums": [1, 2], "fc_dims": [3], "p_h": 1}})  # fmt: skip
    error = _only_error(result)
    assert error.code is Code.CONFLICT and error.path == ("dims",)


# --- conversion ---------------------------------------------------------------------------------


def test_tinybig_grid_configs_convert_to_the_presets() -> None:
    data, diags = from_tinybig(
        {"model_class": "tinybig.model.rpn_cnn.cnn",
         "model_parameters": {"h": 4, "w": 4, "channel_nums": [1, 2], "fc_dims": [3], "p_h": 1,
                              "with_dropout": False, "unknown": 1}}
    )  # fmt: skip
    assert data["preset"] == {"name": "cnn", "h": 4, "w": 4, "channel_nums": [1, 2],
                              "fc_dims": [3], "p_h": 1, "with_dropout": False}  # fmt: skip
    assert data["semantics"] == "tinybig"
    warning = next(d for d in diags if d.code is Code.UNKNOWN_KEY)
    assert warning.path == ("model_parameters", "unknown")
    assert not any(d.code is Code.TINYBIG_UNSUPPORTED for d in diags)


def test_a_grid_compression_layer_defaults_to_no_dropout_as_tinybig() -> None:
    data, _ = from_tinybig(
        {"layer_class": "tinybig.layer.grid_compression_layer",
         "layer_parameters": {"h": 4, "w": 4, "channel_num": 1, "p_h": 1}}
    )  # fmt: skip
    assert data["layers"][0]["heads"][0]["with_dropout"] is False
    head, _ = from_tinybig(
        {"head_class": "tinybig.head.grid_compression_head",
         "head_parameters": {"h": 4, "w": 4, "channel_num": 1, "p_h": 1}}
    )  # fmt: skip
    assert "with_dropout" not in head["layers"][0]["heads"][0]  # the head's default: true
    spec = validate_data(head).spec
    assert [p.name for p in spec.layers[0].heads[0].output_process] == ["dropout"]


# --- defaults: tinybig 0.2.1's code -----------------------------------------------------------


def _signature(package: str, name: str) -> dict[str, Any]:
    path = Path(__file__).parent / "data" / "tinybig_signatures.json"
    params = json.loads(path.read_text())["packages"][package][name]["parameters"]
    return {k: v.get("default", "required") for k, v in params.items()}


@pytest.mark.parametrize(
    ("package", "name", "cls", "renamed"),
    [
        ("head", "grid_interdependence_head", GridInterdependencePreset, {}),
        ("head", "grid_compression_head", GridCompressionPreset, {}),
        ("model", "cnn", CnnModelPreset, {}),
    ],
)
def test_grid_preset_defaults_are_tinybigs_code_defaults(
    package: str, name: str, cls: type, renamed: dict[str, str]
) -> None:
    tinybig = _signature(package, name)
    own = {"name", "device", "parameters_init_method"}  # the spec's, not the preset's
    fields = {
        k: f for k, f in cls.model_fields.items() if k not in ("preset", "m", "n", "channels")
    }
    assert set(fields) - {"name"} == set(tinybig) - own
    for key, field in fields.items():
        if key in tinybig and key not in own:
            want = tinybig[key]
            got = "required" if field.is_required() else field.default
            assert got == want, (key, got, want)


def test_convert_from_tinybig_writes_the_cnn_preset(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rpnschema.cli import app

    config = tmp_path / "cnn.yaml"
    config.write_text(
        "model_class: tinybig.model.cnn\n"
        "model_parameters: {h: 4, w: 4, channel_nums: [1, 2], fc_dims: [3], p_h: 1,\n"
        "                   pooling_layer_gaps: 1, pooling_metric: batch_sum}\n"
    )
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(app, ["convert", str(config), "--from", "tinybig", "-o", str(out)])
    assert result.exit_code == 0, result.output
    spec = validate_data(yaml.safe_load(out.read_text()))
    # the pooling packs densest (pooling_packing_strategy defaults to packing_strategy): the
    # grid keeps 2 channels of 4x4, so the perceptron layer maps 32 values to 3
    assert spec.ok and spec.spec.parameters == (18 + 32) + (32 * 3 + 3)
    bad = tmp_path / "bad.yaml"
    bad.write_text(config.read_text().replace("batch_sum", "batch_mean"))
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    located = r"bad\.yaml:3:\d+: error RPN473 model_parameters/pooling_metric"
    assert re.search(located, result.output), result.output
