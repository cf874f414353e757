"""Starter specs for ``rpnschema new``: small, valid, commented YAML documents."""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, str]] = {
    "mlp": (
        "An MLP-like stack of quadratic Taylor heads with low-rank weights.",
        """# An MLP-like RPN: one layer per pair of dims, each a Taylor expansion (d = 2) with
# low-rank (lorr) reconciliation and a linear remainder. Edit dims for your data.
spec_version: 2
name: mlp_taylor
seed: 0
dims: [16, 32, 4]
head:
  expansion: {name: taylor_expansion, d: 2}
  reconciliation: {name: lorr_reconciliation, r: 2}
  remainder: linear_remainder
""",
    ),
    "kan": (
        "A KAN: B-spline expansions with SiLU-activated linear remainders.",
        """# A KAN-like RPN: B-spline expansions on a grid, linear remainders with SiLU.
spec_version: 2
name: kan_bspline
seed: 0
dims: [2, 5, 1]
head:
  preset: kan
  grid_range: [-1.0, 1.0]
  t: 5
  d: 3
""",
    ),
    "svm": (
        "An SVM-like head: a Gaussian RBF kernel expansion.",
        """# An SVM-like RPN: a Gaussian RBF kernel expansion and identity reconciliation.
spec_version: 2
name: svm_rbf
seed: 0
layers:
  - m: 4
    n: 1
    heads:
      - preset: svm
        kernel: gaussian_rbf
        num_interval: 10
""",
    ),
    "naive_bayes": (
        "A naive Bayes classifier: one log-density per feature.",
        """# A naive Bayes RPN: a naive normal log-density per feature, one score per class.
spec_version: 2
name: naive_bayes
seed: 0
layers:
  - m: 4
    n: 3
    heads:
      - preset: naive_bayes
        distribution: normal
""",
    ),
    "multi-head": (
        "One layer of three different heads joined by a learned fusion, then an output layer.",
        """# Several heads on the same input, combined by a learned concatenation fusion.
spec_version: 2
name: multi_head
seed: 0
layers:
  - m: 8
    n: 4
    heads:
      - expansion: {name: taylor_expansion, d: 2}
        reconciliation: {name: lorr_reconciliation, r: 2}
        remainder: linear_remainder
      - expansion: {name: chebyshev_expansion, d: 3}
      - expansion: {name: gaussian_rbf_expansion, num_interval: 5}
    head_fusion: {name: parameterized_concatenation_fusion, n: 4}
    output_process: [relu]
  - n: 2
    heads:
      - expansion: identity_expansion
""",
    ),
}

#: tinybig's model classes as model presets: (template, name, description, dims, options).
_MODEL_PRESETS = (
    (
        "rpn-mlp",
        "mlp",
        "tinybig's mlp: perceptron layers (ReLU, Dropout, Softmax).",
        [16, 32, 4],
        "",
    ),
    (
        "rpn-kan",
        "kan",
        "tinybig's kan: B-spline layers with SiLU remainders.",
        [2, 5, 1],
        "t: 5, d: 3",
    ),
    (
        "rpn-svm",
        "svm",
        "tinybig's svm: a Gaussian RBF kernel layer.",
        [4, 2],
        "kernel: gaussian_rbf, num_interval: 10",
    ),
    (
        "rpn-naive-bayes",
        "naive_bayes",
        "tinybig's naive_bayes: one log-density per feature.",
        [4, 3],
        "distribution: normal",
    ),
    ("rpn-pgm", "pgm", "tinybig's pgm: pairwise normal densities.", [4, 3], "d: 2"),
    (
        "rpn-gcn",
        "gcn",
        "tinybig's gcn: graph layers over the nodes (one input row per node).",
        [3, 4, 2],
        "nodes: [0, 1, 2, 3], links: [[0, 1], [1, 2], [2, 3], [3, 0]]",
    ),
    (
        "rpn-gat",
        "gat",
        "tinybig's gat: graph attention layers over the nodes (one input row per node).",
        [3, 4, 2],
        "nodes: [0, 1, 2, 3], links: [[0, 1], [1, 2], [2, 3], [3, 0]]",
    ),
)
for _key, _name, _doc, _dims, _options in _MODEL_PRESETS:
    TEMPLATES[_key] = (
        _doc,
        f"""# {_doc}
# The model preset {_name} with dims expands into one layer per pair of dims, as tinybig's
# tinybig.model.{_name} builds them (see `rpnschema resolve`); width > 1 repeats one shared head.
spec_version: 2
name: rpn_{_name}
seed: 0
dims: {_dims}
preset: {{name: {_name}{", " + _options if _options else ""}}}
""",
    )

