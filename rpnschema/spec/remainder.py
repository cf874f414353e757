"""Remainder functions pi: R^m -> R^n, added once per head after channel fusion."""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from rpnschema.spec.base import Component, empty_list, name_shorthand
from rpnschema.spec.processing import ProcessingList
from rpnschema.spec.registry import FamilyUnion


class Remainder(Component):
    family = "remainder"
    activation: ProcessingList = Field(
        default_factory=empty_list,
        description="Functions applied to the remainder's output (size n).",
    )


class ZeroRemainder(Remainder):
    """pi(x) = 0 (skipped). No parameters; any m, n."""

    name: Literal["zero_remainder"]


class OneRemainder(Remainder):
    """pi(x) = 1 (n values, broadcast over the batch). No parameters; any m, n."""

    name: Literal["one_remainder"]


class ConstantRemainder(Remainder):
    """pi(x) = c (n values, broadcast over the batch). No parameters; any m, n."""

    name: Literal["constant_remainder"]
    c: float = 1.0


class IdentityRemainder(Remainder):
    """pi(x) = x. Needs m == n."""

    name: Literal["identity_remainder"]


class LinearRemainder(Remainder):
    """pi(x) = x W^T (+ b), W n x m. Parameters: n m (+ n with bias)."""

    name: Literal["linear_remainder"]
    enable_bias: bool = False


REMAINDER_TYPES: tuple[type[Remainder], ...] = (
    ZeroRemainder,
    OneRemainder,
    ConstantRemainder,
    IdentityRemainder,
    LinearRemainder,
)

#: The family's field type: a bare name or a mapping, discriminated by ``name``, over the
#: built-in members and any registered plugins (see :mod:`rpnschema.spec.registry`).
AnyRemainder = Annotated[
    Remainder,
    FamilyUnion("remainder", REMAINDER_TYPES),
    BeforeValidator(name_shorthand),
]
