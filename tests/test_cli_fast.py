"""``rpnschema validate FILE...`` without Typer (rpnschema.cli.fast): the same output and exit
code as the Typer command, and the Typer command for everything else."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.cli.fast import validate_fast

ROOT = Path(__file__).resolve().parents[1]
INVALID = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests/fixtures/invalid").glob("*.yaml"))
CASES = [
    ["examples/dual_lphm_mnist.yaml"],
    ["-q", "examples/dual_lphm_mnist.yaml", "examples/iris_perceptron.yaml"],
    ["examples/kan_bspline.yaml", "--strict"],
    ["--quiet", "--strict", "examples/mnist_taylor.yaml"],
    ["examples/tinybig/" + sorted(os.listdir(ROOT / "examples/tinybig"))[0]],
    INVALID[:3],
    ["-q", *INVALID],
    ["examples/iris_perceptron.yaml", "tests/fixtures/invalid/" + "duplicate_key.yaml"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a)[:60])
def test_same_output_and_exit_code_as_the_typer_command(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code = validate_fast(args)
    fast = capsys.readouterr()
    typer = CliRunner().invoke(app, ["validate", *args])
    assert code == typer.exit_code
    assert fast.out == typer.stdout
    assert fast.err == ""
    assert code is not None


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-q"],
        ["--format", "json", "examples/iris_perceptron.yaml"],
        ["-f", "json", "examples/iris_perceptron.yaml"],
        ["--set", "seed=1", "examples/iris_perceptron.yaml"],
        ["examples"],  # a directory
        ["-"],  # standard input
        ["examples/no_such_file.yaml"],
        ["--help"],
        ["examples/iris_perceptron.yaml", "--max-dim", "4"],
    ],
)
def test_anything_else_goes_to_the_typer_command(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert validate_fast(args) is None
    assert capsys.readouterr().out == ""


def test_plugins_to_load_go_to_the_typer_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("RPNSCHEMA_PLUGINS", "example")
    assert validate_fast(["examples/iris_perceptron.yaml"]) is None


def test_the_command_runs_without_typer() -> None:
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in ('typer', 'click', 'rich') "
        "if m in sys.modules), file=sys.stderr))\n"
        "from rpnschema.cli import main\n"
        "sys.argv = ['rpnschema', 'validate', 'examples/iris_perceptron.yaml']\n"
        "main()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0
    assert run.stdout == "examples/iris_perceptron.yaml: ok (1 layer, 48 parameters)\n"
    assert run.stderr == "[]\n"


def test_the_typer_command_still_has_every_command_after_a_fast_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rpnschema.cli import main

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["rpnschema", "validate", "examples/iris_perceptron.yaml"])
    with pytest.raises(SystemExit) as exit:
        main()
    assert exit.value.code == 0
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"validate", "summary", "list", "diff", "build"} <= set(names)
    assert capsys.readouterr().out.endswith("ok (1 layer, 48 parameters)\n")


@pytest.mark.parametrize("command", ["validate -q examples/iris_perceptron.yaml", "list"])
def test_the_collector_is_back_on_with_the_imports_frozen(command: str) -> None:
    # main() pauses the garbage collector while it imports the command and freezes what the
    # imports created (rpnschema.cli._settle); the command itself runs with collection on
    code = (
        "import atexit, gc, sys\n"
        "from rpnschema.cli import main\n"
        "atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count() > 1000))\n"
        f"sys.argv = ['rpnschema', *{command.split()!r}]\n"
        "main()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.splitlines()[-1] == "True True"
