"""What every command shares: one-line errors with a non-zero exit, JSON output, progress."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from secdilemma.engine.summary import json_safe

console = Console(stderr=True)


def fail(err: Exception) -> NoReturn:
    """Print the error (file, field, value, problem) and exit with status 2."""
    for line in str(err).splitlines():
        # Escaped: a message such as "pip install 'secdilemma[ema]'" is not rich markup.
        console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def emit_json(result: Any) -> None:
    """Print a result as JSON, non-finite numbers as null."""
    typer.echo(json.dumps(json_safe(result), indent=2))


def progress_bar(unit: str, quiet: bool) -> Progress:
    """A progress bar with the count of ``unit`` and the time left, on stderr when it is a
    terminal and output is not JSON."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} " + unit),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not sys.stderr.isatty(),
        transient=True,
    )
