"""examples/training/transformer_sequence.py: a shortened run trains (the loss falls) and exits
0."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "training" / "transformer_sequence.py"


def test_the_transformer_example_trains_on_the_duplicate_task() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    losses = [float(v) for v in re.findall(r"^epoch \d+: loss ([0-9.]+)$", done.stdout, re.M)]
    assert len(losses) == 4
    assert losses[-1] < losses[0] - 0.015  # fixed seed: 0.700 -> 0.677
    [token, majority] = re.findall(
        r"^test accuracy: ([0-9.]+) per token, .*majority class ([0-9.]+)", done.stdout, re.M
    )[0]
    assert float(token) > float(majority) + 0.05  # attention beats looking at one token
