"""The compression kernel tables cover the catalog: each class has exactly one kernel entry."""

from __future__ import annotations

from rpnschema.compile.kernels.compression import COMPRESSIONS, FITTED, FUNCTIONS
from rpnschema.spec import COMPONENT_TYPES, component_name

COMPOSITIONS = {"nested_compression", "extended_compression"}


def test_each_compression_has_one_kernel_entry() -> None:
    names = {component_name(cls) for cls in COMPONENT_TYPES["compression"]}
    assert set(COMPRESSIONS) | set(FITTED) | COMPOSITIONS == names
    assert not set(COMPRESSIONS) & set(FITTED)


def test_fitted_entries_exist_for_both_semantics() -> None:
    for name, table in FITTED.items():
        if table:
            assert set(table) == {"native", "tinybig"}, name
    for name, table in FUNCTIONS.items():
        assert set(table) == {"native", "tinybig"}, name


def test_fitted_flag_agrees_with_the_tables() -> None:
    for cls in COMPONENT_TYPES["compression"]:
        assert cls.fitted == (component_name(cls) in FITTED), cls
