"""Dispute dyads: every pair of states on opposite sides of a militarized interstate dispute,
with whether it became a war and the pair's attributes in the year it began.

The codings (docs/evidence.md gives the reasons):

* a participant is a state on one side of a dispute (MID B rows of the same state and side are
  joined: its first start year, its last end year, the highest hostility it reached);
* a dyad's **onset** is the later of the two states' start years (the first year both were in);
* a dyad **became a war** when both states reached hostility level 5 (MID's war level), or when
  a COW inter-state war between them, on opposite sides, began between the onset and the
  dispute's end year;
* attributes are those of the onset year: CINC and military expenditure of each side (from
  NMC; a ratio of two expenditures of one year needs no currency conversion), a defence pact
  between the two, a defence pact of either with a third state (COW alliances, in force that
  year), a GRH arms race between the two under way that year, whether the pair is ever a GRH
  rival pair, the years since the pair's previous dispute, and a major-power proxy (one of the
  five largest CINC that year: COW's list of major powers is not among the bundled files).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from secdilemma.evidence.conflict_data import HOSTILITY_WAR, load_mida, load_midb, war_pairs
from secdilemma.model.cow import load_alliances, load_grh, load_nmc

MAJOR_POWER_PROXY = 5  # states with the largest CINC in a year counted as major powers


def participants(midb: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (dispute, state, side)."""
    midb = load_midb() if midb is None else midb
    return midb.groupby(["DispNum3", "ccode", "SideA"], as_index=False).agg(
        abb=("StAbb", "first"),
        start=("StYear", "min"),
        end=("EndYear", "max"),
        hostility=("HostLev", "max"),
        originator=("Orig", "max"),
    )


def _pair_codes(frame: pd.DataFrame) -> pd.DataFrame:
    frame["low"] = np.minimum(frame["ccode_a"], frame["ccode_b"])
    frame["high"] = np.maximum(frame["ccode_a"], frame["ccode_b"])
    return frame


def _dyads_from_participants(people: pd.DataFrame, mida: pd.DataFrame) -> pd.DataFrame:
    side_a = people[people["SideA"] == 1].drop(columns="SideA")
    side_b = people[people["SideA"] == 0].drop(columns="SideA")
    dyads = side_a.merge(side_b, on="DispNum3", suffixes=("_a", "_b"))
    dyads = dyads[dyads["ccode_a"] != dyads["ccode_b"]]
    dyads = _pair_codes(dyads.reset_index(drop=True))
    # A state that switched sides would make a pair twice in one dispute: keep the first.
    dyads = dyads.drop_duplicates(["DispNum3", "low", "high"]).reset_index(drop=True)
    dyads["onset"] = np.maximum(dyads["start_a"], dyads["start_b"])
    ends = mida.set_index("DispNum3")["EndYear"]
    dyads["dispute_end"] = dyads["DispNum3"].map(ends).fillna(dyads["onset"])
    return dyads


def _within(frame: pd.DataFrame, key: str, first: str, last: str, year: str) -> pd.Series:
    """Per ``key``: whether some row has ``first <= year <= last`` (an empty end: open)."""
    hit = (frame[first] <= frame[year]) & (frame[last].fillna(np.inf) >= frame[year])
    return hit.groupby(frame[key]).any()


def _flag(dyads: pd.DataFrame, others: pd.DataFrame, on: list[str], **window: str) -> np.ndarray:
    """Whether each dyad row matches a row of ``others`` on ``on`` within a window of years."""
    rows = dyads[on + [window["year"]]].reset_index(names="row")
    joined = rows.merge(others, on=on)
    if joined.empty:
        return np.zeros(len(dyads), dtype=bool)
    hit = _within(joined, "row", window["first"], window["last"], window["year"])
    return hit.reindex(range(len(dyads)), fill_value=False).to_numpy()


def _defence_pacts() -> pd.DataFrame:
    pacts = load_alliances()
    pacts = pacts[pacts["defense"] == 1]
    both = pd.concat(
        [
            pacts.rename(columns={"ccode1": "state", "ccode2": "partner"}),
            pacts.rename(columns={"ccode2": "state", "ccode1": "partner"}),
        ]
    )
    return both[["state", "partner", "dyad_st_year", "dyad_end_year"]]


