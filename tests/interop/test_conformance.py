"""Every head, layer and model conformance case runs from its tinybig config and weights (and
the tinybig.head preset cases of the RPN 2 set, which use RPN 1 components only: their
omitted parameters exercise tinybig's code defaults, e.g. a residual's weighted remainder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from rpnschema import build
from rpnschema.interop import build_tinybig, from_tinybig, load_tinybig_checkpoint

DATA = Path(__file__).resolve().parents[1] / "data" / "conformance"


def _cases(kind: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{kind}.json").read_text())["cases"]


CASES = [
    pytest.param(case, id=f"{kind}-{case['id']}")
    for kind in ("heads", "layers", "models", "rpn1_head_presets")
    for case in _cases(kind)
]


def _f32(value: Any) -> torch.Tensor:
    # conformance numbers are float32 values written as doubles
    return torch.tensor(value, dtype=torch.float64).to(torch.float32)


@pytest.mark.parametrize("case", CASES)
def test_case_converts_builds_loads_and_reproduces(case: dict[str, Any]) -> None:
    data, diags = from_tinybig(case["tinybig_config"])
    assert data is not None and data["semantics"] == "tinybig"
    assert not [d for d in diags if d.severity != "notice"], diags
    model = build(data, seed=0)
    assert sum(p.numel() for p in model.parameters()) == case["param_count"]
    assert model.spec.parameters == case["param_count"]
    load_tinybig_checkpoint(model, case["parameters"])
    with torch.no_grad():
        y = model(_f32(case["x"]))
    torch.testing.assert_close(y, _f32(case["y"]), rtol=1e-5, atol=1e-6)


def test_checkpoint_file_round_trip(tmp_path: Path) -> None:
    """A checkpoint as tinybig's save_ckpt writes it: torch.save(model.state_dict())."""
    case = _cases("models")[2]
    state = {k: _f32(v) for k, v in case["parameters"].items()}
    path = tmp_path / "checkpoint"
    torch.save(state, path)
    model = build_tinybig(case["tinybig_config"], path, seed=0)
    with torch.no_grad():
        y = model(_f32(case["x"]))
    torch.testing.assert_close(y, _f32(case["y"]), rtol=1e-5, atol=1e-6)
    torch.save({"state_dict": state}, path)  # a wrapped state dict loads too
    load_tinybig_checkpoint(model, path)


def _recorded_heads(kind: str, structure: dict[str, Any]) -> list[dict[str, Any]]:
    if kind == "heads":
        return [structure]
    layers = structure["layers"] if kind == "models" else [structure]
    return [h for layer in layers for h in layer["heads"]]


@pytest.mark.parametrize("kind", ["heads", "layers", "models"])
def test_structure_matches_the_recorded_heads(kind: str) -> None:
    keys = ("m", "n", "channel_num", "D", "l")
    for case in _cases(kind):
        data, _ = from_tinybig(case["tinybig_config"])
        spec = build(data, seed=0, device="meta").spec
        got = [
            dict(zip(keys, (h.m, h.n, h.channels, h.D, h.l), strict=True))
            for layer in spec.layers
            for h in layer.heads
        ]
        want = [{k: h[k] for k in keys} for h in _recorded_heads(kind, case["structure"])]
        assert got == want, case["id"]
