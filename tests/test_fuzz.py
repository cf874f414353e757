"""Fuzzing the CLI and the API with random bytes, random JSON/YAML trees and mutated valid specs.

Whatever the input: the exit code is 0, 1 or 2, nothing escapes as a traceback, and every error
has a code and a path. Inputs that once broke this live in ``tests/fixtures/fuzz/`` and are
replayed; add a file there for each new failure (the name says what it exercises).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rpnschema import LoadError, io, validate_data
from rpnschema.cli.app import app
from rpnschema.errors import Code, Diagnostic
from rpnschema.testing import garbage, model_specs, mutations

CORPUS = Path(__file__).parent / "fixtures" / "fuzz"
COMMANDS = [
    ["validate", "-f", "json"],
    ["validate", "--from", "tinybig", "-f", "json"],
    ["resolve", "-f", "json"],
    ["convert", "--to", "json"],
]
runner = CliRunner()
_slow = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _cli(args: list[str], stdin: bytes) -> Any:
    """Run one command on ``stdin``; check the exit code and that nothing escaped."""
    result = runner.invoke(app, [*args, "-"], input=stdin)
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output
    return result


def _check_report(result: Any) -> None:
    """Every diagnostic of a JSON report has a code and a path."""
    report = json.loads(result.stdout)
    assert report["valid"] == (result.exit_code == 0)
    for file in report["files"]:
        for d in file["diagnostics"]:
            assert d["code"] in {c.value for c in Code} and d["path"], d


def _check_api(data: Any) -> None:
    result = validate_data(data)
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic) and isinstance(d.code, Code)
        assert isinstance(d.path, tuple), d
    assert result.ok == (result.spec is not None and not result.errors)


def _yaml_or_json(data: Any, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(data, allow_nan=True).encode()
    return yaml.safe_dump(data, allow_unicode=True).encode()


@given(st.binary(max_size=512), st.sampled_from(COMMANDS))
def test_random_bytes(raw: bytes, command: list[str]) -> None:
    _cli(command, raw)


@given(st.text(max_size=200))
def test_random_text_parses_or_fails_cleanly(text: str) -> None:
    for fmt in ("json", "yaml"):
        try:
            doc = io.parse(text, format=fmt)  # type: ignore[arg-type]
        except LoadError as e:
            assert e.diagnostic.code in (Code.SYNTAX, Code.RESOURCE), e.diagnostic
        else:
            _check_api(doc.data)


@_slow
@given(garbage(), st.sampled_from(["json", "yaml"]))
def test_random_trees(data: Any, fmt: str) -> None:
    _check_api(data)
    result = _cli(COMMANDS[0], _yaml_or_json(data, fmt))
    _check_report(result)


@_slow
@given(st.data())
def test_mutated_specs(data: st.DataObject) -> None:
    spec = data.draw(model_specs(max_layers=2, max_width=2))
    bad = data.draw(mutations(spec))
    _check_api(bad)
    fmt = data.draw(st.sampled_from(["json", "yaml"]))
    command = data.draw(st.sampled_from(COMMANDS))
    result = _cli(command, _yaml_or_json(bad, fmt))
    if command[-1] == "json" and command[0] == "validate":
        _check_report(result)


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_corpus_replays(path: Path, command: list[str]) -> None:
    result = _cli(command, path.read_bytes())
    if command[0] == "validate":
        _check_report(result)
