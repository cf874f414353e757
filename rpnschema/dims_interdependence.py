"""Static sizes of interdependence functions: d' (m' or b'), l, and their checks. No torch.

``d`` is the size of the side an interdependence acts on: m in the attribute slot, b (the
head's ``batch``, possibly unknown) in the instance slot. Rules are tables keyed by spec class
(found through the class hierarchy, as in :mod:`rpnschema.dims`), grouped as the spec modules
are: basic, kernel, parameterized (incl. bilinear), topological.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rpnschema import dims
from rpnschema.dims import DimProblem, lookup
from rpnschema.errors import Code
from rpnschema.spec import expansion as ex
from rpnschema.spec import reconciliation as rc
from rpnschema.spec.interdependence import basic as ba
from rpnschema.spec.interdependence import geometric as ge
from rpnschema.spec.interdependence import hybrid as hy
from rpnschema.spec.interdependence import kernel as ke
from rpnschema.spec.interdependence import parameterized as pa
from rpnschema.spec.interdependence import topological as to
from rpnschema.spec.interdependence.base import Interdependence

ATTRIBUTE, INSTANCE = "attribute", "instance"


@dataclass(frozen=True)
class Side:
    """Where an interdependence acts: ``kind`` (attribute / instance), its d, and b and m."""

    kind: str
    b: int | None
    m: int
    semantics: str = "native"

    @property
    def d(self) -> int | None:
        return self.m if self.kind == ATTRIBUTE else self.b

    @property
    def letter(self) -> str:
        return "m" if self.kind == ATTRIBUTE else "b"


@dataclass(frozen=True)
class Sizes:
    """d' (None: the batch size, unknown until data arrives) and l."""

    d_prime: int | None
    l: int


def _need_batch(spec: Interdependence, why: str) -> DimProblem:
    return DimProblem(
        Code.INTERDEPENDENCE_BATCH,
        f"{spec.name} in the instance slot needs the batch size b ({why}), but the head has no "
        "batch",
        path=(),
        expected="batch: <rows per batch> on the head",
        found="no batch",
        suggestion="add batch: <b> to the head (tinybig's batch_num)",
    )


def _size(side: Side, spec: Interdependence, why: str) -> int:
    d = side.d
    if d is None:
        raise _need_batch(spec, why)
    return d


def _resized(spec: Any, side: Side) -> int:
    """The chosen d' of basic / parameterized functions; the other slot's field is an error."""
    mine, other = ("m_prime", "b_prime") if side.kind == ATTRIBUTE else ("b_prime", "m_prime")
    if getattr(spec, other) is not None:
        raise DimProblem(
            Code.INTERDEPENDENCE_SLOT,
            f"{other} has no effect in the {side.kind} slot (it sizes the other side)",
            path=(other,),
            expected=f"{mine} (or nothing)",
            found=f"{other}: {getattr(spec, other)}",
            suggestion=f"use {mine}: {getattr(spec, other)}",
        )
    given = getattr(spec, mine)
    return given if given is not None else _size(side, spec, f"its matrix is {side.letter} x ...")


# --- basic ------------------------------------------------------------------------------------


def _constant(spec: ba.ConstantInterdependence, side: Side) -> Sizes:
    rows, cols = len(spec.A), len(spec.A[0])
    d = side.d
    if d is not None and rows != d:
        raise DimProblem(
            Code.INTERDEPENDENCE_DIMS,
            f"A has {rows} rows but the {side.kind} slot needs {side.letter} (={d}) rows",
            path=("A",),
            expected=f"{d} rows",
            found=f"{rows} rows",
        )
    return Sizes(cols, 0)


BASIC_RULES: dict[type, Callable[[Any, Side], Sizes]] = {
    ba.ConstantInterdependence: _constant,
    ba._Resized: lambda s, side: Sizes(_resized(s, side), 0),
}


# --- kernels ----------------------------------------------------------------------------------


def _kernel(spec: Any, side: Side) -> Sizes:
    return Sizes(side.d, 0)


KERNEL_RULES: dict[type, Callable[[Any, Side], Sizes]] = {ke._Kernel: _kernel}


# --- parameterized ----------------------------------------------------------------------------

