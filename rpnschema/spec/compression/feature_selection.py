"""Feature-selection compressions: D of the m input columns (or cluster means). D <= m.

Both refit on every batch (running statistics over the calls, as tinybig's ``incremental``
koala functions): not differentiable through the selection, and batch dependent.
"""

from typing import Literal

from pydantic import Field

from rpnschema.spec.compression._fitted import _FittedCompression


class _FeatureSelectionCompression(_FittedCompression):
    """Selects D <= m features from running statistics of the batches."""


class IncrementalVarianceThresholdCompression(_FeatureSelectionCompression):
    """The D columns of largest running variance, in ascending-variance order (torch)."""

    name: Literal["incremental_variance_threshold_based_compression"]


class IncrementalFeatureClusteringCompression(_FeatureSelectionCompression):
    """Spectral clustering of the columns into D clusters; the mean of each (scikit-learn)."""

    name: Literal["incremental_feature_clustering_based_compression"]


class FeatureSelectionCompression(_FeatureSelectionCompression):
    """A koala feature-selection function chosen by ``function`` (tinybig's fs_function_configs)."""

    name: Literal["feature_selection_compression"]
    function: Literal["incremental_variance_threshold", "incremental_feature_clustering"] = Field(
        description="The koala feature_selection class."
    )
