"""examples/training/cnn_digits.py: a shortened run trains (the loss falls) and exits 0."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")  # the digits ship with scikit-learn (rpnschema[sklearn])

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "training" / "cnn_digits.py"


def test_the_cnn_example_trains_on_the_digits() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    losses = [float(v) for v in re.findall(r"^epoch +\d+ +loss ([0-9.]+)$", done.stdout, re.M)]
    assert len(losses) == 3
    assert losses[-1] < 0.7 * losses[0]
    [accuracy] = re.findall(r"^test accuracy ([0-9.]+) ", done.stdout, re.M)
    assert float(accuracy) > 0.5  # ten classes: chance is 0.1
