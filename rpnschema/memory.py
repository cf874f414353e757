"""The memory a build and its forward check allocate, from a normalized spec (no torch).

The memory budget (``Limits.max_memory``, ``--max-memory``) bounds this figure; validation
checks it for the forward check's default batch, ``rpnschema build`` again for its own
``--batch`` and ``--dtype``, ``rpnschema load`` before it builds a stored spec, all before any
tensor is allocated. It counts, in elements of the model's dtype (masks counted at full size):

- **parameters**: every learnable tensor (the spec's parameter count);
- **buffers**: every fixed tensor a build draws or keeps: batch_norm's running statistics,
  the masks of ``masking_reconciliation``, the random matrices of the random-matrix
  reconciliations and fusions, the frozen MLP of ``hypernet_reconciliation``
  (l x h, h, n D x h, n D);
- **forward**: the peak of the forward check, layer by layer (a layer's heads all live until
  its fusion): per head its input and expansion (``B*m + 2*B*D``), the materialized W of
  every channel (``c*n*D``, unless identity_reconciliation uses w as it is; plus the hidden
  layer of a hypernet), its outputs (``B*c*n + B*out``) and a parameterized concatenation
  fusion's matrix (``n_out * sum(dims)``); per layer its input and output;
- interdependences: their fixed A (buffers) and the matrices a forward computes
  (:mod:`rpnschema.interdependence_cost`).

It is an estimate from above of what rpnschema's own tensors take, not of the allocator's or
torch's overhead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from rpnschema import dims_grid
from rpnschema.limits import MAX_MEMORY
from rpnschema.sequence import input_width
from rpnschema.spec import fusion as fu
from rpnschema.spec import processing as pr
from rpnschema.spec import reconciliation as rc
from rpnschema.spec.model import ModelSpec

__all__ = [
    "CHECK_BATCH",
    "DEFAULT_MAX_MEMORY",
    "Memory",
    "estimate",
    "fixed_batch",
    "human_bytes",
    "memory_problem",
    "parse_size",
]

DEFAULT_MAX_MEMORY = MAX_MEMORY
#: The forward check's default batch (``rpnschema build --batch``).
CHECK_BATCH = 4
_BYTES = {"float32": 4, "float64": 8, "bfloat16": 2, "float16": 2}


@dataclass(frozen=True)
class Memory:
    """Bytes of a model's parameters, buffers and forward-check peak; ``where`` is the head (or
    layer) index pair whose tensors weigh most."""

    parameters: int
    buffers: int
    forward: int
    batch: int
    dtype: str
    where: tuple[int, int | None] = (0, None)

    @property
    def total(self) -> int:
        return self.parameters + self.buffers + self.forward


def reconciliation_buffers(spec: rc.Reconciliation, n: int, D: int, l: int) -> int:
    """Elements of the fixed tensors a reconciliation draws."""
    if isinstance(spec, rc.MaskingReconciliation):
        return n * D
    if isinstance(spec, rc.RandomMatrixAdaptionReconciliation):
        return (n + D) * spec.r
    if isinstance(spec, rc.RandomMatrixHypernetReconciliation):
        return (l + 2 * spec.hidden_dim + n * D) * spec.r
    if isinstance(spec, rc.HypernetReconciliation):
        h = spec.hidden_dim
        trainable = not spec.static  # then they are parameters, counted already
        return 0 if trainable else h * l + h + n * D * h + n * D
    return 0


def _running_stats(node: Any) -> int:
    """Elements of the running statistics of every batch_norm in a spec node (mean and
    variance, plus the int64 batch counter counted as 2 elements)."""
    if isinstance(node, pr.BatchNorm):
        return 2 * (node.num_features or 0) + 2
    if isinstance(node, BaseModel):
        return sum(_running_stats(getattr(node, k)) for k in type(node).model_fields)
    if isinstance(node, (list, tuple)):
        return sum(_running_stats(v) for v in node)
    return 0


def _fusion(spec: fu.Fusion | None, dims: list[int], n_out: int) -> tuple[int, int]:
    """(buffer elements, forward elements) of a fusion."""
    if spec is None:
        return 0, 0
    buffers = 0
    if isinstance(spec, fu.RandomMatrixAdaptionParameterizedConcatenationFusion):
        buffers = (n_out + sum(dims)) * spec.r
    forward = n_out * sum(dims) if isinstance(spec, fu._ParameterizedConcatenation) else 0
    return buffers, forward


def _interdependence_buffers(head: Any, semantics: str) -> int:
    """Elements of the fixed tensors the fabrications of a head's parameterized
    interdependences draw (e.g. random_matrix_adaption's two random matrices)."""
    slots = ("attribute_interdependence", "instance_interdependence")
    if not any(getattr(head, slot, None) is not None for slot in slots):
        return 0  # the interdependence family stays unloaded for heads without one
    from rpnschema import dims_interdependence as di
    from rpnschema.spec.interdependence import parameterized as pa

    total = 0
    for kind in (di.ATTRIBUTE, di.INSTANCE):
        spec = getattr(head, f"{kind}_interdependence", None)
        if not isinstance(spec, (pa._Parameterized, pa._Bilinear)):
            continue
        side = di.Side(kind, getattr(head, "batch", None), head.m, semantics)
        try:
            rows, cols = di.fabricated_shape(spec, side)
        except di.DimProblem:
            continue  # reported by validation
        l = getattr(head, f"l_{kind}_interdependence", None) or 0
        total += reconciliation_buffers(di.fabrication(spec), rows, cols, l)
    return total


def _head(head: Any, batch: int, semantics: str = "native") -> tuple[int, int]:
    """(buffer elements, forward elements) of a normalized head."""
    m, n, D, c, l = head.m, head.n, head.D, head.channels, head.l
    rec = head.reconciliation
    P = dims_grid.blocks(head)  # a patch convolution reconciles an (n/P) x (D/P) matrix
    buffers = reconciliation_buffers(rec, n // P, D // P, l) + _running_stats(head)
    buffers += _interdependence_buffers(head, semantics)
    rows = batch * (getattr(head, "steps", None) or 1)  # a sequence head: one per position
    forward = rows * m + 2 * rows * D + rows * c * n + batch * head.output_dim
    if not isinstance(rec, rc.IdentityReconciliation):
        forward += c * (n // P) * (D // P)
    if isinstance(rec, (rc.HypernetReconciliation, rc.RandomMatrixHypernetReconciliation)):
        forward += c * (rec.hidden_dim + (n // P) * (D // P))
    if counts_interdependence(head):
        from rpnschema.interdependence_cost import head_cost  # loaded for such heads only

        cost = head_cost(head, batch)
        buffers += cost.buffers
        forward += cost.forward
    fb, ff = _fusion(head.channel_fusion, [n] * c, head.output_dim)
    return buffers + fb, forward + ff


def counts_interdependence(head: Any) -> bool:
    """Whether a head's interdependences are costed by :mod:`rpnschema.interdependence_cost`:
    not in a sequence head (its steps x steps mixing is counted per position) nor in a patch
    convolution (one block per patch, counted by the head's own figures)."""
    interdependent = head.attribute_interdependence or head.instance_interdependence
    return (
        interdependent is not None
        and not getattr(head, "steps", None)
        and not getattr(head, "patch_convolution", False)
    )


def fixed_batch(spec: Any) -> int | None:
    """The row count a model takes, where its first layer fixes one (a head's ``batch``: an
    instance interdependence over a graph, chain or grid, a bilinear attribute one), else None."""
    layers = spec.layers or []
    heads = layers[0].heads if layers else []
    # a sequence head's batch is its positions, not rows
    found = [h.batch for h in heads if getattr(h, "batch", None) and not getattr(h, "steps", None)]
    return found[0] if found else None


def estimate(spec: ModelSpec, *, batch: int = CHECK_BATCH, dtype: str | None = None) -> Memory:
    """The memory of building ``spec`` (normalized) and running a forward pass on ``batch``
    inputs (``batch=0``: the build alone)."""
    dtype = dtype or spec.dtype
    size = _BYTES[dtype]
    buffers = peak = 0
    heaviest, where = -1, (0, None)
    for i, layer in enumerate(spec.layers or []):
        live = batch * (input_width(layer) + layer.output_dim)
        for j, head in enumerate(layer.heads):
            b, f = _head(head, batch, spec.semantics)
            buffers += b
            live += f if batch else 0
            weight = head.parameters + b + f
            if weight > heaviest:
                heaviest, where = weight, (i, j)
        b, f = _fusion(layer.head_fusion, [h.output_dim for h in layer.heads], layer.output_dim)
        b += _running_stats([layer.input_process, layer.output_process])
        buffers += b
        live += f if batch else 0
        if b + f > heaviest:
            heaviest, where = b + f, (i, None)
        peak = max(peak, live if batch else 0)
    return Memory(
        parameters=(spec.parameters or 0) * size,
        buffers=buffers * size,
        forward=peak * size,
        batch=batch,
        dtype=dtype,
        where=where,
    )


@dataclass(frozen=True)
class MemoryProblem:
    """A memory estimate above the budget, worded for a diagnostic."""

    message: str
    expected: str
    found: str
    suggestion: str
    where: tuple[int, int | None]


def human_bytes(value: int) -> str:
    """``17179869184`` -> ``16.00 GiB``."""
    v = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if v < 1024 or unit == "PiB":
            return f"{value} B" if unit == "B" else f"{v:.2f} {unit}"
        v /= 1024
    return f"{value} B"  # pragma: no cover


def memory_problem(
    spec: ModelSpec, budget: int, *, batch: int = CHECK_BATCH, dtype: str | None = None
) -> MemoryProblem | None:
    """None when building ``spec`` (and a forward pass on ``batch`` inputs) fits ``budget``
    bytes; otherwise what to report, pointing at the heaviest head or layer."""
    m = estimate(spec, batch=batch, dtype=dtype)
    if m.total <= budget:
        return None
    i, j = m.where
    at = f"layer {i} head {j}" if j is not None else f"layer {i}'s fusion"
    return MemoryProblem(
        message=f"building the model needs about {human_bytes(m.total)} ({m.total} bytes: "
        f"parameters {human_bytes(m.parameters)}, buffers {human_bytes(m.buffers)}, forward "
        f"check at batch {m.batch} {human_bytes(m.forward)}, as {m.dtype}), above the memory "
        f"budget of {human_bytes(budget)}; {at} weighs most",
        expected=f"at most {budget} bytes",
        found=f"{m.total} bytes",
        suggestion="shrink the model (hidden_dim, n, D, channels), or raise the limit "
        "(--max-memory) if the machine has the memory",
        where=m.where,
    )


_UNITS = {"": 1, "B": 1, "K": 1000, "M": 10**6, "G": 10**9, "T": 10**12}
_UNITS.update({f"{k}B": v for k, v in list(_UNITS.items()) if k not in ("", "B")})
_UNITS.update({f"{k}iB": 1024 ** (i + 1) for i, k in enumerate("KMGT")})
_UNITS.update({f"{k}i": 1024 ** (i + 1) for i, k in enumerate("KMGT")})


def parse_size(text: str) -> int:
    """``"16GiB"``, ``"512MiB"``, ``"2GB"``, ``"1000000"`` -> bytes; raises ValueError."""
    raw = text.strip()
    number = raw.rstrip("KMGTiBkmgtb ")
    unit = raw[len(number) :].strip().upper().replace("IB", "iB").replace("I", "i")
    if not number or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size: use e.g. 16GiB, 512MiB, 2GB or a byte count")
    try:
        value = float(number) if "." in number else int(number)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a size: use e.g. 16GiB, 512MiB or 2GB") from e
    size = int(value * _UNITS[unit])
    if size < 1:
        raise ValueError(f"{text!r}: the memory budget must be at least 1 byte")
    return size
