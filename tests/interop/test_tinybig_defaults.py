"""tinybig configs read with the defaults tinybig 0.2.1's code uses.

Table-driven from ``tests/data/tinybig_signatures.json`` (``inspect.signature`` of every class
tinybig 0.2.1 exports from its catalog packages): every parameter rpnschema models has
tinybig's code default, a config that leaves it out converts to that default, and every class
rpnschema does not read is reported as such.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rpnschema import Code
from rpnschema.interop import _tinybig_defaults as defaults
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop import from_tinybig

SIGNATURES: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "data" / "tinybig_signatures.json").read_text()
)["packages"]
FAMILIES = defaults.FAMILIES
#: The slot of each family in an rpn_head config, and the native key it becomes.
SLOTS = {
    "expansion": ("data_transformation_configs", "expansion"),
    "reconciliation": ("parameter_fabrication_configs", "reconciliation"),
    "remainder": ("remainder_configs", "remainder"),
    "fusion": ("channel_fusion_configs", "channel_fusion"),
}
#: Values for the parameters tinybig requires, to build configs that leave out another one.
REQUIRED_VALUES = {
    "h": 2,
    "w": 2,
    "p_h": 1,
    "p_w": 1,
    "p_d": 0,
    "p_r": 1,
    "p": 1,
    "r": 1,
    "dims": [2, 2],
    "weights": [0.5, 0.5],
}
MISSING = object()


def _signature_default(package: str, name: str, param: str) -> Any:
    """tinybig's default of ``param`` for class ``name``: its own signature, else its bases'."""
    entry = SIGNATURES[package][name]
    for owner in (name, *entry["bases"]):
        for pkg in SIGNATURES:
            spec = SIGNATURES[pkg].get(owner, {}).get("parameters", {}).get(param)
            if spec is not None:
                return defaults.REQUIRED if spec.get("required") else spec["default"]
    return defaults.BASE_DEFAULTS.get(name, {}).get(param, MISSING)


def _supported() -> list[tuple[str, str]]:
    return [
        (family, name)
        for family in FAMILIES
        for name in T.NAMES[family]
        if name in SIGNATURES[family]
    ]


CASES = [
    (family, name, param) for family, name in _supported() for param in defaults.parameters(name)
]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a is b if defaults.REQUIRED in (a, b) else a == b


def test_the_catalog_is_tinybig_0_2_1s() -> None:
    expected = {pkg: set(names) for pkg, names in SIGNATURES.items() if names}
    assert {pkg: set(names) for pkg, names in defaults.TINYBIG_CLASSES.items()} == expected
    assert len(CASES) > 150


@pytest.mark.parametrize(("family", "name", "param"), CASES, ids=lambda v: str(v))
def test_each_modelled_parameter_has_tinybigs_code_default(
    family: str, name: str, param: str
) -> None:
    expected = _signature_default(family, name, param)
    assert expected is not MISSING, f"{name}.{param} is not a tinybig 0.2.1 parameter"
    assert _same(defaults.tinybig_default(name, param), expected)
    if (name, param) not in defaults.DIFFERENCES:
        assert _same(defaults.native_default(name, param), expected)


def _head(family: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    slot, _ = SLOTS[family]
    head = {
        "data_transformation_configs": {"function_class": "tinybig.expansion.identity_expansion"},
        "parameter_fabrication_configs": {
            "function_class": "tinybig.reconciliation.identity_reconciliation"
        },
        "remainder_configs": {"function_class": "tinybig.remainder.zero_remainder"},
        "m": 4,
        "n": 4,
    }
    if family == "fusion":
        head["channel_num"] = 2
    head[slot] = {"function_class": T.CLASS_PATH[name], "function_parameters": params}
    return {"head_class": "tinybig.module.rpn_head", "head_parameters": head}


@pytest.mark.parametrize(("family", "name", "param"), CASES, ids=lambda v: str(v))
def test_a_config_leaving_a_parameter_out_converts_to_tinybigs_default(
    family: str, name: str, param: str
) -> None:
    others = {
        p: REQUIRED_VALUES[p]
        for p in defaults.parameters(name)
        if p != param and defaults.read_default(name, p) is defaults.REQUIRED
    }
    data, diags = from_tinybig(_head(family, name, others))
    read = defaults.read_default(name, param)
    if read is defaults.REQUIRED:
        (error,) = [d for d in diags if d.severity == "error"]
        assert error.code == Code.MISSING and f"{name} needs {param}:" in error.message
        raises = "TypeError" if defaults.tinybig_default(name, param) is defaults.REQUIRED else ""
        assert raises in error.message
        return
    assert [d for d in diags if d.severity == "error"] == []
    assert data is not None
    component = data["layers"][0]["heads"][0][SLOTS[family][1]]
    if read is defaults.INFERRED or read is None:
        assert param not in component  # the native rule (or None) gives tinybig's value
    else:
        assert _same(component[param], read)
        if (name, param) not in defaults.DIFFERENCES:
            assert _same(component[param], _signature_default(family, name, param))


def _unsupported_config(package: str, name: str) -> tuple[dict[str, Any], str]:
    path = f"tinybig.{package}.{name}"
    if package == "model":
        return {"model_class": path, "model_parameters": {"layer_configs": []}}, "model_class"
    if package == "layer":
        return {"layer_class": path, "layer_parameters": {"m": 4, "n": 2}}, "layer_class"
    if package == "head":
        return {"head_class": path, "head_parameters": {"m": 4, "n": 2}}, "head_parameters"
    head = _head("expansion", "identity_expansion", {})
    head["head_parameters"]["data_transformation_configs"] = {"function_class": path}
    return head, "head_parameters/data_transformation_configs/function_class"


UNSUPPORTED = [(pkg, name) for pkg, names in defaults.unsupported().items() for name in names]
UNSUPPORTED_CODES = {c for c in Code if c.name in ("TINYBIG_UNSUPPORTED", "UNSUPPORTED_CLASS")}


@pytest.mark.parametrize(("package", "name"), UNSUPPORTED, ids=lambda v: str(v))
def test_an_unsupported_tinybig_class_is_reported_as_unsupported(package: str, name: str) -> None:
    config, where = _unsupported_config(package, name)
    _, diags = from_tinybig(config)
    (error,) = [d for d in diags if d.severity == "error"]
    # RPN503, or the family's own unsupported-class code where one gives a specific reason
    assert error.code in UNSUPPORTED_CODES
    assert name in error.message and "not support" in error.message
    if package != "head":
        assert error.pointer.endswith(where.rsplit("/", 1)[-1])


def test_an_unsupported_class_says_what_it_is() -> None:
    _, diags = from_tinybig(_unsupported_config("expansion", "geometric_expansion")[0])
    (error,) = diags
    assert (error.code, error.message) == (
        Code.TINYBIG_UNSUPPORTED,
        "tinybig.expansion.geometric_expansion is a tinybig 0.2.1 expansion class that "
        "rpnschema does not support",
    )
    assert error.suggestion is not None and "tinybig-defaults.md" in error.suggestion


def test_unsupported_classes_are_those_without_a_reader() -> None:
    unsupported = defaults.unsupported()
    assert "chebyshev_expansion" not in unsupported.get("expansion", [])
    assert "transformation" in unsupported["expansion"]  # the abstract base class
    # the listing is computed from the reader's tables: it shrinks when a family lands
    supported = defaults.supported_paths()
    for package, names in unsupported.items():
        assert not {f"tinybig.{package}.{n}" for n in names} & supported
    # a submodule path of an unsupported class is recognised too; other paths are not
    assert defaults.known_unsupported("tinybig.expansion.geometric_expansion") == "expansion"
    assert defaults.known_unsupported("tinybig.expansion.chebyshev_expansion") is None
    assert defaults.known_unsupported("tinybig.expansion.no_such_expansion") is None


_PRESET_ARGS = ("m", "n", "name", "device", "parameters_init_method", "width")
#: Head classes tinybig.head does not export (no signature of their own): their layer's.
_LAYER_OF = {"graph_bilinear_interdependence_head": "graph_bilinear_interdependence_layer"}


@pytest.mark.parametrize(
    ("package", "name", "info"),
    [("head", n, i) for n, i in T.HEAD_PRESETS.items()]
    + [("layer", n, i) for n, i in T.LAYER_PRESETS.items()],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_presets_expand_with_tinybigs_code_defaults(
    package: str, name: str, info: T.PresetInfo
) -> None:
    if name in _LAYER_OF:
        package, name = "layer", _LAYER_OF[name]
    signature = SIGNATURES[package][name]["parameters"]
    for param, spec in signature.items():
        if param in _PRESET_ARGS:
            continue
        assert param in info.defaults, f"{name}.{param} is not read"
        if spec.get("required"):  # checked by the preset's expansion (None here)
            assert info.defaults[param] is None, f"{name}.{param}"
            continue
        assert _same(info.defaults[param], spec["default"]), f"{name}.{param}"


def test_perceptron_presets_follow_tinybigs_expansion_flags() -> None:
    def expansion(**params: Any) -> dict[str, Any]:
        config = {
            "head_class": "tinybig.head.perceptron_head",
            "head_parameters": {"m": 2, "n": 2, **params},
        }
        data, diags = from_tinybig(config)
        assert data is not None, diags
        return data["layers"][0]["heads"][0]["expansion"]

    assert expansion(with_bspline=True) == {
        "name": "bspline_expansion",
        "d": 2,
        "grid_range": [-1.0, 1.0],
        "t": 5,
    }
    assert expansion(with_bspline=True, with_taylor=True) == {"name": "taylor_expansion", "d": 2}
    _, diags = from_tinybig(
        {
            "head_class": "tinybig.head.perceptron_head",
            "head_parameters": {"m": 2, "n": 2, "with_hybrid_expansion": True},
        }
    )
    assert [(d.code, d.severity) for d in diags][-1] == (Code.TINYBIG_BEHAVIOUR, "warning")
    layer = {"layer_class": "tinybig.layer.perceptron_layer", "layer_parameters": {"m": 2, "n": 2}}
    data, _ = from_tinybig(layer)
    output = [f["name"] for f in data["layers"][0]["heads"][0]["output_process"]]
    assert output == ["relu", "dropout", "softmax"]  # perceptron_layer: with_relu=True


def test_native_presets_default_as_tinybigs_head_presets_except_the_listed() -> None:
    from rpnschema.reference.tinybig_defaults import PRESETS, head_class

    compared = 0
    for kind, cls in PRESETS.items():
        signature = SIGNATURES["head"][head_class(kind)]["parameters"]
        for option, field in cls.model_fields.items():
            spec = signature.get({"channels": "channel_num"}.get(option, option))
            if spec is None or "default" not in spec:
                continue  # a native-only option, or m / n
            compared += 1
            native = list(field.default) if isinstance(field.default, tuple) else field.default
            difference = defaults.PRESET_DIFFERENCES.get((kind, option))
            if difference is None:
                assert _same(native, spec["default"]), f"{kind}.{option}"
            else:
                assert _same(difference.tinybig, spec["default"]) and not _same(
                    native, spec["default"]
                )
    assert compared > 30
