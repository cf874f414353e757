"""Dimension-reduction compressions: a linear map to D <= m components, refit per batch."""

from typing import Literal

from pydantic import Field

from rpnschema.spec.compression._fitted import _FittedCompression


class _DimensionReductionCompression(_FittedCompression):
    """Projects onto D <= m components fitted to the batches."""


class IncrementalPCACompression(_DimensionReductionCompression):
    """Incremental PCA (scikit-learn, partial_fit per batch); native: batch PCA in torch."""

    name: Literal["incremental_PCA_based_compression"]


class IncrementalRandomProjectionCompression(_DimensionReductionCompression):
    """Sparse random projection, redrawn on every batch (scikit-learn); native: drawn once."""

    name: Literal["incremental_random_projection_based_compression"]


class DimensionReductionCompression(_DimensionReductionCompression):
    """A koala dimension-reduction function chosen by ``function`` (dr_function_configs)."""

    name: Literal["dimension_reduction_compression"]
    function: Literal["incremental_PCA", "incremental_random_projection"] = Field(
        description="The koala dimension_reduction class."
    )
