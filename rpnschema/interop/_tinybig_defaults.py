"""tinybig 0.2.1's catalog and its constructor defaults as the code has them, for reading tinybig
configs with the parameters tinybig's code actually uses.

A tinybig config that leaves a parameter out gets tinybig's default (the constructor's, not
the docstring's: where they disagree, the code is what runs), written explicitly into the
converted spec. Each native default equals tinybig's, except the parameters in
:data:`DIFFERENCES`, which say why and what a converted spec gets instead. ``tests/interop``
checks both against ``inspect.signature`` of the installed tinybig 0.2.1 (a JSON copy in
``tests/data``), and ``docs/reference/tinybig-defaults.md`` is generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticUndefined

from rpnschema import spec as _spec
from rpnschema.interop import _tinybig_table as T
from rpnschema.interop._tinybig_catalog import TINYBIG_CLASSES as TINYBIG_CLASSES


class _Marker:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


#: tinybig's constructor has no default: a config without the parameter fails to build.
REQUIRED = _Marker("required")
#: A converted spec leaves the parameter out: the native rule (inference) gives tinybig's value.
INFERRED = _Marker("inferred")


@dataclass(frozen=True)
class Difference:
    """A parameter whose native default is not tinybig's: tinybig's default, what a converted
    spec gets when a tinybig config leaves it out, and why they differ."""

    tinybig: Any
    read_as: Any
    why: str


_GEOMETRIC = (
    "cuboid_patch_based_geometric_expansion",
    "cylinder_patch_based_geometric_expansion",
    "sphere_patch_based_geometric_expansion",
)
_PASSED_ON = "tinybig's geometric_expansion passes None on to its geometric interdependence"

#: (catalog name, parameter) -> how the native default differs from tinybig 0.2.1's.
DIFFERENCES: dict[tuple[str, str], Difference] = {
    **{
        (name, key): Difference(
            None,
            REQUIRED,
            f"{_PASSED_ON}, whose grid then has no shape; natively h and w are required",
        )
        for name in _GEOMETRIC
        for key in ("h", "w")
    },
    **{
        (name, "d"): Difference(
            None, 1, f"{_PASSED_ON} (whose own default is d = 1); natively d defaults to 1"
        )
        for name in _GEOMETRIC
    },
    **{
        (name, "packing_strategy"): Difference(
            None,
            "densest_packing",
            f"{_PASSED_ON} (whose own default is densest_packing); natively the default is "
            "densest_packing",
        )
        for name in _GEOMETRIC
    },
    **{
        (name, "p_d"): Difference(
            REQUIRED, REQUIRED, "natively a flat patch (p_d = 0) is the default"
        )
        for name in (
            "cuboid_patch_based_geometric_expansion",
            "cylinder_patch_based_geometric_expansion",
        )
    },
    ("weighted_summation_fusion", "weights"): Difference(
        None,
        REQUIRED,
        "tinybig's None builds, but its forward asserts weights is not None (AssertionError); "
        "natively weights are required",
    ),
    **{
        (name, "r"): Difference(
            REQUIRED,
            REQUIRED,
            "natively r = 2, as in the other low-rank fusions and reconciliations",
        )
        for name in (
            "lphm_parameterized_concatenation_fusion",
            "dual_lphm_parameterized_concatenation_fusion",
        )
    },
    **{
        (name, "dims"): Difference(
            REQUIRED,
            REQUIRED,
            "natively dims is inferred from the inputs (the heads or channels it fuses)",
        )
        for name in (
            "summation_fusion",
            "average_fusion",
            "mean_fusion",
            "sum_fusion",
            "max_fusion",
            "min_fusion",
            "prod_fusion",
            "median_fusion",
        )
    },
}

#: (native preset, option) -> how it differs from the tinybig head preset's default (a tinybig
#: preset in a tinybig config always expands with tinybig's default).
PRESET_DIFFERENCES: dict[tuple[str, str], Difference] = {
    ("perceptron", "with_dropout"): Difference(
        True,
        True,
        "native presets are deterministic unless asked: dropout is opt-in (tinybig keeps the "
        "preset's Dropout in a plain list that model.eval() does not reach, so it drops in "
        "evaluation too)",
    ),
}

#: Defaults of tinybig base classes its catalog does not export, read from tinybig's source:
#: the discrete wavelets' ``discrete_wavelet_expansion(d=1, s=1, t=1)``.
BASE_DEFAULTS: dict[str, dict[str, Any]] = {
    name: {"d": 1, "s": 1, "t": 1}
    for name in (
        "meyer_wavelet_expansion",
        "ricker_wavelet_expansion",
        "shannon_wavelet_expansion",
        "beta_wavelet_expansion",
        "harr_wavelet_expansion",
        "dog_wavelet_expansion",
    )
}

#: The families whose omitted parameters are read as tinybig's code defaults (checked against
#: tinybig 0.2.1's signatures by the tests).
FAMILIES = ("expansion", "reconciliation", "remainder", "fusion")

#: Fields of a catalog class that are not constructor parameters of the tinybig class (they
#: come from ``*_function_configs`` and ``composition_function_configs``).
NOT_PARAMETERS = frozenset({"name", "preprocess", "postprocess", "activation", "functions"})


def parameters(name: str) -> list[str]:
    """The parameters of catalog class ``name`` that a tinybig config may give."""
    return [f for f in _spec.CATALOG[name].model_fields if f not in NOT_PARAMETERS]


def native_default(name: str, param: str) -> Any:
    """The native default of a parameter (:data:`REQUIRED` for a required field)."""
    field = _spec.CATALOG[name].model_fields[param]
    if field.default is PydanticUndefined and field.default_factory is None:
        return REQUIRED
    value = field.get_default(call_default_factory=True)
    return list(value) if isinstance(value, tuple) else value


def tinybig_default(name: str, param: str) -> Any:
    """tinybig 0.2.1's default of a parameter, as its code defines it."""
    difference = DIFFERENCES.get((name, param))
    return difference.tinybig if difference else native_default(name, param)


