"""The tinybig 0.2.1 <-> rpnschema mapping table: class paths, parameter names, presets.

Nothing here is ever imported by name: a tinybig config's ``*_class`` strings are looked up in
these tables, and ``to_tinybig`` writes the canonical paths below (the paths the shared
conformance vectors were produced with).
"""

from __future__ import annotations

from dataclasses import dataclass

from rpnschema.spec import COMPONENT_TYPES, component_name
from rpnschema.transformer_checks import CLASSES as BILINEAR_ATTENTION

# --- components: catalog name -> canonical tinybig class path ------------------------------

#: tinybig package of each component family.
PACKAGES = {
    "expansion": "tinybig.expansion",
    "reconciliation": "tinybig.reconciliation",
    "remainder": "tinybig.remainder",
    "fusion": "tinybig.fusion",
    "compression": "tinybig.compression",
    "interdependence": "tinybig.interdependence",
}

#: The submodule defining each class (tinybig 0.2.1); ``tinybig.<pkg>.<submodule>.<name>`` is
#: accepted as well as the canonical path.
SUBMODULES: dict[str, tuple[str, ...]] = {
    "expansion": (
        "basic_expansion",
        "polynomial_expansion",
        "trigonometric_expansion",
        "probabilistic_expansion",
        "rbf_expansion",
        "recursive_expansion",
        "orthogonal_polynomial_expansion",
        "wavelet_expansion",
        "combinatorial_expansion",
        "geometric_expansion",
        "nested_expansion",
        "extended_expansion",
    ),
    "reconciliation": (
        "basic_reconciliation",
        "lowrank_reconciliation",
        "hypernet_reconciliation",
        "random_matrix_reconciliation",
    ),
    "remainder": ("basic_remainder",),
    "compression": (
        "basic_compression",
        "metric_based_compression",
        "geometric_compression",
        "probabilistic_compression",
        "feature_selection_compression",
        "dimension_reduction_compression",
        "manifold_compression",
        "nested_compression",
        "extended_compression",
    ),
    "fusion": (
        "basic_fusion",
        "metric_fusion",
        "concatenation_fusion",
        "parameterized_concatenation_fusion",
    ),
    "interdependence": (
        "basic_interdependence",
        "statistical_kernel_interdependence",
        "numerical_kernel_interdependence",
        "parameterized_interdependence",
        "parameterized_bilinear_interdependence",
        "topological_interdependence",
        "geometric_interdependence",
        "hybrid_interdependence",
        "parameterized_rpn_interdependence",
    ),
}

#: Modules whose kernel functions a kernel interdependence may name (``kernel`` / ``kernels``).
KERNEL_MODULES = ("tinybig.koala.statistics.", "tinybig.koala.linear_algebra.")

#: Canonical class paths that differ from ``tinybig.<pkg>.<name>``: classes that the package
#: does not export (or exports under another meaning).
_SPECIAL_PATHS = {
    "one_remainder": "tinybig.remainder.basic_remainder.one_remainder",
    "average_fusion": "tinybig.fusion.basic_fusion.average_fusion",
    "mean_fusion": "tinybig.fusion.metric_fusion.mean_fusion",
    "sum_fusion": "tinybig.fusion.metric_fusion.sum_fusion",
    "max_fusion": "tinybig.fusion.metric_fusion.max_fusion",
    "min_fusion": "tinybig.fusion.metric_fusion.min_fusion",
    "prod_fusion": "tinybig.fusion.metric_fusion.prod_fusion",
    "median_fusion": "tinybig.fusion.metric_fusion.median_fusion",
    "l1_norm_fusion": "tinybig.fusion.metric_fusion.l1_norm_fusion",
    "l2_norm_fusion": "tinybig.fusion.metric_fusion.l2_norm_fusion",
}

