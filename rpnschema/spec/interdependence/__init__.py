"""Data interdependence functions xi: the matrices A of ``kappa_xi(X) = A_inst^T kappa(X A_attr)``.

One module per family group (the same groups as in :mod:`rpnschema.dims_interdependence` and
``rpnschema.compile.kernels.interdependence_*``): basic, kernel (statistical and numerical),
parameterized (incl. bilinear), topological (graph, chain), geometric (grid patches) and
composite (parameterized_rpn, hybrid).

The member classes are built on first use: importing this package is cheap, and a head's
interdependence slots (:data:`LazyInterdependence`) load :mod:`.catalog` only when a document
fills them. ``INTERDEPENDENCE_TYPES`` and ``AnyInterdependence`` load it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import core_schema

from rpnschema.spec.interdependence.base import Interdependence as Interdependence

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import TypeAdapter

#: tinybig 0.2.1 interdependence classes rpnschema does not support, with the reason.
UNSUPPORTED: dict[str, str] = {
    "interdependence": "the abstract base class: tinybig constructs it but its forward fails "
    "(calculate_A is abstract)",
}

_adapter: TypeAdapter[Any] | None = None


def adapter() -> TypeAdapter[Any]:
    """The validator of the family's union (built on first use; reset by ``registry.rebuild``)."""
    global _adapter
    if _adapter is None:
        from pydantic import TypeAdapter

        from rpnschema.spec.interdependence.catalog import AnyInterdependence
        from rpnschema.spec.lazy import built

        _adapter = built(TypeAdapter(AnyInterdependence))
    return _adapter


def reset() -> None:
    """Forget the union's validator (the catalog it refers to changed)."""
    global _adapter
    _adapter = None


class LazyInterdependence:
    """``Annotated`` marker of a head slot: validated by the family's union, built on first
    use; the JSON Schema is the union's."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            lambda value: adapter().validate_python(value)
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        from rpnschema.spec.registry import union_json_schema

        adapter()  # declares the family's members
        return union_json_schema("interdependence", handler)

    def __repr__(self) -> str:
        return "LazyInterdependence()"


def __getattr__(name: str) -> Any:
    if name in ("INTERDEPENDENCE_TYPES", "AnyInterdependence"):
        from rpnschema.spec.interdependence import catalog

        return getattr(catalog, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
