"""Training memory per rank of a data-parallel job, estimated from a normalized spec (no torch).

Counted per rank, in the parameter dtype's bytes (activations are not counted: they scale with
the batch, not the model):

- ``ddp`` (every rank holds the whole model): parameters, gradients, DDP's gradient buckets
  (a copy of the gradients, torch's default ``gradient_as_bucket_view=False``) and the
  optimizer state (``adam``: 2 values per parameter, ``sgd``: none).
- ``fsdp`` (FSDP2 as :func:`rpnschema.compile.distributed.build_distributed` applies it: one
  unit per head and per layer's own parameters): each unit's parameters, gradients and
  optimizer state split over the ranks (``ceil(unit / world_size)``), plus the largest unit
  all-gathered in full with its full gradients while it runs forward and backward.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rpnschema.spec.model import ModelSpec
from rpnschema.summary import DTYPE_BYTES

SHARDINGS = ("ddp", "fsdp")
#: Optimizer state values per parameter.
OPTIMIZER_STATES: dict[str, int] = {"adam": 2, "sgd": 0}


@dataclass(frozen=True)
class RankMemory:
    """Bytes one rank holds while training (see the module docstring)."""

    world_size: int
    sharding: str
    optimizer: str
    dtype: str
    parameters: int  #: bytes of this rank's parameters
    gradients: int
    optimizer_state: int
    communication: int  #: DDP buckets, or FSDP's all-gathered unit (parameters + gradients)
    unsharded: int  #: parameters + gradients + optimizer state of the whole model

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer_state + self.communication

    def to_data(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total}


def units(spec: ModelSpec) -> list[int]:
    """Parameter counts of the FSDP units: every head, then each layer's own parameters."""
    found = []
    for layer in spec.layers or []:
        heads = [h.parameters or 0 for h in layer.heads]
        found += [*heads, (layer.parameters or 0) - sum(heads)]
    return [u for u in found if u > 0]


def rank_memory(
    spec: ModelSpec,
    world_size: int,
    sharding: str = "ddp",
    *,
    dtype: str | None = None,
    optimizer: str = "adam",
) -> RankMemory:
    """The per-rank memory of training ``spec`` (normalized) on ``world_size`` ranks."""
    if world_size < 1:
        raise ValueError(f"world_size (={world_size}) must be >= 1")
    if sharding not in SHARDINGS:
        raise ValueError(f"sharding {sharding!r} is not one of {', '.join(SHARDINGS)}")
    if optimizer not in OPTIMIZER_STATES:
        raise ValueError(f"optimizer {optimizer!r} is not one of {', '.join(OPTIMIZER_STATES)}")
    dtype = dtype or spec.dtype
    size = DTYPE_BYTES[dtype]
    states = OPTIMIZER_STATES[optimizer]
    parts = units(spec)
    full = sum(parts)
    held = full if sharding == "ddp" else sum(-(-u // world_size) for u in parts)
    communication = full if sharding == "ddp" else 2 * max(parts, default=0)
    return RankMemory(
        world_size=world_size,
        sharding=sharding,
        optimizer=optimizer,
        dtype=dtype,
        parameters=held * size,
        gradients=held * size,
        optimizer_state=states * held * size,
        communication=communication * size,
        unsharded=(2 + states) * full * size,
    )