#: Short paths that look right but fail in tinybig 0.2.1 (not exported): path -> why.
UNEXPORTED = {
    "tinybig.remainder.one_remainder": "tinybig.remainder does not export one_remainder",
    "tinybig.fusion.l1_norm_fusion": "tinybig.fusion does not export l1_norm_fusion",
    "tinybig.fusion.l2_norm_fusion": "tinybig.fusion does not export l2_norm_fusion",
}

#: family -> catalog names (the closed catalog of rpnschema, tinybig's class names).
NAMES: dict[str, tuple[str, ...]] = {
    family: tuple(component_name(cls) for cls in COMPONENT_TYPES[family]) for family in PACKAGES
}

#: catalog name -> the class path ``to_tinybig`` writes.
CLASS_PATH: dict[str, str] = {
    name: _SPECIAL_PATHS.get(name, f"{PACKAGES[family]}.{name}")
    for family, names in NAMES.items()
    for name in names
}


def _accepted() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for family, names in NAMES.items():
        pkg = PACKAGES[family]
        for name in names:
            table[f"{pkg}.{name}"] = (family, name)
            for sub in SUBMODULES[family]:
                table[f"{pkg}.{sub}.{name}"] = (family, name)
    return table


#: Every accepted class path -> (family, catalog name).
COMPONENT_CLASSES: dict[str, tuple[str, str]] = _accepted()

# --- processing functions: torch.nn classes and torch.nn.functional names -----------------

#: torch.nn class name -> catalog processing name.
TORCH_NN = {
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "GELU": "gelu",
    "SiLU": "silu",
    "Softplus": "softplus",
    "ELU": "elu",
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
    "LayerNorm": "layer_norm",
    "BatchNorm1d": "batch_norm",
    "Dropout": "dropout",
}
#: catalog processing name -> the class path ``to_tinybig`` writes.
PROCESSING_PATH = {ours: f"torch.nn.{cls}" for cls, ours in TORCH_NN.items()}
_TORCH_SUBMODULES = ("activation", "normalization", "batchnorm", "dropout")


def _processing_classes() -> dict[str, str]:
    table = {}
    for cls, ours in TORCH_NN.items():
        table[f"torch.nn.{cls}"] = ours
        for sub in _TORCH_SUBMODULES:
            table[f"torch.nn.modules.{sub}.{cls}"] = ours
    return table


#: Every accepted torch.nn class path -> catalog processing name.
PROCESSING_CLASSES: dict[str, str] = _processing_classes()

#: torch.nn constructor arguments that do not change what the function computes.
PROCESSING_IGNORED = frozenset({"inplace", "device", "dtype"})

#: ``torch.nn.functional`` functions tinybig applies when given by name in ``*_functions``
#: (tinybig's ``str_func_x``), with the catalog function (and options) each computes.
FUNCTIONAL: dict[str, dict[str, object]] = {
    "sigmoid": {"name": "sigmoid"},
    "relu": {"name": "relu"},
    "leaky_relu": {"name": "leaky_relu"},
    "tanh": {"name": "tanh"},
    "softplus": {"name": "softplus"},
    "silu": {"name": "silu"},
    "gelu": {"name": "gelu"},
    # F.layer_norm over the last dimension, without affine parameters
    "layer_norm": {"name": "layer_norm", "elementwise_affine": False},
    # F.dropout(x, p=0.5): training=True by default, so it drops in eval mode too
    "dropout": {"name": "dropout"},
}
#: torch.nn.BatchNorm classes tinybig accepts as strings: a fresh module per call (batch
#: statistics, weight 1, bias 0).
FUNCTIONAL_BATCH_NORM = frozenset(
    {"torch.nn.BatchNorm1d", "torch.nn.modules.batchnorm.BatchNorm1d"}
)

# --- modules: heads, layers, models ---------------------------------------------------------

