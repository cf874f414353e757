"""Property tests of validation over generated specs (strategies from rpnschema.testing).

Generated specs validate, normalize idempotently, round-trip through JSON and YAML, carry the
dimensions and parameter counts the formulas give, and chain; malformed documents only ever
produce structured, located errors.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time
from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpnschema import (
    Code,
    Diagnostic,
    ModelSpec,
    dims,
    io,
    normalize_spec,
    validate_data,
    validate_text,
)
from rpnschema.errors import LoadError
from rpnschema.testing import garbage, model_spec_objects, model_specs, mutation_cases

# --- generated specs are valid and stable ---------------------------------------------------


@given(model_specs())
def test_generated_specs_validate_and_normalize_idempotently(data: dict[str, Any]) -> None:
    result = validate_data(data)
    assert result.errors == [], [str(d) for d in result.errors]
    assert result.ok and result.spec is not None
    # what normalization applied is reported, as located notices only
    assert all(d.severity == "notice" and d.path for d in result.diagnostics)
    again = validate_data(result.spec.to_data())
    assert again.diagnostics == []  # nothing left to infer, default or expand: not even notices
    assert again.spec == result.spec
    assert normalize_spec(result.spec) == result.spec


@given(model_specs(), st.sampled_from(["json", "yaml"]))
def test_dump_load_round_trip(data: dict[str, Any], fmt: io.Format) -> None:
    spec = validate_data(data).unwrap()
    # the user's own document, written out and read back, means the same model
    assert validate_text(io.dumps(data, fmt), format=fmt).spec == spec
    # the normalized spec dumped and loaded again is the same spec, with nothing to report
    reloaded = validate_text(io.dumps(spec.to_data(), fmt), file=f"spec.{fmt}")
    assert reloaded.diagnostics == []
    assert reloaded.spec == spec


# --- inferred figures equal the formulas ----------------------------------------------------

_D_IS_M = {
    "identity_expansion", "reciprocal_expansion", "linear_expansion", "naive_normal_expansion",
    "naive_cauchy_expansion", "naive_chi2_expansion", "naive_gamma_expansion",
    "naive_exponential_expansion", "naive_laplace_expansion",
}  # fmt: skip
_D_IS_3M = {
    "hyperbolic_expansion", "arc_hyperbolic_expansion", "trigonometric_expansion",
    "arc_trigonometric_expansion",
}  # fmt: skip
_D_IS_6M = {
    "normal_expansion", "cauchy_expansion", "gamma_expansion", "exponential_expansion",
    "laplace_expansion", "hybrid_probabilistic_expansion",
}  # fmt: skip
_D_IS_MD = {
    "chebyshev_expansion", "jacobi_expansion", "hermite_expansion", "laguerre_expansion",
    "legendre_expansion", "gegenbauer_expansion", "bessel_expansion", "reverse_bessel_expansion",
    "fibonacci_expansion", "lucas_expansion",
}  # fmt: skip


def _D(e: Any, m: int, semantics: str) -> int:
    """D of an expansion on m inputs, from DESIGN.md's formulas (not from rpnschema.dims)."""
    name = e.name
    if name == "nested_expansion":
        for f in e.functions:
            m = _D(f, m, semantics)
        return m
    if name == "extended_expansion":
        return sum(_D(f, m, semantics) for f in e.functions)
    if name in _D_IS_M:
        return m
    if name in _D_IS_3M:
        return 3 * m
    if name in _D_IS_6M:
        return 6 * m
    if name in _D_IS_MD:
        return m * e.d
    if name == "chi2_expansion":
        return 2 * m
    if name == "taylor_expansion":
        return sum(m**i for i in range(1, e.d + 1))
    if name == "fourier_expansion":
        return 2 * e.N * m
    if name in ("gaussian_rbf_expansion", "inverse_quadratic_rbf_expansion"):
        return m * e.num_interval
    if name == "bspline_expansion":
        return m * (e.t + e.d)
    if name.endswith("_wavelet_expansion"):
        return sum((m * e.s * e.t) ** k for k in range(1, e.d + 1))
    if name.startswith("combinatorial"):
        replace = e.with_replacement and semantics == "native"
        weighted = name == "combinatorial_expansion"  # r values per r-subset, else one
        return sum(
            (r if weighted else 1) * math.comb(m + r - 1 if replace else m, r)
            for r in range(1, e.d + 1)
        )
    assert name.endswith("geometric_expansion"), name
    assert e.h * e.w * e.d == m
    return dims.expansion_D(e, m, semantics)  # grid geometry: checked against tinybig in test_dims


