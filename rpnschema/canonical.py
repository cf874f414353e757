"""The canonical form of a normalized spec and its hash. No torch."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rpnschema.spec.model import ModelSpec

#: What every entry point that takes a spec accepts: a file path, plain data, or a spec object
#: (as written, e.g. from :mod:`rpnschema.builder`, or normalized).
SpecSource = str | Path | dict[str, Any] | ModelSpec


def canonical_json(spec: SpecSource) -> str:
    """Compact JSON of a normalized spec with sorted keys: equal specs give equal text."""
    from rpnschema.validate import as_normalized

    data: Any = as_normalized(spec).to_data()
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def spec_hash(spec: SpecSource) -> str:
    """SHA-256 of the canonical JSON of a spec (a path, a mapping or a spec object; normalized
    first when it is not yet)."""
    return hashlib.sha256(canonical_json(spec).encode()).hexdigest()
