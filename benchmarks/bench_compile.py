"""Compiled-model benchmarks: built modules against hand-written plain torch, and build time.

Run: ``python benchmarks/bench_compile.py [--quick]``. For each example in
``plain_models.PLAIN`` the module is built with a fixed seed and the plain function
(``benchmarks/plain_models.py``) gets a copy of its weights; their outputs and gradients are
checked equal first (rtol 1e-5, atol 1e-6, float32; gradients with atol 1e-5 x their largest
magnitude, as the fast head paths sum in another order), then forward (under ``torch.no_grad``) and
forward + backward (loss = output.sum(), gradients reset to None between calls, outside the
timed region) are timed in interleaved samples (module, plain, module, plain, ...) after a
warm-up, and reported as medians and module/plain ratios (lower is better). Peak RSS of one
forward + backward is measured in a fresh subprocess per model, batch and implementation (large
models only). Build time compares ``rpnschema.build`` on cpu with a bare allocate-and-init of
the same parameter shapes, and gives the meta-device build. ``--quick`` skips batch 1000 for
the two 784-input models and takes fewer samples. The environment (torch, threads, allocator
variables) is printed with the tables: absolute times depend on it, ratios much less.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.testing import assert_close

import rpnschema

sys.path.insert(0, str(Path(__file__).resolve().parent))  # plain_models, beside this file
from plain_models import LARGE, PLAIN, plain_params

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = 0
BATCHES = (64, 1000)
RTOL, ATOL = 1e-5, 1e-6
ALLOCATOR_VARS = ("LD_PRELOAD", "GLIBC_TUNABLES", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Settings:
    """Sampling effort: ``budget`` seconds per (model, batch, mode), ``reps`` within bounds."""

    budget: float
    min_reps: int
    max_reps: int
    sample_s: float  # target duration of one timing sample (several calls if they are fast)
    build_reps: int


QUICK = Settings(budget=1.5, min_reps=3, max_reps=9, sample_s=0.01, build_reps=5)
FULL = Settings(budget=5.0, min_reps=3, max_reps=21, sample_s=0.02, build_reps=9)


# ------------------------------------------------------------------------------ environment


def source_digest() -> str:
    """sha1 of rpnschema's sources: names the code measured, even in an uncommitted tree."""
    digest = hashlib.sha1()
    package = Path(rpnschema.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def environment() -> list[str]:
    alloc = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k in ALLOCATOR_VARS}
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        affinity = os.cpu_count()
    libc = " ".join(platform.libc_ver()).strip() or "unknown libc"
    try:
        git = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        git = ""
    return [
        f"rpnschema {rpnschema.__version__} ({git or 'no git'}, sources sha1 {source_digest()}), "
        f"torch {torch.__version__}, "
        f"python {platform.python_version()}, {platform.machine()}, {libc}",
        f"torch.get_num_threads() = {torch.get_num_threads()}, os.cpu_count() = "
        f"{os.cpu_count()}, usable CPUs = {affinity}",
        "allocator environment: "
        + (", ".join(f"{k}={v}" for k, v in sorted(alloc.items())) or "none set (glibc defaults)"),
    ]


class OtherLoad:
    """Share of the machine's CPU time used by other processes (and the kernel, and steal)
    since creation: the noise indicator printed with each row. None where /proc is missing."""

    def __init__(self) -> None:
        self.start = self._snapshot()

    @staticmethod
    def _snapshot() -> tuple[float, float, float] | None:
        try:
            ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        hz = os.sysconf("SC_CLK_TCK")
        user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
        busy = (user + nice + system + irq + softirq + steal) / hz
        own = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        mine = sum(r.ru_utime + r.ru_stime for r in own)
        return busy, sum(ticks) / hz, mine

    def share(self) -> float | None:
        end = self._snapshot()
        if self.start is None or end is None or end[1] <= self.start[1]:
            return None
        busy, total, mine = (b - a for a, b in zip(self.start, end, strict=True))
        return max(0.0, busy - mine) / total


# ----------------------------------------------------------------------------------- timing


def _sample(run: Callable[[], object], reset: Callable[[], None], inner: int) -> float:
    """Mean seconds of ``inner`` calls of ``run``; ``reset`` and freeing results are untimed."""
    total = 0.0
    for _ in range(inner):
        start = time.perf_counter()
        out = run()
        total += time.perf_counter() - start
        del out
        reset()
    return total / inner


