"""A built model trains under DistributedDataParallel: gloo, 2 processes on loopback, one step."""

import socket
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import rpnschema

SPEC = {
    "seed": 0,
    "layers": [
        {
            "m": 3,
            "n": 4,
            "heads": [
                {
                    "expansion": "taylor_expansion",
                    "reconciliation": {"name": "lorr_reconciliation", "r": 2},
                    "remainder": "linear_remainder",
                }
            ],
        },
        {"n": 2, "heads": [{"expansion": "chebyshev_expansion"}]},
    ],
}


def _batch(rank: int) -> torch.Tensor:
    return torch.rand(6, 3, generator=torch.Generator().manual_seed(100 + rank))


def _local_grads(rank: int) -> dict[str, torch.Tensor]:
    model = rpnschema.build(SPEC)
    model(_batch(rank)).square().mean().backward()
    return {k: p.grad.clone() for k, p in model.named_parameters()}


def _worker(rank: int, port: int, out: str) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        model = torch.nn.parallel.DistributedDataParallel(rpnschema.build(SPEC))
        model(_batch(rank)).square().mean().backward()
        grads = {k.removeprefix("module."): p.grad for k, p in model.named_parameters()}
        torch.save(grads, Path(out) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_gloo_averages_gradients(tmp_path: Path) -> None:
    mp.spawn(_worker, args=(_free_port(), str(tmp_path)), nprocs=2, join=True)
    ddp = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    local = [_local_grads(r) for r in (0, 1)]
    assert set(ddp[0]) == set(local[0]) and ddp[0]
    for name in ddp[0]:
        want = (local[0][name] + local[1][name]) / 2
        torch.testing.assert_close(ddp[0][name], want)
        torch.testing.assert_close(ddp[1][name], want)
        assert not torch.allclose(local[0][name], local[1][name])  # really averaged
