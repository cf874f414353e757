"""Adversarial spec documents: the input classes of the hardening work (issue #15), for the
property test (``tests/test_adversarial.py``) and the benchmark (``benchmarks/bench_hardening.py``).

Each class is a function of a size knob returning ``(suffix, text)``: a document rpnschema must
reject (exit 1 or 2) in bounded time and memory. :func:`documents` is a hypothesis strategy over
all classes, with the knob, the field and the format drawn.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["CLASSES", "documents"]

_HEAD = "{expansion: identity_expansion, reconciliation: identity_reconciliation}"
_PRIME = 999_999_999_989  # factoring it: 10^6 trial divisions


def huge_int_yaml(digits: int = 5000, field: str = "dims") -> tuple[str, str]:
    big = "9" * digits
    if field == "dims":
        return ".yaml", f"spec_version: 1\ndims: [4, {big}]\nhead: {_HEAD}\n"
    if field == "hex":
        return ".yaml", f"spec_version: 1\nseed: 0x{'f' * digits}\ndims: [4, 2]\nhead: {_HEAD}\n"
    return ".yaml", f"spec_version: 1\n{field}: -{big}\ndims: [4, 2]\nhead: {_HEAD}\n"


def huge_int_json(digits: int = 5000, field: str = "dims") -> tuple[str, str]:
    big = "9" * digits
    if field == "dims":
        head = '"head": {"expansion": "identity_expansion"}'
        return ".json", '{"spec_version": 1, "dims": [4, ' + big + "], " + head + "}"
    return ".json", '{"spec_version": 1, "' + field + '": ' + big + '.5e1, "dims": [4, 2]}'


#: Long plain scalars that YAML 1.1 resolves to ints, floats, timestamps (PyYAML's safe loader).
_SCALARS: dict[str, Callable[[int], str]] = {
    "base60_int": lambda n: ":".join(["1"] * n),
    "base60_float": lambda n: ":".join(["1"] * n) + ".5",
    "float": lambda n: "1." + "0" * n + "1e-5",
    "int_underscores": lambda n: "1" + "_0" * n,
    "timestamp": lambda n: "2001-12-14t21:59:43." + "1" * n + "-05:00",
    "bool_like": lambda n: "y" * n,
}


def long_scalar(kind: str, n: int = 200_000) -> tuple[str, str]:
    value = _SCALARS[kind](n)
    return ".yaml", f"spec_version: 1\nseed: {value}\ndims: [4, 2]\nhead: {_HEAD}\n"


def repeated_heads(kind: str, width: int = 1000) -> tuple[str, str]:
    """One layer of ``width`` copies of a head whose dimension rules are costly."""
    if kind == "hm":
        head, m, n = "{expansion: identity_expansion, reconciliation: hm_reconciliation}", 4, _PRIME
    elif kind == "divisor":
        rec = "{name: hm_reconciliation, p: 7}"
        head, m, n = f"{{expansion: identity_expansion, reconciliation: {rec}}}", 4, _PRIME
    else:
        name = f"{kind}_patch_based_geometric_expansion"
        radius = 1100 if kind == "sphere" else 40_000
        extra = ", p_d: 0" if kind == "cylinder" else ""
        exp = f"{{name: {name}, h: 2, w: 2, d: 2, p_r: {radius}{extra}}}"
        head, m, n = f"{{expansion: {exp}}}", 8, 2
    layer = f"{{m: {m}, n: {n}, width: {width}, heads: [{head}]}}"
    return ".yaml", f"spec_version: 1\nlayers: [{layer}]\n"


def hypernet_memory(hidden: int = 100_000) -> tuple[str, str]:
    """1 counted parameter, ~400 GB of frozen hypernet weights before the memory budget."""
    rec = f"{{name: hypernet_reconciliation, l: 1, hidden_dim: {hidden}}}"
    return (
        ".yaml",
        "spec_version: 1\ndims: [1000, 1000]\n"
        f"head: {{expansion: identity_expansion, reconciliation: {rec}}}\n",
    )


def wide_json(size: int = 16 * 2**20 - 64, item: str = '{"a":1}') -> tuple[str, str]:
    """Just under the file limit of tiny objects (or other items) in one list."""
    count = max(1, (size - 2) // (len(item) + 1))
    return ".json", "[" + ",".join([item] * count) + "]"


def deep_json(depth: int = 100_000) -> tuple[str, str]:
    return ".json", "[" * depth + "]" * depth


def unknown_keys(count: int = 33_000) -> tuple[str, str]:
    doc: dict[str, Any] = {
        "spec_version": 1,
        "dims": [4, 2],
        "head": {"expansion": "identity_expansion"},
    }
    doc.update({f"unknown_key_{i:06d}": 1 for i in range(count)})
    return ".json", json.dumps(doc)


#: The benchmark's input classes: name -> (description, document).
CLASSES: dict[str, tuple[str, Callable[[], tuple[str, str]]]] = {
    "huge_int_yaml": ("dims: [4, 9...9] (5,000 digits), YAML", huge_int_yaml),
    "huge_int_json": ("dims: [4, 9...9] (5,000 digits), JSON", huge_int_json),
    "base60_800k": (
        "seed: 1:1:...:1 (800 KB), YAML 1.1 base-60",
        lambda: long_scalar("base60_int", 400_000),
    ),
    "long_float_1m": (
        "seed: 1.000...1e-5 (1 MB float literal)",
        lambda: long_scalar("float", 1_000_000),
    ),
    "timestamp_1m": (
        "seed: a 1 MB timestamp-like scalar",
        lambda: long_scalar("timestamp", 1_000_000),
    ),
    "repeated_hm": (
        "1,000 heads, hm_reconciliation factoring n = 999999999989",
        lambda: repeated_heads("hm"),
    ),
    "repeated_sphere": ("1,000 heads, sphere patches p_r = 1100", lambda: repeated_heads("sphere")),
    "repeated_cylinder": (
        "1,000 heads, cylinder patches p_r = 40000",
        lambda: repeated_heads("cylinder"),
    ),
    "hypernet_400gb": ("hypernet hidden_dim 100000 on dims [1000, 1000]", hypernet_memory),
    "json_small_objects": ('16 MiB JSON list of {"a":1}', wide_json),
    "json_empty_lists": ("16 MiB JSON list of []", lambda: wide_json(item="[]")),
    "json_deep": ("JSON nested 100,000 deep", deep_json),
    "unknown_keys_33k": ("33,000 unknown keys (did you mean)", unknown_keys),
}


def documents() -> Any:
    """A hypothesis strategy of ``(suffix, text)`` adversarial documents of every class, with
    sizes small enough for a unit test (the benchmark runs the full sizes)."""
    from hypothesis import strategies as st

    fields = st.sampled_from(["dims", "seed", "spec_version", "hex", "depth", "parameters"])
    return st.one_of(
        st.builds(huge_int_yaml, st.integers(101, 6000), fields),
        st.builds(huge_int_json, st.integers(101, 6000), fields.filter(lambda f: f != "hex")),
        # above MAX_NUMBER_CHARS (100): a shorter scalar can be a valid seed (`seed: 1`)
        st.builds(long_scalar, st.sampled_from(sorted(_SCALARS)), st.integers(101, 20_000)),
        st.builds(
            repeated_heads,
            st.sampled_from(["hm", "divisor", "sphere", "cylinder"]),
            st.integers(1, 300),
        ),
        st.builds(hypernet_memory, st.integers(10**4, 10**6)),
        st.builds(
            wide_json,
            st.integers(100_000, 1_000_000),
            st.sampled_from(['{"a":1}', "[]", "1", '""', "1.5", "true", '"x"']),
        ),
        st.builds(deep_json, st.integers(65, 20_000)),
        st.builds(unknown_keys, st.integers(1, 2000)),
    )
