"""Validation entry points: document -> structure (pydantic) -> normalization -> dimensions.

Every stage collects all of its problems; each becomes a located :class:`Diagnostic`. Nothing
here imports torch, and nothing named in a spec is ever imported or evaluated.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from rpnschema import io, migrate, normalize, work
from rpnschema.errors import Code, Diagnostic, LoadError, Loc, SpecError, plural
from rpnschema.infer import Limits, infer
from rpnschema.safeload import unsafe_values
from rpnschema.spec import registry
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.lazy import resolve
from rpnschema.spec.model import ModelSpec
from rpnschema.spec.preset_base import HEAD_PRESETS, LAYER_PRESETS
from rpnschema.spec.registry import component_name
from rpnschema.spec.unsupported import UNSUPPORTED_TINYBIG


@dataclass
class Result:
    """The outcome of validating one document."""

    spec: ModelSpec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    file: str | None = None
    #: The file could not be read or parsed (its one diagnostic says why; exit code 2).
    unreadable: bool = False

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors

    @property
    def failed(self) -> bool:
        """Whether the document is invalid (``not ok``); see :meth:`fails` for ``--strict``."""
        return not self.ok

    def fails(self, strict: bool = False) -> bool:
        """Whether the document fails: any error, or with ``strict`` any notice or warning."""
        return not self.ok or (strict and bool(self.diagnostics))

    def unwrap(self) -> ModelSpec:
        """The normalized spec; raises :class:`SpecError` listing every error otherwise."""
        if not self.ok or self.spec is None:
            raise SpecError(self.errors or self.diagnostics)
        return self.spec


# --- pydantic errors -> diagnostics ---------------------------------------------------------


# Fields holding a tagged union (a component or head), and lists of them: pydantic's loc gives
# the tag right after such a value, even when the mapping also has a key of that name.
_UNION_FIELDS = {
    "expansion",
    "reconciliation",
    "remainder",
    "channel_fusion",
    "head_fusion",
    "head",
}
_UNION_LISTS = {
    "layers",
    "heads",
    "functions",
    "preprocess",
    "postprocess",
    "input_process",
    "output_process",
    "activation",
}


def _data_path(loc: tuple[Any, ...], data: Any) -> Loc:
    """Map pydantic's loc (which includes union tags) onto the path in the input data."""
    path: list[str | int] = []
    node = data
    tag_next = False  # node is a union member: its tag comes first
    for part in loc:
        if tag_next and isinstance(node, dict) and isinstance(part, str) and _is_tag(part, node):
            tag_next = False
            continue
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            in_union_list = isinstance(node, list) and bool(path) and path[-1] in _UNION_LISTS
            tag_next = in_union_list or part in _UNION_FIELDS or part in _UNION_LISTS
            path.append(part)
            node = node[part]
        elif isinstance(node, str) and part == 0:
            continue  # a bare name written for a one-item list (shorthand)
        elif isinstance(node, (dict, list)):
            # A union tag (e.g. 'taylor_expansion', 'head'), the index pydantic gives a single
            # item written for a list (shorthand), or a missing key.
            if isinstance(node, dict) and isinstance(part, str) and _is_tag(part, node):
                continue
            if isinstance(node, dict) and part == 0:
                continue
            path.append(part)
            node = None
        else:
            path.append(part)
            node = None
    return tuple(path)


def _is_tag(part: str, node: dict[str, Any]) -> bool:
    return part == node.get("name") or part == node.get("preset") or part in ("head", "layer")


