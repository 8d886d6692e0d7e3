"""The step pipeline over a vectorised world: decide, apply, observe, interpret, conflict,
learn, record. One call simulates a block of replicates; blocks join into an ensemble with
results that do not depend on how the replicates were split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from secdilemma.actions import Catalog
from secdilemma.apply import advance_economy, aimed_at, apply_actions
from secdilemma.conflict import actual_security, military_balance, resolve_wars
from secdilemma.decision import OptionSpace, decide
from secdilemma.decision.utility import vulnerability
from secdilemma.learning import learn
from secdilemma.metrics import Outcomes, Recorder
from secdilemma.perception.lenses import interpret, read_acts
from secdilemma.perception.observe import observe
from secdilemma.rng import Stream, Streams
from secdilemma.scenario import Scenario
from secdilemma.world import initial_world

Progress = Callable[[int], None]

# Outcome arrays whose replicate axis is the second one (time comes first).
_TIME_FIRST = {"escalation", "actions", "targets", "scheduled", "state_traj", "pair_traj"}


@dataclass
class Ensemble:
    scenario: Scenario
    catalog: Catalog
    replicates: range
    drawn: dict[str, np.ndarray]
    outcomes: Outcomes

    @property
    def ids(self) -> list[str]:
        return self.scenario.ids


def _scheduled_options(scenario: Scenario, space: OptionSpace) -> dict[int, list[tuple[int, int]]]:
    index = {sid: n for n, sid in enumerate(scenario.ids)}
    by_step: dict[int, list[tuple[int, int]]] = {}
    for event in scenario.events:
        k = space.catalog.index(event.action)
        target = None if event.target is None else index[event.target]
        by_step.setdefault(event.step, []).append((index[event.actor], space.option_of(k, target)))
    return by_step


def simulate(
    scenario: Scenario,
    replicates: range,
    catalog: Catalog | None = None,
    trajectories: bool = True,
    progress: Progress | None = None,
) -> tuple[dict[str, np.ndarray], Outcomes]:
    """Run replicates ``replicates`` (global indices) of ``scenario`` for all its steps."""
    cat = catalog or scenario.action_catalog()
    p = scenario.parameters
    streams = Streams(scenario.seed, replicates)
    w, drawn = initial_world(scenario, streams, cat)
    N = w.shape[1]
    space = OptionSpace(cat, N)
    schedule = _scheduled_options(scenario, space)

    bal = military_balance(w, p)
    security = actual_security(bal)
    recorder = Recorder(w, security, 1 - vulnerability(w, bal).V, scenario.steps, p, trajectories)
    for t in range(scenario.steps):
        choice = decide(w, bal, space, p, streams, t, schedule.get(t, []))
        offense_before, defense_before = w.offense.copy(), w.defense.copy()
        armed = apply_actions(w, choice, cat, p)
        seen = observe(w, choice, cat, streams, t)
        reading = read_acts(w, choice, seen, cat, p, offense_before, defense_before)
        interpret(w, reading, seen, p)

        bal = military_balance(w, p)
        aim = aimed_at(choice, N)
        a = choice.action
        attacks = aim & cat.starts_war[a][:, :, None]
        # An act of force may provoke the target into striking back: a war it initiates.
        provoked = aim & (streams.uniform(Stream.CRISIS, t, (N, N)) < cat.crisis[a][:, :, None])
        provoked = provoked.transpose(0, 2, 1) & ~attacks
        force = np.where(provoked, p.crisis_force, cat.force[a][:, :, None] * aim)
        stakes = np.where(provoked, p.crisis_stakes, cat.stakes[a][:, :, None] * aim)
        nuclear = aim & cat.nuclear_use[a][:, :, None]
        wars = resolve_wars(w, bal, attacks | provoked, force, stakes, nuclear, p, streams, t)
        revealed = learn(w, reading, choice, armed, cat, p, streams, t)
        advance_economy(w, p)

        bal = military_balance(w, p)
        security = actual_security(bal)
        perceived = 1 - choice.vulnerability.V
        recorder.record(t, w, choice, wars, armed, security, perceived, cat, reading, revealed)
        if progress is not None:
            progress(1)
    return drawn, recorder.finish(w, security)


def _join(parts: list[Outcomes]) -> Outcomes:
    joined = {}
    for f in fields(Outcomes):
        values = [getattr(part, f.name) for part in parts]
        if values[0] is None:
            joined[f.name] = None
        else:
            joined[f.name] = np.concatenate(values, axis=1 if f.name in _TIME_FIRST else 0)
    return Outcomes(**joined)


def run_ensemble(
    scenario: Scenario,
    catalog: Catalog | None = None,
    chunk_size: int | None = None,
    trajectories: bool = True,
    progress: Progress | None = None,
) -> Ensemble:
    """All of a scenario's replicates, in blocks of ``chunk_size`` (default: one block)."""
    cat = catalog or scenario.action_catalog()
    R = scenario.replicates
    size = R if not chunk_size else max(1, min(chunk_size, R))
    drawn_parts, outcome_parts = [], []
    for start in range(0, R, size):
        block = range(start, min(start + size, R))
        drawn, outcomes = simulate(scenario, block, cat, trajectories, progress)
        drawn_parts.append(drawn)
        outcome_parts.append(outcomes)
    drawn = {k: np.concatenate([d[k] for d in drawn_parts]) for k in drawn_parts[0]}
    return Ensemble(scenario, cat, range(R), drawn, _join(outcome_parts))
