"""The tinybig doc-config benchmark (``benchmarks/bench_tinybig_docs.py``) runs, and every one of
tinybig's 13 example configs it times converts into a valid spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from rpnschema import load_spec
from tests.compile import benchmark_module

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    return benchmark_module.load("bench_tinybig_docs")


def test_the_thirteen_configs_are_there_with_their_license(bench):
    assert sorted(bench.CONFIGS) == [
        "agnews", "banknote", "cifar10", "composite", "diabetes", "elementary", "feynman",
        "imdb", "iris", "kan_failure", "mnist", "mnist_dual_lphm", "sst2",
    ]  # fmt: skip
    folder = ROOT / "benchmarks" / "tinybig_doc_configs"
    assert "MIT License" in (folder / "LICENSE").read_text()
    assert (
        "jwzhanggy" in (folder / "README.md").read_text()
        or "tinyBIG" in (folder / "README.md").read_text()
    )


@pytest.mark.parametrize("name", ["banknote", "iris", "kan_failure", "mnist_dual_lphm", "feynman"])
def test_configs_convert_to_valid_specs_on_cpu(bench, name):
    spec = load_spec(bench.convert(name))
    assert spec.semantics == "tinybig"
    assert spec.device in (None, "cpu")


def test_harness_runs_on_a_small_config(bench, capsys):
    assert bench.main(["--quick", "--no-memory", "--batches", "8", "--only", "iris"]) == 0
    out = capsys.readouterr().out
    assert "1 thread(s)" in out
    rows = [line for line in out.splitlines() if line.startswith("| iris |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[1] == "8"
    assert float(cells[2]) > 0 and float(cells[3]) > 0  # rpnschema and twin forward ms
    assert cells[4] == "-"  # no tinybig here
    assert cells[8].endswith("x")  # rpnschema / twin forward ratio
    assert cells[-1] == "L0: fused"


def test_report_renders_saved_rows(bench, tmp_path, capsys):
    saved = tmp_path / "rows.json"
    argv = ["--quick", "--no-memory", "--batches", "4", "--only", "diabetes", "--json", str(saved)]
    assert bench.main(argv) == 0
    capsys.readouterr()
    assert bench.main(["--report", str(saved)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("| model | batch | fwd ms rpnschema / tinybig |")
    assert len(table) == 3 and table[2].startswith("| diabetes | 4 | ")
    assert table[2].endswith("| L0: fused |")


def test_tensor_peak_counts_a_step_s_tensors_and_repeats(bench):
    import torch

    layer = torch.nn.Linear(200, 100, bias=False)
    x = torch.randn(8, 200)
    first = bench.tensor_peak(lambda: layer(x))
    layer.weight.grad = None
    second = bench.tensor_peak(lambda: layer(x))
    # the weight's gradient (100 x 200 float32) is allocated in the step; the output and its
    # gradient (8 x 100) besides; the same figure twice
    assert 100 * 200 * 4 <= first < 100 * 200 * 4 + 4 * 8 * 100 * 4 + 4096
    assert first == second