def _fields_at(
    path: Loc,
    data: Any,
    root: type[BaseModel] = ModelSpec,
    catalog: dict[str, Any] | None = None,
) -> list[str]:
    """The keys allowed in the mapping at ``path`` (for 'did you mean' suggestions)."""
    node = data
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    if not isinstance(node, dict):
        return []
    name = node.get("name")
    catalog = registry.catalog() if catalog is None else catalog
    if isinstance(name, str) and name in catalog:
        return list(catalog[name].model_fields)
    preset = node.get("preset")
    if path[-2:-1] == ("layers",) and isinstance(preset, str) and preset in LAYER_PRESETS:
        return list(resolve(LAYER_PRESETS[preset]).model_fields)
    if isinstance(preset, str) and preset in HEAD_PRESETS:
        return list(resolve(HEAD_PRESETS[preset]).model_fields)
    if not path:
        return list(root.model_fields)
    if path[-2:-1] == ("layers",):
        return list(LayerSpec.model_fields)
    if path[-2:-1] == ("heads",) or path == ("head",):
        return list(HeadSpec.model_fields)
    return []


#: "Did you mean" suggestions computed per validation (each compares a name with every choice,
#: about a millisecond): the diagnostics past it have none, so 30,000 unknown keys cost as
#: little as 100.
MAX_SUGGESTIONS = 100
#: Longest name a suggestion is looked for (no catalog name or key is half as long).
_MAX_SUGGESTED = 80


def _close(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    if len(word) > _MAX_SUGGESTED:
        return None
    return _close_cached(word, tuple(choices))


@lru_cache(maxsize=1024)
def _close_cached(word: str, choices: tuple[str, ...]) -> str | None:
    import difflib  # only a document with a mistake needs it

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not found and word:
        short = word.rsplit(".", 1)[-1]
        found = difflib.get_close_matches(short, choices, n=1, cutoff=0.6)
        if not found:
            found = [c for c in choices if c.startswith(short + "_")][:1]
    return found[0] if found else None


def _show(value: Any) -> str:
    import json

    try:
        text = repr(value) if isinstance(value, str) else json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_NAMES = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list of two numbers",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "union_tag_invalid": "a known function name",
}

_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _unsupported(tag: str) -> str | None:
    """Why a tinybig class name (possibly as a dotted path) is not in the catalog, if known."""
    from rpnschema.spec.interdependence import UNSUPPORTED

    return UNSUPPORTED.get(tag.rsplit(".", 1)[-1])


def _with_lazy_members(tags: list[str]) -> list[str]:
    """A slot's tags plus the members of the families built on demand that also fill it, so
    that the choices (and their count) do not depend on what was loaded before."""
    families = {registry.family_of(t) for t in tags}
    extras = [f for fam in families if fam for f in registry.SLOT_EXTRAS.get(fam, ())]
    for family in extras:
        registry.load_lazy(family)
    known = set(tags)
    added = [
        component_name(c)
        for family in extras
        for c in registry.members(family)
        if component_name(c) not in known
    ]
    return tags + added


def _family(tags: list[str]) -> str | None:
    """The catalog family of the functions ``tags`` (those a slot accepts)."""
    catalog = registry.catalog()
    families = {registry.slot_of(catalog[t].family) for t in tags if t in catalog}
    return families.pop() if len(families) == 1 else None


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _unknown_tag(tag: str, tags: list[str], preset: bool, path: Loc) -> Diagnostic:
    """RPN201 for a name the slot does not take: the nearest name it takes, the family the name
    belongs to when it is another slot's, or the installed plugin that provides it."""
    what = "preset" if preset else "function"
    family = "preset" if preset else _family(tags)
    catalog = registry.catalog()
    # a slot's families in catalog order: the expansion slot also takes compressions
    fams = list(dict.fromkeys(catalog[t].family for t in tags if t in catalog))
    listing = (
        " or ".join(f"`rpnschema list --family {f}`" for f in fams)
        if family and not preset
        else f"`rpnschema list --family {family}`"
        if family
        else "`rpnschema list`"
    )
    kind = f"{' or '.join(fams)} functions" if family and not preset else f"{what}s"
    near = _close(tag, tags)
    hint = f"did you mean {near!r}?" if near else None
    if "." in tag or "(" in tag:
        note = "rpnschema never imports class paths; use a catalog name"
        hint = f"{hint} ({note})" if hint else note
    other = registry.catalog().get(tag)
    message = f"unknown {what} {tag!r}"
    if other is not None and family and registry.slot_of(other.family) != family:
        message = f"{tag!r} is {_a(other.family)} function; this slot takes {family} functions"
        hint = f"list the {family} functions with {listing}"
    elif other is None and not preset and re.fullmatch(r"\w+", tag):
        from rpnschema.plugins import provider_of  # entry-point metadata only, on this path

        provider = provider_of(tag)
        if provider:
            hint = (
                f"{tag!r} is provided by the installed plugin {provider!r}, which is not "
                f"loaded: run `rpnschema --plugin {provider} ...`"
            )
    hint = hint or f"list the {kind} with {listing}"
    return Diagnostic(
        Code.UNKNOWN_FUNCTION,
        message,
        path=(*path, "preset" if preset else "name"),
        expected=f"one of {len(tags)} {kind}, e.g. " + ", ".join(tags[:4]),
        found=tag,
        suggestion=hint,
    )


