"""The committed JSON Schema in a real editor backend: yaml-language-server over stdio.

The server is pinned in ``.tools/package.json`` and installed by ``make setup`` (``npm ci
--prefix .tools``); the module is skipped only where ``node`` is missing. One server process
serves the whole module; every wait has a timeout (``LspClient.timeout``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from rpnschema import schema as schema_module
from rpnschema.spec import CATALOG, registry
from rpnschema.spec.registry import component_name
from tests.editor.lsp import LspClient

ROOT = Path(__file__).resolve().parents[2]
#: The pinned server; YAML_LANGUAGE_SERVER=path/to/bin/yaml-language-server tries another one.
SERVER = Path(
    os.environ.get("YAML_LANGUAGE_SERVER")
    or ROOT / ".tools" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
)
SCHEMA_FILE = ROOT / "schemas" / schema_module.SCHEMA_FILE
MODELINE = "# yaml-language-server: $schema=../schemas/rpnschema.schema.json\n"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# Planted documents are opened (never written) as if they lay beside the examples, so the
# modeline's relative path finds the committed schema.
PLANTED_URI = (ROOT / "examples" / "_planted.yaml").as_uri()
HEAD = "layers:\n  - m: 3\n    n: 2\n    heads:\n"


def server_command() -> list[str]:
    """The command that starts the pinned server (``SERVER`` must exist)."""
    return [shutil.which("node") or "node", str(SERVER), "--stdio"]


@pytest.fixture(scope="module")
def lsp():
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the yaml-language-server tests need Node.js")
    assert SERVER.exists(), "yaml-language-server is not installed: run `make setup`"
    client = LspClient(server_command(), ROOT)
    yield client
    client.close()


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def _open(lsp: LspClient, body: str) -> list[dict]:
    return lsp.open(PLANTED_URI, MODELINE + body)


# --- every example opens clean ------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_opens_without_diagnostics(lsp, path: Path) -> None:
    text = path.read_text()
    assert text.startswith(MODELINE)
    assert lsp.open(path.as_uri(), text) == []


# --- planted mistakes: one diagnostic, on the right line, naming the valid choices --------

EXPANSIONS = sorted(component_name(c) for c in registry.members("expansion"))
TAYLOR_KEYS = "name, preprocess, postprocess, d"

#: name -> (document body, 0-based line of the mistake in the body, texts the message holds)
PLANTED = {
    "misspelled key": (
        HEAD + "      - expansion: taylor_expansion\n        chanels: 2\n",
        5,
        [
            "Not a key of a head. Valid keys: m, n, channels, batch, steps, "
            "attribute_interdependence, instance_interdependence, expansion, reconciliation,"
        ],
    ),
    "wrong name, string form": (
        HEAD + "      - expansion: taylor_expanson\n",
        4,
        ["Value is not accepted", *(f'"{n}"' for n in EXPANSIONS)],
    ),
    "wrong name, mapping form": (
        HEAD + "      - expansion: {name: taylor_expanson, d: 2}\n",
        4,
        ["Value is not accepted", *(f'"{n}"' for n in EXPANSIONS)],
    ),
    "wrong name, block mapping": (
        HEAD + "      - expansion:\n          name: taylor_expanson\n          d: 2\n",
        5,
        ["Value is not accepted", *(f'"{n}"' for n in EXPANSIONS)],
    ),
    "wrong type": (
        HEAD + "      - expansion: taylor_expansion\n        channels: two\n",
        5,
        ['Incorrect type. Expected "integer"'],
    ),
    "out of bounds": (
        HEAD + "      - expansion: {name: taylor_expansion, d: 0}\n",
        4,
        ["below the minimum of 1"],
    ),
    "missing field": (HEAD + "      - channels: 2\n", 4, ['Missing property "expansion"']),
    "preset mixed with an explicit head": (
        HEAD + "      - preset: kan\n        expansion: taylor_expansion\n",
        5,
        ["Not a key of `kan`", "grid_range", "with_lorr"],
    ),
    "parameter of another function": (
        HEAD + "      - expansion: {name: taylor_expansion, t: 5}\n",
        4,
        [f"Not a key of `taylor_expansion`. Valid keys: {TAYLOR_KEYS}."],
    ),
    "unknown preset": (
        HEAD + "      - preset: kann\n",
        4,
        ['"kan"', '"naive_bayes"', '"perceptron"', '"pgm"', '"svm"'],
    ),
    "a string head": (HEAD.rstrip("\n") + " [perceptron]\n", 3, ['Expected "Head"']),
    "an empty function while typing": (
        HEAD + "      - expansion:\n",
        4,
        ["Incorrect type. Expected one of string, object."],
    ),
    "a grid_range of strings": (
        "dims: [2, 1]\nhead:\n  preset: kan\n  grid_range: [a, 1]\n",
        3,
        ['Incorrect type. Expected "number"'],
    ),
}


@pytest.mark.parametrize("name", PLANTED)
def test_a_planted_mistake_gets_one_diagnostic_naming_the_choices(lsp, name: str) -> None:
    body, line, texts = PLANTED[name]
    [diagnostic] = _open(lsp, body)
    assert diagnostic["range"]["start"]["line"] == line + 1  # +1: the modeline
    for text in texts:
        assert text in diagnostic["message"]


# --- completion ---------------------------------------------------------------------------


KEY, VALUE = 10, 12  # LSP CompletionItemKind: Property, Value


def _labels(lsp: LspClient, body: str, line: int, character: int, kind=None) -> list[str]:
    """Completion labels at a position (only items of ``kind``, if given)."""
    _open(lsp, body)
    items = lsp.completion(PLANTED_URI, line + 1, character)
    return [i["label"] for i in items if kind is None or i.get("kind") == kind]


def _is_family(definition: dict) -> bool:
    branches = definition.get("anyOf", [])
    return len(branches) == 2 and "name" in branches[1].get("properties", {})


def _family_slots() -> dict[str, tuple[list[str], bool]]:
    """Head slot -> (its family definitions, whether it takes a list), for every head field
    that takes a catalog function."""
    doc = _schema()
    slots = {}
    for key, prop in doc["$defs"]["HeadSpec"]["properties"].items():
        branches = [prop, *prop.get("anyOf", [])]
        refs = [b.get("$ref") or b.get("items", {}).get("$ref") for b in branches]
        families = [r.rsplit("/", 1)[-1] for r in filter(None, refs)]
        families = sorted({f for f in families if _is_family(doc["$defs"][f])})
        if families:
            slots[key] = (families, any(b.get("type") == "array" for b in branches))
    return slots


SLOTS = _family_slots()
SLOT_FAMILIES = [(slot, family) for slot, (families, _) in SLOTS.items() for family in families]


def test_every_family_has_a_head_slot() -> None:
    families = {name for name, d in _schema()["$defs"].items() if _is_family(d)}
    families -= {"ModelPreset"}  # the model's own slot (preset + dims), not a head's
    assert families and {family for _, family in SLOT_FAMILIES} == families


@pytest.mark.parametrize("slot", SLOTS)
def test_completion_at_a_family_value_offers_every_name(lsp, slot: str) -> None:
    defs = _schema()["$defs"]
    names = {n for family in SLOTS[slot][0] for n in defs[family]["anyOf"][0]["enum"]}
    body = HEAD + f"      - expansion: taylor_expansion\n        {slot}: \n"
    if slot == "expansion":
        body = HEAD + "      - expansion: \n        channels: 1\n"
    line = 4 if slot == "expansion" else 5
    labels = _labels(lsp, body, line, len(body.splitlines()[line]))
    # An optional slot also takes null (the server offers it for a `null` type). The server
    # shortens labels of more than 60 characters to their first 57 and "...".
    shown = {n if len(n) <= 60 else n[:57] + "..." for n in names}
    assert sorted(set(labels) - {"null"}) == sorted(shown)
    assert len(labels) == len(set(labels))
    if slot == "expansion":
        assert set(EXPANSIONS) <= set(labels)


def _richest(family_def: str) -> str:
    """The family's function with the most parameters (the completion list to check)."""
    mapping = _schema()["$defs"][family_def]["anyOf"][1]["allOf"]
    refs = {b["if"]["properties"]["name"]["const"]: b["then"]["$ref"] for b in mapping}
    defs = _schema()["$defs"]
    return max(sorted(refs), key=lambda n: len(defs[refs[n].rsplit("/", 1)[-1]]["properties"]))


