"""Command-line subcommands for analysing experiments: ``sensitivity`` (Sobol or Morris over a
sweep spec's ranges), ``discover`` (PRIM scenario discovery over a sweep store) and
``attribute`` (who started it: counterfactual attribution of an outcome) and ``audit`` (how a
planned act will be read, and gentler ways to the same security).

Each prints a table (or JSON with ``--json``); bad input gives one line per problem naming the
file, field and value, and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from secdilemma.cli.common import counted, emit_json, fail, show_written
from secdilemma.errors import InputError
from secdilemma.experiments.spec import POINT_OUTCOMES, load_spec

METHODS = ("sobol", "morris")


def _pm(value: float, conf: float) -> str:
    return f"{value:.3f} ± {conf:.3f}"


def sensitivity_command(
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="A sweep spec (YAML).")],
    outcome: Annotated[
        str, typer.Option(help=f"The outcome to explain: one of {', '.join(POINT_OUTCOMES)}.")
    ] = "p_spiral",
    method: Annotated[str, typer.Option(help="sobol (S1, ST) or morris (mu*, sigma).")] = "sobol",
    samples: Annotated[
        int,
        typer.Option(
            help="Sobol: base samples N (N x (parameters + 2) ensembles; a power of 2). "
            "Morris: trajectories r (r x (parameters + 1) ensembles).",
            min=2,
        ),
    ] = 64,
    levels: Annotated[int, typer.Option(help="Morris: grid levels (even).", min=2)] = 4,
    workers: Annotated[
        int, typer.Option(help="Processes evaluating points (results do not depend on it).", min=1)
    ] = 1,
    plot: Annotated[
        Path | None, typer.Option(help="Save a bar plot with 95% intervals (PNG, PDF, SVG).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON.")] = False,
) -> None:
    """Global sensitivity of an outcome to a sweep spec's ranged parameters (SALib)."""
    from secdilemma.experiments import sensitivity

    try:
        if method not in METHODS:
            raise InputError("--method", "method", method, f"use one of {list(METHODS)}")
        if outcome not in POINT_OUTCOMES:
            raise InputError(
                "--outcome",
                "outcome",
                outcome,
                f"unknown outcome; use one of {list(POINT_OUTCOMES)}",
            )
        spec, source = load_spec(spec_path)
        if method == "sobol":
            frame = sensitivity.sobol_indices(spec, outcome, samples, workers, source=source)
        else:
            frame = sensitivity.morris_screening(
                spec, outcome, samples, levels, workers, source=source
            )
        if plot is not None:
            sensitivity.plot_indices(frame, plot)
    except InputError as err:
        fail(err)
    result = {
        "spec": str(spec_path),
        "method": method,
        "outcome": outcome,
        "samples": samples,
        "evaluations": frame.attrs["evaluations"],
        "replicates": spec.replicates,
        "seed": spec.seed,
        "ranking": sensitivity.ranking(frame),
        "indices": sensitivity.as_records(frame),
    }
    if as_json:
        emit_json(result)
        return
    table = Table(
        title=f"{method} sensitivity of {outcome}: {result['evaluations']} ensembles of "
        f"{spec.replicates} (95% intervals)"
    )
    table.add_column("parameter", no_wrap=True)
    if method == "sobol":
        for col in ("S1 (first order)", "ST (total)"):
            table.add_column(col, justify="right")
        for row in frame.sort_values("ST", ascending=False, kind="stable").itertuples():
            table.add_row(row.parameter, _pm(row.S1, row.S1_conf), _pm(row.ST, row.ST_conf))
    else:
        for col in ("mu* (mean |effect|)", "sigma", "mu (signed)"):
            table.add_column(col, justify="right")
        for row in frame.sort_values("mu_star", ascending=False, kind="stable").itertuples():
            table.add_row(
                row.parameter,
                _pm(row.mu_star, row.mu_star_conf),
                _pm(row.sigma, row.sigma_conf),
                f"{row.mu:+.3f}",
            )
    Console().print(table)
    if plot is not None:
        Console(stderr=True).print(f"plot: {plot}")


