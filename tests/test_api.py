"""The Python API a new user meets first: one rule for what every entry point accepts, results
that never raise for a bad file, builder keywords, and writing specs back compactly (#16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rpnschema
from rpnschema import Code, LoadError, SpecError
from rpnschema.builder import component, head, stack, sweep

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".yaml", ".json"))
KAN = ROOT / "examples" / "kan_bspline.yaml"

SHORTHAND = """\
name: stacked
dims: [4, 3, 2]
head:
  expansion: {name: taylor_expansion, d: 1}
  reconciliation: identity_reconciliation
"""


def _built() -> rpnschema.ModelSpec:
    return stack([4, 3, 2], head("taylor_expansion", "identity_reconciliation", d=1))


# --- item 6: one rule for every entry point ---------------------------------------------------


def test_every_entry_point_takes_a_path_a_mapping_or_a_spec_object() -> None:
    built = _built()
    data = built.to_data()
    expected = rpnschema.load_spec(data)
    for source in (data, built, expected):
        result = rpnschema.validate_data(source)
        assert result.ok and result.spec == expected, source
        assert rpnschema.load_spec(source) == expected
        assert rpnschema.summarize(source).total.parameters == expected.parameters
        assert rpnschema.spec_hash(source) == rpnschema.spec_hash(expected)
    loaded = rpnschema.load_spec(KAN)
    for source in (KAN, str(KAN), loaded):
        assert rpnschema.spec_hash(source) == rpnschema.spec_hash(loaded)
        assert rpnschema.summarize(source, batch=2).total.parameters == 360
    assert rpnschema.diff_specs(KAN, loaded).equal
    assert rpnschema.validate_text(SHORTHAND).ok


# --- item 7: sweep ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["path", "str", "mapping", "built", "loaded"])
def test_sweep_takes_every_kind_of_source(kind: str, tmp_path: Path) -> None:
    file = tmp_path / "stacked.yaml"
    file.write_text(SHORTHAND)
    source = {
        "path": file,
        "str": str(file),
        "mapping": rpnschema.io.parse(SHORTHAND).data,
        "built": rpnschema.builder.model(list(_built().layers or [])),
        "loaded": rpnschema.load_spec(file),
    }[kind]
    path = "layers.0.heads.0.expansion.d" if kind == "built" else "head.expansion.d"
    specs = sweep(source, path, [1, 2])
    assert [s.layers[0].heads[0].D for s in specs] == [4, 4 + 16]
    if kind != "built":  # the template: every layer follows
        assert [s.layers[1].heads[0].D for s in specs] == [3, 3 + 9]


def test_sweep_reports_a_bad_value_and_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="d must be >= 1"):
        sweep(ROOT / "examples/multihead_fusion.yaml", "layers.0.heads.0.expansion.d", [0])
    with pytest.raises(LoadError):
        sweep(tmp_path / "missing.yaml", "name", ["x"])


# --- item 8: builder keywords -----------------------------------------------------------------


def test_a_keyword_two_components_declare_is_an_error_not_a_guess() -> None:
    with pytest.raises(SpecError) as e:
        head("taylor_expansion", "constant_reconciliation", "constant_remainder", c=2.0)
    (d,) = e.value.diagnostics
    assert d.code is Code.CONFLICT
    assert d.message == (
        "keyword 'c' is a parameter of constant_reconciliation and constant_remainder: "
        "which one is meant is unclear"
    )
    assert d.suggestion == "pass it with its component, e.g. component('constant_remainder', c=2.0)"
    h = head(
        "taylor_expansion",
        component("constant_reconciliation", c=2.0),
        "constant_remainder",
    )
    assert (h.reconciliation.c, h.remainder.c) == (2.0, 1.0)


def test_an_unknown_keyword_is_rpn200_with_the_nearest_parameter() -> None:
    with pytest.raises(SpecError) as e:
        head("taylor_expansion", "lorr_reconciliation", rr=3)
    (d,) = e.value.diagnostics
    assert d.code is Code.UNKNOWN_KEY and d.path == ("rr",)
    assert d.suggestion == "did you mean 'r'?"
    with pytest.raises(SpecError) as e:
        rpnschema.builder.layer(2, head("taylor_expansion"), widht=2)
    assert e.value.diagnostics[0].code is Code.UNKNOWN_KEY
    assert e.value.diagnostics[0].suggestion == "did you mean 'width'?"


# --- item 9: validate_file never raises; failed is a property ---------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [(None, Code.IO), ("layers: [\n", Code.SYNTAX), ("[1, 2]\n", Code.NOT_A_MAPPING)],
)
def test_validate_file_never_raises_for_a_bad_file(
    text: str | None, code: Code, tmp_path: Path
) -> None:
    path = tmp_path / "spec.yaml"
    if text is not None:
        path.write_text(text)
    result = rpnschema.validate_file(path)
    assert not result.ok and result.failed is True
    assert [d.code for d in result.errors] == [code]
    assert result.unreadable is (code is not Code.NOT_A_MAPPING)
    if result.unreadable:
        with pytest.raises(LoadError):
            rpnschema.load_spec(path)


def test_failed_is_a_property_like_ok() -> None:
    good = rpnschema.validate_file(KAN)
    assert good.ok is True and good.failed is False
    assert good.fails(strict=True) is True  # it has notices
    assert good.fails() is False


# --- item 10: writing specs back --------------------------------------------------------------


def test_to_yaml_writes_what_a_user_writes() -> None:
    built = stack([4, 3, 2], head("taylor_expansion", "lorr_reconciliation", d=2, r=1), seed=0)
    assert rpnschema.to_yaml(built) == (
        "seed: 0\n"
        "layers:\n"
        "- m: 4\n"
        "  n: 3\n"
        "  heads:\n"
        "  - expansion: taylor_expansion\n"
        "    reconciliation: {name: lorr_reconciliation, r: 1}\n"
        "- n: 2\n"
        "  heads:\n"
        "  - expansion: taylor_expansion\n"
        "    reconciliation: {name: lorr_reconciliation, r: 1}\n"
    )
    assert "spec_version" not in rpnschema.to_json(built)  # a default


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_written_specs_read_back_equal(path: Path, tmp_path: Path) -> None:
    spec = rpnschema.load_spec(path)
    for suffix in (".yaml", ".json"):
        out = tmp_path / f"spec{suffix}"
        rpnschema.dump(spec, out)
        assert rpnschema.load_spec(out) == spec
    data = json.loads(rpnschema.to_json(spec))
    assert rpnschema.load_spec(data) == spec


def test_a_spec_object_is_checked_unless_validation_returned_it() -> None:
    spec = rpnschema.load_spec(KAN)
    assert rpnschema.summarize(spec).total.parameters == 360
    wrong = spec.model_copy(update={"parameters": 7})  # every figure filled in, one wrong
    with pytest.raises(SpecError, match="parameters is pinned to 7"):
        rpnschema.summarize(wrong)
