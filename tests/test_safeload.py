"""Loading is bounded per byte: YAML 1.2 core-schema scalars only, no huge number literals, and
JSON limits enforced on the token stream before any object is built (#15, classes 1, 2, 5)."""

from __future__ import annotations

import json
import time

import pytest

from rpnschema import io, validate_data, validate_text
from rpnschema.errors import Code, LoadError
from rpnschema.limits import Limits
from rpnschema.safeload import MAX_NUMBER_CHARS

HEAD = "head: {expansion: identity_expansion, reconciliation: identity_reconciliation}\n"


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("1e-5", 1e-5),
        ("-.5", -0.5),
        ("2.", 2.0),
        (".inf", float("inf")),
        ("0x1F", 31),
        ("0o17", 15),
        ("-12", -12),
        ("TRUE", True),
        ("false", False),
        ("~", None),
        ("null", None),
        # YAML 1.1 extras are plain text now
        ("yes", "yes"),
        ("on", "on"),
        ("1:0:0", "1:0:0"),
        ("1:30.5", "1:30.5"),
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("=", "="),
    ],
)
def test_yaml_scalars_follow_the_core_schema(literal: str, value: object) -> None:
    assert io.parse(f"v: {literal}\n", format="yaml").data == {"v": value}


def test_merge_keys_still_work() -> None:
    text = "a: &base {m: 1}\nb:\n  <<: *base\n  n: 2\n"
    assert io.parse(text).data["b"] == {"m": 1, "n": 2}


def test_dumped_text_reads_back_identically() -> None:
    data = {"a": "1e-5", "b": "yes", "c": "1:0", "d": "0o7", "e": 1e-5, "f": True, "g": None}
    assert io.parse(io.dumps(data), format="yaml").data == data


@pytest.mark.parametrize(
    ("fmt", "template"),
    [
        ("yaml", "spec_version: 1\ndims: [4, {n}]\n" + HEAD),
        ("yaml", "spec_version: 1\nseed: {n}\ndims: [4, 2]\n" + HEAD),
        ("yaml", "spec_version: 1\n? {n}\n: 1\ndims: [4, 2]\n" + HEAD),
        ("json", '{{"spec_version": 1, "dims": [4, {n}], "head": "x"}}'),
        ("json", '{{"spec_version": 1, "seed": -{n}}}'),
        ("json", '{{"eps": {n}.5e3}}'),
    ],
)
@pytest.mark.parametrize("number", ["9" * 5000, "0x" + "f" * 4000, "1" * (MAX_NUMBER_CHARS + 1)])
def test_huge_number_literals_are_rpn106_at_their_position(
    fmt: str, template: str, number: str
) -> None:
    if number.startswith("0x") and fmt == "json":
        number = "9" * 4000
    text = template.replace("{n}", number).replace("{{", "{").replace("}}", "}")
    with pytest.raises(LoadError) as e:
        io.parse(text, format=fmt)
    d = e.value.diagnostic
    assert d.code is Code.NUMBER_TOO_LONG
    assert d.line is not None and d.column is not None
    assert text.splitlines()[d.line - 1][d.column - 1] in "-0123456789"


def test_a_hundred_digits_is_still_a_number() -> None:
    text = "spec_version: 1\nseed: " + "9" * MAX_NUMBER_CHARS + "\ndims: [4, 2]\n" + HEAD
    assert io.parse(text).data["seed"] == int("9" * MAX_NUMBER_CHARS)


@pytest.mark.parametrize("where", ["dims", "seed", "key"])
def test_huge_ints_through_the_api_are_rpn106_errors(where: str) -> None:
    data: dict = {"spec_version": 1, "dims": [4, 2], "head": {"expansion": "identity_expansion"}}
    if where == "dims":
        data["dims"] = [4, 10**5000]
    elif where == "seed":
        data["seed"] = -(10**200)
    else:
        data["head"]["expansion"] = {"name": "taylor_expansion", "d": 10**4400}
    r = validate_data(data)
    assert not r.ok
    assert [d.code for d in r.errors] == [Code.NUMBER_TOO_LONG]
    assert r.errors[0].path[0] in ("dims", "seed", "head")


def test_base60_scalars_cost_linear_time() -> None:
    text = "spec_version: 1\nseed: " + ":".join(["1"] * 200_000) + "\ndims: [4, 2]\n" + HEAD
    start = time.perf_counter()
    r = validate_text(text)
    assert time.perf_counter() - start < 5  # PyYAML's YAML 1.1 resolver: about a minute
    assert [d.code for d in r.errors] == [Code.WRONG_TYPE]


def test_eps_1e_minus_5_is_a_float() -> None:
    text = (
        "spec_version: 1\ndims: [4, 2]\nhead:\n  expansion: identity_expansion\n"
        "  output_process: [{name: layer_norm, eps: 1e-5}]\n"
    )
    r = validate_text(text)
    assert r.ok, r.diagnostics
    assert r.spec.layers[0].heads[0].output_process[0].eps == 1e-5


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_syntax_errors(constant: str) -> None:
    with pytest.raises(LoadError) as e:
        io.parse('{"spec_version": 1, "seed": ' + constant + "}", format="json")
    assert e.value.diagnostic.code is Code.SYNTAX
    assert constant.lstrip("-") in e.value.diagnostic.message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("[" + '{"a":1},' * 200_000 + "1]", "too many values"),
        ("[" + "[]," * 200_000 + "1]", "too many values"),
        ('["' + 'x",' * 1 + '"a\\"b",' * 200_000 + "1]", "too many values"),
        ('{"a": ' * 65 + "1" + "}" * 65, "nested too deeply"),
    ],
)
def test_json_limits_apply_before_parsing(text: str, what: str) -> None:
    with pytest.raises(LoadError) as e:
        io.parse(text, format="json", limits=Limits())
    d = e.value.diagnostic
    assert d.code is Code.RESOURCE
    assert what in d.message
    assert d.line == 1 and d.column is not None and d.column > 1


def test_json_strings_hide_no_structure_from_the_scan() -> None:
    text = json.dumps({"name": "[" * 10_000 + "{,:" * 10_000, "spec_version": 1})
    assert (
        io.parse(text, format="json", limits=Limits(max_nodes=10, max_depth=2)).data["spec_version"]
        == 1
    )
