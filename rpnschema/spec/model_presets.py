"""Model presets after tinybig's ``tinybig.model`` classes (mlp, kan, svm, naive_bayes, pgm,
gcn, gat, rnn, regression_rnn, cnn, transformer).

``preset: {name: mlp, ...}`` together with ``dims: [m, h1, ..., n]`` stands for tinybig's model
class: one layer per consecutive pair of dims, each the class's layer preset (``perceptron_layer``,
``kan_layer``, ...) with the model's arguments. Defaults are tinybig 0.2.1's code defaults (e.g.
``mlp`` passes ``enable_bias: false`` to its perceptron layers, whose own default is true, and
leaves their ReLU, Dropout(0.5) and Softmax on). Normalization expands the preset into explicit
layers and heads and reports it (RPN313). A ``width`` above 1 repeats one head object, as
tinybig's layers do (``share_heads: true`` on the expanded layers).
"""

from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import ConfigDict, Field, model_validator

from rpnschema.spec.base import Range, Spec, empty_list
from rpnschema.spec.chain import ChainOptions
from rpnschema.spec.graphs import NodeId, check_graph
from rpnschema.spec.grid_presets import CnnModelPreset
from rpnschema.spec.lazy import whole_unions
from rpnschema.spec.preset_base import MODEL_PRESET
from rpnschema.spec.presets import _increasing
from rpnschema.spec.presets_bilinear import BilinearOptions

Dim = Annotated[int, Field(ge=1)]


class ModelPreset(Spec):
    """Arguments every tinybig model class takes."""

    model_config = ConfigDict(defer_build=True)  # built when a spec names it (spec.lazy)

    width: Dim = Field(default=1, description="Heads per layer (one shared head object).")
    channels: Dim = Field(default=1, description="Channels of each head (channel_num).")
    enable_bias: bool = Field(default=False, description="A bias in every reconciliation.")
    with_lorr: bool = Field(default=False, description="Low-rank reconciliation of rank r.")
    r: Dim = Field(default=3, description="Rank of the low-rank reconciliation.")

    #: tinybig's layer preset class each layer is (``tinybig.layer.<LAYER>``).
    LAYER: ClassVar[str] = ""

    def layer_arguments(self) -> dict[str, Any]:
        """The layer preset's keyword arguments, in tinybig's names."""
        args = self.model_dump(exclude={"name"})
        args["channel_num"] = args.pop("channels")
        if "links" in args:
            args["links"] = [list(link) for link in args["links"]]
        return {k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}


class MlpModelPreset(ModelPreset):
    """tinybig.model.mlp: perceptron layers (identity or Taylor expansion, ReLU, Dropout(0.5),
    Softmax on every layer)."""

    name: Literal["mlp"]
    LAYER = "perceptron_layer"
    with_taylor: bool = Field(default=False, description="Taylor expansion of order d.")
    d: Dim = Field(default=2, description="Taylor order.")
    with_residual: bool = Field(default=False, description="A linear remainder.")


class KanModelPreset(ModelPreset):
    """tinybig.model.kan: kan layers (B-spline expansion, SiLU linear remainder)."""

    name: Literal["kan"]
    LAYER = "kan_layer"
    grid_range: Range = Field(default=(-1.0, 1.0), description="B-spline grid range.")
    t: Dim = Field(default=5, description="B-spline grid intervals.")
    d: Annotated[int, Field(ge=0)] = Field(default=3, description="B-spline order.")

    @model_validator(mode="after")
    def _range_ordered(self):
        _increasing("grid_range", self.grid_range)
        return self


class SvmModelPreset(ModelPreset):
    """tinybig.model.svm: svm layers (linear, gaussian_rbf or inverse_quadratic_rbf kernel)."""

    name: Literal["svm"]
    LAYER = "svm_layer"
    kernel: Literal["linear", "gaussian_rbf", "inverse_quadratic_rbf"] = "linear"
    base_range: Range = Field(default=(-1.0, 1.0), description="RBF centres' range.")
    num_interval: Dim = Field(default=10, description="RBF centres.")
    epsilon: Annotated[float, Field(gt=0)] = Field(default=1.0, description="RBF width.")
    with_residual: bool = Field(default=False, description="A linear remainder.")

    @model_validator(mode="after")
    def _range_ordered(self):
        _increasing("base_range", self.base_range)
        return self


class NaiveBayesModelPreset(ModelPreset):
    """tinybig.model.naive_bayes: naive_bayes layers (naive probabilistic expansion)."""

    name: Literal["naive_bayes"]
    LAYER = "naive_bayes_layer"
    distribution: Literal["normal", "exponential", "cauchy", "gamma", "chi2", "laplace"] = "normal"
    with_residual: bool = Field(default=False, description="A linear remainder.")


class PgmModelPreset(ModelPreset):
    """tinybig.model.pgm: pgm layers (combinatorial normal expansion)."""

    name: Literal["pgm"]
    LAYER = "pgm_layer"
    distribution: Literal["normal"] = "normal"
    d: Dim = Field(default=2, description="Combination order.")
    with_replacement: bool = Field(default=False, description="Combinations with replacement.")
    with_residual: bool = Field(default=False, description="A linear remainder.")


