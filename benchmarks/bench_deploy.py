"""Deploy and scale (issue 18): export times, torch.compile vs eager, memory per rank.

Run: ``python benchmarks/bench_deploy.py [--only export compile memory] [--quick]``.

- **export**: every example (seed 0) exported by :func:`rpnschema.compile.export.export_model`
  to ``pt2`` (and ``onnx`` when the onnx extra is installed), batch 4, static and dynamic
  batch: seconds of the export itself (trace + serialization, not the check) and the
  checked max abs error against eager.
- **compile**: each small example, eager against ``torch.compile`` (inductor, default mode,
  ``dynamic=False``: one static graph per batch size), forward under ``no_grad`` at batch 1
  and 64: compile time (first call), then interleaved samples (eager, compiled, eager, ...;
  each sample repeats the call for >= 10 ms), medians; ratio = compiled / eager (lower is
  better). Outputs are checked equal first. On a machine shared with other jobs run it with
  ``OMP_NUM_THREADS=1``: inductor's OpenMP kernels slow down a hundredfold when their threads
  are descheduled (iris_perceptron at batch 64: 51 ms per call with 2 threads at load 16,
  0.38 ms with 1).
- **catalog** (only when asked: ``--only catalog``): every case of
  ``tests/compile/catalog_specs.py`` (one model per catalog component) exported to ``pt2``
  with a dynamic batch in both semantics; the failures are listed.
- **memory**: ``benchmarks/specs/sharded_heads.yaml`` (64.5 MiB of float32 parameters) built
  by ``examples/distributed/train.py --steps 0`` in one process, under torchrun DDP x 2 and
  FSDP x 2 / x 4 (gloo, CPU): bytes each rank holds, the rise of its peak RSS during the
  build (after a warm-up build, with ``MALLOC_MMAP_THRESHOLD_=65536`` so freed staging
  buffers go back to the system), and ``rpnschema summary --world-size``'s training estimate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import rpnschema
from rpnschema.compile.export import export_model, sample
from rpnschema.rank_memory import rank_memory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.compile.examples import EXAMPLES, example_spec  # noqa: E402

SMALL = [
    "iris_perceptron.yaml",
    "multihead_fusion.yaml",
    "multichannel_head.yaml",
    "kan_bspline.yaml",
    "svm_presets.yaml",
    "repeated_layers.json",
    "tinybig/iris_kan.yaml",
    "tinybig/multihead_layer.yaml",
]
SHARDED = ROOT / "benchmarks/specs/sharded_heads.yaml"


def environment() -> str:
    malloc = " ".join(f"{k}={v}" for k, v in os.environ.items() if k.startswith("MALLOC_"))
    return (
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} CPUs, rpnschema {rpnschema.__version__}"
        + (f", {malloc}" if malloc else "")
    )


def bench_export(quick: bool) -> None:
    import importlib.util

    formats = ["pt2"] + (["onnx"] if importlib.util.find_spec("onnxscript") else [])
    names = SMALL[:3] if quick else sorted(EXAMPLES)
    print("\n| example | format | static s | dynamic s | max abs error |")
    print("|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            module = rpnschema.build(example_spec(name), seed=0)
            for fmt in formats:
                static = export_model(module, Path(tmp, "m"), format=fmt)
                dynamic = export_model(module, Path(tmp, "m"), format=fmt, dynamic_batch=True)
                error = max(static.max_abs_error, dynamic.max_abs_error)
                print(
                    f"| {name} | {fmt} | {static.seconds:.2f} | {dynamic.seconds:.2f} "
                    f"| {error:.1e} |",
                    flush=True,
                )


def bench_catalog(quick: bool) -> None:
    """Export one small model per catalog component (``tests/compile/catalog_specs.py``) in
    both semantics with a dynamic batch; print the failures (the exportability table's
    evidence)."""
    from tests.compile.catalog_specs import CASES, NATIVE_ONLY

    failures, done = [], 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in sorted(CASES.items())[: 10 if quick else None]:
            for semantics in ("native", "tinybig"):
                if semantics == "tinybig" and name in NATIVE_ONLY:
                    continue
                module = rpnschema.build({**data, "semantics": semantics})
                try:
                    export_model(module, Path(tmp, "m.pt2"), dynamic_batch=True)
                except Exception as e:  # every failure is listed
                    failures.append(f"{name} ({semantics}): {e}")
                done += 1
    elapsed = time.perf_counter() - started
    print(f"\ncatalog: {done} exports in {elapsed:.0f} s, {len(failures)} failed")
    for line in failures:
        print(f"  {line}")


def _timed(fn, x) -> float:
    """Seconds per call, from repeating the call for at least 10 ms."""
    n, start = 0, time.perf_counter()
    while True:
        fn(x)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= 0.01:
            return elapsed / n


def bench_compile(quick: bool) -> None:
    names = SMALL[:2] if quick else SMALL
    samples = 5 if quick else 11
    print("\n| example | batch | compile s | eager µs | compiled µs | compiled / eager |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        module = rpnschema.build(example_spec(name), seed=0).eval()
        for batch in (1, 64):
            torch._dynamo.reset()
            compiled = torch.compile(module, dynamic=False)  # one static graph per batch
            x = sample(module, batch, seed=batch)
            with torch.no_grad():
                start = time.perf_counter()
                got = compiled(x)
                compile_s = time.perf_counter() - start
                torch.testing.assert_close(got, module(x), rtol=1e-5, atol=1e-6)
                eager, comp = [], []
                for _ in range(samples):
                    eager.append(_timed(module, x))
                    comp.append(_timed(compiled, x))
            e, c = statistics.median(eager), statistics.median(comp)
            print(
                f"| {name} | {batch} | {compile_s:.1f} | {e * 1e6:.0f} | {c * 1e6:.0f} "
                f"| {c / e:.2f} |",
                flush=True,
            )


def _run_recipe(sharding: str, world: int, out: Path) -> list[dict]:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", "OMP_NUM_THREADS": "1"}
    env["PYTHONPATH"] = str(ROOT)
    train = [str(ROOT / "examples/distributed/train.py"), str(SHARDED)]
    args = ["--sharding", sharding, "--steps", "0", "--out", str(out)]
    if sharding == "none":
        command = [sys.executable, *train, *args]
    else:
        launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
        command = [*launcher, f"--nproc-per-node={world}", *train, *args]
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=600)
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(world)]


def bench_memory(quick: bool) -> None:
    spec = rpnschema.load_spec(SHARDED)
    runs = [("none", 1), ("ddp", 2), ("fsdp", 2)] + ([] if quick else [("fsdp", 4)])
    print(
        "\n| run | ranks | held per rank MiB | build peak RSS rise MiB (max over ranks) "
        "| training estimate per rank MiB (adam) |"
    )
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for sharding, world in runs:
            ranks = _run_recipe(sharding, world, Path(tmp, f"{sharding}{world}"))
            held = max(r["local_bytes"] for r in ranks) / 2**20
            rise = max(r["build_peak_rss_rise_mib"] for r in ranks)
            if sharding == "none":
                estimate = rank_memory(spec, 1).unsharded / 2**20
            else:
                estimate = rank_memory(spec, world, sharding).total / 2**20
            label = "one process" if sharding == "none" else sharding
            print(f"| {label} | {world} | {held:.1f} | {rise:.1f} | {estimate:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=["export", "compile", "memory", "catalog"])
    parser.add_argument("--quick", action="store_true", help="fewer models and samples")
    args = parser.parse_args()
    print(environment())
    parts = args.only or ["export", "compile", "memory"]
    started = time.perf_counter()
    for part in parts:
        parts_by_name = {
            "export": bench_export,
            "compile": bench_compile,
            "memory": bench_memory,
            "catalog": bench_catalog,
        }
        parts_by_name[part](args.quick)
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
