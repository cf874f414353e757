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
from rpnschema.limits import Limits
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import validate_data

FORMAT = "rpnschema-model"
FORMAT_VERSION = "1"


def save_model(module: torch.nn.Module, path: str | Path) -> Path:
    """Write ``module`` (built by :func:`rpnschema.build`) and its spec to ``path`` atomically."""
    spec: ModelSpec = module.spec  # type: ignore[assignment]
    state = module.state_dict()
    if any(t.is_meta for t in state.values()):
        raise ValueError("a model on the meta device has no values to save; build it on cpu")
    tensors = {name: t.detach().to("cpu").contiguous() for name, t in state.items()}
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "rpnschema_version": __version__,
        "spec": json.dumps(spec.to_data(), sort_keys=True),
        "spec_sha256": spec_hash(spec),
    }
    target = Path(path)
    io.write_atomic(target, _sorted_header(_save_bytes(tensors, metadata=metadata)))
    return target


def _sorted_header(data: bytes) -> bytes:
    """The same safetensors file with its JSON header's keys (metadata included) in sorted
    order, so that one model always gives the same bytes (safetensors writes the metadata in
    hash-map order). The header keeps its length: the tensors' offsets do not move."""
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    raw = text.encode("utf-8")
    if len(raw) > size:  # pragma: no cover - the writer escaped less than json.dumps does
        return data
    return data[:8] + raw.ljust(size, b" ") + data[8 + size :]


def _bad_file(message: str, name: str, **kw: Any) -> LoadError:
    return LoadError(Diagnostic(Code.IO, message, file=name, **kw))


def _header(name: str) -> tuple[dict[str, str], dict[str, tuple[list[int], str]]]:
    """The metadata and the tensors' (shape, dtype) of a safetensors file: reads the header
    only, nothing is allocated for the tensors."""
    try:
        with safe_open(name, framework="pt") as fh:
            meta: dict[str, str] = fh.metadata() or {}
            shapes = {}
            for k in fh.keys():  # noqa: SIM118
                part = fh.get_slice(k)
                shapes[k] = (list(part.get_shape()), str(part.get_dtype()))
    except (OSError, ValueError, RuntimeError, SafetensorError) as e:
        raise _bad_file(f"not a readable model file: {e}", name) from e
    return meta, shapes


def _stored_spec(meta: dict[str, str], name: str, limits: Limits) -> ModelSpec:
    """The spec in a file's metadata, parsed and validated within ``limits``."""
    if meta.get("format") != FORMAT or not isinstance(meta.get("spec"), str):
        raise _bad_file(
            "the file has no rpnschema spec in its metadata",
            name,
            expected=f"a file written by rpnschema build --out (format {FORMAT})",
        )
    text = meta["spec"]
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_file_bytes:
        raise _bad_file(
            f"the stored spec is larger than the limit of {limits.max_file_bytes} bytes",
            name,
            suggestion="raise the limit (--max-file-bytes) if the file is trusted",
        )
    document = io.parse(text, file=f"{name}#spec", format="json", limits=limits)
    result = validate_data(document.data, limits=limits)
    if not result.ok or result.spec is None:
        first = result.errors[0] if result.errors else None
        raise LoadError(
            Diagnostic(
                first.code if first else Code.IO,
                f"the spec stored in the file is invalid: "
                f"{first.pointer + ': ' + first.message if first else '?'}",
                file=name,
                expected=first.expected if first else None,
                found=first.found if first else None,
                suggestion=first.suggestion if first else None,
            )
        )
    return result.spec


def _check_tensors(spec: ModelSpec, shapes: dict[str, tuple[list[int], str]], name: str) -> None:
    """The header's tensors are exactly those a build of ``spec`` has, with their shapes
    (compared on the meta device: nothing is allocated)."""
    from rpnschema.compile import build

    want = {k: list(t.shape) for k, t in build(spec, device="meta").state_dict().items()}
    missing = sorted(set(want) - set(shapes))
    extra = sorted(set(shapes) - set(want))
    wrong = sorted(k for k in set(want) & set(shapes) if want[k] != shapes[k][0])
    if missing or extra or wrong:
        parts = [
            f"{label}: {', '.join(keys[:5])}{' ...' if len(keys) > 5 else ''}"
            for label, keys in (("missing", missing), ("unexpected", extra), ("wrong shape", wrong))
            if keys
        ]
        first = wrong[0] if wrong else None
        raise _bad_file(
            "the file's tensors do not match its spec (" + "; ".join(parts) + ")",
            name,
            expected=f"{first}: {want[first]}" if first else f"{len(want)} tensors",
            found=f"{first}: {shapes[first][0]}" if first else f"{len(shapes)} tensors",
            suggestion="rebuild the file with rpnschema build --out",
        )


def inspect_model_file(path: str | Path, *, limits: Limits | None = None) -> ModelSpec:
    """The validated spec of a saved model file, after checking the header's tensor names and
    shapes against it; reads the header only (raises LoadError)."""
    name = str(path)
    meta, shapes = _header(name)
    spec = _stored_spec(meta, name, limits or Limits())
    _check_tensors(spec, shapes, name)
    return spec


def read_model_file(
    path: str | Path, *, limits: Limits | None = None
) -> tuple[ModelSpec, dict[str, torch.Tensor]]:
    """The spec and the tensors of a saved model file (validated; raises LoadError).

    Everything is checked before a tensor is read: the metadata's spec against ``limits``
    (document limits, model limits, the memory budget of the build) and the header's tensor
    names and shapes against that spec."""
    name = str(path)
    spec = inspect_model_file(name, limits=limits)
    try:
        with safe_open(name, framework="pt") as fh:
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
    except (OSError, ValueError, RuntimeError, SafetensorError) as e:
        raise _bad_file(f"not a readable model file: {e}", name) from e
    return spec, tensors


def stored_hash(path: str | Path) -> str | None:
    """The spec hash recorded in a saved model file's metadata."""
    meta, _ = _header(str(path))
    value = meta.get("spec_sha256")
    return value if isinstance(value, str) else None


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
    path: str | Path,
    *,
    device: str | None = None,
    dtype: str | None = None,
    limits: Limits | None = None,
) -> torch.nn.Module:
    """Rebuild a saved model: same architecture, same weights and buffers, same outputs.

    The file is checked within ``limits`` before anything is allocated (see
    :func:`read_model_file`)."""
    from rpnschema.compile import build

    spec, tensors = read_model_file(path, limits=limits)
    module = build(spec, device=device, dtype=dtype)
    if not any(t.is_meta for t in module.state_dict().values()):  # meta: shapes only
        module.load_state_dict(tensors, strict=True)  # copies cast to the module's device/dtype
    return module
