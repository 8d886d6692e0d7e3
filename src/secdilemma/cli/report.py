"""The ``secdilemma report DIR`` command: rebuild report.html from saved results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secdilemma.errors import InputError


def report_command(
    directory: Annotated[
        Path,
        typer.Argument(
            help="A results directory of `secdilemma run`, a compare directory "
            "(one with compare.json), an attribution directory (attribution.json) or an audit "
            "directory (audit.json) or a robust-policy directory (robust.json).",
        ),
    ],
) -> None:
    """Write report.html (self-contained HTML: text, tables, plots) from saved results."""
    from secdilemma.report import (
        write_attribution_report,
        write_audit_report,
        write_compare_report,
        write_report,
        write_robust_report,
    )

    try:
        if (directory / "attribution.json").is_file():
            path = write_attribution_report(directory)
        elif (directory / "audit.json").is_file():
            path = write_audit_report(directory)
        elif (directory / "robust.json").is_file():
            path = write_robust_report(directory)
        elif (directory / "compare.json").is_file():
            path = write_compare_report(directory)
        else:
            path = write_report(directory)
    except InputError as err:
        # Whitespace collapsed: a reader's message (pyarrow's, say) must not break the one line.
        typer.echo(f"error: {' '.join(str(err).split())}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