def _key_name(path: Loc) -> str:
    """How a message names the value at ``path``: its key, or ``width_alloc[1]`` for the item
    of a list (never the bare index, which reads as a value)."""
    if not path:
        return "document"
    if isinstance(path[-1], int):
        at = max((i for i, p in enumerate(path) if isinstance(p, str)), default=-1)
        owner = str(path[at]) if at >= 0 else "item"
        return owner + "".join(f"[{i}]" for i in path[at + 1 :])
    return str(path[-1])


def from_pydantic(
    error: ValidationError,
    data: Any,
    root: type[BaseModel] = ModelSpec,
    fields_at: Callable[[Loc, Any], list[str]] | None = None,
) -> list[Diagnostic]:
    """Translate every pydantic error into a :class:`Diagnostic` at its input path (``data``
    validated as ``root``). ``fields_at(path, data)`` lists the keys allowed at a path (for "did
    you mean"; the first :data:`MAX_SUGGESTIONS` unknown names get one); by default they are
    read off ``root``'s spec models."""
    out: list[Diagnostic] = []
    catalog = registry.catalog()

    def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
        suggested[0] += 1
        return _close(word, choices) if suggested[0] <= MAX_SUGGESTIONS else None

    suggested = [0]
    for e in error.errors(include_url=False):
        kind = e["type"]
        path = _data_path(tuple(e["loc"]), data)
        ctx = e.get("ctx") or {}
        value = e.get("input")
        key = _key_name(path)
        if kind == "extra_forbidden":
            allowed = (
                fields_at(path[:-1], data)
                if fields_at
                else _fields_at(path[:-1], data, root, catalog)
            )
            near = suggest(str(key), allowed) if allowed else None
            out.append(
                Diagnostic(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r}",
                    path=path,
                    expected="one of: " + ", ".join(allowed) if allowed else None,
                    found=str(key),
                    suggestion=f"did you mean {near!r}?" if near else None,
                )
            )
        elif kind == "union_tag_invalid":
            tags = [t for t in re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))]
            tag = str(ctx.get("tag"))
            preset = "preset" in str(ctx.get("discriminator", "")) or "_head_tag" in str(
                ctx.get("discriminator", "")
            )
            if preset:
                tags = [t for t in tags if t != "head"]
            tags = _with_lazy_members(tags)
            bare = tag.rsplit(".", 1)[-1]
            why = UNSUPPORTED_TINYBIG.get(bare) or _unsupported(tag)
            if not preset and why:
                out.append(
                    Diagnostic(
                        Code.UNSUPPORTED_CLASS,
                        f"{tag!r} is a tinybig 0.2.1 class that rpnschema does not support: {why}",
                        path=(*path, "name"),
                        expected="a catalog function",
                        found=tag,
                        suggestion="run `rpnschema list` for the catalog",
                    )
                )
                continue
            out.append(_unknown_tag(tag, tags, preset, path))
        elif kind == "union_tag_not_found":
            out.append(
                Diagnostic(
                    Code.MISSING,
                    "missing 'name': which function is this?",
                    path=path,
                    expected="name: <catalog function, e.g. taylor_expansion>",
                    found=_show(value),
                    suggestion="add a name key",
                )
            )
        elif kind == "missing":
            out.append(
                Diagnostic(
                    Code.MISSING,
                    f"missing required field {key!r}",
                    path=path,
                    expected=f"{key}: <value>",
                )
            )
        elif kind in _BOUNDS:
            op = _BOUNDS[kind]
            limit = next(iter(ctx.values()))
            out.append(
                Diagnostic(
                    Code.OUT_OF_BOUNDS,
                    f"{key} must be {op} {limit}, found {_show(value)}",
                    path=path,
                    expected=f"{key} {op} {limit}",
                    found=_show(value),
                )
            )
        elif kind in ("too_short", "too_long"):
            want = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
            op = "at least" if kind == "too_short" else "at most"
            out.append(
                Diagnostic(
                    Code.OUT_OF_BOUNDS,
                    f"{key} needs {op} {plural(int(want or 0), 'item')}, found "
                    f"{ctx.get('actual_length')}",
                    path=path,
                    expected=f"{op} {plural(int(want or 0), 'item')}",
                    found=str(ctx.get("actual_length")),
                )
            )
        elif kind == "literal_error":
            choices = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
            near = suggest(str(value), choices) if isinstance(value, str) else None
            out.append(
                Diagnostic(
                    Code.BAD_VALUE,
                    f"{key} must be one of {ctx.get('expected')}, found {_show(value)}",
                    path=path,
                    expected=str(ctx.get("expected")),
                    found=_show(value),
                    suggestion=f"did you mean {near!r}?" if near else None,
                )
            )
        elif kind in _TYPE_NAMES:
            want = _TYPE_NAMES[kind]
            out.append(
                Diagnostic(
                    Code.WRONG_TYPE,
                    f"{key} must be {want}, found {_type_name(value)} {_show(value)}",
                    path=path,
                    expected=want,
                    found=_show(value),
                    suggestion=(
                        f"write {value.strip()} without quotes"
                        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d*)?\s*", value)
                        else None
                    ),
                )
            )
        else:
            msg = str(e["msg"]).removeprefix("Value error, ")
            # A model validator names the offending field first ("grid_range (=[1, -1]) ..."):
            # point at that field rather than at the whole mapping.
            named = re.match(r"(\w+) \(=", msg)
            if named and isinstance(value, dict) and named.group(1) in value:
                path, value = (*path, named.group(1)), value[named.group(1)]
                text = msg
            else:
                in_list = bool(path) and isinstance(path[-1], int)
                named_first = in_list or msg.startswith(f"{key} ")
                text = msg if named_first else f"{key}: {msg}"
            out.append(Diagnostic(Code.BAD_VALUE, text, path=path, found=_show(value)))
    return out


