"""Basic interdependence functions: fixed matrices that do not look at the data."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from rpnschema.spec.interdependence.base import Interdependence, _Resized


class ConstantInterdependence(Interdependence):
    """A = the given matrix (rows: m in the attribute slot, b in the instance slot). l = 0."""

    name: Literal["constant_interdependence"]
    A: Annotated[
        list[Annotated[list[float], Field(min_length=1)]],
        Field(min_length=1, description="The matrix, as a list of rows."),
    ]

    @model_validator(mode="after")
    def _rectangular(self):
        widths = sorted({len(row) for row in self.A})
        if len(widths) > 1:
            raise ValueError(f"A must be rectangular: its rows have lengths {widths}")
        return self


class ConstantCInterdependence(_Resized):
    """A = c * ones(d, d'). l = 0."""

    name: Literal["constant_c_interdependence"]
    c: float = 1.0


class ZeroInterdependence(_Resized):
    """A = zeros(d, d'). l = 0."""

    name: Literal["zero_interdependence"]


class OneInterdependence(_Resized):
    """A = ones(d, d'). l = 0."""

    name: Literal["one_interdependence"]


class IdentityInterdependence(_Resized):
    """A = eye(d, d') (d' = d by default: xi(X) = X). l = 0."""

    name: Literal["identity_interdependence"]


class EyeInterdependence(_Resized):
    """A = eye(d, d'), as identity_interdependence. l = 0."""

    name: Literal["eye_interdependence"]


BASIC_TYPES = (
    ConstantInterdependence,
    ConstantCInterdependence,
    ZeroInterdependence,
    OneInterdependence,
    IdentityInterdependence,
    EyeInterdependence,
)
