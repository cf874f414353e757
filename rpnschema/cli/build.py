"""``rpnschema build SPEC``: validate, compile to torch, summarize, check, and optionally save."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    print_table,
    with_limits,
)
from rpnschema.errors import Code, LoadError, RpnSchemaError
from rpnschema.infer import Limits
from rpnschema.report import printable
from rpnschema.sequence import input_width

#: ``--batch`` of the forward check (build and load): default the rows a graph model takes, else 4.
CheckBatch = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Batch size of the forward check (default: the node count of a graph model, else 4).",
    ),
]


def summary_rows(spec: Any, paths: list[list[str]] | None = None) -> list[tuple[str, ...]]:
    """Rows (where, m, expansion, D, reconciliation, l, n, out, parameters) of a spec; with
    ``paths`` (each built head's evaluation path, per layer) a last column ``path``."""
    rows = []
    for i, layer in enumerate(spec.layers):
        for j, head in enumerate(layer.heads):
            path = (paths[i][j],) if paths is not None else ()
            rows.append(
                (
                    f"layer {i} head {j}",
                    str(head.m),
                    head.expansion.name.removesuffix("_expansion"),
                    str(head.D),
                    head.reconciliation.name.removesuffix("_reconciliation"),
                    str(head.l),
                    str(head.n),
                    str(head.output_dim),
                    f"{head.parameters:,}",
                    *path,
                )
            )
        heads = f"{layer.width} head{'s' if layer.width != 1 else ''}"
        if layer.head_fusion is not None:
            heads += f" + {layer.head_fusion.name.removesuffix('_fusion')}"
        rows.append(
            (
                f"layer {i}",
                str(layer.m),
                heads,
                "",
                "",
                "",
                str(layer.n),
                str(layer.output_dim),
                f"{layer.parameters:,}",
                *(("",) if paths is not None else ()),
            )
        )
    return rows


@app.command()
@with_limits
def build(
    spec_file: Annotated[Path, typer.Argument(metavar="SPEC", help="Spec file (JSON or YAML).")],
    device: Annotated[
        str | None, typer.Option(help="cpu, cuda[:i], mps or meta (default: the spec's).")
    ] = None,
    dtype: Annotated[
        str | None, typer.Option(help="float32, float64 or bfloat16 (default: the spec's).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, max=2**63 - 1, help="Seed (default: the spec's).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Save weights + spec to this .safetensors file."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Run a forward pass on a random batch.")
    ] = True,
    batch: CheckBatch = None,
    overrides: Set = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Compile a spec to a torch module, print its summary table, check a forward pass, and
    with --out save it (atomically) as one self-describing safetensors file.

    Exit code 0 on success, 1 for an invalid spec, 2 for usage/IO errors (unreadable file,
    unavailable device, torch not installed).
    """
    spec = load_valid_spec(spec_file, limits, overrides=overrides or ())
    batch = _check_batch(spec, batch)
    if out is not None and (device or spec.device) == "meta":
        typer.echo("error: a model on the meta device has no values to save (--out)", err=True)
        raise typer.Exit(EXIT_USAGE)
    check_memory(spec, limits, batch if check else 0, dtype)
    try:
        import rpnschema

        with allocation_errors():
            module = rpnschema.build(spec, device=device, dtype=dtype, seed=seed)
    except RpnSchemaError as e:  # torch missing, device unavailable, a plugin that fails to load
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_USAGE) from e
    _print_summary(spec, module)
    if check:
        with allocation_errors():
            _forward_check(module, batch)
    if out is not None:
        from rpnschema.compile.serialize import save_model

        try:
            save_model(module, out)
        except (OSError, ValueError) as e:
            typer.echo(f"error: cannot save to {out}: {e}", err=True)
            raise typer.Exit(EXIT_USAGE) from e
        typer.echo(f"saved {out}")


def _check_batch(spec: Any, batch: int | None) -> int:
    """--batch, else the rows a graph model takes, else the default forward-check batch."""
    from rpnschema.memory import CHECK_BATCH, fixed_batch

    fixed = fixed_batch(spec)
    if batch is not None and fixed is not None and batch != fixed:
        typer.echo(
            f"error: --batch {batch}: the model takes exactly {fixed} rows (layers/0 fixes the "
            f"batch: one row per node); use --batch {fixed} or leave it out",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    return batch or fixed or CHECK_BATCH


def check_memory(spec: Any, limits: Limits, batch: int, dtype: str | None) -> None:
    """Exit 1 (RPN408) when building ``spec`` as ``dtype`` and a forward pass on ``batch``
    inputs would take more than the memory budget; nothing is allocated before."""
    from rpnschema.memory import memory_problem

    problem = memory_problem(spec, limits.max_memory, batch=batch, dtype=dtype)
    if problem is not None:
        typer.echo(f"error RPN408: {problem.message}", err=True)
        typer.echo(f"    hint: {problem.suggestion}", err=True)
        raise typer.Exit(EXIT_INVALID)


@contextmanager
def allocation_errors() -> Iterator[None]:
    """A failed allocation (the machine has less memory than the budget allows) is an error
    message and exit code 2, not a traceback."""
    try:
        yield
    except MemoryError as e:
        typer.echo("error: out of memory while allocating the model's tensors", err=True)
        raise typer.Exit(EXIT_USAGE) from e
    except RuntimeError as e:  # torch's allocators (CPU, CUDA's OutOfMemoryError, MPS)
        text = str(e)
        if "memory" not in text.lower() and "allocate" not in text.lower():
            raise
        typer.echo(f"error: out of memory: {text.splitlines()[0]}", err=True)
        raise typer.Exit(EXIT_USAGE) from e


@app.command("load")
@with_limits
def load_command(
    model_file: Annotated[
        Path, typer.Argument(metavar="MODEL", help="A file written by `rpnschema build --out`.")
    ],
    device: Annotated[str | None, typer.Option(help="Device to restore onto.")] = None,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Run a forward pass on a random batch.")
    ] = True,
    batch: CheckBatch = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Restore a saved model (weights, random buffers and spec), verify its stored spec hash,
    print its summary table and check a forward pass.

    Before anything is allocated, the stored spec is validated within the limits (memory budget
    included, for --batch) and the file's tensor names and shapes are checked against it. Exit 1
    for a spec over a budget or a hash mismatch, 2 if the file cannot be read or is not a
    consistent model file."""
    try:
        from rpnschema.compile.serialize import (
            inspect_model_file,
            load_model,
            spec_hash,
            written_hash,
        )
        from rpnschema.compile.serialize import stored_hash as read_hash

        spec = inspect_model_file(model_file, limits=limits)
        batch = _check_batch(spec, batch)
        check_memory(spec, limits, batch if check else 0, None)
        with allocation_errors():
            module = load_model(model_file, device=device, limits=limits)
        stored, written = read_hash(model_file), written_hash(model_file)
    except RpnSchemaError as e:  # unreadable file, torch missing, device unavailable, ...
        typer.echo(f"error: {printable(str(e))}", err=True)
        over = isinstance(e, LoadError) and e.diagnostic.code is Code.BUDGET
        raise typer.Exit(EXIT_INVALID if over else EXIT_USAGE) from e
    _print_summary(module.spec, module)
    # a file of an older spec_version: its hash is of the spec as written, not as migrated
    if stored not in (None, spec_hash(spec), written):
        typer.echo("error: the stored spec hash does not match the stored spec", err=True)
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"spec sha256: {spec_hash(spec)}")
    if check:
        with allocation_errors():
            _forward_check(module, batch)


def _print_summary(spec: Any, module: Any) -> None:
    from rich.table import Table

    table = Table(title=f"{spec.name} ({spec.semantics} semantics)")
    paths = [[head.evaluation_path for head in layer.heads] for layer in module.layers]
    for col in ("", "m", "expansion", "D", "reconciliation", "l", "n", "out", "parameters"):
        table.add_column(
            col, justify="left" if col in ("", "expansion", "reconciliation") else "right"
        )
    table.add_column("path", overflow="fold")  # the full name, if need be on two lines
    for row in summary_rows(spec, paths):
        table.add_row(*row)
    built = sum(p.numel() for p in module.parameters())
    table.add_section()
    table.add_row("total", "", "", "", "", "", "", "", f"{built:,}", "")
    print_table(table)
    device, dtype = _placement(module)
    typer.echo(f"parameters: {built:,} (inferred {spec.parameters:,}); {device}, {dtype}")
    if built != spec.parameters:
        typer.echo("error: the built module's parameter count differs from the spec's", err=True)
        raise typer.Exit(EXIT_INVALID)


def _placement(module: Any) -> tuple[Any, Any]:
    import torch

    for t in module.state_dict().values():
        if t.is_floating_point():
            return t.device, t.dtype
    spec = module.spec
    return torch.device(spec.device), getattr(torch, spec.dtype)


def _forward_check(module: Any, batch: int) -> None:
    import torch

    spec = module.spec
    device, dtype = _placement(module)
    width = input_width(spec.layers[0])
    x = torch.randn(batch, width, generator=torch.Generator().manual_seed(0))
    x = x.to(device=device, dtype=dtype)
    from rpnschema.plugins import PluginError

    try:
        with torch.no_grad():
            y = module(x)
    except PluginError as e:  # a plugin module whose output disagrees with its rule
        typer.echo(f"forward check failed: {e}", err=True)
        raise typer.Exit(EXIT_INVALID) from e
    want = (batch, spec.layers[-1].output_dim)
    if tuple(y.shape) != want:
        typer.echo(
            f"forward check failed: output shape {tuple(y.shape)}, expected {want}", err=True
        )
        raise typer.Exit(EXIT_INVALID)
    if y.device.type == "meta":
        typer.echo(f"forward check: output {tuple(y.shape)} (meta device: values not computed)")
        return
    finite = bool(torch.isfinite(y).all())
    typer.echo(f"forward check: output {tuple(y.shape)}, all finite: {finite}")
    if not finite:
        raise typer.Exit(EXIT_INVALID)
