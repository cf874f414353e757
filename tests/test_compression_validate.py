"""Validation of the compression family: located errors, notices, suggestions, and the
on-demand loading that keeps specs without a compression as fast as before."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from rpnschema import Code, validate_data


def _check(expansion: Any, m: int, semantics: str = "native") -> Any:
    return validate_data(
        {"semantics": semantics, "layers": [{"m": m, "n": 2, "heads": [{"expansion": expansion}]}]}
    )


def _only_error(result: Any) -> Any:
    assert len(result.errors) == 1, result.diagnostics
    return result.errors[0]


HEAD = ("layers", 0, "heads", 0, "expansion")


@pytest.mark.parametrize(
    ("expansion", "m", "path", "says"),
    [
        (
            {"name": "cuboid_mean_based_geometric_compression", "h": 3, "w": 3, "p_h": 1,
             "p_w": 1, "p_d": 0, "channel_num": 2},
            9,
            HEAD,
            "m (=9) must equal channel_num*h*w*d (=2*3*3*1=18)",
        ),
        (
            {"name": "geometric_compression", "metric": "batch_max", "h": 2, "w": 2,
             "patch": {"shape": "cuboid", "p_h": 2, "p_w": 1}},
            4,
            (*HEAD, "patch", "p_h"),
            "each patch spans 5 cells along h, more than the 2x2x1 grid gives it from any "
            "centre (3)",
        ),
        (
            {"name": "sphere_min_based_geometric_compression", "h": 3, "w": 3, "d": 3,
             "p_r": 0, "packing_strategy": "sparse_simple_cubic"},
            27,
            (*HEAD, "packing_strategy"),
            "centre distance of 0",
        ),
        ({"name": "naive_laplace_probabilistic_compression", "k": 6}, 5, (*HEAD, "k"),
         "k (=6) exceeds the input size m (=5)"),
        ({"name": "incremental_variance_threshold_based_compression", "D": 6}, 5, (*HEAD, "D"),
         "D (=6) exceeds the input size m (=5)"),
        ({"name": "nested_expansion", "functions": ["taylor_expansion",
          {"name": "incremental_PCA_based_compression", "D": 30}]}, 4,
         (*HEAD, "functions", 1, "D"), "D (=30) exceeds the input size m (=20)"),
    ],
)  # fmt: skip
def test_located_errors(expansion: Any, m: int, path: tuple, says: str) -> None:
    error = _only_error(_check(expansion, m))
    assert error.code is Code.COMPRESSION_DOMAIN
    assert error.path == path and says in error.message, error


def test_compositions_mix_expansions_and_compressions() -> None:
    expansion = {
        "name": "extended_compression",
        "functions": [
            {"name": "nested_expansion", "functions": ["taylor_expansion", "max_compression"]},
            {"name": "cuboid_max_based_geometric_compression", "h": 2, "w": 2, "p_h": 0,
             "p_w": 0, "p_d": 0},
            "chebyshev_expansion",
        ],
    }  # fmt: skip
    result = _check(expansion, 4)
    assert result.ok, result.diagnostics
    assert result.spec.layers[0].heads[0].D == 1 + 4 + 4 * 5


def test_typo_suggests_the_compression_and_names_unsupported_classes() -> None:
    error = _only_error(_check("max_compresion", 4))
    assert (
        error.code is Code.UNKNOWN_FUNCTION
        and error.suggestion == "did you mean 'max_compression'?"
    )
    error = _only_error(_check("transformation", 4))
    assert error.code is Code.UNSUPPORTED_CLASS and "abstract base class" in error.message
    error = _only_error(_check({"name": "metric_compression", "metric": "batch_mode"}, 4))
    assert error.code is Code.BAD_VALUE and "batch_max" in (error.expected or error.message)


def test_fitted_notices_say_what_training_sees() -> None:
    lle = {"name": "lle_manifold_compression", "D": 2, "n_neighbors": 3}
    pca = {"name": "incremental_PCA_based_compression", "D": 2}
    [notice] = [d for d in _check(lle, 5).diagnostics if d.code is Code.FITTED_COMPRESSION]
    assert notice.severity == "notice" and "not differentiable" in notice.message
    assert "rpnschema[sklearn]" in (notice.suggestion or "")
    [native] = [d for d in _check(pca, 5).diagnostics if d.code is Code.FITTED_COMPRESSION]
    assert "batch PCA in torch (differentiable" in native.message
    [tinybig] = [
        d for d in _check(pca, 5, "tinybig").diagnostics if d.code is Code.FITTED_COMPRESSION
    ]
    assert "scikit-learn on every forward call" in tinybig.message


def test_ignored_require_normalization_is_a_tinybig_warning() -> None:
    spec = {"name": "naive_gamma_probabilistic_compression", "k": 2, "require_normalization": False}
    [warning] = [d for d in _check(spec, 4, "tinybig").diagnostics if d.severity == "warning"]
    assert warning.code is Code.SEMANTICS and warning.path[-1] == "require_normalization"
    assert not [d for d in _check(spec, 4).diagnostics if d.severity == "warning"]


LAZY = """
import sys
from rpnschema import validate_data
ok = validate_data({"layers": [{"m": 3, "n": 2, "heads": [{"expansion": "taylor_expansion"}]}]})
before = "rpnschema.spec.compression" in sys.modules
fitted = {"name": "tsne_manifold_compression", "D": 2, "perplexity": 2.0}
used = validate_data({"layers": [{"m": 3, "n": 2, "heads": [{"expansion": fitted}]}]})
heavy = sorted(m for m in ("torch", "sklearn", "scipy") if m in sys.modules)
print(ok.ok, before, used.ok, "rpnschema.spec.compression" in sys.modules, heavy)
"""


def test_compressions_are_built_only_when_a_document_names_one() -> None:
    out = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False", "True", "True", "[]"]
