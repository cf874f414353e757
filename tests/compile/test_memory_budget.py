"""The memory budget counts every tensor a build allocates and refuses over-budget specs before
allocating (#15, class 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

import rpnschema
from rpnschema import validate_data
from rpnschema.cli.app import app
from rpnschema.errors import Code
from rpnschema.limits import Limits
from rpnschema.memory import estimate, parse_size
from tests.compile.catalog_specs import CASES, TINYBIG_ONLY

HYPERNET = {
    "spec_version": 1,
    "dims": [1000, 1000],
    "head": {
        "expansion": "identity_expansion",
        "reconciliation": {"name": "hypernet_reconciliation", "l": 1, "hidden_dim": 100_000},
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_estimate_covers_every_stored_tensor(case: str) -> None:
    data = CASES[case]
    if case in TINYBIG_ONLY:  # native semantics cannot express it (RPN409)
        data = {**data, "semantics": "tinybig"}
    spec = rpnschema.load_spec(data)
    module = rpnschema.build(spec, seed=0)
    stored = sum(t.numel() * t.element_size() for t in module.state_dict().values())
    m = estimate(spec, batch=0)
    assert stored <= m.parameters + m.buffers, (stored, m)


def test_the_hypernet_of_the_issue_is_over_the_default_budget() -> None:
    r = validate_data(HYPERNET)
    [d] = r.errors
    assert d.code is Code.BUDGET
    assert d.path == ("head",)
    assert "372.53 GiB" in d.message and "--max-memory" in d.suggestion
    assert validate_data(HYPERNET, limits=Limits(max_memory=10**12)).ok


def test_build_refuses_before_allocating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("spec_version: 1\ndims: [64, 64]\nhead: {expansion: identity_expansion}\n")
    total = estimate(rpnschema.load_spec(spec), batch=4).total

    def no_build(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("allocated")

    monkeypatch.setattr(rpnschema, "build", no_build)
    runner = CliRunner()
    # the validation (batch 4) passes, the build's own batch does not
    out = runner.invoke(app, ["build", str(spec), "--max-memory", str(total), "--batch", "64"])
    assert out.exit_code == 1, out.output
    assert "RPN408" in out.output and "batch 64" in out.output
    out = runner.invoke(app, ["build", str(spec), "--max-memory", str(total), "--dtype", "float64"])
    assert out.exit_code == 1 and "float64" in out.output
    out = runner.invoke(app, ["build", str(spec), "--max-memory", str(total - 1)])
    assert out.exit_code == 1 and "RPN408" in out.output


def test_a_failed_allocation_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("spec_version: 1\ndims: [4, 2]\nhead: {expansion: identity_expansion}\n")

    def oom(*a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(rpnschema, "build", oom)
    out = CliRunner().invoke(app, ["build", str(spec)])
    assert out.exit_code == 2
    assert "out of memory" in out.output and "Traceback" not in out.output


def test_summary_reports_the_build_memory(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("spec_version: 1\ndims: [4, 2]\nhead: {expansion: identity_expansion}\n")
    out = CliRunner().invoke(app, ["summary", str(spec), "--max-memory", "1GiB"])
    assert out.exit_code == 0
    assert "build memory: " in out.output and "memory budget: 1.00 GiB" in out.output
    out = CliRunner().invoke(app, ["summary", str(spec), "-f", "json"])
    import json

    mem = json.loads(out.output)["build_memory"]
    assert mem["parameters"] == 8 * 4 and mem["budget"] == 16 * 2**30
    assert mem["total"] == mem["parameters"] + mem["buffers"] + mem["forward"]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("16GiB", 16 * 2**30),
        ("512MiB", 512 * 2**20),
        ("2GB", 2 * 10**9),
        ("1000", 1000),
        ("1.5KiB", 1536),
        ("3 gib", 3 * 2**30),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "GiB", "-1", "1XB", "0"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)
