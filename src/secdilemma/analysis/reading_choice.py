"""What choosing a reading did: a scenario in which some state chooses its charity
(``charity_choice``), against the same scenario with that state's charity held where the chosen
path starts (its starting charity toward each state, which neither choice nor social learning
then moves: ``charity_choice: {hold: true}``), run with the same seed.

The two runs share their random numbers (the choice draws none), so each replicate is paired
with its twin and the differences below are paired: "Russia's choice of reading raised the
chance of war by X" reads off ``war``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from secdilemma.analysis.paired import mean_se
from secdilemma.engine.pipeline import Ensemble, run_ensemble
from secdilemma.engine.records.trajectories import PAIR_VARIABLES
from secdilemma.model.scenario import Scenario

CHARITY = PAIR_VARIABLES.index("charity")


def choosers(scenario: Scenario) -> list[str]:
    """The ids of the states whose charity is a choice."""
    return [
        s.id for s in scenario.states if s.charity_choice is not None and not s.charity_choice.hold
    ]


def fixed_reading(scenario: Scenario) -> Scenario:
    """``scenario`` with every chosen charity held where it starts."""
    fixed = scenario.model_copy(deep=True)
    for state in fixed.states:
        if state.charity_choice is not None:
            state.charity_choice = state.charity_choice.model_copy(update={"hold": True})
    return fixed


def _paired(chosen: np.ndarray, fixed: np.ndarray) -> dict[str, float]:
    difference, se = mean_se(chosen.astype(float) - fixed.astype(float))
    return {
        "chosen": float(np.mean(chosen)),
        "fixed": float(np.mean(fixed)),
        "difference": difference,
        "se": se,
    }


def choice_effect(chosen: Ensemble, fixed: Ensemble) -> dict[str, Any]:
    """Paired differences, chosen minus fixed: a war the timeline does not schedule, a spiral,
    each fact of the scenario's record, and each chooser's unscheduled wars, spirals and
    security at the end; with the chosen charity's mean path toward each other state (start, a
    quarter, half, end) where the chosen run kept trajectories."""
    ids = chosen.ids
    a, b = chosen.outcomes, fixed.outcomes
    out: dict[str, Any] = {
        "choosers": choosers(chosen.scenario),
        "replicates": len(a.war),
        "war": _paired(a.unscheduled_war, b.unscheduled_war),
        "spiral": _paired(a.spiral, b.spiral),
        "record": [
            {
                "description": fact.description,
                **_paired(
                    a.record_reproduced[:, f] == fact.occurred,
                    b.record_reproduced[:, f] == fact.occurred,
                ),
            }
            for f, fact in enumerate(chosen.scenario.record)
        ],
        "by_chooser": {},
    }
    for sid in out["choosers"]:
        k = ids.index(sid)
        entry: dict[str, Any] = {
            "war": _paired(
                a.unscheduled_war_pair[:, k].any(axis=1), b.unscheduled_war_pair[:, k].any(axis=1)
            ),
            "spiral": _paired(a.spiral_pair[:, k].any(axis=1), b.spiral_pair[:, k].any(axis=1)),
            "security_end": _paired(a.security_end[:, k], b.security_end[:, k]),
        }
        if a.pair_traj is not None:
            path = a.pair_traj[:, :, k, :, CHARITY].mean(axis=1)  # (T + 1, N)
            fixed_path = None if b.pair_traj is None else b.pair_traj[:, :, k, :, CHARITY]
            T = path.shape[0] - 1
            at = sorted({0, T // 4, T // 2, T})
            entry["charity_path"] = {
                "steps": at,
                "chosen": {o: [float(path[t, j]) for t in at] for j, o in enumerate(ids) if j != k},
            }
            if fixed_path is not None:
                entry["charity_path"]["fixed"] = {
                    o: [float(fixed_path[t, :, j].mean()) for t in at]
                    for j, o in enumerate(ids)
                    if j != k
                }
        out["by_chooser"][sid] = entry
    return out


def what_the_choice_did(
    scenario: Scenario, chosen: Ensemble | None = None, trajectories: bool = True
) -> dict[str, Any]:
    """Run ``scenario`` (unless ``chosen`` is its ensemble already) and its fixed-reading twin,
    and return :func:`choice_effect`. Empty when no state chooses its charity."""
    if not choosers(scenario):
        return {}
    chosen = chosen or run_ensemble(scenario, trajectories=trajectories)
    fixed = run_ensemble(fixed_reading(scenario), trajectories=trajectories)
    return choice_effect(chosen, fixed)