def interleaved(
    runs: dict[str, tuple[Callable[[], object], Callable[[], None]]],
    call_s: float,
    settings: Settings,
) -> dict[str, float]:
    """Median seconds per call of each run, sampled alternately; ``call_s`` sizes the samples."""
    inner = max(1, round(settings.sample_s / max(call_s, 1e-9)))
    reps = int(settings.budget / (len(runs) * inner * call_s))
    reps = min(settings.max_reps, max(settings.min_reps, reps))
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(reps):
        for name, (run, reset) in runs.items():
            times[name].append(_sample(run, reset, inner))
    return {k: statistics.median(v) for k, v in times.items()}


def _warm(
    run: Callable[[], object],
    reset: Callable[[], None],
    keep: Callable[[], object] | None = None,
) -> tuple[object, float]:
    """Call ``run`` (3 more times when fast, ``reset`` after each call); return the first
    call's result (or what ``keep`` takes right after it) and the fastest call's seconds."""
    start = time.perf_counter()
    first = run()
    seconds = time.perf_counter() - start
    if keep is not None:
        first = keep()
    reset()
    if seconds < 0.05:
        seconds = min(_sample(run, reset, 1) for _ in range(3))
    return first, seconds


def _input(batch: int, m: int) -> Tensor:
    return torch.randn(batch, m, generator=torch.Generator().manual_seed(batch))


def _check(what: str, name: str, batch: int, actual: object, expected: object) -> None:
    try:
        if isinstance(expected, dict):  # gradients: the module's fast head paths sum in
            for k, want in expected.items():  # another order; float32 rounding at their scale
                atol = RTOL * max(0.1, want.abs().max().item())
                assert_close(actual[k], want, rtol=RTOL, atol=atol)
        else:
            assert_close(actual, expected, rtol=RTOL, atol=ATOL)
    except AssertionError as e:
        raise SystemExit(
            f"bench_compile: {name} at batch {batch}: the plain-torch {what} differs from the "
            f"built module's (rtol {RTOL}, atol {ATOL}, for gradients {RTOL} x their largest "
            f"magnitude); fix benchmarks/plain_models.py or "
            f"report the rpnschema bug before timing anything.\n{e}"
        ) from e


@dataclass
class Row:
    name: str
    batch: int
    fwd: dict[str, float]
    fwd_bwd: dict[str, float]
    others: float | None = None  # share of the CPUs used by other processes meanwhile
    peak: dict[str, float] = field(default_factory=dict)  # bytes


def compare(name: str, module: nn.Module, batch: int, settings: Settings, first: bool) -> Row:
    """Check module == plain at this batch, then time both (forward, forward + backward)."""
    load = OtherLoad()
    fn, m = PLAIN[name]
    params = plain_params(module.state_dict())
    mod_params = dict(module.named_parameters())
    x = _input(batch, m)
    impls: dict[str, Callable[[Tensor], Tensor]] = {
        "module": module,
        "plain": lambda x: fn(params, x),
    }
    grads = {"module": list(mod_params.values()), "plain": list(params.values())}

    def forward(f):
        return lambda: f(x)

    def fwd_bwd(f):
        return lambda: f(x).sum().backward()

    def reset(ps):
        def run() -> None:
            for p in ps:
                p.grad = None

        return run

    def nothing() -> None:
        return None

    with torch.no_grad():
        warm = {k: _warm(forward(f), nothing) for k, f in impls.items()}
    _check("output", name, batch, warm["plain"][0], warm["module"][0])
    fwd_s = max(s for _, s in warm.values())

    # At a large batch the autograd paths are already warm (first batch) and one call takes
    # seconds: skip the untimed forward + backward there.
    if first or fwd_s < 1.0:
        named = {"module": mod_params, "plain": params}
        first_grads, fb_s = {}, 0.0
        for k, f in impls.items():
            first_grads[k], s = _warm(
                fwd_bwd(f),
                reset(grads[k]),
                keep=lambda k=k: {n: p.grad for n, p in named[k].items()},
            )
            fb_s = max(fb_s, s)
        _check("gradient", name, batch, first_grads["plain"], first_grads["module"])
        del first_grads
    else:
        fb_s = 3 * fwd_s
    del warm
    gc.collect()

    with torch.no_grad():
        fwd = interleaved({k: (forward(f), nothing) for k, f in impls.items()}, fwd_s, settings)
    fb = interleaved({k: (fwd_bwd(f), reset(grads[k])) for k, f in impls.items()}, fb_s, settings)
    return Row(name, batch, fwd, fb, load.share())


