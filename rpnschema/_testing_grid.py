"""Hypothesis strategies for grid models (re-exported by :mod:`rpnschema.testing`): the cnn
model preset, and explicit layers of the grid_interdependence / grid_compression head presets
chained grid to grid, over small grids (other h, w, d, channels, patch shapes and sizes,
packings, centre distances, pooling metrics, with and without batch norm, depths).

Every drawn spec is valid in its semantics (pooling metrics tinybig 0.2.1 runs; a native draw
whose patch outgrows a shrunk grid, an error there and a warning under tinybig semantics, is
drawn with tinybig semantics).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from rpnschema.spec.grid_presets import TINYBIG_POOLING

Draw = Callable[[SearchStrategy[Any]], Any]
GRID_PRESET_NAMES = ("grid_interdependence", "grid_compression")
_PACKINGS = {
    "cuboid": ("densest_packing", "dense_square", "complete_square", "sparse_square"),
    "cylinder": ("densest_packing", "complete_square", "sparse_square", "dense_hexagonal"),
    "sphere": ("densest_packing", "dense_simple_cubic", "sparse_simple_cubic"),
}


SEMANTICS = ("native", "tinybig")


def _settled(data: dict[str, Any], semantics: str) -> dict[str, Any]:
    """``data`` in ``semantics``, or in tinybig's where only a too wide patch makes it invalid
    natively (tinybig zero-pads it)."""
    from rpnschema.validate import validate_data

    if semantics == "native" and not validate_data({"semantics": "native", **data}).ok:
        semantics = "tinybig"
    return {"semantics": semantics, **data}


def _patch(draw: Draw, d: int, prefix: str = "") -> dict[str, Any]:
    """A patch small enough for grids of a few cells, and its packing."""
    shape = draw(st.sampled_from(("cuboid", "cuboid", "cylinder", "sphere")))
    out: dict[str, Any] = {f"{prefix}patch_shape": shape}
    if shape == "cuboid":
        out[f"{prefix}p_h"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            out[f"{prefix}p_w"] = draw(st.integers(0, 2))
        if draw(st.booleans()):
            out[f"{prefix}p_h_prime"] = draw(st.integers(0, 1))
        if d > 1 and draw(st.booleans()):
            out[f"{prefix}p_d"] = 1
    else:
        out[f"{prefix}p_r"] = draw(st.integers(1, 2))
        if shape == "cylinder" and d > 1 and draw(st.booleans()):
            out[f"{prefix}p_d"] = 1
    if prefix or draw(st.booleans()):  # a pooling patch of its own needs its own packing
        out[f"{prefix}packing_strategy"] = draw(st.sampled_from(_PACKINGS[shape]))
    elif draw(st.integers(0, 3)) == 0:
        out[f"{prefix}cd_h"] = draw(st.integers(1, 3))
        out[f"{prefix}cd_w"] = draw(st.integers(1, 3))
    return out


@st.composite
def cnn_specs(draw: Draw, semantics: str | None = None) -> dict[str, Any]:
    """A spec of the cnn model preset on a small grid."""
    d = draw(st.sampled_from((1, 1, 1, 2)))
    preset: dict[str, Any] = {
        "name": "cnn",
        "h": draw(st.integers(2, 6)),
        "w": draw(st.integers(2, 6)),
        "d": d,
        "channel_nums": draw(st.lists(st.integers(1, 3), min_size=2, max_size=4)),
        "fc_dims": draw(st.lists(st.integers(1, 5), min_size=1, max_size=2)),
        "pooling_layer_gaps": draw(st.integers(0, 2)),
        "pooling_metric": draw(st.sampled_from(TINYBIG_POOLING)),
        "with_batch_norm": draw(st.booleans()),
        "with_dropout": False,
        **_patch(draw, d),
    }
    if draw(st.booleans()):
        preset.update(_patch(draw, d, "pooling_"))
    for flag in ("with_relu", "with_softmax", "enable_bias", "patch_size_half_after_pooling"):
        if draw(st.booleans()):
            preset[flag] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        preset["width"] = 2
    return _settled({"preset": preset}, semantics or draw(st.sampled_from(SEMANTICS)))


@st.composite
def grid_layer_specs(draw: Draw, semantics: str | None = None) -> dict[str, Any]:
    """Explicit layers of grid head presets, each on the grid the previous one outputs; the
    grids are computed by the spec itself (so this draws only the first grid)."""
    from rpnschema.spec.grid_presets import GridCompressionPreset, GridInterdependencePreset

    d = draw(st.sampled_from((1, 1, 2)))
    h, w, c = draw(st.integers(2, 6)), draw(st.integers(2, 6)), draw(st.integers(1, 3))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        patch = _patch(draw, d)
        if draw(st.booleans()):
            out = draw(st.integers(1, 3))
            args = {"h": h, "w": w, "d": d, "in_channel": c, "out_channel": out, **patch}
            args["with_batch_norm"] = draw(st.booleans())
            preset: Any = GridInterdependencePreset(preset="grid_interdependence", **args)
        else:
            out = c
            args = {"h": h, "w": w, "d": d, "channel_num": c, **patch, "with_dropout": False}
            args["pooling_metric"] = draw(st.sampled_from(TINYBIG_POOLING))
            preset = GridCompressionPreset(preset="grid_compression", **args)
        h, w, d = preset.patches()[1]
        c = out
        layers.append({"heads": [{"preset": preset.preset, **args}]})
    return _settled({"layers": layers}, semantics or draw(st.sampled_from(SEMANTICS)))
