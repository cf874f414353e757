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

from typing import Annotated, Any, Union

from pydantic import Discriminator, GetCoreSchemaHandler
from pydantic_core import CoreSchema

from rpnschema.spec.base import Component

#: The families a plugin may extend (processing functions are built in only).
PLUGIN_FAMILIES = ("expansion", "reconciliation", "remainder", "fusion")

_BUILTIN: dict[str, tuple[type[Component], ...]] = {}
_PLUGINS: dict[str, dict[str, type[Component]]] = {family: {} for family in PLUGIN_FAMILIES}


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
        union = Union[members(self.family)]  # noqa: UP007 - a runtime union of classes
        return handler.generate_schema(Annotated[union, Discriminator("name")])

    def __repr__(self) -> str:
        return f"FamilyUnion({self.family!r})"


def declare_builtin(family: str, builtin: tuple[type[Component], ...]) -> None:
    """Record the built-in members of a family that plugins cannot extend (processing)."""
    _BUILTIN[family] = builtin


def members(family: str) -> tuple[type[Component], ...]:
    """The built-in members of ``family`` followed by its registered plugins."""
    return (*_BUILTIN[family], *_PLUGINS.get(family, {}).values())


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

    composite: tuple[type, ...] = (expansion.NestedExpansion, expansion.ExtendedExpansion)
    # The two composite expansions contain each other: twice, so each sees the other rebuilt.
    composite = (*composite, *composite)
    hybrid = sys.modules.get("rpnschema.spec.interdependence.hybrid")
    if hybrid is not None:  # loaded: its composites hold expansions, reconciliations, fusions
        composite = (
            *composite,
            hybrid.ParameterizedRPNInterdependence,
            hybrid.HybridInterdependence,
        )
    interdependence.reset()
    order = (*composite, head.HeadSpec, layer.LayerSpec)
    for cls in (*order, model.ModelSpec):
        cls.model_rebuild(force=True)