#: The reconciliation a parameterized interdependence fabricates A (or W) with.
FABRICATION: dict[type, Callable[[Any], rc.Reconciliation]] = {
    pa.ParameterizedInterdependence: lambda s: rc.IdentityReconciliation(
        name="identity_reconciliation"
    ),
    pa.ParameterizedBilinearInterdependence: lambda s: rc.IdentityReconciliation(
        name="identity_reconciliation"
    ),
    pa.LowrankParameterizedInterdependence: lambda s: rc.LorrReconciliation(
        name="lorr_reconciliation", r=s.r
    ),
    pa.LowrankParameterizedBilinearInterdependence: lambda s: rc.LorrReconciliation(
        name="lorr_reconciliation", r=s.r
    ),
    pa.HMParameterizedInterdependence: lambda s: rc.HMReconciliation(
        name="hm_reconciliation", p=s.p, q=s.q if s.q is not None else s.p
    ),
    pa.HMParameterizedBilinearInterdependence: lambda s: rc.HMReconciliation(
        name="hm_reconciliation", p=s.p, q=s.q if s.q is not None else s.p
    ),
    pa.LPHMParameterizedInterdependence: lambda s: rc.LPHMReconciliation(
        name="lphm_reconciliation", p=s.p, q=s.q if s.q is not None else s.p, r=s.r
    ),
    pa.LPHMParameterizedBilinearInterdependence: lambda s: rc.LPHMReconciliation(
        name="lphm_reconciliation", p=s.p, q=s.q if s.q is not None else s.p, r=s.r
    ),
    pa.DualLPHMParameterizedInterdependence: lambda s: rc.DualLPHMReconciliation(
        name="dual_lphm_reconciliation", p=s.p, q=s.q if s.q is not None else s.p, r=s.r
    ),
    pa.DualLPHMParameterizedBilinearInterdependence: lambda s: rc.DualLPHMReconciliation(
        name="dual_lphm_reconciliation", p=s.p, q=s.q if s.q is not None else s.p, r=s.r
    ),
    pa.RandomMatrixAdaptionParameterizedInterdependence: lambda s: (
        rc.RandomMatrixAdaptionReconciliation(name="random_matrix_adaption_reconciliation", r=s.r)
    ),
    pa.RandomMatrixAdaptionParameterizedBilinearInterdependence: lambda s: (
        rc.RandomMatrixAdaptionReconciliation(name="random_matrix_adaption_reconciliation", r=s.r)
    ),
}


def fabrication(spec: Interdependence) -> rc.Reconciliation:
    return FABRICATION[type(spec)](spec)


def fabricated_shape(spec: Interdependence, side: Side) -> tuple[int, int]:
    """(rows, cols) of the matrix psi(w) fabricates: A (d x d') or the bilinear W (e x e)."""
    if isinstance(spec, pa._Bilinear):
        e = side.m if side.kind == INSTANCE else side.b
        if e is None:
            raise DimProblem(
                Code.INTERDEPENDENCE_BATCH,
                f"{spec.name} in the attribute slot learns a b x b matrix W, but the head has "
                "no batch",
                path=(),
                expected="batch: <rows per batch> on the head",
                found="no batch",
                suggestion="add batch: <b> to the head (tinybig's batch_num)",
            )
        return e, e
    return _size(side, spec, f"A is {side.letter} x {side.letter}'"), _resized(spec, side)


def _parameterized(spec: Any, side: Side) -> Sizes:
    rows, cols = fabricated_shape(spec, side)
    try:
        l = dims.reconciliation_l(fabrication(spec), rows, cols)
    except DimProblem as p:
        p.message = p.message.replace("n (=", "the matrix's rows (=").replace(
            "D (=", "the matrix's columns (="
        )
        raise
    d_prime = side.d if isinstance(spec, pa._Bilinear) else cols
    return Sizes(d_prime, l)


PARAMETERIZED_RULES: dict[type, Callable[[Any, Side], Sizes]] = {
    pa._Parameterized: _parameterized,
    pa._Bilinear: _parameterized,
}


# --- topological ------------------------------------------------------------------------------


def structure_size(spec: Any) -> int:
    if isinstance(spec, to._Graph):
        return spec.nodes if isinstance(spec.nodes, int) else len(spec.nodes)
    return spec.chain_length


