"""What the lab's page shows of a comparison, as JSON: the readings' rates with intervals,
threat and belief over the scenario's years, the record's shares, and one replicate's history.

Pure functions of the ensembles: the page draws, it computes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from secdilemma.analysis.compare import AUTHORS, Comparison
from secdilemma.engine.pipeline import Ensemble
from secdilemma.engine.records.trajectories import PAIR_VARIABLES, STATE_VARIABLES
from secdilemma.engine.summary import json_safe, war_on_tenfold
from secdilemma.report.text import binomial_interval

LEVEL = 0.95  # the intervals' confidence
BAND = (0.1, 0.5, 0.9)  # the trajectories' quantiles over replicates
TOP_PAIRS = 12  # directed pairs whose trajectories the page gets, most threatened first
VIEWED = ("threat", "belief_greedy")


def rate(hits: np.ndarray) -> dict[str, float]:
    """The share of replicates where ``hits`` holds, with its exact (Clopper-Pearson) interval,
    as the reports give it."""
    n, k = int(hits.size), int(np.count_nonzero(hits))
    low, high = binomial_interval(k, n, LEVEL)
    return {"p": k / n if n else float("nan"), "low": low, "high": high, "n": n}


def axis(ens: Ensemble) -> dict[str, Any]:
    """The x of trajectory points (the state before step t, t = 0..T): years where the
    scenario has them (a year's point is its start), else steps."""
    start = ens.scenario.start_year
    return {"label": "step" if start is None else "year", "points": _points(ens)}


def _points(ens: Ensemble) -> list[int]:
    return (np.arange(ens.scenario.steps + 1) + (ens.scenario.start_year or 0)).tolist()


def _rates(ens: Ensemble) -> dict[str, dict[str, float]]:
    o = ens.outcomes
    return {
        "war": rate(o.war),
        "unscheduled war": rate(o.unscheduled_war),
        "spiral": rate(o.spiral),
        "tragic spiral": rate(o.tragic_spiral),
        "accidental war": rate(o.accidental_war),
        "war on a state ten times stronger": rate(war_on_tenfold(o)),
    }


def _record(ens: Ensemble) -> list[dict[str, Any]]:
    o = ens.outcomes
    return [
        {"fact": fact.description, **rate(o.record_reproduced[:, f] == fact.occurred)}
        for f, fact in enumerate(ens.scenario.record)
    ]


def _initiators(ens: Ensemble) -> dict[str, float]:
    o = ens.outcomes
    R = max(1, o.war.size)
    first = o.first_war_initiator[o.war]
    return {sid: float(np.count_nonzero(first == n) / R) for n, sid in enumerate(ens.ids)}


def _top_pairs(comparison: Comparison) -> list[tuple[int, int]]:
    """The directed pairs most threatened at the end under any reading, up to TOP_PAIRS."""
    ids = next(iter(comparison.ensembles.values())).ids
    N = len(ids)
    ends = np.max([e.outcomes.threat_end.mean(axis=0) for e in comparison.ensembles.values()], 0)
    pairs = [(i, j) for i in range(N) for j in range(N) if i != j]
    pairs.sort(key=lambda p: -ends[p])
    return pairs[:TOP_PAIRS]


def _trajectories(ens: Ensemble, pairs: list[tuple[int, int]]) -> dict[str, Any] | None:
    traj = ens.outcomes.pair_traj
    if traj is None:
        return None
    out: dict[str, Any] = {}
    for variable in VIEWED:
        v = PAIR_VARIABLES.index(variable)
        i, j = np.array(pairs).T
        values = traj[:, :, i, j, v].astype(np.float64)  # (T + 1, R, P)
        bands = np.quantile(values, BAND, axis=1)  # (3, T + 1, P)
        out[variable] = {
            f"{ens.ids[a]}->{ens.ids[b]}": {
                "mean": values[:, :, p].mean(axis=1).tolist(),
                **{name: bands[q, :, p].tolist() for q, name in enumerate(("q10", "q50", "q90"))},
            }
            for p, (a, b) in enumerate(pairs)
        }
    return out


def comparison_view(comparison: Comparison) -> dict[str, Any]:
    """The page's view of a comparison: per reading, the rates, the record's shares, who began
    the first war, and threat and belief over time for the most threatened pairs."""
    first = next(iter(comparison.ensembles.values()))
    pairs = _top_pairs(comparison)
    readings = {
        reading: {
            "author": AUTHORS[reading],
            "rates": _rates(ens),
            "record": _record(ens),
            "first_war_initiator": _initiators(ens),
            "trajectories": _trajectories(ens, pairs),
        }
        for reading, ens in comparison.ensembles.items()
    }
    return json_safe(
        {
            "scenario": comparison.scenario,
            "replicates": first.scenario.replicates,
            "steps": first.scenario.steps,
            "seed": first.scenario.seed,
            "ids": first.ids,
            "x": axis(first),
            # The first point the model chose (steps before it replay imported history).
            "history_until": first.scenario.history_until,
            "pairs": [f"{first.ids[a]}->{first.ids[b]}" for a, b in pairs],
            "readings": readings,
            "turning_parameters": comparison.turning_parameters,
        }
    )


def replicate_view(ens: Ensemble, k: int) -> dict[str, Any]:
    """Replicate ``k``'s history: its acts step by step, its wars, and each directed pair's
    threat and belief and each state's security as they change."""
    o, ids, cat = ens.outcomes, ens.ids, ens.catalog
    T, R, N = o.actions.shape
    if not 0 <= k < R:
        raise IndexError(f"replicate {k} is not in 0..{R - 1}")
    start = ens.scenario.start_year
    label = (lambda t: int(t)) if start is None else (lambda t: int(start + t))
    wait = cat.index("wait")
    t_act, actor = np.nonzero(o.actions[:, k, :] != wait)
    acts = [
        {
            "step": int(t),
            "when": label(t),
            "actor": ids[i],
            "action": cat.ids[o.actions[t, k, i]],
            "target": ids[o.targets[t, k, i]] if o.targets[t, k, i] >= 0 else None,
            "scheduled": bool(o.scheduled[t, k, i]),
            "escalation": float(cat.escalation[o.actions[t, k, i]]),
        }
        for t, i in zip(t_act.tolist(), actor.tolist(), strict=True)
    ]
    # Wars of aggression by their first step, and the first war whatever its cause.
    a, b = np.nonzero(o.aggression_step[k] >= 0)
    begun = set(zip(a.tolist(), b.tolist(), o.aggression_step[k][a, b].tolist(), strict=True))
    if o.war[k]:
        begun.add(
            (int(o.first_war_initiator[k]), int(o.first_war_target[k]), int(o.first_war_step[k]))
        )
    wars = [
        {"step": s, "when": label(s), "initiator": ids[i], "target": ids[j]}
        for i, j, s in sorted(begun, key=lambda w: (w[2], w[0], w[1]))
    ]
    view: dict[str, Any] = {
        "replicate": k,
        "replicates": R,
        "steps": T,
        "x": axis(ens),
        "history_until": ens.scenario.history_until,
        "acts": acts,
        "wars": wars,
        "war": bool(o.war[k]),
        "spiral": bool(o.spiral[k]),
        "greed": dict(zip(ids, o.greed[k].tolist(), strict=True)),
    }
    if o.pair_traj is not None:
        for variable in VIEWED:
            v = PAIR_VARIABLES.index(variable)
            view[variable] = {
                f"{ids[i]}->{ids[j]}": o.pair_traj[:, k, i, j, v].astype(float).tolist()
                for i in range(N)
                for j in range(N)
                if i != j
            }
        # How each observer read the act it saw at each step, beyond the actor's own rating
        # (docs/model.md section 12): point t + 1 holds the reading of step t's act.
        v = PAIR_VARIABLES.index("attribution")
        view["reading"] = {
            f"{ids[i]}->{ids[j]}": o.pair_traj[1:, k, i, j, v].astype(float).tolist()
            for i in range(N)
            for j in range(N)
            if i != j
        }
        view["security"] = {
            sid: o.state_traj[:, k, n, STATE_VARIABLES.index("security")].astype(float).tolist()
            for n, sid in enumerate(ids)
        }
    return json_safe(view)
