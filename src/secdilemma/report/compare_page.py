"""The page comparing the readings of a ``compare`` directory side by side, written by
:func:`write_compare_report` with each reading's own run page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from secdilemma.errors import InputError
from secdilemma.report.figures import compare_arms_plot, compare_pair_plot, compare_timing_plot
from secdilemma.report.load import (
    ESCALATION_THRESHOLD,
    MAX_PAIRS_PLOTTED,
    Run,
    check_dir,
    check_summary,
    load_run,
    read_json,
    read_manifest,
    top_pairs,
)
from secdilemma.report.markup import caption, esc, generic, img, note, page, section, table
from secdilemma.report.run_page import REPORT_NAME, write_atomic, write_run_report
from secdilemma.report.tables import OPTIONAL_RATES, UNSCHEDULED, interval_text
from secdilemma.report.text import (
    arrow,
    is_num,
    list_words,
    num,
    record_facts,
    scheduled_sentence,
)

MAX_PAIRS_COMPARED = 4  # pairs overlaid in one panel of the comparison
MAX_STATES_COMPARED = 10  # state rows per measure in the comparison table


def _compared_states(runs: dict[str, Run]) -> list[str]:
    """All states when few; else those most often first to war or to escalate, over readings."""
    ids = next(iter(runs.values())).ids
    if len(ids) <= MAX_STATES_COMPARED:
        return list(ids)
    score = {
        sid: sum(
            float(r.summary["first_war_initiator"].get(sid) or 0.0)
            + r.first_escalators.get(sid, 0.0)
            for r in runs.values()
        )
        for sid in ids
    }
    ranked = sorted(ids, key=lambda sid: -score[sid])[:MAX_STATES_COMPARED]
    return [sid for sid in ids if sid in ranked]


def _reading_table(runs: dict[str, Run], pairs: list[tuple[int, int]]) -> str:
    names = list(runs)
    ids = next(iter(runs.values())).ids
    states = _compared_states(runs)

    def row(label: str, key: str, fn: Any) -> tuple:
        return (label, *((fn(r), {"data-reading": n, "data-key": key}) for n, r in runs.items()))

    war = [
        row("war rate", "p_war", lambda r: num(r.summary["p_war"])),
        row(
            "95% interval of the war rate",
            "p_war_ci",
            lambda r: interval_text(r.summary["p_war"], r.replicates),
        ),
    ]
    if _schedules_war(runs):  # what the model says first, then the rate that counts the script
        unscheduled = "p_war_unscheduled"
        war = [
            row(UNSCHEDULED, unscheduled, lambda r: num(r.summary[unscheduled])),
            row(
                f"95% interval of the {UNSCHEDULED}",
                "p_war_unscheduled_ci",
                lambda r: interval_text(r.summary[unscheduled], r.replicates),
            ),
            ("war rate, the scheduled war included", *war[0][1:]),
            ("95% interval of that war rate", *war[1][1:]),
        ]
    shown = {r[1][1]["data-key"] for r in war}
    first = next(iter(runs.values()))
    years = [
        row(
            "mean year of the first war",
            "first_war_year_mean",
            lambda r: num(
                first.start_year + r.summary["first_war_step_mean"]
                if is_num(r.summary["first_war_step_mean"])
                else None,
                1,
            ),
        )
    ]
    rows = [
        row("replicates", "replicates", lambda r: str(r.replicates)),
        *war,
        row(
            "mean step of the first war",
            "first_war_step_mean",
            lambda r: num(r.summary["first_war_step_mean"], 1),
        ),
        *(years if first.start_year is not None else []),
        *(
            row(label, key, lambda r, key=key: num(r.summary.get(key)))
            for key, label in OPTIONAL_RATES.items()
            if key not in shown and all(key in r.summary for r in runs.values())
        ),
        row("spiral rate", "p_spiral", lambda r: num(r.summary["p_spiral"])),
        row("tragic spiral rate", "p_tragic_spiral", lambda r: num(r.summary["p_tragic_spiral"])),
        row(
            "escalation score per step",
            "escalation_score_mean",
            lambda r: num(r.summary.get("escalation_score_mean"), 2),
        ),
    ]
    per_state = (
        ("first_war_initiator", "started the first war", lambda r, k, sid: r.summary[k].get(sid)),
        (
            "first_escalator",
            f"escalated first (chosen acts \u2265 {ESCALATION_THRESHOLD})",
            lambda r, k, sid: r.first_escalators.get(sid),
        ),
        ("security_change", "security change", lambda r, k, sid: r.summary[k].get(sid)),
        ("arms_change", "arms change", lambda r, k, sid: r.summary[k].get(sid)),
    )
    for key, label, get in per_state:
        for sid in states:
            rows.append(
                row(
                    f"{sid} {label}",
                    f"{key}.{sid}",
                    lambda r, sid=sid, key=key, get=get: num(get(r, key, sid)),
                )
            )
    for key, label in (
        ("misperception_belief", "belief gap"),
        ("misperception_threat", "threat gap"),
    ):
        for i, j in pairs:
            pair = f"{ids[i]}->{ids[j]}"
            rows.append(
                row(
                    f"{arrow(pair)} {label}",
                    f"{key}.{pair}",
                    lambda r, pair=pair, key=key: num(r.summary[key].get(pair)),
                )
            )
    out = table(("measure", *names), rows, "readings")
    if len(states) < len(ids):
        out += caption(
            f"Showing the {len(states)} of {len(ids)} states most often first to war or to "
            "escalate, over the readings."
        )
    n_directed = len(ids) * (len(ids) - 1)
    if len(pairs) < n_directed:
        out += caption(
            f"Gaps for the {len(pairs)} of {n_directed} directed pairs with the highest mean "
            "final perceived threat over the readings."
        )
    return out


def _record_section(record: Any, readings: Sequence[str]) -> str:
    """compare.json's ``record``: per reading, the share of replicates reproducing each fact."""
    per_reading = (
        {r: record_facts(record.get(r)) for r in readings} if isinstance(record, dict) else None
    )
    if per_reading is None or any(v is None for v in per_reading.values()):
        return generic(record)  # a shape this module does not know: show it as it is
    facts = list(dict.fromkeys(d for v in per_reading.values() for d, _ in v))
    if not facts:
        return note("The scenario lists no facts of the historical record.")
    shares = {r: dict(v) for r, v in per_reading.items()}
    rows = [
        (
            fact,
            *(
                (num(shares[r].get(fact)), {"data-reading": r, "data-key": f"record.{n}"})
                for r in readings
            ),
        )
        for n, fact in enumerate(facts)
    ]
    return table(("fact of the record", *readings), rows) + caption(
        "Share of replicates that reproduce each fact of the historical record, per reading."
    )


