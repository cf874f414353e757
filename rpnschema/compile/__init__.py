"""The compiler: a validated spec -> torch modules. The only package that imports torch.

Importing this package does not import torch; the first use of its API does, and without
torch installed it raises :class:`~rpnschema.errors.MissingDependencyError`.

Public API:

- ``build(spec, device=None, dtype=None, seed=None) -> RPNModel``
- ``load_tinybig_state_dict(module, state_dict) -> list[str]``
- ``RPNModel``, ``RPNLayer``, ``RPNHead``: the module classes
- ``BUILDERS``: catalog component class -> builder function
- ``save_model`` / ``load_model``: see :mod:`rpnschema.compile.serialize`
- ``export_model``: a pt2 / ONNX artefact checked against eager (:mod:`.export`)
- ``build_distributed``: DDP / FSDP2 builds in a torchrun job (:mod:`.distributed`)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rpnschema.errors import MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from rpnschema.compile.modules import RPNModel
    from rpnschema.spec.model import ModelSpec

#: rpnschema is installed from its source (a clone, a wheel built from one or a git URL), not
#: from an index: name what to install, and the extra that brings it.
_INSTALL = (
    "pip install torch safetensors (the torch extra of rpnschema: pip install '.[torch]' "
    "in a clone)"
)

# name -> submodule that defines it
_LAZY = {
    "RPNModel": "modules",
    "RPNLayer": "modules",
    "RPNHead": "modules",
    "BUILDERS": "components",
    "BuildContext": "context",
    "save_model": "serialize",
    "load_model": "serialize",
    "export_model": "export",
    "build_distributed": "distributed",
}


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
    except ImportError as e:
        raise MissingDependencyError(
            f"building a model needs PyTorch, which is not installed: {_INSTALL}"
        ) from e


def build(
    spec: ModelSpec | dict[str, Any] | str | Path,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
    seed: int | None = None,
    structures: Any = None,
) -> RPNModel:
    """Compile a spec into a torch module; see :func:`rpnschema.compile.compiler.build`."""
    _require_torch()
    from rpnschema.compile.compiler import build as _build

    return _build(spec, device=device, dtype=dtype, seed=seed, structures=structures)


def load_tinybig_state_dict(module: Any, state_dict: Any) -> list[str]:
    """Load a tinybig state dict; see :mod:`rpnschema.compile.tinybig_state`."""
    _require_torch()
    from rpnschema.compile.tinybig_state import load_tinybig_state_dict as _load

    return _load(module, state_dict)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        _require_torch()
        try:
            module = importlib.import_module(f"rpnschema.compile.{_LAZY[name]}")
        except ImportError as e:  # safetensors, for save_model / load_model
            raise MissingDependencyError(f"{name} needs {e.name}: {_INSTALL}") from e
        return getattr(module, name)
    raise AttributeError(f"module 'rpnschema.compile' has no attribute {name!r}")


__all__ = [
    "BUILDERS",
    "RPNHead",
    "RPNLayer",
    "RPNModel",
    "build",
    "build_distributed",
    "export_model",
    "load_model",
    "load_tinybig_state_dict",
    "save_model",
]
