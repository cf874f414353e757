"""Adversarial documents of every hardening class end in exit 1 or 2 with diagnostics, never a
traceback (#15). Their time and memory are recorded by ``benchmarks/bench_hardening.py``."""

from __future__ import annotations

import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from rpnschema.adversarial import CLASSES, documents
from rpnschema.cli.app import app

runner = CliRunner()


def _check(tmp_path: Path, suffix: str, text: str, command: str = "validate") -> None:
    f = tmp_path / f"doc{suffix}"
    f.write_text(text)
    out = runner.invoke(app, [command, str(f)])
    if out.exception is not None and not isinstance(out.exception, SystemExit):
        raise AssertionError(
            "".join(traceback.format_exception(out.exception))[-3000:]
        )  # pragma: no cover - the failure itself
    assert out.exit_code in (1, 2), (out.exit_code, out.output[-2000:])
    assert "Traceback" not in out.output
    assert "RPN" in out.output


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents())
def test_adversarial_documents_are_rejected_cleanly(tmp_path: Path, doc: tuple[str, str]) -> None:
    _check(tmp_path, *doc)


def test_every_benchmark_class_is_rejected_cleanly_by_summary(tmp_path: Path) -> None:
    for name in ("huge_int_yaml", "huge_int_json", "hypernet_400gb", "repeated_sphere"):
        _check(tmp_path, *CLASSES[name][1](), command="summary")
