"""The ``evidence`` commands: the Correlates of War record's regularities, and the model
judged against them (docs/evidence.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from secdilemma.cli.common import emit_json, fail
from secdilemma.errors import InputError

evidence_app = typer.Typer(
    help="The real-world record (COW disputes, wars, arms races) and the model against it.",
    no_args_is_help=True,
)
console = Console()


def _share_row(name: str, cell: dict[str, Any]) -> tuple[str, ...]:
    if not cell["dyads"]:
        return (name, "0", "0", "n/a", "")
    return (
        name,
        str(cell["wars"]),
        str(cell["dyads"]),
        f"{cell['share']:.3f}",
        f"{cell['ci_low']:.3f}-{cell['ci_high']:.3f}",
    )


def _share_table(title: str, cells: dict[str, Any]) -> Table:
    table = Table(title=title)
    for column in ("group", "wars", "dispute dyads", "share", "95% interval"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for name, cell in cells.items():
        if isinstance(cell, dict) and "dyads" in cell:
            table.add_row(*_share_row(name, cell))
    return table


@evidence_app.command("table")
def table_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the tables as JSON.")] = False,
) -> None:
    """The record's regularities: how often a dispute became a war, during an arms race and
    not, by capability ratio, and by alliances, with counts and 95% intervals."""
    from secdilemma.evidence.regularities import evidence_table

    try:
        result = evidence_table()
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    first, last = result["years"]
    console.print(
        f"{result['dispute_dyads']} dispute dyads in {result['disputes']} disputes, "
        f"{first}-{last}; war: {result['war_codings']['war']}"
    )
    race = result["arms_race"]
    console.print(_share_table("disputes that became wars, by arms race (GRH)", race))
    console.print(
        f"odds ratio, race against the same pairs' other years: {race['odds_ratio']:.2f} "
        f"(Fisher's exact p = {race['fisher_p']:.2g})"
    )
    console.print(
        _share_table("by capability ratio (stronger : weaker CINC)", result["capability_ratio"])
    )
    console.print(_share_table("by alliances at onset (COW defence pacts)", result["alliances"]))


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
