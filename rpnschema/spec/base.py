"""Base classes shared by every spec model."""

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Spec(BaseModel):
    """A strict, immutable spec node: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-compatible data, omitting fields left unset (None)."""
        return self.model_dump(mode="json", exclude_none=True)


class Component(Spec):
    """A function from the catalog, selected by its ``name``."""

    # Built on first use: a document names a few of the catalog's classes (see
    # rpnschema.spec.registry.FamilyUnion), so building all of them at import is wasted.
    model_config = ConfigDict(defer_build=True)

    family: ClassVar[str] = ""
    name: str


def empty_list() -> list[Any]:
    """``default_factory`` of the list fields: a new empty list. (A Python function, unlike
    ``list``, whose signature pydantic reads without parsing a text signature.)"""
    return []


def name_shorthand(value: Any) -> Any:
    """Accept ``"taylor_expansion"`` for ``{"name": "taylor_expansion"}``."""
    if isinstance(value, str):
        return {"name": value}
    return value


def list_shorthand(value: Any) -> Any:
    """Accept a single item where a list is expected."""
    if isinstance(value, (dict, str)):
        return [value]
    return value


#: A closed interval [low, high]; a YAML/JSON list of two numbers.
Range = Annotated[tuple[float, float], Field(strict=False)]
