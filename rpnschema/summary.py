"""Per-head and per-layer figures of a normalized spec: sizes, parameters, memory, FLOPs.

Pure arithmetic on a normalized :class:`~rpnschema.spec.ModelSpec` (as returned by
:func:`rpnschema.load_spec`); never imports torch.

FLOP counting model (forward pass, batch ``B``; one multiply-add counts 2), of the reference
evaluation that materializes kappa(x) and W (the compiler may take cheaper exact paths):

- matmul (exact; what ``torch.utils.flop_counter`` counts): per channel the inner product
  ``<kappa(x), psi(w)>`` costs ``2*B*n*D`` (a patch convolution over P patches:
  ``2*B*n*D/P``); ``lorr_reconciliation`` fabricates its n x D matrix
  with ``2*n*r*D`` per channel; ``linear_remainder`` costs ``2*B*n*m``; a parameterized
  concatenation fusion costs ``2*B*n_out*sum(dims)``.
- elementwise (estimate): an expansion costs ``k*B*D`` where ``k`` is 0 for
  ``identity_expansion``, 1 for the polynomial/linear families and 4 for transcendental ones
  (``EXPANSION_COST``); other reconciliations ``n*D`` per channel; a bias ``B*n``; an
  elementwise fusion ``B*n`` per input; processing functions ``5*B*size``.
- interdependences (:mod:`rpnschema.interdependence_cost`): dense products with A (and the
  bilinear and kernel matrices) as matmul, products on a sparse structure or its links (graph
  attention) as elementwise estimates. A head whose instance interdependence fixes the batch
  (one row per graph node) is counted at that batch, which is also the summary's default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rpnschema import dims_grid
from rpnschema.canonical import SpecSource
from rpnschema.memory import Memory, counts_interdependence, estimate, fixed_batch
from rpnschema.sequence import input_width
from rpnschema.spec import fusion as fu
from rpnschema.spec import reconciliation as rc
from rpnschema.spec import remainder as rm

DTYPE_BYTES: dict[str, int] = {"float32": 4, "float64": 8, "bfloat16": 2, "float16": 2}

#: Elementwise operations per expansion output, by catalog name (default ``DEFAULT_COST``).
EXPANSION_COST: dict[str, int] = {
    "identity_expansion": 0,
    "linear_expansion": 1,
    "reciprocal_expansion": 1,
    "taylor_expansion": 1,
    "combinatorial_expansion": 1,
}
DEFAULT_COST = 4
PROCESSING_COST = 5


@dataclass
class Flops:
    """FLOPs split into exact matmul FLOPs and estimated elementwise FLOPs."""

    matmul: int = 0
    elementwise: int = 0

    @property
    def total(self) -> int:
        return self.matmul + self.elementwise

    def __add__(self, other: Flops) -> Flops:
        return Flops(self.matmul + other.matmul, self.elementwise + other.elementwise)


@dataclass
class Row:
    """One line of the summary: a head, a layer's own part (its fusion), or the total."""

    where: str
    m: int | None = None
    expansion: str = ""
    D: int | None = None
    reconciliation: str = ""
    l: int | None = None
    remainder: str = ""
    channels: int | None = None
    fusion: str = ""
    n: int | None = None
    parameters: int = 0
    memory_bytes: int = 0
    flops: Flops = field(default_factory=Flops)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["flops"] = {**data["flops"], "total": self.flops.total}
        return data


@dataclass
class Summary:
    name: str
    batch: int
    dtype: str
    rows: list[Row]
    total: Row
    memory: Memory | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "batch": self.batch,
            "dtype": self.dtype,
            "rows": [r.to_data() for r in self.rows],
            "total": self.total.to_data(),
        }
        if self.memory is not None:
            m = self.memory
            data["build_memory"] = {
                "parameters": m.parameters,
                "buffers": m.buffers,
                "forward": m.forward,
                "total": m.total,
            }
        return data


def _short(component: Any, suffix: str) -> str:
    return component.name.removesuffix(suffix) if component is not None else ""


def _processing_flops(items: list[Any], size: int, batch: int) -> int:
    return PROCESSING_COST * batch * size * len(items)


def fusion_flops(spec: fu.Fusion | None, dims: list[int], n_out: int, batch: int) -> Flops:
    """FLOPs of a fusion of inputs sized ``dims`` into ``n_out`` outputs."""
    if spec is None:
        return Flops()
    if isinstance(spec, fu._ParameterizedConcatenation):
        return Flops(matmul=2 * batch * n_out * sum(dims))
    if isinstance(spec, fu.ConcatenationFusion):
        return Flops()
    return Flops(elementwise=batch * sum(dims))


