"""Metric compressions: one statistic of the whole input row. D = 1."""

from typing import Literal

from pydantic import Field

from rpnschema.spec.compression.base import Compression

#: The koala batch metrics a spec may name (tinybig passes a callable; rpnschema never imports
#: one). Each reduces a row of values to one number.
MetricName = Literal[
    "batch_max",
    "batch_min",
    "batch_sum",
    "batch_prod",
    "batch_mean",
    "batch_median",
    "batch_l1_norm",
    "batch_l2_norm",
    "batch_std",
    "batch_variance",
    "batch_skewness",
    "batch_geometric_mean",
    "batch_harmonic_mean",
]


class MetricCompression(Compression):
    """kappa(x) = metric(x). D = 1."""

    name: Literal["metric_compression"]
    metric: MetricName = Field(
        description="The statistic (tinybig.koala.linear_algebra / koala.statistics batch_*)."
    )


class _FixedMetricCompression(Compression):
    """A metric compression with its metric built in. D = 1."""


class MaxCompression(_FixedMetricCompression):
    """kappa(x) = max_i x_i. D = 1."""

    name: Literal["max_compression"]


class MinCompression(_FixedMetricCompression):
    """kappa(x) = min_i x_i. D = 1."""

    name: Literal["min_compression"]


class SumCompression(_FixedMetricCompression):
    """kappa(x) = sum_i x_i. D = 1."""

    name: Literal["sum_compression"]


class MeanCompression(_FixedMetricCompression):
    """kappa(x) = mean_i x_i. D = 1."""

    name: Literal["mean_compression"]


class ProdCompression(_FixedMetricCompression):
    """kappa(x) = prod_i x_i. D = 1."""

    name: Literal["prod_compression"]


class MedianCompression(_FixedMetricCompression):
    """kappa(x) = the median of x (the lower one of the two middle values for even m). D = 1."""

    name: Literal["median_compression"]


#: The metric each fixed-metric compression uses.
FIXED_METRIC: dict[str, str] = {
    "max_compression": "batch_max",
    "min_compression": "batch_min",
    "sum_compression": "batch_sum",
    "mean_compression": "batch_mean",
    "prod_compression": "batch_prod",
    "median_compression": "batch_median",
}