def _l(rec: Any, n: int, D: int) -> int:
    """l of a reconciliation fabricating n x D, from DESIGN.md's formulas."""
    name = rec.name.removesuffix("_reconciliation")
    if name in ("constant", "zero", "one", "constant_eye"):
        return 0
    if name in ("identity", "masking"):
        return n * D
    if name == "lorr":
        return rec.r * (n + D)
    if name in ("hypernet", "random_matrix_hypernet"):
        return rec.l
    if name == "random_matrix_adaption":
        return n + rec.r
    assert rec.p is not None and rec.q is not None, "normalization fills in p and q"
    p, q = rec.p, rec.q
    assert n % p == 0 and D % q == 0
    if name == "duplicated_diagonal_padding":
        assert p == q == n
        return D // n
    if name == "duplicated_padding":
        return (n // p) * (D // q)
    if name == "hm":
        return p * q + (n // p) * (D // q)
    if name == "lphm":
        return p * q + rec.r * (n // p + D // q)
    assert name == "dual_lphm", name
    return rec.r * (p + q + n // p + D // q)


def _fusion(f: Any, inputs: list[int]) -> tuple[int, int]:
    """(output size, learnable values) of a fusion of inputs sized ``inputs``."""
    assert f.dims == inputs, "normalization fills in the fused sizes"
    total = sum(inputs)
    if f.name == "concatenation_fusion":
        return total, 0
    if "concatenation" not in f.name:  # element-wise
        assert len(set(inputs)) == 1
        return inputs[0], len(inputs) if f.name.startswith("parameterized") else 0
    n = f.n
    assert n is not None, "normalization fills in a parameterized concatenation's n"
    if f.name == "parameterized_concatenation_fusion":
        return n, n * total
    if f.name == "lowrank_parameterized_concatenation_fusion":
        return n, f.r * (n + total)
    if f.name.startswith("random_matrix"):
        return n, n + f.r
    kind = f.name.removesuffix("_parameterized_concatenation_fusion")
    return n, _l(f.model_copy(update={"name": f"{kind}_reconciliation"}), n, total)


def _processing(items: list[Any], size: int, semantics: str) -> int:
    """Parameters of processing functions on ``size`` features; sizes must be filled in."""
    total = 0
    for p in items:
        if p.name == "layer_norm":
            assert p.normalized_shape == size
            total += size * (2 if p.bias else 1) if p.elementwise_affine else 0
        elif p.name == "batch_norm":
            assert p.num_features == size
            total += 2 * size if p.affine else 0
    return 0 if semantics == "tinybig" else total  # tinybig registers no processing modules


def _expansion_processing(e: Any, m: int, semantics: str) -> int:
    total = _processing(e.preprocess, m, semantics)
    size = m
    for f in getattr(e, "functions", []):
        sub_m = size if e.name == "nested_expansion" else m
        total += _expansion_processing(f, sub_m, semantics)
        size = _D(f, sub_m, semantics)
    return total + _processing(e.postprocess, _D(e, m, semantics), semantics)


@given(model_spec_objects())
def test_inferred_figures_equal_the_formulas_and_layers_chain(spec: ModelSpec) -> None:
    sem = spec.semantics
    assert spec.layers and spec.depth == len(spec.layers)
    assert spec.depth_alloc is None and spec.dims is None and spec.head is None
    for layer, following in zip(spec.layers, spec.layers[1:], strict=False):
        assert layer.output_dim == following.m
    model_total = 0
    for layer in spec.layers:
        assert layer.m is not None and layer.n is not None
        assert layer.width == len(layer.heads) and layer.width_alloc is None
        layer_total = _processing(layer.input_process, layer.m, sem)
        for h in layer.heads:
            assert h.m == layer.m and h.n == layer.n
            m, n = h.m, h.n
            assert h.D == _D(h.expansion, m, sem) == dims.expansion_D(h.expansion, m, sem)
            rec = h.reconciliation
            assert rec is not None and h.remainder is not None
            assert h.l == _l(rec, n, h.D) == dims.reconciliation_l(rec, n, h.D)
            # one bias shared by the channels; tinybig creates it only for l > 0
            bias = rec.enable_bias and (h.l > 0 or sem == "native")
            params = h.channels * h.l + (n if bias else 0)
            for w in (h.l_attribute_interdependence, h.l_instance_interdependence):
                params += h.channels * (w or 0)  # a row of w per channel
            # a hypernet's network: trained, or (static) frozen but registered by tinybig
            if rec.name == "hypernet_reconciliation" and (not rec.static or sem == "tinybig"):
                params += rec.l * rec.hidden_dim + rec.hidden_dim + (rec.hidden_dim + 1) * n * h.D
            out = n
            if h.channel_fusion is not None:
                out, fusion_l = _fusion(h.channel_fusion, [n] * h.channels)
                assert out == dims.fusion_n(h.channel_fusion, [n] * h.channels)
                params += fusion_l
            else:
                assert h.channels == 1, "several channels always get a fusion"
            assert h.output_dim == out
            if h.remainder.name == "linear_remainder":
                params += n * m + (n if h.remainder.enable_bias else 0)
            params += _processing(h.remainder.activation, n, sem)
            params += _processing(h.input_process, m, sem)
            params += _expansion_processing(h.expansion, m, sem)
            params += _processing(h.output_process, out, sem)
            assert h.parameters == params
            layer_total += params
        outs = [h.output_dim for h in layer.heads]
        out = outs[0]
        if layer.head_fusion is not None:
            out, fusion_l = _fusion(layer.head_fusion, outs)
            layer_total += fusion_l
        else:
            assert len(outs) == 1, "several heads always get a fusion"
        layer_total += _processing(layer.output_process, out, sem)
        assert layer.output_dim == out
        assert layer.parameters == layer_total
        model_total += layer_total
    assert spec.parameters == model_total == sum(layer.parameters or 0 for layer in spec.layers)


# --- malformed documents: structured errors, never an exception -----------------------------


def _assert_structured(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        assert isinstance(d.code, Code) and d.code.value.startswith("RPN")
        assert isinstance(d.message, str) and d.message
        assert isinstance(d.path, tuple)
        assert all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in d.path)
        assert d.severity in ("error", "warning", "notice")


_MUST_FAIL = {"unknown_key": Code.UNKNOWN_KEY, "unknown_function": Code.UNKNOWN_FUNCTION}


@given(st.data())
def test_mutations_yield_structured_located_errors(data: st.DataObject) -> None:
    case = data.draw(mutation_cases(data.draw(model_specs(max_layers=2))))
    result = validate_data(case.data)  # must not raise
    _assert_structured(result.diagnostics)
    assert result.ok == (result.spec is not None)
    assert result.ok or result.errors
    if case.kind in _MUST_FAIL:
        assert not result.ok
        assert (_MUST_FAIL[case.kind], case.expected_path) in {
            (d.code, d.path) for d in result.errors
        }, [str(d) for d in result.errors]
    for fmt in ("json", "yaml"):  # the same document as a file: the same errors, located
        try:
            in_file = validate_text(io.dumps(case.data, fmt), file=f"spec.{fmt}")
        except LoadError as e:  # not a document (none expected): reported, not raised raw
            _assert_structured([e.diagnostic])
            continue
        assert Counter((d.code, d.path) for d in in_file.errors) == Counter(
            (d.code, d.path) for d in result.errors
        )  # in the file's order
        if fmt == "yaml" and isinstance(case.data, dict):
            assert all(d.line is not None and d.file == "spec.yaml" for d in in_file.errors)


@given(garbage())
def test_garbage_documents_yield_structured_errors(document: Any) -> None:
    result = validate_data(document)
    _assert_structured(result.diagnostics)
    if not isinstance(document, dict):
        assert [d.code for d in result.errors] == [Code.NOT_A_MAPPING]
    assert result.ok or result.errors


@given(st.text(max_size=200))
def test_garbage_text_yields_structured_errors(text: str) -> None:
    for fmt in ("json", "yaml"):
        try:
            document = io.parse(text, format=fmt)  # type: ignore[arg-type]
        except LoadError as e:
            _assert_structured([e.diagnostic])
            continue
        _assert_structured(validate_data(document.data, document=document).diagnostics)


# Found by the mutation tests: each once hung validation (minutes, or until memory ran out).
_TAYLOR = {"name": "taylor_expansion", "d": 10**9}
_WAVELET = {"name": "meyer_wavelet_expansion", "d": 10**15}
_COMBINATIONS = {"name": "combinatorial_expansion", "d": 10**9, "with_replacement": True}
_SPHERE = {"name": "sphere_patch_based_geometric_expansion", "h": 2, "w": 1, "p_r": 10**6}
_CYLINDER = {
    "name": "cylinder_patch_based_geometric_expansion",
    **{"h": 2, "w": 1, "p_r": 10**90, "packing_strategy": "sparse_square"},
}
_GRID = {"name": "cuboid_patch_based_geometric_expansion", "h": 10**90, "w": 1, "p_h": 0, "p_w": 0}
_LAYER = {"m": 2, "n": 2, "heads": [{"expansion": "identity_expansion"}]}
_HM = {"expansion": "identity_expansion", "reconciliation": "hm_reconciliation"}
HUGE = [
    ({"dims": [2, 3], "head": {"expansion": _TAYLOR}}, ("head", "expansion")),
    ({"dims": [2, 3], "head": {"expansion": _WAVELET}}, ("head", "expansion")),
    ({"dims": [2, 3], "head": {"expansion": _COMBINATIONS}}, ("head", "expansion")),
    ({"dims": [2, 3], "head": {"expansion": _SPHERE}}, ("head", "expansion", "p_r")),
    ({"dims": [2, 3], "head": {"expansion": _CYLINDER}}, ("head", "expansion", "p_r")),
    ({"dims": [10**90, 2], "head": {"expansion": _GRID}}, ("head", "expansion")),
    ({"dims": [2, 3], "head": {"expansion": "identity_expansion", "channels": 10**9}},
     ("head", "channels")),
    ({"dims": [4, 10**30 + 1], "head": _HM}, ("head", "reconciliation", "p")),
    ({"layers": [{**_LAYER, "width": 10**9}]}, ("layers", 0, "width")),
    ({"depth": 10**9, "layers": [_LAYER]}, ("depth",)),
]  # fmt: skip


@pytest.mark.parametrize(("data", "path"), HUGE)
def test_huge_values_fail_fast(data: dict[str, Any], path: tuple[Any, ...]) -> None:
    start = time.perf_counter()
    result = validate_data(data)
    assert time.perf_counter() - start < 2
    assert [(d.code, d.path) for d in result.errors] == [(Code.BUDGET, path)]


# --- dependencies ---------------------------------------------------------------------------


def test_validation_and_generation_never_import_torch() -> None:
    code = textwrap.dedent(
        """
        import sys
        import rpnschema
        assert rpnschema.validate_data({"dims": [2, 1], "head": {"expansion": "relu"}}).errors
        assert "hypothesis" not in sys.modules, "import rpnschema must not import hypothesis"
        from hypothesis import given, settings
        from rpnschema.testing import model_specs

        @settings(max_examples=20, database=None, derandomize=True)
        @given(model_specs())
        def check(data):
            rpnschema.validate_data(data).unwrap()

        check()
        leaked = [m for m in sys.modules if m.partition(".")[0] == "torch" or "rpnschema.comp" in m]
        assert not leaked, leaked
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