def _third_party_pact(dyads: pd.DataFrame, pacts: pd.DataFrame, own: str, other: str):
    rows = dyads[[own, other, "onset"]].reset_index(names="row")
    joined = rows.merge(pacts, left_on=own, right_on="state")
    joined = joined[joined["partner"] != joined[other]]
    if joined.empty:
        return np.zeros(len(dyads), dtype=bool)
    hit = _within(joined, "row", "dyad_st_year", "dyad_end_year", "onset")
    return hit.reindex(range(len(dyads)), fill_value=False).to_numpy()


def _capabilities(dyads: pd.DataFrame, nmc: pd.DataFrame) -> pd.DataFrame:
    nmc = nmc.copy()
    rank = nmc.groupby("year")["cinc"].rank(ascending=False, method="first")
    nmc["major"] = rank <= MAJOR_POWER_PROXY
    values = nmc[["ccode", "year", "cinc", "milex", "major"]]
    for side in ("a", "b"):
        dyads = dyads.merge(
            values.rename(
                columns={
                    "ccode": f"ccode_{side}",
                    "year": "onset",
                    "cinc": f"cinc_{side}",
                    "milex": f"milex_{side}",
                    "major": f"major_{side}",
                }
            ),
            on=[f"ccode_{side}", "onset"],
            how="left",
        )
    for name in ("cinc", "milex"):
        high = np.fmax(dyads[f"{name}_a"], dyads[f"{name}_b"])
        low = np.fmin(dyads[f"{name}_a"], dyads[f"{name}_b"])
        dyads[f"{name}_ratio"] = np.where(low > 0, high / low.where(low > 0), np.nan)
    for side in ("a", "b"):
        dyads[f"major_{side}"] = dyads[f"major_{side}"].fillna(False).astype(bool)
    return dyads


def _years_since_last(dyads: pd.DataFrame) -> pd.Series:
    order = dyads.sort_values(["low", "high", "onset", "DispNum3"])
    previous = order.groupby(["low", "high"])["onset"].shift()
    return (order["onset"] - previous).reindex(dyads.index)


def dispute_dyads() -> pd.DataFrame:
    """The dispute-dyad table (one row per dispute and pair of opponents), 1816-2010."""
    return _dispute_dyads().copy()


@lru_cache(maxsize=1)
def _dispute_dyads() -> pd.DataFrame:
    mida = load_mida()
    dyads = _dyads_from_participants(participants(), mida)
    by_level = (dyads["hostility_a"] == HOSTILITY_WAR) & (dyads["hostility_b"] == HOSTILITY_WAR)
    wars = war_pairs().rename(columns={"ccode_low": "low", "ccode_high": "high"})
    in_cow_war = _cow_war_within(dyads, wars)
    dyads["war"] = by_level.to_numpy() | in_cow_war
    dyads["war_by_level"] = by_level.to_numpy()
    dyads["war_by_cow"] = in_cow_war
    dyads = _capabilities(dyads, load_nmc())
    pacts = _defence_pacts()
    between = pacts.rename(columns={"state": "low", "partner": "high"})
    dyads["pact_between"] = _flag(
        dyads, between, ["low", "high"], first="dyad_st_year", last="dyad_end_year", year="onset"
    )
    dyads["pact_third_a"] = _third_party_pact(dyads, pacts, "ccode_a", "ccode_b")
    dyads["pact_third_b"] = _third_party_pact(dyads, pacts, "ccode_b", "ccode_a")
    grh = load_grh()
    grh = _pair_codes(grh.rename(columns={"ccode1": "ccode_a", "ccode2": "ccode_b"}))
    dyads["arms_race"] = _flag(
        dyads,
        grh[["low", "high", "styear", "endyear"]],
        ["low", "high"],
        first="styear",
        last="endyear",
        year="onset",
    )
    rivals = set(zip(grh["low"], grh["high"], strict=True))
    dyads["grh_pair"] = [pair in rivals for pair in zip(dyads["low"], dyads["high"], strict=True)]
    dyads["years_since_last"] = _years_since_last(dyads)
    return dyads.sort_values(["onset", "DispNum3", "low", "high"]).reset_index(drop=True)


def _cow_war_within(dyads: pd.DataFrame, wars: pd.DataFrame) -> np.ndarray:
    """Whether a COW war between the pair began between the dyad's onset and the dispute's
    end year."""
    rows = dyads[["low", "high", "onset", "dispute_end"]].reset_index(names="row")
    joined = rows.merge(wars[["low", "high", "start"]], on=["low", "high"])
    hit = (joined["start"] >= joined["onset"]) & (joined["start"] <= joined["dispute_end"])
    per_row = hit.groupby(joined["row"]).any()
    return per_row.reindex(range(len(dyads)), fill_value=False).to_numpy()
