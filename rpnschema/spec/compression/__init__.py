"""Data compression functions kappa: R^m -> R^D, tinybig 0.2.1's ``tinybig.compression``.

Compressions go wherever an expansion may (the head's ``expansion`` slot, nested and extended
compositions). Importing this package adds them to that slot: :func:`rpnschema.validate`
imports it only when a document names a compression, so that specs without one do not pay for
building ~45 more models (see :func:`rpnschema.spec.registry.load_lazy`).

Groups (one module each, mirrored in ``rpnschema.dims_compression`` and
``rpnschema.compile.kernels.compression_*``): basic, metric, geometric, probabilistic,
feature_selection, dimension_reduction, manifold.
"""

from rpnschema.spec import registry
from rpnschema.spec.compression import basic as _basic
from rpnschema.spec.compression import dimension_reduction as _dr
from rpnschema.spec.compression import feature_selection as _fs
from rpnschema.spec.compression import geometric as _geo
from rpnschema.spec.compression import manifold as _mf
from rpnschema.spec.compression import metric as _metric
from rpnschema.spec.compression import probabilistic as _prob
from rpnschema.spec.compression.base import Compression as Compression

COMPRESSION_TYPES: tuple[type[Compression], ...] = (
    _basic.IdentityCompression,
    _basic.ReciprocalCompression,
    _basic.LinearCompression,
    _metric.MetricCompression,
    _metric.MaxCompression,
    _metric.MinCompression,
    _metric.SumCompression,
    _metric.MeanCompression,
    _metric.ProdCompression,
    _metric.MedianCompression,
    _geo.GeometricCompression,
    _geo.CuboidPatchCompression,
    _geo.CylinderPatchCompression,
    _geo.SpherePatchCompression,
    _geo.CuboidMaxCompression,
    _geo.CuboidMinCompression,
    _geo.CuboidMeanCompression,
    _geo.CylinderMaxCompression,
    _geo.CylinderMinCompression,
    _geo.CylinderMeanCompression,
    _geo.SphereMaxCompression,
    _geo.SphereMinCompression,
    _geo.SphereMeanCompression,
    _prob.NaiveProbabilisticCompression,
    _prob.NaiveUniformProbabilisticCompression,
    _prob.NaiveNormalProbabilisticCompression,
    _prob.NaiveCauchyProbabilisticCompression,
    _prob.NaiveChi2ProbabilisticCompression,
    _prob.NaiveExponentialProbabilisticCompression,
    _prob.NaiveGammaProbabilisticCompression,
    _prob.NaiveLaplaceProbabilisticCompression,
    _fs.FeatureSelectionCompression,
    _fs.IncrementalVarianceThresholdCompression,
    _fs.IncrementalFeatureClusteringCompression,
    _dr.DimensionReductionCompression,
    _dr.IncrementalPCACompression,
    _dr.IncrementalRandomProjectionCompression,
    _mf.ManifoldCompression,
    _mf.IsomapCompression,
    _mf.LLECompression,
    _mf.MDSCompression,
    _mf.SpectralEmbeddingCompression,
    _mf.TSNECompression,
    _basic.NestedCompression,
    _basic.ExtendedCompression,
)

registry.declare_builtin("compression", COMPRESSION_TYPES)
registry.rebuild()