class GcnModelPreset(ModelPreset):
    """tinybig.model.gcn: graph_interdependence layers over the nodes (one input row per node);
    batch norm, ReLU and dropout on the layers whose n differs from the last size, log-softmax
    on the last layer."""

    name: Literal["gcn"]
    LAYER = "graph_interdependence_layer"
    nodes: Annotated[list[NodeId], Field(min_length=1)] | Dim = Field(
        description="Node ids, in row order; or, with structure, the node count."
    )
    structure: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")] | None = Field(
        default=None,
        description="Name of a graph supplied at build time (build(spec, structures=...)).",
    )
    links: list[Annotated[tuple[NodeId, NodeId], Field(strict=False)]] = Field(
        default_factory=empty_list, description="Links [source, target] between node ids."
    )
    directed: bool = Field(default=False, description="false: every link goes both ways.")
    with_multihop: bool = Field(default=False, description="A = adj^h (multihop).")
    h: Dim = Field(default=1, description="Hops of the multihop graph.")
    accumulative: bool = Field(default=False, description="A = adj + ... + adj^h.")
    with_pagerank: bool = Field(default=False, description="A = c (I - (1 - c) adj)^-1.")
    c: Annotated[float, Field(gt=0, le=1)] = Field(default=0.15, description="Restart prob.")
    normalization: bool = Field(default=True, description="Normalize A.")
    normalization_mode: Literal["row", "column", "row_column"] = "column"
    self_dependence: bool = Field(default=True, description="Add I to A.")
    with_dual_lphm: bool = Field(default=False, description="dual_lphm reconciliation.")
    with_residual: bool = Field(default=False, description="A linear remainder.")
    with_batch_norm: bool = Field(default=False, description="Batch norm (hidden layers).")
    with_relu: bool = Field(default=True, description="ReLU (hidden layers).")
    with_dropout: bool = Field(default=False, description="Dropout (hidden layers).")
    p: Annotated[float, Field(ge=0, lt=1)] = Field(default=0.25, description="Dropout rate.")
    with_softmax: bool = Field(default=True, description="Log-softmax on the last layer.")

    @model_validator(mode="after")
    def _graph_given(self):
        check_graph(self.nodes, self.links, self.structure)
        return self

    def layer_arguments(self) -> dict[str, Any]:
        args = super().layer_arguments()
        if args["structure"] is None:
            del args["structure"]  # tinybig's layers take no structure name
        return args


class GatModelPreset(GcnModelPreset):
    """tinybig.model.gat: graph_bilinear_interdependence layers over the nodes (graph
    attention: each node's output mixes its neighbours' rows, weighted by a softmax over the
    neighbours of the bilinear scores x_i W x_j times the graph's A); gcn's per-layer options."""

    name: Literal["gat"]  # type: ignore[assignment]
    LAYER = "graph_bilinear_interdependence_layer"
    with_lorr_interdependence: bool = Field(
        default=False, description="Low-rank W (rank r_interdependence) in the scores."
    )
    with_dual_lphm_interdependence: bool = Field(
        default=False, description="dual_lphm W (rank r_interdependence) in the scores."
    )
    r_interdependence: Dim = Field(default=3, description="Rank of the scores' W.")


class RnnModelPreset(ChainOptions, ModelPreset):
    """tinybig.model.rnn: input chain_length*dims[0]; per pair of hidden dims a per-position
    perceptron layer (ReLU) and a chain_interdependence layer; the positions are averaged
    before the last perceptron layer (softmax)."""

    name: Literal["rnn"]
    LAYER = "chain_interdependence_layer"
    with_bspline: bool = Field(default=False, description="B-spline expansion (perceptrons).")
    with_taylor: bool = Field(default=False, description="Taylor expansion (perceptrons).")
    d: Dim = Field(default=2, description="Order of the Taylor / B-spline expansion.")
    with_residual: bool = Field(default=False, description="A linear remainder.")


class RegressionRnnModelPreset(RnnModelPreset):
    """tinybig.model.regression_rnn: as rnn, but the last perceptron layer reads the whole
    row (chain_length*dims[-2] values) instead of the positions' mean."""

    name: Literal["regression_rnn"]  # type: ignore[assignment]


class TransformerModelPreset(BilinearOptions, ModelPreset):
    """tinybig.model.transformer: per pair of dims a bilinear attention layer then a
    perceptron layer (m = n), then perceptron layers through fc_dims; the last has no batch
    norm, ReLU or dropout. Rows are the tokens of one sequence (see
    :mod:`rpnschema.spec.presets_bilinear`). tinybig 0.2.1 cannot run it (native only)."""

    name: Literal["transformer"]
    LAYER = "bilinear_interdependence_layer"
    fc_dims: Annotated[list[Dim], Field(min_length=1)] = Field(
        description="Sizes of the fully connected layers after the attention blocks."
    )
    # tinybig.model.transformer's own defaults
    enable_bias: bool = Field(default=True, description="A bias in every reconciliation.")
    with_lorr_interdependence: bool = Field(default=True, description="Attention W = lorr.")
    with_residual: bool = Field(default=True, description="A linear remainder.")
    with_batch_norm: bool = Field(default=True, description="Batch norm (not the last layer).")
    with_dropout: bool = Field(default=True, description="Dropout (not the last layer).")


MODEL_PRESET_TYPES: tuple[type[Spec], ...] = (
    MlpModelPreset,
    KanModelPreset,
    SvmModelPreset,
    NaiveBayesModelPreset,
    PgmModelPreset,
    GcnModelPreset,
    RnnModelPreset,
    RegressionRnnModelPreset,
    CnnModelPreset,
    GatModelPreset,
    TransformerModelPreset,
)
#: The presets' names, in MODEL_PRESET_TYPES' order (each class's ``name`` literal).
MODEL_PRESET_NAMES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["name"].annotation)[0] for cls in MODEL_PRESET_TYPES
)


#: ``AnyModelPreset``: the whole union of the model presets (every one built).
__getattr__ = whole_unions(__name__, AnyModelPreset=MODEL_PRESET)
