"""Deployment artefacts of a built model: a ``torch.export`` program (``pt2``) or ONNX.

Both carry the normalized spec, its sha256 and the rpnschema version: ``pt2`` in the extra
files ``rpnschema/spec.json``, ``rpnschema/spec_sha256`` and ``rpnschema/version`` (read them
with :func:`read_pt2_metadata`), ONNX in the model's ``metadata_props`` under the same names
with dots (``rpnschema.spec``, ...). After writing, the artefact is loaded back and run on a
seeded sample, and its outputs are compared with the eager model's (in eval mode): the report
gives the largest absolute difference, and :class:`~rpnschema.errors.DeployError` (RPN602)
is raised when it exceeds ``tolerance * max(1, max |eager output|)``.

ONNX needs the ``onnx`` extra (``pip install 'rpnschema[onnx]'``: onnx, onnxscript); its
check runs on onnxruntime when installed, else on onnx's reference evaluator.
"""

from __future__ import annotations

import contextlib
import io as _io
import json
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from rpnschema import io
from rpnschema._version import __version__
from rpnschema.canonical import spec_hash
from rpnschema.errors import Code, DeployError, Diagnostic, MissingDependencyError
from rpnschema.exportability import export_diagnostics
from rpnschema.memory import fixed_batch
from rpnschema.sequence import input_width

FORMATS = ("pt2", "onnx")
#: Default relative tolerance of the eager check, per model dtype.
TOLERANCE: dict[torch.dtype, float] = {
    torch.float32: 1e-5,
    torch.float64: 1e-10,
    torch.bfloat16: 1e-2,
}
PT2_FILES = ("rpnschema/spec.json", "rpnschema/spec_sha256", "rpnschema/version")
ONNX_EXTRA = "pip install 'rpnschema[onnx]'"


@dataclass(frozen=True)
class ExportReport:
    """What :func:`export_model` wrote and how the artefact compared with eager."""

    format: str
    path: Path
    batch: int
    dynamic_batch: bool
    spec_sha256: str
    seconds: float  #: the export itself (trace + serialization), without the check
    max_abs_error: float
    threshold: float
    checked_with: str
    samples: tuple[tuple[int, ...], ...]


def _metadata(spec: Any) -> dict[str, str]:
    return {
        "spec.json": json.dumps(spec.to_data(), sort_keys=True),
        "spec_sha256": spec_hash(spec),
        "version": __version__,
    }


def read_pt2_metadata(path: str | Path) -> dict[str, str]:
    """The rpnschema extra files of a ``pt2`` artefact (name without ``rpnschema/`` -> text)."""
    extra = dict.fromkeys(PT2_FILES, "")
    torch.export.load(str(path), extra_files=extra)
    return {k.removeprefix("rpnschema/"): v for k, v in extra.items()}


def _placement(module: nn.Module) -> tuple[torch.device, torch.dtype]:
    for t in module.state_dict().values():
        if t.is_floating_point():
            return t.device, t.dtype
    return torch.device("cpu"), torch.float32