def discover_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A sweep directory.")],
    outcome: Annotated[str, typer.Option(help="The outcome that defines the cases.")] = "p_war",
    threshold: Annotated[
        float, typer.Option(help="Cases of interest: points whose outcome is above this.")
    ] = 0.5,
    below: Annotated[
        bool, typer.Option("--below", help="Cases of interest lie below the threshold instead.")
    ] = False,
    density: Annotated[
        float,
        typer.Option(
            "--threshold-density",
            help="Pick the box of widest coverage with at least this density.",
        ),
    ] = 0.8,
    peel_alpha: Annotated[float, typer.Option(help="Share of points peeled per step.")] = 0.05,
    box: Annotated[
        int | None, typer.Option(help="Pick this box of the trade-off (peeling trajectory).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Scenario discovery (PRIM): the box of parameters where an outcome exceeds a threshold."""
    from secdilemma.experiments.discovery import discover

    try:
        result = discover(
            directory,
            outcome,
            threshold,
            above=not below,
            peel_alpha=peel_alpha,
            threshold_density=density,
            box=box,
        )
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    side = "<" if below else ">"
    out = Console()
    table = Table(
        title=f"PRIM box {result['box']} for {outcome} {side} {threshold}: "
        f"{result['cases_of_interest']} of {result['points']} points"
    )
    for col in ("parameter", "low", "high", "restricted", "quasi-p"):
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for name, lim in result["limits"].items():
        qp = ", ".join(f"{v:.2g}" for v in lim.get("qp", []) if v is not None)
        if "values" in lim:
            low, high = ", ".join(lim["values"]), ""
        else:
            low, high = f"{lim['low']:.4g}", f"{lim['high']:.4g}"
        table.add_row(name, low, high, "yes" if lim["restricted"] else "", qp)
    out.print(table)
    out.print(
        f"coverage {result['coverage']:.3f}  density {result['density']:.3f}  "
        f"mass {result['mass']:.3f}  ({len(result['tradeoff'])} boxes on the trade-off)"
    )
    if not result["meets_density"]:
        out.print(f"no box reaches density {density}: this is the densest", style="yellow")


def attribute_command(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a YAML path.")],
    outcome: Annotated[
        str,
        typer.Option(
            help="What to attribute: war, war:A-B, spiral, spiral:A-B, escalation, "
            "threat:A-B (A's perceived threat of B at the end), record:K (the K-th record fact)."
        ),
    ] = "war",
    lens: Annotated[
        list[str] | None,
        typer.Option(
            help="A reading to attribute under (repeatable; default: structural, interpretive "
            "and bayesian; 'scenario' keeps the scenario's own lenses)."
        ),
    ] = None,
    restraint: Annotated[
        str,
        typer.Option(
            help="What a removed actor does instead: wait, or benign (only acts no one reads as "
            "hostile, at or below the status quo)."
        ),
    ] = "wait",
    replicates: Annotated[
        int, typer.Option(help="Replicates per ensemble (paired across ensembles).", min=2)
    ] = 200,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value: dotted.path=value (repeatable)."),
    ] = None,
    permutations: Annotated[
        int,
        typer.Option(
            help="Orderings sampled (in reversed pairs) when the states are too many for exact.",
            min=8,
        ),
    ] = 32,
    workers: Annotated[
        int, typer.Option(help="Processes running ensembles (results do not depend on it).", min=1)
    ] = 2,
    out: Annotated[
        Path | None, typer.Option(help="Directory for attribution.json and report.html.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Who started it: each actor's, event's and domain's share of an outcome, by rerunning the
    ensemble without it (same random draws), under each reading."""
    from secdilemma.analysis.attribution import attribute
    from secdilemma.analysis.compare import READINGS
    from secdilemma.experiments.results import check_output_dir, default_out_dir, write_attribution
    from secdilemma.model.scenario import load_scenario
    from secdilemma.report import write_attribution_report

    try:
        spec = load_scenario(scenario, list(set_ or []))
        target = out or default_out_dir(f"{spec.name}-attribution", spec.seed)
        check_output_dir(target)
        with counted("ensembles", f"{spec.name}: attributing {outcome}", quiet=as_json) as progress:
            result = attribute(
                scenario,
                outcome,
                readings=tuple(lens or READINGS),
                restraint=restraint,
                overrides=list(set_ or []),
                replicates=replicates,
                permutations=permutations,
                workers=workers,
                progress=progress,
            )
        payload = result.as_dict()
        written = write_attribution(
            payload, target, result.per_replicate(), finish=write_attribution_report
        )
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(payload)
        return
    _show_attribution(payload)
    show_written(written)


def _show_attribution(payload: dict) -> None:
    out = Console()
    readings = payload["readings"]
    label = payload["outcome"]["label"]

    def pm(entry: dict, key: str, se: str = "se") -> str:
        value, err = entry.get(key), entry.get(se)
        return (
            "-"
            if value is None
            else f"{value:.3f} ± {err:.3f}"
            if err is not None
            else f"{value:.3f}"
        )

    totals = Table(title=f"{payload['scenario']}: {label} ({payload['replicates']} replicates)")
    for col in ("reading", "everyone acting", "everyone restrained", "total effect"):
        totals.add_column(col, justify="left" if col == "reading" else "right")
    for r in readings:
        totals.add_row(
            r,
            pm(payload["baseline"][r], "mean"),
            pm(payload["restrained"][r], "mean"),
            pm(payload["total"][r], "effect"),
        )
    out.print(totals)
    actors = Table(
        title=f"by actor (restraint: {payload['restraint']}; Shapley {payload['method']}; "
        "alone: that actor restrained, the others acting)"
    )
    actors.add_column("actor")
    for r in readings:
        actors.add_column(f"{r}: Shapley", justify="right")
        actors.add_column(f"{r}: alone", justify="right")
    for actor in payload["by_actor"][readings[0]]:
        row = [actor]
        for r in readings:
            entry = payload["by_actor"][r][actor]
            row += [pm(entry, "shapley"), pm(entry, "alone", "alone_se")]
        actors.add_row(*row)
    out.print(actors)
    for key, title in (("by_event", "by scheduled event (dropped)"), ("by_domain", "by domain")):
        first = payload[key][readings[0]]
        names = [e["event"] for e in first] if isinstance(first, list) else list(first)
        if not names:
            continue
        table = Table(title=title)
        table.add_column("removed")
        for r in readings:
            table.add_column(r, justify="right")
        for n, name in enumerate(names):
            entries = [payload[key][r] for r in readings]
            table.add_row(
                name, *(pm(e[n] if isinstance(e, list) else e[name], "effect") for e in entries)
            )
        out.print(table)


def audit_command(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a YAML path.")],
    actor: Annotated[str, typer.Option(help="The state that plans the act.")],
    action: Annotated[str, typer.Option(help="The act (a catalogue id: secdilemma actions).")],
    target: Annotated[str | None, typer.Option(help="Its target, for an aimed act.")] = None,
    at: Annotated[int, typer.Option(help="The step at which the act is taken.", min=0)] = 0,
    beneficiary: Annotated[
        str | None,
        typer.Option(help="Whose security the act is meant to raise (default: the actor)."),
    ] = None,
    keep: Annotated[
        float,
        typer.Option(help="A recommended variant keeps at least this share of the act's gain."),
    ] = 0.5,
    replicates: Annotated[
        int, typer.Option(help="Replicates per ensemble (paired across ensembles).", min=2)
    ] = 200,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value: dotted.path=value (repeatable)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Processes running ensembles (results do not depend on it).", min=1)
    ] = 2,
    out: Annotated[
        Path | None, typer.Option(help="Directory for audit.json and report.html.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """The perception audit: how each state reads a planned act, what follows, gentler variants
    that keep its security gain, and the actor's blind spot."""
    from secdilemma.analysis.audit import audit
    from secdilemma.experiments.results import check_output_dir, default_out_dir, write_audit
    from secdilemma.model.scenario import load_scenario
    from secdilemma.report import write_audit_report

    try:
        spec = load_scenario(scenario, list(set_ or []))
        target_dir = out or default_out_dir(f"{spec.name}-audit", spec.seed)
        check_output_dir(target_dir)
        with counted(
            "ensembles", f"{spec.name}: auditing {actor} {action}", quiet=as_json
        ) as progress:
            result = audit(
                scenario,
                actor,
                action,
                target=target,
                at=at,
                beneficiary=beneficiary,
                keep=keep,
                replicates=replicates,
                overrides=list(set_ or []),
                workers=workers,
                progress=progress,
            )
        payload = result.as_dict()
        written = write_audit(payload, target_dir, finish=write_audit_report)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(payload)
        return
    _show_audit(payload)
    show_written(written)


def _show_audit(payload: dict) -> None:
    out = Console()

    def pm(entry: dict | None) -> str:
        if not entry or entry.get("mean") is None:
            return "-"
        return f"{entry['mean']:+.4f} ± {entry['se']:.4f}"

    def share(value) -> str:
        return "-" if value is None else f"{value:.2f}"

    when = payload["at"] if payload["year"] is None else f"{payload['year']} (step {payload['at']})"
    act = payload["action"] + (f" -> {payload['target']}" if payload["target"] else "")
    readings = Table(
        title=f"{payload['scenario']}: {payload['actor']} {act} in {when}, against waiting "
        f"({payload['replicates']} paired replicates): how each state reads it"
    )
    for col in ("observer", "lens", "threat", "of the actor", "belief", "seen", "unforeseen"):
        readings.add_column(col, justify="left" if col in ("observer", "lens") else "right")
    for reading in ("structural", "interpretive", "bayesian"):
        readings.add_column(f"as {reading}", justify="right")
    for observer, entry in payload["readings"].items():
        readings.add_row(
            observer,
            entry["lens"],
            pm(entry["threat"]),
            pm(entry["threat_of_actor"]),
            pm(entry["belief"]),
            f"{entry['seen']:.2f}",
            pm(payload["blind_spot"][observer]["unforeseen"]),
            *(f"{entry['under'][r]:+.4f}" for r in ("structural", "interpretive", "bayesian")),
        )
    out.print(readings)
    c = payload["consequences"]
    out.print(
        f"What follows, to the end: war {pm(c['war'])}, spiral {pm(c['spiral'])}, "
        f"{payload['beneficiary']}'s security {pm(c['gain'])}, provocation {pm(c['provocation'])}",
        highlight=False,
    )
    variants = Table(
        title=f"variants (ranked: keeping at least {payload['keep']:.0%} of the gain, then by "
        "provocation)"
    )
    for col in ("variant", "gain kept", "provocation", "avoided", "war"):
        variants.add_column(col, justify="left" if col == "variant" else "right")
    for v in payload["variants"][:15]:
        kept = share(v["gain_kept"])
        if v.get("gain_kept_se") is not None:
            kept += f" ± {v['gain_kept_se']:.2f}"
        variants.add_row(
            v["label"],
            kept,
            pm(v["provocation"]),
            share(v["provocation_avoided"]),
            pm(v["war"]),
        )
    out.print(variants)
    if payload.get("companions_skipped"):
        out.print(
            f"No combinations with an explanation, reassurance, hotline or monitoring: "
            f"{payload['companions_skipped']}.",
            highlight=False,
        )
    rec = payload["recommendation"]
    if rec is None:
        out.print("No variant keeps enough of the gain with less provocation.", highlight=False)
    else:
        out.print(
            f"Recommendation: {rec['label']} (keeps {share(rec['gain_kept'])} of the gain, "
            f"avoids {share(rec['provocation_avoided'])} of the provocation).",
            highlight=False,
        )


def robust_command(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a YAML path.")],
    policies: Annotated[
        Path, typer.Option(help="The policy file (YAML): policies, worlds, objective.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="The sweep directory (run again into it to resume)."),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (results do not depend on it).", min=1)
    ] = 2,
    dask: Annotated[
        str | None,
        typer.Option(help="Run on Dask: 'local' for a LocalCluster, or a scheduler address."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Robust policy: every policy in every state of the world, and the choice under minimax
    regret, maximin, satisficing and the mean."""
    from secdilemma.analysis.robust import robust
    from secdilemma.experiments.results import default_out_dir, write_robust
    from secdilemma.model.scenario import load_scenario
    from secdilemma.report import write_robust_report

    try:
        spec = load_scenario(scenario)
        target = out or default_out_dir(f"{spec.name}-robust", spec.seed)
        with counted("points", f"{spec.name}: policies x worlds", quiet=as_json) as progress:
            result = robust(
                scenario, policies, target, workers=workers, dask=dask, progress=progress
            )
        write_robust(result, target)
        write_robust_report(target)
    except InputError as err:
        fail(err)
    if as_json:
        emit_json(result)
        return
    _show_robust(result)
    show_written(target)


def _show_robust(result: dict) -> None:
    out = Console()
    objective = result["objective"]
    policies = list(result["policies"])
    table = Table(
        title=f"{result['scenario']}: {objective['outcome']} ({objective['goal']}) in each "
        f"state of the world ({result['replicates']} replicates a cell, seed {result['seed']})"
    )
    table.add_column("world")
    names = [k for k in result["worlds"][0] if k != "world"] if result["worlds"] else []
    for name in names:
        table.add_column(name.removeprefix("states."), justify="right")
    for policy in policies:
        table.add_column(policy, justify="right")
    values = {(r["policy"], r["world"]): r[objective["outcome"]] for r in result["outcomes"]}
    for w in result["worlds"]:
        cells = [f"{values[(p, w['world'])]:.3f}" for p in policies]
        table.add_row(str(w["world"]), *(f"{w[n]:.3g}" for n in names), *cells)
    table.add_section()
    rows = [("worst", "worst"), ("mean", "mean"), ("max regret", "max_regret")]
    if objective.get("threshold") is not None:
        rows.append((f"share meeting {objective['threshold']:g}", "share_satisfactory"))
    for label, key in rows:
        blanks = [""] * len(names)
        table.add_row(label, *blanks, *(f"{result['by_policy'][p][key]:.3f}" for p in policies))
    out.print(table)
    choice = ", ".join(f"{rule}: {policy}" for rule, policy in result["choice"].items())
    out.print(f"Chosen: {choice}.", highlight=False)
    if result["rules_disagree"]:
        out.print("The rules disagree.", highlight=False)
    for policy, entry in (result.get("failures") or {}).items():
        where = entry.get("fails_when") or entry.get("note") or ""
        out.print(
            f"{policy} misses the threshold in {entry['worlds_failed']} of {entry['worlds']} "
            f"worlds{': ' + where if where else ''}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("sensitivity")(sensitivity_command)
    app.command("discover")(discover_command)
    app.command("attribute")(attribute_command)
    app.command("audit")(audit_command)
    app.command("robust")(robust_command)
