"""Pure dimension arithmetic: D(m) of expansions, l(n, D) of reconciliations, fusion output
sizes, parameter counts, and the constraints behind them. No torch, no I/O.

Rules are looked up through the class hierarchy in typed tables (``D_RULES``, ``L_RULES``, ...),
and ``tests/test_dims.py`` checks that every catalog member has one. A rule that cannot apply
raises :class:`DimProblem`, which the checker turns into a located diagnostic.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rpnschema import work
from rpnschema.errors import Code, Loc, plural
from rpnschema.factors import find_close_factors
from rpnschema.spec import expansion as ex
from rpnschema.spec import fusion as fu
from rpnschema.spec import processing as pr
from rpnschema.spec import reconciliation as rc
from rpnschema.spec import remainder as rm
from rpnschema.spec.base import Component


@dataclass
class DimProblem(Exception):
    """A dimension rule that cannot be satisfied; ``path`` is relative to the component."""

    code: Code
    message: str
    path: Loc = ()
    expected: str | None = None
    found: str | None = None
    suggestion: str | None = None
    #: Independent problems found by the same rule, reported together with this one.
    also: list[DimProblem] = field(default_factory=list)


T = TypeVar("T")


def _find(table: dict[type, T], spec: Component) -> T | None:
    for cls in type(spec).__mro__:
        if cls in table:
            return table[cls]
    return None


#: Rule modules of the families built on demand (see ``rpnschema.spec.registry.load_lazy``).
LAZY_RULES = {"compression": "rpnschema.dims_compression"}


def lookup(table: dict[type, T], spec: Component) -> T:
    """The rule for ``type(spec)``, found through its class hierarchy."""
    if type(spec).family in LAZY_RULES:
        importlib.import_module(LAZY_RULES[type(spec).family])  # registers its rules once
    rule = _find(table, spec)
    if rule is None:
        raise KeyError(f"no rule for {type(spec).__name__}")
    return rule


#: Expansion sizes are exact up to this bound; above it a rule returns some value above it, so
#: that a typo such as ``d: 100000`` fails the budget check (max_dim) at once instead of
#: computing numbers with millions of digits.
DIM_CEILING = 2**64
#: Largest patch radii whose cell count is computed (larger ones have over 2^32 cells).
MAX_DISC_RADIUS, MAX_BALL_RADIUS = 40_000, 1_100
#: Largest size that is factored (trial division up to its square root, 10^6 steps).
MAX_FACTORED = 10**12


def _all_divisors(k: int) -> list[int]:
    small = [f for f in range(1, math.isqrt(k) + 1) if k % f == 0]
    return sorted({*small, *(k // f for f in small)})


_DIVISORS = work.Memo(_all_divisors, math.isqrt)
_CLOSE_FACTORS = work.Memo(find_close_factors, math.isqrt)


def _too_much_work(field: str, what: str, e: work.Exhausted, suggestion: str) -> DimProblem:
    return DimProblem(
        Code.BUDGET,
        f"{what} takes {e.steps} steps, but this spec's distinct values have used all but "
        f"{e.left} of the {work.WORK_LIMIT} steps one validation may take",
        path=(field,),
        expected=f"at most {work.WORK_LIMIT} steps of arithmetic in all",
        found=f"{e.steps} more",
        suggestion=suggestion,
    )


def _divisors(k: int) -> list[int]:
    """The divisors of ``k`` (for suggestions): an empty list past the work budget."""
    try:
        return _DIVISORS(k)
    except work.Exhausted:
        return []


def close_factor(field: str, k: int) -> int:
    """tinybig's ``find_close_factors(k)``, memoized and charged to the work budget."""
    try:
        return _CLOSE_FACTORS(k)
    except work.Exhausted as e:
        raise _too_much_work(
            field, f"factoring {k}", e, f"give {field} explicitly: a divisor of {k}"
        ) from e


