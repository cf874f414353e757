"""JSON Schema (draft 2020-12) export of the spec, generated from the pydantic models.

The pydantic schema is reshaped for editors (yaml-language-server in VS Code, Neovim and
JetBrains) without changing what it accepts; ``tests/test_schema.py`` checks it against the
validator and ``tests/editor`` against the real language server:

- each discriminated union of catalog functions becomes one named definition per family
  (``Expansion``, ``Reconciliation``, ...): a function name, or a mapping whose ``name`` is one
  of the family's names, with one ``if {type: object, name: const X} then {$ref: X}`` per member.
  Editors ignore OpenAPI's ``discriminator`` and would match ``oneOf`` branches instead, listing
  only the functions that happen to share a parameter; with ``if``/``then`` a wrong name lists
  every name, and a named mapping completes that function's parameters only;
- the head union (explicit components or a ``preset``) the same way, on ``preset``;
- optional scalars are ``type: [T, "null"]`` without ``default: null`` (editors would insert
  ``null`` and show titles twice), every field has a description, fixed-length lists carry
  ``items`` beside ``prefixItems`` for servers before draft 2020-12, and a head and a layer come
  with ``defaultSnippets``.

Checks that need arithmetic across the spec (dimensions, divisibility, budgets) are only done by
``rpnschema validate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rpnschema._version import __version__
from rpnschema.spec import registry
from rpnschema.spec.descriptions import field_description, spec_classes
from rpnschema.spec.model import SPEC_VERSION, ModelSpec

SCHEMA_FILE = "rpnschema.schema.json"
SCHEMA_ID = f"https://rpnschema.dev/schemas/v{SPEC_VERSION}/rpnschema.schema.json"
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
_META_KEYS = ("title", "description", "default")
# Completion snippets (yaml-language-server's ``defaultSnippets``) for the two things a user
# adds most: a head and a layer.
HEAD_SNIPPETS = [
    {
        "label": "head: expansion + reconciliation",
        "description": "An explicit head: a Taylor expansion, low-rank reconciliation.",
        "body": {
            "expansion": {"name": "${1:taylor_expansion}", "d": 2},
            "reconciliation": {"name": "${2:lorr_reconciliation}", "r": 2},
        },
    },
    {
        "label": "head: preset",
        "description": "A head preset (perceptron, kan, svm, naive_bayes, pgm).",
        "body": {"preset": "${1:perceptron}"},
    },
]
LAYER_SNIPPETS = [
    {
        "label": "layer",
        "description": "A layer of m inputs and n outputs with one head.",
        "body": {"m": "^${1:4}", "n": "^${2:2}", "heads": [{"expansion": "${3:taylor_expansion}"}]},
    }
]
SNIPPETS = {"Head": HEAD_SNIPPETS, "LayerSpec": LAYER_SNIPPETS}


def family_title(family: str) -> str:
    """The name in ``$defs`` of the definition of the slot that takes ``family``'s functions
    (the expansion slot also takes compressions: ``ExpansionOrCompression``)."""
    return "Or".join(f.capitalize() for f in (family, *registry.SLOT_EXTRAS.get(family, ())))


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _families(names: list[str]) -> list[str]:
    """The families of ``names`` in order of first appearance ([] if one is not a component)."""
    found: list[str] = []
    for name in names:
        family = registry.family_of(name)
        if family is None:
            return []
        if family not in found:
            found.append(family)
    return found


def _if_then(key: str, value: str, ref: str) -> dict[str, Any]:
    # ``type: object`` in the ``if``: without it a string or null satisfies the condition and
    # the editor reports that member's errors.
    condition = {"type": "object", "required": [key], "properties": {key: {"const": value}}}
    return {"if": condition, "then": {"$ref": ref}}


def _optional(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {type: null}]`` as ``type: [T, "null"]`` where X is a plain typed value."""
    branches = node["anyOf"]
    if len(branches) != 2 or {"type": "null"} not in branches:
        return node
    [value] = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
    if node.get("default", 0) is not None:
        rest["default"] = node["default"]
    if isinstance(value.get("type"), str) and not {"enum", "const", "$ref"} & set(value):
        return {**value, **rest, "type": [value["type"], "null"]}
    if isinstance(value.get("type"), str) and "enum" in value:  # a closed choice, or null
        return {**value, **rest, "type": [value["type"], "null"], "enum": [*value["enum"], None]}
    return {"anyOf": branches, **rest}


