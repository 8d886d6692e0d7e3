"""A world for each dispute built from all its participants at onset (``secdilemma evidence
score --harness participants``; docs/evidence.md).

The two-state harness (``evidence/worlds.py``) turns each dispute dyad into a world of two
states; the record's order across the eras lies in what such a world cannot carry: the number
of participants, a state joining a dispute begun by others (docs/evidence.md, "How hard the
target is"). Here each dispute becomes one world of every participant, and each dyad of it is
read from that world. The mapping, and why:

* **Members.** The states of the dispute by the dyad's onset year, by the rule of
  ``regularities.participants_at_onset`` (a state that joined in the onset year counts; the
  dispute's final size is later information). The dyads of one dispute with different onsets
  therefore get different worlds: one world per dispute and onset year, each with its members
  by that year. A state on both sides of one dispute is one state in the world, on the side it
  joined first (side A on a tie).
* **Capabilities** from the NMC of the onset year through the scenario ``calibration:`` block,
  exactly as ``worlds.dispute_world`` sets them (the block takes any number of states; wealth
  scales to the largest economy among the members, forces to the reference burden), with
  defence pacts among every pair of members from the alliance data of that year. A member
  without an NMC record that has a military and an economic component that year cannot be
  built: it is left out of the world, and the dyads it belongs to have no world.
* **Motives.** Greed Beta(1, 3), the observers' prior (``worlds.GREED``), for every state
  except the originators on side A, which get the harness's initiator greed (the two-state
  harness gives it to side A as a whole; here a state that joined side A later is a joiner,
  not the state whose greed began the dispute).
* **The opening.** Each side-A originator present by onset makes a display of force
  (``worlds.OPENING``) at step 0 against a side-B originator present by onset (side-A
  originators and side-B targets in code order, paired in turn, so several initiators spread
  over several targets); with no side-B originator present, against the side-B members in
  turn; with no side-A originator present, no opening.
* **Arms races.** A GRH race under way in the onset year between two members is a running
  build-up, as in the two-state harness: both build arms at steps 0 and 1. A state in several
  races builds once a step (``build_arms`` has no target), and a side-A originator's step 0
  is its opening.
* **Seed** of the world's own (dispute number and onset year), so that a dyad's result does
  not depend on which worlds run beside it or on the number of workers.
* Distance is the model's default, as in the two-state harness; a step is a year; a dyad's
  probability of war is the share of replicates in which its two states fight each other
  within ``STEPS`` steps (``Outcomes.war_pair``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.evidence.worlds import BUILD_UP, GREED, OPENING, REPLICATES, STEPS

LAST_NMC_YEAR = 2016
WORLDS_PER_CHUNK = 25


@dataclass(frozen=True)
class Member:
    """A state of a dispute world: its COW code, side (``"a"`` or ``"b"``) and whether it is
    one of the dispute's originators."""

    ccode: int
    side: str
    originator: bool

    @property
    def sid(self) -> str:
        return f"s{self.ccode}"


@dataclass(frozen=True)
class DisputeWorld:
    """One world: a dispute at a dyad's onset year, its members, the GRH races among them,
    and the dispute's states left out for want of NMC data."""

    dispute: int
    year: int
    members: tuple[Member, ...]
    races: tuple[tuple[int, int], ...] = ()
    left_out: tuple[int, ...] = field(default=())


def dispute_states(dyads: pd.DataFrame) -> pd.DataFrame:
    """One row per (dispute, state, side) of the dyad table, with the state's start year and
    originator flag: the states ``participants_at_onset`` counts. Pass the whole table."""
    sides = [
        dyads[["DispNum3", f"ccode_{s}", f"start_{s}", f"originator_{s}"]]
        .set_axis(["DispNum3", "ccode", "start", "originator"], axis=1)
        .assign(side=s)
        for s in ("a", "b")
    ]
    return pd.concat(sides).drop_duplicates(["DispNum3", "ccode", "side"]).reset_index(drop=True)


def members_by(states: pd.DataFrame, year: int) -> tuple[Member, ...]:
    """The states of one dispute (rows of ``dispute_states``) in it by ``year``, each once: a
    state on both sides is kept on the side it joined first (side A on a tie)."""
    present = states[states["start"] <= year].sort_values(["start", "side", "ccode"])
    present = present.drop_duplicates("ccode")
    return tuple(
        Member(int(r.ccode), str(r.side), bool(r.originator == 1))
        for r in present.sort_values(["side", "ccode"]).itertuples()
    )


