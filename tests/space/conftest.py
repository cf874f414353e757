"""Shared spaces for the search-space tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "search" / "digits.space.yaml"

BASE: dict[str, Any] = {
    "name": "small",
    "layers": [
        {"m": 4, "n": 6, "heads": [{"expansion": "taylor_expansion"}]},
        {"n": 2, "heads": [{"expansion": "identity_expansion"}]},
    ],
}


def small_space(**budgets: int) -> dict[str, Any]:
    """12 candidates: 4 reconciliation settings x 3 widths; hm with p=4 fails for n=6."""
    return {
        "name": "small",
        "base": BASE,
        "dimensions": {
            "layers/0/heads/0/reconciliation": {
                "choice": {
                    "identity_reconciliation": {},
                    "lorr_reconciliation": {"r": "int[1..2]"},
                    "hm_reconciliation": {"p": [4]},
                }
            },
            "layers/0/n": [4, 6, 8],
        },
        "budgets": budgets,
    }


@pytest.fixture
def small() -> dict[str, Any]:
    return small_space(max_parameters=150)
