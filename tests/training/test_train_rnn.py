"""examples/training/rnn_sequence.py: a shortened run trains (the loss falls) and exits 0."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "training" / "rnn_sequence.py"


def test_the_rnn_example_trains_and_beats_the_naive_forecasts() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    losses = [float(v) for v in re.findall(r"^epoch +\d+ +loss ([0-9.]+)$", done.stdout, re.M)]
    assert len(losses) == 4
    assert losses[-1] < 0.6 * losses[0]
    test, zero, _ = map(float, re.findall(r"[0-9]+\.[0-9]{5}", done.stdout.splitlines()[-1]))
    assert test < zero
