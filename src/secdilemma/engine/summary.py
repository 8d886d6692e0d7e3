"""Tables and the summary of an ensemble: one row per replicate, tidy trajectories, acts."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.engine.outcomes import Outcomes
from secdilemma.engine.pipeline import Ensemble
from secdilemma.engine.records.trajectories import PAIR_VARIABLES, STATE_VARIABLES
from secdilemma.formal.jervis import world_label

TENFOLD = 10.0


def war_on_tenfold(o: Outcomes) -> np.ndarray:
    """(R,) bool: the first war was begun, by an act the scenario did not schedule, against a
    state with at least ``TENFOLD`` times the initiator's forces at the start: small states
    starting wars on great powers, which the record almost never shows."""
    r = np.flatnonzero(o.war)
    i, j, t = o.first_war_initiator[r], o.first_war_target[r], o.first_war_step[r]
    stronger = o.arms_start[r, j] >= TENFOLD * o.arms_start[r, i]
    chosen = ~o.scheduled[t, r, i]
    out = np.zeros(o.war.shape, dtype=bool)
    out[r] = stronger & chosen & (j >= 0)
    return out


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if x.size else math.nan


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else math.nan


def json_safe(value: Any) -> Any:
    """Non-finite floats as None (JSON null), NumPy scalars as Python ones, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def summarize(ens: Ensemble) -> dict[str, Any]:
    """The ensemble's ``summary.json``: shares of replicates (``p_war``, ``p_spiral``, by pair
    and by cause), means over replicates (security, arms and wealth change by state; beliefs,
    threat and misperception by directed pair ``"i->j"``), acts taken, the historical record's
    facts reproduced. docs/model.md section 12 defines each entry.

    >>> from secdilemma import load_scenario, run_ensemble, summarize
    >>> summary = summarize(run_ensemble(load_scenario("nato-russia", ["replicates=30"])))
    >>> summary["replicates"], 0 <= summary["p_war"] <= 1, sorted(summary["security_change"])[:3]
    (30, True, ['BLT', 'DEU', 'GEO'])
    >>> summary["record"][0]["description"]
    'Russia goes to war with Georgia by 2008'
    """
    o, ids = ens.outcomes, ens.ids
    N = len(ids)
    pairs = [(i, j) for i in range(N) for j in range(i + 1, N)]
    pair_key = {(i, j): "-".join(sorted((ids[i], ids[j]))) for i, j in pairs}
    directed = [(i, j) for i in range(N) for j in range(N) if i != j]
    # Acts per replicate, without a loop over replicates: offset each replicate's codes.
    T, R, _ = o.actions.shape
    K = ens.catalog.size
    codes = o.actions.astype(np.int64) + K * np.arange(R)[None, :, None]
    per_replicate = np.bincount(codes.ravel(), minlength=K * R).reshape(R, K)
    initiators = o.first_war_initiator[o.war]
    worlds = world_label(
        ens.drawn["world.offense_defense_balance"], ens.drawn["world.distinguishability"]
    )
    summary: dict[str, Any] = {
        "scenario": ens.scenario.name,
        "replicates": R,
        "steps": ens.scenario.steps,
        "seed": ens.scenario.seed,
        "start_year": ens.scenario.start_year,  # the year of step 0, or None
        "p_war": _mean(o.war),
        "p_war_unscheduled": _mean(o.unscheduled_war),
        "p_war_pair": {pair_key[i, j]: _mean(o.war_pair[:, i, j]) for i, j in pairs},
        "p_spiral": _mean(o.spiral),
        "p_spiral_pair": {pair_key[i, j]: _mean(o.spiral_pair[:, i, j]) for i, j in pairs},
        "p_tragic_spiral": _mean(o.tragic_spiral),
        "first_war_step_mean": _mean(o.first_war_step[o.war]),
        "first_war_initiator": {ids[n]: float(np.sum(initiators == n) / R) for n in range(N)},
        "security_change": {
            ids[n]: _mean(o.security_end[:, n] - o.security_start[:, n]) for n in range(N)
        },
        "arms_change": {
            ids[n]: _mean(o.arms_end[:, n] / np.maximum(o.arms_start[:, n], 1e-12) - 1.0)
            for n in range(N)
        },
        "wealth_change": {
            ids[n]: _mean(o.wealth_end[:, n] / o.wealth_start[:, n] - 1.0) for n in range(N)
        },
        "belief_greedy": {f"{ids[i]}->{ids[j]}": _mean(o.belief_end[:, i, j]) for i, j in directed},
        "perceived_threat": {
            f"{ids[i]}->{ids[j]}": _mean(o.threat_end[:, i, j]) for i, j in directed
        },
        "misperception_belief": {
            f"{ids[i]}->{ids[j]}": _mean(o.belief_end[:, i, j] - o.greed[:, j]) for i, j in directed
        },
        "misperception_threat": {
            f"{ids[i]}->{ids[j]}": _mean(o.threat_end[:, i, j] - o.greed[:, j]) for i, j in directed
        },
        "attribution_asymmetry": {
            f"{ids[i]}->{ids[j]}": _ratio(
                o.attribution_sum[:, i, j].sum(), o.attribution_count[:, i, j].sum()
            )
            for i, j in directed
        },
        "false_alarm_share": _ratio(o.false_alarms.sum(), o.benign_seen.sum()),
        "miss_share": _ratio(o.misses.sum(), o.hostile_seen.sum()),
        "lies_revealed_mean": _mean(o.lies_revealed),
        "initiator_loss_mean": _ratio(o.initiator_loss.sum(), o.n_wars.sum()),
        "escalation_score_mean": _mean(o.escalation),
        "jervis_world": {label: float(np.mean(worlds == label)) for label in np.unique(worlds)},
        "wars_by_cause": {
            "deliberate": _mean(o.wars_deliberate),
            "provoked": _mean(o.wars_provoked),
            "inadvertent": _mean(o.wars_inadvertent),
            "joined": _mean(o.wars_joined),
            "bandwagon": _mean(o.wars_bandwagon),
        },
        "p_accidental_war": _mean(o.accidental_war),
        "p_war_on_tenfold": _mean(war_on_tenfold(o)),
        "p_nuclear_use": _mean(o.nuclear_use),
        "aggressor": {ids[n]: _mean(o.aggressor[:, n]) for n in range(N)},
        "incidents_mean": _mean(o.incidents),
        "violations_mean": _mean(o.violations),
        "violation_detection_share": _ratio(o.violations_detected.sum(), o.violations.sum()),
        "verification_false_alarms_mean": _mean(o.verification_false_alarms),
        "verification_false_alarm_rate": _ratio(
            o.verification_false_alarms.sum(), o.verified_steps.sum()
        ),
        "record": [
            {
                "description": fact.description,
                "share": _mean(o.record_reproduced[:, f] == fact.occurred),
            }
            for f, fact in enumerate(ens.scenario.record)
        ],
        "alliance_end": {pair_key[i, j]: _mean(o.alliance_end[:, i, j]) for i, j in pairs},
        "agreement_end": {pair_key[i, j]: _mean(o.agreement_end[:, i, j]) for i, j in pairs},
        "trust_end": {f"{ids[i]}->{ids[j]}": _mean(o.trust_end[:, i, j]) for i, j in directed},
        "acts": {
            ens.catalog.ids[k]: float(per_replicate[:, k].mean())
            for k in range(K)
            if per_replicate[:, k].any()
        },
    }
    return json_safe(summary)