def capability_years(nmc: pd.DataFrame) -> set[tuple[int, int]]:
    """The (state, year) pairs whose NMC record has a military and an economic component,
    which ``model.calibration.capabilities`` needs (the rule of ``regularities.scored_rows``)."""
    from secdilemma.model.calibration import ECONOMIC, MILITARY

    complete = nmc[list(MILITARY)].notna().any(axis=1) & nmc[list(ECONOMIC)].notna().any(axis=1)
    complete &= nmc[list(ECONOMIC)].fillna(0).sum(axis=1) > 0  # wealth must be positive
    return set(zip(nmc.loc[complete, "ccode"], nmc.loc[complete, "year"], strict=True))


def races_in(grh: pd.DataFrame, codes: Iterable[int], year: int) -> tuple[tuple[int, int], ...]:
    """The pairs of ``codes`` (low, high) with a GRH arms race under way in ``year``."""
    codes = set(codes)
    live = (grh["styear"] <= year) & (grh["endyear"].fillna(np.inf) >= year)
    live &= grh["ccode1"].isin(codes) & grh["ccode2"].isin(codes)
    pairs = {
        (min(a, b), max(a, b))
        for a, b in zip(grh.loc[live, "ccode1"], grh.loc[live, "ccode2"], strict=True)
    }
    return tuple(sorted(pairs))


def dispute_worlds(dyads: pd.DataFrame, whole: pd.DataFrame | None = None) -> list[DisputeWorld]:
    """The worlds ``dyads`` need: one per dispute and onset year among them, with members from
    ``whole`` (the whole dyad table, by default ``dyads``), built from NMC and GRH."""
    from secdilemma.model.cow import load_grh, load_nmc

    states = dispute_states(dyads if whole is None else whole)
    by_dispute = dict(tuple(states.groupby("DispNum3")))
    known = capability_years(load_nmc())
    grh = load_grh()
    worlds = []
    keys = dyads[["DispNum3", "onset"]].drop_duplicates().sort_values(["DispNum3", "onset"])
    for dispute, onset in keys.itertuples(index=False):
        year = min(int(onset), LAST_NMC_YEAR)
        everyone = members_by(by_dispute[dispute], int(onset))
        built = tuple(m for m in everyone if (m.ccode, year) in known)
        left_out = tuple(m.ccode for m in everyone if (m.ccode, year) not in known)
        races = races_in(grh, [m.ccode for m in built], int(onset))
        worlds.append(DisputeWorld(int(dispute), int(onset), built, races, left_out))
    return worlds


def world_seed(world: DisputeWorld) -> int:
    """A seed of the world's own: dispute number and onset year."""
    return world.dispute * 1_000 + (world.year - 1800)


def openings(members: Sequence[Member]) -> list[tuple[str, str]]:
    """(actor, target) of each step-0 display of force: side-A originators against side-B
    originators (or, with none present, side-B members), paired in turn in code order."""
    actors = [m for m in members if m.side == "a" and m.originator]
    targets = [m for m in members if m.side == "b" and m.originator] or [
        m for m in members if m.side == "b"
    ]
    if not targets:
        return []
    return [(a.sid, targets[n % len(targets)].sid) for n, a in enumerate(actors)]


def build_ups(
    members: Sequence[Member], races: Iterable[tuple[int, int]], busy: set[tuple[str, int]]
) -> list[dict[str, Any]]:
    """The build-up events of the races under way: each racing state builds arms at steps 0
    and 1, once a step, except where ``busy`` (state, step) already holds an act."""
    racing = {code for pair in races for code in pair}
    return [
        {"step": step, "actor": m.sid, "action": BUILD_UP}
        for m in members
        if m.ccode in racing
        for step in (0, 1)
        if (m.sid, step) not in busy
    ]


