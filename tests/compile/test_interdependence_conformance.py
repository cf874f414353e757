"""tinybig 0.2.1's interdependence functions and rpn_heads with interdependence, reproduced
from their tinybig configs (tests/data/conformance/rpn2, copied from the shared set)."""

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


def _cases(kind: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"{kind}.json").read_text())["cases"]


def f32(value: Any) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64).to(torch.float32)


def _case_config(case: dict[str, Any]) -> dict[str, Any]:
    params = dict(case["params"])
    params.update(case.get("tensor_params", {}))
    params.update(case.get("callable_params", {}))
    params.update(case.get("object_params", {}))
    return {"function_class": case["class_path"], "function_parameters": params}


def _head_config(case: dict[str, Any]) -> dict[str, Any]:
    kind = case["interdependence_type"]
    return {
        "head_class": "tinybig.head.rpn_head",
        "head_parameters": {
            "m": case["m"] or len(case["x"][0]),
            "n": 1,
            "batch_num": case["b"] or len(case["x"]),
            f"{kind}_interdependence_configs": _case_config(case),
            "data_transformation_configs": {
                "function_class": "tinybig.expansion.identity_expansion",
                "function_parameters": {},
            },
            "parameter_fabrication_configs": {
                "function_class": "tinybig.reconciliation.identity_reconciliation",
                "function_parameters": {},
            },
        },
    }


INTERDEPENDENCE_CASES = [pytest.param(c, id=c["id"]) for c in _cases("interdependences")]


def _spec(case: dict[str, Any]):
    data, diags = from_tinybig(_head_config(case))
    assert data is not None, [d.message for d in diags if d.severity == "error"]
    return load_spec(data)


@pytest.mark.parametrize("case", INTERDEPENDENCE_CASES)
def test_static_sizes_match_tinybig(case: dict[str, Any]) -> None:
    head = _spec(case).layers[0].heads[0]
    kind = case["interdependence_type"]
    assert head.model_dump()[f"l_{kind}_interdependence"] == case["l"]
    if kind == "attribute":
        assert head.m_prime == case["m_prime"]
    else:
        assert head.b_prime == case["b_prime"]


@pytest.mark.parametrize("case", INTERDEPENDENCE_CASES)
def test_matrix_and_output_match_tinybig(case: dict[str, Any]) -> None:
    model = build(_spec(case), seed=0)
    kind = case["interdependence_type"]
    module = getattr(model.layers[0].heads[0], f"{kind}_interdependence")
    for key, value in case.get("random_draws", {}).items():
        if key.startswith("parameter_fabrication."):
            getattr(module.parameter_fabrication, key.split(".", 1)[1]).copy_(f32(value))
    x = f32(case["x"])
    w = f32(case["w"]) if case["w"] is not None else None
    kappa = f32(case["kappa_x"]) if case.get("kappa_x") is not None else None
    A = module.matrix(x, w)
    A = A.to_dense() if A.is_sparse else A
    torch.testing.assert_close(A.float(), f32(case["A"]), rtol=RTOL, atol=ATOL)
    xi = module.apply(x, w, kappa)
    assert list(xi.shape) == case["xi_shape"]
    torch.testing.assert_close(xi, f32(case["xi"]), rtol=RTOL, atol=ATOL)


HEAD_CASES = [
    pytest.param(c, id=c["id"])
    for c in _cases("heads")
    if c["tinybig_config"]["head_class"] in ("tinybig.head.rpn_head", "tinybig.head.head")
]


@pytest.mark.parametrize("case", HEAD_CASES)
def test_rpn_head_with_interdependence_matches_tinybig(case: dict[str, Any]) -> None:
    data, diags = from_tinybig(case["tinybig_config"])
    assert data is not None, [d.message for d in diags if d.severity == "error"]
    spec = load_spec(data)
    assert spec.parameters == case["param_count"]
    model = build(spec, seed=0)
    assert sum(p.numel() for p in model.parameters()) == case["param_count"]
    load_tinybig_state_dict(model.layers[0].heads[0], case["parameters"])
    y = model(f32(case["x"]))
    torch.testing.assert_close(y, f32(case["y"]), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", HEAD_CASES)
def test_rpn_head_config_round_trips(case: dict[str, Any]) -> None:
    from rpnschema.interop import export_tinybig

    data, _ = from_tinybig(case["tinybig_config"])
    assert data is not None
    spec = load_spec(data)
    config, diags = export_tinybig(spec)
    assert not [d for d in diags if d.severity == "error"]
    back, _ = from_tinybig(config)
    assert load_spec(back).layers[0].heads[0] == spec.layers[0].heads[0]


EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "examples" / "interdependence").glob("*.yaml")
)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("semantics", ["native", "tinybig"])
def test_examples_validate_build_and_run(path: Path, semantics: str) -> None:
    spec = load_spec(path).model_copy(update={"semantics": semantics})
    model = build(spec)
    assert sum(p.numel() for p in model.parameters()) == spec.parameters
    head = spec.layers[0].heads[0]
    rows = head.batch or 6
    y = model(torch.rand(rows, spec.layers[0].m, generator=torch.Generator().manual_seed(0)))
    assert y.shape == (head.b_prime or rows, spec.layers[-1].output_dim)
    assert torch.isfinite(y).all()
    y.sum().backward()


def test_examples_cover_the_family_groups() -> None:
    groups = {"kernel", "graph", "chain", "parameterized", "bilinear", "geometric"}
    assert {p.stem for p in EXAMPLES} >= groups


@pytest.mark.parametrize(
    "case",
    [c for c in INTERDEPENDENCE_CASES if c.values[0]["function"] != "constant_interdependence"],
)
def test_interdependence_config_round_trips(case: dict[str, Any]) -> None:
    from rpnschema.interop import export_tinybig

    spec = _spec(case)
    config, diags = export_tinybig(spec)
    assert not [d for d in diags if d.severity == "error"]
    back, diags = from_tinybig(config)
    assert back is not None, [d.message for d in diags if d.severity == "error"]
    assert load_spec(back).layers[0].heads[0] == spec.layers[0].heads[0]