@pytest.mark.parametrize(("slot", "family"), SLOT_FAMILIES)
def test_completion_in_a_named_mapping_offers_that_functions_parameters(lsp, slot, family):
    name = _richest(family)
    cls = CATALOG[name]  # every family, those loaded on demand too
    item = "- " if SLOTS[slot][1] else ""  # a list slot: the function as its first item
    indent = "          " + ("  " if item else "")
    first = "" if slot == "expansion" else "expansion: taylor_expansion\n        "
    body = HEAD + f"      - {first}{slot}:\n          {item}name: {name}\n{indent}\n"
    line = len(body.splitlines()) - 1
    labels = _labels(lsp, body, line, len(indent), kind=KEY)
    assert sorted(labels) == sorted(set(cls.model_fields) - {"name"})  # each once


def test_completion_in_an_empty_function_mapping_offers_name_only(lsp) -> None:
    labels = _labels(lsp, HEAD + "      - expansion:\n          \n", 5, 10)
    assert "name" in labels
    assert not {"d", "t", "grid_range", "preprocess"} & set(labels)


def test_completion_of_a_new_head_offers_its_keys_preset_and_snippets(lsp) -> None:
    labels = _labels(lsp, HEAD + "      - \n", 4, 8)
    assert {"expansion", "reconciliation", "channels", "preset"} <= set(labels)
    assert {"head: expansion + reconciliation", "head: preset"} <= set(labels)
    assert "with_lorr" not in labels  # a preset's option, not an explicit head's key


