"""Tagged unions whose members are imported and built on first use.

pydantic builds a union's validator with every member's, and the members' own: a document
names one or two presets, so the others need not be built for it, nor their classes even be
defined. :class:`LazyTagged` keeps a union's behaviour (its errors, its JSON Schema) and imports
and builds a member when a value names it; :func:`lazy_union` is the field type that uses it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Union

from pydantic import BeforeValidator, Discriminator, Tag, TypeAdapter, ValidationError
from pydantic_core import CoreSchema, core_schema


def built(adapter: TypeAdapter[Any]) -> TypeAdapter[Any]:
    """``adapter``, built now (a union of classes built on first use would defer it too)."""
    adapter.rebuild()
    return adapter


def resolve(where: type | str) -> type:
    """A class, or the class that ``"package.module:Name"`` names (imported now)."""
    if isinstance(where, str):
        module, _, name = where.partition(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    return where


class LazyTagged:
    """``Annotated`` marker that validates as the tagged union of ``members`` (tag -> class, or
    tag -> ``"module:Class"`` where the class is imported on first use), discriminated by the
    callable ``tag`` after the ``before`` functions (pydantic ``BeforeValidator`` s).

    A value whose tag names a member goes to that member alone; any other value, and any value
    the member rejects, to the whole union (every member imported then), so that every error
    reads as the union's. The JSON Schema is the whole union's.
    """

    def __init__(
        self,
        members: Mapping[str, type | str],
        tag: Callable[[Any], Any],
        *before: Callable[[Any], Any],
    ):
        self.members = dict(members)
        self.tag = tag
        self.before = before
        self._union: Any = None
        self._adapter: TypeAdapter[Any] | None = None

    def member(self, tag: Any) -> type | None:
        """The member class ``tag`` names (imported now), else None."""
        where = self.members.get(tag) if isinstance(tag, str) else None
        if where is None:
            return None
        cls = self.members[tag] = resolve(where)
        return cls

    def union(self) -> Any:
        """The whole union: ``Annotated[A | B | ..., Discriminator(tag), BeforeValidator...]``
        with each member ``Annotated[cls, Tag(tag)]``, in the order of ``members``."""
        if self._union is None:
            choices = tuple(Annotated[self.member(t), Tag(t)] for t in list(self.members))
            meta = (Discriminator(self.tag), *(BeforeValidator(f) for f in self.before))
            self._union = Annotated[(Union[choices], *meta)]  # noqa: UP007 - runtime union
        return self._union

    def adapter(self) -> TypeAdapter[Any]:
        if self._adapter is None:
            self._adapter = built(TypeAdapter(self.union()))
        return self._adapter

    def validate(self, value: Any) -> Any:
        item = value
        for before in self.before:
            item = before(item)
        cls = self.member(self.tag(item))
        if cls is not None and (isinstance(item, dict) or type(item) is cls):
            try:
                return cls.__pydantic_validator__.validate_python(item)
            except ValidationError:
                pass  # the whole union reports it, with its tag in the error's location
        return self.adapter().validate_python(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: Any) -> Any:
        return handler(self.adapter().core_schema)


def lazy_union(
    annotation: Any,
    members: Mapping[str, type | str],
    tag: Callable[[Any], Any],
    *before: Callable[[Any], Any],
) -> Any:
    """The field type that validates as the tagged union of ``members`` (see
    :class:`LazyTagged`); ``annotation`` is what the field holds for type checkers and readers
    (e.g. the members' common base), never built by pydantic."""
    return Annotated[annotation, LazyTagged(members, tag, *before)]


def lazy_marker(annotation: Any) -> LazyTagged | None:
    """The :class:`LazyTagged` of a :func:`lazy_union` field type, else None."""
    return next(
        (m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, LazyTagged)), None
    )


def whole_unions(module: str, **unions: Any) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) that gives each name of ``unions`` (a
    :func:`lazy_union` field type or a :class:`LazyTagged`) as its whole union, every member
    imported and built then: ``AnyHead`` for readers who want the plain pydantic union."""

    def __getattr__(name: str) -> Any:
        found = unions.get(name)
        marker = found if isinstance(found, LazyTagged) else lazy_marker(found)
        if marker is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return marker.union()

    return __getattr__
