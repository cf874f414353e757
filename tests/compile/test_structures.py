"""Graphs supplied at build time (``structure: <name>``): validated sizes, the same A as the
inline graph, and clear errors when the structure is missing or does not fit."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.compile import build
from rpnschema.errors import InteropError, StructureError
from rpnschema.interop import to_tinybig
from rpnschema.validate import validate_data

LINKS = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [0, 2]]


def _spec(fn: dict[str, Any], **head: Any) -> dict[str, Any]:
    head = {"expansion": "identity_expansion", "instance_interdependence": fn, **head}
    return {"layers": [{"m": 3, "n": 2, "heads": [head]}]}


NAMED = _spec(
    {"name": "graph_interdependence", "structure": "g", "nodes": 5, "normalization": True}
)
INLINE = _spec(
    {
        "name": "graph_interdependence",
        "nodes": [0, 1, 2, 3, 4],
        "links": LINKS,
        "normalization": True,
    }
)


def test_named_structure_validates_its_declared_size() -> None:
    spec = validate_data(NAMED).unwrap()
    assert spec.layers[0].heads[0].batch == 5
    wrong = _spec({"name": "graph_interdependence", "structure": "g", "nodes": 5}, batch=4)
    assert "RPN430" in {d.code.value for d in validate_data(wrong).diagnostics}
    count_only = _spec({"name": "graph_interdependence", "nodes": 5})
    messages = [d.message for d in validate_data(count_only).diagnostics]
    assert any("nodes is a count only with structure" in m for m in messages)
    both = _spec({"name": "graph_interdependence", "structure": "g", "nodes": 2, "links": [[0, 1]]})
    assert any(
        "links come from the build-time structure" in d.message
        for d in validate_data(both).diagnostics
    )


def test_supplied_structure_equals_the_inline_graph() -> None:
    x = torch.rand(5, 3, generator=torch.Generator().manual_seed(0))
    inline = build(INLINE, seed=0)
    named = build(NAMED, seed=0, structures={"g": {"nodes": [0, 1, 2, 3, 4], "links": LINKS}})
    torch.testing.assert_close(named(x), inline(x))
    assert named.layers[0].heads[0].instance_interdependence.A.is_sparse


@pytest.mark.parametrize(
    ("structures", "message"),
    [
        (None, "build() got no structures"),
        ({"other": {"nodes": [0]}}, "only 'other'"),
        ({"g": {"nodes": [0, 1, 2]}}, "has 3 nodes (3 distinct), the spec declares nodes: 5"),
        ({"g": {"nodes": [0, 1, 2, 3, 4], "links": [[0, 9]]}}, "link 0 ([0, 9])"),
    ],
)
def test_missing_or_wrong_structures_are_errors(structures: Any, message: str) -> None:
    with pytest.raises(
        StructureError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]"),
    ):
        build(NAMED, structures=structures)


def test_named_structures_do_not_convert_to_tinybig() -> None:
    with pytest.raises(InteropError, match="structure: g names a graph supplied at build time"):
        to_tinybig(NAMED)


def test_cli_build_reports_a_missing_structure(tmp_path) -> None:
    import yaml

    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(NAMED))
    result = CliRunner().invoke(app, ["build", str(path)])
    assert result.exit_code == 2
    assert "names the structure 'g'" in result.output
