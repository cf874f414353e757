"""Train a spec for a few steps under torchrun: DDP or FSDP2, on CPU (gloo) or GPUs (nccl).

    python -m torch.distributed.run --standalone --nproc-per-node 2 \\
        examples/distributed/train.py examples/multihead_fusion.yaml --sharding fsdp

Every step draws one global batch from a seeded generator (the same on every rank); rank r
trains on rows r::world of it, so the averaged gradients are those of the global batch and
the trained weights equal a single-process run on the whole batch (``--sharding none``).
With ``--out DIR`` rank 0 writes the trained full state dict (``model.pt``) and every rank
its losses and memory figures (``rank<r>.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F

import rpnschema
from rpnschema.compile.distributed import build_distributed, local_bytes

# imported now, not during the build whose memory rise is measured
from torch.distributed.fsdp import fully_shard  # noqa: F401  isort: skip
from torch.distributed.tensor import DTensor  # isort: skip


#: Built once before the memory baseline, so the measured rise is the model's alone, not the
#: one-time initialization of torch.distributed, FSDP and the compiler (about 80 MiB here).
TINY = {"layers": [{"m": 2, "n": 2, "heads": [{"expansion": "identity_expansion"}]}]}


def batches(spec: rpnschema.ModelSpec, steps: int, size: int) -> list[tuple[torch.Tensor, ...]]:
    """``steps`` seeded global batches (x, y) for ``spec``."""
    m, n = spec.layers[0].m, spec.layers[-1].output_dim
    g = torch.Generator().manual_seed(1234)
    return [
        (torch.randn(size, m, generator=g), torch.randn(size, n, generator=g)) for _ in range(steps)
    ]


def train(model: torch.nn.Module, data: list, rank: int, world: int, lr: float) -> list[float]:
    """SGD on rows rank::world of each global batch; the loss of each step on this rank."""
    device = next(iter(model.parameters())).device
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for x, y in data:
        x, y = x[rank::world].to(device), y[rank::world].to(device)
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def full_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter and buffer, unsharded (collective under FSDP: call it on every rank)."""
    module = getattr(model, "module", model)  # DDP wraps the model
    state = {}
    for name, t in module.state_dict().items():
        state[name] = (t.full_tensor() if isinstance(t, DTensor) else t).detach().cpu()
    return state


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", help="spec file (JSON or YAML)")
    parser.add_argument("--sharding", choices=["ddp", "fsdp", "none"], default="ddp")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8, help="global batch size")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write model.pt and rank<r>.json here")
    args = parser.parse_args()

    spec = rpnschema.load_spec(args.spec)
    if args.sharding == "none":
        rank, world = 0, 1
        rpnschema.build(TINY, seed=args.seed)  # one-time initialization, before the baseline
        before = _rss_mib()
        model = rpnschema.build(spec, seed=args.seed)
    else:
        cuda = torch.cuda.is_available()
        dist.init_process_group("nccl" if cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        device = f"cuda:{os.environ.get('LOCAL_RANK', 0)}" if cuda else "cpu"
        if cuda:
            torch.cuda.set_device(device)
        build_distributed(TINY, sharding=args.sharding, device=device, seed=args.seed)
        before = _rss_mib()
        model = build_distributed(spec, sharding=args.sharding, device=device, seed=args.seed)
    built = _rss_mib()
    held = local_bytes(getattr(model, "module", model))
    losses = train(model, batches(spec, args.steps, args.batch), rank, world, args.lr)
    state = full_state(model)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        if rank == 0:
            torch.save(state, args.out / "model.pt")
        figures = {
            "rank": rank,
            "world": world,
            "sharding": args.sharding,
            "losses": losses,
            "local_bytes": held,
            "full_bytes": sum(t.numel() * t.element_size() for t in state.values()),
            "build_peak_rss_rise_mib": built - before,
        }
        (args.out / f"rank{rank}.json").write_text(json.dumps(figures))
    print(f"rank {rank}/{world} {args.sharding}: losses {', '.join(f'{v:.4f}' for v in losses)}")
    if args.sharding != "none":
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