def _turning_section(rows: Any, readings: Sequence[str]) -> str:
    """compare.json's ``turning_parameters``: per parameter, its effect on each outcome under
    each reading (dicts keyed by reading), one table row per parameter and outcome."""
    known = isinstance(rows, list) and all(isinstance(r, dict) and "parameter" in r for r in rows)
    if not known:
        return generic(rows)
    if not rows:
        return note("compare.json lists no turning parameters.")
    table_rows = []
    for row in rows:
        effects = [
            (k, v) for k, v in row.items() if isinstance(v, dict) and set(v) <= set(readings) and v
        ]
        scalars = {
            k: v
            for k, v in row.items()
            if k != "parameter" and not isinstance(v, dict | list) and not k.startswith("size_")
        }
        extra = ", ".join(f"{k} {num(v)}" for k, v in scalars.items())
        for n, (key, values) in enumerate(effects or [("", {})]):
            table_rows.append(
                (
                    str(row["parameter"]) if n == 0 else "",
                    key.removeprefix("effect_on_"),
                    *(num(values.get(r)) for r in readings),
                    extra if n == 0 else "",
                )
            )
    return table(("parameter", "effect on", *readings, "overall"), table_rows) + caption(
        "As listed in compare.json, in its order: the drawn parameters on which the readings' "
        "conclusions turn, with each parameter's effect on each outcome under each reading."
    )


