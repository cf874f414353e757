"""Every tinybig-format example converts, validates, builds, and converts back."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from rpnschema import Code, build, io, load_spec
from rpnschema.interop import build_tinybig, from_tinybig, to_tinybig, validate_tinybig

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "tinybig").glob("*.yaml"))
EXPECTED = {
    "iris_kan.yaml": (2, 449, set()),
    "mnist_dual_lphm.yaml": (3, 9330, {Code.NOT_REPRESENTABLE}),
    "multihead_layer.yaml": (1, 120, {Code.CONVERTED, Code.DEFAULT_APPLIED}),
    "rpn_head_graph.yaml": (1, 28, {Code.DEFAULT_APPLIED}),
}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in EXAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_converts_validates_and_builds(path: Path) -> None:
    layers, parameters, codes = EXPECTED[path.name]
    document = io.load(path)
    data, diags = from_tinybig(document.data)
    assert data is not None and not [d for d in diags if d.severity == "error"]
    result = validate_tinybig(document)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert {d.code for d in result.diagnostics} == codes
    spec = result.unwrap()
    assert (len(spec.layers or []), spec.parameters) == (layers, parameters)
    assert load_spec(data) == spec
    model = build(spec, seed=0)
    assert sum(p.numel() for p in model.parameters()) == parameters
    back = validate_tinybig(io.Document(data=to_tinybig(spec, document=True)))
    assert back.ok and back.spec == spec


def test_a_small_example_runs_forward() -> None:
    model = build_tinybig(str(EXAMPLES[0]), seed=0)
    y = model(torch.rand(5, 4))
    assert y.shape == (5, 3) and torch.isfinite(y).all()
