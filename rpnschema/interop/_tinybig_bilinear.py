"""tinybig configs naming the bilinear attention classes (bilinear_interdependence_head /
_layer, model.transformer): tinybig 0.2.1 cannot run them (:mod:`rpnschema.transformer_checks`),
so converting one is a located error (RPN485) whose suggestion is the native spec that computes
what the config intends (the head or layer preset ``preset: bilinear``, the model preset
``preset: transformer``; semantics native).

A conversion exists to reproduce tinybig; there is no tinybig output to reproduce here, and a
silently native spec would pass a tinybig checkpoint's state_dict names and shapes it never had.
"""

from __future__ import annotations

import json
from typing import Any

from rpnschema.spec.layer_presets import BilinearLayerPreset
from rpnschema.spec.model_presets import TransformerModelPreset
from rpnschema.spec.presets import BilinearPreset
from rpnschema.transformer_checks import CLASSES as CLASSES
from rpnschema.transformer_checks import NATIVE, TYPO

_RENAMED = {"channel_num": "channels", "batch_num": "batch"}
_KEYS = {"model": "model_parameters", "layer": "layer_parameters", "head": "head_parameters"}


def _arguments(params: dict[str, Any], fields: dict[str, Any], skip: tuple[str, ...]) -> dict:
    out = {}
    for key, value in params.items():
        key = _RENAMED.get(key, key)
        if key in fields and key not in skip and value is not None:
            out[key] = value
    return out


def native_equivalent(cls: str, cfg: dict[str, Any]) -> str:
    """The native spec (one-line YAML) that computes what the tinybig config ``cfg`` of the
    bilinear class ``cls`` intends."""
    kind = CLASSES[cls]
    params = cfg.get(_KEYS[kind])
    params = params if isinstance(params, dict) else {}
    if kind == "model":
        preset = {
            "name": "transformer",
            "fc_dims": params.get("fc_dims"),
            **_arguments(params, TransformerModelPreset.model_fields, ("name", "fc_dims")),
        }
        spec: dict[str, Any] = {"dims": params.get("dims"), "preset": preset}
    else:
        fields = (BilinearLayerPreset if kind == "layer" else BilinearPreset).model_fields
        preset = {"preset": "bilinear", **_arguments(params, fields, ())}
        if kind == "layer":  # the layer preset (m, n, width and the head's options)
            spec = {"layers": [preset]}
        else:
            sizes = {k: preset.pop(k) for k in ("m", "n") if k in preset}
            spec = {"layers": [{**sizes, "heads": [preset]}]}
    return json.dumps({"semantics": "native", **spec})


def rejection_message(cls: str) -> str:
    return (
        f"{cls} cannot be converted: tinybig 0.2.1 cannot run it ({TYPO}), so there is no "
        "tinybig behaviour to reproduce"
    )


def rejection_suggestion(cls: str, cfg: dict[str, Any]) -> str:
    return f"{NATIVE}; write it as the native spec {native_equivalent(cls, cfg)}"
