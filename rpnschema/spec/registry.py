"""The live component catalog: the built-in functions of each family plus registered plugins.

Each family's field type (``AnyExpansion``, ``AnyReconciliation``, ...) is a discriminated
union on ``name`` whose members are read from this registry whenever pydantic builds a model's
schema. Registering or removing a plugin component therefore ends with :func:`rebuild`, which
rebuilds the models that contain a family field, innermost first, so that validation, error
suggestions and the JSON Schema all see the new member.

This module only holds classes; the rules (``rpnschema.dims``) and torch implementations
(``rpnschema.compile``) of plugins are registered by :mod:`rpnschema.plugins`.
"""

from __future__ import annotations

import importlib
from functools import partial
from typing import Annotated, Any, Union

from pydantic import Discriminator, GetCoreSchemaHandler, TypeAdapter, ValidationError
from pydantic_core import CoreSchema, core_schema

from rpnschema.spec.base import Component
from rpnschema.spec.lazy import built

#: The families a plugin may extend (processing functions are built in only).
PLUGIN_FAMILIES = ("expansion", "reconciliation", "remainder", "fusion")

_BUILTIN: dict[str, tuple[type[Component], ...]] = {}
_PLUGINS: dict[str, dict[str, type[Component]]] = {family: {} for family in PLUGIN_FAMILIES}

#: Families whose members also fill another family's slot (compressions go where expansions
#: go), and the module that defines each family built only on demand (see :func:`load_lazy`).
SLOT_EXTRAS: dict[str, tuple[str, ...]] = {"expansion": ("compression",)}
LAZY_FAMILIES: dict[str, str] = {"compression": "rpnschema.spec.compression"}


def component_name(cls: type[Component]) -> str:
    """The catalog name (the ``name`` literal) of a component class."""
    return cls.model_fields["name"].annotation.__args__[0]  # type: ignore[union-attr]


class FamilyUnion:
    """``Annotated`` marker: the union of a family's current members, discriminated by name.

    Validation builds only the members a document names: a mapping (or model) whose ``name`` is
    a member is validated by that member alone, its validator built on first use; anything else
    (an unknown or missing name, a value of the wrong type) goes to the whole union, built on
    first such value, so every error reads as the union's. The JSON Schema is the whole union's.
    """

    def __init__(self, family: str, builtin: tuple[type[Component], ...]):
        self.family = family
        declare_builtin(family, builtin)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(partial(validate_member, self.family))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: Any) -> Any:
        return union_json_schema(self.family, handler)

    def __repr__(self) -> str:
        return f"FamilyUnion({self.family!r})"


#: Per family: the whole union's validator, and the members by name (reset by :func:`rebuild`).
_UNIONS: dict[str, TypeAdapter[Any]] = {}
_BY_NAME: dict[str, dict[str, type[Component]]] = {}
#: Per member: its one-choice union, which reports a member's errors as the whole union does.
_TAGGED: dict[type[Component], TypeAdapter[Any]] = {}


def union_adapter(family: str) -> TypeAdapter[Any]:
    """The validator of the union of ``family``'s slot members (built on first use)."""
    adapter = _UNIONS.get(family)
    if adapter is None:
        union = Union[slot_members(family)]  # noqa: UP007 - a runtime union of classes
        adapter = _UNIONS[family] = built(TypeAdapter(Annotated[union, Discriminator("name")]))
    return adapter


#: The families whose union a JSON Schema generator is writing (by the generator's id).
_JSON_SCHEMA_OPEN: set[tuple[int, str]] = set()


def union_json_schema(family: str, handler: Any) -> Any:
    """The JSON Schema of ``family``'s union (``handler``: pydantic's JSON Schema handler)."""
    union = union_adapter(family).core_schema
    key = (id(handler.generate_json_schema), family)
    if key in _JSON_SCHEMA_OPEN:  # inside a member (a nested expansion): refer to them
        return handler(_by_reference(union))
    _JSON_SCHEMA_OPEN.add(key)
    try:
        return handler(union)
    finally:
        _JSON_SCHEMA_OPEN.discard(key)


def _by_reference(union: CoreSchema) -> CoreSchema:
    """``union`` with its members as references to their definitions (a member that contains
    the union again, such as a nested expansion, would otherwise recurse without end)."""
    tagged: Any = union["schema"] if union["type"] == "definitions" else union
    choices = {
        tag: core_schema.definition_reference_schema(choice.get("schema_ref") or choice["ref"])
        for tag, choice in tagged["choices"].items()
    }
    return {**tagged, "choices": choices}


