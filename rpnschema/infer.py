"""Dimension inference and checks over the explicit layers of :mod:`rpnschema.normalize`.

Fills every inferred value into the spec (m, n, D, l, output sizes, processing sizes, default
components, parameter counts), checks the pinned ones, and reports each problem at its source
path. Pure arithmetic through :mod:`rpnschema.dims`; no torch.
"""

from __future__ import annotations

from typing import Any

from rpnschema import dims, sequence
from rpnschema.errors import Code, Diagnostic, Loc
from rpnschema.limits import Limits as Limits
from rpnschema.memory import memory_problem
from rpnschema.normalize import HeadDraft, LayerDraft
from rpnschema.spec import expansion as ex
from rpnschema.spec import fusion as fu
from rpnschema.spec import processing as pr
from rpnschema.spec import reconciliation as rc
from rpnschema.spec import remainder as rm
from rpnschema.spec.head import HeadSpec
from rpnschema.spec.layer import LayerSpec
from rpnschema.spec.model import ModelSpec


def _resolved_factors(spec: Any, n: int, D: int) -> Any:
    """Fill the p and q a hypercomplex component chose itself, so the normalized spec shows them."""
    if "q" in type(spec).model_fields and (getattr(spec, "p", 0) is None or spec.q is None):
        p, q = dims.resolve_pq(spec, n, D)
        return spec.model_copy(update={"p": p, "q": q})
    return spec


