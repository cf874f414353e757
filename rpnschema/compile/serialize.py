"""Save and load built models as one self-describing safetensors file.

The file holds every tensor of the module's state dict (parameters and buffers, including the
random masks and matrices of random components) and, in its metadata, the normalized spec and
its hash, so :func:`load_model` can rebuild the exact architecture without the original spec.
Writes are atomic: readers see either the previous file or the complete new one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as _save_bytes

from rpnschema import io
from rpnschema._version import __version__
from rpnschema.canonical import spec_hash as spec_hash
from rpnschema.errors import Code, Diagnostic, LoadError
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import validate_data

FORMAT = "rpnschema-model"
FORMAT_VERSION = "1"


def save_model(module: torch.nn.Module, path: str | Path) -> Path:
    """Write ``module`` (built by :func:`rpnschema.build`) and its spec to ``path`` atomically."""
    spec: ModelSpec = module.spec  # type: ignore[assignment]
    tensors = {name: t.detach().to("cpu").contiguous() for name, t in module.state_dict().items()}
    if any(t.is_meta for t in tensors.values()):
        raise ValueError("a model on the meta device has no values to save; build it on cpu")
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rpnschema_version": __version__,
        "spec": json.dumps(spec.to_data(), sort_keys=True),
        "spec_sha256": spec_hash(spec),
    }
    target = Path(path)
    io.write_atomic(target, _save_bytes(tensors, metadata=metadata))
    return target


def read_model_file(path: str | Path) -> tuple[ModelSpec, dict[str, torch.Tensor]]:
    """The spec and the tensors of a saved model file (validated; raises LoadError)."""
    name = str(path)
    try:
        with safe_open(name, framework="pt") as fh:
            meta: dict[str, Any] = fh.metadata() or {}
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
    except (OSError, ValueError, RuntimeError, SafetensorError) as e:
        raise LoadError(Diagnostic(Code.IO, f"not a readable model file: {e}", file=name)) from e
    if meta.get("format") != FORMAT or "spec" not in meta:
        raise LoadError(
            Diagnostic(
                Code.IO,
                "the file has no rpnschema spec in its metadata",
                file=name,
                expected=f"a file written by rpnschema build --out (format {FORMAT})",
            )
        )
    result = validate_data(json.loads(meta["spec"]))
    if not result.ok or result.spec is None:
        first = result.errors[0] if result.errors else None
        raise LoadError(
            Diagnostic(
                Code.IO,
                f"the spec stored in the file is invalid: {first.message if first else '?'}",
                file=name,
            )
        )
    return result.spec, tensors


def stored_hash(path: str | Path) -> str | None:
    """The spec hash recorded in a saved model file's metadata."""
    with safe_open(str(path), framework="pt") as fh:
        return (fh.metadata() or {}).get("spec_sha256")


def written_hash(path: str | Path) -> str | None:
    """The hash of the spec as the file stores it (its canonical JSON), before any migration:
    a file written under an older spec_version hashes its spec with that version."""
    with safe_open(str(path), framework="pt") as fh:
        text = (fh.metadata() or {}).get("spec")
    if text is None:
        return None
    canonical = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_model(
    path: str | Path, *, device: str | None = None, dtype: str | None = None
) -> torch.nn.Module:
    """Rebuild a saved model: same architecture, same weights and buffers, same outputs."""
    from rpnschema.compile import build

    spec, tensors = read_model_file(path)
    module = build(spec, device=device, dtype=dtype)
    module.load_state_dict(tensors, strict=True)  # copies cast to the module's device/dtype
    return module
