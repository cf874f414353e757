"""Build a spec in every process of a torch.distributed job: replicated (DDP) or sharded (FSDP2).

Call :func:`build_distributed` after ``torch.distributed.init_process_group`` (torchrun sets
the rank and world size). Every rank must build the same spec: before allocating anything
the ranks compare the sha256 of their normalized specs, with the seed and dtype used and the
device type (:func:`check_same_spec`), and stop with RPN603, naming the ranks of each hash,
when they differ. A spec without a seed gets rank 0's drawn seed on every rank.

``sharding="fsdp"`` never allocates the whole model on one rank: the model is built on the
``meta`` device (the skeleton: shapes only), then :func:`materialize` builds one head at a
time on the CPU with the spec's seeded init (the values a plain ``rpnschema.build`` gives),
shards it at once with FSDP2 ``fully_shard`` (every parameter along its largest dimension)
and drops the full copy; each layer's own tensors follow the same way. A rank's peak is its
shards plus the largest head.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from rpnschema.canonical import spec_hash
from rpnschema.compile.context import DTYPE_NAMES, BuildContext, fresh_seed
from rpnschema.compile.modules import RPNLayer, RPNModel, head_module
from rpnschema.errors import Code, DeployError, Diagnostic
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import load_spec

SHARDINGS = ("ddp", "fsdp")


def check_same_spec(spec: ModelSpec, group: Any = None) -> str:
    """The spec's sha256, the same on every rank of ``group``; otherwise RPN603 on every rank."""
    digest = spec_hash(spec)
    hashes: list[str | None] = [None] * dist.get_world_size(group)
    dist.all_gather_object(hashes, digest, group=group)
    if len(set(hashes)) == 1:
        return digest
    by_hash: dict[str, list[int]] = {}
    for rank, h in enumerate(hashes):
        by_hash.setdefault(str(h), []).append(rank)
    parts = [
        f"rank{'s' if len(ranks) > 1 else ''} {', '.join(map(str, ranks))}: {h[:12]}"
        for h, ranks in sorted(by_hash.items(), key=lambda item: item[1])
    ]
    raise DeployError(
        [
            Diagnostic(
                Code.RANK_MISMATCH,
                f"the ranks built different specs (spec sha256 {'; '.join(parts)})",
                expected="one spec sha256 on every rank",
                found=f"{len(by_hash)} different hashes",
                suggestion="give every rank the same spec file, --set overrides and seed",
            )
        ]
    )


def _agreed_seed(spec: ModelSpec, seed: int | None, group: Any) -> int:
    if seed is not None:
        return seed
    if spec.seed is not None:
        return spec.seed
    drawn = [fresh_seed() if dist.get_rank(group) == 0 else None]
    dist.broadcast_object_list(drawn, src=0, group=group)
    return int(drawn[0])  # type: ignore[arg-type]


def _shared(
    spec: ModelSpec, seed: int, device: str | torch.device, dtype: str | torch.dtype | None
) -> ModelSpec:
    """What every rank must agree on: the spec with the seed and dtype used and the device
    *type* (the ranks of one machine use different GPUs)."""
    name = DTYPE_NAMES.get(dtype, dtype) if isinstance(dtype, torch.dtype) else dtype
    update = {"seed": seed, "device": torch.device(device).type, "dtype": name or spec.dtype}
    return spec.model_copy(update=update)


def _largest_dim(param: nn.Parameter) -> Any:
    from torch.distributed.tensor import Shard

    return Shard(max(range(param.dim()), key=param.size)) if param.dim() else None


def build_distributed(
    spec: ModelSpec | dict[str, Any] | str,
    *,
    sharding: str = "ddp",
    device: str | torch.device = "cpu",
    dtype: str | torch.dtype | None = None,
    seed: int | None = None,
    group: Any = None,
) -> nn.Module:
    """Build ``spec`` on this rank for data-parallel training.

    Args:
        sharding: ``ddp`` (the whole model on every rank, wrapped in DistributedDataParallel)
            or ``fsdp`` (FSDP2 ``fully_shard`` per head and layer; built on ``meta`` and
            materialized shard by shard).
        device: this rank's device (``cuda:LOCAL_RANK`` on GPUs, ``cpu`` with gloo).

    Raises:
        DeployError: RPN603 when the ranks' specs differ (raised on every rank).
    """
    import rpnschema

    if sharding not in SHARDINGS:
        raise ValueError(f"sharding {sharding!r} is not one of {', '.join(SHARDINGS)}")
    normalized = load_spec(spec)
    seed = _agreed_seed(normalized, seed, group)
    check_same_spec(_shared(normalized, seed, device, dtype), group)  # before allocating
    if sharding == "ddp":
        module = rpnschema.build(normalized, device=device, dtype=dtype, seed=seed)
        dev = torch.device(device)
        ids = [dev.index if dev.index is not None else 0] if dev.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=ids, process_group=group)
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    module = rpnschema.build(normalized, device="meta", dtype=dtype, seed=seed)
    dev = torch.device(device)
    mesh = init_device_mesh(dev.type, (dist.get_world_size(group),))

    def shard(unit: nn.Module) -> None:
        fully_shard(unit.to(dev), mesh=mesh, shard_placement_fn=_largest_dim)

    materialize(module, shard)
    fully_shard(module, mesh=mesh, shard_placement_fn=_largest_dim)
    module.spec = module.spec.model_copy(update={"device": str(dev)})
    return module


def _tensors(module: nn.Module) -> dict[str, torch.Tensor]:
    return {**dict(module.named_parameters()), **dict(module.named_buffers())}


def materialize(module: RPNModel, shard: Callable[[nn.Module], Any] = lambda unit: None) -> None:
    """Give a model built on ``meta`` the values that ``rpnschema.build(module.spec)`` gives,
    one unit at a time: each head, then each layer's own tensors, is built on the CPU with
    the spec's seeded init and put in place, and ``shard(unit)`` (e.g. ``fully_shard``) runs
    on it before the next unit is built, so that with sharding a rank holds only its shards
    and one head's full tensors."""
    spec: ModelSpec = module.spec
    ctx = BuildContext(
        semantics=spec.semantics,
        device=torch.device("cpu"),
        dtype=getattr(torch, spec.dtype),
        seed=int(spec.seed),  # type: ignore[arg-type]
        init=spec.init,
    )
    for j, layer_spec in enumerate(spec.layers):
        at = ctx.at("layers", j)
        layer = RPNLayer(layer_spec, at, heads_on=torch.device("meta"))  # its own tensors
        for i, head_spec in enumerate(layer_spec.heads):
            head = head_module(head_spec, at.at("heads", i))  # type: ignore[arg-type]
            shard(head)
            layer.heads[i] = head
        shard(layer)
        module.layers[j] = layer
    module.spec = spec.model_copy(update={"device": "cpu"})


def local_bytes(module: nn.Module) -> int:
    """Bytes of the parameters and buffers this rank holds (its shards under FSDP)."""
    from torch.distributed.tensor import DTensor

    total = 0
    for t in _tensors(module).values():
        local = t.to_local() if isinstance(t, DTensor) else t
        total += local.numel() * local.element_size()
    return total
