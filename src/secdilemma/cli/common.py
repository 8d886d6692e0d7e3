"""What every command shares: one-line errors with a non-zero exit, JSON output, progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

console = Console(stderr=True)


def _printable(line: str) -> str:
    """``line`` with control characters (a terminal's escape sequences) written as escapes."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def fail(err: Exception) -> NoReturn:
    """Print the error (file, field, value, problem) and exit with status 2."""
    for line in str(err).splitlines():
        # The user's text as it is: a Text is not read as markup ("[ema]" stays), and with
        # emoji off ":x:" in "root:x:0" stays text too.
        text = Text.assemble(("error:", "bold red"), " ", _printable(line))
        console.print(text, highlight=False, soft_wrap=True, markup=False, emoji=False)
    raise typer.Exit(code=2)


def emit_json(result: Any) -> None:
    """Print a result as JSON, non-finite numbers as null."""
    from secdilemma.engine.summary import json_safe

    typer.echo(json.dumps(json_safe(result), indent=2))


def show_written(directory: str | Path) -> None:
    """Name the results directory a command wrote, and its report page."""
    from secdilemma.report import REPORT_NAME

    console.print(f"results: {directory}", highlight=False, soft_wrap=True)
    console.print(f"report: {Path(directory) / REPORT_NAME}", highlight=False, soft_wrap=True)


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


@contextmanager
def counted(unit: str, description: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar of ``unit`` whose total is known only as work starts: yields the
    ``progress(done, total)`` callback the analysis tools take."""
    with progress_bar(unit, quiet) as bar:
        task = bar.add_task(description, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress
