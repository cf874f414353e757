"""The dimension rules: table coverage and agreement with tinybig's recorded D, l and n."""

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from rpnschema import dims
from rpnschema.spec import (
    COMPONENT_TYPES,
    AnyExpansion,
    AnyFusion,
    AnyReconciliation,
    component_name,
)

DATA = Path(__file__).parent / "data" / "conformance"


def _cases(name: str) -> list[dict]:
    return json.loads((DATA / f"{name}.json").read_text())["cases"]


@pytest.mark.parametrize(
    ("family", "table"),
    [
        ("expansion", dims.D_RULES),
        ("reconciliation", dims.L_RULES),
        ("fusion", dims.N_RULES),
        ("fusion", dims.FUSION_L_RULES),
    ],
)
def test_every_catalog_member_has_a_rule(family: str, table: dict) -> None:
    missing = [
        component_name(cls)
        for cls in COMPONENT_TYPES[family]
        if not any(base in table for base in cls.__mro__)
    ]
    assert missing == []


def _tinybig_params(params: dict) -> dict:
    out = dict(params)
    out.pop("preprocess_function_configs", None)
    out.pop("postprocess_function_configs", None)
    if "composition_function_configs" in out:
        out["functions"] = [
            {"name": c["function_class"].rsplit(".", 1)[-1], **c.get("function_parameters", {})}
            for c in out.pop("composition_function_configs")
        ]
    return out


@pytest.mark.parametrize("case", _cases("expansions"), ids=lambda c: c["id"])
def test_expansion_D_matches_tinybig(case: dict) -> None:
    spec = TypeAdapter(AnyExpansion).validate_python(
        {"name": case["function"], **_tinybig_params(case["params"])}
    )
    assert dims.expansion_D(spec, case["m"], "tinybig") == case["D"]


@pytest.mark.parametrize("case", _cases("reconciliations"), ids=lambda c: c["id"])
def test_reconciliation_l_matches_tinybig(case: dict) -> None:
    spec = TypeAdapter(AnyReconciliation).validate_python(
        {"name": case["function"], **case["params"]}
    )
    assert dims.reconciliation_l(spec, case["n"], case["D"]) == case["l"]
    if "resolved_params" in case:
        p, q = dims.resolve_pq(spec, case["n"], case["D"])
        assert {"p": p, "q": q} == {**{"p": p, "q": q}, **case["resolved_params"]}


@pytest.mark.parametrize("case", _cases("fusions"), ids=lambda c: c["id"])
def test_fusion_n_and_l_match_tinybig(case: dict) -> None:
    spec = TypeAdapter(AnyFusion).validate_python({"name": case["function"], **case["params"]})
    assert dims.fusion_n(spec, case["dims"]) == case["n"]
    assert dims.fusion_l(spec, case["dims"]) == case["l"]


def _exp(data: dict):
    return TypeAdapter(AnyExpansion).validate_python(data)


def _rec(data: dict):
    return TypeAdapter(AnyReconciliation).validate_python(data)


@pytest.mark.parametrize(
    ("data", "m", "D"),
    [
        ({"name": "taylor_expansion", "d": 2}, 784, 784 + 784**2),
        ({"name": "taylor_expansion", "d": 3}, 5, 5 + 25 + 125),
        ({"name": "fourier_expansion", "N": 3}, 4, 24),
        ({"name": "bspline_expansion", "t": 4, "d": 2}, 3, 18),
        ({"name": "gaussian_rbf_expansion", "num_interval": 7}, 3, 21),
        ({"name": "hermite_expansion", "d": 4}, 3, 12),
        ({"name": "chi2_expansion"}, 5, 10),
        ({"name": "gamma_expansion"}, 5, 30),
        ({"name": "naive_gamma_expansion"}, 5, 5),
        ({"name": "ricker_wavelet_expansion", "s": 2, "t": 3, "d": 2}, 2, 12 + 144),
        ({"name": "combinatorial_expansion", "d": 3}, 4, 4 + 2 * 6 + 3 * 4),
        ({"name": "combinatorial_normal_expansion", "d": 2}, 4, 4 + 6),
        (
            {"name": "combinatorial_expansion", "d": 2, "with_replacement": True},
            3,
            3 + 2 * 6,
        ),
        (
            {
                "name": "nested_expansion",
                "functions": ["identity_expansion", {"name": "taylor_expansion", "d": 2}],
            },
            3,
            12,
        ),
        (
            {"name": "extended_expansion", "functions": ["hyperbolic_expansion", "chi2_expansion"]},
            3,
            15,
        ),
    ],
)
def test_expansion_formulas(data: dict, m: int, D: int) -> None:
    assert dims.expansion_D(_exp(data), m, "native") == D