def runs_table(ens: Ensemble) -> pd.DataFrame:
    """One row per replicate: its seed key, drawn parameters and outcomes."""
    o, ids = ens.outcomes, ens.ids
    R = len(o.war)
    name = lambda n: np.where(n >= 0, np.asarray(ids + [""])[n], None)  # noqa: E731
    columns: dict[str, Any] = {
        "replicate": np.arange(R),
        "seed": np.full(R, ens.scenario.seed),
        "spawn_key": np.arange(R),
    }
    columns.update({f"param.{k}": v for k, v in ens.drawn.items()})
    columns.update(
        {
            "war": o.war,
            "n_wars": o.n_wars,
            "first_war_step": o.first_war_step,
            "first_war_initiator": name(o.first_war_initiator),
            "first_war_target": name(o.first_war_target),
            "first_war_winner": name(o.first_war_winner),
            "spiral": o.spiral,
            "tragic_spiral": o.tragic_spiral,
            "escalation_total": o.escalation.sum(axis=0),
            "false_alarms": o.false_alarms,
            "benign_seen": o.benign_seen,
            "misses": o.misses,
            "hostile_seen": o.hostile_seen,
            "lies_revealed": o.lies_revealed,
            "initiator_loss": o.initiator_loss,
            **{
                f"record.{f}": o.record_reproduced[:, f] == fact.occurred
                for f, fact in enumerate(ens.scenario.record)
            },
            "unscheduled_war": o.unscheduled_war,
            "wars_deliberate": o.wars_deliberate,
            "wars_provoked": o.wars_provoked,
            "wars_inadvertent": o.wars_inadvertent,
            "wars_joined": o.wars_joined,
            "wars_bandwagon": o.wars_bandwagon,
            "accidental_war": o.accidental_war,
            "nuclear_use": o.nuclear_use,
            "incidents": o.incidents,
            "violations": o.violations,
            "violations_detected": o.violations_detected,
            "verification_false_alarms": o.verification_false_alarms,
        }
    )
    for n, sid in enumerate(ids):
        columns[f"security_start.{sid}"] = o.security_start[:, n]
        columns[f"security_end.{sid}"] = o.security_end[:, n]
        columns[f"arms_start.{sid}"] = o.arms_start[:, n]
        columns[f"arms_end.{sid}"] = o.arms_end[:, n]
        columns[f"wealth_start.{sid}"] = o.wealth_start[:, n]
        columns[f"wealth_end.{sid}"] = o.wealth_end[:, n]
    return pd.DataFrame(columns)