MODEL_CLASSES = frozenset({"tinybig.model.rpn", "tinybig.model.rpn.rpn"})
#: tinybig 0.2.1 also exports the layer as ``tinybig.layer.rpn_layer``.
LAYER_CLASSES = frozenset(
    {"tinybig.module.rpn_layer", "tinybig.module.base_layer.rpn_layer", "tinybig.layer.rpn_layer"}
)
#: tinybig 0.2.1 also exports the head as ``tinybig.head.rpn_head`` and ``tinybig.head.head``.
HEAD_CLASSES = frozenset(
    {
        "tinybig.module.rpn_head",
        "tinybig.module.base_head.rpn_head",
        "tinybig.head.rpn_head",
        "tinybig.head.head",
    }
)
MODEL_CLASS = "tinybig.model.rpn"
LAYER_CLASS = "tinybig.module.rpn_layer"
HEAD_CLASS = "tinybig.module.rpn_head"


@dataclass(frozen=True)
class PresetInfo:
    """A tinybig.head / tinybig.layer preset: its constructor defaults in tinybig 0.2.1."""

    kind: str  # perceptron, svm, kan, naive_bayes, pgm
    defaults: dict[str, object]


_COMMON = {"channel_num": 1, "enable_bias": False, "with_lorr": False, "r": 3}
HEAD_PRESETS: dict[str, PresetInfo] = {
    "perceptron_head": PresetInfo(
        "perceptron",
        {
            **_COMMON,
            "enable_bias": True,
            "with_bspline": False,
            "with_taylor": False,
            "d": 2,
            "with_hybrid_expansion": False,
            "with_dual_lphm": False,
            "with_residual": False,
            "with_batch_norm": False,
            "with_relu": False,
            "with_dropout": True,
            "p": 0.5,
            "with_softmax": False,
        },
    ),
    "svm_head": PresetInfo(
        "svm",
        {
            **_COMMON,
            "kernel": "linear",
            "base_range": [-1, 1],
            "num_interval": 10,
            "epsilon": 1.0,
            "with_residual": False,
            "with_batch_norm": False,
            "with_softmax": False,
        },
    ),
    "kan_head": PresetInfo(
        "kan",
        {
            **_COMMON,
            "grid_range": [-1, 1],
            "t": 5,
            "d": 3,
            "with_batch_norm": False,
            "with_softmax": False,
        },
    ),
    "naive_bayes_head": PresetInfo(
        "naive_bayes", {**_COMMON, "distribution": "normal", "with_residual": False}
    ),
    "pgm_head": PresetInfo(
        "pgm",
        {
            **_COMMON,
            "distribution": "normal",
            "d": 2,
            "with_replacement": False,
            "with_residual": False,
        },
    ),
}
#: tinybig.head.graph_interdependence_head (graph_based_heads): an rpn_head with a graph
#: instance interdependence over the nodes (one input row per node).
HEAD_PRESETS["graph_interdependence_head"] = PresetInfo(
    "graph",
    {
        **_COMMON,
        "graph": None,
        "graph_file_path": None,
        "nodes": None,
        "links": None,
        "directed": False,
        "with_multihop": False,
        "h": 1,
        "accumulative": False,
        "with_pagerank": False,
        "c": 0.15,
        "require_data": False,
        "require_parameters": False,
        "normalization": True,
        "normalization_mode": "column",
        "self_dependence": True,
        "with_dual_lphm": False,
        "with_residual": False,
        "with_batch_norm": False,
        "with_relu": True,
        "with_dropout": True,
        "p": 0.5,
        "with_softmax": True,
    },
)