def participant_world(
    world: DisputeWorld,
    replicates: int = REPLICATES,
    steps: int = STEPS,
    lens: str = "structural",
    initiator_greed: Mapping[str, Any] | None = None,
    joiner_greed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The raw scenario (a mapping, as read from YAML) of one dispute world.
    ``initiator_greed`` is the distribution of the side-A originators' greed, ``joiner_greed``
    that of the members that joined the dispute begun by others (each by default ``GREED``,
    as the side-B originators')."""
    opening = openings(world.members)
    events = [
        {"step": 0, "actor": actor, "action": OPENING, "target": target}
        for actor, target in opening
    ]
    events += build_ups(world.members, world.races, {(actor, 0) for actor, _ in opening})

    def greed(m: Member) -> dict[str, Any]:
        if m.side == "a" and m.originator:
            return dict(initiator_greed or GREED)
        return dict(GREED if m.originator else joiner_greed or GREED)

    states = [{"id": m.sid, "greed": greed(m), "lens": lens} for m in world.members]
    return {
        "name": f"dispute-{world.dispute}-{world.year}",
        "steps": steps,
        "replicates": replicates,
        "seed": world_seed(world),
        "states": states,
        "events": events,
        "calibration": {
            "year": min(world.year, LAST_NMC_YEAR),
            "states": {m.sid: [m.ccode] for m in world.members},
            "alliances": "defense",
        },
    }


def _run_worlds(
    worlds: list[DisputeWorld],
    pairs: list[list[tuple[int, int]]],
    replicates: int,
    steps: int,
    lens: str,
    initiator: float | None,
    constants: dict[str, float] | None = None,
    joiner: float | None = None,
) -> list[list[float]]:
    """For each world, the share of replicates with a war between each of its ``pairs`` of
    COW codes (NaN for a pair not both in the world, or a world that cannot be built)."""
    from secdilemma.engine import run_ensemble  # in the worker process
    from secdilemma.errors import InputError, ScenarioError
    from secdilemma.evidence.calibrate import initiator_greed
    from secdilemma.model.scenario import parse_scenario

    greed = None if initiator is None else initiator_greed(initiator)
    joiners = None if joiner is None else initiator_greed(joiner)  # the same Beta family
    out = []
    for world, wanted in zip(worlds, pairs, strict=True):
        index = {m.ccode: n for n, m in enumerate(world.members)}
        if len(index) < 2 or not any(a in index and b in index for a, b in wanted):
            out.append([math.nan] * len(wanted))
            continue
        try:
            raw = participant_world(
                world, replicates, steps, lens, initiator_greed=greed, joiner_greed=joiners
            )
            if constants:
                raw["parameters"] = dict(constants)
            spec = parse_scenario(raw, f"dispute {world.dispute}")
        except (InputError, ScenarioError):
            out.append([math.nan] * len(wanted))
            continue
        war = run_ensemble(spec, trajectories=False).outcomes.war_pair
        out.append(
            [
                float(war[:, index[a], index[b]].mean()) if a in index and b in index else math.nan
                for a, b in wanted
            ]
        )
    return out


def model_probabilities(
    dyads: pd.DataFrame,
    whole: pd.DataFrame | None = None,
    lens: str = "structural",
    replicates: int = REPLICATES,
    steps: int = STEPS,
    workers: int = 1,
    initiator: float | None = None,
    constants: dict[str, float] | None = None,
    worlds: list[DisputeWorld] | None = None,
    joiner: float | None = None,
) -> np.ndarray:
    """Each dyad's probability of war in its dispute's world (NaN where none could be built),
    in the order of ``dyads``; members come from ``whole`` (the whole dyad table), or pass the
    ``dispute_worlds`` of ``dyads`` built already. ``initiator`` and ``joiner`` are the mean
    greed of the side-A originators and of the members that joined (None: the prior). Each
    world has its own seed, so the result does not depend on ``workers``."""
    if worlds is None:
        worlds = dispute_worlds(dyads, whole)
    keyed = dyads.assign(row=np.arange(len(dyads)))
    rows = keyed.groupby(["DispNum3", "onset"])
    wanted, where = [], []
    for world in worlds:
        group = rows.get_group((world.dispute, world.year))
        pairs = zip(group["ccode_a"].astype(int), group["ccode_b"].astype(int), strict=True)
        wanted.append(list(pairs))
        where.append(group["row"].to_numpy())
    spans = range(0, len(worlds), WORLDS_PER_CHUNK)
    chunks = [(worlds[i : i + WORLDS_PER_CHUNK], wanted[i : i + WORLDS_PER_CHUNK]) for i in spans]
    args = (replicates, steps, lens, initiator, constants, joiner)
    if workers <= 1:
        parts = [_run_worlds(w, p, *args) for w, p in chunks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_worlds, w, p, *args) for w, p in chunks]
            parts = [f.result() for f in futures]
    p = np.full(len(dyads), np.nan)
    for rows_of, values in zip(where, (v for part in parts for v in part), strict=True):
        p[rows_of] = values
    return p


def world_census(worlds: Sequence[DisputeWorld]) -> dict[str, Any]:
    """What the worlds hold: their count and sizes, how many have an opening, races, or
    members left out for want of NMC data."""
    sizes = np.array([len(w.members) for w in worlds])
    return {
        "worlds": len(worlds),
        "disputes": len({w.dispute for w in worlds}),
        "members_median": float(np.median(sizes)) if len(sizes) else math.nan,
        "members_max": int(sizes.max()) if len(sizes) else 0,
        "worlds_without_opening": sum(not openings(w.members) for w in worlds),
        "worlds_with_race": sum(bool(w.races) for w in worlds),
        "worlds_with_members_left_out": sum(bool(w.left_out) for w in worlds),
        "members_left_out": sum(len(w.left_out) for w in worlds),
    }
