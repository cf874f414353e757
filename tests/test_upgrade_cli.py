"""``rpnschema upgrade``: outputs, --check, --in-place, reports and exit codes; and
``rpnschema validate`` on a legacy spec."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rpnschema.cli import app
from rpnschema.migrate import MIGRATIONS

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
runner = CliRunner()


@pytest.fixture
def legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with copies of the legacy fixtures."""
    for path in LEGACY.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return path.name


def test_upgrade_prints_the_upgraded_spec_and_a_summary(legacy: Path) -> None:
    result = runner.invoke(app, ["upgrade", "v0_taylor.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (legacy / "v0_taylor.upgraded.yaml").read_text()
    assert result.stderr == (
        "v0_taylor.yaml:2:15: spec_version: 0 -> 1\n"
        "v0_taylor.yaml:2:15: spec_version: 1 -> 2\n"
        "v0_taylor.yaml:10:9: layers/0/heads/0/channel_num: renamed channel_num to channels\n"
        "v0_taylor.yaml:12:42: layers/1/heads/channel_num: renamed channel_num to channels\n"
        "v0_taylor.yaml: spec_version 0 -> 2, 4 edits\n"
    )
    assert "channel_num" in (legacy / "v0_taylor.yaml").read_text()  # not rewritten


def test_upgrade_reads_standard_input(legacy: Path) -> None:
    text = (legacy / "v0_dims.json").read_text()
    result = runner.invoke(app, ["upgrade", "-"], input=text)
    assert result.exit_code == 0
    assert result.stdout == (legacy / "v0_dims.upgraded.json").read_text()
    assert result.stderr.endswith("-: spec_version 0 -> 2, 3 edits\n")


def test_upgrade_out_writes_one_file(legacy: Path) -> None:
    result = runner.invoke(app, ["upgrade", "v0_dims.json", "--out", "new.json"])
    assert result.exit_code == 0 and result.stdout == ""
    assert (legacy / "new.json").read_text() == (legacy / "v0_dims.upgraded.json").read_text()


def test_upgrade_in_place_then_again_is_a_no_op(legacy: Path) -> None:
    result = runner.invoke(app, ["upgrade", "--in-place", "v0_taylor.yaml", "v0_dims.json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "v0_dims.json: spec_version 0 -> 2, 3 edits"
    for name in ("v0_taylor.yaml", "v0_dims.json"):
        expected = (legacy / name.replace(".", ".upgraded.", 1)).read_text()
        assert (legacy / name).read_text() == expected
    before = os.stat(legacy / "v0_taylor.yaml").st_mtime_ns
    again = runner.invoke(app, ["upgrade", "-i", "v0_taylor.yaml"])
    assert again.exit_code == 0
    assert again.stderr == "v0_taylor.yaml: spec_version 2, nothing to upgrade\n"
    assert os.stat(legacy / "v0_taylor.yaml").st_mtime_ns == before  # untouched
    assert sorted(p.name for p in legacy.iterdir() if p.name.startswith(".")) == []


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")
def test_upgrade_in_place_keeps_the_file_mode(legacy: Path) -> None:
    (legacy / "v0_dims.json").chmod(0o640)
    result = runner.invoke(app, ["upgrade", "--in-place", "v0_dims.json"])
    assert result.exit_code == 0
    assert (legacy / "v0_dims.json").stat().st_mode & 0o777 == 0o640
    umask = os.umask(0)
    os.umask(umask)
    runner.invoke(app, ["upgrade", "v0_taylor.yaml", "--out", "fresh.yaml"])
    assert (legacy / "fresh.yaml").stat().st_mode & 0o777 == 0o666 & ~umask


def test_upgrade_in_place_is_atomic(legacy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = (legacy / "v0_taylor.yaml").read_text()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    result = runner.invoke(app, ["upgrade", "--in-place", "v0_taylor.yaml"])
    assert result.exit_code == 2
    assert "v0_taylor.yaml: cannot write: No space left on device" in result.stderr
    assert (legacy / "v0_taylor.yaml").read_text() == original
    assert not [p for p in legacy.iterdir() if p.name.endswith(".tmp")]


def test_check_lists_the_files_that_need_upgrading(legacy: Path) -> None:
    current = _write(
        legacy / "current.yaml",
        "spec_version: 2\ndims: [3, 2]\nhead: {expansion: taylor_expansion}\n",
    )
    result = runner.invoke(app, ["upgrade", "--check", current, "v0_dims.json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "current.yaml: spec_version 2, nothing to upgrade",
        "v0_dims.json:2:19: spec_version: 0 -> 1",
        "v0_dims.json:2:19: spec_version: 1 -> 2",
        "v0_dims.json:7:5: head/channel_num: renamed channel_num to channels",
        "v0_dims.json: needs upgrade: spec_version 0 -> 2, 3 edits",
    ]
    assert "channel_num" in (legacy / "v0_dims.json").read_text()  # --check writes nothing
    ok = runner.invoke(app, ["upgrade", "--check", current, "v0_dims.upgraded.json"])
    assert ok.exit_code == 0


def test_json_report(legacy: Path) -> None:
    result = runner.invoke(app, ["upgrade", "--check", "--format", "json", "v0_dims.json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["format"] == "rpnschema-upgrade" and report["version"] == 1
    (entry,) = report["files"]
    assert {k: entry[k] for k in ("file", "status", "from_version", "to_version")} == {
        "file": "v0_dims.json",
        "status": "needs_upgrade",
        "from_version": 0,
        "to_version": 2,
    }
    assert [(e["op"], e["path"], e["line"], e["column"]) for e in entry["edits"]] == [
        ("rename", "head/channel_num", 7, 5),
        ("set", "spec_version", 2, 19),
        ("set", "spec_version", 2, 19),
    ]
    assert result.stderr == "v0_dims.json: needs upgrade: spec_version 0 -> 2, 3 edits\n"
    # with the spec on stdout, the report goes to stderr
    printed = runner.invoke(app, ["upgrade", "-f", "json", "v0_dims.json"])
    assert printed.stdout == (legacy / "v0_dims.upgraded.json").read_text()
    assert '"status": "upgraded"' in printed.stderr


def test_to_selects_the_target_version(legacy: Path) -> None:
    same = runner.invoke(app, ["upgrade", "--to", "0", "v0_taylor.yaml"])
    assert same.exit_code == 1  # nothing to do, but a version 0 spec does not validate
    assert same.stdout == (legacy / "v0_taylor.yaml").read_text()
    assert "error RPN105 spec_version: spec_version 0 is older" in same.stderr
    done = runner.invoke(app, ["upgrade", "--to", "1", "v0_taylor.yaml"])
    assert done.exit_code == 0  # version 1 is read, migrated in memory
    assert "spec_version: 1" in done.stdout
    unknown = runner.invoke(app, ["upgrade", "--to", "5", "v0_taylor.yaml"])
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "error: --to 5 is not a spec_version this rpnschema knows (0 to 2); omit --to to "
        "upgrade to the latest\n"
    )
    back = runner.invoke(app, ["upgrade", "--to", "0", "v0_taylor.upgraded.yaml"])
    assert back.exit_code == 2
    assert back.stderr == (
        "v0_taylor.upgraded.yaml:2:15: error RPN105 spec_version: cannot downgrade "
        "spec_version 2 to 0\n"
        "    expected a target of at least 2; found 0\n"
        "    hint: migrations only go forward; keep the file as it is\n"
        "v0_taylor.upgraded.yaml: not upgraded: cannot downgrade spec_version 2 to 0\n"
    )


def test_a_newer_version_is_a_usage_error(legacy: Path) -> None:
    name = _write(legacy / "new.yaml", "spec_version: 3\ndims: [3, 2]\n")
    result = runner.invoke(app, ["upgrade", name])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "new.yaml:1:15: error RPN105 spec_version: spec_version 3 is newer than this rpnschema "
        "understands (it reads spec_version 2); upgrade rpnschema\n"
        "    expected spec_version 2 or lower; found 3\n"
        "    hint: install a newer rpnschema (one that reads spec_version 3)\n"
        "new.yaml: not upgraded: spec_version 3 is newer than this rpnschema understands (it "
        "reads spec_version 2); upgrade rpnschema\n"
    )


def test_unknown_version_and_unreadable_file_exit_2(legacy: Path) -> None:
    name = _write(legacy / "odd.yaml", "spec_version: one\ndims: [3, 2]\n")
    result = runner.invoke(app, ["upgrade", name])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "odd.yaml:1:15: error RPN105 spec_version: spec_version must be an integer from 0 to 2, "
        "found 'one'"
    )
    missing = runner.invoke(app, ["upgrade", "missing.yaml"])
    assert missing.exit_code == 2
    assert missing.stderr.startswith("missing.yaml: error RPN103 <root>: cannot read file: ")
    syntax = runner.invoke(app, ["upgrade", _write(legacy / "bad.yaml", "a: [1\n")])
    assert syntax.exit_code == 2 and "error RPN100" in syntax.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--out", "x.yaml", "v0_taylor.yaml", "v0_dims.json"],
            "--out takes one FILE, found 2; use --in-place for several files",
        ),
        (["--out", "x.yaml", "--in-place", "v0_dims.json"], "give --out or --in-place, not both"),
        (
            ["--check", "--in-place", "v0_dims.json"],
            "--check writes nothing: drop --out/--in-place",
        ),
        (
            ["v0_taylor.yaml", "v0_dims.json"],
            "2 files given: use --in-place (or --check) for several files",
        ),
        (["--in-place", "-"], "--in-place cannot rewrite standard input; use --out or stdout"),
    ],
)
def test_usage_errors(legacy: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["upgrade", *args])
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert not (legacy / "x.yaml").exists()


def test_an_upgraded_spec_that_is_still_invalid_exits_1(legacy: Path) -> None:
    name = _write(
        legacy / "bad_channels.yaml",
        "spec_version: 0\ndims: [3, 2]\nhead: {expansion: taylor_expansion, channel_num: 0}\n",
    )
    result = runner.invoke(app, ["upgrade", "--in-place", name])
    assert result.exit_code == 1
    assert result.stderr == (
        "bad_channels.yaml:1:15: spec_version: 0 -> 1\n"
        "bad_channels.yaml:1:15: spec_version: 1 -> 2\n"
        "bad_channels.yaml:3:37: head/channel_num: renamed channel_num to channels\n"
        "bad_channels.yaml:3:47: error RPN204 head/channels: channels must be >= 1, found 0\n"
        "    expected channels >= 1; found 0\n"
        "bad_channels.yaml: spec_version 0 -> 2, 3 edits; the upgraded spec is invalid "
        "(1 error)\n"
    )
    assert "channels: 0" in (legacy / name).read_text()  # the migration itself is written


def test_a_conflicting_legacy_spec_exits_1(legacy: Path) -> None:
    name = _write(
        legacy / "both.yaml",
        "spec_version: 0\ndims: [3, 2]\nhead: {expansion: x, channel_num: 2, channels: 2}\n",
    )
    result = runner.invoke(app, ["upgrade", name])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "both.yaml:3:22: error RPN206 head/channel_num: channel_num (spec_version 0) and "
        "channels (spec_version 1) are both given"
    )


def test_a_tinybig_config_is_sent_to_convert(legacy: Path) -> None:
    name = _write(legacy / "tb.yaml", "model_class: tinybig.model.rpn_mlp\n")
    result = runner.invoke(app, ["upgrade", name])
    assert result.exit_code == 2
    assert "hint: convert it with `rpnschema convert tb.yaml`" in result.stderr


def test_a_reserialized_upgrade_says_so(legacy: Path) -> None:
    name = _write(
        legacy / "tab.json",
        '\t{"spec_version": 0, "name": "\\ud83d\\ude00", "dims": [3, 2],\n'
        ' "head": {"expansion": "taylor_expansion", "channel_num": 2}}\n',
    )
    result = runner.invoke(app, ["upgrade", name])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        "tab.json: spec_version 0 -> 2, 3 edits (re-serialized: comments and layout could "
        "not be kept)"
    )
    assert json.loads(result.stdout)["head"]["channels"] == 2


def test_validate_explains_a_legacy_spec(legacy: Path) -> None:
    result = runner.invoke(app, ["validate", "v0_taylor.yaml"])
    assert result.exit_code == 1
    assert result.output == (
        "v0_taylor.yaml:2:15: error RPN105 spec_version: spec_version 0 is older than the "
        "version this rpnschema reads (2)\n"
        "    expected spec_version 2; found 0\n"
        "    hint: run `rpnschema upgrade v0_taylor.yaml` to see it migrated, with --in-place "
        "to rewrite it; 2 migrations apply: 0 -> 1, a head's channel_num is now spelled "
        f"channels; 1 -> 2, {MIGRATIONS[1].description}\n"
        "v0_taylor.yaml: invalid (1 error, 0 warnings, 0 notices)\n"
    )
    upgraded = runner.invoke(app, ["validate", "-q", "v0_taylor.upgraded.yaml"])
    assert upgraded.exit_code == 0


def test_upgrade_is_listed_in_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "upgrade" in result.output
