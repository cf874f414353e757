"""The docs site: generated pages are current, the nav covers every page, links resolve, every
console and Python example runs and shows its real output, and ``mkdocs build --strict`` passes.

Regenerate every generated text with ``python -m rpnschema.reference --write``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rpnschema import reference

ROOT = reference.ROOT
DOCS = reference.DOCS
REGENERATE = "run: python -m rpnschema.reference --write"
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _nav_pages(items: list[object]) -> list[str]:
    pages: list[str] = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages += _nav_pages(value)
        elif isinstance(value, str) and not value.startswith(("http://", "https://")):
            pages.append(value)
    return pages


class _ConfigLoader(yaml.SafeLoader):
    """Safe loading that reads mkdocs' ``!!python/name:X`` tags as the string X."""


_ConfigLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix
)


def _mkdocs_config() -> dict[str, object]:
    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_ConfigLoader)


def _needs_torch(text: str) -> bool:
    return bool(re.search(r"rpnschema (build|load|export)\b|import torch|build_tinybig", text))


@pytest.mark.parametrize("page", sorted(reference.generated_pages()))
def test_generated_page_is_current(page: str) -> None:
    path = DOCS / page
    assert path.exists(), f"docs/{page} is missing; {REGENERATE}"
    assert path.read_text() == reference.generated_pages()[page](), (
        f"docs/{page} is stale; {REGENERATE}"
    )


def test_nav_lists_every_page_and_only_existing_ones() -> None:
    nav = _nav_pages(_mkdocs_config()["nav"])  # type: ignore[arg-type]
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(nav) == on_disk, f"mkdocs.yml nav {sorted(nav)} != docs pages {on_disk}"
    assert len(nav) == len(set(nav))


_LINK = re.compile(r"(?<!\\)\[[^\]]*\]\(([^)\s]+)\)")  # not \[escaped](...)


