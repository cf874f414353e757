"""tinybig's own example models (issue 17): rpnschema against its plain twin and against tinybig.

Run: ``python benchmarks/bench_tinybig_docs.py [--quick] [--batches 64 256] [--only NAME ...]``.

Each of tinybig's 13 documentation configs (``benchmarks/tinybig_doc_configs/``, MIT, see the
README there) is converted with :func:`rpnschema.interop.from_tinybig` (tinybig semantics, device
forced to cpu) and built with seed 0. Timed side by side in one process, one intra-op thread,
interleaved samples, medians:

- ``rpnschema``: the built model (each head on its ``evaluation_path``);
- ``twin``: the same model with every head forced to ``materialized``, the plain evaluation that
  materializes kappa(x) and W (n x D) and calls every component as a module, in tinybig's order;
- ``tinybig``: where ``import tinybig`` works (a separate venv made by
  ``../shared/tools/setup_tinybig_venv.sh`` with rpnschema installed into it; never a
  dependency), ``tinybig.model.rpn`` built from the same config; its state dict is loaded into
  both rpnschema models and the outputs are checked equal first.

Forward is timed under ``torch.no_grad()``; forward + backward is ``output.sum().backward()``
with the gradients set to None between calls, outside the timed region. Times are medians of the
interleaved samples; a ratio is the median over rounds of rpnschema's time over the other's in
the same round. Outputs (all implementations) and parameter gradients (rpnschema against twin)
are checked equal first (rtol 1e-5, atol 1e-5 times the largest output magnitude: float32 sums
over up to 615,440 terms in different orders; gradients likewise). Samples are the process's CPU
time (user + system; ``--wall`` for wall-clock time): on a shared machine the wall clock also
counts the slices the scheduler gives to other jobs. Peak memory is the rise of
peak RSS (VmHWM, reset through /proc/self/clear_refs) over one forward + backward, measured in a
fresh subprocess per model, batch and implementation, the median of three such processes
(``--peak-runs``); the same children also report the tensor peak of a second step (the most
bytes of tensors alive at once, from the profiler's allocation events: deterministic, and
blind to where the allocator puts them; column ``tensor`` of ``--report``). Ratios are
implementation / reference and lower is better.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import Tensor, nn
from torch.testing import assert_close

import rpnschema
from rpnschema.compile import load_tinybig_state_dict
from rpnschema.interop import from_tinybig

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "benchmarks" / "tinybig_doc_configs"
CONFIGS = {p.name.removesuffix("_configs.yaml"): p for p in sorted(CONFIG_DIR.glob("*.yaml"))}
IMPLS = ("rpnschema", "twin", "tinybig")
#: samples are CPU time (user + system) of this process: on a shared, oversubscribed machine the
#: wall clock also counts the time the scheduler gives to other jobs (``--wall`` to use it)
CLOCK = time.process_time

try:  # optional: only in a side-by-side venv, never a dependency
    import tinybig.model as _tinybig_model  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - the usual case
    _tinybig_model = None


def _to_cpu(data: Any) -> Any:
    """The config with every ``device`` value set to cpu (several doc configs say mps)."""
    if isinstance(data, dict):
        return {k: ("cpu" if k == "device" else _to_cpu(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_to_cpu(v) for v in data]
    return data


def load_config(name: str) -> dict[str, Any]:
    return _to_cpu(yaml.safe_load(CONFIGS[name].read_text()))


def convert(name: str) -> dict[str, Any]:
    """The native spec data of one doc config (tinybig semantics)."""
    spec, diagnostics = from_tinybig(load_config(name))
    errors = [d for d in diagnostics if d.severity == "error"]
    if spec is None or errors:
        raise SystemExit(f"{name}: conversion failed: {errors}")
    return spec


def tinybig_model(name: str) -> nn.Module | None:
    if _tinybig_model is None:
        return None
    cfg = copy.deepcopy(load_config(name)["configurations"]["model_configs"])
    torch.manual_seed(0)
    with contextlib.redirect_stdout(io.StringIO()):  # tinybig prints while it builds
        return _tinybig_model.rpn(**cfg["model_parameters"])


def _materialize(model: nn.Module) -> nn.Module:
    for layer in model.layers:
        for head in layer.heads:
            head.evaluation_path = "materialized"
    return model


def implementations(
    name: str, batch: int, with_tinybig: bool = True
) -> tuple[dict[str, Callable[[], Tensor]], dict[str, list[Tensor]], dict[str, str]]:
    """impl -> forward closure, impl -> its parameters, and the heads' evaluation paths."""
    spec = convert(name)
    model = rpnschema.build(spec, device="cpu", seed=0)
    twin = _materialize(rpnschema.build(spec, device="cpu", seed=0))
    tb = tinybig_model(name) if with_tinybig else None
    if tb is not None:
        state = tb.state_dict()
        load_tinybig_state_dict(model, state)
        load_tinybig_state_dict(twin, state)
    else:
        twin.load_state_dict(model.state_dict())
    m = model.layers[0].m
    x = torch.rand(batch, m, generator=torch.Generator().manual_seed(batch)) * 2 - 1
    impls: dict[str, Callable[[], Tensor]] = {
        "rpnschema": lambda: model(x),
        "twin": lambda: twin(x),
    }
    params = {"rpnschema": list(model.parameters()), "twin": list(twin.parameters())}
    if tb is not None:
        impls["tinybig"] = lambda: tb(x)
        params["tinybig"] = list(tb.parameters())
    paths = "; ".join(
        f"L{j}: " + ", ".join(h.evaluation_path for h in layer.heads)
        for j, layer in enumerate(model.layers)
    )
    return impls, params, {"paths": paths}


