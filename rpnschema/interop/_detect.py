"""Telling a tinybig config from an rpnschema spec (cheap: imports nothing else)."""

from __future__ import annotations

from typing import Any

_KEYS = ("configurations", "model_class", "layer_class", "head_class")


def detect_tinybig(data: Any) -> bool:
    """Whether ``data`` is a tinybig config: a mapping with ``configurations``, a ``*_class``
    key (``model_class``, ``layer_class``, ``head_class``) or a ``*_configs`` key."""
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(k, str) and (k in _KEYS or k.endswith(("_class", "_configs"))) for k in data
    )
