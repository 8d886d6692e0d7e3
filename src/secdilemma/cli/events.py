"""The ``events`` commands: coded event data as a scenario's history, and free text read into
acts (docs/events.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from secdilemma.cli.common import emit_json, fail
from secdilemma.errors import InputError

events_app = typer.Typer(
    help="Event data in: CAMEO-coded events as scenario history; free text read into acts.",
    no_args_is_help=True,
)
console = Console(stderr=True)


def _actor_map(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for item in pairs or []:
        name, sep, sid = item.rpartition("=")
        if not sep or not name or not sid:
            raise InputError("--actor", "actor", item, "expected NAME=STATE_ID")
        out[name] = sid
    return out


@events_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="An event file (ICEWS, GDELT, Phoenix layouts).")],
    scenario: Annotated[str, typer.Option(help="The scenario (a bundled name or a YAML path).")],
    history: Annotated[
        int | None,
        typer.Option(
            help="Replay the record for the first K steps (states without an event wait); the "
            "model takes over from step K.",
            min=1,
        ),
    ] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(help='Map an actor name to a state: "Russian Federation=RUS" (repeatable).'),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the whole scenario here (default: print the events block)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the import's report as JSON.")
    ] = False,
) -> None:
    """Turn coded events into a scenario's events, one act per state and step, and say what
    could not be used."""
    import yaml

    from secdilemma.events.importer import import_events, with_history
    from secdilemma.model.scenario import load_scenario, parse_scenario, read_raw, resolve_path
    from secdilemma.report.run_page import write_atomic

    try:
        spec = load_scenario(scenario)
        if history is not None and history > spec.steps:
            raise InputError(
                "--history", "history", history, f"the scenario has {spec.steps} steps"
            )
        imported = import_events(file, spec, actors=_actor_map(actor))
        raw = with_history(read_raw(resolve_path(scenario)), imported.events, history, spec)
        target = str(out) if out else f"{file} imported into {spec.name}"
        parse_scenario(raw, target)  # the result must be a valid scenario before it is written
        if out is not None:
            if out.suffix not in (".yaml", ".yml"):
                raise InputError(str(out), "<file>", out.name, "a scenario file ends in .yaml")
            write_atomic(out, yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    except InputError as err:
        fail(err)
    report = imported.summary()
    if as_json:
        emit_json({**report, "written": str(out) if out else None, "events_block": raw["events"]})
        return
    if out is None:
        typer.echo(yaml.safe_dump({"events": raw["events"]}, sort_keys=False))
    _show_import(report, out)


def _show_import(report: dict, out: Path | None) -> None:
    years = report["years"]
    console.print(
        f"{report['read']} events ({report['layout']} layout"
        + (f", {years[0]}-{years[1]}" if years else "")
        + f"): {report['used']} used, as {report['events']} scenario events",
        highlight=False,
    )
    for reason, counts in report["unmapped"].items():
        shown = ", ".join(f"{what} ({n})" for what, n in list(counts.items())[:8])
        more = len(counts) - 8
        console.print(
            f"not used, {reason}: {sum(counts.values())}: {shown}"
            + (f" and {more} more" if more > 0 else ""),
            highlight=False,
            soft_wrap=True,
        )
    if out is not None:
        console.print(f"scenario: {out}", highlight=False)


@events_app.command("read")
def read_command(
    text: Annotated[str, typer.Argument(help='A sentence, e.g. "Russia masses troops on ..."')],
    scenario: Annotated[
        str | None, typer.Option(help="Name actors by this scenario's state ids.")
    ] = None,
    llm: Annotated[
        bool,
        typer.Option(
            "--llm",
            help="Ask the OpenAI-compatible endpoint of SECDILEMMA_LLM_URL (or --endpoint); the "
            "offline reader answers when it cannot.",
        ),
    ] = False,
    endpoint: Annotated[str | None, typer.Option(help="The endpoint's base URL (.../v1).")] = None,
    model: Annotated[str | None, typer.Option(help="The endpoint's model name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reading as JSON.")] = False,
) -> None:
    """Read a sentence into actor, act, target and a confidence."""
    from secdilemma.events.llm import read_with_model
    from secdilemma.events.reader import read_offline
    from secdilemma.model.scenario import load_scenario

    if len(text) > 5000:
        fail(InputError("text", "text", text, "at most 5,000 characters"))
    try:
        spec = load_scenario(scenario) if scenario else None
        if llm or endpoint:
            reading = read_with_model(text, spec, endpoint=endpoint, model=model)
        else:
            reading = read_offline(text, spec)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(reading.as_dict())
        return
    table = Table(title=text if len(text) < 80 else text[:77] + "...")
    for column in ("actor", "act", "target", "CAMEO code", "confidence", "reader"):
        table.add_column(column)
    code = f"{reading.code} {reading.code_name}".strip()
    table.add_row(
        str(reading.actor),
        str(reading.act),
        str(reading.target),
        code,
        f"{reading.confidence:.2f}",
        reading.method,
    )
    Console().print(table)
    if reading.note:
        console.print(f"note: {reading.note}", highlight=False)


@events_app.command("accuracy")
def accuracy_command(
    nested: Annotated[
        bool,
        typer.Option(
            "--nested",
            help="Also nested cross-validation of the reader's settings (about 15 minutes).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """The offline reader on the codebook's example sentences it was not trained on."""
    from secdilemma.events.reader import held_out_accuracy, nested_accuracy

    try:
        result = held_out_accuracy()
        if nested:
            result["nested"] = nested_accuracy()
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    typer.echo(
        f"root code found for {result['correct']} of {result['held_out']} held-out example "
        f"sentences: {result['accuracy']:.3f} (seed {result['seed']})"
    )
    if nested:
        n = result["nested"]
        typer.echo(
            f"nested cross-validation ({n['folds']} outer folds): {n['accuracy']:.3f} "
            f"+- {n['se']:.3f}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