def trajectories_table(ens: Ensemble) -> pd.DataFrame:
    """Tidy per-step values: run_id, t, i, j (empty for state variables), variable, value."""
    o, ids = ens.outcomes, ens.ids
    if o.state_traj is None:
        return pd.DataFrame(columns=["run_id", "t", "i", "j", "variable", "value"])
    T1, R, N, V = o.state_traj.shape
    t, r, i, v = np.indices((T1, R, N, V)).reshape(4, -1)
    states = pd.DataFrame(
        {
            "run_id": r.astype(np.int32),
            "t": t.astype(np.int32),
            "i": pd.Categorical.from_codes(i, ids),
            "j": pd.Categorical.from_codes(np.full_like(i, -1), ids),
            "variable": pd.Categorical.from_codes(v, STATE_VARIABLES + PAIR_VARIABLES),
            "value": o.state_traj.reshape(-1),
        }
    )
    T1, R, N, _, P = o.pair_traj.shape
    t, r, i, j, v = np.indices((T1, R, N, N, P)).reshape(5, -1)
    values = o.pair_traj.reshape(-1)
    keep = (i != j) & ~np.isnan(values)  # attribution exists only where an act was seen
    pairs_df = pd.DataFrame(
        {
            "run_id": r[keep].astype(np.int32),
            "t": t[keep].astype(np.int32),
            "i": pd.Categorical.from_codes(i[keep], ids),
            "j": pd.Categorical.from_codes(j[keep], ids),
            "variable": pd.Categorical.from_codes(
                v[keep] + len(STATE_VARIABLES), STATE_VARIABLES + PAIR_VARIABLES
            ),
            "value": values[keep],
        }
    )
    return pd.concat([states, pairs_df], ignore_index=True)


def events_table(ens: Ensemble) -> pd.DataFrame:
    """Every act other than waiting: run_id, t, actor, action, target, scheduled."""
    o, ids = ens.outcomes, ens.ids
    wait = ens.catalog.index("wait")
    t, r, i = np.nonzero(o.actions != wait)
    target = o.targets[t, r, i].astype(np.int64)
    return pd.DataFrame(
        {
            "run_id": r.astype(np.int32),
            "t": t.astype(np.int32),
            "actor": pd.Categorical.from_codes(i, ids),
            "action": pd.Categorical.from_codes(o.actions[t, r, i], ens.catalog.ids),
            "target": pd.Categorical.from_codes(target, ids),
            "scheduled": o.scheduled[t, r, i],
            "escalation": ens.catalog.escalation[o.actions[t, r, i]],
        }
    )
