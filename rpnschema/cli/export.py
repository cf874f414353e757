"""``rpnschema export SPEC_OR_MODEL``: a pt2 or ONNX artefact, checked against eager."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    EXIT_INVALID,
    EXIT_USAGE,
    Set,
    load_valid_spec,
    with_limits,
)
from rpnschema.errors import DeployError, Diagnostic, RpnSchemaError, SpecError
from rpnschema.infer import Limits
from rpnschema.report import FileReport, render_text


class ExportFormat(str, Enum):
    pt2 = "pt2"
    onnx = "onnx"


def _located(diagnostics: list[Diagnostic], spec_file: Path, limits: Limits) -> list[Diagnostic]:
    from rpnschema import io
    from rpnschema.errors import LoadError

    try:
        document = io.load(spec_file, limits=limits)
    except LoadError:  # standard input, already consumed: report the paths alone
        return diagnostics
    return [document.locate(d) for d in diagnostics]


def _fail(file: str, error: SpecError) -> typer.Exit:
    report = FileReport(file, error.diagnostics, failed=True)
    typer.echo(render_text([report]), err=True, nl=False)
    return typer.Exit(EXIT_INVALID)


def _model(source: Path, seed: int | None, limits: Limits, overrides: list[str]) -> Any:
    """The module to export: a saved model file as it is, or a spec built on cpu."""
    if source.suffix == ".safetensors":
        if seed is not None or overrides:
            typer.echo("error: --seed and --set apply to a spec, not to a saved model", err=True)
            raise typer.Exit(EXIT_USAGE)
        from rpnschema.compile.serialize import load_model

        return load_model(source, device="cpu")
    spec = load_valid_spec(source, limits, overrides=overrides)
    from rpnschema.exportability import export_diagnostics

    blockers = export_diagnostics(spec)
    if blockers:  # before anything is built
        raise _fail(str(source), DeployError(_located(blockers, source, limits)))
    import rpnschema

    return rpnschema.build(spec, device="cpu", seed=seed)


@app.command("export")
@with_limits
def export(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SPEC_OR_MODEL",
            help="A spec file (JSON or YAML) or a model saved by `rpnschema build --out` "
            "(.safetensors).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The artefact to write.")],
    format: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="pt2 (torch.export) or onnx (needs [onnx])."),
    ] = ExportFormat.pt2,
    batch: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Batch size traced and checked (default: the batch the model fixes, else 4).",
        ),
    ] = None,
    dynamic_batch: Annotated[
        bool,
        typer.Option(
            "--dynamic-batch", help="Export the batch size as dynamic (checked at two sizes)."
        ),
    ] = False,
    tolerance: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Relative tolerance of the check against eager (default: 1e-5 for "
            "float32, 1e-10 float64, 1e-2 bfloat16), times max(1, max |output|).",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for a spec (default: the spec's).")] = None,
    overrides: Set = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Export a spec or a saved model to a torch.export program (pt2) or ONNX, with the spec
    and its sha256 stored in the artefact, then load the artefact, run it on a seeded sample
    and compare with the eager model (the largest absolute difference is printed).

    Components that cannot be exported are reported (RPN600) before anything is built.
    Exit code 0 on success, 1 for an invalid or non-exportable spec, an exporter failure or
    outputs over the tolerance, 2 for usage/IO errors (unreadable file, missing extra).
    """
    from rpnschema.errors import MissingDependencyError

    try:
        module = _model(source, seed, limits, overrides or [])
        from rpnschema.compile.export import export_model

        report = export_model(
            module,
            out,
            format=format.value,
            batch=batch,
            dynamic_batch=dynamic_batch,
            tolerance=tolerance,
        )
    except DeployError as e:
        raise _fail(str(source), e) from e
    except (RpnSchemaError, MissingDependencyError, OSError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_USAGE) from e
    shape = "dynamic batch" if report.dynamic_batch else f"batch {report.batch}"
    typer.echo(f"exported {source} to {out} ({report.format}, {shape})")
    typer.echo(f"spec sha256: {report.spec_sha256}")
    samples = ", ".join(str(s) for s in report.samples)
    typer.echo(
        f"check ({report.checked_with}): max abs error {report.max_abs_error:.2g} on {samples} "
        f"(tolerance {report.threshold:.2g}): ok"
    )