class _Rewriter:
    def __init__(self, defs: dict[str, Any]):
        self.raw_defs = defs
        self.defs: dict[str, Any] = {}

    def summary(self, ref: str) -> str:
        """The first paragraph of a definition's description (shown beside its name)."""
        text = self.raw_defs[ref.rsplit("/", 1)[-1]].get("description", "")
        return " ".join(text.split("\n\n")[0].split())

    def family_ref(self, union: dict[str, Any], families: list[str]) -> dict[str, Any]:
        title = "Or".join(f.capitalize() for f in families)
        if title not in self.defs:
            mapping = union["discriminator"]["mapping"]
            names = sorted(mapping)
            docs = [self.summary(mapping[n]) for n in names]
            what = " or ".join(families)
            self.defs[title] = {
                "title": title,
                "description": f"{_article(what).capitalize()} {what} function: its catalog "
                "name, or a mapping with `name` and that function's parameters.",
                # Any other type (an empty value while typing, a number) fails this one check;
                # the mapping branch then accepts it, instead of adding the errors of both.
                "type": ["string", "object"],
                "anyOf": [
                    {"type": "string", "enum": names, "enumDescriptions": docs},
                    {
                        "not": {"type": "string"},
                        "required": ["name"],
                        # No description here: hover then shows the chosen function's.
                        "properties": {
                            "name": {"type": "string", "enum": names, "enumDescriptions": docs}
                        },
                        "allOf": [_if_then("name", n, mapping[n]) for n in names],
                    },
                ],
            }
        return {"$ref": f"#/$defs/{title}"}

    def tagged_ref(self, union: dict[str, Any]) -> dict[str, Any] | None:
        """A ``oneOf`` of mappings told apart by a ``const`` key (``preset``) plus one default."""
        refs = [o.get("$ref", "") for o in union["oneOf"]]
        members = {r: self.raw_defs.get(r.rsplit("/", 1)[-1], {}) for r in refs}
        tags: dict[str, tuple[str, str]] = {}
        fallback = []
        for ref, member in members.items():
            consts = [
                (key, prop["const"])
                for key, prop in member.get("properties", {}).items()
                if "const" in prop and key in member.get("required", ())
            ]
            if len(consts) == 1:
                tags[ref] = consts[0]
            else:
                fallback.append(ref)
        keys = {key for key, _ in tags.values()}
        if keys == {"name"} and not fallback and all(refs):
            return self.model_preset_ref(tags)
        if len(keys) != 1 or len(fallback) != 1 or not all(refs):
            return None
        [key] = keys
        default = self.raw_defs[fallback[0].rsplit("/", 1)[-1]]
        title = default["title"].removesuffix("Spec")
        if title not in self.defs:
            values = sorted(value for _, value in tags.values())
            docs = {value: self.summary(ref) for ref, (_, value) in tags.items()}
            self.defs[title] = {
                "title": title,
                "description": f"{_article(title.lower()).capitalize()} {title.lower()}: "
                f"explicit components, or a `{key}` ({', '.join(values)}) with its options.",
                # ``preset`` completes in an empty head, beside the explicit head's keys.
                "properties": {
                    key: {
                        "type": "string",
                        "enum": values,
                        "enumDescriptions": [docs[v] for v in values],
                        "description": f"{_article(title.lower()).capitalize()} "
                        f"{title.lower()} {key}: shorthand for explicit components "
                        "(`rpnschema resolve` shows them).",
                    }
                },
                "if": {"type": "object", "required": [key]},
                "then": {"allOf": [_if_then(key, value, ref) for ref, (_, value) in tags.items()]},
                # Not a mapping, or no ``preset``: the explicit head (its title names the union).
                "else": {"$ref": fallback[0], "title": title},
            }
        return {"$ref": f"#/$defs/{title}"}

    def model_preset_ref(self, tags: dict[str, tuple[str, str]]) -> dict[str, Any]:
        """The model presets: a name alone (``preset: mlp``), or a mapping with ``name``."""
        title = "ModelPreset"
        if title not in self.defs:
            values = sorted(value for _, value in tags.values())
            docs = {value: self.summary(ref) for ref, (_, value) in tags.items()}
            # the name alone only for presets without required options (cnn needs its grid)
            bare = sorted(
                value
                for ref, (_, value) in tags.items()
                if set(self.raw_defs.get(ref.rsplit("/", 1)[-1], {}).get("required", []))
                <= {"name"}
            )
            name = {
                "type": "string",
                "enum": values,
                "enumDescriptions": [docs[v] for v in values],
                "description": "One of tinybig's model classes.",
            }
            alone = {
                **name,
                "enum": bare,
                "enumDescriptions": [docs[v] for v in bare],
                "description": "One of tinybig's model classes that need no options.",
            }
            self.defs[title] = {
                "title": title,
                "description": f"A model preset ({', '.join(values)}): its name, or a mapping "
                "with name and options; with dims it expands into layers (`rpnschema resolve`).",
                "anyOf": [
                    alone,
                    {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": name},
                        "allOf": [_if_then("name", v, ref) for ref, (_, v) in tags.items()],
                    },
                ],
            }
        return {"$ref": f"#/$defs/{title}"}

    def rewrite(self, node: Any, key: str | None = None) -> Any:
        if isinstance(node, list):
            return [self.rewrite(x) for x in node]
        if not isinstance(node, dict):
            return node
        meta = {k: node[k] for k in _META_KEYS if k in node}
        mapping = node.get("discriminator", {}).get("mapping", {})
        if "oneOf" in node and (families := _families(list(mapping))):
            return {**self.family_ref(node, families), **meta}
        if "oneOf" in node and (ref := self.tagged_ref(node)):
            return {**ref, **meta}
        if "oneOf" in node and mapping and (tag := node["discriminator"].get("propertyName")):
            # Any other tagged union (a patch by its ``shape``): the same if/then form.
            values = sorted(mapping)
            return {
                "type": "object",
                "required": [tag],
                "properties": {tag: {"type": "string", "enum": values}},
                "allOf": [_if_then(tag, v, mapping[v]) for v in values],
                **meta,
            }
        out = {k: self.rewrite(v, k) for k, v in node.items()}
        if "anyOf" in out:
            out = _optional(out)
        if "prefixItems" in out and "items" not in out:
            # Servers before draft 2020-12 ignore prefixItems: the same check through items.
            kinds = [json.loads(s) for s in sorted({json.dumps(p) for p in out["prefixItems"]})]
            if out.get("maxItems") == len(out["prefixItems"]):
                out["items"] = kinds[0] if len(kinds) == 1 else {"anyOf": kinds}
        out = _closed(out)
        if key == "properties":
            for name, prop in out.items():
                if name in SINGLETON_LISTS and prop.get("type") == "array":
                    # A list, or one item. The list branch repeats the description: without
                    # one, hover would take the two branches for one and show titles twice.
                    meta = {k: prop.pop(k) for k in _META_KEYS if k in prop}
                    prop["description"] = meta.get("description", "A list, or one item.")
                    out[name] = {**meta, "anyOf": [prop, prop["items"]]}
        return out


