"""Tagged unions whose members are built on first use.

pydantic builds a union's validator with every member's, and the members' own: a document
names one or two presets, so the others need not be built for it. :func:`lazy_tagged` keeps a
union's behaviour (its errors, its JSON Schema) and builds a member when a value names it.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, get_args

from pydantic import BeforeValidator, Discriminator, TypeAdapter, ValidationError
from pydantic_core import CoreSchema, core_schema


def built(adapter: TypeAdapter[Any]) -> TypeAdapter[Any]:
    """``adapter``, built now (a union of classes built on first use would defer it too)."""
    adapter.rebuild()
    return adapter


class LazyTagged:
    """``Annotated`` marker that validates as ``union``: an ``Annotated`` union of
    ``Annotated[cls, Tag(tag)]`` members with a callable :class:`~pydantic.Discriminator`
    (and any ``BeforeValidator``). A value whose tag names a member goes to that member alone;
    any other value, and any value the member rejects, to the whole union, so that every error
    reads as the union's. The JSON Schema is the union's."""

    def __init__(self, union: Any):
        self.union = union
        meta = union.__metadata__
        self.tag = next(m for m in meta if isinstance(m, Discriminator)).discriminator
        self.before = [m.func for m in meta if isinstance(m, BeforeValidator)]
        self.members = {a.__metadata__[0].tag: a.__origin__ for a in get_args(union.__origin__)}
        self._adapter: TypeAdapter[Any] | None = None

    def adapter(self) -> TypeAdapter[Any]:
        if self._adapter is None:
            self._adapter = built(TypeAdapter(self.union))
        return self._adapter

    def validate(self, value: Any) -> Any:
        item = value
        for before in self.before:
            item = before(item)
        cls = self.members.get(self.tag(item))
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


@cache
def lazy_tagged(union: Any) -> Any:
    """The field type that validates as ``union`` building its members on first use (its
    annotation is the union's members, as the union's own: the reference docs read it)."""
    return Annotated[union.__origin__, LazyTagged(union)]
