"""Spec versions and migrations: each step, the chain, text edits that keep comments, and the
round trip of generated specs through the legacy format."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from rpnschema import Code, io, migrate, validate_data, validate_text
from rpnschema.errors import LoadError, MigrationError, VersionError
from rpnschema.migrate import Edit, Editor, Migration, upgrade_data, upgrade_text
from rpnschema.spec import CATALOG
from rpnschema.spec.model import SPEC_VERSION
from rpnschema.testing import model_specs

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
HEAD = {"expansion": "taylor_expansion"}


def _v0(**extra: Any) -> dict[str, Any]:
    layer = {"m": 3, "n": 2, "heads": [{**HEAD, "channel_num": 2}]}
    return {"spec_version": 0, "name": "legacy", "layers": [layer], **extra}


# --- the registry -------------------------------------------------------------------------


def test_the_chain_runs_from_the_oldest_to_the_current_version() -> None:
    assert (migrate.OLDEST, migrate.LATEST) == (0, SPEC_VERSION) == (0, 2)
    versions = [m.from_version for m in migrate.MIGRATIONS]
    assert versions == list(range(migrate.OLDEST, migrate.LATEST))
    assert all(m.to_version == m.from_version + 1 and m.description for m in migrate.MIGRATIONS)


# --- step 0 -> 1: channel_num becomes channels ----------------------------------------------


def test_v0_renames_channel_num_in_every_head_and_keeps_key_order() -> None:
    data = {
        "spec_version": 0,
        "layers": [
            {"m": 3, "n": 2, "heads": [{"channel_num": 2, **HEAD}, {**HEAD, "channel_num": 3}]},
            {"n": 1, "heads": {**HEAD, "channel_num": 1, "m": 2}},  # one head, not a list
            {"n": 1, "heads": [{"preset": "kan", "channel_num": 2}, {**HEAD}]},
        ],
    }
    before = copy.deepcopy(data)
    new, edits = upgrade_data(data, to=1)
    assert data == before  # the input is not changed
    layers = new["layers"]
    assert list(layers[0]["heads"][0]) == ["channels", "expansion"]
    assert list(layers[1]["heads"]) == ["expansion", "channels", "m"]
    assert [h.get("channels") for h in layers[0]["heads"]] == [2, 3]
    assert layers[2]["heads"] == [{"preset": "kan", "channels": 2}, HEAD]
    assert new["spec_version"] == 1
    assert [(e.op, e.pointer, e.value, e.from_version) for e in edits] == [
        ("rename", "layers/0/heads/0/channel_num", "channels", 0),
        ("rename", "layers/0/heads/1/channel_num", "channels", 0),
        ("rename", "layers/1/heads/channel_num", "channels", 0),
        ("rename", "layers/2/heads/0/channel_num", "channels", 0),
        ("set", "spec_version", 1, 0),
    ]
    assert str(edits[0]) == "layers/0/heads/0/channel_num: renamed channel_num to channels"
    assert str(edits[-1]) == "spec_version: 0 -> 1"


def test_v0_renames_the_head_template_of_the_dims_form() -> None:
    new, edits = upgrade_data(
        {"spec_version": 0, "dims": [3, 2], "head": {**HEAD, "channel_num": 2}}, to=1
    )
    assert new == {"spec_version": 1, "dims": [3, 2], "head": {**HEAD, "channels": 2}}
    assert [e.pointer for e in edits] == ["head/channel_num", "spec_version"]
    assert validate_data(new).ok


def test_v0_without_channel_num_only_changes_the_version() -> None:
    new, edits = upgrade_data({"spec_version": 0, "dims": [3, 2], "head": HEAD}, to=1)
    assert new["spec_version"] == 1 and [e.pointer for e in edits] == ["spec_version"]


def test_v0_with_both_spellings_is_a_located_conflict() -> None:
    data = {"spec_version": 0, "dims": [3, 2], "head": {**HEAD, "channel_num": 2, "channels": 2}}
    with pytest.raises(MigrationError) as e:
        upgrade_data(data)
    (d,) = e.value.diagnostics
    assert (d.code, d.pointer) == (Code.CONFLICT, "head/channel_num")
    assert d.message == "channel_num (spec_version 0) and channels (spec_version 1) are both given"
    assert d.suggestion == "remove channels, or remove channel_num and set spec_version to 1"


# --- versions -------------------------------------------------------------------------------


def test_a_spec_without_spec_version_is_version_1() -> None:
    data = {"dims": [3, 2], "head": HEAD}
    assert migrate.version_of(data) == 1 and migrate.needs_upgrade(data)
    assert not migrate.needs_upgrade(data, to=1)
    new, edits = upgrade_data(data)  # no default of version 1 is relied on: only the version
    assert new == {"spec_version": 2, **data}
    assert [(e.op, e.pointer) for e in edits] == [("insert", "spec_version")]
    assert upgrade_data(new) == (new, [])
    assert migrate.needs_upgrade(_v0()) and not migrate.needs_upgrade(_v0(), to=0)


def test_upgrading_an_upgraded_spec_changes_nothing() -> None:
    once, _ = upgrade_data(_v0())
    assert upgrade_data(once) == (once, [])


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            3,
            "spec_version 3 is newer than this rpnschema understands (it reads spec_version 2); "
            "upgrade rpnschema",
        ),
        (-1, "spec_version must be an integer from 0 to 2, found -1"),
        ("1", "spec_version must be an integer from 0 to 2, found '1'"),
        (True, "spec_version must be an integer from 0 to 2, found true"),
        (None, "spec_version must be an integer from 0 to 2, found null"),
    ],
)
def test_a_version_that_cannot_be_migrated(version: Any, message: str) -> None:
    with pytest.raises(VersionError) as e:
        upgrade_data({"spec_version": version, "dims": [3, 2], "head": HEAD})
    d = e.value.diagnostic
    assert (d.code, d.pointer, d.message) == (Code.SPEC_VERSION, "spec_version", message)
    assert isinstance(e.value, LoadError)  # exit code 2 in the CLI


def test_target_versions_out_of_range_or_backwards() -> None:
    with pytest.raises(VersionError, match="cannot upgrade to spec_version 5: this rpnschema "):
        upgrade_data(_v0(), to=5)
    with pytest.raises(VersionError) as e:
        upgrade_data({"spec_version": 1, "dims": [3, 2], "head": HEAD}, to=0)
    d = e.value.diagnostic
    assert (d.message, d.expected, d.found) == (
        "cannot downgrade spec_version 1 to 0",
        "a target of at least 1",
        "0",
    )
    assert upgrade_data(_v0(), to=0) == (_v0(), [])


# --- the chain, with a made-up version 2 ----------------------------------------------------


def _v1_name_to_title(data: dict[str, Any], editor: Editor) -> None:
    if "name" in data:
        editor.rename(data, (), "name", "title")
    if "seed" not in data:
        editor.set(data, (), "seed", 0)


CHAIN = (
    migrate.MIGRATIONS[0],
    Migration(1, "name is now title; seed is required", _v1_name_to_title),
)


def test_the_chain_applies_every_step_in_order() -> None:
    new, edits = upgrade_data(_v0(), migrations=CHAIN)
    assert list(new) == ["seed", "spec_version", "title", "layers"]
    assert (new["spec_version"], new["title"], new["seed"]) == (2, "legacy", 0)
    assert new["layers"][0]["heads"][0]["channels"] == 2
    assert [(e.from_version, e.op, e.pointer) for e in edits] == [
        (0, "rename", "layers/0/heads/0/channel_num"),
        (0, "set", "spec_version"),
        (1, "rename", "name"),
        (1, "insert", "seed"),
        (1, "set", "spec_version"),
    ]
    assert edits[3].description == "added seed: 0"
    middle, _ = upgrade_data(_v0(), to=1, migrations=CHAIN)
    assert middle == upgrade_data(_v0(), to=1)[0]
    assert upgrade_data(middle, migrations=CHAIN)[0] == new
    # a spec without spec_version is version 1 for good: with a version 2, it is migrated
    assert migrate.version_of({"name": "x"}, migrations=CHAIN) == 1
    unversioned, steps = upgrade_data({"name": "x"}, migrations=CHAIN)
    assert unversioned == {"seed": 0, "spec_version": 2, "title": "x"}
    assert [(e.op, e.pointer) for e in steps] == [
        ("rename", "name"),
        ("insert", "seed"),
        ("insert", "spec_version"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# head\nspec_version: 0 # old\nname: a  # the name\n",
            "# head\nseed: 0\nspec_version: 2 # old\ntitle: a  # the name\n",
        ),
        ('{"spec_version": 0, "name": "a"}', '{"seed": 0, "spec_version": 2, "title": "a"}'),
        (
            '{\n    "spec_version": 0,\n    "name": "a"\n}\n',
            '{\n    "seed": 0,\n    "spec_version": 2,\n    "title": "a"\n}\n',
        ),
    ],
)
def test_the_chain_edits_text_in_place_inserting_keys(text: str, expected: str) -> None:
    fmt = "json" if text.startswith("{") else "yaml"
    up = upgrade_text(text, format=fmt, migrations=CHAIN)  # type: ignore[arg-type]
    assert (up.text, up.preserved, up.from_version, up.to_version) == (expected, True, 0, 2)
    assert up.data == {"seed": 0, "spec_version": 2, "title": "a"}


# --- text: comments and layout survive ------------------------------------------------------


@pytest.mark.parametrize("name", ["v0_taylor.yaml", "v0_dims.json"])
def test_upgrade_text_keeps_comments_and_layout(name: str) -> None:
    path = LEGACY / name
    up = upgrade_text(path.read_text(), path=str(path))
    expected = path.with_name(name.replace(".", ".upgraded.", 1)).read_text()
    assert up.text == expected
    assert (up.preserved, up.changed, up.from_version, up.to_version) == (True, True, 0, 2)
    assert up.data == io.parse(expected, file=name).data
    assert validate_text(up.text, file=name).ok
    again = upgrade_text(up.text, path=str(path))
    assert (again.text, again.edits, again.from_version) == (up.text, [], 2)


def test_edits_are_located_in_the_original_text() -> None:
    path = LEGACY / "v0_taylor.yaml"
    up = upgrade_text(path.read_text(), path=str(path))
    assert [(e.pointer, e.line, e.column) for e in up.edits] == [
        ("layers/0/heads/0/channel_num", 10, 9),
        ("layers/1/heads/channel_num", 12, 42),
        ("spec_version", 2, 15),
        ("spec_version", 2, 15),
    ]
    assert up.edits[0].to_dict() == {
        "op": "rename",
        "path": "layers/0/heads/0/channel_num",
        "value": "channels",
        "description": "renamed channel_num to channels",
        "from_version": 0,
        "to_version": 1,
        "line": 10,
        "column": 9,
    }


def test_quoting_styles_are_kept() -> None:
    text = (
        "spec_version: 0\ndims: [3, 2]\nhead:\n  expansion: taylor_expansion\n  'channel_num': 2\n"
    )
    assert upgrade_text(text).text == text.replace("0\n", "2\n", 1).replace(
        "'channel_num'", "'channels'"
    )


def test_a_head_shared_through_an_alias_is_renamed_once_in_the_text() -> None:
    text = (
        "spec_version: 0\nlayers:\n  - m: 3\n    n: 3\n"
        "    heads: [&h {expansion: taylor_expansion, channel_num: 2}]\n"
        "  - n: 3\n    heads: [*h]  # the same head\n"
    )
    up = upgrade_text(text)
    assert up.preserved and up.text.count("channels: 2") == 1
    assert [e.pointer for e in up.edits][:2] == [
        "layers/0/heads/0/channel_num",
        "layers/1/heads/0/channel_num",
    ]
    assert "# the same head" in up.text and validate_text(up.text).ok


def test_a_head_from_a_merge_key_is_renamed_at_its_anchor() -> None:
    text = (
        "spec_version: 0  # a comment\nlayers:\n  - m: 3\n    n: 3\n    width: 2\n    heads:\n"
        "      - &h {expansion: taylor_expansion, channel_num: 2}\n      - {<<: *h}\n"
    )
    up = upgrade_text(text, path="merge.yaml")
    assert up.preserved and up.text == text.replace("0  #", "2  #").replace(
        "channel_num", "channels"
    )
    assert [h["channels"] for h in up.data["layers"][0]["heads"]] == [2, 2]


def test_json_with_surrogate_escapes_is_edited_in_place() -> None:
    # PyYAML (which gives the positions) cannot read them; positions come from a same-length copy
    text = '{"spec_version": 0, "name": "\\ud83d\\ude00", "dims": [3, 2],\n "head": {"expansion": '
    text += '"taylor_expansion", "channel_num": 2}}'
    up = upgrade_text(text, path="emoji.json")
    assert up.preserved
    assert up.text == text.replace('"spec_version": 0', '"spec_version": 2').replace(
        "channel_num", "channels"
    )
    assert up.data == {
        "spec_version": 2,
        "name": "\U0001f600",
        "dims": [3, 2],
        "head": {**HEAD, "channels": 2},
    }
    assert validate_text(up.text, file="emoji.json").ok


def test_text_that_cannot_be_edited_in_place_is_reserialized() -> None:
    # a JSON text that starts with a tab is not YAML: no positions, so it is re-serialized
    text = '\t{"spec_version": 0, "dims": [3, 2],\n "head": {"expansion": '
    text += '"taylor_expansion", "channel_num": 2}}'
    up = upgrade_text(text, path="tab.json")
    assert not up.preserved
    assert up.text == io.dumps(up.data, "json") != text
    assert up.data == {"spec_version": 2, "dims": [3, 2], "head": {**HEAD, "channels": 2}}
    assert validate_text(up.text, file="tab.json").ok


def test_upgrade_text_locates_version_errors() -> None:
    with pytest.raises(VersionError) as e:
        upgrade_text("name: x\nspec_version: 9\n", path="new.yaml")
    d = e.value.diagnostic
    assert (d.file, d.line, d.column, d.suggestion) == (
        "new.yaml",
        2,
        15,
        "install a newer rpnschema (one that reads spec_version 9)",
    )
    with pytest.raises(MigrationError) as m:
        upgrade_text("spec_version: 0\nhead: {channel_num: 1, channels: 1}\n", path="c.yaml")
    assert [(x.line, x.column) for x in m.value.diagnostics] == [(2, 8)]


def test_io_spans_cover_keys_and_values() -> None:
    text = 'a: {"b": [1, 22]}  # c\n'
    spans = io.spans(text)
    assert text[slice(*spans.keys[("a", "b")])] == '"b"'
    assert text[slice(*spans.values[("a", "b", 1)])] == "22"
    assert text[slice(*spans.values[("a",)])] == '{"b": [1, 22]}'


# --- validation explains versions -----------------------------------------------------------


def test_validate_explains_an_older_version_alone() -> None:
    text = (
        "spec_version: 0\nlayers:\n  - m: 3\n    n: 2\n"
        "    heads: [{expansion: taylor_expansion, channel_num: 2}]\n"
    )
    result = validate_text(text, file="old.yaml")
    (d,) = result.diagnostics  # no "unknown key 'channel_num'"
    assert (d.code, d.severity, d.pointer, d.line, d.column) == (
        Code.SPEC_VERSION,
        "error",
        "spec_version",
        1,
        15,
    )
    assert d.message == "spec_version 0 is older than the version this rpnschema reads (2)"
    assert (d.expected, d.found) == ("spec_version 2", "0")
    assert d.suggestion == (
        "run `rpnschema upgrade old.yaml` to see it migrated, with --in-place to rewrite it; "
        "2 migrations apply: 0 -> 1, a head's channel_num is now spelled channels; 1 -> 2, "
        + migrate.MIGRATIONS[1].description
    )
    assert result.spec is None and not result.ok


def test_validate_data_without_a_file_names_a_placeholder() -> None:
    (d,) = validate_data(_v0()).diagnostics
    assert d.suggestion is not None and d.suggestion.startswith("run `rpnschema upgrade FILE`")


# --- property: generated specs survive the trip through version 0 ---------------------------


def _explicit_v2_defaults(expansion: Any) -> Any:
    """An expansion with the version 2 defaults that version 1 had otherwise written out."""
    if isinstance(expansion, str):
        expansion = {"name": expansion}
    if not isinstance(expansion, dict):
        return expansion
    cls = CATALOG.get(expansion.get("name"))
    for param in migrate.V1_DEFAULTS.get(expansion.get("name"), {}):
        expansion.setdefault(param, cls.model_fields[param].default)  # type: ignore[union-attr]
    if isinstance(expansion.get("functions"), list):
        expansion["functions"] = [_explicit_v2_defaults(f) for f in expansion["functions"]]
    return expansion


def _downgrade(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Version 0 of a current spec (the changed defaults written out, channels -> channel_num
    in every head), the current spec with those defaults written out, and the renames."""
    explicit = json.loads(json.dumps(data))
    for _, head in migrate.heads(explicit):
        if "expansion" in head:
            named = isinstance(head["expansion"], str)
            new = _explicit_v2_defaults(head["expansion"])
            if not named or new != {"name": head["expansion"]}:
                head["expansion"] = new
    old = json.loads(json.dumps(explicit))
    renamed = 0
    for _, head in migrate.heads(old):
        if "channels" in head:
            head["channel_num"] = head.pop("channels")
            renamed += 1
    old.pop("spec_version", None)
    return {"spec_version": 0, **old}, explicit, renamed


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs())
def test_downgraded_specs_upgrade_to_the_original(data: dict[str, Any]) -> None:
    old, explicit, renamed = _downgrade(data)
    new, edits = upgrade_data(old)
    assert new == {**explicit, "spec_version": 2}
    assert len(edits) == renamed + 2  # and spec_version set twice: 0 -> 1 -> 2
    for fmt in ("yaml", "json"):
        text = io.dumps(old, fmt)  # type: ignore[arg-type]
        up = upgrade_text(text, format=fmt)  # type: ignore[arg-type]
        assert up.preserved
        assert up.data == new
        assert io.parse(up.text, format=fmt).data == new  # type: ignore[arg-type]