def test_with_replacement_is_ignored_under_tinybig() -> None:
    spec = _exp({"name": "combinatorial_expansion", "d": 2, "with_replacement": True})
    assert dims.expansion_D(spec, 3, "tinybig") == 3 + 2 * 3
    assert dims.expansion_D(spec, 3, "native") == 3 + 2 * 6


def test_combinatorial_degree_above_m_is_a_problem() -> None:
    with pytest.raises(dims.DimProblem) as e:
        dims.expansion_D(_exp({"name": "combinatorial_normal_expansion", "d": 3}), 2, "native")
    assert e.value.path == ("d",)
    assert e.value.expected == "d <= 2"


@pytest.mark.parametrize(
    ("data", "n", "D", "l"),
    [
        ({"name": "identity_reconciliation"}, 3, 4, 12),
        ({"name": "lorr_reconciliation", "r": 3}, 10, 20, 90),
        ({"name": "hm_reconciliation", "p": 2, "q": 4}, 4, 8, 8 + 2 * 2),
        ({"name": "lphm_reconciliation", "p": 2, "q": 4, "r": 1}, 4, 8, 8 + 4),
        ({"name": "dual_lphm_reconciliation", "p": 2, "q": 4, "r": 2}, 4, 8, 2 * (2 + 4 + 2 + 2)),
        ({"name": "duplicated_padding_reconciliation", "p": 2, "q": 2}, 4, 8, 8),
        ({"name": "duplicated_diagonal_padding_reconciliation", "p": 3}, 3, 12, 4),
        ({"name": "random_matrix_adaption_reconciliation", "r": 4}, 5, 9, 9),
        ({"name": "hypernet_reconciliation", "l": 17}, 5, 9, 17),
        ({"name": "constant_eye_reconciliation"}, 5, 9, 0),
    ],
)
def test_reconciliation_formulas(data: dict, n: int, D: int, l: int) -> None:
    assert dims.reconciliation_l(_rec(data), n, D) == l


def test_divisibility_problem_names_the_factor_and_suggests_a_divisor() -> None:
    with pytest.raises(dims.DimProblem) as e:
        dims.reconciliation_l(_rec({"name": "lphm_reconciliation", "p": 2, "q": 5}), 4, 12)
    assert e.value.path == ("q",)
    assert e.value.message == "q (=5) must divide D (=12)"
    assert e.value.suggestion == "use q: 4"


def test_auto_pq_uses_divisors_closest_to_sqrt() -> None:
    spec = _rec({"name": "hm_reconciliation"})
    # 615440 = 784 * 785 and isqrt(615440) = 784
    assert dims.resolve_pq(spec, 12, 615440) == (3, 784)
    assert dims.reconciliation_l(spec, 12, 615440) == 3 * 784 + 4 * 785


def test_hypernet_trained_network_counts_extra_parameters() -> None:
    spec = _rec({"name": "hypernet_reconciliation", "l": 4, "hidden_dim": 3, "static": False})
    assert dims.reconciliation_extra_parameters(spec, 2, 5) == 4 * 3 + 3 + 3 * 10 + 10


def test_processing_parameters_depend_on_semantics() -> None:
    from rpnschema.spec.processing import BatchNorm, LayerNorm

    ln = LayerNorm(name="layer_norm")
    assert dims.processing_parameters(ln, 12, "native") == 24
    assert dims.processing_parameters(ln, 12, "tinybig") == 0
    assert dims.processing_parameters(BatchNorm(name="batch_norm", affine=False), 12, "native") == 0
