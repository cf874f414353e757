"""Every catalog component builds, counts its parameters as inferred, runs forward and backward;
the two semantics agree wherever they coincide."""

from __future__ import annotations

import pytest
import torch

from rpnschema.compile import BUILDERS, build
from rpnschema.compile.kernels import fusion as kfusion
from rpnschema.compile.kernels import reconciliation as krec
from rpnschema.compile.kernels.expansion import NATIVE_DIFFERS
from rpnschema.spec import COMPONENT_TYPES
from tests.compile.catalog_specs import CASES, NATIVE_ONLY, TINYBIG_ONLY

SEMANTIC_CASES = [
    (sem, key)
    for sem in ("native", "tinybig")
    for key in CASES
    if not (sem == "tinybig" and key in NATIVE_ONLY)
    and not (sem == "native" and key in TINYBIG_ONLY)
]


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("family", sorted(COMPONENT_TYPES))
def test_every_component_has_a_builder(family: str) -> None:
    import rpnschema.compile.compression  # noqa: F401 - registers the compressions' builders

    missing = [cls.__name__ for cls in COMPONENT_TYPES[family] if cls not in BUILDERS]
    assert missing == []


def test_catalog_cases_cover_the_catalog() -> None:
    used = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("name"), str):
                used.add(node["name"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            used.add(node)

    walk(list(CASES.values()))
    from rpnschema.spec import CATALOG

    assert set(CATALOG) - used == set()


@pytest.mark.parametrize(("semantics", "key"), SEMANTIC_CASES)
def test_component_builds_counts_and_trains(semantics: str, key: str) -> None:
    model = build({**CASES[key], "semantics": semantics})
    assert _count(model) == model.spec.parameters
    for layer in model.layers:
        assert _count(layer) == layer.spec.parameters
        for head in layer.heads:
            assert _count(head) == head.spec.parameters
    x = torch.rand(5, model.layers[0].m, generator=torch.Generator().manual_seed(0)) * 0.8 + 0.1
    y = model(x)
    assert y.shape == (5, model.layers[-1].spec.output_dim)
    assert torch.isfinite(y).all()
    (y * torch.linspace(-1, 1, y.numel()).view_as(y)).sum().backward()
    for name, p in model.named_parameters():
        if not p.requires_grad:  # tinybig's static hypernet network: registered, frozen
            assert name.endswith(("weight1", "bias1", "weight2", "bias2")), name
            continue
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name


# --- native vs tinybig ----------------------------------------------------------------------

# Components whose two semantics give different outputs on these cases.
DIFFERENT = {"laguerre_expansion"} | (set(krec.RECONCILIATIONS) - krec.SAME_IN_BOTH_SEMANTICS)
DIFFERENT |= {f for f in kfusion.FUSIONS if f not in kfusion.SAME_IN_BOTH_SEMANTICS}
DIFFERENT |= {f"head_fusion_{f}" for f in DIFFERENT}
# A bias on a parameter-free reconciliation: native adds it, tinybig creates no b (l = 0).
DIFFERENT |= {"constant_reconciliation"}
# Interdependences: Kronecker layouts of the hypercomplex fabrications, the diagonal of
# rv_coefficient (tinybig 0, native 1), exponential_approx's self_dependence (tinybig ignores it).
DIFFERENT |= {
    "hm_parameterized_interdependence",
    "lphm_parameterized_interdependence",
    "hm_parameterized_bilinear_interdependence",
    "lphm_parameterized_bilinear_interdependence",
    "rv_coefficient_interdependence",
    "statistical_kernel_based_interdependence",  # with the rv_coefficient kernel
    "exponential_approx_multihop_chain_interdependence",
}
# Same math, but the outputs may differ for some inputs (wavelet singularities, batches
# outside beta's support): not asserted either way.
UNASSERTED = NATIVE_DIFFERS - {"laguerre_expansion"}
# Compressions that draw from numpy's global RNG (not seeded here), or fit differently in
# native semantics (torch PCA: the same projection up to the sign of each axis).
UNASSERTED |= {
    "mds_manifold_compression",
    "tsne_manifold_compression",
    "spectral_embedding_manifold_compression",
    "incremental_PCA_based_compression",
    "dimension_reduction_compression",
}
# native draws one projection at build time; tinybig (scikit-learn) a new one per batch
DIFFERENT |= {"incremental_random_projection_based_compression"}
SAME = sorted(k for k in CASES if k not in DIFFERENT | UNASSERTED | NATIVE_ONLY | TINYBIG_ONLY)


def _outputs(key: str, semantics: str) -> torch.Tensor:
    model = build({**CASES[key], "semantics": semantics})
    x = torch.rand(5, model.layers[0].m, generator=torch.Generator().manual_seed(1)) * 0.8 + 0.1
    torch.manual_seed(0)  # dropout and redrawn masks
    with torch.no_grad():
        return model(x)


@pytest.mark.parametrize("key", SAME)
def test_semantics_agree(key: str) -> None:
    torch.testing.assert_close(_outputs(key, "native"), _outputs(key, "tinybig"))


@pytest.mark.parametrize("key", sorted(DIFFERENT & set(CASES)))
def test_semantics_differ(key: str) -> None:
    assert not torch.allclose(_outputs(key, "native"), _outputs(key, "tinybig"))


def test_the_enumeration_is_complete() -> None:
    covered = set(SAME) | (DIFFERENT & set(CASES)) | UNASSERTED | NATIVE_ONLY | TINYBIG_ONLY
    assert covered >= set(CASES)
    assert "hm_reconciliation" in DIFFERENT and "taylor_expansion" in SAME


# --- processing modules ---------------------------------------------------------------------


def test_processing_registered_only_under_native() -> None:
    key = "nested_processing"
    native = build({**CASES[key], "semantics": "native"})
    tinybig = build({**CASES[key], "semantics": "tinybig"})
    head = "layers.0.heads.0."
    extra = {k for k in native.state_dict() if k not in tinybig.state_dict()}
    assert {
        head + "expansion.preprocess.0.weight",
        head + "expansion.postprocess.0.running_mean",
        head + "remainder.activation.0.bias",
    } <= extra
    assert all(k.rsplit(".", 1)[-1] in {"w", "w_remainder"} for k in tinybig.state_dict())
    assert _count(native) - _count(tinybig) == 2 * 3 + 2 * 12 + 2 * 4


def test_tinybig_batch_norm_uses_batch_statistics_in_eval() -> None:
    spec = {**CASES["batch_norm"], "semantics": "tinybig"}
    model = build(spec).eval()
    x = torch.rand(6, 3, generator=torch.Generator().manual_seed(2))
    out = model.layers[0].output_process(model.layers[0].heads[0](x))
    torch.testing.assert_close(out.mean(0), torch.zeros(4), atol=1e-5, rtol=0)


def test_layer_norm_matches_an_independent_computation() -> None:
    model = build({**CASES["layer_norm"], "semantics": "native"})
    norm = model.layers[0].output_process[0]
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
        norm.bias.copy_(torch.tensor([0.5, 0.0, -0.5, 1.0]))
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(3))
    mu, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    want = (x - mu) / torch.sqrt(var + 1e-5) * norm.weight + norm.bias
    torch.testing.assert_close(norm(x), want)


def test_native_cylinder_with_asymmetric_depth() -> None:
    head = {
        "expansion": {
            "name": "cylinder_patch_based_geometric_expansion",
            "h": 2,
            "w": 2,
            "p_r": 1,
            "p_d": 0,
            "p_d_prime": 1,
        },
        "remainder": "zero_remainder",
    }
    model = build({"layers": [{"m": 4, "n": 2, "heads": [head]}]})
    assert model(torch.rand(2, 4)).shape == (2, 2)