def test_edit_is_a_value_object() -> None:
    edit = Edit("set", ("spec_version",), 1, "0 -> 1", 0)
    assert edit.pointer == "spec_version" and (edit.line, edit.column) == (None, None)


# --- step 1 -> 2: the defaults tinybig 0.2.1's code uses ----------------------------------


def test_v1_writes_the_defaults_that_changed_where_they_are_left_out() -> None:
    data = {
        "spec_version": 1,
        "layers": [
            {
                "m": 4,
                "n": 2,
                "heads": [
                    {"expansion": "chebyshev_expansion"},
                    {"expansion": {"name": "jacobi_expansion", "alpha": 0.5}},
                    {"expansion": {"name": "chebyshev_expansion", "d": 3}},  # given: kept
                    {
                        "expansion": {
                            "name": "extended_expansion",
                            "functions": ["fourier_expansion", {"name": "fourier_expansion"}],
                        }
                    },
                ],
            }
        ],
    }
    new, edits = upgrade_data(data)
    heads = new["layers"][0]["heads"]
    assert heads[0]["expansion"] == {"name": "chebyshev_expansion", "d": 5}
    assert heads[1]["expansion"] == {"d": 5, "name": "jacobi_expansion", "alpha": 0.5}
    assert heads[2]["expansion"] == {"name": "chebyshev_expansion", "d": 3}
    assert heads[3]["expansion"]["functions"] == [
        {"name": "fourier_expansion", "P": 1.0},
        {"P": 1.0, "name": "fourier_expansion"},
    ]
    assert [(e.op, e.pointer) for e in edits] == [
        ("set", "layers/0/heads/0/expansion"),
        ("insert", "layers/0/heads/1/expansion/d"),
        ("set", "layers/0/heads/3/expansion/functions/0"),
        ("insert", "layers/0/heads/3/expansion/functions/1/P"),
        ("set", "spec_version"),
    ]


