"""The compression conformance cases (tests/data/conformance/rpn2/compressions.json) and the
one-head tinybig config each is read through (no torch)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "conformance" / "rpn2" / "compressions.json"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text())["cases"]


def head_config(case: dict[str, Any]) -> dict[str, Any]:
    """An rpn_head config (n = 1, identity reconciliation, zero remainder) around the case's
    compression with its constructor arguments."""
    params = {**case["params"], **case.get("callable_params", {})}
    return {
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