def check(impls: dict[str, Callable[[], Tensor]], params: dict[str, list[Tensor]]) -> None:
    """Equal outputs everywhere, equal gradients for rpnschema and its twin."""
    outs, grads = {}, {}
    for k, f in impls.items():
        torch.manual_seed(0)  # the same dropout masks (sst2, imdb) for every implementation
        y = f()
        y.sum().backward()
        outs[k] = y.detach()
        grads[k] = [p.grad for p in params[k]]
        for p in params[k]:
            p.grad = None
    ref = outs["rpnschema"]
    atol = 1e-5 * max(0.1, ref.abs().max().item())  # float32 sums over up to 615,440 terms
    for k, y in outs.items():
        assert_close(y, ref, rtol=1e-5, atol=atol, msg=lambda s, k=k: f"{k}: {s}")
    for a, b in zip(grads["rpnschema"], grads["twin"], strict=True):
        if a is None or b is None:
            assert a is None and b is None
            continue
        assert_close(a, b, rtol=1e-5, atol=1e-5 * max(0.1, b.abs().max().item()))


def time_all(
    impls: dict[str, Callable[[], Tensor]],
    params: dict[str, list[Tensor]],
    budget_s: float,
    backward: bool,
) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of interleaved samples, and the median over rounds of rpnschema's time / each
    other implementation's in the same round (a stall of the machine then slows both sides of
    a ratio, not one). Fast calls are grouped so that one sample lasts about 10 ms."""
    groups, per_round = {}, 0.0
    for k, f in impls.items():  # calibrate (and warm up)
        _call(f, params[k], backward)
        start = CLOCK()
        _call(f, params[k], backward)
        once = max(CLOCK() - start, 1e-6)
        groups[k] = max(1, int(0.01 / once))
        per_round += groups[k] * once
    reps = max(3, min(31, int(budget_s / max(per_round, 1e-9))))
    times: dict[str, list[float]] = {k: [] for k in impls}
    for _ in range(reps):
        for k, f in impls.items():
            total = 0.0
            for _ in range(groups[k]):
                start = CLOCK()
                _call(f, params[k], backward)
                total += CLOCK() - start
            times[k].append(total / groups[k])
    ratios = {
        k: statistics.median(a / b for a, b in zip(times["rpnschema"], v, strict=True))
        for k, v in times.items()
    }
    return {k: statistics.median(v) for k, v in times.items()}, ratios


def _call(f: Callable[[], Tensor], ps: list[Tensor], backward: bool) -> None:
    if backward:
        f().sum().backward()
        for p in ps:
            p.grad = None
    else:
        with torch.no_grad():
            f()


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def tensor_peak(f: Callable[[], Tensor]) -> int:
    """The most bytes of tensors that one forward + backward holds at once beyond what was
    there before it: the profiler's allocation events (``profile_memory``) summed in time
    order. Deterministic, unlike the RSS rise, and blind to the allocator's placement."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        f().sum().backward()
    events = sorted(
        (e.start_ns(), e.nbytes())
        for e in prof.profiler.kineto_results.events()  # type: ignore[union-attr]
        if e.name() == "[memory]"
    )
    live = most = 0
    for _, nbytes in events:
        live += nbytes
        most = max(most, live)
    return most


