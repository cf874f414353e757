"""Compression D rules: one per class, and tinybig's recorded D for every case (no torch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rpnschema import dims, dims_compression, validate_data
from rpnschema.interop import from_tinybig
from rpnschema.spec import COMPONENT_TYPES, component_name
from rpnschema.spec import expansion as ex

DATA = Path(__file__).parent / "data" / "conformance" / "rpn2" / "compressions.json"
CASES = json.loads(DATA.read_text())["cases"]


def test_every_compression_has_its_own_rule() -> None:
    """Found before any expansion rule a compression class inherits (compositions excepted)."""
    wrong = []
    for cls in COMPONENT_TYPES["compression"]:
        found = next(base for base in cls.__mro__ if base in dims.D_RULES)
        own = found in dims_compression.D_RULES
        if not own and found not in (ex.NestedExpansion, ex.ExtendedExpansion):
            wrong.append((component_name(cls), found.__name__))
    assert wrong == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_static_D_matches_tinybig(case: dict) -> None:
    params = {**case["params"], **case.get("callable_params", {})}
    config = {
        "head_class": "tinybig.module.rpn_head",
        "head_parameters": {
            "m": case["m"],
            "n": 1,
            "data_transformation_configs": {
                "function_class": case["class_path"],
                "function_parameters": params,
            },
            "parameter_fabrication_configs": {
                "function_class": "tinybig.reconciliation.identity_reconciliation"
            },
            "remainder_configs": {"function_class": "tinybig.remainder.zero_remainder"},
        },
    }
    data, _ = from_tinybig(config)
    result = validate_data(data)
    assert result.ok, result.errors
    head = result.spec.layers[0].heads[0]
    expected = case["D"]
    assert expected == head.D
