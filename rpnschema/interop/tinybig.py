"""tinybig 0.2.1 interop: read tinybig configs, validate them at their own paths and lines, write
specs back as tinybig configs, and load tinybig checkpoints into compiled models.

- :func:`from_tinybig` — tinybig config data -> (native spec data, diagnostics)
- :func:`validate_tinybig` — a tinybig :class:`~rpnschema.io.Document` -> :class:`Result`, every
  diagnostic at its path (and line) in the tinybig file
- :func:`to_tinybig` / :func:`export_tinybig` — a spec -> a tinybig config
- :func:`detect_tinybig` — whether data looks like a tinybig config
- :func:`load_tinybig_checkpoint`, :func:`build_tinybig` — weights (these two import torch)

Class paths are looked up in a table (``rpnschema.interop._tinybig_table``), never imported.
Converted specs select ``semantics: tinybig``, so they compute exactly what tinybig computes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rpnschema import io
from rpnschema.errors import Code, Diagnostic, InteropError
from rpnschema.infer import Limits
from rpnschema.interop._detect import detect_tinybig as detect_tinybig
from rpnschema.interop._tinybig_read import Reader
from rpnschema.interop._tinybig_write import export_tinybig
from rpnschema.spec.model import ModelSpec
from rpnschema.validate import Result, validate_data

if TYPE_CHECKING:  # pragma: no cover
    from rpnschema.compile.modules import RPNModel

Semantics = Literal["tinybig", "native"]

# Conversion errors after which the native spec is incomplete (native checks are skipped).
_STRUCTURAL = frozenset(
    {
        Code.NOT_A_MAPPING,
        Code.UNKNOWN_FUNCTION,
        Code.MISSING,
        Code.WRONG_TYPE,
        Code.BAD_VALUE,
        Code.MISSING_DIM,
    }
)

__all__ = [
    "build_tinybig",
    "detect_tinybig",
    "export_tinybig",
    "from_tinybig",
    "load_tinybig_checkpoint",
    "to_tinybig",
    "validate_tinybig",
]


def _check_semantics(semantics: str) -> None:
    if semantics not in ("tinybig", "native"):
        raise ValueError(f"semantics must be 'tinybig' or 'native', got {semantics!r}")


def _convert(data: Any, semantics: str) -> tuple[dict[str, Any] | None, Reader]:
    _check_semantics(semantics)
    reader = Reader(semantics)
    return reader.document(data), reader


def from_tinybig(
    data: Any, *, semantics: Semantics = "tinybig"
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """Convert a tinybig config into native spec data.

    Args:
        data: a whole ``configurations:`` document, a bare model config (``model_class`` /
            ``model_parameters``), a layer config or a head config, as loaded from YAML/JSON.
        semantics: ``tinybig`` (default) reproduces tinybig's outputs; ``native`` selects the
            documented mathematics and adds notices listing the functions whose outputs change.

    Returns:
        (spec data, diagnostics). Diagnostics are located at tinybig paths (e.g.
        ``configurations/model_configs/model_parameters/layer_configs/0/...``); errors mean the
        config cannot be converted faithfully (the data is then partial, or None). Run
        :func:`validate_tinybig` for the dimension checks of the converted spec as well.
    """
    spec, reader = _convert(data, semantics)
    return spec, list(reader.diags)


def _suppressed(d: Diagnostic, converted: list[Diagnostic]) -> bool:
    """A native finding that repeats one the conversion already made at (or below) its path."""
    n = len(d.path)
    return any(c.code == d.code and c.path[:n] == d.path for c in converted)


def _locate(document: io.Document, d: Diagnostic) -> Diagnostic:
    """Locate at the deepest existing part of the path: at its key when that is a mapping or a
    list (whose value starts on the next line) or the key itself is the problem, else at its
    value."""
    node: Any = document.data
    depth = 0
    for part in d.path:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not inside:
            break
        node = node[part]
        depth += 1
    key = isinstance(node, (dict, list)) or (
        depth == len(d.path) and d.code in (Code.UNKNOWN_KEY, Code.DUPLICATE_KEY)
    )
    pos = document.position(d.path[:depth], key=key)
    return d.located(document.file, *(pos if pos is not None else (None, None)))


def validate_tinybig(
    document: io.Document, *, semantics: Semantics = "tinybig", limits: Limits | None = None
) -> Result:
    """Validate a tinybig config: convert it, validate the native spec, and report every
    diagnostic at its path and line in the tinybig document.

    Returns a :class:`Result` whose ``spec`` is the normalized native spec (None on errors).
    """
    spec_data, reader = _convert(document.data, semantics)
    converted = list(reader.diags)
    found = list(converted)
    spec: ModelSpec | None = None
    structural = any(d.severity == "error" and d.code in _STRUCTURAL for d in converted)
    if spec_data is not None and not structural:
        native = validate_data(spec_data, limits=limits)
        for d in native.diagnostics:
            t = reader.paths.translate(d)
            if not _suppressed(t, converted):
                found.append(t)
        spec = native.spec
    diags = [*document.diagnostics, *found]
    diags = [_locate(document, d) if d.line is None else d for d in diags]
    diags.sort(key=lambda d: (d.line is None, d.line or 0, d.column or 0))
    if any(d.severity == "error" for d in diags) or spec_data is None:
        spec = None
    return Result(spec=spec, diagnostics=diags, file=document.file)


def to_tinybig(
    spec: ModelSpec | dict[str, Any] | str | Path, *, document: bool = False
) -> dict[str, Any]:
    """A tinybig 0.2.1 config building the same architecture as ``spec``.

    Raises :class:`~rpnschema.errors.InteropError` (listing each construct at its spec path)
    when the spec uses something tinybig cannot express; :func:`export_tinybig` returns the
    config and the diagnostics instead.
    """
    config, diags = export_tinybig(spec, document=document)
    if any(d.severity == "error" for d in diags):
        raise InteropError(diags)
    return config


def _tinybig_spec(config: Any, semantics: Semantics, limits: Limits | None) -> ModelSpec:
    if isinstance(config, (str, Path)):
        document = io.load(config, limits=limits)
    else:
        document = io.Document(data=config)
    return validate_tinybig(document, semantics=semantics, limits=limits).unwrap()


def load_tinybig_checkpoint(module: Any, checkpoint: Any) -> list[str]:
    """Load tinybig weights into a compiled module (``RPNModel``, ``RPNLayer`` or ``RPNHead``).

    Args:
        checkpoint: a file written by tinybig's ``save_ckpt`` (``torch.save(state_dict)``), or
            a state dict (tinybig's parameter names -> tensors or nested lists).

    Returns the module's state-dict keys the checkpoint did not set (random buffers, ...);
    raises :class:`~rpnschema.errors.StateDictError` when it does not fit.
    """
    from rpnschema.compile import load_tinybig_state_dict

    state = checkpoint
    if isinstance(checkpoint, (str, Path)):
        import torch

        state = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    return load_tinybig_state_dict(module, state)


def build_tinybig(
    config: Any,
    checkpoint: Any = None,
    *,
    semantics: Semantics = "tinybig",
    device: str | None = None,
    dtype: str | None = None,
    seed: int | None = None,
    limits: Limits | None = None,
) -> RPNModel:
    """Build the model of a tinybig config (data or a file) and load its checkpoint, if given.

    Raises :class:`~rpnschema.errors.SpecError` with every problem at its tinybig path.
    """
    from rpnschema.compile import build

    model = build(_tinybig_spec(config, semantics, limits), device=device, dtype=dtype, seed=seed)
    if checkpoint is not None:
        load_tinybig_checkpoint(model, checkpoint)
    return model
