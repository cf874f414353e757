"""Usage lines and argument lists read as a user types them (#16 item 17): ``FILE...``,
``SPEC``, ``[MATCH]``, never Typer's ``{files}...``, ``{SPEC}``, ``[[MATCH]]`` or Python types,
in ``--help`` and in the generated CLI reference."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from rpnschema import reference
from rpnschema.cli.app import app

COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
UGLY = re.compile(r"\{|\[\[|<list\[|<Path>|\w+\.\.\. <")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_usage_line_is_clean(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], prog_name="rpnschema")
    assert result.exit_code == 0
    usage = result.output.splitlines()[0]
    assert usage.startswith(f"Usage: rpnschema {command} [OPTIONS]")
    assert not UGLY.search(result.output), result.output


def test_usage_words() -> None:
    def usage(command: str) -> str:
        return CliRunner().invoke(app, [command, "--help"]).output.splitlines()[0]

    assert usage("validate").endswith("validate [OPTIONS] PATH...")
    assert usage("list").endswith("list [OPTIONS] [MATCH]")
    assert usage("diff").endswith("diff [OPTIONS] A B")


def test_cli_reference_usage_is_clean() -> None:
    text = reference.render_cli_reference()
    assert "rpnschema validate [OPTIONS] PATH..." in text
    assert "rpnschema list [OPTIONS] [MATCH]\n" in text
    assert not UGLY.search(text)