def _tagged(cls: type[Component]) -> TypeAdapter[Any]:
    adapter = _TAGGED.get(cls)
    if adapter is None:
        adapter = _TAGGED[cls] = built(TypeAdapter(Annotated[Any, _OneChoice(cls)]))
    return adapter


class _OneChoice:
    def __init__(self, cls: type[Component]):
        self.cls = cls

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> CoreSchema:
        choice = handler.generate_schema(self.cls)
        return core_schema.tagged_union_schema({component_name(self.cls): choice}, "name")


def validate_member(family: str, value: Any) -> Any:
    """Validate ``value`` as a member of ``family``'s slot (see :class:`FamilyUnion`)."""
    by_name = _BY_NAME.get(family)
    if by_name is None:
        by_name = _BY_NAME[family] = {component_name(c): c for c in slot_members(family)}
    tag = value.get("name") if isinstance(value, dict) else getattr(value, "name", None)
    cls = by_name.get(tag) if isinstance(tag, str) else None
    if cls is None or not (isinstance(value, dict) or type(value) is cls):
        return union_adapter(family).validate_python(value)
    try:
        return cls.__pydantic_validator__.validate_python(value)
    except ValidationError:
        return _tagged(cls).validate_python(value)


def declare_builtin(family: str, builtin: tuple[type[Component], ...]) -> None:
    """Record the built-in members of a family that plugins cannot extend (processing)."""
    _BUILTIN[family] = builtin


def members(family: str) -> tuple[type[Component], ...]:
    """The built-in members of ``family`` followed by its registered plugins."""
    return (*_BUILTIN[family], *_PLUGINS.get(family, {}).values())


def slot_members(family: str) -> tuple[type[Component], ...]:
    """What a ``family`` field accepts: its members and those of the families loaded into it."""
    extras = tuple(c for extra in SLOT_EXTRAS.get(family, ()) for c in _BUILTIN.get(extra, ()))
    return (*_BUILTIN[family], *extras, *_PLUGINS.get(family, {}).values())


def slot_of(family: str | None) -> str | None:
    """The family whose slot ``family``'s members fill (itself, or e.g. expansion)."""
    return next((f for f, extras in SLOT_EXTRAS.items() if family in extras), family)


def load_lazy(family: str | None = None) -> None:
    """Build the on-demand families (all, or ``family``) and add them to their slots.

    Importing such a family's module declares its members and rebuilds the models once; later
    calls cost a dictionary lookup.
    """
    for fam, module in LAZY_FAMILIES.items():
        if family in (None, fam):
            importlib.import_module(module)


def lazy_family_loaded(family: str) -> bool:
    return family in _BUILTIN


#: A substring that any name of the family (or a near miss of one) contains.
_LAZY_MARKERS: dict[str, str] = {"compression": "compres"}


def load_named(data: Any) -> None:
    """Load the on-demand families that ``data`` (a plain document) names, so that they, and
    "did you mean" suggestions among them, are there when the document is validated."""
    wanted = {f for f in LAZY_FAMILIES if not lazy_family_loaded(f)}
    if not wanted:
        return
    stack = [data]
    while stack and wanted:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            for fam in [f for f in wanted if _LAZY_MARKERS[f] in node.lower()]:
                load_lazy(fam)
                wanted.discard(fam)


def plugins(family: str | None = None) -> dict[str, type[Component]]:
    """Registered plugin classes by name (of one family, or of all)."""
    families = PLUGIN_FAMILIES if family is None else (family,)
    return {name: cls for fam in families for name, cls in _PLUGINS[fam].items()}


def is_plugin(cls: type) -> bool:
    return any(cls is c for fam in _PLUGINS.values() for c in fam.values())


def catalog() -> dict[str, type[Component]]:
    """Every component class by name: the built-in catalog and the registered plugins."""
    return {component_name(cls): cls for family in _BUILTIN for cls in members(family)}


def family_of(name: str) -> str | None:
    for family in _BUILTIN:
        if any(component_name(cls) == name for cls in members(family)):
            return family
    return None


def add(family: str, cls: type[Component]) -> None:
    """Make ``cls`` a member of ``family`` (call :func:`rebuild` afterwards)."""
    _PLUGINS[family][component_name(cls)] = cls


def remove(name: str) -> type[Component] | None:
    """Drop the plugin called ``name``; returns its class (call :func:`rebuild` afterwards)."""
    for family in _PLUGINS.values():
        if name in family:
            return family.pop(name)
    return None


def rebuild() -> None:
    """Make every family field validate the current members: the slots read their members when
    they validate, so this forgets the unions (and name tables) built from the previous ones."""
    from rpnschema.spec import interdependence

    _UNIONS.clear()
    _BY_NAME.clear()
    _TAGGED.clear()
    interdependence.reset()
