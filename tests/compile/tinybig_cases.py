"""A small tinybig-config -> spec mapping for the conformance cases (heads, layers, models).

Only what the cases use; the full importer belongs to rpnschema.interop.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"

# tinybig/torch class name -> catalog name, where they differ
_RENAMED = {"Tanh": "tanh", "SiLU": "silu", "ReLU": "relu", "Sigmoid": "sigmoid"}
# tinybig constructor arguments that are not spec fields
_DROPPED = {"require_parameters", "device", "name"}


def load_cases(kind: str) -> list[dict[str, Any]]:
    """The cases of tests/data/conformance/<kind>.json."""
    return json.loads((DATA / f"{kind}.json").read_text())["cases"]


def f32(value: Any) -> torch.Tensor:
    """Conformance numbers are float32 values written as doubles."""
    return torch.tensor(value, dtype=torch.float64).to(torch.float32)


def _function(config: dict[str, Any]) -> dict[str, Any]:
    short = config["function_class"].rsplit(".", 1)[-1]
    out: dict[str, Any] = {"name": _RENAMED.get(short, short)}
    for key, value in (config.get("function_parameters") or {}).items():
        if key in _DROPPED:
            continue
        if key == "activation_function_configs":
            out["activation"] = _functions(value)
        else:
            out[key] = value
    return out


def _functions(configs: Any) -> list[dict[str, Any]]:
    if configs is None:
        return []
    if isinstance(configs, dict):
        configs = [configs]
    return [_function(c) for c in configs]


def head_spec(config: dict[str, Any]) -> dict[str, Any]:
    p = config["head_parameters"]
    head: dict[str, Any] = {
        "channels": p.get("channel_num", 1),
        "expansion": _function(p["data_transformation_configs"]),
        "reconciliation": _function(p["parameter_fabrication_configs"]),
    }
    for ours, theirs in (("m", "m"), ("n", "n")):
        if theirs in p:
            head[ours] = p[theirs]
    if p.get("remainder_configs"):
        head["remainder"] = _function(p["remainder_configs"])
    if p.get("channel_fusion_configs"):
        head["channel_fusion"] = _function(p["channel_fusion_configs"])
    for ours, theirs in (
        ("input_process", "input_process_function_configs"),
        ("output_process", "output_process_function_configs"),
    ):
        if p.get(theirs):
            head[ours] = _functions(p[theirs])
    return head


def layer_spec(config: dict[str, Any]) -> dict[str, Any]:
    p = config["layer_parameters"]
    layer: dict[str, Any] = {
        "m": p["m"],
        "n": p["n"],
        "heads": [head_spec(h) for h in p["head_configs"]],
    }
    for key in ("width", "width_alloc"):
        if key in p:
            layer[key] = p[key]
    if p.get("head_fusion_configs"):
        layer["head_fusion"] = _function(p["head_fusion_configs"])
    return layer


def model_spec(case: dict[str, Any], semantics: str = "tinybig") -> dict[str, Any]:
    """The spec of a head, layer or model case (a head or layer becomes a 1-layer model)."""
    config = case["tinybig_config"]
    if "head_class" in config:
        head = head_spec(config)
        layers = [{"m": head.pop("m"), "n": head.pop("n"), "heads": [head]}]
        extra: dict[str, Any] = {}
    elif "layer_class" in config:
        layers = [layer_spec(config)]
        extra = {}
    else:
        p = config["model_parameters"]
        layers = [layer_spec(c) for c in p["layer_configs"]]
        extra = {k: p[k] for k in ("depth", "depth_alloc") if k in p}
    return {"semantics": semantics, "seed": 0, "layers": layers, **extra}
