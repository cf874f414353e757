"""The interdependence family's base class and shared field types.

An interdependence function xi gives a matrix A: an attribute interdependence (the head's
``attribute_interdependence`` slot) A in R^(m x m') acting as ``X A``, an instance
interdependence (``instance_interdependence``) A in R^(b x b') acting as ``A^T X``. The slot
decides the side (tinybig's ``interdependence_type``); m and b come from the head (``m`` and
``batch``), so a component never repeats them.
"""

from typing import Annotated

from pydantic import Field

from rpnschema.spec.base import Component

PositiveInt = Annotated[int, Field(ge=1)]
Rank = Annotated[int, Field(ge=1, description="Rank r.")]
Factor = Annotated[int, Field(ge=1)]

NormalizationMode = Annotated[
    str,
    Field(
        pattern="^(row|column|row_column)$",
        description="row: divide by row sums; column: by column sums; row_column: by the square "
        "roots of both.",
    ),
]


class Interdependence(Component):
    family = "interdependence"


class _Resized(Interdependence):
    """A function whose output size is chosen: m' (attribute slot) or b' (instance slot)."""

    m_prime: PositiveInt | None = Field(
        default=None, description="Output size m' in the attribute slot (default: m)."
    )
    b_prime: PositiveInt | None = Field(
        default=None, description="Output size b' in the instance slot (default: b)."
    )