def test_a_version_1_spec_keeps_its_meaning_and_says_so() -> None:
    text = "layers: [{m: 4, n: 2, heads: [{expansion: chebyshev_expansion}]}]\n"
    old = validate_text(text, file="old.yaml")
    assert old.ok and old.spec is not None
    assert old.spec.layers[0].heads[0].expansion.d == 5 and old.spec.parameters == 40
    (notice,) = [d for d in old.diagnostics if d.code == Code.SPEC_VERSION]
    assert (notice.severity, notice.pointer, notice.line) == (
        "notice",
        "layers/0/heads/0/expansion",
        1,
    )
    assert notice.message == (
        "no spec_version (version 1): chebyshev_expansion d = 5, that version's default "
        "(spec_version 2 defaults to 2, tinybig's)"
    )
    assert notice.suggestion == "run `rpnschema upgrade old.yaml --in-place` to write it explicitly"
    new = validate_text("spec_version: 2\n" + text, file="new.yaml")
    assert new.spec is not None and new.spec.parameters == 16  # tinybig's d = 2
    assert not [d for d in new.diagnostics if d.code == Code.SPEC_VERSION]
    # the upgraded text means what the version 1 text meant
    up = upgrade_text(text, path="old.yaml")
    assert up.preserved and "heads: [{expansion: {name: chebyshev_expansion, d: 5}}]" in up.text
    assert validate_text(up.text).unwrap().parameters == 40


def test_a_version_1_spec_relying_on_no_changed_default_reads_silently() -> None:
    result = validate_text("spec_version: 1\ndims: [3, 2]\nhead: {expansion: taylor_expansion}\n")
    assert result.ok and not [d for d in result.diagnostics if d.code == Code.SPEC_VERSION]
    assert result.spec is not None and result.spec.spec_version == 2