def _closed(node: dict[str, Any]) -> dict[str, Any]:
    """``additionalProperties: false`` as ``propertyNames: {enum: [...]}`` (the same check).

    yaml-language-server says "Property x is not allowed." for the former; for the latter it
    shows ``errorMessage``, which lists the keys that are allowed (``errorMessage`` and
    ``doNotSuggest`` are the editors' extensions to JSON Schema; validators ignore them).
    """
    if node.get("additionalProperties") is not False or "patternProperties" in node:
        return node
    keys = list(node.get("properties", {}))
    tag = next((p["const"] for p in node.get("properties", {}).values() if "const" in p), None)
    what = f"`{tag}`" if tag else f"a {node.get('title', 'mapping').removesuffix('Spec').lower()}"
    out = {k: v for k, v in node.items() if k != "additionalProperties"}
    out["propertyNames"] = {
        "enum": keys,
        "errorMessage": f"Not a key of {what}. Valid keys: {', '.join(keys)}.",
        # Completion already offers ``properties`` (with their descriptions).
        "doNotSuggest": True,
    }
    return out


def _markdown(node: Any) -> Any:
    """Docstring text as editors show it: reST ````code```` becomes Markdown ```code```."""
    if isinstance(node, list):
        return [_markdown(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _markdown(v) for k, v in node.items()}
    if isinstance(out.get("description"), str):
        out["description"] = out["description"].replace("``", "`")
    return out


def _describe(defs: dict[str, Any], body: dict[str, Any]) -> None:
    """Give every property of every model a description (its field's, or the shared one)."""
    classes = spec_classes()
    for title, node in [("ModelSpec", body), *defs.items()]:
        cls = classes.get(title)
        if cls is None:
            continue
        for field, prop in node.get("properties", {}).items():
            if "description" not in prop and (text := field_description(cls, field)):
                prop["description"] = text


def model_schema() -> dict[str, Any]:
    """The JSON Schema of a spec document (every family, compressions included)."""
    registry.load_lazy()
    raw = ModelSpec.model_json_schema(mode="validation")
    raw_defs = raw.get("$defs", {})
    _describe(raw_defs, raw)
    rewriter = _Rewriter(raw_defs)
    body = rewriter.rewrite({k: v for k, v in raw.items() if k != "$defs"})
    all_defs = {**{k: rewriter.rewrite(v) for k, v in raw_defs.items()}, **rewriter.defs}
    for title, snippets in SNIPPETS.items():
        if title in all_defs:
            all_defs[title]["defaultSnippets"] = snippets
    schema = {
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
    return _markdown(schema)


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
