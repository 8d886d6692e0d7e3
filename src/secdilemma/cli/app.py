"""The ``secdilemma`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from secdilemma.cli import analysis as cli_analysis
from secdilemma.cli import events as cli_events
from secdilemma.cli import evidence as cli_evidence
from secdilemma.cli import formal as cli_formal
from secdilemma.cli import report as cli_report
from secdilemma.cli import serve as cli_serve
from secdilemma.cli import sweep as cli_sweep
from secdilemma.cli.common import emit_json, fail, progress_bar, show_written
from secdilemma.errors import InputError
from secdilemma.model.actions import load_catalog
from secdilemma.model.scenario import LENSES, bundled_names, load_scenario, read_raw, resolve_path

# The engine, the results writers and the report (pandas, pyarrow, SciPy, matplotlib) are
# imported by the commands that run something, so that --help, scenarios, actions and validate
# start quickly (tests/test_quick_start.py).

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate and analyse the security dilemma.",
)
console = Console(stderr=True)


def _overrides(set_: list[str] | None, replicates, steps, seed) -> list[str]:
    """The ``--set`` values, then the options that are shorthands for them."""
    overrides = list(set_ or [])
    for name, value in (("replicates", replicates), ("steps", steps), ("seed", seed)):
        if value is not None:
            overrides.append(f"{name}={value}")
    return overrides


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a YAML path.")],
    replicates: Annotated[int | None, typer.Option(help="Replicates in the ensemble.")] = None,
    steps: Annotated[int | None, typer.Option(help="Steps per replicate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed.")] = None,
    lens: Annotated[
        str | None, typer.Option(help=f"Give every state this lens: {', '.join(LENSES)}.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value: dotted.path=value (repeatable)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: runs/...).")] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(help="Replicates per block (results do not depend on it).", min=1),
    ] = None,
    trajectories: Annotated[bool, typer.Option(help="Write per-step trajectories.parquet.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes running the blocks of replicates (results do not depend on it).",
            min=1,
        ),
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the summary JSON.")] = False,
) -> None:
    """Run a scenario as an ensemble and write its results. Where a state chooses its reading
    (``charity_choice``), the scenario is run again with that reading fixed, and the summary
    and report give what the choice changed."""
    from secdilemma.analysis.reading_choice import choice_effect, choosers, fixed_reading
    from secdilemma.engine.pipeline import block_size, run_ensemble
    from secdilemma.engine.summary import summarize
    from secdilemma.experiments.results import (
        check_output_dir,
        default_out_dir,
        scheduled_war_share,
        write_results,
    )
    from secdilemma.report import write_report

    overrides = _overrides(set_, replicates, steps, seed)
    try:
        if lens is not None:
            if lens not in LENSES:
                raise InputError("--lens", "lens", lens, f"unknown lens; use one of {list(LENSES)}")
            from secdilemma.analysis.compare import lens_overrides

            overrides += lens_overrides(scenario, lens)
        spec = load_scenario(scenario, overrides)
        target = out or default_out_dir(spec.name, spec.seed)
        check_output_dir(target)  # a read-only or full disk fails now, not after the run
        blocks = -(-spec.replicates // (chunk_size or block_size(spec, spec.action_catalog())))
        with progress_bar("steps", quiet=as_json) as bar:
            task = bar.add_task(spec.name, total=spec.steps * blocks)
            ens = run_ensemble(
                spec,
                chunk_size=chunk_size,
                trajectories=trajectories,
                progress=lambda n: bar.advance(task, n),
                workers=workers,
            )
            fixed = None
            if choosers(spec):
                # The same world with the chosen readings fixed, for the report's comparison.
                twin = bar.add_task(f"{spec.name}, reading fixed", total=spec.steps * blocks)
                fixed = run_ensemble(
                    fixed_reading(spec),
                    chunk_size=chunk_size,
                    trajectories=trajectories,
                    progress=lambda n: bar.advance(twin, n),
                    workers=workers,
                )
        summary = summarize(ens)
        if fixed is not None:
            summary["reading_choice"] = choice_effect(ens, fixed)
        written = write_results(ens, target, overrides, summary, finish=write_report)
    except InputError as err:
        fail(err)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    _show_summary(summary, ens.ids, scheduled_war_share(ens) or None)
    show_written(written)


def _scheduled_words(share: float, replicates: int) -> str:
    k = round(share * replicates)
    return f"every replicate ({k} of {k})" if k == replicates else f"{k} of {replicates} replicates"


def _show_summary(summary: dict, ids: list[str], scheduled: float | None = None) -> None:
    """The run's numbers; where the scenario schedules a war (``scheduled``: the share of
    replicates in which it happens), the rate of the wars it does not schedule comes first."""
    out = Console()
    R = summary["replicates"]
    head = Table(title=f"{summary['scenario']}: {R} replicates")
    rates = [("p(war)", summary["p_war"])]
    if scheduled is not None:
        unscheduled = summary["p_war_unscheduled"]
        out.print(
            f"A war the scenario schedules happens in {_scheduled_words(scheduled, R)}; wars it "
            f"does not schedule: {unscheduled:.3f} ({round(unscheduled * R)} of {R} replicates).",
            highlight=False,
        )
        rates = [("p(unscheduled war)", unscheduled), ("p(war, scheduled included)", rates[0][1])]
    for col, _ in rates:
        head.add_column(col, justify="right")
    for col in ("p(spiral)", "p(tragic spiral)", "escalation / step"):
        head.add_column(col, justify="right")
    head.add_row(
        *(f"{value:.3f}" for _, value in rates),
        f"{summary['p_spiral']:.3f}",
        f"{summary['p_tragic_spiral']:.3f}",
        f"{summary['escalation_score_mean']:.2f}",
    )
    out.print(head)
    states = Table(title="by state")
    for col in ("state", "security change", "arms change", "first to war"):
        states.add_column(col, justify="right")
    for sid in ids:
        states.add_row(
            sid,
            f"{summary['security_change'][sid]:+.3f}",
            f"{summary['arms_change'][sid]:+.2f}",
            f"{summary['first_war_initiator'][sid]:.3f}",
        )
    out.print(states)
    views = Table(title="how each sees the other (final means)")
    for col in ("view", "belief greedy", "perceived threat"):
        views.add_column(col, justify="right")
    for key, value in summary["perceived_threat"].items():
        views.add_row(key, f"{summary['belief_greedy'][key]:.3f}", f"{value:.3f}")
    out.print(views)


@app.command("compare")
def compare_command(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a YAML path.")],
    replicates: Annotated[int | None, typer.Option(help="Replicates in each ensemble.")] = None,
    steps: Annotated[int | None, typer.Option(help="Steps per replicate.")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value: dotted.path=value (repeatable)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: runs/...).")] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(help="Replicates per block (results do not depend on it).", min=1),
    ] = None,
    trajectories: Annotated[bool, typer.Option(help="Write per-step trajectories.parquet.")] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the three summaries as one JSON object.")
    ] = False,
) -> None:
    """Run a scenario under each reading (structural, interpretive, Bayesian) and compare."""
    from secdilemma.analysis.compare import compare
    from secdilemma.engine.pipeline import block_size
    from secdilemma.experiments.results import (
        check_output_dir,
        default_out_dir,
        scheduled_war_share,
        write_comparison,
    )
    from secdilemma.report import write_compare_report

    overrides = _overrides(set_, replicates, steps, seed)
    try:
        spec = load_scenario(scenario, overrides)
        target = out or default_out_dir(f"{spec.name}-compare", spec.seed)
        check_output_dir(target)  # a read-only or full disk fails now, not after the runs
        blocks = -(-spec.replicates // (chunk_size or block_size(spec, spec.action_catalog())))
        with progress_bar("steps", quiet=as_json) as bar:
            task = bar.add_task(spec.name, total=3 * spec.steps * blocks)

            def progress(reading: str):
                bar.update(task, description=f"{spec.name}: {reading}")
                return lambda n: bar.advance(task, n)

            comparison = compare(scenario, overrides, chunk_size, trajectories, progress)
        written = write_comparison(comparison, target, overrides, finish=write_compare_report)
    except InputError as err:
        fail(err)
    result = comparison.as_dict()
    if as_json:
        emit_json(result["readings"])
        return
    shares = {reading: scheduled_war_share(ens) for reading, ens in comparison.ensembles.items()}
    _show_comparison(result, shares if any(shares.values()) else None)
    show_written(written)


def _show_comparison(result: dict, scheduled: dict[str, float] | None = None) -> None:
    """The readings side by side; where the scenario schedules a war (``scheduled``: per
    reading, the share of replicates in which it happens), wars it does not schedule first."""
    from secdilemma.analysis.compare import READINGS

    out = Console()
    sides = result["side_by_side"]
    rates = ["p_war"]
    if scheduled:
        unscheduled = sides["p_war_unscheduled"]
        counts = {r: result["readings"][r]["replicates"] for r in READINGS}
        every = all(round(scheduled.get(r, 0.0) * counts[r]) == counts[r] for r in READINGS)
        where = (
            "every replicate under every reading"
            if every
            else ", ".join(
                f"{round(scheduled.get(r, 0.0) * counts[r])} of {counts[r]} replicates ({r})"
                for r in READINGS
            )
        )
        words = ", ".join(f"{r} {unscheduled[r]:.3f}" for r in READINGS)
        out.print(
            f"A war the scenario schedules happens in {where}; wars it does not schedule: {words}.",
            highlight=False,
        )
        rates = ["p_war_unscheduled", "p_war (scheduled included)"]
    table = Table(title=f"{result['scenario']}: the three readings")
    table.add_column("measure")
    for reading in READINGS:
        table.add_column(reading, justify="right")

    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    shown = ("first_war_step_mean", "p_spiral", "p_tragic_spiral", "p_accidental_war")
    for label in (*rates, *shown, "p_war_on_tenfold"):
        key = label.split(" ")[0]
        table.add_row(label, *(fmt(sides[key][r]) for r in READINGS))
        year = result["readings"][READINGS[0]].get("start_year")
        if key == "first_war_step_mean" and year is not None:  # the scenario has years
            steps = sides[key]
            years = (None if steps[r] is None else year + steps[r] for r in READINGS)
            table.add_row("first_war_year_mean", *(fmt(y) for y in years))
    states = sides["security_change"]["structural"] or {}
    for sid in states:
        table.add_row(
            f"first war by {sid}", *(fmt(sides["first_war_initiator"][r][sid]) for r in READINGS)
        )
    for sid in states:
        table.add_row(
            f"security change {sid}", *(fmt(sides["security_change"][r][sid]) for r in READINGS)
        )
    for n, fact in enumerate(sides["record"]["structural"] or []):
        table.add_row(
            f"record: {fact['description']}",
            *(fmt(sides["record"][r][n]["share"]) for r in READINGS),
        )
    out.print(table)
    turning = Table(title="parameters on which the readings' conclusions turn (effect on war)")
    turning.add_column("parameter")
    for reading in READINGS:
        turning.add_column(reading, justify="right")
    for row in result["turning_parameters"]:
        turning.add_row(row["parameter"], *(fmt(row["effect_on_war"][r]) for r in READINGS))
    out.print(turning)


@app.command()
def synth(
    states: Annotated[int, typer.Option(help="Number of states.", min=2)],
    out: Annotated[Path, typer.Option(help="Where to write the scenario (YAML).")],
    seed: Annotated[int, typer.Option(help="Seed of the world's draws.", min=0)] = 0,
    replicates: Annotated[int, typer.Option(help="Replicates in its ensemble.", min=1)] = 100,
    steps: Annotated[int, typer.Option(help="Steps per replicate.", min=1)] = 100,
) -> None:
    """Write a synthetic world of N states (for benchmarks and scaling studies)."""
    import yaml

    from secdilemma.model.synth import synthetic_world

    raw = synthetic_world(states, seed, replicates, steps)
    try:
        out.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    except OSError as err:
        fail(InputError("--out", "--out", str(out), f"cannot write: {err.strerror}"))
    try:
        load_scenario(out)  # what was written loads
    except InputError as err:
        fail(err)
    typer.echo(f"{out}: {states} states, {len(raw['relations'])} relations")


@app.command()
def validate(file: Annotated[str, typer.Argument(help="A scenario YAML file or bundled name.")]):
    """Check a scenario file and report every problem."""
    try:
        spec = load_scenario(file)
    except InputError as err:
        fail(err)
    typer.echo(f"{file}: ok ({len(spec.states)} states, {spec.steps} steps)")


@app.command()
def actions() -> None:
    """List the action catalogue: each act's domain, whether it is aimed and covert, whether
    it is off the default menus (taken only when scheduled or listed), its escalation score
    (Rivera et al. 2024) and the essay that names it."""
    cat = load_catalog()
    table = Table(title=f"{cat.size} actions")
    table.add_column("id", no_wrap=True)
    for col in ("domain", "aimed", "covert", "menu", "escalation", "named in", "description"):
        table.add_column(col)
    for spec in cat.specs:
        table.add_row(
            spec.id,
            spec.domain,
            "yes" if spec.targeted else "",
            "yes" if spec.covert else "",
            "" if spec.on_menu else "off",
            str(spec.escalation),
            spec.named_in,
            spec.description,
        )
    Console().print(table)


@app.command()
def scenarios() -> None:
    """List the bundled scenarios."""
    table = Table(title="bundled scenarios")
    table.add_column("name", no_wrap=True)
    table.add_column("states")
    table.add_column("description")
    for name in bundled_names():
        raw = read_raw(resolve_path(name))
        table.add_row(
            name,
            ", ".join(s.get("id", "?") for s in raw.get("states", [])),
            " ".join(str(raw.get("description", "")).split())[:100],
        )
    Console().print(table)


cli_formal.register(app)
cli_report.register(app)
cli_sweep.register(app)
cli_analysis.register(app)
cli_serve.register(app)
cli_events.register(app)
cli_evidence.register(app)

if __name__ == "__main__":
    app()
