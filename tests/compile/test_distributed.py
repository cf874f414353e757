"""The distributed recipes under torchrun (``python -m torch.distributed.run``, gloo, CPU).

DDP and FSDP2 training of ``examples/distributed/train.py`` must give the weights of a
single-process run on the whole batch: rtol 1e-5, atol 1e-6 (the ranks' gradients are
averaged in another order than one process sums them). The FSDP run builds on ``meta`` and
materializes per rank: each rank holds half the parameters, and its memory rises during the
build by well under the full model. Each launch is bounded by a timeout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import rpnschema
from rpnschema.memory import rank_memory

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "examples/distributed/train.py"
TIMEOUT = 240

# 8 heads of 2.1 M parameters (64 MiB in float32) and a small second layer: big enough for
# the memory rise to show, small enough to train three steps in seconds
BIG = ROOT / "benchmarks/specs/sharded_heads.yaml"


def _recipe() -> object:
    spec = importlib.util.spec_from_file_location("train_recipe", TRAIN)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def torchrun(*args: str, nproc: int = 2) -> subprocess.CompletedProcess[str]:
    # a fixed mmap threshold: glibc's adaptive one keeps freed staging buffers in the heap
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT),
        "MALLOC_MMAP_THRESHOLD_": "65536",
    }
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    done = subprocess.run(
        [*command, f"--nproc-per-node={nproc}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _single_process(spec: object, steps: int = 3) -> tuple[dict, list[float]]:
    recipe = _recipe()
    model = rpnschema.build(spec, seed=0)
    data = recipe.batches(model.spec, steps, 8)  # type: ignore[attr-defined]
    losses = recipe.train(model, data, 0, 1, 0.05)  # type: ignore[attr-defined]
    return recipe.full_state(model), losses  # type: ignore[attr-defined]


def _ranks(out: Path, world: int = 2) -> list[dict]:
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(world)]


def _agree(out: Path, spec: object) -> list[dict]:
    want, losses = _single_process(spec)
    got = torch.load(out / "model.pt")
    assert set(got) == set(want) and want
    for name in want:
        torch.testing.assert_close(got[name], want[name], rtol=1e-5, atol=1e-6)
    ranks = _ranks(out)
    mean = [sum(r["losses"][s] for r in ranks) / 2 for s in range(3)]
    assert mean == pytest.approx(losses, rel=1e-5)  # halves of the batch: the mean loss
    return ranks


def test_ddp_training_matches_one_process(tmp_path: Path) -> None:
    spec = ROOT / "examples/multihead_fusion.yaml"
    torchrun(str(TRAIN), str(spec), "--sharding", "ddp", "--out", str(tmp_path))
    for r in _agree(tmp_path, spec):
        assert r["local_bytes"] == r["full_bytes"]  # replicated


def test_fsdp_meta_build_shards_and_matches_one_process(tmp_path: Path) -> None:
    out = tmp_path / "out"
    torchrun(str(TRAIN), str(BIG), "--sharding", "fsdp", "--out", str(out))
    ranks = _agree(out, BIG)
    full = ranks[0]["full_bytes"]
    assert full > 64 * 2**20
    estimate = rank_memory(rpnschema.load_spec(BIG), 2, "fsdp").parameters
    assert [r["local_bytes"] for r in ranks] == [estimate, estimate]  # rpnschema summary's
    for r in ranks:
        # each rank holds half of every parameter (a few bytes more for odd sizes)
        assert full / 2 <= r["local_bytes"] <= full / 2 + 1024
        # meta build + per-head materialization: the shard and one staged head, not the model
        # (measured: 40.5 MiB of a 64.5 MiB model, i.e. its half plus one 8 MiB head)
        assert r["build_peak_rss_rise_mib"] < 0.75 * full / 2**20


def test_different_specs_across_ranks_are_named(tmp_path: Path) -> None:
    # the check runs before any sharding, the same for ddp and fsdp
    torchrun(str(ROOT / "tests/compile/dist_mismatch.py"), str(tmp_path), "ddp", nproc=3)
    messages = {(tmp_path / f"rank{r}.txt").read_text() for r in range(3)}
    [message] = messages  # every rank reports the same
    assert message.startswith(
        "error RPN603 at <root>: the ranks built different specs (spec sha256 ranks 0, 1: "
    )
    assert "; rank 2: " in message
    assert message.endswith("(give every rank the same spec file, --set overrides and seed)")