def head_paths(module: nn.Module) -> str:
    """The heads' evaluation paths, layer by layer ('-' where the module has none)."""
    layers = []
    for i, layer in enumerate(module.layers):
        paths = [str(getattr(head, "evaluation_path", "-")) for head in layer.heads]
        layers.append(f"L{i}: " + ", ".join(paths))
    return "; ".join(layers)


# --------------------------------------------------------------------------------- peak RSS


def _status_kb(key: str) -> int:
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    if match is None:
        raise OSError(f"/proc/self/status has no {key}")
    return int(match.group(1))


def _peak_rss_child(name: str, batch: int, impl: str) -> None:
    """In a fresh process: RSS growth (bytes) during one forward + backward; printed as JSON."""
    fn, m = PLAIN[name]
    module = rpnschema.build(EXAMPLES / f"{name}.yaml", seed=SEED)
    x = _input(batch, m)
    if impl == "plain":
        params = plain_params(module.state_dict())
        del module
        f: Callable[[Tensor], Tensor] = lambda x: fn(params, x)  # noqa: E731
    else:
        f = module
    gc.collect()
    base = _status_kb("VmRSS")
    try:  # reset the high-water mark to the current RSS (Linux >= 4.0)
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    f(x).sum().backward()
    peak = _status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"bytes": (peak - base) * 1024, "hwm_reset": reset}))


def peak_rss(name: str, batch: int) -> dict[str, float]:
    """Peak RSS growth of one forward + backward, module then plain, each in a subprocess."""
    out = {}
    for impl in ("module", "plain"):
        cmd = [sys.executable, __file__, "--peak-rss", name, str(batch), impl]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        if proc.returncode != 0:
            raise SystemExit(f"bench_compile: peak RSS run failed: {' '.join(cmd)}\n{proc.stderr}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if not result["hwm_reset"]:
            print(f"  note: {name}/{impl}: VmHWM could not be reset; peak from ru_maxrss")
        out[impl] = float(result["bytes"])
    return out


# ------------------------------------------------------------------------------- build time


_INITS: dict[str, Callable[[Tensor], object]] = {
    "xavier_uniform": nn.init.xavier_uniform_,
    "xavier_normal": nn.init.xavier_normal_,
    "kaiming_uniform": lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)),
    "fanout_std_uniform": lambda t: nn.init.uniform_(
        t, -1 / math.sqrt(t.size(-1)), 1 / math.sqrt(t.size(-1))
    ),
}


def bare_init(shapes: list[tuple[str, tuple[int, ...]]], init: str) -> list[nn.Parameter]:
    """The baseline: allocate each parameter shape and fill it once (norm weights 1, biases 0)."""
    method = _INITS[init]
    out = []
    for name, shape in shapes:
        t = torch.empty(shape)
        if len(shape) == 1 and name.endswith(".weight"):
            t.fill_(1.0)
        elif len(shape) == 1 and name.endswith(".bias"):
            t.zero_()
        else:
            method(t.view(1, -1) if len(shape) == 1 else t)
        out.append(nn.Parameter(t))
    return out


@dataclass
class BuildRow:
    name: str
    parameters: int
    times: dict[str, float]


