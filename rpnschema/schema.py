"""JSON Schema (draft 2020-12) export of the spec, generated from the pydantic models.

The pydantic schema is post-processed so that editors get what a spec author writes: each
component family becomes one named definition (``Expansion``, ``Reconciliation``, ...) that
accepts a bare function name or a mapping chosen by its ``name`` (a discriminated ``oneOf``, so
an editor offers the parameters of the chosen function), and lists that accept a single item
say so. Checks that need arithmetic across the spec (dimensions, divisibility, budgets) are only
done by ``rpnschema validate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rpnschema._version import __version__
from rpnschema.spec import registry
from rpnschema.spec.model import ModelSpec
from rpnschema.spec.registry import component_name

SCHEMA_FILE = "rpnschema.schema.json"
SCHEMA_ID = "https://rpnschema.dev/schemas/v1/rpnschema.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Fields whose value may be a single item instead of a list (see spec.base.list_shorthand).
SINGLETON_LISTS = {
    "heads",
    "preprocess",
    "postprocess",
    "activation",
    "input_process",
    "output_process",
}
_FAMILY_TITLES = {
    "expansion": "Expansion",
    "reconciliation": "Reconciliation",
    "remainder": "Remainder",
    "fusion": "Fusion",
    "processing": "Processing",
    "interdependence": "Interdependence",
}
_META_KEYS = ("title", "description", "default")


def _family(union: dict[str, Any]) -> str | None:
    names = set(union.get("discriminator", {}).get("mapping", {}))
    families = {registry.family_of(n) for n in names}
    return families.pop() if len(families) == 1 and None not in families else None


class _Rewriter:
    def __init__(self, defs: dict[str, Any]):
        self.defs = defs

    def family_ref(self, union: dict[str, Any], family: str) -> dict[str, Any]:
        title = _FAMILY_TITLES[family]
        if title not in self.defs:
            names = sorted(component_name(c) for c in registry.members(family))
            self.defs[title] = {
                "title": title,
                "description": f"A {family} function: its catalog name, or a mapping with "
                "`name` and that function's parameters.",
                "anyOf": [
                    {"type": "string", "enum": names},
                    {"oneOf": union["oneOf"], "discriminator": union["discriminator"]},
                ],
            }
        return {"$ref": f"#/$defs/{title}"}

    def head_ref(self, union: dict[str, Any]) -> dict[str, Any]:
        if "Head" not in self.defs:
            self.defs["Head"] = {
                "title": "Head",
                "description": "A head: explicit components, or a `preset`.",
                "oneOf": union["oneOf"],
            }
        return {"$ref": "#/$defs/Head"}

    def rewrite(self, node: Any, key: str | None = None) -> Any:
        if isinstance(node, list):
            return [self.rewrite(x) for x in node]
        if not isinstance(node, dict):
            return node
        if "oneOf" in node and "discriminator" in node and (fam := _family(node)):
            meta = {k: node[k] for k in _META_KEYS if k in node}
            return {**self.family_ref(node, fam), **meta}
        if "oneOf" in node and any(
            o.get("$ref") == "#/$defs/HeadSpec" for o in node["oneOf"] if isinstance(o, dict)
        ):
            meta = {k: node[k] for k in _META_KEYS if k in node}
            return {**self.head_ref(node), **meta}
        out = {k: self.rewrite(v, k) for k, v in node.items()}
        if key == "properties":
            for name, prop in out.items():
                if name in SINGLETON_LISTS and prop.get("type") == "array":
                    meta = {k: prop.pop(k) for k in _META_KEYS if k in prop}
                    out[name] = {"anyOf": [prop, prop["items"]], **meta}
        return out


def model_schema() -> dict[str, Any]:
    """The JSON Schema of a spec document."""
    raw = ModelSpec.model_json_schema(mode="validation")
    defs: dict[str, Any] = {}
    rewriter = _Rewriter(defs)
    body = rewriter.rewrite({k: v for k, v in raw.items() if k != "$defs"})
    raw_defs = {k: rewriter.rewrite(v) for k, v in raw.get("$defs", {}).items()}
    all_defs = {**raw_defs, **defs}
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "rpnschema model spec",
        "description": (
            f"An RPN model spec (rpnschema {__version__.split('.')[0]}.x, spec_version 1). "
            "Structure only: dimension consistency, divisibility and budgets are checked by "
            "`rpnschema validate`."
        ),
        **{k: v for k, v in body.items() if k not in ("title", "description")},
        "$defs": dict(sorted(all_defs.items())),
    }


def render() -> str:
    """The schema as committed text (stable key order, trailing newline)."""
    return json.dumps(model_schema(), indent=2, ensure_ascii=False) + "\n"


def export(directory: str | Path) -> list[Path]:
    """Write the schemas into ``directory`` atomically; returns the written paths."""
    from rpnschema.io import write_atomic

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    path = target / SCHEMA_FILE
    write_atomic(path, render())
    return [path]


def catalog_names() -> list[str]:
    return sorted(registry.catalog())
