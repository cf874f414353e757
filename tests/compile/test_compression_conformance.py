"""Every case of tests/data/conformance/rpn2/compressions.json through the public API:
tinybig config -> from_tinybig -> build (tinybig semantics) -> the head's transformation.

Random cases are replayed with the seeds the generator recorded (torch's for the sampling
compressions, numpy's global one for scikit-learn): with the same torch and scikit-learn they
draw the same numbers. Fitted cases also check the state after each call.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rpnschema import build  # noqa: E402
from rpnschema.interop.tinybig import from_tinybig  # noqa: E402
from rpnschema.validate import validate_data  # noqa: E402
from tests.compression_cases import CASES, DATA, head_config  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6
#: scikit-learn outputs whose components are defined up to sign (eigenvectors).
SIGNED = {"isomap_manifold_compression", "manifold_compression", "lle_manifold_compression"}


def transformation(case: dict[str, Any]):
    data, diags = from_tinybig(head_config(case), semantics="tinybig")
    assert data is not None and not [d for d in diags if d.severity == "error"], diags
    result = validate_data(data)
    assert result.ok, result.errors
    head = result.spec.layers[0].heads[0]
    assert case["D"] == head.D  # the static D agrees before anything is built
    if "fit" in case:
        np.random.seed(case["fit"]["numpy_seed"])
    model = build(result.spec, dtype="float64" if case.get("y_dtype") == "float64" else "float32")
    return model.layers[0].heads[0].expansion


def _call(module, x: torch.Tensor) -> torch.Tensor:
    fitter = getattr(module, "fitter", None)
    return fitter(x) if fitter is not None else module(x)  # the raw (dtype-faithful) output


def check(actual: torch.Tensor, case: dict[str, Any], y: Any, dtype: str | None) -> None:
    expected = torch.tensor(y, dtype=torch.float64)
    if dtype == "float64":
        assert actual.dtype == torch.float64
    got = actual.to(torch.float64)
    if case["function"] in SIGNED or case["params"].get("manifold_function_configs"):
        flip = torch.sign((got * expected).sum(dim=0))
        got = got * torch.where(flip == 0, 1.0, flip)
    torch.testing.assert_close(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    if "fit" in case and "variance_threshold" not in json.dumps(case):
        pytest.importorskip("sklearn")
    module = transformation(case)
    x = torch.tensor(case["x"], dtype=torch.float64).to(torch.float32)
    if "sampling" in case:
        torch.manual_seed(case["sampling"]["torch_seed"])
    check(_call(module, x), case, case["y"], case.get("y_dtype"))
    for call in case.get("next_calls", []):
        x = torch.tensor(call["x"], dtype=torch.float64).to(torch.float32)
        check(_call(module, x), case, call["y"], call.get("y_dtype"))


def _state(module) -> dict[str, Any]:
    fitter = module.fitter
    if hasattr(fitter, "model") and hasattr(fitter.model, "components_"):
        components = fitter.model.components_
        return {
            "components_": components.toarray() if hasattr(components, "toarray") else components
        }
    if hasattr(fitter, "labels"):
        return {"D": fitter.state.value.numpy(), "labels_": fitter.labels}
    return {"v": fitter.state.value.numpy(), "t": fitter.state.t}


STATEFUL = [c for c in CASES if "state" in c.get("fit", {}) and "components_" in json.dumps(c)]
STATEFUL += [
    c for c in CASES if c.get("fit", {}).get("state", {}).get("kind", "").startswith("incremental_")
]


@pytest.mark.parametrize("case", STATEFUL, ids=[c["id"] for c in STATEFUL])
def test_fitted_state(case: dict[str, Any]) -> None:
    """The fitted state after the first call equals tinybig's (PCA axes up to sign)."""
    if "variance_threshold" not in json.dumps(case):
        pytest.importorskip("sklearn")
    module = transformation(case)
    _call(module, torch.tensor(case["x"], dtype=torch.float64).to(torch.float32))
    state, expected = _state(module), case["fit"]["state"]
    for key, value in state.items():
        want = np.asarray(expected[key], dtype=np.float64)
        got = np.asarray(value, dtype=np.float64)
        if key == "components_" and "PCA" in json.dumps(case):
            got = got * np.sign((got * want).sum(axis=1, keepdims=True))
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


HEADS = json.loads((DATA.parent / "heads.json").read_text())["cases"]
#: rpn_head cases whose only RPN 2 part is a compression.
COMPRESSION_HEADS = [
    c
    for c in HEADS
    if c["tinybig_config"]["head_class"] == "tinybig.head.rpn_head"
    and "tinybig.compression" in json.dumps(c["tinybig_config"])
    and "interdependence" not in json.dumps(c["tinybig_config"])
]


@pytest.mark.parametrize("case", COMPRESSION_HEADS, ids=[c["id"] for c in COMPRESSION_HEADS])
def test_head_case(case: dict[str, Any]) -> None:
    """tinybig head config -> from_tinybig -> build -> tinybig's weights -> tinybig's output."""
    from rpnschema import load_tinybig_state_dict

    data, diags = from_tinybig(case["tinybig_config"])
    assert data is not None and not [d for d in diags if d.severity == "error"], diags
    result = validate_data(data)
    assert result.ok, result.errors
    head = result.spec.layers[0].heads[0]
    structure = case["structure"]
    assert (head.D, head.l, result.spec.parameters) == (
        structure["D"],
        structure["l"],
        case["param_count"],
    )
    model = build(result.spec)
    load_tinybig_state_dict(model.layers[0].heads[0], case["parameters"])
    x = torch.tensor(case["x"], dtype=torch.float64).to(torch.float32)
    y = torch.tensor(case["y"], dtype=torch.float64).to(torch.float32)
    torch.testing.assert_close(model(x), y, rtol=RTOL, atol=ATOL)
