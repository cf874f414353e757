"""The JSON Schema rejects the shape errors rpnschema rejects; what it cannot express is listed
in the README as rpnschema-only (#15, class 9)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from rpnschema import validate_data
from rpnschema.spec.model import SPEC_VERSION

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "rpnschema.schema.json").read_text())
)
H = {"expansion": "identity_expansion"}
L = [{"m": 4, "n": 2, "heads": [H]}]


@pytest.mark.parametrize(
    "doc",
    [
        {"layers": []},
        {"layers": L, "dims": [4, 2]},
        {"layers": L, "head": H},
        {"layers": L, "dims": [4, 2], "head": H},
        {"dims": [4, 2]},
        {"head": H},
        {"spec_version": SPEC_VERSION + 1, "layers": L},
    ],
)
def test_closed_gaps_are_rejected_by_both(doc: dict) -> None:
    doc = {"spec_version": 1, **doc}
    assert list(VALIDATOR.iter_errors(doc))
    assert not validate_data(doc).ok


@pytest.mark.parametrize(
    "doc",
    [
        {"layers": L, "seed": 1.0},
        {"layers": L, "device": "cpu\n"},
        {
            "dims": [4, 2],
            "head": {"expansion": {"name": "bspline_expansion", "grid_range": [1, -1]}},
        },
        {
            "dims": [4, 2],
            "head": {**H, "output_process": [{"name": "layer_norm", "eps": float("nan")}]},
        },
    ],
)
def test_rpnschema_only_checks_are_documented_and_enforced(doc: dict) -> None:
    doc = {"spec_version": 1, **doc}
    assert not validate_data(doc).ok
    readme = (ROOT / "README.md").read_text()
    assert "**rpnschema-only checks**" in readme
    for needle in ("integral float", "NaN", "trailing newline", "order of a range"):
        assert needle in readme
