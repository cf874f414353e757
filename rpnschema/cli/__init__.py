"""The ``rpnschema`` command line (Typer). Exit codes: 0 ok, 1 invalid spec, 2 usage/IO error.

``app`` (the Typer application) is imported on first use: ``rpnschema validate FILE...``, the
command line of CI jobs and the pre-commit hook, runs without Typer (:mod:`rpnschema.cli.fast`).
"""

import gc
import sys
import types
from typing import Any


def main() -> None:
    """The ``rpnschema`` command."""
    gc.disable()  # importing the command below creates long-lived objects only
    if sys.argv[1:2] == ["validate"]:
        from rpnschema.cli.fast import validate_fast

        _settle()
        code = validate_fast(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    gc.disable()
    from rpnschema.cli.app import main as run

    _settle()
    run()


def _settle() -> None:
    """Move what the imports created (modules, the ~100 spec classes and their validators) out
    of the garbage collector's reach, and turn it back on. Every later collection, and the one at
    interpreter exit, would otherwise walk them all for nothing: about a tenth of the CPU time
    of ``rpnschema validate FILE`` (benchmarks/bench_cold_validate.py; see BENCHMARKS.md)."""
    gc.freeze()
    gc.enable()


class _Package(types.ModuleType):
    """``rpnschema.cli.app`` is the Typer application (as it always was), not its module, which
    the import system would otherwise bind to that name once it is imported."""

    @property
    def app(self) -> Any:
        from rpnschema.cli.app import app

        return app

    @app.setter
    def app(self, value: Any) -> None:
        pass  # the submodule being bound: ``app`` stays the application


sys.modules[__name__].__class__ = _Package
