"""Who an event's actor is in a scenario: country codes and names mapped to the scenario's
states.

An event file names a country by an ISO 3166-1 alpha-3 code (GDELT, Phoenix), a COW code or
abbreviation, or a name (ICEWS: "Russian Federation"). ``data/countries.csv`` links each COW
state to its ISO code and the names event data use. A scenario's state stands for the COW
states its ``calibration:`` block lists (nato-russia's BLT is Estonia, Latvia and Lithuania);
otherwise for the country its id or name denotes (an ISO code such as UKR, a COW abbreviation,
or a country's name).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from secdilemma.events.cameo import DATA
from secdilemma.model.scenario import Scenario


def key(text: str) -> str:
    """A name as lookups compare it: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


@cache
def countries() -> list[dict[str, str]]:
    with Path(str(DATA / "countries.csv")).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def demonyms() -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    with Path(str(DATA / "demonyms.csv")).open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(int(row["ccode"]), []).append(row["demonym"])
    return out


@cache
def country_codes() -> dict[str, int]:
    """Every way of naming a COW state (its code, COW abbreviation, ISO code, name and
    aliases), as lookup keys, to its COW code."""
    names: dict[str, int] = {}
    for row in countries():
        ccode = int(row["ccode"])
        words = [row["ccode"], row["cow_abb"], row["iso3"], row["name"]]
        words += [a for a in row["aliases"].split("|") if a]
        for word in words:
            if word:
                names.setdefault(key(word), ccode)
    return names


def state_codes(scenario: Scenario) -> dict[str, set[int]]:
    """The COW codes each of the scenario's states stands for (empty where none is known)."""
    lookup = country_codes()
    out: dict[str, set[int]] = {}
    block = (scenario.calibration or {}).get("states") or {}
    for state in scenario.states:
        members = block.get(state.id)
        if members:
            out[state.id] = {lookup[key(m)] for m in members if key(m) in lookup} or set()
            continue
        found = {lookup[key(w)] for w in (state.id, state.name or "") if w and key(w) in lookup}
        out[state.id] = found
    return out


def actor_lookup(scenario: Scenario, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Lookup keys of every name, code and demonym of the countries the scenario's states
    stand for, to the state's id; ``extra`` maps further names (an event file's own actor
    names) to state ids, and wins over the rest."""
    lookup = country_codes()
    by_code = {code: sid for sid, codes in state_codes(scenario).items() for code in codes}
    out = {k: by_code[c] for k, c in lookup.items() if c in by_code}
    for code, sid in by_code.items():
        for demonym in demonyms().get(code, []):
            out.setdefault(key(demonym), sid)
    for state in scenario.states:  # a state's own id and name always name it
        out.setdefault(key(state.id), state.id)
        if state.name:
            out.setdefault(key(state.name), state.id)
    for name, sid in (extra or {}).items():
        out[key(name)] = sid
    return out