def _structure(spec: Any, side: Side) -> Sizes:
    n = structure_size(spec)
    if (
        isinstance(spec, to.InverseApproxMultihopChainInterdependence)
        and spec.bi_directional
        and side.semantics == "native"
        and n > 1
    ):
        raise DimProblem(
            Code.SEMANTICS,
            "(I - adj)^-1 does not exist for a bi-directional chain (the series sum_h adj^h "
            "diverges: adj has spectral radius >= 1), so native semantics cannot compute it",
            path=("bi_directional",),
            expected="bi_directional: false",
            found="bi_directional: true",
            suggestion="use multihop_chain_interdependence with accumulative: true, or "
            "semantics: tinybig (tinybig sums adj^1..adj^(n-1) and normalizes the columns)",
        )
    what = "nodes" if isinstance(spec, to._Graph) else "chain_length"
    d = side.d
    if d is not None and d != n:
        raise DimProblem(
            Code.INTERDEPENDENCE_DIMS,
            f"the {what} of {spec.name} give a {n} x {n} matrix, but the {side.kind} slot acts "
            f"on {side.letter} (={d})",
            path=("nodes" if what == "nodes" else "chain_length",),
            expected=f"{d} {'nodes' if what == 'nodes' else ''}".strip(),
            found=str(n),
            suggestion=f"set the head's {'m' if side.kind == ATTRIBUTE else 'batch'} to {n}",
        )
    return Sizes(n, 0)


TOPOLOGICAL_RULES: dict[type, Callable[[Any, Side], Sizes]] = {
    to._Graph: _structure,
    to._Chain: _structure,
}

# --- geometric --------------------------------------------------------------------------------


def as_expansion(spec: Any) -> ex._GeometricExpansion:
    """The geometric patch expansion with the same grid, patch and packing (its size rules and
    patch layout are shared with the interdependence)."""
    grid = {
        k: getattr(spec, k) for k in ("h", "w", "d", "cd_h", "cd_w", "cd_d", "packing_strategy")
    }
    if isinstance(spec, ge.GeometricInterdependence):
        patch = spec.patch.model_dump(exclude={"shape"})
        shape = spec.patch.shape
    elif isinstance(spec, ge.CuboidPatchBasedGeometricInterdependence):
        patch = {
            k: getattr(spec, k)
            for k in ("p_h", "p_w", "p_d", "p_h_prime", "p_w_prime", "p_d_prime")
        }
        shape = "cuboid"
    elif isinstance(spec, ge.CylinderPatchBasedGeometricInterdependence):
        patch = {"p_r": spec.r, "p_d": spec.p_d, "p_d_prime": spec.p_d_prime}
        shape = "cylinder"
    else:
        patch, shape = {"p_r": spec.r}, "sphere"
    cls = {
        "cuboid": ex.CuboidPatchExpansion,
        "cylinder": ex.CylinderPatchExpansion,
        "sphere": ex.SpherePatchExpansion,
    }[shape]
    name = f"{shape}_patch_based_geometric_expansion"
    try:
        return cls.model_validate({"name": name, **grid, **patch})
    except ValueError as e:
        from pydantic import ValidationError

        msg = e.errors()[0]["msg"] if isinstance(e, ValidationError) else str(e)
        raise DimProblem(
            Code.BAD_VALUE,
            f"{spec.packing_strategy!r} does not apply to a {shape} patch ({msg})",
            path=("packing_strategy",),
            found=spec.packing_strategy,
            suggestion="use densest_packing, or a strategy of the patch's shape",
        ) from None


def geometry(spec: Any, semantics: str) -> tuple[int, int, int]:
    """(grid cells h*w*d, centres P, cells per patch S)."""
    patch = as_expansion(spec)
    S = dims.patch_volume(patch, semantics)
    P = dims._geometric_centres(patch, semantics)
    return spec.h * spec.w * spec.d, P, S


def _geometric(spec: Any, side: Side) -> Sizes:
    if isinstance(spec, ge.NATIVE_ONLY) and side.semantics == "tinybig":
        raise DimProblem(
            Code.SEMANTICS,
            f"tinybig 0.2.1 cannot construct {spec.name} (its constructor passes r to a patch "
            "that requires p_r)",
            path=("name",),
            suggestion="use geometric_interdependence with patch: {shape: ..., p_r: ...}, or "
            "semantics: native",
        )
    cells, P, S = geometry(spec, side.semantics)
    C = spec.channel_num
    per = P * S if spec.interdependence_matrix_mode == "padding" else P
    if side.kind == INSTANCE:
        if C != 1:
            raise DimProblem(
                Code.INTERDEPENDENCE_DIMS,
                f"channel_num (={C}) must be 1 in the instance slot (the batch is one grid)",
                path=("channel_num",),
                expected="1",
                found=str(C),
            )
        if side.b is not None and side.b != cells:
            raise DimProblem(
                Code.INTERDEPENDENCE_DIMS,
                f"the grid has h*w*d = {cells} cells, but the instance slot acts on b "
                f"(={side.b}) rows",
                path=("h",),
                expected=f"batch = {cells}",
                found=str(side.b),
                suggestion=f"set the head's batch to {cells}",
            )
        return Sizes(per, 0)
    if side.m != C * cells:
        raise DimProblem(
            Code.INTERDEPENDENCE_DIMS,
            f"the input size m (={side.m}) must equal channel_num*h*w*d "
            f"(={C}*{spec.h}*{spec.w}*{spec.d}={C * cells})",
            path=(),
            expected=f"m = {C * cells}",
            found=f"m = {side.m}",
            suggestion="set h, w, d and channel_num to the grid of the input",
        )
    return Sizes(per * C, 0)