def head_flops(head: Any, rows: int) -> Flops:
    """FLOPs of one normalized head on a batch of ``rows`` inputs (a sequence head works on
    each of the steps positions of a row and mixes them: steps x steps per feature)."""
    steps = getattr(head, "steps", None) or 1
    batch = rows * steps
    m, n, D, c = head.m, head.n, head.D, head.channels
    rec = head.reconciliation
    P = dims_grid.blocks(head)  # a patch convolution: each output reads one patch's D/P values
    matmul = c * 2 * batch * n * (D // P)
    elementwise = EXPANSION_COST.get(head.expansion.name, DEFAULT_COST) * batch * D
    elementwise += _processing_flops(head.expansion.preprocess, m, batch)
    elementwise += _processing_flops(head.expansion.postprocess, D, batch)
    if isinstance(rec, rc.LorrReconciliation):
        matmul += c * 2 * (n // P) * rec.r * (D // P)
    elif not isinstance(rec, rc.IdentityReconciliation):
        elementwise += c * (n // P) * (D // P)
    if rec.enable_bias:
        elementwise += c * batch * n
    if isinstance(head.remainder, rm.LinearRemainder):
        matmul += 2 * batch * n * m
        elementwise += batch * n * (1 if head.remainder.enable_bias else 0)
    elif not isinstance(head.remainder, rm.ZeroRemainder):
        elementwise += batch * n
    if steps > 1 and head.instance_interdependence is not None:
        matmul += c * 2 * batch * steps * D  # A^T over the positions
    flops = Flops(matmul, elementwise)
    if counts_interdependence(head):
        from rpnschema.interdependence_cost import head_cost  # loaded for such heads only

        cost = head_cost(head, batch)
        flops += Flops(cost.matmul, cost.elementwise)
    flops += fusion_flops(head.channel_fusion, [n] * c, head.output_dim // steps, batch)
    extra = _processing_flops(head.input_process, m * steps, rows)
    extra += _processing_flops(head.output_process, head.output_dim, rows)
    return flops + Flops(elementwise=extra)


def summarize(spec: SpecSource, *, batch: int | None = None, dtype: str | None = None) -> Summary:
    """The summary of a spec (a path, a mapping or a spec object, normalized first when it is
    not yet) for ``batch`` inputs (default: the batch the first layer fixes, else 1).

    ``dtype`` (default the spec's) sets the bytes per parameter of the memory column."""
    from rpnschema.validate import as_normalized

    spec = as_normalized(spec)
    batch = batch or fixed_batch(spec) or 1
    dtype = dtype or spec.dtype
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype {dtype!r} is not one of {', '.join(DTYPE_BYTES)}")
    size = DTYPE_BYTES[dtype]
    rows: list[Row] = []
    total = Row("total", parameters=0)
    for i, layer in enumerate(spec.layers or []):
        head_params = 0
        for j, head in enumerate(layer.heads):
            flops = head_flops(head, batch)
            rows.append(
                Row(
                    f"layer {i} head {j}",
                    m=head.m,
                    expansion=_short(head.expansion, "_expansion"),
                    D=head.D,
                    reconciliation=_short(head.reconciliation, "_reconciliation"),
                    l=head.l,
                    remainder=_short(head.remainder, "_remainder"),
                    channels=head.channels,
                    fusion=_short(head.channel_fusion, "_fusion"),
                    n=head.output_dim,
                    parameters=head.parameters,
                    memory_bytes=head.parameters * size,
                    flops=flops,
                )
            )
            head_params += head.parameters
            total.flops += flops
        dims = [h.output_dim for h in layer.heads]
        flops = fusion_flops(layer.head_fusion, dims, layer.output_dim, batch)
        extra = _processing_flops(layer.input_process, input_width(layer), batch)
        if layer.pool_steps:
            extra += batch * input_width(layer)  # the mean of the positions
        flops += Flops(
            elementwise=extra + _processing_flops(layer.output_process, layer.output_dim, batch)
        )
        if layer.share_heads and layer.heads:  # one head object: its parameters count once
            head_params = layer.heads[0].parameters
        own = layer.parameters - head_params
        if layer.head_fusion is None and own == 0 and flops.total == 0:
            continue  # a single head and nothing of the layer's own: no row
        rows.append(
            Row(
                f"layer {i}",
                m=layer.m,
                fusion=_short(layer.head_fusion, "_fusion"),
                n=layer.output_dim,
                parameters=own,
                memory_bytes=own * size,
                flops=flops,
            )
        )
        total.flops += flops
    total.parameters = spec.parameters or 0
    total.memory_bytes = total.parameters * size
    total.m = input_width(spec.layers[0]) if spec.layers else None
    total.n = spec.layers[-1].output_dim if spec.layers else None
    return Summary(
        spec.name, batch, dtype, rows, total, memory=estimate(spec, batch=batch, dtype=dtype)
    )


def human(value: int, unit: str = "") -> str:
    """``1234567`` -> ``1.23 M`` (``unit`` appended; bytes use binary prefixes)."""
    if unit == "B":
        base, prefixes = 1024, ["", "Ki", "Mi", "Gi", "Ti"]
    else:
        base, prefixes = 1000, ["", "k", "M", "G", "T"]
    v = float(value)
    for p in prefixes:
        if abs(v) < base or p == prefixes[-1]:
            break
        v /= base
    if p == "":
        return f"{value} {unit}".rstrip()
    return f"{v:.2f} {p}{unit}"