def _divides(name: str, factor: int, dim_name: str, dim: int) -> None:
    if dim % factor != 0:
        near = _divisors(dim) if dim <= MAX_FACTORED else []
        best = min(near, key=lambda f: (abs(f - factor), f)) if near else None
        listed = ", ".join(map(str, near[:12])) + (", ..." if len(near) > 12 else "")
        shown = f": {listed}" if near else ""
        raise DimProblem(
            Code.DIVISIBILITY,
            f"{name} (={factor}) must divide {dim_name} (={dim})",
            path=(name,),
            expected=f"a divisor of {dim}{shown}",
            found=str(factor),
            suggestion=f"use {name}: {best}" if best is not None else None,
        )


# --- expansions -----------------------------------------------------------------------------

ExpansionRule = Callable[[Any, int, str], int]


def _power_sum(base: int, d: int) -> int:
    """sum_{k=1..d} base^k (saturating above DIM_CEILING)."""
    if base == 1:
        return d
    total, term = 0, 1
    for _ in range(d):
        term *= base
        total += term
        if total > DIM_CEILING:
            break
    return total


def _comb(n: int, k: int) -> int:
    """C(n, k) (saturating above DIM_CEILING)."""
    k = min(k, n - k)
    if k < 0:
        return 0
    c = 1
    for i in range(k):
        c = c * (n - i) // (i + 1)
        if c > DIM_CEILING:
            break
    return c


def _wavelet_D(spec: ex._WaveletExpansion, m: int, semantics: str) -> int:
    return _power_sum(m * spec.s * spec.t, spec.d)


def _combinatorial_count(spec: Any, m: int, semantics: str, weighted: bool) -> int:
    replace = spec.with_replacement and semantics == "native"
    if not replace and spec.d > m:
        raise DimProblem(
            Code.EXPANSION_DOMAIN,
            f"d (={spec.d}) exceeds the input size m (={m}): there are no "
            f"{spec.d}-subsets of {m} features without replacement",
            path=("d",),
            expected=f"d <= {m}",
            found=str(spec.d),
            suggestion=f"use d: {m}"
            + (" or with_replacement: true" if semantics == "native" else ""),
        )
    d = spec.d
    if replace:  # hockey-stick identities over r = 1..d of C(m + r - 1, r) and r C(m + r - 1, r)
        if weighted:
            return m * _comb(m + d, d - 1)
        count = _comb(m + d, d)
        return count - 1 if count <= DIM_CEILING else count
    total = 0
    for r in range(1, d + 1):
        total += (r if weighted else 1) * _comb(m, r)
        if total > DIM_CEILING:
            break
    return total


