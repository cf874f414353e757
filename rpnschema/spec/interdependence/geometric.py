"""Geometric interdependence functions: A relates the cells of an h x w x d grid (C channels,
channel-major rows of C*h*w*d values) to patches around packed centres, as the geometric patch
expansions do (the same patch shapes, packing strategies and centre distances).

- ``padding`` mode: A is h*w*d x (P*S), one column per patch cell (P centres, S cells per
  patch; cells outside the grid stay zero): d' = P*S*C in the attribute slot.
- ``aggregation`` mode: A is h*w*d x P, column p sums its patch: d' = P*C.

In the attribute slot m must equal C*h*w*d; in the instance slot the batch is the grid
(b = h*w*d, one channel). l = 0.
"""

from typing import Annotated, Literal

from pydantic import Field

from rpnschema.spec.interdependence.base import Interdependence, NormalizationMode, PositiveInt
from rpnschema.spec.patches import AnyPatch

NonNegativeInt = Annotated[int, Field(ge=0)]
Packing = Literal[
    "densest_packing",
    "dense_square",
    "complete_square",
    "sparse_square",
    "denser_hexagonal",
    "dense_hexagonal",
    "complete_hexagonal",
    "sparse_hexagonal",
    "dense_face_centered_cubic",
    "complete_face_centered_cubic",
    "sparse_face_centered_cubic",
    "dense_simple_cubic",
    "complete_simple_cubic",
    "sparse_simple_cubic",
]


class _Geometric(Interdependence):
    h: PositiveInt
    w: PositiveInt
    d: PositiveInt = 1
    channel_num: PositiveInt = Field(default=1, description="Channels C (attribute slot).")
    packing_strategy: Packing = "densest_packing"
    cd_h: PositiveInt | None = Field(default=None, description="Centre distance along h.")
    cd_w: PositiveInt | None = Field(default=None, description="Centre distance along w.")
    cd_d: PositiveInt | None = Field(default=None, description="Centre distance along d.")
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "padding"
    normalization: bool = False
    normalization_mode: NormalizationMode = "row_column"


class GeometricInterdependence(_Geometric):
    """A from the given patch shape (tinybig's patch_configs)."""

    name: Literal["geometric_interdependence"]
    patch: AnyPatch


class CuboidPatchBasedGeometricInterdependence(_Geometric):
    """Cuboid patches."""

    name: Literal["cuboid_patch_based_geometric_interdependence"]
    p_h: NonNegativeInt
    p_w: NonNegativeInt
    p_d: NonNegativeInt
    p_h_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_h.")
    p_w_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_w.")
    p_d_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_d.")


class CuboidPatchPaddingBasedGeometricInterdependence(CuboidPatchBasedGeometricInterdependence):
    """Cuboid patches, padding mode."""

    name: Literal["cuboid_patch_padding_based_geometric_interdependence"]  # type: ignore[assignment]
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "padding"


class CuboidPatchAggregationBasedGeometricInterdependence(CuboidPatchBasedGeometricInterdependence):
    """Cuboid patches, aggregation mode."""

    name: Literal["cuboid_patch_aggregation_based_geometric_interdependence"]  # type: ignore[assignment]
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "aggregation"


class CylinderPatchBasedGeometricInterdependence(_Geometric):
    """Cylinder patches of radius r (native only: tinybig 0.2.1 cannot construct it)."""

    name: Literal["cylinder_patch_based_geometric_interdependence"]
    r: NonNegativeInt
    p_d: NonNegativeInt
    p_d_prime: NonNegativeInt | None = Field(default=None, description="Defaults to p_d.")


class CylinderPatchPaddingBasedGeometricInterdependence(CylinderPatchBasedGeometricInterdependence):
    """Cylinder patches, padding mode (native only)."""

    name: Literal["cylinder_patch_padding_based_geometric_interdependence"]  # type: ignore[assignment]
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "padding"


class CylinderPatchAggregationBasedGeometricInterdependence(
    CylinderPatchBasedGeometricInterdependence
):
    """Cylinder patches, aggregation mode (native only)."""

    name: Literal["cylinder_patch_aggregation_based_geometric_interdependence"]  # type: ignore[assignment]
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "aggregation"


class SpherePatchBasedGeometricInterdependence(_Geometric):
    """Sphere patches of radius r (native only: tinybig 0.2.1 cannot construct it)."""

    name: Literal["sphere_patch_based_geometric_interdependence"]
    r: NonNegativeInt


class SpherePatchPaddingBasedGeometricInterdependence(SpherePatchBasedGeometricInterdependence):
    """Sphere patches, padding mode (native only)."""

    name: Literal["sphere_patch_padding_based_geometric_interdependence"]  # type: ignore[assignment]
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "padding"


class SpherePatchAggregationBasedGeometricInterdependence(SpherePatchBasedGeometricInterdependence):
    """Sphere patches, aggregation mode (native only)."""

    name: Literal["sphere_patch_aggregation_based_geometric_interdependence"]  # type: ignore[assignment]
    interdependence_matrix_mode: Literal["padding", "aggregation"] = "aggregation"


#: tinybig 0.2.1 cannot construct these (r is passed to a patch that requires p_r).
NATIVE_ONLY = (CylinderPatchBasedGeometricInterdependence, SpherePatchBasedGeometricInterdependence)

GEOMETRIC_TYPES = (
    GeometricInterdependence,
    CuboidPatchBasedGeometricInterdependence,
    CuboidPatchPaddingBasedGeometricInterdependence,
    CuboidPatchAggregationBasedGeometricInterdependence,
    CylinderPatchBasedGeometricInterdependence,
    CylinderPatchPaddingBasedGeometricInterdependence,
    CylinderPatchAggregationBasedGeometricInterdependence,
    SpherePatchBasedGeometricInterdependence,
    SpherePatchPaddingBasedGeometricInterdependence,
    SpherePatchAggregationBasedGeometricInterdependence,
)
