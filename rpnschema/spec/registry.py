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
from typing import Annotated, Any, Union

from pydantic import Discriminator, GetCoreSchemaHandler
from pydantic_core import CoreSchema

from rpnschema.spec.base import Component

#: The families a plugin may extend (processing functions are built in only).
PLUGIN_FAMILIES = ("expansion", "reconciliation", "remainder", "fusion")

_BUILTIN: dict[str, tuple[type[Component], ...]] = {}
_PLUGINS: dict[str, dict[str, type[Component]]] = {family: {} for family in PLUGIN_FAMILIES}

#: Families whose members also fill another family's slot (compressions go where expansions
#: go), and the module that defines each family built only on demand (see :func:`load_lazy`).
SLOT_EXTRAS: dict[str, tuple[str, ...]] = {"expansion": ("compression",)}
LAZY_FAMILIES: dict[str, str] = {"compression": "rpnschema.spec.compression"}
_COMPOSITES: list[type[Component]] = []


def component_name(cls: type[Component]) -> str:
    """The catalog name (the ``name`` literal) of a component class."""
    return cls.model_fields["name"].annotation.__args__[0]  # type: ignore[union-attr]


class FamilyUnion:
    """``Annotated`` marker: the union of a family's current members, discriminated by name."""

    def __init__(self, family: str, builtin: tuple[type[Component], ...]):
        self.family = family
        declare_builtin(family, builtin)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        union = Union[slot_members(self.family)]  # noqa: UP007 - a runtime union of classes
        return handler.generate_schema(Annotated[union, Discriminator("name")])

    def __repr__(self) -> str:
        return f"FamilyUnion({self.family!r})"


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


def declare_composite(*classes: type[Component]) -> None:
    """Models that contain a family field besides the built-in ones (rebuilt by :func:`rebuild`)."""
    _COMPOSITES.extend(classes)


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
    """Rebuild every model with a family field, so that it validates the current members."""
    import sys

    from rpnschema.spec import expansion, head, interdependence, layer, model

    composite: tuple[type, ...] = (
        expansion.NestedExpansion,
        expansion.ExtendedExpansion,
        *_COMPOSITES,
    )
    hybrid = sys.modules.get("rpnschema.spec.interdependence.hybrid")
    if hybrid is not None:  # loaded: its composites hold expansions, reconciliations, fusions
        composite = (
            *composite,
            hybrid.ParameterizedRPNInterdependence,
            hybrid.HybridInterdependence,
        )
    interdependence.reset()
    order = (*composite, head.HeadSpec, layer.LayerSpec, model.ModelSpec)
    # pydantic reuses the schema a model already has wherever another model refers to it, and
    # these models refer to each other (the composites recursively): drop every one first, so
    # that each rebuild generates the others afresh instead of embedding a stale copy.
    for cls in order:
        if "__pydantic_core_schema__" in cls.__dict__:
            delattr(cls, "__pydantic_core_schema__")
    namespace: dict[str, Any] = {}
    if hybrid is not None:  # its models refer to the family's union by name
        from rpnschema.spec.interdependence.catalog import AnyInterdependence

        namespace = {"AnyInterdependence": AnyInterdependence}
    for cls in order:
        cls.model_rebuild(force=True, _types_namespace=namespace or None)
