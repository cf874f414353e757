"""Basic compressions (D = m) and the two compositions."""

from typing import Literal

from pydantic import Field

from rpnschema.spec import expansion as ex
from rpnschema.spec.compression.base import Compression


class IdentityCompression(Compression):
    """kappa(x) = x. D = m."""

    name: Literal["identity_compression"]


class ReciprocalCompression(Compression):
    """kappa(x) = 1/x, with x clamped away from 0 by 1e-6. D = m."""

    name: Literal["reciprocal_compression"]


class LinearCompression(Compression):
    """kappa(x) = c * x. D = m."""

    name: Literal["linear_compression"]
    c: float | None = Field(default=None, description="Scale; tinybig's default (None) is 1.")


class NestedCompression(Compression, ex.NestedExpansion):
    """kappa_k(...kappa_1(x)): D composes left to right (any transformation may be a part)."""

    name: Literal["nested_compression"]  # type: ignore[assignment]


class ExtendedCompression(Compression, ex.ExtendedExpansion):
    """[kappa_1(x), ..., kappa_k(x)]: D = sum of the parts' D."""

    name: Literal["extended_compression"]  # type: ignore[assignment]