def _extremes(values: dict[str, float], what: str, digits: int = 3) -> str:
    # Compare as printed, so that two readings shown with the same number count as a tie.
    shown = {name: num(v, digits) for name, v in values.items()}
    top, bottom = max(values.values()), min(values.values())
    if len(set(shown.values())) == 1:
        return f"The {what} is {shown[next(iter(shown))]} under every reading."
    high = [n for n in values if shown[n] == num(top, digits)]
    low = [n for n in values if shown[n] == num(bottom, digits)]

    def under(names: list[str]) -> str:
        return f"the {list_words(names)} reading{'s' if len(names) > 1 else ''}"

    return (
        f"The {what} is highest under {under(high)} ({num(top, digits)}) and lowest "
        f"under {under(low)} ({num(bottom, digits)})."
    )


def _schedules_war(runs: dict[str, Run]) -> bool:
    """Whether a war the scenario schedules happened, with the rate of the others known."""
    return any(scheduled_sentence(r) is not None for r in runs.values()) and all(
        is_num(r.summary.get("p_war_unscheduled")) for r in runs.values()
    )


def _scheduled_sentences(runs: dict[str, Run]) -> list[str]:
    """Where the scenario schedules a war: that it happens, then how the readings differ on the
    wars it does not schedule (the model's own wars), before the rate that counts both."""
    if not _schedules_war(runs):
        return []
    if all(r.scheduled_war_replicates == r.replicates for r in runs.values()):
        where = "every replicate under every reading"
    else:
        where = list_words(
            [
                f"{r.scheduled_war_replicates} of {r.replicates} replicates under the {n} reading"
                for n, r in runs.items()
            ]
        )
    rates = {n: float(r.summary["p_war_unscheduled"]) for n, r in runs.items()}
    words = _extremes(rates, "share of replicates with one")
    return [
        f"A war the scenario schedules happens in {where}; wars it does not schedule: "
        + words[0].lower()
        + words[1:]
    ]


def _compare_sentences(runs: dict[str, Run]) -> list[str]:
    out = _scheduled_sentences(runs)
    scheduled = bool(out)
    for key, what, digits in (
        ("p_war", "war rate, the scheduled war included," if scheduled else "war rate", 3),
        ("first_war_step_mean", "mean step of the first war", 1),
        ("p_spiral", "spiral rate", 3),
        ("p_tragic_spiral", "tragic spiral rate", 3),
    ):
        values = {n: float(r.summary[key]) for n, r in runs.items() if is_num(r.summary[key])}
        year = next(iter(runs.values())).start_year
        if key == "first_war_step_mean" and year is not None:  # said in years
            values = {n: year + v for n, v in values.items()}
            what = "mean year of the first war"
        if values:
            out.append(_extremes(values, what, digits))
    leaders = {}
    for name, run in runs.items():
        shares = {sid: v for sid, v in run.first_escalators.items() if v > 0}
        if shares:
            top = max(shares, key=shares.get)
            leaders[name] = f"{top} ({shares[top]:.1%} of replicates) under the {name} reading"
    if leaders:
        out.append(
            f"Most often first to escalate (chosen acts scoring {ESCALATION_THRESHOLD} or more): "
            f"{list_words(list(leaders.values()))}."
        )
    return out


def _compare_plots(runs: dict[str, Run]) -> str:
    with_traj = {n: r for n, r in runs.items() if r.trajectories is not None}
    parts = []
    missing = [n for n in runs if n not in with_traj]
    if missing:
        parts.append(
            note(
                f"No trajectories for {', '.join(missing)}, so the arms, threat and belief "
                f"panels leave {'it' if len(missing) == 1 else 'them'} out."
            )
        )
    if with_traj:
        first = next(iter(with_traj.values()))
        uri, states, log = compare_arms_plot(with_traj)
        parts.append("<h3>Arms</h3>" + img(uri, "arms by reading"))
        parts.append(
            caption(
                "Offense plus defense per state: median and 10\u201390% band across replicates"
                + (
                    f", the {len(states)} states with the largest arms"
                    if len(states) < len(first.ids)
                    else ""
                )
                + (", log scale" if log else "")
                + "."
            )
        )
        pairs = first.trajectories.pairs[:MAX_PAIRS_COMPARED]
        for which, title in (
            ("threat", "Perceived threat"),
            ("belief", "Belief that the other is greedy"),
        ):
            if not pairs:
                break
            uri = compare_pair_plot(with_traj, pairs, which, title.lower())
            parts.append(f"<h3>{esc(title)}</h3>" + img(uri, f"{title} by reading"))
        if pairs:
            parts.append(
                caption(
                    f"Median and 10\u201390% band across replicates for the {len(pairs)} directed "
                    "pairs with the highest mean final perceived threat over the readings."
                )
            )
    uri = compare_timing_plot(runs)
    parts.append("<h3>Escalation and war</h3>" + img(uri, "escalation and war by reading"))
    parts.append(
        caption(
            "Left: mean per-step escalation score with its 10\u201390% band across replicates. "
            "Right: the share of replicates in which a war has begun by each step."
        )
    )
    return "".join(parts)


