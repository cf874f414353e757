"""JSON Schema (draft 2020-12) of search-space documents, generated from the space models.

pydantic's schema describes the mappings; the compact forms a user writes (a list of values, a
range string such as ``"int[3..8]"``, a fixed scalar) are added beside them here.
"""

from __future__ import annotations

import json
from typing import Any

from rpnschema.schema import DIALECT, SCHEMA_ID
from rpnschema.space.model import SpaceSpec

SPACE_SCHEMA_FILE = "rpnschema-space.schema.json"
SPACE_SCHEMA_ID = SCHEMA_ID.rsplit("/", 1)[0] + "/" + SPACE_SCHEMA_FILE

_RANGE = {
    "type": "string",
    "pattern": r"^(int|float)\[\s*[-+0-9.eE]+\s*\.\.\s*[-+0-9.eE]+\s*(:\s*(log|step=\d+))?\s*\]$",
    "description": 'A range: "int[LOW..HIGH]", "int[LOW..HIGH:log]", "int[LOW..HIGH:step=K]" '
    'or "float[LOW..HIGH]" (":log" for a log scale).',
}
_LIST = {"type": "array", "minItems": 1, "description": "Values to choose from."}
_SCALAR = {"type": ["string", "number", "boolean", "null"], "description": "A fixed value."}
_OBJECT = {"type": "object", "description": "A fixed mapping (e.g. a component written out)."}


def _refs(node: dict[str, Any]) -> set[str]:
    return {o.get("$ref", "").rsplit("/", 1)[-1] for o in node.get("oneOf", [])}


def _rewrite(node: Any) -> Any:
    if isinstance(node, list):
        return [_rewrite(x) for x in node]
    if not isinstance(node, dict):
        return node
    refs = _refs(node)
    if refs == {"Values", "IntRange", "FloatRange", "Choice", "Tie"}:
        return {"anyOf": [_LIST, _RANGE, _SCALAR, {"oneOf": node["oneOf"]}]}
    if refs == {"Values", "IntRange", "FloatRange", "Fixed"}:
        mappings = [o for o in node["oneOf"] if not o["$ref"].endswith("/Fixed")]
        return {"anyOf": [_LIST, _RANGE, _SCALAR, {"oneOf": mappings}, _OBJECT]}
    return {k: _rewrite(v) for k, v in node.items()}


def space_schema() -> dict[str, Any]:
    """The JSON Schema of a search-space document."""
    raw = SpaceSpec.model_json_schema(mode="validation")
    defs = {k: _rewrite(v) for k, v in raw.get("$defs", {}).items() if k != "Fixed"}
    body = _rewrite({k: v for k, v in raw.items() if k != "$defs"})
    return {
        "$schema": DIALECT,
        "$id": SPACE_SCHEMA_ID,
        "title": "rpnschema search space",
        "description": "A search space over rpnschema specs: a base spec and dimensions "
        "addressed by spec path. Structure only: `rpnschema space check` checks paths, "
        "component names and bounds against the spec.",
        **{k: v for k, v in body.items() if k not in ("title", "description")},
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    """The space schema as committed text (stable key order, trailing newline)."""
    return json.dumps(space_schema(), indent=2, ensure_ascii=False) + "\n"
