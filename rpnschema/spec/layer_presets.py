"""Layer presets after tinybig's ``tinybig.layer`` classes that are more than width copies of a
head preset: ``preset: bilinear`` in ``layers`` is ``bilinear_interdependence_layer`` (width
shared bilinear attention heads and a parameterized concatenation back to n; see
:mod:`rpnschema.spec.presets_bilinear`). Normalization expands it into a plain layer (RPN313).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from rpnschema.spec.presets import BilinearPreset
from rpnschema.spec.presets_bilinear import bilinear_layer


class BilinearLayerPreset(BilinearPreset):
    """tinybig.layer.bilinear_interdependence_layer: ``width`` copies of one bilinear attention
    head (``share_heads``), their outputs concatenated and mapped to n."""

    width: Annotated[int, Field(ge=1)] = Field(
        default=1, description="Heads (one shared head object, as tinybig's layer)."
    )

    def expand_layer(self) -> dict[str, Any]:
        """The plain layer (n known: normalization checks it first)."""
        assert self.n is not None
        return bilinear_layer(self.arguments(), self.m, self.n, self.width)
