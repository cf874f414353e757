"""Fusion functions combining the channels of a head or the heads of a layer.

``dims`` (the input sizes) is inferred from the heads/channels; when given it is checked.
"""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from rpnschema.spec.base import Component, name_shorthand
from rpnschema.spec.registry import FamilyUnion

Factor = Annotated[int, Field(ge=1)]
Rank = Annotated[int, Field(ge=1)]
OutDim = Annotated[int, Field(ge=1, description="Output size; defaults to the input size.")]


class Fusion(Component):
    family = "fusion"
    dims: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="Input sizes; inferred, checked when given."
    )


class _ElementwiseFusion(Fusion):
    """Combines equally sized inputs element by element: output size = input size, l = 0."""


class SummationFusion(_ElementwiseFusion):
    """Sum of the inputs."""

    name: Literal["summation_fusion"]


class AverageFusion(_ElementwiseFusion):
    """Mean of the inputs."""

    name: Literal["average_fusion"]


class MeanFusion(_ElementwiseFusion):
    """Mean of the inputs (tinybig's default fusion)."""

    name: Literal["mean_fusion"]


class SumFusion(_ElementwiseFusion):
    """Sum of the inputs."""

    name: Literal["sum_fusion"]


class MaxFusion(_ElementwiseFusion):
    """Element-wise maximum."""

    name: Literal["max_fusion"]


class MinFusion(_ElementwiseFusion):
    """Element-wise minimum."""

    name: Literal["min_fusion"]


class ProdFusion(_ElementwiseFusion):
    """Element-wise product."""

    name: Literal["prod_fusion"]


class MedianFusion(_ElementwiseFusion):
    """Element-wise median (lower middle value for an even count)."""

    name: Literal["median_fusion"]


class L1NormFusion(_ElementwiseFusion):
    """Element-wise L1 norm over the inputs."""

    name: Literal["l1_norm_fusion"]


class L2NormFusion(_ElementwiseFusion):
    """Element-wise L2 norm over the inputs."""

    name: Literal["l2_norm_fusion"]


class WeightedSummationFusion(_ElementwiseFusion):
    """sum_i weights_i x_i with fixed weights, one per input."""

    name: Literal["weighted_summation_fusion"]
    weights: Annotated[list[float], Field(min_length=1)]


class ParameterizedWeightedSummationFusion(_ElementwiseFusion):
    """sum_i w_i x_i with learnable weights: l = number of inputs."""

    name: Literal["parameterized_weighted_summation_fusion"]


class ConcatenationFusion(Fusion):
    """Concatenation: output size = sum(dims), l = 0."""

    name: Literal["concatenation_fusion"]


class _ParameterizedConcatenation(Fusion):
    """Concatenation followed by a learned map sum(dims) -> n."""

    n: OutDim | None = None


class ParameterizedConcatenationFusion(_ParameterizedConcatenation):
    """W n x sum(dims) dense. l = n sum(dims)."""

    name: Literal["parameterized_concatenation_fusion"]


class LowrankParameterizedConcatenationFusion(_ParameterizedConcatenation):
    """Low-rank W. l = r (n + sum(dims))."""

    name: Literal["lowrank_parameterized_concatenation_fusion"]
    r: Rank = 2


class HMParameterizedConcatenationFusion(_ParameterizedConcatenation):
    """Hypercomplex W. l = p q + (n/p)(sum(dims)/q)."""

    name: Literal["hm_parameterized_concatenation_fusion"]
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")


class LPHMParameterizedConcatenationFusion(_ParameterizedConcatenation):
    """Low-rank hypercomplex W. l = p q + r (n/p + sum(dims)/q)."""

    name: Literal["lphm_parameterized_concatenation_fusion"]
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")
    r: Rank = 2


class DualLPHMParameterizedConcatenationFusion(_ParameterizedConcatenation):
    """Dual low-rank hypercomplex W. l = r (p + q + n/p + sum(dims)/q)."""

    name: Literal["dual_lphm_parameterized_concatenation_fusion"]
    p: Factor
    q: Factor | None = Field(default=None, description="Defaults to p.")
    r: Rank = 2


class RandomMatrixAdaptionParameterizedConcatenationFusion(_ParameterizedConcatenation):
    """Random-matrix adaption W with fixed random factors. l = n + r."""

    name: Literal["random_matrix_adaption_parameterized_concatenation_fusion"]
    r: Rank = 2


FUSION_TYPES: tuple[type[Fusion], ...] = (
    SummationFusion,
    AverageFusion,
    MeanFusion,
    SumFusion,
    MaxFusion,
    MinFusion,
    ProdFusion,
    MedianFusion,
    L1NormFusion,
    L2NormFusion,
    WeightedSummationFusion,
    ParameterizedWeightedSummationFusion,
    ConcatenationFusion,
    ParameterizedConcatenationFusion,
    LowrankParameterizedConcatenationFusion,
    HMParameterizedConcatenationFusion,
    LPHMParameterizedConcatenationFusion,
    DualLPHMParameterizedConcatenationFusion,
    RandomMatrixAdaptionParameterizedConcatenationFusion,
)

#: The family's field type: a bare name or a mapping, discriminated by ``name``, over the
#: built-in members and any registered plugins (see :mod:`rpnschema.spec.registry`).
AnyFusion = Annotated[
    Fusion,
    FamilyUnion("fusion", FUSION_TYPES),
    BeforeValidator(name_shorthand),
]
