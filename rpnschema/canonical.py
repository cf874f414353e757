"""The canonical form of a normalized spec and its hash. No torch."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rpnschema.spec.model import ModelSpec


def canonical_json(spec: ModelSpec) -> str:
    """Compact JSON of a normalized spec with sorted keys: equal specs give equal text."""
    data: Any = spec.to_data()
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def spec_hash(spec: ModelSpec) -> str:
    """SHA-256 of the canonical JSON of a normalized spec."""
    return hashlib.sha256(canonical_json(spec).encode()).hexdigest()