def build_times(name: str, settings: Settings) -> BuildRow:
    path = EXAMPLES / f"{name}.yaml"
    module = rpnschema.build(path, seed=SEED)  # also warms the import and spec caches
    shapes = [(k, tuple(p.shape)) for k, p in module.named_parameters()]
    count = sum(p.numel() for p in module.parameters())
    init = module.spec.init
    del module
    runs = {
        "load_spec": lambda: rpnschema.load_spec(path),
        "meta": lambda: rpnschema.build(path, device="meta", seed=SEED),
        "cpu": lambda: rpnschema.build(path, device="cpu", seed=SEED),
        "bare": lambda: bare_init(shapes, init),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(settings.build_reps):
        for k, run in runs.items():
            times[k].append(_sample(run, lambda: None, 1))
    return BuildRow(name, count, {k: statistics.median(v) for k, v in times.items()})


# ---------------------------------------------------------------------------------- output


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def _ratio(d: dict[str, float]) -> str:
    return f"**{d['module'] / d['plain']:.2f}x**" if d else "-"


def _mb(d: dict[str, float]) -> str:
    if not d:
        return "- | - | -"
    mb = {k: v / 2**20 for k, v in d.items()}
    return f"{mb['module']:.0f} | {mb['plain']:.0f} | {_ratio(d)}"


def print_rows(rows: list[Row]) -> None:
    print(
        "| model | batch | forward module ms | plain ms | module/plain "
        "| fwd+bwd module ms | plain ms | module/plain "
        "| peak RSS fwd+bwd module MB | plain MB | module/plain | other load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        f, b = r.fwd, r.fwd_bwd
        print(
            f"| {r.name} | {r.batch} | {_ms(f['module'])} | {_ms(f['plain'])} | {_ratio(f)} "
            f"| {_ms(b['module'])} | {_ms(b['plain'])} | {_ratio(b)} | {_mb(r.peak)} "
            f"| {'-' if r.others is None else f'{r.others:.0%}'} |"
        )


def print_builds(rows: list[BuildRow]) -> None:
    print(
        "| model | parameters | load_spec ms | build meta ms | build cpu ms "
        "| bare alloc+init ms | cpu build / bare | meta build / cpu build |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        t = r.times
        print(
            f"| {r.name} | {r.parameters:,} | {_ms(t['load_spec'])} | {_ms(t['meta'])} "
            f"| {_ms(t['cpu'])} | {_ms(t['bare'])} | **{t['cpu'] / t['bare']:.2f}x** "
            f"| {t['meta'] / t['cpu']:.3f}x |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer samples, no batch 1000 for 784-input models"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the peak RSS subprocesses")
    parser.add_argument("--only", nargs="+", choices=list(PLAIN), help="benchmark these examples")
    parser.add_argument(
        "--peak-rss", nargs=3, metavar=("NAME", "BATCH", "IMPL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.peak_rss:
        name, batch, impl = args.peak_rss
        _peak_rss_child(name, int(batch), impl)
        return 0

    settings = QUICK if args.quick else FULL
    names = args.only or list(PLAIN)
    start = time.perf_counter()
    print("# bench_compile" + (" --quick" if args.quick else ""))
    for line in environment():
        print(f"- {line}")
    print()

    # Small models first, large ones last: on a small VM, freeing the multi-GB tensors of the
    # large models keeps the kernel reclaiming memory for a while, which stalls two-thread torch
    # ops by tens of ms. For the same reason the peak RSS subprocesses run after all timing.
    small = [n for n in names if n not in LARGE]
    large = [n for n in names if n in LARGE]
    plan = [(n, b) for b in BATCHES for n in small]
    plan += [(n, b) for b in BATCHES for n in large if not (args.quick and b > BATCHES[0])]
    rows: dict[tuple[str, int], Row] = {}
    builds: dict[str, BuildRow] = {}
    paths: dict[str, str] = {}
    for name, batch in plan:
        if name in large and not builds:
            builds = {n: build_times(n, settings) for n in small + large}
        t0 = time.perf_counter()
        module = rpnschema.build(EXAMPLES / f"{name}.yaml", seed=SEED)
        paths[name] = head_paths(module)
        rows[name, batch] = compare(name, module, batch, settings, first=batch == BATCHES[0])
        del module
        gc.collect()
        elapsed = time.perf_counter() - t0
        print(f"  {name} batch {batch}: equal, timed in {elapsed:.0f} s", file=sys.stderr)
    if not builds:
        builds = {n: build_times(n, settings) for n in names}
    if not args.no_memory:
        for (name, batch), row in rows.items():
            if name in large:
                row.peak = peak_rss(name, batch)

    print(
        "Forward and forward + backward: medians of interleaved samples "
        "(ratio < 1: the module is faster)"
    )
    print()
    print_rows([rows[k] for k in sorted(rows, key=lambda k: (names.index(k[0]), k[1]))])
    print()
    print("Head evaluation paths of the modules (RPNHead.evaluation_path, layer by layer):")
    print()
    for name in names:
        print(f"- {name}: {paths[name]}")
    print()
    print(
        f"Build time: medians of {settings.build_reps} interleaved builds "
        f"(seed {SEED}, from the YAML file)"
    )
    print()
    print_builds([builds[n] for n in names])
    print()
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