def test_completion_in_a_preset_offers_that_presets_options(lsp) -> None:
    labels = _labels(lsp, HEAD + "      - preset: kan\n        \n", 5, 8, kind=KEY)
    assert {"grid_range", "t", "d", "with_lorr", "with_residual"} <= set(labels)
    assert len(labels) == len(set(labels))
    assert not {"expansion", "kernel", "with_taylor"} & set(labels)


def test_completion_of_a_new_layer_offers_the_layer_snippet(lsp) -> None:
    labels = _labels(lsp, "layers:\n  - \n", 1, 4)
    assert {"layer", "m", "n", "heads", "width"} <= set(labels)


def test_optional_values_complete_without_null_defaults(lsp) -> None:
    labels = _labels(lsp, "layers:\n  - width: \n", 1, 11)
    assert labels == ["null"]  # no "Default value" item
    _open(lsp, "layers:\n  - heads: {expansion: identity_expansion}\n    \n")
    items = {i["label"]: i for i in lsp.completion(PLANTED_URI, 3, 4)}
    assert items["width"]["insertText"] == "width: ${1:0}"  # not ${1:null}


# --- hover --------------------------------------------------------------------------------


def _hover(lsp: LspClient, body: str, line: int, character: int) -> str:
    """Hover text, without the Markdown escapes (their extent varies between versions)."""
    _open(lsp, body)
    return lsp.hover(PLANTED_URI, line + 1, character).replace("\\", "")


def test_hover_on_a_key_shows_its_description_once(lsp) -> None:
    text = _hover(lsp, "layers:\n  - width: 2\n    heads: {expansion: identity_expansion}\n", 1, 5)
    assert text.startswith("#### Width\n\nNumber of heads.")
    assert "||" not in text


def test_hover_on_a_parameter_shows_its_description(lsp) -> None:
    text = _hover(
        lsp, HEAD + "      - expansion:\n          name: bspline_expansion\n          t: 4\n", 6, 10
    )
    assert "Number of grid intervals." in text


def test_hover_on_a_function_name_shows_what_it_does(lsp) -> None:
    text = _hover(lsp, HEAD + "      - expansion: {name: taylor_expansion, d: 2}\n", 4, 28)
    assert "Products of degree 1..d" in text


# --- the documented behaviour -------------------------------------------------------------

EDITORS_PAGE = ROOT / "docs" / "editors.md"


def _documented_messages() -> dict[str, str]:
    """docs/editors.md's table of mistakes: planted case name -> the message it quotes."""
    rows = {}
    for line in EDITORS_PAGE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in PLANTED:
            rows[cells[0]] = cells[2]
    return rows


def test_the_editors_page_quotes_the_servers_messages(lsp) -> None:
    documented = _documented_messages()
    assert len(documented) >= 10
    for name, quoted in documented.items():
        [diagnostic] = _open(lsp, PLANTED[name][0])
        if quoted.endswith(" …"):
            assert diagnostic["message"].startswith(quoted.removesuffix(" …")), name
        else:
            assert diagnostic["message"] == quoted, name


def _server_version() -> tuple[int, ...]:
    package = json.loads((SERVER.parents[1] / "package.json").read_text())
    return tuple(int(p) for p in package["version"].split(".")[:3])


def test_the_jetbrains_modeline_works_in_the_server_too(lsp) -> None:
    if _server_version() < (1, 22, 0):
        pytest.skip("`# $schema:` modelines need yaml-language-server 1.22.0")
    text = "# $schema: ../schemas/rpnschema.schema.json\n" + PLANTED["out of bounds"][0]
    [diagnostic] = lsp.open(PLANTED_URI, text)
    assert diagnostic["message"] == "Value is below the minimum of 1."