#: tinybig.head.chain_interdependence_head (chain_based_heads): input b x (chain_length*m),
#: the positions mixed by a chain interdependence, each mapped m -> n (chain_length is
#: required: None here; with_taylor and d are accepted and ignored by tinybig).
HEAD_PRESETS["chain_interdependence_head"] = PresetInfo(
    "chain",
    {
        **_COMMON,
        "chain_length": None,
        "bi_directional": False,
        "with_multihop": False,
        "h": 1,
        "accumulative": False,
        "with_inverse_approx": False,
        "with_exponential_approx": False,
        "self_dependence": True,
        "self_scaling": 1.0,
        "with_taylor": False,
        "d": 2,
        "with_dual_lphm": False,
        "with_residual": False,
        "with_batch_norm": False,
        "with_relu": True,
        "with_softmax": True,
        "with_dropout": False,
        "p": 0.25,
    },
)

#: tinybig.head.graph_based_heads.graph_bilinear_interdependence_head (not exported by
#: tinybig.head): graph attention, a hybrid instance interdependence graph * (x W x^T) with a
#: masked column softmax; its own defaults (no normalization, self loops).
HEAD_PRESETS["graph_bilinear_interdependence_head"] = PresetInfo(
    "graph_bilinear",
    {
        **HEAD_PRESETS["graph_interdependence_head"].defaults,
        "normalization": False,
        "with_dual_lphm_interdependence": False,
        "with_lorr_interdependence": False,
        "r_interdependence": 3,
    },
)

#: tinybig.layer.chain_interdependence_layer's defaults: its head's, without the Taylor options
#: the head accepts and ignores (the rnn model passes them to its perceptron layers).
LAYER_PRESETS_CHAIN = {
    k: v
    for k, v in HEAD_PRESETS["chain_interdependence_head"].defaults.items()
    if k not in ("with_taylor", "d")
}

LAYER_PRESETS: dict[str, PresetInfo] = {
    "perceptron_layer": PresetInfo(
        "perceptron",
        {**HEAD_PRESETS["perceptron_head"].defaults, "with_relu": True, "with_softmax": True},
    ),
    "svm_layer": PresetInfo("svm", dict(HEAD_PRESETS["svm_head"].defaults)),
    "kan_layer": PresetInfo("kan", dict(HEAD_PRESETS["kan_head"].defaults)),
    "naive_bayes_layer": PresetInfo("naive_bayes", dict(HEAD_PRESETS["naive_bayes_head"].defaults)),
    "pgm_layer": PresetInfo("pgm", dict(HEAD_PRESETS["pgm_head"].defaults)),
    "graph_interdependence_layer": PresetInfo(
        "graph", dict(HEAD_PRESETS["graph_interdependence_head"].defaults)
    ),
    "chain_interdependence_layer": PresetInfo(
        "chain",
        dict(LAYER_PRESETS_CHAIN),
    ),
    "graph_bilinear_interdependence_layer": PresetInfo(
        "graph_bilinear", dict(HEAD_PRESETS["graph_bilinear_interdependence_head"].defaults)
    ),
}
#: The module each preset class is defined in (``tinybig.<pkg>.<module>.<name>``).
_MODULES = {
    "graph_interdependence_head": "graph_based_heads",
    "graph_interdependence_layer": "graph_based_layers",
    "chain_interdependence_head": "chain_based_heads",
    "chain_interdependence_layer": "chain_based_layers",
    "graph_bilinear_interdependence_head": "graph_based_heads",
    "graph_bilinear_interdependence_layer": "graph_based_layers",
}


def _preset_paths(table: dict[str, PresetInfo], pkg: str, module: str) -> dict[str, str]:
    out = {}
    for name in table:
        out[f"{pkg}.{name}"] = name
        out[f"{pkg}.{_MODULES.get(name, module)}.{name}"] = name
    return out


@dataclass(frozen=True)
class ModelPresetInfo:
    """A tinybig.model class made of one layer preset per pair of ``dims``: the layer class and
    the model constructor's defaults in tinybig 0.2.1 (passed on to every layer)."""

    layer: str
    defaults: dict[str, object]


