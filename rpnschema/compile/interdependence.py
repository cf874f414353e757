"""Interdependence modules: the matrix A of one slot of a head, and its application.

``Interdependence.matrix(x, w)`` gives A from the head's (processed) input x (b, m) and one
channel's row of w; ``apply(x, w, kappa)`` computes ``x A`` (attribute slot) or ``A^T kappa``
(instance slot). Fixed matrices (basic, topological) are built once, sparse where the structure
allows; data kernels recompute A per batch unless ``require_data: false`` (then the first
batch's A is kept, tinybig's cached A).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor, nn

from rpnschema import dims_interdependence as di
from rpnschema.compile.context import BuildContext
from rpnschema.compile.expansion import build_expansion
from rpnschema.compile.fusion import build_fusion
from rpnschema.compile.kernels import interdependence_attention as att
from rpnschema.compile.kernels import interdependence_geometric as G
from rpnschema.compile.kernels import interdependence_kernel as K
from rpnschema.compile.kernels import interdependence_softmax as S
from rpnschema.compile.kernels import interdependence_topological as T
from rpnschema.compile.reconciliation import Reconciliation, build_reconciliation
from rpnschema.errors import StructureError
from rpnschema.spec import fusion as fu
from rpnschema.spec.interdependence import INTERDEPENDENCE_TYPES
from rpnschema.spec.interdependence import Interdependence as Spec
from rpnschema.spec.interdependence import basic as ba
from rpnschema.spec.interdependence import geometric as ge
from rpnschema.spec.interdependence import hybrid as hy
from rpnschema.spec.interdependence import kernel as ke
from rpnschema.spec.interdependence import parameterized as pa

_NOT_KERNEL = frozenset({"name", "require_data"})


def _basic_matrix(spec: Spec, d: int, d_prime: int) -> Tensor:
    if isinstance(spec, ba.ConstantInterdependence):
        return torch.tensor(spec.A, dtype=torch.float64)
    if isinstance(spec, (ba.IdentityInterdependence, ba.EyeInterdependence)):
        return torch.eye(d, d_prime, dtype=torch.float64)
    c = {"zero_interdependence": 0.0, "one_interdependence": 1.0}.get(
        spec.name, getattr(spec, "c", 1.0)
    )
    return torch.full((d, d_prime), float(c), dtype=torch.float64)


def _graph(spec: Any, ctx: BuildContext) -> Tensor:
    """A of a graph interdependence: its inline graph, or the one supplied at build time."""
    nodes, links = spec.nodes, spec.links
    if spec.structure is not None:
        supplied = (ctx.structures or {}).get(spec.structure)
        where = f"{ctx.path} ({spec.name})"
        if not isinstance(supplied, Mapping) or "nodes" not in supplied:
            given = sorted(ctx.structures or {})
            raise StructureError(
                f"{where} names the structure {spec.structure!r}, but build() got "
                f"{'no structures' if not given else 'only ' + ', '.join(map(repr, given))}: "
                f"pass structures={{{spec.structure!r}: {{'nodes': [...], 'links': [...]}}}}"
            )
        nodes, links = list(supplied["nodes"]), list(supplied.get("links", []))
        if len(nodes) != spec.nodes or len(set(nodes)) != len(nodes):
            raise StructureError(
                f"{where}: structure {spec.structure!r} has {len(nodes)} nodes "
                f"({len(set(nodes))} distinct), the spec declares nodes: {spec.nodes}"
            )
        known = set(nodes)
        for i, link in enumerate(links):
            if len(link) != 2 or not all(end in known for end in link):
                raise StructureError(
                    f"{where}: structure {spec.structure!r} link {i} ({link!r}) is not a pair "
                    "of its node ids"
                )
        spec = spec.model_copy(update={"links": [tuple(link) for link in links]})
    index = {node: i for i, node in enumerate(nodes)}
    return T.graph_matrix(spec.name, spec, index, ctx.semantics)


class Interdependence(nn.Module):
    """One interdependence function in a head slot (``kind``: attribute or instance)."""

    def __init__(self, spec: Spec, ctx: BuildContext, kind: str, b: int | None, m: int):
        super().__init__()
        self.spec, self.name, self.kind = spec, spec.name, kind
        self.semantics = ctx.semantics
        side = di.Side(kind, b, m, ctx.semantics)
        size = di.sizes(spec, side)
        self.d, self.d_prime, self.l = side.d, size.d_prime, size.l
        self.parameter_fabrication: nn.Module | None = None
        self.data_transformation: nn.Module | None = None
        self.parts: nn.ModuleList | None = None
        self.softmax: hy.MaskedSoftmax | None = None
        #: graph attention evaluated on the structure's links only (False: the dense matrix)
        self.edges = False
        self._kernel = None
        self._cache: Tensor | None = None
        self._keep_first = isinstance(spec, ke._Kernel) and not spec.require_data
        fixed: Tensor | None = None
        if isinstance(spec, ba.BASIC_TYPES):
            fixed = _basic_matrix(spec, side.d or len(getattr(spec, "A", [])), size.d_prime)
        elif spec.name in T.GRAPHS:
            fixed = _graph(spec, ctx)
        elif spec.name in T.CHAINS:
            fixed = T.chain_matrix(spec.name, spec, ctx.semantics)
        elif isinstance(spec, ge._Geometric):
            fixed = self._geometric(spec, ctx.semantics)
        elif isinstance(spec, hy.ParameterizedRPNInterdependence):
            self._rpn(spec, ctx, side)
        elif isinstance(spec, hy.HybridInterdependence):
            self._hybrid(spec, ctx, side, b, m)
        elif isinstance(spec, (pa._Parameterized, pa._Bilinear)):
            rows, cols = di.fabricated_shape(spec, side)
            self.parameter_fabrication = Reconciliation(
                di.fabrication(spec), ctx.at("parameter_fabrication"), rows, cols, size.l
            )
        else:
            self._kernel = K.KERNELS[spec.name]
            self._kwargs = {
                k: getattr(spec, k) for k in type(spec).model_fields if k not in _NOT_KERNEL
            }
        self.sparse = fixed is not None and fixed.is_sparse
        if fixed is not None:
            A = (
                fixed.to(device=ctx.device, dtype=ctx.dtype)
                if not ctx.meta
                else fixed.to(ctx.dtype)
            )
            if self.sparse:
                A = A.coalesce()
            # not in the state dict: tinybig saves no A either, and it is rebuilt from the spec
            self.register_buffer("A", A, persistent=False)
            self.register_buffer("At", A.t().coalesce() if self.sparse else A.t(), persistent=False)
        else:
            self.A = None  # type: ignore[assignment]

    def _rpn(self, spec: hy.ParameterizedRPNInterdependence, ctx: BuildContext, side: di.Side):
        e, D, d_prime, l = di.rpn_sizes(spec, side)
        self.data_transformation = build_expansion(
            spec.data_transformation, ctx.at("data_transformation"), e
        )
        self.parameter_fabrication = build_reconciliation(
            spec.parameter_fabrication, ctx.at("parameter_fabrication"), d_prime, D, l
        )

    def _hybrid(
        self, spec: hy.HybridInterdependence, ctx: BuildContext, side: di.Side, b, m
    ) -> None:
        parts, n, _ = di.hybrid_parts(spec, side)
        self.parts = nn.ModuleList(
            Interdependence(f, ctx.at("functions", i), self.kind, b, m)
            for i, f in enumerate(spec.functions)
        )
        self.part_l = [p.l for p in parts]
        fusion = spec.fusion.model_copy(update={"dims": [p.d_prime for p in parts]})
        if isinstance(fusion, fu._ParameterizedConcatenation) and fusion.n is None:
            fusion = fusion.model_copy(update={"n": n})
        self.fusion = build_fusion(fusion, ctx.at("fusion"))
        self.softmax = spec.softmax
        self.edges = self._edge_parts() is not None

    def _edge_parts(self) -> tuple[Interdependence, Interdependence] | None:
        """(structure, bilinear) when A is a masked softmax of their product in the instance
        slot: then only the structure's links are scored."""
        parts = list(self.parts or [])
        if (
            self.softmax is None
            or self.kind != di.INSTANCE
            or self.fusion.name != "prod_fusion"
            or len(parts) != 2
        ):
            return None
        structure = next((p for p in parts if p.sparse), None)
        bilinear = next((p for p in parts if p.bilinear), None)
        if structure is None or bilinear is None:
            return None
        return structure, bilinear

    def _part_weights(self, w: Tensor | None) -> list[Tensor | None]:
        """w split into the parts' segments (and the fusion's last); None for an empty one."""
        if w is None:
            return [None] * (len(self.parts or []) + 1)
        ws = torch.split(w, [*self.part_l, self.l - sum(self.part_l)], dim=1)
        return [wi if wi.numel() else None for wi in ws]

    def _hybrid_matrix(self, x: Tensor, w: Tensor | None) -> Tensor:
        assert self.parts is not None
        ws = self._part_weights(w)
        As, fixed = [], []
        for part, wi in zip(self.parts, ws, strict=False):
            A = part.matrix(x, wi)
            As.append(A.to_dense() if A.is_sparse else A)
            if part.A is not None:
                fixed.append(As[-1])
        A = self.fusion(As, ws[-1])
        if self.softmax is None:
            return A
        if self.semantics == "tinybig" or not fixed:
            mask = A != 0  # tinybig's mask_zeros: the fused matrix's nonzero entries
        else:  # the structure's support, whatever the scores
            mask = torch.stack([F != 0 for F in fixed]).all(dim=0)
        return att.masked_softmax(A, mask, self.softmax.mode, self.softmax.rescale_factor)

    def _edge_apply(self, x: Tensor, w: Tensor | None, target: Tensor) -> Tensor:
        """A^T target with A the masked softmax of structure * (x W x^T), on the links."""
        assert self.parts is not None and self.softmax is not None
        structure, bilinear = self._edge_parts()  # type: ignore[misc]
        ws = self._part_weights(w)
        W = bilinear.parameter_fabrication(ws[list(self.parts).index(bilinear)], 1, x.t())[0]
        rows, cols = structure.A.indices()
        scores = att.bilinear_edge_scores(x, W, rows, cols) * structure.A.values()
        scores = scores * self.softmax.rescale_factor
        keep = scores != 0 if self.semantics == "tinybig" else structure.A.values() != 0
        column = self.softmax.mode == "column"
        values = att.edge_softmax(
            scores, keep, cols if column else rows, self.d_prime if column else self.d
        )
        return att.edge_apply(values, rows, cols, target, self.d_prime)

    def _geometric(self, spec: ge._Geometric, semantics: str) -> Tensor:
        patch = di.as_expansion(spec)
        shape = patch.name.split("_", 1)[0]
        params = patch.model_dump(exclude={"name", "h", "w", "d", "preprocess", "postprocess"})
        mode = spec.interdependence_matrix_mode
        self.channels = spec.channel_num
        _, _, S = di.geometry(spec, semantics)
        self.patch_size = S if mode == "padding" else None
        return G.geometric_matrix(
            shape,
            spec.h,
            spec.w,
            spec.d,
            mode,
            spec.normalization,
            spec.normalization_mode,
            semantics,
            **params,
        )

    @property
    def bilinear(self) -> bool:
        return isinstance(self.spec, pa._Bilinear)

    def matrix(self, x: Tensor, w: Tensor | None) -> Tensor:
        """A (d x d') for the head input x (b, m) and one channel's w (1, l) or None."""
        if self.A is not None:
            return self.A
        if self._cache is not None:
            return self._cache
        data = x if self.kind == di.ATTRIBUTE else x.t()
        if self.parts is not None:
            A = self._hybrid_matrix(x, w)
        elif self.data_transformation is not None:
            kappa = self.data_transformation(data.t())  # (d, D): one row per column of data
            A = kappa @ self.parameter_fabrication(w, 1, kappa)[0].t()
        elif self.parameter_fabrication is not None:
            W = self.parameter_fabrication(w, 1, data)[0]
            A = data.t() @ W @ data if self.bilinear else W
            if self.bilinear and self.spec.softmax is not None:
                sm = self.spec.softmax
                A = S.softmax_matrix(A, sm.mode, sm.rescale_factor, sm.mask_zeros)
        else:
            A = self._kernel(data, semantics=self.semantics, **self._kwargs)
        if self._keep_first:
            self._cache = A.detach()
        return A

    def apply(self, x: Tensor, w: Tensor | None, kappa: Tensor | None = None) -> Tensor:
        """x A (attribute slot) or A^T kappa (instance slot; kappa defaults to x)."""
        if self.kind == di.ATTRIBUTE:
            if isinstance(self.spec, ge._Geometric):
                return G.apply_channels(x, self.At, self.channels, self.patch_size)
            if self.sparse:
                return torch.sparse.mm(self.At, x.t()).t()
            return x @ self.matrix(x, w)
        target = kappa if kappa is not None else x
        if (self.edges or self.sparse) and target.shape[0] != self.d:
            raise ValueError(
                f"{self.name} relates {self.d} rows (one per node of its structure), the input "
                f"has {target.shape[0]}: give one row per node, in the order of its nodes"
            )
        if self.edges:
            return self._edge_apply(x, w, target)
        if self.sparse:
            return torch.sparse.mm(self.At, target)
        return self.matrix(x, w).t() @ target

    def extra_repr(self) -> str:
        return f"{self.name}, {self.kind}, d={self.d}, d'={self.d_prime}, l={self.l}"


#: Every interdependence spec class -> its module (one class serves them all; its tables pick
#: the matrix).
INTERDEPENDENCE_BUILDERS: dict[type, type[Interdependence]] = {
    cls: Interdependence for cls in INTERDEPENDENCE_TYPES
}
