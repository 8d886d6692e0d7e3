"""The page of one run: header, summary, trajectory, war and escalation sections, tables and
sources, written atomically as report.html by :func:`write_report`."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from secdilemma.errors import InputError
from secdilemma.report.figures import (
    MAX_EDGES,
    arms_plot,
    escalation_plot,
    network_plot,
    pair_grid,
    war_plot,
)
from secdilemma.report.load import Run, load_run, one_line
from secdilemma.report.markup import caption, esc, img, note, page, section, table
from secdilemma.report.tables import headline_rows, summary_tables
from secdilemma.report.text import narrative, num, plural, scheduled_sentence

REPORT_NAME = "report.html"
NO_TRAJECTORY_PLOTS = "arms over time, perceived threat, belief greedy and the threat network"


def _header(run: Run) -> str:
    m, scenario = run.manifest, run.manifest["scenario"]
    name = scenario.get("name") or run.summary.get("scenario") or run.directory.name
    description = " ".join(str(scenario.get("description") or "").split())
    years = (
        [("years", f"{run.start_year}\u2013{run.start_year + run.steps - 1}")]
        if run.start_year is not None
        else []
    )
    history = []
    if run.history_until:
        until = run.history_until + (run.start_year or 0)
        unit = "year" if run.start_year is not None else "step"
        history = [
            ("history", f"the record's events replayed until {unit} {until}; the model after")
        ]
    rows = [
        ("replicates", m.get("replicates")),
        ("steps", m.get("steps")),
        *years,
        *history,
        ("seed", m.get("seed")),
        ("version", m.get("version")),
        ("git commit", m.get("git_hash")),
        ("created", m.get("created")),
        ("overrides", " ".join(m.get("overrides") or []) or "none"),
    ]
    meta = table(
        ("run", "value"),
        [(k, (num(v) if v is not None else "n/a", {"data-key": k})) for k, v in rows],
        "meta",
    )
    states = table(
        ("id", "name", "lens", "policy"),
        [
            (s.get("id", ""), s.get("name", ""), s.get("lens", ""), s.get("policy", ""))
            for s in scenario.get("states", [])
        ],
    )
    return (
        f"<header><h1>{esc(name)}</h1>"
        f'<p class="description">{esc(description)}</p>{meta}'
        f"<details><summary>{plural(len(run.ids), 'state')}</summary>{states}</details>"
        "</header>"
    )


def _trajectory_sections(run: Run) -> list[str]:
    tr = run.trajectories
    if tr is None:
        unavailable = note(
            f"Not available: {run.trajectories_note}, so these plots cannot be drawn: "
            f"{NO_TRAJECTORY_PLOTS}. Run the scenario again without --no-trajectories to get them."
        )
        return [
            section("arms", "Arms over time", unavailable),
            section("threat", "Perceived threat", unavailable),
            section("belief", "Belief that the other is greedy", unavailable),
            section("network", "Threat network", unavailable),
        ]
    N = len(run.ids)
    uri, states, log = arms_plot(run)
    arms_caption = (
        "Median (line) and 10\u201390% band across replicates of each state's offense plus defense."
    )
    if len(states) < N:
        arms_caption += (
            f" Showing the {len(states)} of {N} states with the largest median at the end."
        )
    if log:
        arms_caption += " Log scale: the states' arms differ by orders of magnitude."
    sections = [
        section("arms", "Arms over time", img(uri, "arms over time") + caption(arms_caption))
    ]
    n_directed = N * (N - 1)
    chosen = (
        f"the {len(tr.pairs)} of {n_directed} directed pairs with the highest mean final "
        "perceived threat"
        if len(tr.pairs) < n_directed
        else "every directed pair"
    )
    for anchor, title, which, ylabel in (
        ("threat", "Perceived threat", "threat", "perceived threat"),
        ("belief", "Belief that the other is greedy", "belief", "belief greedy"),
    ):
        if not tr.pairs:
            sections.append(section(anchor, title, note("No pairs: the scenario has one state.")))
            continue
        body = img(pair_grid(run, which, ylabel), title) + caption(
            f"i \u2192 j is i's {ylabel} of j: median and 10\u201390% band across replicates, "
            f"for {chosen}."
        )
        sections.append(section(anchor, title, body))
    if N == 1:
        sections.append(
            section("network", "Threat network", note("No pairs: the scenario has one state."))
        )
    else:
        uri, edges = network_plot(run)
        cap = (
            "States on a circle; an arrow i \u2192 j is i's perceived threat from j, mean over "
            "replicates, wider and darker when higher (one colour scale, 0 to 1, for all panels)."
        )
        if edges < n_directed:
            cap += f" At most the {MAX_EDGES} strongest of the {n_directed} arrows per panel."
        sections.append(
            section("network", "Threat network", img(uri, "threat network") + caption(cap))
        )
    return sections


def _war_section(run: Run) -> str:
    if not (run.first_war_step >= 0).any():
        return section(
            "war-timing",
            "War timing",
            note(f"No replicate had a war in {run.steps} steps, so there is no timing to plot."),
        )
    unit = "step" if run.start_year is None else "year"
    body = img(war_plot(run), "war timing") + caption(
        f"Left: the {unit} of the first war in the replicates with a war. Right: the share of "
        f"all replicates in which a war has begun by each {unit} (wars here are events of one "
        "step, so this is the cumulative share, not the share at war)."
        + (
            " Both count the war the scenario schedules."
            if scheduled_sentence(run) is not None
            else ""
        )
    )
    return section("war-timing", "War timing", body)


def _paired_cell(entry: dict) -> str:
    difference, se = entry["difference"], entry["se"]
    spread = "" if se != se else f" ± {1.96 * se:.3f}"  # (nan: one replicate)
    return f"{difference:+.3f}{spread}"


def _when(start_year: int | None, t: int, last: int) -> str:
    """Row t of the trajectories is the world after t steps: the start of year start_year + t,
    and after the last step the end of the last year."""
    if start_year is None:
        return f"after step {t}"
    return f"end of {start_year + t - 1}" if t == last else str(start_year + t)


def _choice_section(run: Run) -> str:
    """What the states that choose their reading changed, against the same world with their
    charity fixed where the chosen path starts (paired replicates: analysis.reading_choice)."""
    effect = run.summary.get("reading_choice")
    if not effect:
        return ""
    rows = []
    for what, label in (("war", "a war the timeline does not schedule"), ("spiral", "a spiral")):
        e = effect[what]
        rows.append((label, num(e["fixed"]), num(e["chosen"]), _paired_cell(e)))
    for e in effect.get("record", []):
        label = f"record: {e['description']}"
        rows.append((label, num(e["fixed"]), num(e["chosen"]), _paired_cell(e)))
    for sid, entry in effect["by_chooser"].items():
        for what, label in (
            ("war", f"{sid} in a war not scheduled"),
            ("spiral", f"{sid} in a spiral"),
            ("security_end", f"{sid}'s security at the end"),
        ):
            e = entry[what]
            rows.append((label, num(e["fixed"]), num(e["chosen"]), _paired_cell(e)))
    body = table(
        ("outcome", "reading fixed", "reading chosen", "chosen − fixed (95%)"), rows, "choice"
    )
    paths = []
    for sid, entry in effect["by_chooser"].items():
        path = entry.get("charity_path")
        if not path:
            continue
        head = ("reading of", *(_when(run.start_year, t, path["steps"][-1]) for t in path["steps"]))
        lines = [
            (f"{sid} of {other} (chosen)", *(num(v) for v in values))
            for other, values in path["chosen"].items()
        ]
        lines += [
            (f"{sid} of {other} (fixed)", *(num(v) for v in values))
            for other, values in path.get("fixed", {}).items()
        ]
        paths.append(table(head, lines, "charity"))
    who = effect["choosers"]
    text = caption(
        f"{', '.join(who)} chose {'its' if len(who) == 1 else 'their'}"
        " charity every step (docs/model.md section 11). The same world, seed and draws were run "
        "again with that charity held at its starting value (moved neither by choice nor by "
        "social learning), "
        f"so each of the {effect['replicates']} replicates is paired with its twin; the last "
        "column is the mean paired difference with a 95% interval. Below: the mean charity, "
        "chosen and fixed, toward each other state."
    )
    return section("choice", "What choosing the reading did", body + text + "".join(paths))


def _escalation_section(run: Run) -> str:
    body = img(escalation_plot(run), "escalation over time") + caption(
        "Mean across replicates (line) and 10\u201390% band of the per-step escalation score, "
        "the sum of the Rivera et al. (2024) scores of the acts taken in that step (from "
        "events.parquet)."
    )
    return section("escalation", "Escalation over time", body)


def _sources(run: Run) -> str:
    sources = run.manifest["scenario"].get("sources") or []
    if not sources:
        return ""
    items = "".join(f"<li>{esc(s)}</li>" for s in sources)
    return section("sources", "Scenario sources", f"<ul>{items}</ul>")


NAV = (
    ("summary", "Summary"),
    ("arms", "Arms"),
    ("threat", "Threat"),
    ("belief", "Belief"),
    ("network", "Network"),
    ("war-timing", "War timing"),
    ("escalation", "Escalation"),
    ("tables", "Tables"),
)


def _run_body(run: Run) -> str:
    links = list(NAV)
    if run.summary.get("reading_choice"):
        links.insert(-1, ("choice", "Chosen reading"))
    nav = "<nav>" + "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in links) + "</nav>"
    notes = ""
    if run.trajectories is None:
        notes = note(
            f"Some plots are unavailable ({NO_TRAJECTORY_PLOTS}): {run.trajectories_note}."
        )
    summary = (
        '<ul class="narrative">'
        + "".join(f"<li>{esc(sentence)}</li>" for sentence in narrative(run))
        + "</ul>"
        + table(("measure", "value"), headline_rows(run), "headline")
    )
    return "".join(
        [
            _header(run),
            nav,
            notes,
            section("summary", "Summary", summary),
            *_trajectory_sections(run),
            _war_section(run),
            _escalation_section(run),
            _choice_section(run),
            section("tables", "Tables", summary_tables(run)),
            _sources(run),
        ]
    )


def write_atomic(path: Path, text: str) -> Path:
    """Write via a temporary file in the same directory and rename it into place, so a reader
    sees the old report or the new one, never a partial file."""
    # open(..., "x") rather than mkstemp: the file gets the usual umask mode, not 0600.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise InputError(
                str(path), "<file>", path.name, f"cannot write: {one_line(err)}"
            ) from None
        raise
    return path


def write_report(directory: Path) -> Path:
    """Write ``report.html`` in a results directory from the files in it; return its path.

    Raises :class:`~secdilemma.errors.InputError` naming the file when the directory or a
    required file (manifest.json, summary.json, runs.parquet, events.parquet) is missing or
    unreadable. A missing or empty trajectories.parquet is not an error: the report says which
    plots are unavailable.
    """
    return write_run_report(load_run(Path(directory)))


def write_run_report(run: Run) -> Path:
    name = run.manifest["scenario"].get("name") or run.directory.name
    text = page(f"{name}: secdilemma report", _run_body(run))
    return write_atomic(run.directory / REPORT_NAME, text)
