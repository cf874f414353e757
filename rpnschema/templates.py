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


def template_text(name: str) -> str:
    """The YAML text of template ``name`` (a key of :data:`TEMPLATES`)."""
    return TEMPLATES[name][1]
