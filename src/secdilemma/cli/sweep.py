"""The ``sweep`` and ``query`` commands."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from secdilemma.cli.common import fail, progress_bar
from secdilemma.errors import InputError

console = Console(stderr=True)


def sweep_command(
    spec: Annotated[Path, typer.Argument(help="The sweep specification (YAML).")],
    out: Annotated[Path, typer.Option(help="The sweep directory (re-use it to resume).")],
    dask: Annotated[
        str | None,
        typer.Option(
            help="'local' for a Dask LocalCluster, or a scheduler address tcp://HOST:PORT."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (local pool or LocalCluster).", min=1)
    ] = 2,
    chunk_size: Annotated[
        int | None,
        typer.Option(help="Points per task (default: about a second of work each).", min=1),
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the points recorded as failed.")
    ] = False,
) -> None:
    """Run a parameter sweep: each point a vectorised ensemble, results in a resumable store."""
    from secdilemma.experiments.spec import load_spec
    from secdilemma.experiments.sweep import Sweep

    try:
        parsed, source = load_spec(spec)
        sweep = Sweep(parsed, out, source)
        started = time.monotonic()
        with progress_bar("points", quiet=False) as bar:
            task = bar.add_task(Path(spec).stem, total=len(sweep.design))

            def progress(finished: int, total: int) -> None:
                bar.update(task, completed=finished, total=total)

            manifest = sweep.run(dask, workers, chunk_size, retry_failed, progress)
    except InputError as err:
        fail(err)
    points = manifest["points"]
    console.print(
        f"{points['done']} of {points['total']} points done, {len(points['failed'])} failed, "
        f"{points['pending']} pending, in {time.monotonic() - started:.1f} s: {out}"
    )
    for point, error in list(points["failed"].items())[:5]:
        console.print(f"  point {point} failed: {error}", highlight=False)
    if points["failed"]:
        raise typer.Exit(code=1)


def query_command(
    directory: Annotated[Path, typer.Argument(help="A sweep directory.")],
    sql: Annotated[
        str, typer.Argument(help="DuckDB SQL over the views points, replicates, design.")
    ],
    csv: Annotated[Path | None, typer.Option(help="Write the result to this CSV file.")] = None,
) -> None:
    """Query a sweep's Parquet tables with SQL (DuckDB)."""
    from secdilemma.experiments.store import query as run_query

    try:
        frame = run_query(directory, sql)
        if csv is not None:
            try:
                frame.to_csv(csv, index=False)
            except OSError as err:
                raise InputError("--csv", "--csv", str(csv), f"cannot write: {err}") from None
            console.print(f"{len(frame)} rows: {csv}")
            return
    except InputError as err:
        fail(err)
    table = Table()
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for row in frame.head(200).itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    Console().print(table)
    if len(frame) > 200:
        console.print(f"... {len(frame) - 200} more rows (use --csv)")


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_command)
    app.command("query")(query_command)
