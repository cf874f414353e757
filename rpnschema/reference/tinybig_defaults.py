"""docs/reference/tinybig-defaults.md: how rpnschema reads tinybig 0.2.1's defaults, every
native default that differs from tinybig's code, and the tinybig classes rpnschema does not
read (computed from the reader's tables, so the list shrinks as families are added)."""

from __future__ import annotations

import json
from typing import Any

from rpnschema.interop import _tinybig_defaults as defaults
from rpnschema.migrate import LATEST, V1_DEFAULTS
from rpnschema.reference._shared import GENERATED
from rpnschema.spec.presets import PRESET_TYPES

PRESETS = {cls.model_fields["preset"].annotation.__args__[0]: cls for cls in PRESET_TYPES}  # type: ignore[union-attr]
#: The tinybig.head class of each head preset (``<preset>_head`` unless listed).
HEAD_CLASSES = {"bilinear": "bilinear_interdependence_head", "chain": "chain_interdependence_head"}


def head_class(preset: str) -> str:
    """The tinybig.head class name the head preset ``preset`` stands for."""
    return HEAD_CLASSES.get(preset, f"{preset}_head")


def _show(value: Any) -> str:
    if value is defaults.REQUIRED:
        return "required"
    if value is defaults.INFERRED:
        return "left out (inferred)"
    return f"`{json.dumps(value)}`"


def render_tinybig_defaults() -> str:
    lines = [
        "# tinybig 0.2.1 defaults",
        "",
        GENERATED,
        "",
        "A tinybig config that leaves a parameter out means tinybig's default, as tinybig "
        "0.2.1's *code* defines it (its constructors' signatures; where a docstring says "
        "otherwise, the code is what runs). `rpnschema convert`, `validate --from tinybig`, "
        "`build_tinybig` and tinybig checkpoints read it so, and write that default explicitly "
        "into the converted spec; tinybig's head and layer presets expand with their code "
        "defaults too (a residual `linear_remainder()` has its n x m weight: "
        "`require_parameters` defaults to true). `rpnschema convert --to tinybig` writes every "
        "parameter, so the config builds the same model whatever tinybig's defaults are.",
        "",
        "## Native defaults that differ from tinybig's",
        "",
        "Every other parameter of a catalog function has tinybig's default natively too "
        "(`tests/interop/test_tinybig_defaults.py` checks each one against tinybig 0.2.1's "
        "signatures).",
        "",
        "| function | parameter | native default | tinybig default | a converted spec gets | why |",
        "|---|---|---|---|---|---|",
    ]
    for (name, param), diff in sorted(defaults.DIFFERENCES.items()):
        native = defaults.native_default(name, param)
        lines.append(
            f"| `{name}` | `{param}` | {_show(native)} | {_show(diff.tinybig)} | "
            f"{_show(diff.read_as)} | {diff.why} |"
        )
    for (preset, option), diff in sorted(defaults.PRESET_DIFFERENCES.items()):
        native = PRESETS[preset].model_fields[option].default
        lines.append(
            f"| preset `{preset}` (`tinybig.head.{head_class(preset)}`) | `{option}` | "
            f"{_show(native)} | "
            f"{_show(diff.tinybig)} | {_show(diff.read_as)} | {diff.why} |"
        )
    lines += [
        "",
        "A parameter that tinybig requires and a tinybig config leaves out is an error (RPN202): "
        "tinybig fails to build it.",
        "",
        "Under `semantics: tinybig` the fixed random network of a static "
        "`hypernet_reconciliation` counts in the parameters, as tinybig registers it (frozen) "
        "in `parameters()`; natively it is kept as buffers.",
        "",
        f"## Defaults changed in spec_version {LATEST}",
        "",
        f"spec_version {LATEST} made these native defaults tinybig's. A spec of an older version "
        "(or without `spec_version`, version 1) keeps its old meaning: validation reads it with "
        "the old default and says so (RPN105 notice); `rpnschema upgrade --in-place` writes it "
        "out.",
        "",
        f"| function | parameter | spec_version 1 | spec_version {LATEST} (tinybig) |",
        "|---|---|---|---|",
    ]
    for name, params in V1_DEFAULTS.items():
        for param, old in params.items():
            now = defaults.native_default(name, param)
            lines.append(f"| `{name}` | `{param}` | {_show(old)} | {_show(now)} |")
    unsupported = defaults.unsupported()
    total = sum(len(v) for v in defaults.TINYBIG_CLASSES.values())
    missing = sum(len(v) for v in unsupported.values())
    lines += [
        "",
        "## tinybig classes rpnschema does not support",
        "",
        f"tinybig 0.2.1 exports {total} classes from its catalog packages; rpnschema reads "
        f"{total - missing} of them. A config naming one of these {missing} is reported as "
        "such (RPN503), never read as another class. Base classes (`transformation`, "
        "`fusion`, `remainder`, ...) are abstract in tinybig. The bilinear attention classes "
        "(`bilinear_interdependence_head`, `bilinear_interdependence_layer`, "
        "`model.transformer`) are read but rejected (RPN485): tinybig 0.2.1 cannot run them (a "
        "keyword typo), and the error suggests the native spec (`preset: bilinear`, "
        "`preset: transformer`) that computes what they intend.",
        "",
        "| package | classes |",
        "|---|---|",
    ]
    for package in sorted(unsupported):
        names = ", ".join(f"`{n}`" for n in sorted(unsupported[package]))
        lines.append(f"| `tinybig.{package}` | {names} |")
    return "\n".join(lines) + "\n"
