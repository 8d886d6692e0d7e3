"""The page of an attribution directory (``secdilemma attribute``): who and what a war, a
spiral or a threat is owed to, under each reading, from ``attribution.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secdilemma.experiments.results import ATTRIBUTION_NAME
from secdilemma.report.figures import attribution_plot
from secdilemma.report.load import read_result
from secdilemma.report.markup import caption, esc, img, note, page, section, table
from secdilemma.report.run_page import REPORT_NAME, write_atomic
from secdilemma.report.text import num

REQUIRED = ("scenario", "outcome", "readings", "baseline", "total", "by_actor", "by_event")


def _pm(entry: dict[str, Any], key: str, se: str = "se") -> str:
    return f"{num(entry.get(key))} ± {num(entry.get(se))}"


def _actor_rows(payload: dict[str, Any]) -> list[list[str]]:
    readings = payload["readings"]
    actors = list(payload["by_actor"][readings[0]])
    rows = []
    for actor in actors:
        row = [actor]
        for reading in readings:
            entry = payload["by_actor"][reading][actor]
            row += [_pm(entry, "shapley"), _pm(entry, "alone", "alone_se")]
        rows.append(row)
    return rows


def _effect_rows(payload: dict[str, Any], key: str) -> list[list[str]]:
    readings = payload["readings"]
    first = payload[key][readings[0]]
    names = [e["event"] for e in first] if isinstance(first, list) else list(first)
    rows = []
    for n, name in enumerate(names):
        row = [name]
        for reading in readings:
            entries = payload[key][reading]
            entry = entries[n] if isinstance(entries, list) else entries[name]
            row.append(_pm(entry, "effect"))
        rows.append(row)
    return rows


def body(payload: dict[str, Any]) -> str:
    readings = payload["readings"]
    outcome = payload["outcome"]["label"]
    head = (
        f"<h1>Who started it: {esc(payload['scenario'])}</h1>"
        f'<p class="description">The outcome: {esc(outcome)}. Each contribution is removed in '
        f"turn ({esc(payload['restraint'])} as the actors' restraint; scheduled events dropped; "
        "domains taken off every menu) and the same replicates are run again with the same "
        f"random draws ({payload['replicates']} replicates per ensemble; Shapley values "
        f"{esc(payload['method'])}). Figures are means ± one standard error of the paired "
        "differences.</p>"
    )
    totals = table(
        ("reading", "everyone acting", "everyone restrained", "total effect"),
        [
            (
                r,
                _pm(payload["baseline"][r], "mean"),
                _pm(payload["restrained"][r], "mean"),
                _pm(payload["total"][r], "effect"),
            )
            for r in readings
        ],
    )
    actor_head = ["actor"] + [f"{r}: {k}" for r in readings for k in ("Shapley", "alone")]
    actors = (
        img(attribution_plot(payload), "Shapley values by actor")
        + caption(
            "Bars: each actor's Shapley value (its fair share of the total effect; 95% "
            "intervals). Diamonds: the effect of restraining that actor alone, the others "
            "acting. Shares of a joint effect are split evenly between the actors it needs."
        )
        + table(actor_head, _actor_rows(payload))
    )
    among = table(
        ["actor", *readings],
        [
            [actor]
            + [
                f"{num(payload['by_actor'][r][actor]['among_occurred']['shapley'])} "
                f"({payload['by_actor'][r][actor]['among_occurred']['replicates']} replicates)"
                for r in readings
            ]
            for actor in payload["by_actor"][readings[0]]
        ],
    )
    effect_head = ["removed", *readings]
    events = payload["by_event"][readings[0]]
    sections = [
        head,
        section("totals", "The outcome with and without the actors", totals),
        section("actors", "By actor", actors),
        section(
            "among",
            "In the replicates where it happened",
            caption("Mean Shapley value among the replicates whose outcome occurred.") + among,
        ),
        section(
            "events",
            "By scheduled event",
            table(effect_head, _effect_rows(payload, "by_event"))
            if events
            else note("The scenario schedules no events."),
        ),
        section(
            "domains",
            "By domain of acts",
            table(effect_head, _effect_rows(payload, "by_domain")),
        ),
    ]
    return "".join(sections)


def write_attribution_report(directory: Path) -> Path:
    """Write ``report.html`` in an attribution directory from its ``attribution.json``."""
    payload = read_result(directory, ATTRIBUTION_NAME, REQUIRED, "an attribution")
    text = page(f"{payload['scenario']}: who started it", body(payload))
    return write_atomic(Path(directory) / REPORT_NAME, text)
