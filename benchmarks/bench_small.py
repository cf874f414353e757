"""Per-call overhead and build cost: the two issue-6 targets that are not about big models.

1. A small 4->3 model (Taylor d=2, identity W): the module's forward against a bare
   ``F.linear`` on the already expanded input (target: within 2x). Two floors are timed with
   it, so the ratio can be read: ``ops``, the same torch calls as the module's forward written
   straight (the expansion's unsqueeze/mul/reshape/cat, then ``F.linear``), and ``Module(ops)``,
   those calls as the ``forward`` of an ``nn.Module`` (one ``__call__``, as any model pays).
2. Build time on cpu against a bare allocate-and-init of the same parameter shapes with the same
   init method (target: at most 1.1x), for the examples.

Run: ``python benchmarks/bench_small.py``. Medians of interleaved runs, reported as ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import rpnschema

ROOT = Path(__file__).resolve().parents[1]
SMALL = {
    "seed": 0,
    "layers": [
        {
            "m": 4,
            "n": 3,
            "heads": [
                {
                    "expansion": {"name": "taylor_expansion", "d": 2},
                    "reconciliation": "identity_reconciliation",
                    "remainder": "zero_remainder",
                }
            ],
        }
    ],
}


def _medians(fns: dict, reps: int, inner: int) -> dict[str, float]:
    """Median seconds per call of each function, sampled in turn (interleaved)."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(reps):
        for k, fn in fns.items():
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            times[k].append((time.perf_counter() - start) / inner)
    return {k: statistics.median(v) for k, v in times.items()}


def _median_pair(a, b, reps: int, inner: int) -> tuple[float, float]:
    t = _medians({"a": a, "b": b}, reps, inner)
    return t["a"], t["b"]


class _Ops(torch.nn.Module):
    """The floor with one ``nn.Module.__call__``: the module's torch calls in one forward."""

    def __init__(self, W: torch.Tensor):
        super().__init__()
        self.W = torch.nn.Parameter(W)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _ops(x, self.W)


def _ops(x: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    kappa = torch.cat((x, (x.unsqueeze(2) * x.unsqueeze(1)).reshape(x.shape[0], -1)), dim=1)
    return F.linear(kappa, W)


def small_forward(batch: int, reps: int = 15) -> dict[str, float]:
    """Median seconds of the 4->3 module's forward, a bare F.linear and the two floors."""
    model = rpnschema.build(SMALL)
    head = model.layers[0].heads[0]
    x = torch.rand(batch, 4)
    kappa = torch.cat([x, (x[:, :, None] * x[:, None, :]).flatten(1)], dim=1)
    W = head.w.detach().view(3, 20)
    ops = _Ops(W.clone())
    with torch.no_grad():
        for out in (model(x), _ops(x, W), ops(x)):
            torch.testing.assert_close(out, F.linear(kappa, W))
        fns = {
            "module": lambda: model(x),
            "F.linear": lambda: F.linear(kappa, W),
            "ops": lambda: _ops(x, W),
            "Module(ops)": lambda: ops(x),
        }
        return _medians(fns, reps=reps, inner=200)


def _bare_init(module: torch.nn.Module, method: str) -> None:
    init = {
        "xavier_normal": torch.nn.init.xavier_normal_,
        "xavier_uniform": torch.nn.init.xavier_uniform_,
        "kaiming_uniform": torch.nn.init.kaiming_uniform_,
    }.get(method, torch.nn.init.xavier_normal_)
    for p in module.parameters():
        t = torch.empty(p.shape)
        init(t) if t.dim() >= 2 else torch.nn.init.zeros_(t)


def build_time(path: Path) -> tuple[float, float]:
    spec = rpnschema.load_spec(path)
    model = rpnschema.build(spec)
    return _median_pair(
        lambda: rpnschema.build(spec), lambda: _bare_init(model, spec.init), reps=5, inner=1
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="only the 4->3 forward")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(
        "4->3 Taylor d=2 model, forward (no_grad), medians in us: module, bare F.linear on the "
        "expanded input, the floors ops and Module(ops); ratios module / each"
    )
    for batch in (1, 64, 1000):
        t = {k: v * 1e6 for k, v in small_forward(batch).items()}
        mod = t["module"]
        print(
            f"  batch {batch:5d}: module {mod:7.1f}  F.linear {t['F.linear']:6.1f} "
            f"({mod / t['F.linear']:5.2f}x)  ops {t['ops']:6.1f} ({mod / t['ops']:4.2f}x)  "
            f"Module(ops) {t['Module(ops)']:6.1f} ({mod / t['Module(ops)']:4.2f}x)"
        )
    if args.no_build:
        return 0
    print("build on cpu vs bare allocate-and-init of the same shapes (median of 5)")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        b, bare = build_time(path)
        print(f"  {path.name:24s} {b * 1e3:8.1f} ms vs {bare * 1e3:8.1f} ms  {b / bare:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
