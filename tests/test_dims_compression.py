"""Compression D rules: one per class, and tinybig's recorded D for every case (no torch)."""

from __future__ import annotations

import pytest

from rpnschema import dims, dims_compression, validate_data
from rpnschema.interop import from_tinybig
from rpnschema.spec import COMPONENT_TYPES, component_name
from rpnschema.spec import expansion as ex
from tests.compression_cases import CASES, head_config


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
    data, _ = from_tinybig(head_config(case))
    result = validate_data(data)
    assert result.ok, result.errors
    head = result.spec.layers[0].heads[0]
    expected = case["D"]
    assert expected == head.D