# --- entry points ---------------------------------------------------------------------------


def _dedupe(items: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for d in items:
        key = (d.code, d.path, d.message, d.severity)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def validate_data(
    data: Any, *, document: io.Document | None = None, limits: Limits | None = None
) -> Result:
    """Validate plain spec data (as loaded from JSON/YAML) or a :class:`ModelSpec` (e.g. from
    :mod:`rpnschema.builder`) and normalize it. Never raises for a bad spec."""
    limits = limits or Limits()
    if isinstance(data, ModelSpec):
        data = data.to_data()
    file = document.file if document else None
    diags: list[Diagnostic] = list(document.diagnostics) if document else []
    spec: ModelSpec | None = None
    if not isinstance(data, dict):
        diags.append(
            Diagnostic(
                Code.NOT_A_MAPPING,
                f"a spec must be a mapping, found {_type_name(data)}",
                expected="a mapping with layers (or dims + head)",
                found=_show(data),
            )
        )
    elif unsafe := unsafe_values(data, limits.max_nodes):
        diags.extend(unsafe)
    elif (version := migrate.version_diagnostic(data, file)) is not None:
        # Another version's keys would only be reported as unknown: explain the version alone.
        diags.append(version)
    else:
        data, kept = migrate.read_older(data, file)
        diags.extend(kept)
        registry.load_named(data)
        try:
            parsed = ModelSpec.model_validate(data)
        except ValidationError as e:
            diags.extend(from_pydantic(e, data))
        except RecursionError:
            diags.append(Diagnostic(Code.BAD_VALUE, "the spec is nested too deeply"))
        else:
            found: list[Diagnostic] = []
            with work.budget():  # the per-value arithmetic of all heads together
                drafts = normalize.expand(parsed, found, max_count=limits.max_count)
                if drafts is not None:
                    spec = infer(parsed, drafts, found, limits)
            diags.extend(found)
    diags = _dedupe(diags)
    if document is not None:
        diags = [
            document.locate(d, key=d.code in (Code.UNKNOWN_KEY, Code.DUPLICATE_KEY))
            if d.line is None
            else d
            for d in diags
        ]
        diags.sort(key=lambda d: (d.line is None, d.line or 0, d.column or 0))
    if any(d.severity == "error" for d in diags):
        spec = None
    if spec is not None:
        _NORMALIZED[id(spec)] = spec
    return Result(spec=spec, diagnostics=diags, file=file)


def validate_text(
    text: str,
    *,
    file: str | None = None,
    format: io.Format | None = None,
    limits: Limits | None = None,
) -> Result:
    """Parse and validate JSON/YAML text; raises :class:`~rpnschema.errors.LoadError` if the
    text is not a JSON/YAML document."""
    document = io.parse(text, file=file, format=format, limits=limits)
    return validate_data(document.data, document=document, limits=limits)


def validate_file(path: str | Path, *, limits: Limits | None = None) -> Result:
    """Read, parse and validate a spec file (``-`` is standard input). Never raises for a bad
    spec file: a file that cannot be read or parsed is a result with its RPN100-104 error."""
    try:
        document = io.load(path, limits=limits)
    except LoadError as e:
        return Result(spec=None, diagnostics=[e.diagnostic], file=str(path), unreadable=True)
    return validate_data(document.data, document=document, limits=limits)


def load_spec(
    source: str | Path | dict[str, Any] | ModelSpec, *, limits: Limits | None = None
) -> ModelSpec:
    """The normalized spec of a file path, plain data or a :class:`ModelSpec`.

    Raises :class:`~rpnschema.errors.SpecError` (every problem, located) when invalid.
    """
    if isinstance(source, (ModelSpec, dict)):
        return validate_data(source, limits=limits).unwrap()
    result = validate_file(source, limits=limits)
    if result.unreadable:
        raise LoadError(result.diagnostics[0])
    return result.unwrap()


#: The specs validation returned (by id; weak, so they are not kept alive): a spec found here is
#: normalized and valid, and is used as is; any other spec object is validated first.
_NORMALIZED: weakref.WeakValueDictionary[int, ModelSpec] = weakref.WeakValueDictionary()


def as_normalized(
    source: str | Path | dict[str, Any] | ModelSpec, *, limits: Limits | None = None
) -> ModelSpec:
    """``source`` as a normalized spec: returned as is when it already is one (from
    :func:`load_spec`), otherwise loaded like :func:`load_spec` does. The one rule behind every
    entry point that takes a spec (summarize, spec_hash, diff_specs, build, sweep)."""
    if isinstance(source, ModelSpec) and _NORMALIZED.get(id(source)) is source:
        return source
    return load_spec(source, limits=limits)


def normalize_spec(spec: ModelSpec, *, limits: Limits | None = None) -> ModelSpec:
    """The normalized form of an in-memory spec (idempotent)."""
    return load_spec(spec, limits=limits)