_MODEL_COMMON = {"channel_num": 1, "enable_bias": False, "with_lorr": False, "r": 3, "width": 1}
MODEL_PRESETS: dict[str, ModelPresetInfo] = {
    "mlp": ModelPresetInfo(
        "perceptron_layer",
        {**_MODEL_COMMON, "with_taylor": False, "d": 2, "with_residual": False},
    ),
    "kan": ModelPresetInfo("kan_layer", {**_MODEL_COMMON, "grid_range": [-1, 1], "t": 5, "d": 3}),
    "svm": ModelPresetInfo(
        "svm_layer",
        {
            **_MODEL_COMMON,
            "kernel": "linear",
            "base_range": [-1, 1],
            "num_interval": 10,
            "epsilon": 1.0,
            "with_residual": False,
        },
    ),
    "naive_bayes": ModelPresetInfo(
        "naive_bayes_layer", {**_MODEL_COMMON, "distribution": "normal", "with_residual": False}
    ),
    "pgm": ModelPresetInfo(
        "pgm_layer",
        {
            **_MODEL_COMMON,
            "distribution": "normal",
            "d": 2,
            "with_replacement": False,
            "with_residual": False,
        },
    ),
}
#: tinybig.model.gcn: graph_interdependence_layers; batch norm, ReLU and dropout on every layer
#: whose n differs from dims[-1], (log-)softmax on the layer mapping dims[-2] to dims[-1].
MODEL_PRESETS["gcn"] = ModelPresetInfo(
    "graph_interdependence_layer",
    {
        **{
            k: v
            for k, v in HEAD_PRESETS["graph_interdependence_head"].defaults.items()
            if k not in ("channel_num", "enable_bias", "with_lorr", "r")
        },
        **_MODEL_COMMON,
        "p": 0.25,
        "with_dropout": False,
    },
)
#: tinybig.model.rnn / regression_rnn: per-position perceptron and chain_interdependence
#: layers (see :mod:`rpnschema.interop._tinybig_chain`); the interdependence options of the
#: bilinear kind (``*_interdependence``) and with_hybrid_expansion are accepted and ignored.
MODEL_PRESETS["rnn"] = ModelPresetInfo(
    "chain_interdependence_layer",
    {
        **_MODEL_COMMON,
        **{k: v for k, v in LAYER_PRESETS_CHAIN.items() if k not in _MODEL_COMMON},
        "with_bspline": False,
        "with_taylor": False,
        "d": 2,
        "with_hybrid_expansion": False,
        "with_dual_lphm_interdependence": False,
        "with_lorr_interdependence": False,
        "r_interdependence": 3,
        "parameters_init_method": "xavier_normal",
    },
)
MODEL_PRESETS["regression_rnn"] = MODEL_PRESETS["rnn"]

#: tinybig.model.gat: graph_bilinear_interdependence_layers, with gcn's per-layer output options
#: and its defaults (normalization on: the model's default differs from the layer's).
MODEL_PRESETS["gat"] = ModelPresetInfo(
    "graph_bilinear_interdependence_layer",
    {
        **MODEL_PRESETS["gcn"].defaults,
        "with_dual_lphm_interdependence": False,
        "with_lorr_interdependence": False,
        "r_interdependence": 3,
    },
)
#: tinybig.model.<name> and tinybig.model.rpn_<name>.<name> -> name.
MODEL_PRESET_CLASSES = {
    path: name
    for name in MODEL_PRESETS
    for path in (f"tinybig.model.{name}", f"tinybig.model.rpn_{name}.{name}")
}


#: tinybig's grid classes (rpnschema.spec.grid_presets) -> the preset they read as.
GRID_HEAD_CLASSES = {
    f"tinybig.head{module}.{name}_head": name
    for name in ("grid_interdependence", "grid_compression")
    for module in ("", ".grid_based_heads")
}
GRID_LAYER_CLASSES = {
    f"tinybig.layer{module}.{name}_layer": name
    for name in ("grid_interdependence", "grid_compression")
    for module in ("", ".grid_based_layers")
}
GRID_MODEL_CLASSES = {"tinybig.model.cnn": "cnn", "tinybig.model.rpn_cnn.cnn": "cnn"}
#: tinybig's bilinear attention classes: read, and rejected with RPN485 (tinybig 0.2.1 cannot
#: run them; the error suggests the native ``preset: bilinear`` / ``preset: transformer`` spec).
BILINEAR_CLASSES = frozenset(BILINEAR_ATTENTION)