def sample(module: nn.Module, batch: int, seed: int = 0) -> Tensor:
    """A seeded standard-normal input batch for ``module`` on its device and dtype."""
    device, dtype = _placement(module)
    m = input_width(module.spec.layers[0])  # type: ignore[union-attr]
    x = torch.randn(batch, m, generator=torch.Generator().manual_seed(seed))
    return x.to(device=device, dtype=dtype)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporters' progress lines and warnings (ONNX prints to stdout) kept off the CLI."""
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "torch._export")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(_io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _dynamic(dynamic_batch: bool) -> tuple[dict[int, Any], ...] | None:
    return ({0: torch.export.Dim.DYNAMIC},) if dynamic_batch else None


def _trace(module: nn.Module, x: Tensor, dynamic_batch: bool) -> Any:
    return torch.export.export(module, (x,), dynamic_shapes=_dynamic(dynamic_batch))


def _write_pt2(module: nn.Module, x: Tensor, out: Path, dynamic_batch: bool) -> None:
    program = _trace(module, x, dynamic_batch)
    buffer = _io.BytesIO()
    extra = {f"rpnschema/{k}": v for k, v in _metadata(module.spec).items()}
    torch.export.save(program, buffer, extra_files=extra)
    io.write_atomic(out, buffer.getvalue())


def _onnx_modules() -> tuple[Any, Any]:
    try:
        import onnx
        import onnxscript  # noqa: F401  (the dynamo exporter needs it)
    except ImportError as e:
        raise MissingDependencyError(
            f"--format onnx needs {e.name}, which is not installed: {ONNX_EXTRA}"
        ) from e
    return onnx, torch.onnx


def _write_onnx(module: nn.Module, x: Tensor, out: Path, dynamic_batch: bool) -> None:
    onnx, torch_onnx = _onnx_modules()
    program = torch_onnx.export(
        module, (x,), dynamo=True, dynamic_shapes=_dynamic(dynamic_batch), verbose=False
    )
    proto = program.model_proto
    for key, value in _metadata(module.spec).items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = f"rpnschema.{key.removesuffix('.json')}", value
    io.write_atomic(out, proto.SerializeToString())
    onnx.checker.check_model(str(out))


def _pt2_runner(path: Path) -> tuple[Callable[[Tensor], Tensor], str]:
    program = torch.export.load(str(path)).module()
    return (lambda x: program(x)), "torch.export.load"


def _onnx_runner(path: Path) -> tuple[Callable[[Tensor], Tensor], str]:
    try:
        import onnxruntime as ort
    except ImportError:
        from onnx.reference import ReferenceEvaluator

        evaluator = ReferenceEvaluator(str(path))
        name = evaluator.input_names[0]

        def run_reference(x: Tensor) -> Tensor:
            return torch.from_numpy(evaluator.run(None, {name: x.cpu().numpy()})[0])

        return run_reference, "onnx reference evaluator"
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def run_ort(x: Tensor) -> Tensor:
        return torch.from_numpy(session.run(None, {name: x.cpu().numpy()})[0])

    return run_ort, "onnxruntime"


_WRITERS = {"pt2": _write_pt2, "onnx": _write_onnx}
_RUNNERS = {"pt2": _pt2_runner, "onnx": _onnx_runner}


def _failing_head(module: nn.Module, x: Tensor) -> tuple[tuple[str | int, ...], str] | None:
    """The path and export error of the first head that fails to export on its own."""
    inputs: dict[tuple[int, int], Tensor] = {}
    hooks = []
    for j, layer in enumerate(module.layers):  # type: ignore[union-attr]
        for i, head in enumerate(layer.heads):
            hooks.append(
                head.register_forward_pre_hook(
                    lambda _m, args, key=(j, i): inputs.setdefault(key, args[0])
                )
            )
    try:
        with torch.no_grad():
            module(x)
    finally:
        for hook in hooks:
            hook.remove()
    for (j, i), head_input in sorted(inputs.items()):
        try:
            with _quiet():
                torch.export.export(module.layers[j].heads[i], (head_input,))  # type: ignore[index]
        except Exception as e:  # any exporter failure names the head
            return ("layers", j, "heads", i), f"{type(e).__name__}: {_first_line(e)}"
    return None


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _failed(module: nn.Module, x: Tensor, format: str, error: Exception) -> DeployError:
    culprit = _failing_head(module, x)
    path, reason = culprit if culprit is not None else ((), _first_line(error))
    where = f"head {path[1]}.{path[3]}" if path else "the model"
    return DeployError(
        [
            Diagnostic(
                Code.EXPORT_FAILED,
                f"{format} export failed in {where}: {reason}",
                path=path,
                expected="a forward pass that torch.export can trace",
                suggestion="declare the failing component in rpnschema.exportability so the "
                "export stops before building",
            )
        ]
    )


def _compare(
    module: nn.Module,
    run: Callable[[Tensor], Tensor],
    format: str,
    batches: tuple[int, ...],
    rtol: float,
) -> tuple[float, float, tuple[tuple[int, ...], ...]]:
    """Max abs error of ``run`` against the eager module on a seeded sample per batch size,
    its threshold, and the sample shapes; RPN602 when a shape or the error is off."""
    error, threshold, shapes = 0.0, 0.0, []
    for seed, b in enumerate(batches):
        xs = sample(module, b, seed=seed)
        with torch.no_grad(), _quiet():
            want = module(xs).float()
            got = run(xs).to(want.device).float()
        if got.shape != want.shape:
            raise DeployError(
                [
                    Diagnostic(
                        Code.EXPORT_MISMATCH,
                        f"the {format} artefact returns shape {tuple(got.shape)} on a batch "
                        f"of {b}, eager {tuple(want.shape)}",
                    )
                ]
            )
        error = max(error, float((got - want).abs().max()))
        threshold = max(threshold, rtol * max(1.0, float(want.abs().max())))
        shapes.append(tuple(xs.shape))
    if not error <= threshold:
        raise DeployError(
            [
                Diagnostic(
                    Code.EXPORT_MISMATCH,
                    f"the {format} artefact's outputs differ from eager by up to {error:.3g} "
                    f"(tolerance {threshold:.3g})",
                    expected=f"max abs error <= {threshold:.3g}",
                    found=f"{error:.3g}",
                    suggestion="check the component named by an export of each head, or raise "
                    "--tolerance for a low-precision dtype",
                )
            ]
        )
    return error, threshold, tuple(shapes)


def _batch_problem(spec: Any, batch: int, dynamic_batch: bool) -> Diagnostic | None:
    """RPN600 for a batch the model cannot take (its first layer fixes another)."""
    fixed = fixed_batch(spec)
    if fixed is None or (batch == fixed and not dynamic_batch):
        return None
    found = "a dynamic batch" if dynamic_batch else f"batch {batch}"
    return Diagnostic(
        Code.NOT_EXPORTABLE,
        f"the model takes exactly {fixed} rows (layers/0 fixes the batch), not {found}",
        path=("layers", 0, "heads", 0, "batch"),
        expected=f"--batch {fixed} without --dynamic-batch",
        found=found,
        suggestion=f"export with --batch {fixed}",
    )


def export_model(
    module: nn.Module,
    out: str | Path,
    *,
    format: str = "pt2",
    batch: int | None = None,
    dynamic_batch: bool = False,
    tolerance: float | None = None,
) -> ExportReport:
    """Export ``module`` (built by :func:`rpnschema.build`; set to eval mode) to ``out``,
    load the artefact back and compare it with the eager model.

    Args:
        format: ``pt2`` (torch.export) or ``onnx`` (the dynamo exporter; the onnx extra).
        batch: the example batch size traced and checked (default: the batch the model fixes,
            else 4).
        dynamic_batch: export the batch dimension as dynamic (checked at ``batch`` and at
            ``batch + 3``); otherwise the artefact accepts only ``batch`` rows.
        tolerance: relative tolerance of the check (default per dtype: :data:`TOLERANCE`).

    Raises:
        DeployError: RPN600 for a declared non-exportable component (before tracing),
            RPN601 when the exporter fails, RPN602 when the outputs differ.
        MissingDependencyError: ``onnx`` without the onnx extra.
    """
    if format not in FORMATS:
        raise ValueError(f"format {format!r} is not one of {', '.join(FORMATS)}")
    spec: Any = module.spec
    batch = batch if batch is not None else fixed_batch(spec) or 4
    blockers = export_diagnostics(spec)
    if (problem := _batch_problem(spec, batch, dynamic_batch)) is not None:
        blockers = [*blockers, problem]
    if blockers:
        raise DeployError(blockers)
    if format == "onnx":
        _onnx_modules()
    device, dtype = _placement(module)
    if device.type == "meta":
        raise ValueError("a model on the meta device has no values to export; build it on cpu")
    module.eval()
    target = Path(out)
    x = sample(module, batch)
    start = time.perf_counter()
    try:
        with _quiet():
            _WRITERS[format](module, x, target, dynamic_batch)
    except MissingDependencyError:
        raise
    except Exception as e:  # exporter errors become a located diagnostic
        raise _failed(module, x, format, e) from e
    seconds = time.perf_counter() - start
    with _quiet():
        run, checked_with = _RUNNERS[format](target)
    batches = (batch, batch + 3) if dynamic_batch else (batch,)
    rtol = tolerance if tolerance is not None else TOLERANCE[dtype]
    error, threshold, shapes = _compare(module, run, format, batches, rtol)
    return ExportReport(
        format=format,
        path=target,
        batch=batch,
        dynamic_batch=dynamic_batch,
        spec_sha256=spec_hash(spec),
        seconds=seconds,
        max_abs_error=error,
        threshold=threshold,
        checked_with=checked_with,
        samples=shapes,
    )