class _Checker:
    def __init__(self, semantics: str, limits: Limits, out: list[Diagnostic]):
        self.semantics = semantics
        self.limits = limits
        self.out = out
        self.failed = False
        self.rows: tuple[int, str] | None = None  # rows entering the layer, and their source
        self.prev_grid: Any = None  # the grid the previous layer outputs (dims_grid.Grid)
        self.next_rows: tuple[int, str] | None = None  # rows leaving the layer being checked

    # -- reporting ---------------------------------------------------------------------------

    def error(self, code: Code, path: Loc, message: str, **kw: Any) -> None:
        self.failed = True
        self.out.append(Diagnostic(code, message, path=path, **kw))

    def notice(self, code: Code, path: Loc, message: str) -> None:
        self.out.append(Diagnostic(code, message, path=path, severity="notice"))

    def problem(self, base: Loc, p: dims.DimProblem) -> None:
        self.error(
            p.code,
            (*base, *p.path),
            p.message,
            expected=p.expected,
            found=p.found,
            suggestion=p.suggestion,
        )
        for other in p.also:
            self.problem(base, other)

    def pin(self, path: Loc, what: str, given: int | None, inferred: int) -> None:
        if given is not None and given != inferred:
            self.error(
                Code.PINNED_MISMATCH,
                path,
                f"{what} is pinned to {given} but the spec gives {inferred}",
                expected=str(inferred),
                found=str(given),
                suggestion=f"set {path[-1]}: {inferred}, or remove it to let it be inferred",
            )

    # -- processing functions ----------------------------------------------------------------

    def processing(
        self, items: list[pr.Processing], size: int, path: Loc, acts_on: str
    ) -> tuple[list[pr.Processing], int]:
        filled: list[pr.Processing] = []
        params = 0
        for i, item in enumerate(items):
            field = dims.SIZED_FIELD.get(type(item))
            if field is not None:
                declared = getattr(item, field)
                if declared is None:
                    item = item.model_copy(update={field: size})
                    self.notice(
                        Code.VALUE_INFERRED,
                        (*path, i, field),
                        f"{item.name} {field} inferred as {size} ({acts_on})",
                    )
                elif declared != size:
                    self.error(
                        Code.PROCESSING_SIZE,
                        (*path, i, field),
                        f"{item.name} {field} (={declared}) must equal the size it acts on: "
                        f"{acts_on} = {size}",
                        expected=str(size),
                        found=str(declared),
                        suggestion=f"set {field}: {size}, or omit it to have it inferred",
                    )
            params += dims.processing_parameters(item, size, self.semantics)
            filled.append(item)
        return filled, params

    # -- components --------------------------------------------------------------------------

    def expansion(self, spec: ex.Expansion, m: int, path: Loc) -> tuple[ex.Expansion, int, int]:
        """(filled spec, D, processing parameters); D = 0 after an error."""
        pre, params = self.processing(spec.preprocess, m, (*path, "preprocess"), "its input m")
        update: dict[str, Any] = {"preprocess": pre}
        if isinstance(spec, (ex.NestedExpansion, ex.ExtendedExpansion)):
            subs = []
            size = m
            D = 0
            for i, f in enumerate(spec.functions):
                sub_in = size if isinstance(spec, ex.NestedExpansion) else m
                sub, sub_D, sub_params = self.expansion(f, sub_in, (*path, "functions", i))
                subs.append(sub)
                params += sub_params
                if sub_D == 0:
                    return spec, 0, params
                size = sub_D
                D += sub_D
            D = size if isinstance(spec, ex.NestedExpansion) else D
            update["functions"] = subs
        else:
            try:
                D = dims.expansion_D(spec, m, self.semantics)
                if self.limits.max_dim >= D:  # plugins' own parameters (built-ins have none)
                    params += dims.expansion_parameters(spec, m, D)
            except dims.DimProblem as p:
                self.problem(path, p)
                return spec, 0, params
        if spec.family == "compression":
            from rpnschema import dims_compression

            self.out.extend(dims_compression.notices(spec, path, self.semantics))
        if (
            isinstance(spec, (ex.CombinatorialExpansion, ex.CombinatorialNormalExpansion))
            and spec.with_replacement
            and self.semantics == "tinybig"
        ):
            self.out.append(
                Diagnostic(
                    Code.SEMANTICS,
                    "with_replacement has no effect under tinybig semantics (tinybig ignores "
                    "it): combinations are drawn without replacement",
                    path=(*path, "with_replacement"),
                    severity="warning",
                    suggestion="set semantics: native to honour it, or remove it",
                )
            )
        if self.limits.max_dim < D:
            exact = D <= dims.DIM_CEILING  # larger D are saturated lower bounds
            self.error(
                Code.BUDGET,
                path,
                f"{spec.name} on m={m} gives D{f'={D}' if exact else f' > {dims.DIM_CEILING}'}, "
                f"above the expansion budget {self.limits.max_dim}",
                expected=f"D <= {self.limits.max_dim}",
                found=str(D) if exact else f"> {dims.DIM_CEILING}",
                suggestion="lower the degree, or raise the limit (--max-dim)",
            )
            return spec, 0, params
        post, post_params = self.processing(
            spec.postprocess, D, (*path, "postprocess"), "the expansion's D"
        )
        update["postprocess"] = post
        return spec.model_copy(update=update), D, params + post_params

    def fusion(
        self, spec: fu.Fusion, inputs: list[int], path: Loc, role: str
    ) -> tuple[fu.Fusion, int, int] | None:
        """(filled spec, output size, parameters), or None after an error.

        The parameters are the owner's fusion weight (l) plus any the fusion module owns.
        """
        if spec.dims is not None and list(spec.dims) != inputs:
            self.error(
                Code.FUSION_DIMS,
                (*path, "dims"),
                f"dims {list(spec.dims)} differs from the sizes of the {role} it fuses {inputs}",
                expected=str(inputs),
                found=str(list(spec.dims)),
                suggestion="remove dims to have it inferred",
            )
            return None
        if self.semantics == "tinybig" and isinstance(
            spec, fu.ParameterizedWeightedSummationFusion
        ):
            self.error(
                Code.SEMANTICS,
                (*path, "name"),
                f"tinybig cannot use {spec.name} to fuse {role} (its (1, l) weight fails "
                "tinybig's shape assertion)",
                suggestion="use semantics: native, or weighted_summation_fusion / mean_fusion",
            )
            return None
        try:
            n = dims.fusion_n(spec, inputs)
            l = dims.fusion_l(spec, inputs) + dims.fusion_extra_parameters(spec, inputs)
        except dims.DimProblem as p:
            self.problem(path, p)
            return None
        filled = _resolved_factors(spec.model_copy(update={"dims": inputs}), n, sum(inputs))
        if isinstance(filled, fu._ParameterizedConcatenation) and filled.n is None:
            filled = filled.model_copy(update={"n": n})
        return filled, n, l

    def head(
        self, draft: HeadDraft, m: int, n: int, steps: int | None = None
    ) -> tuple[HeadSpec, int, int] | None:
        """(filled head, output size, parameters), or None after an error. ``steps``: the
        head of a sequence layer (m and n per position; see :mod:`rpnschema.sequence`)."""
        spec, path = draft.spec, draft.src
        ok = True
        positions = steps or 1  # per input row
        if steps is not None:
            problems = sequence.head_problems(spec, steps, self.semantics)
            for p in problems:
                self.problem(path, p)
            if problems:
                return None
            spec = spec.model_copy(update={"batch": steps, "steps": steps})
        for name, inherited in (("m", m), ("n", n)):
            given = getattr(spec, name)
            if (
                given is not None
                and given != inherited
                and name == "m"
                and self.grid_input(spec, path, inherited)
            ):
                return None  # its components would only repeat it
            if given is not None and given != inherited:
                self.error(
                    Code.INHERITED_MISMATCH,
                    (*path, name),
                    f"head {name} (={given}) differs from its layer's {name} (={inherited})",
                    expected=str(inherited),
                    found=str(given),
                    suggestion=f"remove the head's {name}; heads inherit it from the layer",
                )
                ok = False
        limit = self.limits.max_count
        if spec.channels > limit:  # the channel fusion would list every channel's size
            self.error(
                Code.BUDGET,
                (*path, "channels"),
                f"channels (={spec.channels}) is above the limit of {limit}",
                expected=f"channels <= {limit}",
                found=str(spec.channels),
            )
            return None
        inp, params = self.processing(
            spec.input_process, positions * m, (*path, "input_process"), "input m"
        )
        xi = self.interdependences(spec, m, path, positions=steps is not None)
        if xi is None:
            return None
        if steps is not None:
            kept = sequence.positions_kept(spec, xi["b_prime"], steps)
            if kept is not None:
                self.problem(path, kept)
                return None
        m_in = xi["m_prime"] if xi["m_prime"] is not None else m
        params += spec.channels * (xi["l_attribute_interdependence"] or 0)
        params += spec.channels * (xi["l_instance_interdependence"] or 0)
        expansion, D, exp_params = self.expansion(spec.expansion, m_in, (*path, "expansion"))
        params += exp_params
        if D == 0:
            return None
        self.pin((*path, "D"), "D", spec.D, D)

        reconciliation = spec.reconciliation
        if reconciliation is None:
            reconciliation = rc.IdentityReconciliation(name="identity_reconciliation")
            self.notice(
                Code.DEFAULT_APPLIED,
                (*path, "reconciliation"),
                "reconciliation defaults to identity_reconciliation (l = n * D)",
            )
        rn, rD = n, D  # the reconciled matrix: n x D, or one block per patch (convolution)
        if spec.patch_convolution:
            from rpnschema import dims_grid

            try:
                P = dims_grid.conv_blocks(spec, self.semantics)
                dims_grid.check_blocks(P, n, D)
            except dims.DimProblem as p:
                self.problem(path, p)
                return None
            rn, rD = n // P, D // P
        try:
            l = dims.reconciliation_l(reconciliation, rn, rD)
        except dims.DimProblem as p:
            self.problem((*path, "reconciliation"), p)
            return None
        self.pin((*path, "l"), "l", spec.l, l)
        reconciliation = _resolved_factors(reconciliation, rn, rD)
        params += spec.channels * l + (n if dims.has_bias(reconciliation, l, self.semantics) else 0)
        params += dims.reconciliation_extra_parameters(reconciliation, rn, rD)
        if self.semantics == "tinybig":
            params += dims.tinybig_frozen_parameters(reconciliation, rn, rD)

        out_dim = n
        channel_fusion = spec.channel_fusion
        if channel_fusion is None and spec.channels > 1:
            channel_fusion = fu.MeanFusion(name="mean_fusion")
            self.notice(
                Code.DEFAULT_APPLIED,
                (*path, "channel_fusion"),
                f"channels: {spec.channels} fused by the default mean_fusion",
            )
        if channel_fusion is not None:
            fused = self.fusion(
                channel_fusion, [n] * spec.channels, (*path, "channel_fusion"), "channels"
            )
            if fused is None:
                return None
            channel_fusion, out_dim, fusion_l = fused
            params += fusion_l
            changed = sequence.fusion_keeps_n(channel_fusion, n, out_dim, "channels")
            if steps is not None and changed is not None:
                self.problem((*path, "channel_fusion"), changed)
                return None

        remainder = spec.remainder
        if remainder is None:
            remainder = rm.ZeroRemainder(name="zero_remainder")
            self.notice(
                Code.DEFAULT_APPLIED, (*path, "remainder"), "remainder defaults to zero_remainder"
            )
        try:
            dims.check_remainder(remainder, m, n)
        except dims.DimProblem as p:
            self.problem((*path, "remainder"), p)
            ok = False
        rows = (xi["batch"], xi["b_prime"])
        if (
            spec.instance_interdependence is not None
            and not isinstance(remainder, rm.ZeroRemainder)
            and rows[0] is not None
            and rows[1] is not None
            and rows[0] != rows[1]
        ):
            self.error(
                Code.INTERDEPENDENCE_ROWS,
                (*path, "remainder"),
                f"the instance interdependence maps b={rows[0]} rows to b'={rows[1]}, but "
                f"{remainder.name} gives one row per input row ({rows[0]})",
                expected=f"b' = b = {rows[0]}, or zero_remainder",
                found=f"b' = {rows[1]}",
                suggestion="use zero_remainder, or keep b' = b",
            )
            ok = False
        if not isinstance(remainder, rm.ZeroRemainder) and out_dim != n:
            self.error(
                Code.REMAINDER,
                (*path, "remainder"),
                f"{remainder.name} gives {n} values but the fused channels give {out_dim}",
                expected=f"a channel fusion with output size n = {n}",
                found=f"output size {out_dim}",
                suggestion="use zero_remainder, or a channel fusion that keeps size n",
            )
            ok = False
        params += dims.remainder_parameters(remainder, m, n)
        act, act_params = self.processing(
            remainder.activation, n, (*path, "remainder", "activation"), "the remainder's n"
        )
        params += act_params
        out_dim *= positions
        outp, out_params = self.processing(
            spec.output_process, out_dim, (*path, "output_process"), "the head's output"
        )
        params += out_params
        self.pin((*path, "output_dim"), "output_dim", spec.output_dim, out_dim)
        self.pin((*path, "parameters"), "parameters", spec.parameters, params)
        if not ok:
            return None
        filled = spec.model_copy(
            update={
                "m": m,
                "n": n,
                "expansion": expansion,
                "reconciliation": reconciliation,
                "remainder": remainder.model_copy(update={"activation": act}),
                "channel_fusion": channel_fusion,
                "input_process": inp,
                "output_process": outp,
                **xi,
                "D": D,
                "l": l,
                "output_dim": out_dim,
                "parameters": params,
            }
        )
        return filled, out_dim, params

    def grid_input(self, spec: HeadSpec, path: Loc, m: int) -> bool:
        """Report a grid head whose grid does not fit the m it receives (True if reported)."""
        from rpnschema import dims_grid

        grids = dims_grid.head_grids(spec, self.semantics)
        if grids is None:
            return False
        grid = grids[0]
        source = f"{self.prev_grid} from the previous layer" if self.prev_grid else f"m={m}"
        self.error(
            Code.GRID_INPUT,
            path,
            f"the grid head reads {grid} (m = {grid.size}), but it receives {source}",
            expected=str(self.prev_grid) if self.prev_grid else f"channels*h*w*d = {m}",
            found=str(grid),
            suggestion="set the head's channels, h, w and d to the grid it receives",
        )
        return True

    def interdependences(
        self, spec: HeadSpec, m: int, path: Loc, positions: bool = False
    ) -> dict[str, Any] | None:
        """batch, m', b' and the l of each interdependence (None after an error). In a
        sequence head the instance side is the positions, not the rows the layer receives."""
        out: dict[str, Any] = {
            "batch": spec.batch,
            "m_prime": None,
            "b_prime": None,
            "l_attribute_interdependence": None,
            "l_instance_interdependence": None,
        }
        inst = spec.instance_interdependence
        if inst is None and spec.attribute_interdependence is None:
            return out
        from rpnschema import dims_interdependence as di  # the family's classes, on first use

        implied = di.implied_batch(inst) if inst is not None else None
        if spec.batch is None and implied is not None:
            out["batch"] = implied
            self.notice(
                Code.VALUE_INFERRED,
                (*path, "batch"),
                f"batch inferred as {implied} from {inst.name}",  # type: ignore[union-attr]
            )
        ok = True
        for kind, slot, letter in (
            (di.ATTRIBUTE, "attribute_interdependence", "m_prime"),
            (di.INSTANCE, "instance_interdependence", "b_prime"),
        ):
            fn = getattr(spec, slot)
            if fn is None:
                continue
            try:
                size = di.sizes(fn, di.Side(kind, out["batch"], m, self.semantics))
            except dims.DimProblem as p:
                self.problem((*path, slot), p)
                ok = False
                continue
            out[letter] = size.d_prime
            out[f"l_{slot}"] = size.l
            self.pin((*path, letter), letter, getattr(spec, letter), size.d_prime or 0)
            self.pin((*path, f"l_{slot}"), f"l_{slot}", getattr(spec, f"l_{slot}"), size.l)
        if spec.batch is not None and implied is not None and spec.batch != implied:
            ok = False  # reported by the size rule of the instance interdependence
        if ok and not positions and out["batch"] is not None and self.rows is not None:
            rows, source = self.rows
            if out["batch"] != rows:
                self.error(
                    Code.INTERDEPENDENCE_ROWS,
                    (*path, "batch"),
                    f"the head's batch is {out['batch']}, but it receives {rows} rows ({source})",
                    expected=str(rows),
                    found=str(out["batch"]),
                    suggestion=f"set batch: {rows}",
                )
                ok = False
        return out if ok else None

    def rows_out(self, heads: list[HeadSpec], path: Loc) -> tuple[int, str] | bool | None:
        """The rows a layer outputs (known, with their source), None (unknown) or False after
        an error: heads fused together must give the same number of rows."""
        found: dict[int, int] = {}
        for i, h in enumerate(heads):
            if h.steps is not None:
                continue  # its instance interdependence mixes positions, not rows
            if h.instance_interdependence is not None and h.b_prime is not None:
                found.setdefault(h.b_prime, i)
            elif h.batch is not None:
                found.setdefault(h.batch, i)
        if len(found) > 1:
            self.error(
                Code.INTERDEPENDENCE_ROWS,
                (*path, "heads"),
                "the heads of a layer give different numbers of rows "
                + ", ".join(f"{r} (head {i})" for r, i in found.items())
                + ", so their outputs cannot be fused",
                expected="one row count (b') for every head",
                found=str(sorted(found)),
                suggestion="give every head the same batch and instance interdependence sizes",
            )
            return False
        if not found:
            return self.rows
        ((rows, i),) = found.items()
        return rows, f"head {i} of the layer {'/'.join(map(str, path))} gives {rows} rows"

    def layer(
        self, draft: LayerDraft, m: int, n: int, steps: int | None = None
    ) -> tuple[LayerSpec, int] | None:
        """The filled layer and its output size; ``steps``: a sequence layer (m and n per
        position; pool_steps: its heads see the positions' mean)."""
        spec, path = draft.spec, draft.src
        width = m * (steps or 1)
        inp, params = self.processing(
            spec.input_process, width, (*path, "input_process"), "input m"
        )
        heads: list[HeadSpec] = []
        outs: list[int] = []
        ok = True
        head_steps = None if spec.pool_steps else steps
        for i, h in enumerate(draft.heads):
            res = self.head(h, m, n, head_steps)
            if res is None:
                ok = False
                continue
            heads.append(res[0])
            outs.append(res[1])
            if i == 0 or not spec.share_heads:  # one head object: its parameters count once
                params += res[2]
        if not ok:
            return None
        rows = self.rows_out(heads, path)
        if rows is False:
            return None
        self.next_rows = rows  # type: ignore[assignment]
        out_dim = outs[0]
        head_fusion = spec.head_fusion
        if head_fusion is None and len(heads) > 1:
            head_fusion = fu.MeanFusion(name="mean_fusion")
            self.notice(
                Code.DEFAULT_APPLIED,
                (*path, "head_fusion"),
                f"{len(heads)} heads fused by the default mean_fusion",
            )
        if head_fusion is not None:
            fused = self.fusion(head_fusion, outs, (*path, "head_fusion"), "heads")
            if fused is None:
                return None
            head_fusion, out_dim, fusion_l = fused
            params += fusion_l
            if head_steps is not None:
                changed = sequence.fusion_keeps_n(head_fusion, outs[0], out_dim, "heads")
                if changed is not None:
                    self.problem((*path, "head_fusion"), changed)
                    return None
        outp, out_params = self.processing(
            spec.output_process, out_dim, (*path, "output_process"), "the layer's output"
        )
        params += out_params
        if draft.repeat == 0:
            self.pin((*path, "output_dim"), "output_dim", spec.output_dim, out_dim)
            self.pin((*path, "parameters"), "parameters", spec.parameters, params)
        filled = LayerSpec(
            m=m,
            n=n,
            width=len(heads),
            heads=heads,
            share_heads=spec.share_heads or None,
            head_fusion=head_fusion,
            steps=steps,
            pool_steps=spec.pool_steps or None,
            input_process=inp,
            output_process=outp,
            output_dim=out_dim,
            parameters=params,
        )
        return filled, out_dim

    def layer_n(self, draft: LayerDraft) -> int | None:
        if draft.spec.n is not None:
            return draft.spec.n
        explicit = {h.spec.n for h in draft.heads if h.spec.n is not None}
        if len(explicit) == 1:
            n = explicit.pop()
            if draft.repeat == 0:
                self.notice(
                    Code.VALUE_INFERRED, (*draft.src, "n"), f"n inferred as {n} from its heads"
                )
            return n
        self.error(
            Code.MISSING_DIM,
            (*draft.src, "n"),
            "the layer has no output size n",
            expected="n: <size of each head's output>",
            suggestion="add n to the layer",
        )
        return None


