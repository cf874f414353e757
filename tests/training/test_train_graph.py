"""examples/training/graph_nodes.py (an RPN GCN and GAT on a synthetic node-classification
graph) runs its quick version, exits 0 and lowers the training loss of both models."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "training" / "graph_nodes.py"
LINE = re.compile(
    r"^(gcn|gat): 30 epochs, loss ([0-9.]+) -> ([0-9.]+), test accuracy ([0-9.]+), [0-9.]+ s$"
)


def test_quick_training_lowers_the_loss_of_both_models() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    found = [LINE.match(line) for line in run.stdout.splitlines()]
    assert [m.group(1) for m in found if m] == ["gcn", "gat"], run.stdout
    for m in found:
        assert m is not None
        first, last, accuracy = float(m.group(2)), float(m.group(3)), float(m.group(4))
        assert last < 0.9 * first
        assert 0.0 <= accuracy <= 1.0


def _script():
    spec = importlib.util.spec_from_file_location("graph_nodes", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_model_and_a_bad_choice(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script()
    script.main(["--model", "gat", "--epochs", "3"])
    out = capsys.readouterr().out
    assert out.startswith("gat: 3 epochs") and "gcn" not in out
    with pytest.raises(SystemExit) as exit_:
        script.main(["--model", "cnn"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_graph_is_seeded_and_split() -> None:
    data = _script().stochastic_block_model(90)
    again = _script().stochastic_block_model(90)
    assert data["links"] == again["links"] and torch.equal(data["x"], again["x"])
    assert (int(data["train"].sum()), int(data["test"].sum())) == (3 * 20, 30)
    assert not (data["train"] & data["test"]).any()
