"""Generate the reference texts: the README catalog, docs/error-codes.md, the spec and CLI
references under docs/reference/, the pages mirrored from SECURITY.md and BENCHMARKS.md, the
output of every console example in the hand-written docs pages and their architecture pictures
(``rpnschema graph``, see :mod:`rpnschema.reference.diagrams`).

Tests (tests/test_reference.py, tests/test_docs.py) fail when any of them is stale. Regenerate
all of them with ``python -m rpnschema.reference --write``.

Console examples: in a hand-written page, a ```` ```console ```` block holds ``$ COMMAND`` lines,
each followed by its output, which ``--write`` replaces with the real one. A command is
``rpnschema ...`` (run in-process), ``python FILE``, ``cat FILE`` or ``echo $?`` (the previous
command's exit code). A page's examples run in order in a fresh directory where ``examples/``,
``schemas/`` and ``tests/`` are the checkout's, so a file one example writes is there for the next.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from rpnschema.reference._shared import DOCS as DOCS
from rpnschema.reference._shared import ROOT as ROOT
from rpnschema.reference.catalog import END as END
from rpnschema.reference.catalog import START as START
from rpnschema.reference.catalog import catalog_entries as catalog_entries
from rpnschema.reference.catalog import plugin_entries as plugin_entries
from rpnschema.reference.catalog import render as render
from rpnschema.reference.catalog import splice as splice
from rpnschema.reference.cli_reference import render_cli_reference as render_cli_reference
from rpnschema.reference.console import _CONSOLE as _CONSOLE
from rpnschema.reference.console import refresh_console as refresh_console
from rpnschema.reference.console import run_console as run_console
from rpnschema.reference.console import sandbox as sandbox
from rpnschema.reference.diagrams import diagram_commands as diagram_commands
from rpnschema.reference.diagrams import refresh_diagrams as refresh_diagrams
from rpnschema.reference.error_codes import CODE_EXAMPLES as CODE_EXAMPLES
from rpnschema.reference.error_codes import _example_output as _example_output
from rpnschema.reference.error_codes import render_error_codes as render_error_codes
from rpnschema.reference.spec_reference import render_spec_reference as render_spec_reference
from rpnschema.reference.tinybig_defaults import render_tinybig_defaults as render_tinybig_defaults

# --- one command for every generated text ----------------------------------------------------

_MIRRORED = {"security.md": "SECURITY.md", "benchmarks.md": "BENCHMARKS.md"}


def generated_pages() -> dict[str, Callable[[], str]]:
    """Paths under docs/ of the generated pages, and the functions that render them."""
    pages: dict[str, Callable[[], str]] = {
        "error-codes.md": render_error_codes,
        "reference/spec.md": render_spec_reference,
        "reference/cli.md": render_cli_reference,
        "reference/tinybig-defaults.md": render_tinybig_defaults,
    }
    for page, source in _MIRRORED.items():
        pages[page] = lambda source=source: (
            f"<!-- generated from {source} by `python -m rpnschema.reference --write`; edit "
            f"{source} -->\n\n" + (ROOT / source).read_text()
        )
    return pages


def handwritten_pages() -> list[Path]:
    """The docs pages written by hand (their console examples are regenerated)."""
    generated = {DOCS / p for p in generated_pages()}
    return sorted(p for p in DOCS.rglob("*.md") if p not in generated)


def write_all() -> list[Path]:
    """Regenerate the README catalog, every generated page and every console example."""

    readme = ROOT / "README.md"
    written = {readme: splice(readme.read_text(), render())}
    for page, render_page in generated_pages().items():
        written[DOCS / page] = render_page()
    for page in handwritten_pages():
        with tempfile.TemporaryDirectory() as tmp:
            cwd = sandbox(Path(tmp))
            written[page] = refresh_diagrams(refresh_console(page.read_text(), cwd), cwd)
    changed = []
    for path, text in written.items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--write",
        type=Path,
        nargs="?",
        const=ROOT,
        help="Regenerate everything (no value), or update the catalog in this file.",
    )
    parser.add_argument("--error-codes", type=Path, help="Write the error-code docs here.")
    args = parser.parse_args(argv)
    if args.error_codes:
        args.error_codes.parent.mkdir(parents=True, exist_ok=True)
        args.error_codes.write_text(render_error_codes())
        return 0
    if args.write == ROOT:
        for path in write_all():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    reference = render()
    if args.write:
        args.write.write_text(splice(args.write.read_text(), reference))
    else:
        sys.stdout.write(reference + "\n")
    return 0
