"""Whole heads, layers and models of the conformance set, built under tinybig semantics from
their tinybig configs and loaded with their tinybig state dicts."""

from __future__ import annotations

import pytest
import torch

from rpnschema.compile import build, load_tinybig_state_dict
from tests.compile.tinybig_cases import f32, load_cases, model_spec

RTOL, ATOL = 1e-5, 1e-6
CASES = [(kind, case) for kind in ("heads", "layers", "models") for case in load_cases(kind)]


@pytest.mark.parametrize(
    ("kind", "case"), CASES, ids=[f"{kind}-{case['id']}" for kind, case in CASES]
)
def test_case(kind: str, case: dict) -> None:
    model = build(model_spec(case), dtype="float32")
    assert sum(p.numel() for p in model.parameters()) == case["param_count"]
    assert model.spec.parameters == case["param_count"]
    kept = load_tinybig_state_dict(model, case["parameters"])
    assert kept == []
    with torch.no_grad():
        y = model(f32(case["x"]))
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)


def _layers(structure: dict) -> list[dict]:
    if "layers" in structure:
        return structure["layers"]
    if "heads" in structure:
        return [structure]
    return [{"heads": [structure]}]


@pytest.mark.parametrize(
    ("kind", "case"), CASES, ids=[f"{kind}-{case['id']}" for kind, case in CASES]
)
def test_structure(kind: str, case: dict) -> None:
    """Each layer's width and output size and each head's m, n, channels, D, l as in tinybig."""
    model = build(model_spec(case), device="meta")
    for layer, want in zip(model.layers, _layers(case["structure"]), strict=True):
        if "width" in want:
            assert (len(layer.heads), layer.spec.output_dim) == (want["width"], want["output_dim"])
        for head, want_head in zip(layer.heads, want["heads"], strict=True):
            got = (head.m, head.n, head.channels, head.D, head.l)
            keys = ("m", "n", "channel_num", "D", "l")
            assert got == tuple(want_head[k] for k in keys)


def test_native_differs_on_hypercomplex_heads() -> None:
    """The hm head case under native semantics gives the Kronecker layout, not tinybig's."""
    case = next(c for c in load_cases("heads") if c["id"].startswith("hm_p2_q3"))
    native = build(model_spec(case, semantics="native"))
    load_tinybig_state_dict(native, case["parameters"])
    with torch.no_grad():
        y = native(f32(case["x"]))
    assert not torch.allclose(y, f32(case["y"]), rtol=RTOL, atol=ATOL)
    head = native.layers[0].heads[0]
    w = head.w[0]
    A, B = w[:6].reshape(2, 3), w[6:].reshape(2, 2)
    W = head.reconciliation(head.w, 1, w)[0]
    torch.testing.assert_close(W, torch.kron(A, B))