def _entry(drafts: list[LayerDraft], k: int) -> int:
    """The index in the spec's ``layers`` of expanded layer ``k`` (its config entry), so that
    a message names the same layer as its path (``layers/1``) also when depth_alloc repeats."""
    src = drafts[k].src
    return src[1] if src[:1] == ("layers",) and len(src) > 1 and isinstance(src[1], int) else k


def _grid_chain(
    chk: _Checker, layer: LayerSpec, draft: LayerDraft, k: int, drafts: list[LayerDraft]
) -> bool:
    """Check a grid layer reads the grid the previous grid layer writes (the sizes may agree
    while the shapes differ); remember the grid it writes. False after an error."""
    from rpnschema import dims_grid

    head = layer.heads[0]
    grids = dims_grid.head_grids(head, chk.semantics) if isinstance(head, HeadSpec) else None
    before, chk.prev_grid = chk.prev_grid, grids[1] if grids is not None else None
    if grids is not None:
        wide = dims_grid.oversized(head, chk.semantics)
        if wide is not None:
            axis, extent, size = wide
            native = chk.semantics == "native"
            chk.failed = chk.failed or native
            chk.out.append(
                Diagnostic(
                    Code.GRID_PATCH_SIZE,
                    f"the patch spans {extent} cells along {axis}, more than the grid "
                    f"{grids[0]} gives it from any centre ({2 * size - 1}): every patch reads "
                    "mostly zero padding" + ("" if native else " (tinybig zero-pads it and runs)"),
                    path=draft.heads[0].src,
                    severity="error" if native else "warning",
                    expected=f"a patch at most {2 * size - 1} cells wide along {axis}",
                    found=f"{extent} cells",
                    suggestion="use a smaller patch, fewer poolings, or a larger grid",
                )
            )
            if native:
                return False
    if grids is None or before is None or grids[0] == before:
        return True
    chk.error(
        Code.GRID_INPUT,
        draft.heads[0].src,
        f"layer {_entry(drafts, k)} reads {grids[0]}, but layer {_entry(drafts, k - 1)} "
        f"outputs {before} (the same {before.size} values, another grid)",
        expected=str(before),
        found=str(grids[0]),
        suggestion=f"set channels, h, w and d to {before.channels}, {before.h}, {before.w}, "
        f"{before.d}",
    )
    return False