GEOMETRIC_RULES: dict[type, Callable[[Any, Side], Sizes]] = {ge._Geometric: _geometric}

# --- composite --------------------------------------------------------------------------------


def _located(prefix: tuple, p: DimProblem) -> DimProblem:
    p.path = (*prefix, *p.path)
    return p


def rpn_sizes(spec: hy.ParameterizedRPNInterdependence, side: Side) -> tuple[int, int, int, int]:
    """(e: the expanded vectors' size, D = kappa.D(e), d', l)."""
    if side.kind == ATTRIBUTE:
        if side.b is None:
            raise _need_batch(spec, "it expands each column, a vector of b values")
        e = side.b
    else:
        e = side.m
    d_prime = _resized(spec, side)
    try:
        D = dims.expansion_D(spec.data_transformation, e, side.semantics)
    except DimProblem as p:
        raise _located(("data_transformation",), p) from None
    try:
        l = dims.reconciliation_l(spec.parameter_fabrication, d_prime, D)
    except DimProblem as p:
        raise _located(("parameter_fabrication",), p) from None
    return e, D, d_prime, l


def _rpn(spec: hy.ParameterizedRPNInterdependence, side: Side) -> Sizes:
    _, _, d_prime, l = rpn_sizes(spec, side)
    return Sizes(d_prime, l)


def hybrid_parts(spec: hy.HybridInterdependence, side: Side) -> tuple[list[Sizes], int, int]:
    """(each function's sizes, the fused d', the fusion's l)."""
    parts = []
    for i, fn in enumerate(spec.functions):
        try:
            parts.append(sizes(fn, side))
        except DimProblem as p:
            raise _located(("functions", i), p) from None
    widths = [p.d_prime for p in parts]
    if any(w is None for w in widths):
        raise _need_batch(spec, "its matrices are b x b and the fusion needs their sizes")
    try:
        n = dims.fusion_n(spec.fusion, widths)  # type: ignore[arg-type]
        l = dims.fusion_l(spec.fusion, widths)  # type: ignore[arg-type]
    except DimProblem as p:
        raise _located(("fusion",), p) from None
    return parts, n, l


def _hybrid(spec: hy.HybridInterdependence, side: Side) -> Sizes:
    if side.semantics == "tinybig":
        why = None
        if side.kind == ATTRIBUTE:
            why = "in the attribute slot (its calculate_m_prime raises TypeError)"
        elif not any(sizes(f, side).l for f in spec.functions):
            why = "without a function that has parameters (calculate_A fails on w=None)"
        if why is not None:
            raise DimProblem(
                Code.SEMANTICS,
                f"tinybig 0.2.1 cannot run hybrid_interdependence {why}",
                path=("name",),
                suggestion="use semantics: native",
            )
    parts, n, l = hybrid_parts(spec, side)
    return Sizes(n, sum(p.l for p in parts) + l)


COMPOSITE_RULES: dict[type, Callable[[Any, Side], Sizes]] = {
    hy.ParameterizedRPNInterdependence: _rpn,
    hy.HybridInterdependence: _hybrid,
}

RULES: dict[type, Callable[[Any, Side], Sizes]] = {
    **COMPOSITE_RULES,
    **BASIC_RULES,
    **GEOMETRIC_RULES,
    **KERNEL_RULES,
    **PARAMETERIZED_RULES,
    **TOPOLOGICAL_RULES,
}


def sizes(spec: Interdependence, side: Side) -> Sizes:
    """d' and l of ``spec`` acting on ``side``; raises :class:`DimProblem`."""
    return lookup(RULES, spec)(spec, side)


def implied_batch(spec: Interdependence) -> int | None:
    """The b an instance interdependence fixes by itself (graph nodes, chain length, A rows)."""
    if isinstance(spec, (to._Graph, to._Chain)):
        return structure_size(spec)
    if isinstance(spec, ba.ConstantInterdependence):
        return len(spec.A)
    if isinstance(spec, ge._Geometric):
        return spec.h * spec.w * spec.d
    if isinstance(spec, hy.HybridInterdependence):
        implied = {implied_batch(f) for f in spec.functions} - {None}
        return implied.pop() if len(implied) == 1 else None
    return None