def _anchors(text: str) -> set[str]:
    """Heading ids as mkdocs' toc extension makes them (for the headings these pages use)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    ids = set()
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.M):
        slug = re.sub(r"[^\w\s-]", "", heading.replace("`", "")).strip().lower()
        ids.add(re.sub(r"[-\s]+", "-", slug))
    return ids


@pytest.mark.parametrize("page", sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")))
def test_internal_links_resolve(page: str) -> None:
    path = DOCS / page
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        assert linked.is_relative_to(DOCS), f"{page}: {target} leaves docs/"
        assert linked.exists(), f"{page}: {target} does not exist"
        if anchor:
            assert anchor in _anchors(linked.read_text()), f"{page}: no anchor #{anchor}"


@pytest.mark.parametrize("page", [str(p.relative_to(DOCS)) for p in reference.handwritten_pages()])
def test_console_examples_show_their_real_output(page: str, tmp_path: Path) -> None:
    text = (DOCS / page).read_text()
    if _needs_torch(text) and not HAS_TORCH:
        pytest.skip("this page's examples need torch")
    assert reference.refresh_console(text, reference.sandbox(tmp_path)) == text, (
        f"docs/{page}: a console example's output differs from what the command prints; "
        f"{REGENERATE} (and check the new output)"
    )


@pytest.mark.parametrize(
    "page",
    [
        str(p.relative_to(DOCS))
        for p in reference.handwritten_pages()
        if reference.diagram_commands(p.read_text())
    ],
)
def test_architecture_pictures_are_current(page: str, tmp_path: Path) -> None:
    text = (DOCS / page).read_text()
    assert reference.refresh_diagrams(text, reference.sandbox(tmp_path)) == text, (
        f"docs/{page}: a picture differs from what `rpnschema graph` draws; {REGENERATE}"
    )


def test_pages_that_explain_a_spec_show_its_picture() -> None:
    pictured = {
        page.name: reference.diagram_commands(page.read_text())
        for page in reference.handwritten_pages()
    }
    for page in ("index.md", "writing-specs.md", "compiling.md"):
        assert pictured[page], f"docs/{page} has no `rpnschema graph` picture"
    config = _mkdocs_config()
    fences = config["markdown_extensions"][-1]["pymdownx.superfences"]["custom_fences"]
    assert fences == [
        {"name": "mermaid", "class": "mermaid", "format": "pymdownx.superfences.fence_code_format"}
    ]


_PYTHON = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


@pytest.mark.parametrize(
    "page",
    [
        str(p.relative_to(DOCS))
        for p in reference.handwritten_pages()
        if "```python" in p.read_text()
    ],
)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _PYTHON.findall((DOCS / page).read_text())
    if any(_needs_torch(b) for b in blocks) and not HAS_TORCH:
        pytest.skip("this page's examples need torch")
    monkeypatch.chdir(reference.sandbox(tmp_path))
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    for i, block in enumerate(blocks):
        code = compile(block, f"docs/{page} (python example {i + 1})", "exec", dont_inherit=True)
        exec(code, namespace)  # as a script: without this module's __future__ imports


def test_console_examples_use_only_supported_commands() -> None:
    for page in reference.handwritten_pages():
        for block in reference._CONSOLE.findall(page.read_text()):
            commands = [line for line in block.splitlines() if line.startswith("$ ")]
            assert commands, f"{page.name}: a console example without a $ command"


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reference" / "spec" / "index.html").exists()


def test_spec_reference_covers_every_function_and_preset() -> None:
    from rpnschema.spec import CATALOG, PRESET_TYPES

    text = reference.render_spec_reference()
    for name in CATALOG:
        assert f"### `{name}`\n" in text, name
    for cls in PRESET_TYPES:
        assert f"### `{cls.model_fields['preset'].annotation.__args__[0]}`\n" in text


def test_cli_reference_covers_every_command_and_option() -> None:
    import typer

    from rpnschema.cli.app import app

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="rpnschema")
    text = reference.render_cli_reference()
    for name in root.list_commands(ctx):
        assert f"## `rpnschema {name}`\n" in text, name
        command = root.get_command(ctx, name)
        for param in command.get_params(ctx):
            if param.param_type_name != "option" or param.name == "help":
                continue
            for opt in param.opts:
                assert f"`{opt}`" in text, (name, opt)


# --- the README (#16 item 20): every console and Python example runs from a fresh directory --

README = ROOT / "README.md"


def _commands(block: str) -> list[tuple[str, list[str]]]:
    """The ``$`` lines of a console example, each with the output lines shown under it."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out and line.strip():
            out[-1][1].append(line.rstrip())
    return out


def _shown_in(shown: list[str], real: list[str]) -> bool:
    """Whether the README's (abridged, ``...``) lines appear in the real output, in order."""
    lines = iter(real)
    return all(any(r == s for r in lines) for s in shown if s != "...")


def test_readme_console_examples_run_and_show_real_output(tmp_path: Path) -> None:
    from rpnschema.reference.console import _run_line

    cwd = reference.sandbox(tmp_path)
    blocks = reference._CONSOLE.findall(README.read_text())
    assert len(blocks) >= 5
    last = 0
    for block in blocks:
        if _needs_torch(block) and not HAS_TORCH:
            continue
        for command, shown in _commands(block):
            output, last = _run_line(command, cwd, last)
            real = [line.rstrip() for line in output.splitlines()]
            assert _shown_in(shown, real), (
                f"README: `$ {command}` shows lines it does not print.\nshown:\n"
                + "\n".join(shown)
                + "\nreal:\n"
                + "\n".join(real)
            )


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _PYTHON.findall(README.read_text())
    assert len(blocks) >= 5
    monkeypatch.chdir(reference.sandbox(tmp_path))
    namespace: dict[str, object] = {"__name__": "readme"}
    ran = 0
    for i, block in enumerate(blocks):
        if _needs_torch(block) and not HAS_TORCH:
            continue
        if "rpnschema_example_plugin" in block and not importlib.util.find_spec(
            "rpnschema_example_plugin"
        ):
            continue
        code = compile(block, f"README.md (python example {i + 1})", "exec", dont_inherit=True)
        exec(code, namespace)
        ran += 1
    assert ran >= 2