def infer(
    model: ModelSpec, drafts: list[LayerDraft], out: list[Diagnostic], limits: Limits
) -> ModelSpec | None:
    """The normalized model with every inferred value filled in; None after any error."""
    chk = _Checker(model.semantics, limits, out)
    layers: list[LayerSpec] = []
    prev: int | None = None
    lost = False  # a previous layer failed: its output size is unknown
    for k, draft in enumerate(drafts):
        spec, src = draft.spec, draft.src
        steps, problems = sequence.layer_steps(spec, [h.spec for h in draft.heads])
        for p in problems if draft.repeat == 0 else []:
            chk.problem(src, p)
        if problems:
            prev, lost = None, True
            continue
        explicit = {h.spec.m for h in draft.heads if h.spec.m is not None}
        if spec.m is None and prev is not None and steps is not None:
            per_position = sequence.input_m(prev, steps)
            if isinstance(per_position, dims.DimProblem):
                chk.problem(src, per_position)
                prev, lost = None, True
                continue
            m = per_position
            if draft.repeat == 0:
                chk.notice(
                    Code.VALUE_INFERRED,
                    (*src, "m"),
                    f"m inferred as {m}: steps (={steps}) positions of the "
                    f"{prev} values of layer {_entry(drafts, k - 1)}",
                )
        elif spec.m is None and prev is None and not lost and len(explicit) == 1:
            m = explicit.pop()  # a grid head's m follows from its grid
            if draft.repeat == 0:
                chk.notice(Code.VALUE_INFERRED, (*src, "m"), f"m inferred as {m} from its heads")
        elif spec.m is None:
            if prev is None:
                if not lost:
                    chk.error(
                        Code.MISSING_DIM,
                        (*src, "m"),
                        "the first layer has no input size m",
                        expected="m: <number of input features>",
                        suggestion="add m to the first layer",
                    )
                return None
            m = prev
            if draft.repeat == 0:
                chk.notice(
                    Code.VALUE_INFERRED,
                    (*src, "m"),
                    f"m inferred as {m} from the output of layer {_entry(drafts, k - 1)}",
                )
        else:
            m = spec.m
            if steps is not None:
                if prev is not None and m * steps != prev and draft.repeat == 0:
                    chk.problem(src, sequence.width_mismatch(prev, m, steps))
            elif prev is not None and m != prev and draft.repeat == 0:
                chk.error(
                    Code.LAYER_CHAIN,
                    (*src, "m"),
                    f"layer {_entry(drafts, k)} takes m={m} inputs but layer "
                    f"{_entry(drafts, k - 1)} outputs {prev}",
                    expected=str(prev),
                    found=str(m),
                    suggestion=f"set m: {prev}, or omit m to have it inferred",
                )
        n = chk.layer_n(draft)
        res = chk.layer(draft, m, n, steps) if n is not None else None
        if res is None:
            prev, lost = None, True
            chk.prev_grid = None
            continue
        filled, prev = res
        if not _grid_chain(chk, filled, draft, k, drafts):
            prev, lost = None, True
            continue
        chk.rows = chk.next_rows
        if draft.repeats > 1 and draft.repeat == 0 and prev != m * (steps or 1):
            chk.error(
                Code.REPEATED_LAYER,
                src,
                f"layer {_entry(drafts, k)} is repeated {draft.repeats} times by depth_alloc, "
                f"so it must map its output back to its input, but it maps m={m} to {prev}",
                expected=f"output size {m}",
                found=str(prev),
                suggestion=f"set n: {m} (or a head fusion giving {m}), or depth_alloc 1 here",
            )
            prev, lost = None, True
            continue
        layers.append(filled)
    if chk.failed:
        return None
    total = sum(layer.parameters or 0 for layer in layers)
    chk.pin(("parameters",), "parameters", model.parameters, total)
    if total > limits.max_parameters:
        chk.error(
            Code.BUDGET,
            ("parameters",),
            f"the model has {total} parameters, above the budget of {limits.max_parameters}",
            expected=f"at most {limits.max_parameters}",
            found=str(total),
            suggestion="shrink the model, or raise the limit (--max-parameters)",
        )
    if chk.failed:
        return None
    filled = model.model_copy(
        update={
            "layers": layers,
            "depth": len(layers),
            "depth_alloc": None,
            "dims": None,
            "head": None,
            "preset": None,
            "parameters": total,
        }
    )
    over = memory_problem(filled, limits.max_memory)
    if over is not None:
        i, j = over.where
        draft = drafts[i]
        path = draft.heads[j].src if j is not None else draft.src
        chk.error(
            Code.BUDGET,
            path,
            over.message,
            expected=over.expected,
            found=over.found,
            suggestion=over.suggestion,
        )
        return None
    return filled