def peak_child(name: str, batch: int, impl: str) -> None:
    impls, params, _ = implementations(name, batch, with_tinybig=impl == "tinybig")
    f = impls[impl]
    _call(f, params[impl], backward=True)  # warm-up: lazily allocated buffers, caches
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = _status_kb("VmRSS:")
    f().sum().backward()
    rss = (_status_kb("VmHWM:") - base) * 1024
    for p in params[impl]:
        p.grad = None
    print(rss, tensor_peak(f))


#: Fresh child processes per peak-memory figure (``--peak-runs``); the figure is their median.
PEAK_RUNS = 3


def peak(name: str, batch: int, impl: str, runs: int = PEAK_RUNS) -> tuple[float, float]:
    """The medians over ``runs`` fresh processes of the peak-RSS rise of one step (a few MB of
    it depend on where glibc places, and when it trims, the step's buffers, which varies from
    one process to the next) and of its :func:`tensor_peak`."""
    rises, tensors = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--peak", name, str(batch), impl],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise SystemExit(f"peak memory of {name} {batch} {impl} failed:\n{out.stderr}")
        rss, tensor = out.stdout.split()[-2:]
        rises.append(float(rss))
        tensors.append(float(tensor))
    return statistics.median(rises), statistics.median(tensors)


def environment() -> str:
    keys = sorted(k for k in os.environ if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES")
    alloc = ", ".join(f"{k}={os.environ[k]}" for k in keys) or "glibc defaults"
    tb = "not installed"
    if _tinybig_model is not None:
        import tinybig  # type: ignore[import-not-found]

        tb = getattr(tinybig, "__version__", "installed")
    return (
        f"rpnschema {rpnschema.__version__}, tinybig {tb}, torch {torch.__version__}, "
        f"python {sys.version.split()[0]}, {torch.get_num_threads()} thread(s), "
        f"{os.cpu_count()} CPUs; allocator: {alloc}"
    )


def run(
    name: str, batch: int, budget_s: float, memory: bool, peak_runs: int = PEAK_RUNS
) -> dict[str, Any]:
    impls, params, info = implementations(name, batch)
    check(impls, params)
    fwd, fwd_ratio = time_all(impls, params, budget_s, backward=False)
    fb, fb_ratio = time_all(impls, params, budget_s, backward=True)
    del impls, params
    row: dict[str, Any] = {"model": name, "batch": batch, **info, "fwd": fwd, "fwd_bwd": fb}
    row["ratio"] = {"fwd": fwd_ratio, "fwd_bwd": fb_ratio}
    if memory:
        both = {k: peak(name, batch, k, peak_runs) for k in fwd}
        for i, key in enumerate(("peak", "tensor_peak")):
            row[key] = {k: v[i] for k, v in both.items()}
            mine = row[key]["rpnschema"]
            row["ratio"][key] = {k: mine / max(v, 1.0) for k, v in row[key].items()}
    return row


def _ratio(row: dict[str, Any], key: str, ref: str) -> str:
    v = row["ratio"].get(key, {})
    peaks = row.get("peak", {})
    if ref in v and key == "peak" and max(peaks["rpnschema"], peaks[ref]) < 2**20:
        return "<1 MB"  # below page and heap granularity: no ratio
    return f"{v[ref]:.2f}x" if ref in v else "-"


def format_row(row: dict[str, Any]) -> str:
    fwd, fb = row["fwd"], row["fwd_bwd"]
    cells = [row["model"], str(row["batch"])]
    for impl in IMPLS:
        cells.append(f"{fwd[impl] * 1e3:.3g}" if impl in fwd else "-")
    for impl in IMPLS:
        cells.append(f"{fb[impl] * 1e3:.3g}" if impl in fb else "-")
    for ref in ("twin", "tinybig"):
        cells += [_ratio(row, "fwd", ref), _ratio(row, "fwd_bwd", ref), _ratio(row, "peak", ref)]
    cells.append(row["paths"])
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| model | batch | fwd ms rpnschema | twin | tinybig | fwd+bwd ms rpnschema | twin | tinybig "
    "| /twin fwd | fwd+bwd | peak | /tinybig fwd | fwd+bwd | peak | paths |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def _mb(row: dict[str, Any], impl: str, key: str = "peak") -> str:
    v = row.get(key, {}).get(impl)
    return "-" if v is None else f"{v / 2**20:.3g}"


def report(rows: list[dict[str, Any]]) -> str:
    """The rpnschema / tinybig table of BENCHMARKS.md from saved rows (``--json``)."""
    lines = [
        "| model | batch | fwd ms rpnschema / tinybig | ratio | fwd+bwd ms rpnschema / tinybig "
        "| ratio | peak MB rpnschema / tinybig | ratio | tensor MB rpnschema / tinybig | ratio "
        "| vs twin: fwd, fwd+bwd | paths |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        fwd, fb = row["fwd"], row["fwd_bwd"]
        tb = "tinybig" if "tinybig" in fwd else "twin"
        cells = [
            row["model"],
            str(row["batch"]),
            f"{fwd['rpnschema'] * 1e3:.3g} / {fwd[tb] * 1e3:.3g}",
            f"**{_ratio(row, 'fwd', tb)}**",
            f"{fb['rpnschema'] * 1e3:.3g} / {fb[tb] * 1e3:.3g}",
            f"**{_ratio(row, 'fwd_bwd', tb)}**",
            f"{_mb(row, 'rpnschema')} / {_mb(row, tb)}",
            f"**{_ratio(row, 'peak', tb)}**" if "peak" in row else "-",
            f"{_mb(row, 'rpnschema', 'tensor_peak')} / {_mb(row, tb, 'tensor_peak')}",
            f"**{_ratio(row, 'tensor_peak', tb)}**" if "tensor_peak" in row else "-",
            f"{_ratio(row, 'fwd', 'twin')}, {_ratio(row, 'fwd_bwd', 'twin')}",
            row["paths"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller time budget per row")
    parser.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    parser.add_argument("--only", nargs="+", choices=list(CONFIGS))
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS subprocesses")
    parser.add_argument(
        "--peak-runs",
        type=int,
        default=PEAK_RUNS,
        help=f"fresh processes per peak figure ({PEAK_RUNS})",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--wall", action="store_true", help="time wall clock, not CPU time")
    parser.add_argument(
        "--report", nargs="+", type=Path, help="print the markdown table of saved --json files"
    )
    parser.add_argument("--peak", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.report:
        print(report([row for f in args.report for row in json.loads(f.read_text())]))
        return 0
    torch.set_num_threads(args.threads)
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    if args.peak:
        peak_child(args.peak[0], int(args.peak[1]), args.peak[2])
        return 0
    print(environment())
    print(HEADER, flush=True)
    rows = []
    for name in args.only or list(CONFIGS):
        for batch in args.batches:
            budget = 1.0 if args.quick else 3.0
            row = run(name, batch, budget, not args.no_memory, args.peak_runs)
            rows.append(row)
            print(format_row(row), flush=True)
            if args.json:  # after every row, so a long run leaves what it measured
                args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
