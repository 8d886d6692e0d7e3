"""Who started it: counterfactual attribution of wars, spirals and threat to actors, scheduled
events and domains of acts.

The ensemble is run again with one contribution removed and everything else, the random draws
included, the same: every replicate draws from its own streams of the scenario's seed, keyed by
step and purpose, so a counterfactual replicate meets the same dice as its baseline twin and the
difference between them is paired (common random numbers). A contribution is removed by a
documented neutral counterfactual:

* an **actor** is *restrained*: its scheduled events are dropped and its menu cut to ``wait``
  (``restraint="wait"``), or to the acts no observer reads as hostile and that sit at or below
  the status quo on the escalation scale (``restraint="benign"``). What the world does to it
  stays: it can be attacked, strike back when provoked, be drawn in by its allies and stumble
  into an inadvertent war, because those are the world's mechanisms, not acts on its menu;
* a **scheduled event** is dropped;
* a **domain** of acts (military, alliance, covert, ...) is taken off every state's menu and its
  scheduled events are dropped.

Actors' joint effects are split by the Shapley value (Shapley 1953) of the game whose players
are the states and whose value of a coalition ``S`` is the outcome when the states in ``S`` act
freely and the others are restrained: exact for up to ``EXACT_LIMIT`` states (all ``2**N``
coalitions), otherwise estimated from random orderings of the states, each with its reverse
(antithetic permutations; Castro, Gomez and Tejada 2009; Mitchell et al. 2022). Shapley values
are linear in the outcome, so they are computed per replicate and then averaged: a user can ask
whose acts mattered in the replicates that spiralled. Per replicate, the actors' values sum to
the total effect (the outcome with everyone acting minus the outcome with everyone restrained)
exactly, for the exact and the sampled estimator alike.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.analysis.compare import READINGS
from secdilemma.analysis.paired import mean_se, run_jobs
from secdilemma.engine.outcomes import Outcomes
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.errors import InputError
from secdilemma.model.actions import DOMAINS, Catalog
from secdilemma.model.scenario import LENSES, Scenario, load_scenario

RESTRAINTS = ("wait", "benign")
EXACT_LIMIT = 8  # states up to which every coalition is run (2**8 = 256 ensembles a reading)
PERMUTATIONS = 32  # orderings (16 antithetic pairs) sampled beyond EXACT_LIMIT
DEFAULT_REPLICATES = 200
OUTCOMES = ("war", "war:A-B", "spiral", "spiral:A-B", "escalation", "threat:A-B", "record:K")
_PERMUTATION_KEY = 0x5A7  # spawn key of the permutation draws, apart from the engine's streams


@dataclass(frozen=True)
class Measure:
    """An outcome, per replicate: ``values(outcomes)`` is an ``(R,)`` float array."""

    spec: str
    label: str
    binary: bool
    values: Callable[[Outcomes], np.ndarray]


def _pair(spec: str, scenario: Scenario, text: str) -> tuple[int, int]:
    ids = scenario.ids
    parts = text.split("-")
    if len(parts) != 2 or parts[0] == parts[1]:
        raise InputError("--outcome", "outcome", spec, "name a pair of two states as A-B")
    for sid in parts:
        if sid not in ids:
            raise InputError(
                "--outcome", "outcome", spec, f"unknown state id {sid!r}; known: {ids}"
            )
    return ids.index(parts[0]), ids.index(parts[1])


def measure(spec: str, scenario: Scenario) -> Measure:
    """The outcome named by ``spec``: ``war`` (a war not opened by a scheduled event),
    ``war:A-B`` (the same, between A and B), ``spiral``, ``spiral:A-B``, ``escalation`` (the
    mean escalation score per step), ``threat:A-B`` (A's perceived threat of B at the end) or
    ``record:K`` (the K-th fact of the scenario's record reproduced, counting from 1)."""
    kind, _, rest = spec.partition(":")
    if kind == "war" and not rest:
        return Measure(spec, "a war not scheduled", True, lambda o: o.unscheduled_war.astype(float))
    if kind == "spiral" and not rest:
        return Measure(spec, "a spiral", True, lambda o: o.spiral.astype(float))
    if kind == "escalation" and not rest:
        return Measure(spec, "escalation score per step", False, lambda o: o.escalation.mean(0))
    if kind == "war" and rest:
        i, j = _pair(spec, scenario, rest)
        return Measure(
            spec,
            f"a war between {scenario.ids[i]} and {scenario.ids[j]} not scheduled",
            True,
            lambda o: o.unscheduled_war_pair[:, i, j].astype(float),
        )
    if kind == "spiral" and rest:
        i, j = _pair(spec, scenario, rest)
        return Measure(
            spec,
            f"a spiral between {scenario.ids[i]} and {scenario.ids[j]}",
            True,
            lambda o: (o.spiral_pair[:, i, j] | o.spiral_pair[:, j, i]).astype(float),
        )
    if kind == "threat" and rest:
        i, j = _pair(spec, scenario, rest)
        return Measure(
            spec,
            f"{scenario.ids[i]}'s perceived threat of {scenario.ids[j]} at the end",
            False,
            lambda o: o.threat_end[:, i, j].astype(float),
        )
    if kind == "record" and rest:
        count = len(scenario.record)
        if not rest.isdigit() or not 1 <= int(rest) <= count:
            raise InputError(
                "--outcome", "outcome", spec, f"the scenario's record has facts 1 to {count}"
            )
        f = int(rest) - 1
        fact = scenario.record[f]
        return Measure(
            spec,
            f"record: {fact.description}",
            True,
            lambda o: (o.record_reproduced[:, f] == fact.occurred).astype(float),
        )
    raise InputError("--outcome", "outcome", spec, f"unknown outcome; use one of {list(OUTCOMES)}")


# --- counterfactual worlds -------------------------------------------------------------------


def benign_acts(catalog: Catalog) -> list[str]:
    """The acts of a restrained state under ``restraint="benign"``: at or below the status quo
    on the escalation scale, read as hostile by no observer (target or third party)."""
    keep = (catalog.escalation <= 0) & (catalog.hostility <= 0) & (catalog.third_party <= 0)
    return [a for a, k in zip(catalog.ids, keep, strict=True) if k]


def restrain(
    scenario: Scenario, actors: Iterable[str], restraint: str, catalog: Catalog
) -> Scenario:
    """``scenario`` with each of ``actors`` restrained: its events dropped, its menu cut."""
    held = set(actors)
    if not held:
        return scenario
    if restraint not in RESTRAINTS:
        raise InputError("--restraint", "restraint", restraint, f"use one of {list(RESTRAINTS)}")
    allowed = ["wait"] if restraint == "wait" else benign_acts(catalog)
    states = []
    for state in scenario.states:
        if state.id in held:
            menu = allowed if state.actions is None else [a for a in allowed if a in state.actions]
            state = state.model_copy(update={"actions": menu or ["wait"]})
        states.append(state)
    events = [e for e in scenario.events if e.actor not in held]
    return scenario.model_copy(update={"states": states, "events": events})


def drop_event(scenario: Scenario, index: int) -> Scenario:
    events = [e for n, e in enumerate(scenario.events) if n != index]
    return scenario.model_copy(update={"events": events})


def drop_domain(scenario: Scenario, domain: str, catalog: Catalog) -> Scenario:
    """``scenario`` with every act of ``domain`` off every menu (``wait`` stays) and its
    scheduled events dropped."""
    acts = [a for a, d in zip(catalog.ids, catalog.domain, strict=True) if DOMAINS[d] == domain]
    acts = [a for a in acts if a != "wait"]
    states = [
        s.model_copy(update={"exclude_actions": sorted({*s.exclude_actions, *acts})})
        for s in scenario.states
    ]
    events = [e for e in scenario.events if e.action not in acts]
    return scenario.model_copy(update={"states": states, "events": events})


def domains_in_play(scenario: Scenario, catalog: Catalog) -> list[str]:
    """The domains with an act some state may choose or is scheduled to take."""
    used = {e.action for e in scenario.events}
    for state in scenario.states:
        menu = catalog.ids if state.actions is None else [*state.actions, "wait"]
        used |= {a for a in menu if a not in state.exclude_actions and a != "wait"}
    return [d for d in DOMAINS if any(DOMAINS[catalog.domain[catalog.index(a)]] == d for a in used)]


def event_label(scenario: Scenario, index: int) -> str:
    event = scenario.events[index]
    year = scenario.start_year
    when = f"step {event.step}" if year is None else str(year + event.step)
    if event.every is not None:
        last = scenario.steps - 1 if event.until is None else event.until
        when += f"-{last if year is None else year + last}"
    target = f" -> {event.target}" if event.target else ""
    return f"{when}: {event.actor} {event.action}{target}"


# --- Shapley values --------------------------------------------------------------------------


def coalitions(n: int) -> list[frozenset[int]]:
    """Every subset of ``range(n)``."""
    return [frozenset(c) for size in range(n + 1) for c in itertools.combinations(range(n), size)]


def exact_shapley(value: dict[frozenset[int], np.ndarray], n: int) -> np.ndarray:
    """Shapley values ``(n, R)`` per replicate from the value ``(R,)`` of every coalition."""
    weight = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    phi = np.zeros((n, len(value[frozenset()])))
    for S, v in value.items():
        for i in range(n):
            if i not in S:
                phi[i] += weight[len(S)] * (value[S | {i}] - v)
    return phi


def antithetic_permutations(n: int, count: int, seed: int) -> list[tuple[int, ...]]:
    """``count`` orderings of ``range(n)`` (rounded up to even): random ones, each followed by
    its reverse, drawn from the scenario's seed apart from the engine's streams."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_PERMUTATION_KEY,)))
    out = []
    for _ in range(-(-count // 2)):
        order = tuple(int(k) for k in rng.permutation(n))
        out += [order, order[::-1]]
    return out


def sampled_shapley(
    value: dict[frozenset[int], np.ndarray], orders: Sequence[tuple[int, ...]], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values ``(n, R)`` per replicate estimated from ``orders``, and each actor's
    standard error from the sampling of orderings (antithetic pairs taken as one draw)."""
    contributions = np.zeros((len(orders), n, len(value[frozenset()])))
    for m, order in enumerate(orders):
        before: frozenset[int] = frozenset()
        for i in order:
            contributions[m, i] = value[before | {i}] - value[before]
            before = before | {i}
    pairs = contributions.reshape(-1, 2, n, contributions.shape[-1]).mean(axis=1)
    means = pairs.mean(axis=2)  # (pairs, n): each pair's estimate of the ensemble's value
    se = means.std(axis=0, ddof=1) / np.sqrt(len(pairs)) if len(pairs) > 1 else np.zeros(n)
    return contributions.mean(axis=0), se


def coalitions_of(orders: Sequence[tuple[int, ...]]) -> list[frozenset[int]]:
    needed = {frozenset()}
    for order in orders:
        needed |= {frozenset(order[: k + 1]) for k in range(len(order))}
    return sorted(needed, key=lambda c: (len(c), sorted(c)))


# --- running ---------------------------------------------------------------------------------


def _evaluate(job: tuple[Scenario, str]) -> np.ndarray:
    scenario, spec = job
    outcomes = run_ensemble(scenario, trajectories=False).outcomes
    return measure(spec, scenario).values(outcomes).astype(float)


def _effect(values: np.ndarray) -> dict[str, float]:
    mean, se = mean_se(values)
    return {"effect": mean, "se": se}


@dataclass
class ReadingAttribution:
    """One reading's attribution, per replicate: ``baseline`` (everyone acting) and
    ``restrained`` (nobody acting) ``(R,)``; ``shapley`` and ``alone`` (the effect of removing
    the actor alone) ``(N, R)``; ``by_event`` and ``by_domain`` ``(E, R)`` and ``(D, R)``: the
    outcome with everything minus the outcome with the contribution removed."""

    baseline: np.ndarray
    restrained: np.ndarray
    shapley: np.ndarray
    alone: np.ndarray
    by_event: np.ndarray
    by_domain: np.ndarray
    permutation_se: np.ndarray | None = None

    @property
    def total(self) -> np.ndarray:
        return self.baseline - self.restrained


@dataclass
class Attribution:
    scenario: str
    measure: Measure
    restraint: str
    replicates: int
    method: str
    actors: list[str]
    events: list[str]
    domains: list[str]
    readings: dict[str, ReadingAttribution] = field(default_factory=dict)
    start_year: int | None = None

    def among(self, reading: str, occurred: bool = True) -> np.ndarray:
        """The replicates whose baseline outcome happened (binary outcomes), or whose value was
        above the median (continuous ones)."""
        base = self.readings[reading].baseline
        hit = base > 0.5 if self.measure.binary else base > np.median(base)
        return hit if occurred else ~hit

    def per_replicate(self) -> pd.DataFrame:
        """One row per reading, replicate and actor: the outcome with everyone acting
        (``baseline``), the actor's Shapley value and its ``alone`` effect, in that replicate."""
        frames = []
        for reading, r in self.readings.items():
            R, N = len(r.baseline), len(self.actors)
            frames.append(
                pd.DataFrame(
                    {
                        "reading": reading,
                        "replicate": np.tile(np.arange(R), N),
                        "actor": np.repeat(self.actors, R),
                        "baseline": np.tile(r.baseline, N),
                        "shapley": r.shapley.reshape(-1),
                        "alone": r.alone.reshape(-1),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "outcome": {"spec": self.measure.spec, "label": self.measure.label},
            "restraint": self.restraint,
            "replicates": self.replicates,
            "method": self.method,
            "readings": list(self.readings),
            "baseline": {},
            "restrained": {},
            "total": {},
            "by_actor": {},
            "by_event": {},
            "by_domain": {},
        }
        for reading, r in self.readings.items():
            hit = self.among(reading)
            out["baseline"][reading] = dict(zip(("mean", "se"), mean_se(r.baseline), strict=True))
            out["restrained"][reading] = dict(
                zip(("mean", "se"), mean_se(r.restrained), strict=True)
            )
            out["total"][reading] = _effect(r.total)
            total = out["total"][reading]["effect"]
            actors = {}
            for n, actor in enumerate(self.actors):
                shapley, se = mean_se(r.shapley[n])
                if r.permutation_se is not None:
                    se = float(np.hypot(se, r.permutation_se[n]))
                alone, alone_se = mean_se(r.alone[n])
                among, among_se = mean_se(r.shapley[n][hit])
                actors[actor] = {
                    "shapley": shapley,
                    "se": se,
                    "share": shapley / total if total else None,
                    "alone": alone,
                    "alone_se": alone_se,
                    "among_occurred": {
                        "shapley": among,
                        "se": among_se,
                        "replicates": int(hit.sum()),
                    },
                }
            out["by_actor"][reading] = actors
            out["by_event"][reading] = [
                {
                    "event": label,
                    **dict(zip(("effect", "se"), mean_se(r.by_event[n]), strict=True)),
                }
                for n, label in enumerate(self.events)
            ]
            out["by_domain"][reading] = {
                domain: _effect(r.by_domain[n]) for n, domain in enumerate(self.domains)
            }
        return out


def attribute(
    scenario: str,
    outcome: str = "war",
    readings: Sequence[str] = READINGS,
    restraint: str = "wait",
    overrides: list[str] | None = None,
    replicates: int | None = DEFAULT_REPLICATES,
    permutations: int = PERMUTATIONS,
    exact_limit: int = EXACT_LIMIT,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Attribution:
    """Attribute ``outcome`` in ``scenario`` to its actors (Shapley values and one-at-a-time
    effects), its scheduled events and its domains of acts, under each of ``readings`` (every
    state given the reading's lens; ``readings=("scenario",)`` keeps the scenario's own lenses).

    ``replicates`` (default 200; ``None`` keeps the scenario's) replicates per ensemble;
    ``progress(done, total)`` is called after each ensemble. The results do not depend on
    ``workers``: every ensemble is the same scenario and seed with one thing changed.
    """
    if restraint not in RESTRAINTS:
        raise InputError("--restraint", "restraint", restraint, f"use one of {list(RESTRAINTS)}")
    for reading in readings:
        if reading not in (*LENSES, "scenario"):
            raise InputError("--lens", "lens", reading, f"use one of {[*READINGS, 'scenario']}")
    base_overrides = list(overrides or [])
    if replicates is not None:
        base_overrides.append(f"replicates={replicates}")
    first = load_scenario(scenario, base_overrides)
    measure(outcome, first)  # an unknown outcome fails before anything runs
    catalog = first.action_catalog()
    n = len(first.states)
    exact = n <= exact_limit
    orders = [] if exact else antithetic_permutations(n, permutations, first.seed)
    needed = coalitions(n) if exact else coalitions_of(orders)
    if not exact:
        needed = sorted(
            {*needed, *(frozenset(range(n)) - {i} for i in range(n))},
            key=lambda c: (len(c), sorted(c)),
        )
    domains = domains_in_play(first, catalog)
    result = Attribution(
        scenario=first.name,
        measure=measure(outcome, first),
        restraint=restraint,
        replicates=first.replicates,
        method="exact" if exact else f"sampled ({len(orders)} antithetic orderings)",
        actors=first.ids,
        events=[event_label(first, k) for k in range(len(first.events))],
        domains=domains,
        start_year=first.start_year,
    )
    per_reading = len(needed) + len(first.events) + len(domains)
    total_runs, done = per_reading * len(readings), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total_runs)

    everyone = frozenset(range(n))
    for reading in readings:
        lens = [] if reading == "scenario" else [f"states.{k}.lens={reading}" for k in range(n)]
        spec = load_scenario(scenario, [*base_overrides, *lens])
        jobs = [
            (restrain(spec, [spec.ids[k] for k in everyone - S], restraint, catalog), outcome)
            for S in needed
        ]
        jobs += [(drop_event(spec, k), outcome) for k in range(len(spec.events))]
        jobs += [(drop_domain(spec, d, catalog), outcome) for d in domains]
        values = run_jobs(_evaluate, jobs, workers, tick, chunksize=4)
        value = dict(zip(needed, values[: len(needed)], strict=True))
        rest = values[len(needed) :]
        baseline = value[everyone]
        if exact:
            shapley, perm_se = exact_shapley(value, n), None
        else:
            shapley, perm_se = sampled_shapley(value, orders, n)
        result.readings[reading] = ReadingAttribution(
            baseline=baseline,
            restrained=value[frozenset()],
            shapley=shapley,
            alone=np.array([baseline - value[everyone - {i}] for i in range(n)]),
            # Explicit shapes: a scenario may have no scheduled events (or no domains).
            by_event=np.array([baseline - v for v in rest[: len(spec.events)]]).reshape(
                len(spec.events), baseline.size
            ),
            by_domain=np.array([baseline - v for v in rest[len(spec.events) :]]).reshape(
                len(domains), baseline.size
            ),
            permutation_se=perm_se,
        )
    return result
