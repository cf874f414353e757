"""Loading with positions, safe YAML, duplicate keys, and dump/load round trips."""

import pytest

from rpnschema import LoadError, io, load_spec, validate_text
from rpnschema.errors import Code


def test_yaml_positions_of_values_and_keys() -> None:
    doc = io.parse("a:\n  b: [1, 2]\n  c: x\n", file="f.yaml")
    assert doc.data == {"a": {"b": [1, 2], "c": "x"}}
    assert doc.values[("a", "b", 1)] == (2, 10)
    assert doc.keys[("a", "c")] == (3, 3)
    assert doc.position(("a", "missing", 3)) == (2, 3)


def test_json_positions() -> None:
    doc = io.parse('{\n  "layers": [\n    {"m": 3}\n  ]\n}\n', file="f.json")
    assert doc.data == {"layers": [{"m": 3}]}
    assert doc.values[("layers", 0, "m")] == (3, 11)


def test_duplicate_keys_are_reported() -> None:
    doc = io.parse("a: 1\nb: 2\na: 3\n", file="f.yaml")
    (d,) = doc.diagnostics
    assert d.code is Code.DUPLICATE_KEY and (d.line, d.column) == (3, 1)


def test_yaml_python_tags_are_refused() -> None:
    with pytest.raises(LoadError) as e:
        io.parse("a: !!python/object/apply:os.system ['true']\n", file="f.yaml")
    assert e.value.diagnostic.code is Code.SYNTAX


@pytest.mark.parametrize(
    ("text", "fmt", "line"),
    [('{"a": [1,}\n', "json", 1), ("a: [1\n", "yaml", 2)],
)
def test_syntax_errors_are_located(text: str, fmt: str, line: int) -> None:
    with pytest.raises(LoadError) as e:
        io.parse(text, file=f"f.{fmt}")
    assert e.value.diagnostic.line == line


def test_unreadable_files(tmp_path) -> None:
    with pytest.raises(LoadError) as e:
        io.load(tmp_path / "missing.yaml")
    assert e.value.diagnostic.code is Code.IO
    with pytest.raises(LoadError):
        io.load(tmp_path)
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(LoadError):
        io.load(tmp_path / "bin.yaml")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_load_dump_load_round_trip(fmt: str) -> None:
    spec = load_spec("examples/multihead_fusion.yaml")
    text = io.dumps(spec.to_data(), fmt)
    again = validate_text(text, format=fmt)
    assert again.ok
    assert again.spec == spec
    assert not [d for d in again.diagnostics if d.severity != "notice"]


def test_write_atomic_replaces_whole_file(tmp_path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old")
    io.write_atomic(target, "new content")
    assert target.read_text() == "new content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_json_with_surrogate_escapes_keeps_positions() -> None:
    """PyYAML cannot read JSON's surrogate escapes; positions come from a same-length copy."""
    text = '{"name": "\\ud83d\\ude00 \\\\ud83d",\n "layers": [{"m": "x", "n": 2, "heads": [1]}]}\n'
    result = validate_text(text, file="s.json")
    assert [(d.path, d.line, d.column) for d in result.diagnostics] == [
        (("layers", 0, "m"), 2, 19),
        (("layers", 0, "heads", 0, "head"), 2, 42),
    ]
    assert io.parse(text, format="json").data["name"] == "\U0001f600 \\ud83d"
