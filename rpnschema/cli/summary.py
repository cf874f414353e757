"""``rpnschema summary SPEC``: sizes, parameters, memory and FLOPs per head, without torch."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from rpnschema.cli.app import app
from rpnschema.cli.common import (
    DEFAULT_LIMITS,
    EXIT_USAGE,
    Set,
    compact_table,
    load_valid_spec,
    print_table,
    with_limits,
)
from rpnschema.infer import Limits
from rpnschema.memory import human_bytes
from rpnschema.rank_memory import RankMemory, rank_memory
from rpnschema.summary import DTYPE_BYTES, Row, Summary, human, summarize


class SummaryFormat(str, Enum):
    table = "table"
    json = "json"


class Sharding(str, Enum):
    ddp = "ddp"
    fsdp = "fsdp"


class Optimizer(str, Enum):
    adam = "adam"
    sgd = "sgd"


def render_ranks(memory: RankMemory) -> None:
    m = memory
    typer.echo(
        f"per rank ({m.sharding}, world size {m.world_size}, {m.optimizer}, {m.dtype}): "
        f"parameters {human(m.parameters, 'B')}, gradients {human(m.gradients, 'B')}, "
        f"optimizer state {human(m.optimizer_state, 'B')}, "
        f"{'buckets' if m.sharding == 'ddp' else 'all-gathered unit'} "
        f"{human(m.communication, 'B')}; total {human(m.total, 'B')} "
        f"(one process, unsharded: {human(m.unsharded, 'B')}; activations not counted)"
    )


_COLUMNS = (
    "",
    "m",
    "expansion",
    "D",
    "reconciliation",
    "l",
    "remainder",
    "ch",
    "fusion",
    "n",
    "parameters",
    "memory",
    "FLOPs",
)


def render_table(summary: Summary) -> None:
    def cells(r: Row) -> list[str]:
        def s(v: object) -> str:
            return "" if v is None else str(v)

        return [
            r.where,
            s(r.m),
            r.expansion,
            s(r.D),
            r.reconciliation,
            s(r.l),
            r.remainder,
            s(r.channels),
            r.fusion,
            s(r.n),
            f"{r.parameters:,}",
            human(r.memory_bytes, "B"),
            human(r.flops.total),
        ]

    rows = [cells(r) for r in summary.rows]
    # The fusion column only when some head or layer has a fusion (it is blank otherwise).
    shown = [i for i, col in enumerate(_COLUMNS) if col != "fusion" or any(r[i] for r in rows)]
    table = compact_table(title=f"{summary.name} (batch {summary.batch}, {summary.dtype})")
    left = {"", "expansion", "reconciliation", "remainder", "fusion"}
    for col in (_COLUMNS[i] for i in shown):
        # Figures and the row names stay whole; a long component name folds if it must.
        names = col in left - {""}
        table.add_column(
            col,
            justify="left" if col in left else "right",
            no_wrap=not names,
            overflow="fold" if names else "ellipsis",
        )
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    table.add_section()
    total = cells(summary.total)
    table.add_row(*(total[i] for i in shown))
    print_table(table)
    t = summary.total
    typer.echo(
        f"parameters: {t.parameters:,} ({human(t.memory_bytes, 'B')} as {summary.dtype})\n"
        f"forward FLOPs at batch {summary.batch}: {t.flops.total:,} "
        f"(matmul {t.flops.matmul:,}, elementwise ~{t.flops.elementwise:,})"
    )


@app.command()
@with_limits
def summary(
    spec_file: Annotated[
        Path, typer.Argument(metavar="SPEC", help="Spec file (JSON or YAML); '-' reads stdin.")
    ],
    batch: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Batch size for the FLOP estimate (default: the node count of a graph model, "
            "else 1).",
        ),
    ] = None,
    dtype: Annotated[
        str | None,
        typer.Option(help=f"Parameter dtype for memory: {', '.join(DTYPE_BYTES)} (spec's)."),
    ] = None,
    format: Annotated[
        SummaryFormat, typer.Option("--format", "-f", help="Output format.")
    ] = SummaryFormat.table,
    world_size: Annotated[
        int | None,
        typer.Option(min=1, help="Also estimate the training memory per rank for N processes."),
    ] = None,
    sharding: Annotated[
        Sharding, typer.Option(help="With --world-size: ddp (replicated) or fsdp (sharded).")
    ] = Sharding.ddp,
    optimizer: Annotated[
        Optimizer, typer.Option(help="With --world-size: optimizer state (adam 2, sgd 0).")
    ] = Optimizer.adam,
    overrides: Set = None,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Show sizes, parameters, memory and estimated FLOPs per head and layer (no torch).

    Per head: m, expansion and D, reconciliation and l, remainder, channels, channel fusion,
    n, parameters, parameter memory (for --dtype) and forward FLOPs (for --batch); per layer
    its head fusion; totals.

    FLOPs: matmul FLOPs are exact (inner products 2*B*n*D per channel, linear remainder
    2*B*n*m, lorr 2*n*r*D, parameterized concatenation fusions); elementwise FLOPs
    (expansions, other reconciliations, biases, fusions, processing) are estimates; see
    rpnschema.summary. With --world-size, the memory each rank of a data-parallel job holds
    while training (parameters, gradients, optimizer state, communication buffers; see
    rpnschema.memory). Exit code 0, 1 for an invalid spec, 2 for usage/IO errors.
    """
    if dtype is not None and dtype not in DTYPE_BYTES:
        typer.echo(f"error: --dtype {dtype!r} is not one of {', '.join(DTYPE_BYTES)}", err=True)
        raise typer.Exit(EXIT_USAGE)
    spec = load_valid_spec(spec_file, limits, overrides=overrides or ())
    figures = summarize(spec, batch=batch, dtype=dtype)
    ranks = (
        rank_memory(spec, world_size, sharding.value, dtype=dtype, optimizer=optimizer.value)
        if world_size is not None
        else None
    )
    if format is SummaryFormat.json:
        data = figures.to_data()
        data["build_memory"]["budget"] = limits.max_memory
        if ranks is not None:
            data["per_rank"] = ranks.to_data()
        typer.echo(json.dumps(data, indent=2))
    else:
        render_table(figures)
        m = figures.memory
        assert m is not None
        typer.echo(
            f"build memory: {human_bytes(m.total)} (parameters {human_bytes(m.parameters)}, "
            f"buffers {human_bytes(m.buffers)}, forward at batch {m.batch} "
            f"{human_bytes(m.forward)})"
        )
        typer.echo(f"memory budget: {human_bytes(limits.max_memory)} (--max-memory)")
        if ranks is not None:
            render_ranks(ranks)
