"""Geometric compressions: one statistic per patch of an h x w x d grid (per channel).

The input row holds ``channel_num`` grids, channel-major (m = channel_num * h * w * d). Patches
are the geometric expansions' (same shapes, packings and centre order; cells outside the grid
read 0), and D = channel_num * centres, ordered [channel][centre].
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from rpnschema.spec import expansion as ex
from rpnschema.spec.compression.base import Compression
from rpnschema.spec.compression.metric import MetricName
from rpnschema.spec.patches import CuboidPatch, CylinderPatch, SpherePatch

NonNegativeInt = Annotated[int, Field(ge=0)]
ChannelNum = Annotated[
    int, Field(ge=1, description="Grids per input row (tinybig grid universe_num).")
]


class _GeometricCompression(Compression, ex._GeometricExpansion):
    """Patches of an h x w x d grid, each reduced to one number: D = channel_num * centres."""

    channel_num: ChannelNum = 1


class CuboidPatchCompression(_GeometricCompression, ex.CuboidPatchExpansion):
    """Cuboid patches reduced by ``metric``."""

    name: Literal["cuboid_patch_based_geometric_compression"]  # type: ignore[assignment]
    metric: MetricName = Field(description="The statistic of each patch.")
    p_d: NonNegativeInt  # tinybig requires it here (the expansion defaults it to 0)


class CylinderPatchCompression(_GeometricCompression, ex.CylinderPatchExpansion):
    """Cylinder patches reduced by ``metric``."""

    name: Literal["cylinder_patch_based_geometric_compression"]  # type: ignore[assignment]
    metric: MetricName = Field(description="The statistic of each patch.")
    p_d: NonNegativeInt


class SpherePatchCompression(_GeometricCompression, ex.SpherePatchExpansion):
    """Sphere patches reduced by ``metric``."""

    name: Literal["sphere_patch_based_geometric_compression"]  # type: ignore[assignment]
    metric: MetricName = Field(description="The statistic of each patch.")


class CuboidMaxCompression(_GeometricCompression, ex.CuboidPatchExpansion):
    """The maximum of each cuboid patch."""

    name: Literal["cuboid_max_based_geometric_compression"]  # type: ignore[assignment]
    p_d: NonNegativeInt


class CuboidMinCompression(_GeometricCompression, ex.CuboidPatchExpansion):
    """The minimum of each cuboid patch."""

    name: Literal["cuboid_min_based_geometric_compression"]  # type: ignore[assignment]
    p_d: NonNegativeInt


class CuboidMeanCompression(_GeometricCompression, ex.CuboidPatchExpansion):
    """The mean of each cuboid patch (padding cells count as 0)."""

    name: Literal["cuboid_mean_based_geometric_compression"]  # type: ignore[assignment]
    p_d: NonNegativeInt


class CylinderMaxCompression(_GeometricCompression, ex.CylinderPatchExpansion):
    """The maximum of each cylinder patch."""

    name: Literal["cylinder_max_based_geometric_compression"]  # type: ignore[assignment]
    p_d: NonNegativeInt


class CylinderMinCompression(_GeometricCompression, ex.CylinderPatchExpansion):
    """The minimum of each cylinder patch."""

    name: Literal["cylinder_min_based_geometric_compression"]  # type: ignore[assignment]
    p_d: NonNegativeInt


class CylinderMeanCompression(_GeometricCompression, ex.CylinderPatchExpansion):
    """The mean of each cylinder patch (padding cells count as 0)."""

    name: Literal["cylinder_mean_based_geometric_compression"]  # type: ignore[assignment]
    p_d: NonNegativeInt


class SphereMaxCompression(_GeometricCompression, ex.SpherePatchExpansion):
    """The maximum of each sphere patch."""

    name: Literal["sphere_max_based_geometric_compression"]  # type: ignore[assignment]


class SphereMinCompression(_GeometricCompression, ex.SpherePatchExpansion):
    """The minimum of each sphere patch."""

    name: Literal["sphere_min_based_geometric_compression"]  # type: ignore[assignment]


class SphereMeanCompression(_GeometricCompression, ex.SpherePatchExpansion):
    """The mean of each sphere patch (padding cells count as 0)."""

    name: Literal["sphere_mean_based_geometric_compression"]  # type: ignore[assignment]


# --- the generic class: the patch given as a nested mapping ---------------------------------


class GeometricCompression(_GeometricCompression):
    """Patches of any shape reduced by ``metric`` (tinybig's patch_configs as ``patch``)."""

    name: Literal["geometric_compression"]
    metric: MetricName = Field(description="The statistic of each patch.")
    patch: Annotated[
        CuboidPatch | CylinderPatch | SpherePatch,
        Field(discriminator="shape", description="The patch shape and its sizes."),
    ]
    packing_strategy: str = Field(
        default="densest_packing",
        description="A packing of the patch's shape (see the *_patch_based_* functions).",
    )

    @model_validator(mode="after")
    def _packing_fits_shape(self):
        cls = _BY_SHAPE[self.patch.shape]
        choices = cls.model_fields["packing_strategy"].annotation.__args__  # type: ignore[union-attr]
        if self.packing_strategy not in choices:
            raise ValueError(
                f"packing_strategy {self.packing_strategy!r} is not a packing of "
                f"{self.patch.shape} patches; expected one of {', '.join(choices)}"
            )
        return self


_BY_SHAPE = {
    "cuboid": CuboidPatchCompression,
    "cylinder": CylinderPatchCompression,
    "sphere": SpherePatchCompression,
}


def as_patch_based(spec: GeometricCompression) -> _GeometricCompression:
    """The ``<shape>_patch_based_geometric_compression`` equal to a generic one.

    Raises ``ValueError`` (pydantic's) when the packing strategy does not fit the shape.
    """
    cls = _BY_SHAPE[spec.patch.shape]
    data = {k: getattr(spec, k) for k in type(spec).model_fields if k not in ("name", "patch")}
    data.update({k: getattr(spec.patch, k) for k in type(spec.patch).model_fields})
    del data["shape"]
    data["name"] = cls.model_fields["name"].annotation.__args__[0]  # type: ignore[union-attr]
    return cls.model_validate(data)