TEMPLATES["rpn-cnn"] = (
    "tinybig's cnn: grid convolutions and poolings, then perceptron layers.",
    """# tinybig's cnn: each input row is one 8x8 image (channel-major rows of channels*h*w values).
# Convolutions map channel_nums[i] to channel_nums[i+1] channels with 3x3 patches (p_h: 1);
# a max pooling of 3x3 patches two cells apart follows every convolution (pooling_layer_gaps:
# 1), halving the grid; perceptron layers end in fc_dims. `rpnschema resolve` shows the layers.
spec_version: 2
name: rpn_cnn
seed: 0
preset:
  name: cnn
  h: 8
  w: 8
  channel_nums: [1, 4, 8]
  fc_dims: [32, 10]
  p_h: 1
  pooling_layer_gaps: 1
  pooling_packing_strategy: complete_square
""",
)


TEMPLATES["rpn-rnn"] = (
    "tinybig's rnn: chain (sequence) layers over chain_length positions per input row.",
    """# tinybig's rnn: chain (sequence) layers over chain_length positions per input row.
# Input rows hold chain_length * dims[0] values (position after position). The model preset
# rnn expands (see `rpnschema resolve`) as tinybig.model.rnn builds it: per pair of hidden
# dims a per-position perceptron layer (ReLU) and a chain_interdependence layer mixing the
# positions (steps: chain_length), then the mean of the positions into a softmax layer.
# preset regression_rnn reads the whole last row instead of the mean.
spec_version: 2
name: rpn_rnn
seed: 0
dims: [1, 16, 2]
preset: {name: rnn, chain_length: 12, bi_directional: false}
""",
)


TEMPLATES["rpn-regression-rnn"] = (
    "tinybig's regression_rnn: chain layers, the last layer reads the whole row.",
    """# tinybig's regression_rnn: chain (sequence) layers over chain_length positions per input
# row, as rnn, but the last perceptron layer reads the whole row (chain_length * dims[-2]
# values) instead of the positions' mean: one output per row, e.g. the next value of a series.
spec_version: 2
name: rpn_regression_rnn
seed: 0
dims: [1, 16, 1]
preset: {name: regression_rnn, chain_length: 12, with_softmax: false}
""",
)


TEMPLATES["rpn-transformer"] = (
    "tinybig's transformer: bilinear attention over the rows (tokens) of one sequence.",
    """# tinybig's transformer: bilinear attention over the rows (tokens) of one sequence.
# An input is one sequence, L rows (tokens) of dims[0] features; the output has L rows too.
# Per pair of dims an attention layer (A = softmax over columns of sqrt(n) X W X^T, zeros
# masked) and a perceptron layer, then perceptron layers through fc_dims (see `rpnschema
# resolve`). Native semantics only: tinybig 0.2.1 cannot run its bilinear classes (RPN485).
spec_version: 2
name: rpn_transformer
seed: 0
dims: [8, 8]
preset: {name: transformer, fc_dims: [8, 2], with_dropout: false}
""",
)


def template_text(name: str) -> str:
    """The YAML text of template ``name`` (a key of :data:`TEMPLATES`)."""
    return TEMPLATES[name][1]
