"""Per-value arithmetic (factoring, patch cell counts) is memoized per distinct value and charged
to one work budget per validation, so repetition costs nothing and variety is bounded (#15, 3)."""

from __future__ import annotations

import time

import pytest

from rpnschema import validate_data
from rpnschema.errors import Code
from rpnschema.limits import Limits
from rpnschema.work import WORK_LIMIT

SPHERE = {
    "name": "sphere_patch_based_geometric_expansion",
    "h": 2,
    "w": 2,
    "d": 2,
    "p_r": 1100,
}
PRIME = 999_999_999_989  # factoring it takes 10^6 trial divisions


def _layer(m: int, n: int, head: dict, width: int) -> dict:
    return {"m": m, "n": n, "width": width, "heads": [head]}


@pytest.mark.parametrize(
    "layer",
    [
        _layer(
            4,
            PRIME,
            {"expansion": "identity_expansion", "reconciliation": "hm_reconciliation"},
            1000,
        ),
        _layer(
            4,
            PRIME,
            {
                "expansion": "identity_expansion",
                "reconciliation": {"name": "hm_reconciliation", "p": 7},
            },
            1000,
        ),
        _layer(8, 2, {"expansion": SPHERE}, 1000),
        _layer(
            8,
            2,
            {
                "expansion": {
                    **SPHERE,
                    "name": "cylinder_patch_based_geometric_expansion",
                    "p_r": 40_000,
                    "p_d": 0,
                }
            },
            1000,
        ),
    ],
)
def test_a_thousand_repeated_expensive_heads_cost_one(layer: dict) -> None:
    start = time.perf_counter()
    r = validate_data({"spec_version": 1, "layers": [layer]})
    took = time.perf_counter() - start
    assert not r.ok
    assert took < 10  # before: minutes (each head recomputed)


def test_distinct_expensive_values_exhaust_the_work_budget() -> None:
    head = {"expansion": "identity_expansion", "reconciliation": "hm_reconciliation"}
    primes = [
        999_999_999_989,
        999_999_999_961,
        999_999_999_959,
        999_999_999_937,
        999_999_999_899,
        999_999_999_877,
    ]
    layers = [_layer(4, 4, head, 1)]
    layers += [{"n": p, "heads": [head]} for p in primes]
    start = time.perf_counter()
    r = validate_data({"spec_version": 1, "layers": layers}, limits=Limits(max_dim=10**13))
    assert time.perf_counter() - start < 10
    budget = [d for d in r.errors if d.code is Code.BUDGET and "steps" in d.message]
    assert budget, r.errors
    assert budget[0].path[-1] == "p"
    assert str(WORK_LIMIT) in budget[0].message
    assert "give p explicitly" in budget[0].suggestion