def write_compare_report(directory: Path) -> Path:
    """Write ``report.html`` at the top of a compare directory and one in each reading's run
    directory; return the top one's path.

    The directory holds ``compare.json`` (``scenario``, ``readings``: reading -> summary,
    optionally ``turning_parameters`` and ``record``) and a run directory per reading.
    """
    directory = check_dir(Path(directory))
    compare_path = directory / "compare.json"
    compare = read_json(compare_path)
    readings = compare.get("readings")
    if not isinstance(readings, dict) or not readings:
        raise InputError(str(compare_path), "readings", readings, "expected reading -> summary")
    ids: list[str] | None = None
    for name, summary in readings.items():
        if not isinstance(summary, dict):
            raise InputError(str(compare_path), f"readings.{name}", summary, "expected a summary")
        check_summary(summary, f"{compare_path}: readings.{name}")
        manifest_path = check_dir(directory / name) / "manifest.json"
        these = read_manifest(directory / name)[1]
        if ids is not None and these != ids:
            raise InputError(str(manifest_path), "scenario.states", these, f"expected {ids}")
        ids = these
    assert ids is not None
    # One set of pairs for every reading, so that the panels side by side show the same pairs.
    pairs = top_pairs(readings.values(), ids, MAX_PAIRS_PLOTTED)
    runs: dict[str, Run] = {}
    for name, summary in readings.items():
        own = load_run(directory / name)
        write_run_report(own)
        if own.summary == summary and own.trajectories_pairs == pairs:
            runs[name] = own  # nothing differs: skip reading the files a second time
        else:
            runs[name] = load_run(directory / name, summary=summary, pairs=pairs)
    first = next(iter(runs.values()))
    names = list(runs)
    scenario = compare.get("scenario") or first.manifest["scenario"].get("name")
    links = "".join(
        f'<li><a href="{esc(name)}/{REPORT_NAME}">{esc(name)}</a>: '
        f"{esc(' '.join(sorted(set(r.lenses.values()))))} lens; "
        f"{r.replicates} replicates, {r.steps} steps, seed {esc(r.manifest.get('seed'))}</li>"
        for name, r in runs.items()
    )
    description = " ".join(str(first.manifest["scenario"].get("description") or "").split())
    body = [
        f"<header><h1>{esc(scenario)}: {len(runs)} readings compared</h1>",
        f'<p class="description">{esc(description)}</p>',
        f"<p>Each reading's own report:</p><ul>{links}</ul></header>",
        section(
            "readings",
            "Readings side by side",
            '<ul class="narrative">'
            + "".join(f"<li>{esc(s)}</li>" for s in _compare_sentences(runs))
            + "</ul>"
            + _table_note()
            + _reading_table(runs, pairs[:MAX_PAIRS_PLOTTED]),
        ),
    ]
    if "record" in compare:
        body.append(
            section("record", "The historical record", _record_section(compare["record"], names))
        )
    if "turning_parameters" in compare:
        body.append(
            section(
                "turning-parameters",
                "Turning parameters",
                _turning_section(compare["turning_parameters"], names),
            )
        )
    body.append(section("plots", "Plots by reading", _compare_plots(runs)))
    return write_atomic(
        directory / REPORT_NAME, page(f"{scenario}: readings compared", "".join(body))
    )


def _table_note() -> str:
    return caption(
        "Shares are of all replicates. Changes are means: security end minus start, arms end over "
        "start minus one. Gaps are the final belief (or perceived threat) minus the other's true "
        f"greed. 'Escalated first' counts chosen acts scoring {ESCALATION_THRESHOLD} or more on "
        "the Rivera et al. (2024) scale; states first escalating in the same step each count."
    )