HEAD_PRESET_CLASSES = _preset_paths(HEAD_PRESETS, "tinybig.head", "basic_heads")
LAYER_PRESET_CLASSES = _preset_paths(LAYER_PRESETS, "tinybig.layer", "basic_layers")

# --- parameter names ------------------------------------------------------------------------

MODEL_KEYS = frozenset({"name", "device", "depth", "depth_alloc", "layer_configs", "layers"})
LAYER_KEYS = frozenset(
    {
        "m",
        "n",
        "name",
        "device",
        "width",
        "width_alloc",
        "head_configs",
        "heads",
        "head_fusion",
        "head_fusion_configs",
        "parameters_init_method",
    }
)
HEAD_KEYS = frozenset(
    {
        "m",
        "n",
        "name",
        "device",
        "batch_num",
        "channel_num",
        "l",
        "l_attribute_interdependence",
        "l_instance_interdependence",
        "l_channel_fusion",
        "input_process_functions",
        "input_process_function_configs",
        "data_transformation",
        "data_transformation_configs",
        "attribute_interdependence",
        "attribute_interdependence_configs",
        "instance_interdependence",
        "instance_interdependence_configs",
        "parameter_fabrication",
        "parameter_fabrication_configs",
        "channel_fusion",
        "channel_fusion_configs",
        "remainder",
        "remainder_configs",
        "output_process_functions",
        "output_process_function_configs",
        "create_parameters_at_init",
        "parameters_init_method",
    }
)
#: Python-object parameters of heads and layers (a config file cannot hold them).
OBJECT_KEYS = frozenset(
    {
        "heads",
        "head_fusion",
        "layers",
        "data_transformation",
        "parameter_fabrication",
        "remainder",
        "channel_fusion",
        "attribute_interdependence",
        "instance_interdependence",
    }
)
#: Keys of the ``configurations:`` document that describe training, not the model.
RUN_CONFIGS = ("data_configs", "learner_configs", "metric_configs", "output_configs")

INIT_METHODS = ("xavier_uniform", "xavier_normal", "kaiming_uniform", "fanout_std_uniform")

# --- numeric semantics ----------------------------------------------------------------------

#: Functions whose outputs differ between native and tinybig semantics (see DESIGN.md).
NATIVE_CHANGES = {
    "hm_reconciliation": "a true Kronecker product instead of tinybig's outer-product layout",
    "lphm_reconciliation": "a true Kronecker product instead of tinybig's outer-product layout",
    "dual_lphm_reconciliation": "a true Kronecker product instead of tinybig's layout",
    "duplicated_padding_reconciliation": "a true Kronecker product with ones(p, q)",
    "hm_parameterized_concatenation_fusion": "a true Kronecker product",
    "lphm_parameterized_concatenation_fusion": "a true Kronecker product",
    "dual_lphm_parameterized_concatenation_fusion": "a true Kronecker product",
    "laguerre_expansion": "P1(x) = 1 + alpha - x as documented (tinybig: x + 1 + alpha)",
    "beta_wavelet_expansion": "evaluated element by element (tinybig: depends on the batch)",
    "shannon_wavelet_expansion": "finite at its removable singularity",
    "meyer_wavelet_expansion": "finite at its removable singularity",
    "layer_norm": "a registered module: trained, saved and counted in the parameters",
    "batch_norm": "a registered module: trained, saved, counted, and in evaluation mode uses its "
    "running statistics (tinybig's stays in training mode)",
}
