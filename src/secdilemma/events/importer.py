"""Coded event data as a scenario's history: ``secdilemma events import``.

An event file (ICEWS, GDELT or Phoenix column layouts, or a plain ``date, source, target,
cameo`` table; comma- or tab-separated) is read, each event's actors are mapped to the
scenario's states (``actors``) and its CAMEO code to an act (``cameo.mapping``), and the events
are aggregated to the scenario's steps by one rule (docs/events.md):

- a step is a year: an event of year Y falls in step ``Y - start_year``;
- of one actor's mapped events in one step, the step's act is the most escalatory one (the
  catalogue's escalation score); among equals, an act that opens a war, then the one with more
  force; then the act with more events, the target named most often, and the alphabet;
- a targeted act needs a target among the scenario's states; a self-directed act keeps none;
- an imported event takes its actor's step from the scenario's own events (:func:`with_history`).

Nothing is dropped silently: events whose actor, target or code the scenario cannot use, and
events outside its years, are counted by reason in the result's ``unmapped``.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from secdilemma.errors import NO_VALUE, InputError
from secdilemma.events.actors import actor_lookup, key
from secdilemma.events.cameo import act_of, normalise_code
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Scenario

MAX_BYTES = 200 * 2**20  # an event file; a year of GDELT for a region fits
# The column layouts read: date, actor, target and code columns (the first present is used).
LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "icews": {
        "date": ("Event Date",),
        "source": ("Source Country", "Source Name"),
        "target": ("Target Country", "Target Name"),
        "code": ("CAMEO Code",),
    },
    "gdelt": {
        "date": ("SQLDATE",),
        "source": ("Actor1CountryCode", "Actor1Code"),
        "target": ("Actor2CountryCode", "Actor2Code"),
        "code": ("EventCode",),
    },
    "phoenix": {
        "date": ("story_date",),
        "source": ("source_root", "source"),
        "target": ("target_root", "target"),
        "code": ("code",),
    },
    "plain": {
        "date": ("date",),
        "source": ("source",),
        "target": ("target",),
        "code": ("cameo", "code"),
    },
}


@dataclass
class Imported:
    """The events an import made, and what it could not use, by reason."""

    events: list[dict[str, Any]]  # {step, actor, action, target}, at most one per actor-step
    layout: str
    read: int  # events in the file
    used: int  # events that mapped to an act between the scenario's states
    unmapped: dict[str, Counter] = field(default_factory=dict)  # reason -> what -> count
    years: tuple[int, int] | None = None  # the years the file's events span

    def summary(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "read": self.read,
            "used": self.used,
            "events": len(self.events),
            "years": list(self.years) if self.years else None,
            "unmapped": {
                reason: dict(counts.most_common()) for reason, counts in self.unmapped.items()
            },
        }


def _layout(columns: list[str], source: str) -> tuple[str, dict[str, list[str]]]:
    """The layout whose columns the file has, and for each role the columns present, in the
    order they are tried (a blank country falls back to the actor's name)."""
    for name, layout in LAYOUTS.items():
        chosen = {
            role: [c for c in candidates if c in columns] for role, candidates in layout.items()
        }
        if all(chosen.values()):
            return name, chosen
    raise InputError(
        source,
        "<columns>",
        columns[:8],
        "not an event file layout the importer reads (ICEWS, GDELT, Phoenix, or "
        "date,source,target,cameo); see docs/events.md",
    )


def read_events(path: str | Path) -> tuple[str, pd.DataFrame]:
    """The file's layout and its events as ``date`` (a Timestamp), ``source``, ``target`` and
    ``code`` (a codebook code), one row per event; a row whose date or code cannot be read is
    an error naming the file, the row and the value."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(source, "<file>", source, "no such event file")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(source, "<file>", path.stat().st_size, f"larger than {MAX_BYTES} bytes")
    try:
        table = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise InputError(source, "<file>", NO_VALUE, f"not a readable table: {err}") from None
    layout, columns = _layout(list(table.columns), source)
    date, code = columns["date"][0], columns["code"][0]
    dates = pd.to_datetime(table[date], errors="coerce", format="mixed")
    bad = dates.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(source, f"row {row + 2}: {date}", table[date].iloc[row], "not a date")
    codes = [
        normalise_code(value, source, f"row {row + 2}: {code}")
        for row, value in enumerate(table[code])
    ]
    events = pd.DataFrame(
        {
            "date": dates,
            "source": _first_filled(table, columns["source"]),
            "target": _first_filled(table, columns["target"]),
            "code": codes,
        }
    )
    return layout, events


def _first_filled(table: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per row, the first of ``columns`` that is not blank."""
    out = table[columns[0]].str.strip()
    for column in columns[1:]:
        out = out.where(out != "", table[column].str.strip())
    return out


def import_events(
    path: str | Path,
    scenario: Scenario,
    catalog: Catalog | None = None,
    actors: dict[str, str] | None = None,
) -> Imported:
    """The scenario events an event file makes (see the module's rule). ``actors`` maps more
    names, as the file writes them, to state ids (``--actor "Russian Federation=RUS"``)."""
    if scenario.start_year is None:
        raise InputError(
            str(path), "start_year", None, "the scenario has no years: give it a start_year"
        )
    catalog = catalog or scenario.action_catalog()
    layout, table = read_events(path)
    lookup = actor_lookup(scenario, actors)
    unmapped: dict[str, Counter] = {
        reason: Counter()
        for reason in (
            "actor not in the scenario",
            "target not in the scenario",
            "no act for the CAMEO code",
            "within one state",
            "outside the scenario's years",
        )
    }
    years = table["date"].dt.year
    steps = years - scenario.start_year
    kept = []
    for (_, event), step in zip(table.iterrows(), steps, strict=True):
        act = act_of(event["code"])
        actor = lookup.get(key(event["source"]))
        target = lookup.get(key(event["target"])) if event["target"] else None
        if not 0 <= step < scenario.steps:
            unmapped["outside the scenario's years"][str(event["date"].year)] += 1
        elif actor is None:
            unmapped["actor not in the scenario"][event["source"] or "(blank)"] += 1
        elif act is None:
            unmapped["no act for the CAMEO code"][event["code"]] += 1
        elif catalog.targeted[catalog.index(act)] and (target is None or target == actor):
            if target == actor:
                unmapped["within one state"][f"{event['code']} {actor}"] += 1
            else:
                unmapped["target not in the scenario"][event["target"] or "(blank)"] += 1
        else:
            aimed = bool(catalog.targeted[catalog.index(act)])
            kept.append((int(step), actor, act, target if aimed else None))
    span = (int(years.min()), int(years.max())) if len(table) else None
    return Imported(
        events=aggregate(kept, catalog),
        layout=layout,
        read=len(table),
        used=len(kept),
        unmapped={reason: counts for reason, counts in unmapped.items() if counts},
        years=span,
    )


def _rank(catalog: Catalog, act: str) -> tuple[float, float, float]:
    """An act's place in the aggregation rule (lower first): its escalation score, whether it
    opens a war, its force, each higher first."""
    k = catalog.index(act)
    return (-float(catalog.escalation[k]), -float(catalog.starts_war[k]), -float(catalog.force[k]))


def aggregate(
    kept: list[tuple[int, str, str, str | None]], catalog: Catalog
) -> list[dict[str, Any]]:
    """One act per actor and step: the most escalatory; among equals one that opens a war, then
    the one with more force, more events, the target named most often, the alphabet."""
    by_slot: dict[tuple[int, str], Counter] = {}
    for step, actor, act, target in kept:
        by_slot.setdefault((step, actor), Counter())[(act, target)] += 1
    events = []
    for (step, actor), counts in sorted(by_slot.items()):
        per_act = Counter()
        for (act, _), n in counts.items():
            per_act[act] += n

        (act, target), _ = min(
            counts.items(),
            key=lambda item, per_act=per_act: (
                *_rank(catalog, item[0][0]),
                -per_act[item[0][0]],
                -item[1],
                item[0][0],
                item[0][1] or "",
            ),
        )
        events.append({"step": step, "actor": actor, "action": act, "target": target})
    return events


def with_history(
    raw: dict[str, Any],
    imported: list[dict[str, Any]],
    history: int | None,
    scenario: Scenario,
) -> dict[str, Any]:
    """The raw scenario with the imported events. Where the scenario's own timeline has an
    event of the same actor in the same step, the two compete by the aggregation rule (the more
    escalatory stays; the imported one on a tie): the case's hand-coded acts are the record
    too, and CAMEO has no code for some of them (an alliance's enlargement). A repeating event
    that gives way keeps its other steps. With a ``history`` of K steps, every state with no
    event in a step before K waits (the record shows nothing of it), and ``history_until: K``
    marks where the model takes over."""
    out = copy.deepcopy(raw)
    last = scenario.steps - 1
    catalog = scenario.action_catalog()
    own = {(step, e.actor): e.action for e in scenario.events for step in e.steps(last)}
    imported = [
        e
        for e in imported
        if (e["step"], e["actor"]) not in own
        or _rank(catalog, e["action"]) <= _rank(catalog, own[e["step"], e["actor"]])
    ]
    taken = {(e["step"], e["actor"]) for e in imported}
    kept: list[dict[str, Any]] = []
    for event, parsed in zip(out.get("events") or [], scenario.events, strict=True):
        steps = parsed.steps(last)
        if not any((step, parsed.actor) in taken for step in steps):
            kept.append(event)
            continue
        single = {k: v for k, v in event.items() if k not in ("step", "every", "until")}
        kept += [{"step": s, **single} for s in steps if (s, parsed.actor) not in taken]
    new = [{k: v for k, v in e.items() if v is not None} for e in imported]
    if history is not None:
        busy = taken | {
            (step, e.actor) for e in scenario.events for step in e.steps(last) if step < history
        }
        new += [
            {"step": step, "actor": sid, "action": "wait"}
            for step in range(history)
            for sid in scenario.ids
            if (step, sid) not in busy
        ]
        out["history_until"] = history
    ids = scenario.ids
    out["events"] = sorted(new + kept, key=lambda e: (e["step"], ids.index(e["actor"])))
    return out
