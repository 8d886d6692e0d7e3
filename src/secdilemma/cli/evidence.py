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


@evidence_app.command("races")
def races_command(
    indicator: Annotated[
        str, typer.Option(help="Arming measured by 'milper' (personnel) or 'milex' (spending).")
    ] = "milper",
    pairs: Annotated[
        str, typer.Option(help="Pairs scanned: 'rivals' (3+ disputes, and GRH's) or 'grh'.")
    ] = "rivals",
    threshold: Annotated[float, typer.Option(help="Yearly growth that counts as arming.")] = 0.08,
    window: Annotated[int, typer.Option(help="The detector's window, in years.", min=1)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the score as JSON.")] = False,
) -> None:
    """The project's spiral detector on NMC series of rival pairs, scored against the GRH arms
    races: precision, recall and the timing of onsets."""
    from secdilemma.evidence.races import INDICATORS, score_detector

    try:
        if indicator not in INDICATORS:
            raise InputError(
                "--indicator", "indicator", indicator, f"use one of {list(INDICATORS)}"
            )
        if pairs not in ("rivals", "grh"):
            raise InputError("--pairs", "pairs", pairs, "use 'rivals' or 'grh'")
        if not 0 < threshold < 10:
            raise InputError("--threshold", "threshold", threshold, "must lie in (0, 10)")
        result = score_detector(indicator, pairs, threshold, window)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    table = Table(
        title=f"detector ({indicator}, {pairs}) against GRH's {result['grh_races']} races"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "pairs_scanned",
        "racing_pair_years",
        "grh_race_pair_years",
        "year_precision",
        "year_recall",
        "races_found",
        "grh_races_with_data",
        "race_recall",
        "episodes",
        "episode_precision",
        "onset_error_median",
        "onset_error_mean_absolute",
    ):
        value = result[key]
        table.add_row(
            key,
            "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value),
        )
    console.print(table)


@evidence_app.command("score")
def score_command(
    lens: Annotated[
        str, typer.Option(help="The reading both states use: structural, bayesian, interpretive.")
    ] = "structural",
    quick: Annotated[
        bool, typer.Option("--quick", help="An even sample of 160 dyads, 40 replicates each.")
    ] = False,
    replicates: Annotated[
        int | None, typer.Option(help="Replicates per dispute (default 200).", min=1)
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 2,
    constants: Annotated[
        str,
        typer.Option(help="'calibrated' (the defaults) or 'hand-set' (the values before it)."),
    ] = "calibrated",
    harness: Annotated[
        str,
        typer.Option(
            help="'participants' (each dispute one world of every state in it by the dyad's "
            "onset) or 'pairs' (each dispute dyad a two-state world)."
        ),
    ] = "participants",
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="A model constant in every world: name=value (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """The model against the record: each dispute dyad read from the world of its dispute's
    participants (or as a two-state world), its probability of war scored out of sample (Brier
    score, log loss) beside the base rate and a logistic regression fitted on the training
    years."""
    from secdilemma.evidence.score import score

    try:
        result = score(lens, quick, replicates, workers, constants, harness, set_)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    console.print(
        f"{result['dyads_scored']} dispute dyads scored ({result['dyads_without_world']} "
        f"without NMC data), {result['replicates']} replicates, {result['lens']} reading"
    )
    for split in ("train_on_early", "train_on_late"):
        part = result[split]
        table = Table(
            title=f"{split.replace('_', ' ')}: {part['train_dyads']} training dyads, "
            f"{part['test_dyads']} test dyads (war share {part['test_war_share']:.3f})"
        )
        for column in ("predictor", "Brier score", "log loss"):
            table.add_column(column, justify="left" if column == "predictor" else "right")
        for name in ("model", "base_rate", "logistic"):
            table.add_row(name, f"{part[name]['brier']:.4f}", f"{part[name]['log_loss']:.4f}")
        console.print(table)
    race = Table(title="the arms-race association: mean probability of war")
    for column in ("group", "dispute dyads", "model", "record"):
        race.add_column(column, justify="left" if column == "group" else "right")
    for name, cell in result["arms_race_association"].items():
        race.add_row(name, str(cell["dyads"]), f"{cell['model']:.3f}", f"{cell['record']:.3f}")
    console.print(race)
    groups = Table(title="groups at onset: mean probability of war")
    for column in ("era", "group", "dispute dyads", "model", "record"):
        groups.add_column(column, justify="left" if column in ("era", "group") else "right")
    for cell in result["groups_at_onset"]:
        groups.add_row(
            cell["era"],
            cell["group"],
            str(cell["dyads"]),
            f"{cell['model']:.3f}",
            f"{cell['record']:.3f}",
        )
    console.print(groups)


def calibrate_command(
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="24 dyads, 16 replicates, 6 trials: a check, not an estimate."
        ),
    ] = False,
    screen: Annotated[
        bool,
        typer.Option(
            "--screen", help="Screen every candidate constant first (Morris) and fit the top five."
        ),
    ] = False,
    trials: Annotated[int | None, typer.Option(help="Trials of the fit.", min=1)] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 2,
    loss: Annotated[
        str,
        typer.Option(
            help="Fit the war shares to the record's groups (the shipped estimate) or to each "
            "dyad's own outcome (dyads; docs/evidence.md)."
        ),
    ] = "groups",
    stage: Annotated[
        str,
        typer.Option(
            help="'decisions': the decision's constants on two-state dispute worlds; "
            "'joining': joining wars (join_stakes) on worlds of every participant, given the "
            "first stage."
        ),
    ] = "decisions",
    write: Annotated[
        bool,
        typer.Option("--write", help="Store the estimate as the package's defaults."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Estimate the model's free constants from the record's training years (COW disputes
    1816-1945): each dispute dyad as a two-state world, the constants fitted (optuna) to the
    record's war shares by capability ratio, alliance and arms race; with --stage joining,
    joining wars fitted on each dispute as a world of its participants."""
    import dataclasses

    from secdilemma.evidence.calibrate import Settings, calibrate, write_defaults

    if stage == "joining":
        _calibrate_joining(quick, trials, workers, write, as_json)
        return
    if stage != "decisions":
        fail(InputError("--stage", "stage", stage, "use decisions or joining"))

    settings = Settings.quick() if quick else Settings()
    if trials is not None:
        settings = dataclasses.replace(settings, trials=trials)
    settings = dataclasses.replace(settings, loss=loss)
    try:
        result = calibrate(settings, screened=screen, workers=workers)
    except InputError as err:
        fail(err)
    if write:
        write_defaults(result)
    if as_json:
        emit_json({k: v for k, v in result.items() if k != "trials"} | {"trials": result["trials"]})
        return
    console.print(
        f"{result['dyads']['sampled']} of {result['dyads']['training']} training dispute dyads "
        f"({result['training_years']}), {settings.replicates} replicates, {settings.trials} "
        f"trials; loss {result['loss']['start']:.2f} at the hand-set constants, "
        f"{result['loss']['fitted']:.2f} fitted"
    )
    fitted = Table(title="fitted constants (68% interval)")
    for column in ("constant", "estimate", "interval"):
        fitted.add_column(column, justify="left" if column == "constant" else "right")
    for name, value in result["fitted"].items():
        low, high = result["interval_68"][name]
        fitted.add_row(name, f"{value:.4g}", f"{low:.3g}-{high:.3g}")
    console.print(fitted)
    shares = Table(title="share of disputes that became wars")
    for column in ("group", "dyads", "record", "hand-set", "fitted"):
        shares.add_column(column, justify="left" if column == "group" else "right")
    for name, cell in result["targets"].items():
        shares.add_row(
            name,
            str(cell["dyads"]),
            f"{cell['record']:.3f}",
            f"{cell['start']:.3f}",
            f"{cell['fitted']:.3f}",
        )
    console.print(shares)
    if write:
        console.print("stored as the package's defaults (model/data/calibrated.json)")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
    app.command("calibrate")(calibrate_command)


def _calibrate_joining(
    quick: bool, trials: int | None, workers: int, write: bool, as_json: bool
) -> None:
    import dataclasses

    from secdilemma.evidence.calibrate_joining import (
        JoiningSettings,
        calibrate_joining,
        write_joining,
    )

    settings = JoiningSettings.quick() if quick else JoiningSettings()
    if trials is not None:
        settings = dataclasses.replace(settings, trials=trials)
    try:
        result = calibrate_joining(settings, workers=workers)
    except InputError as err:
        fail(err)
    if write:
        write_joining(result)
    if as_json:
        emit_json(result)
        return
    console.print(
        f"{result['dyads']['training']} training dispute dyads in {result['dyads']['worlds']} "
        f"worlds of their participants, {settings.replicates} replicates, {settings.trials} "
        f"trials; deviance {result['loss']['start']:.1f} without joining or selection, "
        f"{result['loss']['fitted']:.1f} fitted; Brier {result['brier']['fitted']:.4f} "
        f"(a constant: {result['brier']['constant']:.4f})"
    )
    fitted = Table(title="fitted (68% interval)")
    for column in ("constant", "estimate", "interval"):
        fitted.add_column(column, justify="left" if column == "constant" else "right")
    for name, value in {**result["fitted"], **result["harness"]}.items():
        low, high = result["interval_68"][name]
        fitted.add_row(name, f"{value:.4g}", f"{low:.3g}-{high:.3g}")
    console.print(fitted)
    shares = Table(title="share of training dispute dyads that became wars")
    for column in ("grouping", "group", "dyads", "record", "start", "fitted"):
        shares.add_column(column, justify="left" if column in ("grouping", "group") else "right")
    for before, after in zip(result["groups"]["start"], result["groups"]["fitted"], strict=True):
        shares.add_row(
            after["grouping"],
            after["group"],
            str(after["dyads"]),
            f"{after['record']:.3f}",
            f"{before['model']:.3f}",
            f"{after['model']:.3f}",
        )
    console.print(shares)
    if write:
        console.print("stored as the package's defaults (model/data/calibrated.json, joining)")