def read_default(name: str, param: str) -> Any:
    """What a converted spec gets for a parameter that a tinybig config leaves out:
    :data:`REQUIRED` (tinybig fails to build without it), :data:`INFERRED` (left out: the native
    inference gives tinybig's value) or the value to write."""
    difference = DIFFERENCES.get((name, param))
    return difference.read_as if difference else native_default(name, param)


def class_paths() -> dict[str, str]:
    """Every tinybig 0.2.1 catalog class path -> its package."""
    return {f"tinybig.{pkg}.{n}": pkg for pkg, names in TINYBIG_CLASSES.items() for n in names}


def supported_paths() -> set[str]:
    """The tinybig class paths rpnschema reads: every ``*_CLASSES`` table of the mapping."""
    return {
        path
        for key, table in vars(T).items()
        if key.endswith("_CLASSES") and isinstance(table, dict | set | frozenset)
        for path in table
        if isinstance(path, str) and path.startswith("tinybig.")
    }


def unsupported() -> dict[str, list[str]]:
    """package -> the tinybig 0.2.1 classes of that package rpnschema does not read."""
    supported = supported_paths()
    out: dict[str, list[str]] = {}
    for path, pkg in class_paths().items():
        if path not in supported:
            out.setdefault(pkg, []).append(path.rsplit(".", 1)[-1])
    return out


def known_unsupported(path: str) -> str | None:
    """The package of a tinybig 0.2.1 class that rpnschema does not read (``path`` either
    ``tinybig.<package>.<name>`` or ``tinybig.<package>.<module>.<name>``), else None."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "tinybig" or path in supported_paths():
        return None
    pkg, name = parts[1], parts[-1]
    if name in TINYBIG_CLASSES.get(pkg, ()) and f"tinybig.{pkg}.{name}" not in supported_paths():
        return pkg
    return None
