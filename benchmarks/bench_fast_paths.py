"""Structure-aware head evaluation (issue 6): built modules against plain materializing torch.

Run: ``python benchmarks/bench_fast_paths.py [--quick] [--batches 64 1000] [--only NAME ...]``.
Each model is built with seed 0 and timed side by side (interleaved samples, medians) against a
materializing reference: for the Taylor MLP (``benchmarks/specs/taylor_mlp.yaml``: Taylor d=2
784 -> 64 -> 10, identity W, no layer_norm) ``plain``, hand-written torch that materializes
[x, x (x) x] and W like tinybig; for the examples ``materialized``, the same module with every
head forced to ``evaluation_path = "materialized"`` (``benchmarks/bench_compile.py`` has their
plain versions). Outputs and gradients are checked equal first. Peak memory is the rise of peak
RSS (VmHWM, reset through /proc/self/clear_refs) over one forward + backward, each in a fresh
subprocess. The allocator environment is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.testing import assert_close

import rpnschema

ROOT = Path(__file__).resolve().parents[1]
MODELS = {
    "taylor_mlp": ROOT / "benchmarks" / "specs" / "taylor_mlp.yaml",
    "iris_perceptron": ROOT / "examples" / "iris_perceptron.yaml",
    "mnist_taylor": ROOT / "examples" / "mnist_taylor.yaml",
    "dual_lphm_mnist": ROOT / "examples" / "dual_lphm_mnist.yaml",
    "multihead_fusion": ROOT / "examples" / "multihead_fusion.yaml",
}
LARGE = frozenset({"taylor_mlp", "mnist_taylor", "dual_lphm_mnist"})


def taylor_mlp_plain(p: dict[str, Tensor], x: Tensor) -> Tensor:
    """The Taylor MLP the way tinybig computes it: materialized expansion and W."""
    for i, n in enumerate((64, 10)):
        b, m = x.shape
        kappa = torch.cat([x, torch.einsum("ba,bc->bac", x, x).reshape(b, m * m)], dim=1)
        x = F.linear(kappa, p[f"layers.{i}.heads.0.w"].reshape(n, m + m * m))
    return x


def _heads(model):
    return [h for layer in model.layers for h in layer.heads]


def implementations(name: str, batch: int) -> tuple[dict[str, Callable[[], Tensor]], list]:
    """name -> forward closure, and the parameter lists whose grads to reset."""
    model = rpnschema.build(MODELS[name], seed=0)
    x = torch.randn(batch, model.layers[0].m, generator=torch.Generator().manual_seed(batch))
    impls: dict[str, Callable[[], Tensor]] = {"module": lambda: model(x)}
    params = [list(model.parameters())]
    if name == "taylor_mlp":
        plain = {k: v.detach().clone().requires_grad_(True) for k, v in model.state_dict().items()}
        impls["plain"] = lambda: taylor_mlp_plain(plain, x)
        params.append(list(plain.values()))
    else:
        mat = rpnschema.build(MODELS[name], seed=0)
        for h in _heads(mat):
            h.evaluation_path = "materialized"
        impls["materialized"] = lambda: mat(x)
        params.append(list(mat.parameters()))
    return impls, params


def check(impls, params) -> None:
    outs = {}
    for (k, f), ps in zip(impls.items(), params, strict=True):
        y = f()
        y.square().sum().backward()
        outs[k] = (y.detach(), [p.grad for p in ps])
        for p in ps:
            p.grad = None
    y0, g0 = outs["module"]
    for k, (y, g) in outs.items():
        assert_close(y, y0, rtol=1e-5, atol=1e-6, msg=lambda s, k=k: f"{k} output: {s}")
        for a, b in zip(g, g0, strict=True):  # float32 rounding, relative to the gradient's scale
            assert_close(a, b, rtol=1e-5, atol=1e-5 * max(0.1, b.abs().max().item()))


def time_all(impls, params, reps: int, backward: bool) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in impls}
    for _ in range(reps):
        for (k, f), ps in zip(impls.items(), params, strict=True):
            start = time.perf_counter()
            if backward:
                f().sum().backward()
            else:
                with torch.no_grad():
                    f()
            times[k].append(time.perf_counter() - start)
            for p in ps:
                p.grad = None
    return {k: statistics.median(v) for k, v in times.items()}


def _hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_child(name: str, batch: int, impl: str) -> None:
    impls, _ = implementations(name, batch)
    f = impls[impl]
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = _rss_kb()
    f().sum().backward()
    print((_hwm_kb() - base) * 1024)


def peak(name: str, batch: int, impl: str) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--peak", name, str(batch), impl],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def environment() -> str:
    keys = sorted(k for k in os.environ if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES")
    alloc = ", ".join(f"{k}={os.environ[k]}" for k in keys) or "glibc defaults"
    return (
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} CPUs; allocator: {alloc}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 1000])
    parser.add_argument("--only", nargs="+", choices=list(MODELS))
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--peak", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak:
        peak_child(args.peak[0], int(args.peak[1]), args.peak[2])
        return 0
    print(environment())
    header = f"{'model':<18}{'batch':>6}  {'impl':<13}{'fwd ms':>9}{'ratio':>7}"
    header += f"{'fwd+bwd ms':>12}{'ratio':>7}{'peak MB':>9}{'ratio':>7}"
    print(header)
    for name in args.only or list(MODELS):
        for batch in args.batches:
            impls, params = implementations(name, batch)
            check(impls, params)
            reps = 3 if (args.quick or (name in LARGE and batch >= 1000)) else 7
            time_all(impls, params, 1, backward=True)  # warm-up
            fwd = time_all(impls, params, reps, backward=False)
            fb = time_all(impls, params, reps, backward=True)
            del impls, params
            ref = "plain" if "plain" in fwd else "materialized"
            mem = {}
            if not args.no_memory and name in LARGE:
                mem = {k: peak(name, batch, k) for k in fwd}
            for k in fwd:
                line = f"{name:<18}{batch:>6}  {k:<13}{fwd[k] * 1e3:>9.2f}"
                line += f"{fwd[k] / fwd[ref]:>7.2f}{fb[k] * 1e3:>12.2f}{fb[k] / fb[ref]:>7.2f}"
                if mem:
                    line += f"{mem[k] / 2**20:>9.0f}{mem[k] / max(mem[ref], 1):>7.2f}"
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
