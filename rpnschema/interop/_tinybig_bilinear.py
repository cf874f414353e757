"""tinybig configs naming the bilinear attention classes (bilinear_interdependence_head /
_layer, model.transformer): tinybig 0.2.1 cannot run them (:mod:`rpnschema.transformer_checks`),
so converting one is a located error (RPN485) whose suggestion is the native spec that computes
what the config intends (``preset: bilinear`` / ``preset: transformer``, semantics native).

A conversion exists to reproduce tinybig; there is no tinybig output to reproduce here, and a
silently native spec would pass a tinybig checkpoint's state_dict names and shapes it never had.
"""

from __future__ import annotations

import json
from typing import Any

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
        m, n = params.get("m"), params.get("n")
        head = {"preset": "bilinear", **_arguments(params, BilinearPreset.model_fields, ("m", "n"))}
        layer: dict[str, Any] = {k: v for k, v in (("m", m), ("n", n)) if v is not None}
        layer["heads"] = [head]
        if kind == "layer":
            width = params.get("width", 1)
            layer["head_fusion"] = {"name": "parameterized_concatenation_fusion", "n": n}
            if isinstance(width, int) and width > 1:
                layer.update(width=width, share_heads=True)
        spec = {"layers": [layer]}
    return json.dumps({"semantics": "native", **spec})


def rejection_message(cls: str) -> str:
    return (
        f"{cls} cannot be converted: tinybig 0.2.1 cannot run it ({TYPO}), so there is no "
        "tinybig behaviour to reproduce"
    )


def rejection_suggestion(cls: str, cfg: dict[str, Any]) -> str:
    return f"{NATIVE}; write it as the native spec {native_equivalent(cls, cfg)}"
