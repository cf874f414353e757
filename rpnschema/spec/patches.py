"""The patch shapes of the geometric functions written with a nested ``patch`` (tinybig's
``patch_configs``): the generic geometric compression and interdependence share them."""

from typing import Annotated, Literal

from pydantic import Field, NonNegativeInt

from rpnschema.spec.base import Spec


class CuboidPatch(Spec):
    """[-p_h, p_h'] x [-p_w, p_w'] x [-p_d, p_d'] around each centre (the primes default to the
    unprimed sizes)."""

    shape: Literal["cuboid"]
    p_h: NonNegativeInt
    p_w: NonNegativeInt
    p_d: NonNegativeInt = 0
    p_h_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_h.")
    p_w_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_w.")
    p_d_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_d.")


class CylinderPatch(Spec):
    """A disc of radius p_r, depth offsets -p_d..p_d' (p_d' defaults to p_d; tinybig's
    interdependence uses -p_d'..p_d')."""

    shape: Literal["cylinder"]
    p_r: NonNegativeInt
    p_d: NonNegativeInt = 0
    p_d_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_d.")


class SpherePatch(Spec):
    """The cells within radius p_r."""

    shape: Literal["sphere"]
    p_r: NonNegativeInt


#: A patch chosen by its ``shape``.
AnyPatch = Annotated[CuboidPatch | CylinderPatch | SpherePatch, Field(discriminator="shape")]
