"""The example specs of ``examples/`` (tinybig configs converted), by file name."""

from __future__ import annotations

from pathlib import Path

import rpnschema
from rpnschema.spec.model import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
#: name -> file; the plugin example (it needs its plugin) is left out
EXAMPLES: dict[str, Path] = {
    str(p.relative_to(ROOT / "examples")): p
    for pattern in ("*.yaml", "*.json", "tinybig/*.yaml", "python/*.yaml")
    for p in sorted((ROOT / "examples").glob(pattern))
}


def example_spec(name: str) -> ModelSpec:
    """The normalized spec of an example (a tinybig config through the importer)."""
    path = EXAMPLES[name]
    if path.parent.name != "tinybig":
        return rpnschema.load_spec(path)
    from rpnschema import io
    from rpnschema.interop.tinybig import validate_tinybig

    return validate_tinybig(io.load(path)).unwrap()
