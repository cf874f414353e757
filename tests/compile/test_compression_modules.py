"""Compression modules beyond the conformance vectors: native semantics, gradients, dtypes,
state between calls, and the scikit-learn extra."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from rpnschema import MissingDependencyError, build
from rpnschema.compile.kernels import _sklearn
from rpnschema.compile.kernels.compression_dimension_reduction import batch_pca


def _module(expansion: Any, m: int, semantics: str = "native", **kw: Any):
    spec = {
        "semantics": semantics,
        "seed": 3,
        "layers": [{"m": m, "n": 2, "heads": [{"expansion": expansion}]}],
    }
    return build(spec, **kw).layers[0].heads[0].expansion


X = torch.randn(12, 5, generator=torch.Generator().manual_seed(0))


def test_native_pca_is_differentiable_and_matches_scikit_learn() -> None:
    decomposition = pytest.importorskip("sklearn.decomposition")
    x = X.double().requires_grad_(True)
    y = _module({"name": "incremental_PCA_based_compression", "D": 2}, 5, dtype="float64")(x)
    want = torch.from_numpy(decomposition.PCA(n_components=2).fit_transform(X.double().numpy()))
    torch.testing.assert_close(y.detach().abs(), want.abs())
    y.square().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_native_random_projection_is_one_fixed_map() -> None:
    module = _module({"name": "incremental_random_projection_based_compression", "D": 3}, 5)
    first, second = module(X), module(X)
    torch.testing.assert_close(first, second)  # tinybig redraws it on every call
    again = _module({"name": "incremental_random_projection_based_compression", "D": 3}, 5)
    torch.testing.assert_close(again(X), first)  # from the model seed and the path
    matrix = module.fitter.matrix
    assert matrix.shape == (3, 5) and set(matrix.abs().unique().tolist()) <= {
        0.0,
        matrix.abs().max().item(),
    }


def test_variance_threshold_keeps_state_and_passes_gradients() -> None:
    module = _module({"name": "incremental_variance_threshold_based_compression", "D": 2}, 5)
    x = X.clone().requires_grad_(True)
    y = module(x)
    chosen = torch.argsort(X.var(dim=0))[-2:]
    torch.testing.assert_close(y, X[:, chosen])
    y.sum().backward()
    assert sorted(torch.nonzero(x.grad.sum(0)).flatten().tolist()) == sorted(chosen.tolist())
    module(X * 2)
    assert module.fitter.state.t == 2  # a running mean over the calls


def test_fitted_float64_outputs_come_back_in_the_model_dtype() -> None:
    pytest.importorskip("sklearn")
    module = _module({"name": "lle_manifold_compression", "D": 2, "n_neighbors": 4}, 5, "tinybig")
    assert module.fitter(X).dtype == torch.float64  # tinybig's dtype, from scikit-learn
    assert module(X).dtype == torch.float32  # what a float32 head can use


def test_native_honours_require_normalization() -> None:
    spec = {"name": "naive_gamma_probabilistic_compression", "k": 2, "simply_sampling": False,
            "require_normalization": False}  # fmt: skip
    x = torch.rand(4, 5, generator=torch.Generator().manual_seed(1)) + 0.5
    outputs = {}
    for semantics in ("native", "tinybig"):
        torch.manual_seed(0)
        outputs[semantics] = _module(spec, 5, semantics)(x)
    assert (outputs["native"] > 1).any()  # raw inputs, not squashed into (0.001, 0.991)
    assert (outputs["tinybig"] < 1).all()


def test_a_fitted_compression_without_scikit_learn_says_how_to_install(monkeypatch) -> None:
    def missing(name: str) -> Any:
        raise ImportError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(_sklearn, "_import", missing)
    with pytest.raises(MissingDependencyError, match=r"pip install 'rpnschema\[sklearn\]'"):
        _module({"name": "mds_manifold_compression", "D": 2}, 5)


def test_batch_pca_signs_follow_scikit_learn() -> None:
    y = batch_pca(X.double(), 3)
    centred = X.double() - X.double().mean(0)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    axes = torch.linalg.lstsq(centred, y).solution.T
    assert torch.allclose(axes.abs(), vh[:3].abs(), atol=1e-8)
    assert (axes.gather(1, axes.abs().argmax(1, keepdim=True)) > 0).all()
