"""Outputs are never half-written: a killed writer leaves the previous complete file (or none),
and concurrent writers of one path leave one complete file.

The delays come from patching ``os.fsync`` inside the child process (a test-only wrapper; the
production code has no hooks): once ``fsync`` is called, the temporary file is complete but not
yet renamed over the target.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema import io, schema
from rpnschema.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "iris_perceptron.yaml"

_CHILD = textwrap.dedent(
    """
    import os, sys, time
    real_fsync, delay = os.fsync, float(os.environ["FSYNC_DELAY"])

    def slow_fsync(fd):
        print("FSYNC", flush=True)
        time.sleep(delay)
        real_fsync(fd)

    os.fsync = slow_fsync
    from rpnschema.cli.app import app
    app(sys.argv[1:], prog_name="rpnschema")
    """
)


def _start(args: list[str], delay: float) -> subprocess.Popen[str]:
    env = {**os.environ, "FSYNC_DELAY": str(delay)}
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _kill_at_fsync(args: list[str]) -> None:
    """Run a command and SIGKILL it while its output is complete in the temporary file."""
    proc = _start(args, delay=60)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.strip() == "FSYNC":
                break
        else:
            pytest.fail(f"never reached the write: {proc.stderr.read() if proc.stderr else ''}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _build(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def test_killed_build_leaves_the_previous_model(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from rpnschema.compile.serialize import load_model

    target = tmp_path / "model.safetensors"
    _build(["build", str(SPEC), "--no-check", "--seed", "1", "--out", str(target)])
    before = target.read_bytes()
    _kill_at_fsync(["build", str(SPEC), "--no-check", "--seed", "2", "--out", str(target)])
    assert target.read_bytes() == before
    load_model(target)


def test_killed_first_build_leaves_no_target(tmp_path: Path) -> None:
    target = tmp_path / "model.safetensors"
    _kill_at_fsync(["build", str(SPEC), "--no-check", "--out", str(target)])
    assert not target.exists()


def test_killed_schema_export_leaves_the_previous_schema(tmp_path: Path) -> None:
    path = tmp_path / schema.SCHEMA_FILE
    path.write_text("previous")
    _kill_at_fsync(["schema", "--out", str(tmp_path)])
    assert path.read_text() == "previous"


_WRITER = textwrap.dedent(
    """
    import sys
    from rpnschema import io
    payload = b"n" * int(sys.argv[2])
    print("START", flush=True)
    io.write_atomic(sys.argv[1], payload)
    """
)


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.1, 0.3])
def test_write_atomic_killed_at_any_time(tmp_path: Path, delay: float) -> None:
    """A large payload killed mid-write: the target is the old file or the whole new one."""
    target = tmp_path / "out.bin"
    old = b"o" * 1000
    target.write_bytes(old)
    size = 64 * 1024 * 1024
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target), str(size)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "START"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    data = target.read_bytes()
    assert data == old or (len(data) == size and data == b"n" * size)


def test_concurrent_builds_leave_one_complete_model(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    import torch

    from rpnschema.compile.serialize import load_model

    target = tmp_path / "model.safetensors"
    procs = [
        _start(["build", str(SPEC), "--no-check", "--seed", str(s), "--out", str(target)], 0.5)
        for s in (1, 2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    model = load_model(target)
    built = []
    for s in (1, 2):
        one = tmp_path / f"seed{s}.safetensors"
        _build(["build", str(SPEC), "--no-check", "--seed", str(s), "--out", str(one)])
        built.append(load_model(one).state_dict())
    state = model.state_dict()
    assert any(all(torch.equal(state[k], b[k]) for k in state) for b in built)


def test_concurrent_schema_exports_leave_one_complete_schema(tmp_path: Path) -> None:
    procs = [_start(["schema", "--out", str(tmp_path)], 0.5) for _ in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert [p.name for p in tmp_path.iterdir()] == [schema.SCHEMA_FILE]
    assert (tmp_path / schema.SCHEMA_FILE).read_text() == schema.render()


def test_write_atomic_failure_keeps_the_target_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        io.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]
