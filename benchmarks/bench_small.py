"""Per-call overhead and build cost: the two issue-6 targets that are not about big models.

1. A small 4->3 model (Taylor d=2, identity W): the module's forward against a bare
   ``F.linear`` on the already expanded input (target: within 2x).
2. Build time on cpu against a bare allocate-and-init of the same parameter shapes with the same
   init method (target: at most 1.1x), for the examples.

Run: ``python benchmarks/bench_small.py``. Medians of interleaved runs, reported as ratios.
"""

from __future__ import annotations

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


def _median_pair(a, b, reps: int, inner: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(reps):
        for fn, out in ((a, ta), (b, tb)):
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            out.append((time.perf_counter() - start) / inner)
    return statistics.median(ta), statistics.median(tb)


def small_forward(batch: int) -> tuple[float, float]:
    model = rpnschema.build(SMALL)
    head = model.layers[0].heads[0]
    x = torch.rand(batch, 4)
    kappa = torch.cat([x, (x[:, :, None] * x[:, None, :]).flatten(1)], dim=1)
    W = head.w.detach().view(3, 20)
    with torch.no_grad():
        torch.testing.assert_close(model(x), F.linear(kappa, W))
        return _median_pair(lambda: model(x), lambda: F.linear(kappa, W), reps=15, inner=200)


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
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("4->3 Taylor d=2 model, forward: module vs bare F.linear on the expanded input")
    for batch in (1, 64, 1000):
        mod, lin = small_forward(batch)
        print(f"  batch {batch:5d}: {mod * 1e6:8.1f} us vs {lin * 1e6:7.1f} us  {mod / lin:5.2f}x")
    print("build on cpu vs bare allocate-and-init of the same shapes (median of 5)")
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        b, bare = build_time(path)
        print(f"  {path.name:24s} {b * 1e3:8.1f} ms vs {bare * 1e3:8.1f} ms  {b / bare:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
