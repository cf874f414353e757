"""Other RPN config formats: tinybig 0.2.1 configs and checkpoints.

The names below are imported on first use, so that telling formats apart
(:func:`detect_tinybig`) stays cheap. Nothing here imports torch except the checkpoint
functions, when called.
"""

from typing import Any

from rpnschema.interop._detect import detect_tinybig as detect_tinybig

__all__ = [
    "build_tinybig",
    "detect_tinybig",
    "export_tinybig",
    "from_tinybig",
    "load_tinybig_checkpoint",
    "to_tinybig",
    "validate_tinybig",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from rpnschema.interop import tinybig

        return getattr(tinybig, name)
    raise AttributeError(f"module 'rpnschema.interop' has no attribute {name!r}")