def _geometric_centres(spec: ex._GeometricExpansion, semantics: str) -> int:
    if spec.cd_h is not None and spec.cd_w is not None and spec.cd_d is not None:
        cd = (spec.cd_h, spec.cd_w, spec.cd_d)
    else:
        cd = _packing_distances(spec)
    if min(cd) < 1:
        raise DimProblem(
            Code.EXPANSION_DOMAIN,
            f"packing_strategy {spec.packing_strategy!r} gives a patch centre distance of 0 "
            f"for this patch size",
            path=("packing_strategy",),
            expected="centre distances >= 1",
            found=str(list(cd)),
            suggestion="use densest_packing or a larger patch radius",
        )
    # integer ceilings: exact, and no float overflow for huge grids
    return -(-spec.h // cd[0]) * -(-spec.w // cd[1]) * -(-spec.d // cd[2])


_SQ2, _SQ3, _SQ6 = math.sqrt(2), math.sqrt(3), math.sqrt(6)


def _packing_distances(spec: ex._GeometricExpansion) -> tuple[int, int, int]:
    s = spec.packing_strategy
    if isinstance(spec, ex.CuboidPatchExpansion):
        f = {"densest_packing": 0, "dense_square": 1, "complete_square": 2, "sparse_square": 3}[s]
        if f == 0:
            return 1, 1, 1
        return tuple(max(int(f * p), 1) for p in (spec.p_h, spec.p_w, spec.p_d))  # type: ignore[return-value]
    if isinstance(spec, ex.CylinderPatchExpansion):
        r, pd = spec.p_r, spec.p_d
        table = {
            "densest_packing": (1, 1, 1),
            "sparse_square": (2 * r, 2 * r, 2 * pd),
            "complete_square": (_SQ2 * r, _SQ2 * r, 2 * pd),
            "sparse_hexagonal": (_SQ3 * r, 2 * r, 2 * pd),
            "complete_hexagonal": (1.5 * r, _SQ3 * r, 2 * pd),
            "dense_hexagonal": (_SQ6 / 2 * r, _SQ2 * r, pd),
            "denser_hexagonal": (_SQ3 / 2 * r, r, pd),
        }
        return tuple(max(int(v), 1) for v in table[s])  # type: ignore[return-value]
    r = spec.p_r  # sphere: tinybig truncates without a floor of 1
    table = {
        "densest_packing": (1, 1, 1),
        "sparse_simple_cubic": (2 * r, 2 * r, 2 * r),
        "complete_simple_cubic": (0.6667 * _SQ3 * r,) * 3,
        "dense_simple_cubic": (r, r, r),
        "sparse_face_centered_cubic": (2 * r, _SQ3 * r, 0.6667 * _SQ6 * r),
        "complete_face_centered_cubic": (_SQ2 * r, 0.6667 * _SQ6 * r, 1.3333 * r),
        "dense_face_centered_cubic": (r, r, r),
        "sparse_hexagonal": (2 * r, 2 * r, _SQ6 * r),
        "complete_hexagonal": (0.6667 * _SQ3 * r, 0.6667 * _SQ3 * r, r),
        "dense_hexagonal": (r, r, r),
    }
    return tuple(int(v) for v in table[s])  # type: ignore[return-value]


def _huge_patch(r: int, limit: int) -> DimProblem:
    # A lattice ball of radius r holds at least the volume of radius r - sqrt(3)/2 (disc:
    # r - sqrt(2)/2): above the limits that is over 2^32 cells, and counting would take minutes.
    return DimProblem(
        Code.BUDGET,
        f"p_r (={r}) gives patches of more than {2**32} cells each",
        path=("p_r",),
        expected=f"p_r <= {limit}",
        found=str(r),
        suggestion="use a patch radius smaller than the grid",
    )


def _count_disc(r: int) -> int:
    return sum(2 * math.isqrt(r * r - i * i) + 1 for i in range(-r, r + 1))


def _count_ball(r: int) -> int:
    total = 0
    for i in range(-r, r + 1):
        rest = r * r - i * i
        top = math.isqrt(rest)
        total += 2 * top + 1 + 2 * sum(2 * math.isqrt(rest - j * j) + 1 for j in range(1, top + 1))
    return total


_DISCS = work.Memo(_count_disc, lambda r: 2 * r + 1)
_BALLS = work.Memo(_count_ball, lambda r: (2 * r + 1) * (r + 1))


def _patch_cells(r: int, limit: int, memo: work.Memo[int, int]) -> int:
    if r > limit:
        raise _huge_patch(r, limit)
    try:
        return memo(r)
    except work.Exhausted as e:
        raise _too_much_work(
            "p_r", f"counting the cells of a patch of radius {r}", e, "use fewer distinct radii"
        ) from e


def _disc(r: int) -> int:
    """Lattice points with i^2 + j^2 <= r^2 (memoized)."""
    return _patch_cells(r, MAX_DISC_RADIUS, _DISCS)


def _ball(r: int) -> int:
    """Lattice points with i^2 + j^2 + k^2 <= r^2 (memoized)."""
    return _patch_cells(r, MAX_BALL_RADIUS, _BALLS)


def patch_volume(spec: ex._GeometricExpansion, semantics: str) -> int:
    """Cells per patch (cells outside the grid are zero-padded and still counted)."""
    if isinstance(spec, ex.CuboidPatchExpansion):
        ph2 = spec.p_h if spec.p_h_prime is None else spec.p_h_prime
        pw2 = spec.p_w if spec.p_w_prime is None else spec.p_w_prime
        pd2 = spec.p_d if spec.p_d_prime is None else spec.p_d_prime
        return (spec.p_h + ph2 + 1) * (spec.p_w + pw2 + 1) * (spec.p_d + pd2 + 1)
    if isinstance(spec, ex.CylinderPatchExpansion):
        pd2 = spec.p_d if spec.p_d_prime is None else spec.p_d_prime
        # tinybig spans [-p_d', p_d'] (it never reads p_d); native spans [-p_d, p_d'].
        depth = 2 * pd2 + 1 if semantics == "tinybig" else spec.p_d + pd2 + 1
        return _disc(spec.p_r) * depth
    return _ball(spec.p_r)


def _geometric_D(spec: ex._GeometricExpansion, m: int, semantics: str) -> int:
    cells = spec.h * spec.w * spec.d
    if m != cells:
        raise DimProblem(
            Code.EXPANSION_DOMAIN,
            f"the input size m (={m}) must equal h*w*d (={spec.h}*{spec.w}*{spec.d}={cells})",
            path=(),
            expected=f"m = {cells}",
            found=f"m = {m}",
            suggestion="set h, w and d to the grid shape of the input",
        )
    volume = patch_volume(spec, semantics)  # first: it bounds p_r, which the packings scale
    return _geometric_centres(spec, semantics) * volume


def _nested_D(spec: ex.NestedExpansion, m: int, semantics: str) -> int:
    size = m
    for i, f in enumerate(spec.functions):
        size = _sub_D(f, size, semantics, ("functions", i))
    return size


def _extended_D(spec: ex.ExtendedExpansion, m: int, semantics: str) -> int:
    return sum(_sub_D(f, m, semantics, ("functions", i)) for i, f in enumerate(spec.functions))


def _sub_D(spec: ex.Expansion, m: int, semantics: str, prefix: Loc) -> int:
    try:
        return expansion_D(spec, m, semantics)
    except DimProblem as p:
        for problem in (p, *p.also):
            problem.path = (*prefix, *problem.path)
        raise


D_RULES: dict[type, ExpansionRule] = {
    ex.IdentityExpansion: lambda s, m, sem: m,
    ex.ReciprocalExpansion: lambda s, m, sem: m,
    ex.LinearExpansion: lambda s, m, sem: m,
    ex.TaylorExpansion: lambda s, m, sem: _power_sum(m, s.d),
    ex.FourierExpansion: lambda s, m, sem: 2 * s.N * m,
    ex._ThreeMExpansion: lambda s, m, sem: 3 * m,
    ex._ProbabilisticExpansion: lambda s, m, sem: 6 * m,
    ex.Chi2Expansion: lambda s, m, sem: 2 * m,
    ex._NaiveProbabilisticExpansion: lambda s, m, sem: m,
    ex._RBFExpansion: lambda s, m, sem: m * s.num_interval,
    ex.BSplineExpansion: lambda s, m, sem: m * (s.t + s.d),
    ex._DegreeExpansion: lambda s, m, sem: m * s.d,
    ex._WaveletExpansion: _wavelet_D,
    ex.CombinatorialExpansion: lambda s, m, sem: _combinatorial_count(s, m, sem, True),
    ex.CombinatorialNormalExpansion: lambda s, m, sem: _combinatorial_count(s, m, sem, False),
    ex._GeometricExpansion: _geometric_D,
    ex.NestedExpansion: _nested_D,
    ex.ExtendedExpansion: _extended_D,
}


def expansion_D(spec: ex.Expansion, m: int, semantics: str = "native") -> int:
    """The output size D of ``spec`` on inputs of size m; raises :class:`DimProblem`."""
    return lookup(D_RULES, spec)(spec, m, semantics)


# --- reconciliations ------------------------------------------------------------------------


def resolve_pq(spec: Any, n: int, D: int) -> tuple[int, int]:
    """The (p, q) a hypercomplex reconciliation uses: given, or tinybig's choice."""
    padding = (rc.DuplicatedPaddingReconciliation, rc.DuplicatedDiagonalPaddingReconciliation)
    if isinstance(spec, (*padding, fu._ParameterizedConcatenation)):
        p = spec.p
        return p, spec.q if spec.q is not None else p
    for name, given, dim in (("p", spec.p, n), ("q", spec.q, D)):
        if given is None and dim > MAX_FACTORED:
            raise DimProblem(
                Code.BUDGET,
                f"{name} is chosen by factoring {dim}, which is too large to factor",
                path=(name,),
                expected=f"an explicit {name}",
                found="none",
                suggestion=f"give {name}: a divisor of {dim}",
            )
    p = spec.p if spec.p is not None else close_factor("p", n)
    q = spec.q if spec.q is not None else close_factor("q", D)
    return p, q


def _kron_factors(spec: Any, n: int, D: int) -> tuple[int, int, int, int]:
    p, q = resolve_pq(spec, n, D)
    problems = []
    for name, factor, dim_name, dim in (("p", p, "n", n), ("q", q, "D", D)):
        try:
            _divides(name, factor, dim_name, dim)
        except DimProblem as e:
            problems.append(e)
    if problems:
        first, *rest = problems
        first.also = rest
        raise first
    return p, q, n // p, D // q


def _diag_padding_l(spec: rc.DuplicatedDiagonalPaddingReconciliation, n: int, D: int) -> int:
    q = spec.q if spec.q is not None else spec.p
    for name, value in (("p", spec.p), ("q", q)):
        if value != n:
            raise DimProblem(
                Code.DIVISIBILITY,
                f"duplicated_diagonal_padding needs {name} == n: {name} (={value}), n (={n})",
                path=(name,),
                expected=f"{name} = {n}",
                found=str(value),
                suggestion=f"use p: {n} (q defaults to p)",
            )
    _divides("n", n, "D", D)
    return D // n


def _hm_l(spec: Any, n: int, D: int) -> int:
    p, q, s, t = _kron_factors(spec, n, D)
    return p * q + s * t


def _lphm_l(spec: Any, n: int, D: int) -> int:
    p, q, s, t = _kron_factors(spec, n, D)
    return p * q + spec.r * (s + t)


def _dual_lphm_l(spec: Any, n: int, D: int) -> int:
    p, q, s, t = _kron_factors(spec, n, D)
    return spec.r * (p + q + s + t)


def _padding_l(spec: Any, n: int, D: int) -> int:
    _, _, s, t = _kron_factors(spec, n, D)
    return s * t


L_RULES: dict[type, Callable[[Any, int, int], int]] = {
    rc.ConstantReconciliation: lambda s, n, D: 0,
    rc.ZeroReconciliation: lambda s, n, D: 0,
    rc.OneReconciliation: lambda s, n, D: 0,
    rc.ConstantEyeReconciliation: lambda s, n, D: 0,
    rc.IdentityReconciliation: lambda s, n, D: n * D,
    rc.MaskingReconciliation: lambda s, n, D: n * D,
    rc.DuplicatedPaddingReconciliation: _padding_l,
    rc.DuplicatedDiagonalPaddingReconciliation: _diag_padding_l,
    rc.LorrReconciliation: lambda s, n, D: s.r * (n + D),
    rc.HMReconciliation: _hm_l,
    rc.LPHMReconciliation: _lphm_l,
    rc.DualLPHMReconciliation: _dual_lphm_l,
    rc.HypernetReconciliation: lambda s, n, D: s.l,
    rc.RandomMatrixAdaptionReconciliation: lambda s, n, D: n + s.r,
    rc.RandomMatrixHypernetReconciliation: lambda s, n, D: s.l,
}


def reconciliation_l(spec: rc.Reconciliation, n: int, D: int) -> int:
    """Learnable values per channel of ``spec`` fabricating an n x D matrix."""
    return lookup(L_RULES, spec)(spec, n, D)


def has_bias(spec: rc.Reconciliation, l: int, semantics: str) -> bool:
    """Whether a head has the bias b: tinybig creates it only when l > 0."""
    return spec.enable_bias and (l > 0 or semantics == "native")


def _hypernet_network(spec: rc.HypernetReconciliation, n: int, D: int) -> int:
    """Weights and biases of the network l -> hidden_dim -> n D."""
    h = spec.hidden_dim
    return spec.l * h + h + h * n * D + n * D


def _hypernet_parameters(spec: rc.HypernetReconciliation, n: int, D: int) -> int:
    return 0 if spec.static else _hypernet_network(spec, n, D)


def tinybig_frozen_parameters(spec: rc.Reconciliation, n: int, D: int) -> int:
    """Parameters tinybig 0.2.1 registers but does not train: a static hypernet's network, an
    ``nn.Sequential`` whose frozen weights tinybig's ``parameters()`` (and parameter count)
    include. Native semantics keeps them as buffers."""
    if isinstance(spec, rc.HypernetReconciliation) and spec.static:
        return _hypernet_network(spec, n, D)
    return 0


#: Parameters a reconciliation module owns besides the head's w and b (default 0).
RECONCILIATION_EXTRA_PARAMETERS: dict[type, Callable[[Any, int, int], int]] = {
    rc.HypernetReconciliation: _hypernet_parameters,
}


def reconciliation_extra_parameters(spec: rc.Reconciliation, n: int, D: int) -> int:
    """Parameters besides w and b: a trained (non-static) hypernet's own network."""
    return _lookup_or(RECONCILIATION_EXTRA_PARAMETERS, spec, 0, n, D)


def _lookup_or(
    table: dict[type, Callable[..., Any]], spec: Component, default: Any, *a: Any
) -> Any:
    """The rule for ``spec`` applied to ``spec, *a``; ``default`` when the table has none."""
    rule = _find(table, spec)
    return default if rule is None else rule(spec, *a)


# --- fusions --------------------------------------------------------------------------------


def _require_equal(spec: Any, dims: list[int], why: str) -> None:
    if len(set(dims)) > 1:
        raise DimProblem(
            Code.FUSION_DIMS,
            f"{spec.name} {why}, but its inputs have sizes {dims}",
            path=(),
            expected="inputs of one size",
            found=str(dims),
            suggestion="give the heads/channels one output size, or use concatenation_fusion",
        )


def _elementwise_n(spec: Any, dims: list[int]) -> int:
    _require_equal(spec, dims, "combines inputs element by element")
    if isinstance(spec, fu.WeightedSummationFusion) and len(spec.weights) != len(dims):
        raise DimProblem(
            Code.FUSION_DIMS,
            f"weights has {plural(len(spec.weights), 'entry', 'entries')} for "
            f"{plural(len(dims), 'input')}",
            path=("weights",),
            expected=plural(len(dims), "weight"),
            found=str(len(spec.weights)),
        )
    return dims[0]


def _param_concat_n(spec: Any, dims: list[int]) -> int:
    if spec.n is not None:
        return spec.n
    _require_equal(spec, dims, "defaults its output size n to its input size")
    return dims[0]


N_RULES: dict[type, Callable[[Any, list[int]], int]] = {
    fu._ElementwiseFusion: _elementwise_n,
    fu.ConcatenationFusion: lambda s, dims: sum(dims),
    fu._ParameterizedConcatenation: _param_concat_n,
}


def _concat_kron_l(spec: Any, dims: list[int], rule: Callable[[Any, int, int], int]) -> int:
    try:
        return rule(spec, fusion_n(spec, dims), sum(dims))
    except DimProblem as p:
        p.message = p.message.replace("D (=", "sum(dims) (=")
        raise


FUSION_L_RULES: dict[type, Callable[[Any, list[int]], int]] = {
    fu._ElementwiseFusion: lambda s, dims: 0,
    fu.ParameterizedWeightedSummationFusion: lambda s, dims: len(dims),
    fu.ConcatenationFusion: lambda s, dims: 0,
    fu.ParameterizedConcatenationFusion: lambda s, dims: fusion_n(s, dims) * sum(dims),
    fu.LowrankParameterizedConcatenationFusion: lambda s, dims: (
        s.r * (fusion_n(s, dims) + sum(dims))
    ),
    fu.HMParameterizedConcatenationFusion: lambda s, dims: _concat_kron_l(s, dims, _hm_l),
    fu.LPHMParameterizedConcatenationFusion: lambda s, dims: _concat_kron_l(s, dims, _lphm_l),
    fu.DualLPHMParameterizedConcatenationFusion: lambda s, dims: _concat_kron_l(
        s, dims, _dual_lphm_l
    ),
    fu.RandomMatrixAdaptionParameterizedConcatenationFusion: lambda s, dims: (
        fusion_n(s, dims) + s.r
    ),
}


def fusion_n(spec: fu.Fusion, dims: list[int]) -> int:
    """Output size of a fusion of inputs sized ``dims``."""
    return lookup(N_RULES, spec)(spec, dims)


def fusion_l(spec: fu.Fusion, dims: list[int]) -> int:
    """Learnable values of a fusion of inputs sized ``dims``."""
    return lookup(FUSION_L_RULES, spec)(spec, dims)


# --- remainders and processing --------------------------------------------------------------


#: Learnable parameters of a remainder on inputs of size m giving n values (default 0).
REMAINDER_PARAMETERS: dict[type, Callable[[Any, int, int], int]] = {
    rm.LinearRemainder: lambda s, m, n: n * m + (n if s.enable_bias else 0),
}


def remainder_parameters(spec: rm.Remainder, m: int, n: int) -> int:
    return _lookup_or(REMAINDER_PARAMETERS, spec, 0, m, n)


def _identity_remainder_check(spec: rm.IdentityRemainder, m: int, n: int) -> None:
    if m != n:
        raise DimProblem(
            Code.REMAINDER,
            f"identity_remainder needs m == n, but m (={m}) and n (={n}) differ",
            path=("name",),
            expected=f"m = n (= {n})",
            found=f"m = {m}",
            suggestion="use linear_remainder (learns an n x m map) or zero_remainder",
        )


#: Constraints a remainder puts on (m, n); a check raises :class:`DimProblem`.
REMAINDER_CHECKS: dict[type, Callable[[Any, int, int], None]] = {
    rm.IdentityRemainder: _identity_remainder_check,
}


def check_remainder(spec: rm.Remainder, m: int, n: int) -> None:
    _lookup_or(REMAINDER_CHECKS, spec, None, m, n)


#: Learnable parameters an expansion module owns (no built-in one has any; plugins may).
EXPANSION_PARAMETERS: dict[type, Callable[[Any, int, int], int]] = {}


def expansion_parameters(spec: ex.Expansion, m: int, D: int) -> int:
    """Parameters of the expansion function itself on m inputs giving D features."""
    return _lookup_or(EXPANSION_PARAMETERS, spec, 0, m, D)


#: Parameters a fusion module owns besides the owner's fusion weight (plugins only).
FUSION_EXTRA_PARAMETERS: dict[type, Callable[[Any, list[int]], int]] = {}


def fusion_extra_parameters(spec: fu.Fusion, dims: list[int]) -> int:
    return _lookup_or(FUSION_EXTRA_PARAMETERS, spec, 0, dims)


def processing_parameters(spec: pr.Processing, size: int, semantics: str) -> int:
    """Learnable parameters of a processing function acting on ``size`` features.

    Under tinybig semantics processing modules are not registered, so they count 0.
    """
    if semantics == "tinybig":
        return 0
    if isinstance(spec, pr.LayerNorm) and spec.elementwise_affine:
        return size * (2 if spec.bias else 1)
    if isinstance(spec, pr.BatchNorm) and spec.affine:
        return 2 * size
    return 0


def processing_size(spec: pr.Processing) -> int | None:
    """The size a normalization was declared for, if any."""
    if isinstance(spec, pr.LayerNorm):
        return spec.normalized_shape
    if isinstance(spec, pr.BatchNorm):
        return spec.num_features
    return None


SIZED_FIELD: dict[type, str] = {pr.LayerNorm: "normalized_shape", pr.BatchNorm: "num_features"}
