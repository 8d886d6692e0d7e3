"""The perception audit: how a planned act will be read, what follows from it, and gentler
ways to the same security (Walt: leaders should ask "whether a policy they believed was benign
was unintentionally making others nervous", and whether it "could be modified in ways that
alleviated (some of) those fears").

At step ``at`` of the scenario's ensemble the actor takes the act, against the same ensemble in
which it waits that step (the neutral counterfactual); everything else, the random draws
included, is the same, so the differences are paired replicate by replicate (common random
numbers, as in :mod:`secdilemma.analysis.attribution`). The audit reports:

1. **readings**: for every other state, the change its reading of the act makes right after
   the step: in its perceived threat (of all others together, of the actor, of the target) and
   in its belief that the actor is greedy, under its own lens and frame, and what the same act
   would do under each of the three lenses given to every state;
2. **consequences** over the scenario's remaining steps: war, spiral, the actor's (or the
   beneficiary's) actual security at the end, and each pair's final threat;
3. **variants**: the other acts on the actor's menu of the same kind (aimed at the same target,
   or self-directed), and the act followed in the next step by an explanation, a reassurance, a
   hotline or a monitoring institution offered to the most provoked observer, ranked by the
   share of the act's security gain they keep against the provocation they cause; of those
   that provoke less than the act (by more than two standard errors of the paired difference),
   the one that keeps at least ``keep`` of the gain with the least provocation is the
   recommendation;
4. **blind spot**: how much more hostile each observer reads the act than the actor rates it,
   times ``1 - empathy``: the part of the reading the actor does not foresee.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from secdilemma.analysis.compare import READINGS
from secdilemma.analysis.paired import mean_se, run_jobs
from secdilemma.engine.outcomes import Outcomes
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.engine.records.trajectories import PAIR_VARIABLES
from secdilemma.errors import InputError
from secdilemma.model.scenario import Event, Scenario, load_scenario

COMPANIONS = (
    "explain_policy",
    "reassurance_statement",
    "establish_hotline",
    "create_monitoring_institution",
)
DEFAULT_KEEP = 0.5  # a gentler variant keeps at least this share of the act's security gain
DEFAULT_REPLICATES = 200
_THREAT = PAIR_VARIABLES.index("threat")
_BELIEF = PAIR_VARIABLES.index("belief_greedy")
_GAP = PAIR_VARIABLES.index("attribution")


@dataclass(frozen=True)
class Plan:
    """An act at a step: ``action`` by ``actor`` (at ``target``) at step ``at``, and optionally
    a ``companion`` act at ``companion_target`` in the next step."""

    actor: str
    action: str
    target: str | None
    at: int
    companion: str | None = None
    companion_target: str | None = None

    @property
    def label(self) -> str:
        act = self.action if self.target is None else f"{self.action} -> {self.target}"
        if self.companion is None:
            return act
        return f"{act}, then {self.companion} -> {self.companion_target}"


def _event(actor: str, action: str, target: str | None, step: int) -> Event:
    return Event(step=step, actor=actor, action=action, target=target)


def with_plan(scenario: Scenario, plan: Plan) -> Scenario:
    """``scenario`` with the plan's acts scheduled; an act the actor had scheduled in those
    steps is replaced (a state takes one act a step)."""
    steps = {plan.at} | ({plan.at + 1} if plan.companion else set())
    events = [
        e for e in scenario.events if not (e.actor == plan.actor and _hits(e, steps, scenario))
    ]
    events.append(_event(plan.actor, plan.action, plan.target, plan.at))
    if plan.companion is not None:
        events.append(_event(plan.actor, plan.companion, plan.companion_target, plan.at + 1))
    return scenario.model_copy(update={"events": events})


def _hits(event: Event, steps: set[int], scenario: Scenario) -> bool:
    return any(s in steps for s in event.steps(scenario.steps - 1))


def _split_repeating(scenario: Scenario, actor: str, steps: set[int]) -> Scenario:
    """The actor's repeating events that fall on ``steps`` written out as single events, so
    that a plan replaces only the steps it takes."""
    events = []
    for e in scenario.events:
        if e.actor == actor and e.every is not None and _hits(e, steps, scenario):
            events += [_event(e.actor, e.action, e.target, s) for s in e.steps(scenario.steps - 1)]
        else:
            events.append(e)
    return scenario.model_copy(update={"events": events})


# --- measures, per replicate ------------------------------------------------------------------


@dataclass
class Measures:
    """What one ensemble gives the audit, per replicate."""

    threat_after: np.ndarray  # (R, N, N) perceived threat right after the step
    threat_next: np.ndarray  # (R, N, N) the same a step later (after a companion act)
    belief_after: np.ndarray  # (R, N, N)
    gap_after: np.ndarray  # (R, N, N) read hostility minus the actor's own rating (nan: unseen)
    security_end: np.ndarray  # (R, N)
    threat_end: np.ndarray  # (R, N, N)
    war: np.ndarray  # (R,)
    spiral: np.ndarray  # (R,)
    empathy: np.ndarray  # (R, N)


def measures(
    outcomes: Outcomes, drawn: dict[str, np.ndarray], ids: Sequence[str], at: int
) -> Measures:
    pair = outcomes.pair_traj[at + 1].astype(float)  # the state after step `at`
    # After step at + 1 (where a companion act is taken); the last state if there is none.
    later = outcomes.pair_traj[min(at + 2, len(outcomes.pair_traj) - 1)].astype(float)
    empathy = np.stack([drawn[f"{sid}.empathy"] for sid in ids], axis=1).astype(float)
    return Measures(
        threat_after=pair[..., _THREAT],
        threat_next=later[..., _THREAT],
        belief_after=pair[..., _BELIEF],
        gap_after=pair[..., _GAP],
        security_end=outcomes.security_end.astype(float),
        threat_end=outcomes.threat_end.astype(float),
        war=outcomes.unscheduled_war.astype(float),
        spiral=outcomes.spiral.astype(float),
        empathy=empathy,
    )


def _evaluate(job: tuple[Scenario, int]) -> Measures:
    scenario, at = job
    ens = run_ensemble(scenario, trajectories=True)
    return measures(ens.outcomes, ens.drawn, scenario.ids, at)


def _mean_se(values: np.ndarray) -> dict[str, float]:
    return dict(zip(("mean", "se"), mean_se(values), strict=True))


def _spread(values: np.ndarray) -> list[float]:
    """The 10th and 90th percentiles over replicates (of the seen ones, where unseen is nan)."""
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return [float("nan"), float("nan")]
    return [float(q) for q in np.percentile(values, [10, 90])]


def fear(m: Measures, observer: int, later: bool = False) -> np.ndarray:
    """An observer's perceived threat of all other states together, per replicate, right after
    the step (or, ``later``, a step later)."""
    threat = m.threat_next if later else m.threat_after
    others = np.arange(threat.shape[1]) != observer
    return threat[:, observer, others].sum(axis=1)


def provocation(act: Measures, wait: Measures, actor: int) -> np.ndarray:
    """The mean, over the states other than the actor, of the rise in their perceived threat
    (of all others together) that the act causes, per replicate, measured a step after it, so
    that a companion act in that step counts."""
    N = act.threat_after.shape[1]
    rises = [fear(act, o, True) - fear(wait, o, True) for o in range(N) if o != actor]
    return np.mean(rises, axis=0)


def ratio_se(part: np.ndarray, whole: np.ndarray) -> tuple[float, float] | None:
    """The ratio of two paired means, ``mean(part) / mean(whole)``, and its standard error by
    linearisation (the ratio estimator's), where the whole is clearly away from zero."""
    total = whole.mean()
    se_total = whole.std(ddof=1) / np.sqrt(len(whole))
    if total == 0 or abs(total) <= 2 * se_total:
        return None
    r = part.mean() / total
    return float(r), float((part - r * whole).std(ddof=1) / (np.sqrt(len(whole)) * abs(total)))


# --- the audit --------------------------------------------------------------------------------


@dataclass
class Audit:
    scenario: str
    plan: Plan
    beneficiary: str
    keep: float
    replicates: int
    start_year: int | None
    readings: dict[str, dict[str, Any]]
    consequences: dict[str, Any]
    variants: list[dict[str, Any]]
    recommendation: dict[str, Any] | None
    blind_spot: dict[str, dict[str, Any]]
    replaced: list[str]
    companions_skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        year = None if self.start_year is None else self.start_year + self.plan.at
        return {
            "scenario": self.scenario,
            "actor": self.plan.actor,
            "action": self.plan.action,
            "target": self.plan.target,
            "at": self.plan.at,
            "year": year,
            "counterfactual": "wait",
            "beneficiary": self.beneficiary,
            "keep": self.keep,
            "replicates": self.replicates,
            "replaced": self.replaced,
            "companions_skipped": self.companions_skipped,
            "readings": self.readings,
            "consequences": self.consequences,
            "variants": self.variants,
            "recommendation": self.recommendation,
            "blind_spot": self.blind_spot,
        }


def check_plan(spec: Scenario, actor: str, action: str, target: str | None, at: int) -> None:
    catalog = spec.action_catalog()
    ids = spec.ids
    if actor not in ids:
        raise InputError("--actor", "actor", actor, f"unknown state id; known: {ids}")
    if action not in catalog:
        raise InputError("--action", "action", action, "unknown action id (secdilemma actions)")
    targeted = bool(catalog.targeted[catalog.index(action)])
    if targeted and target is None:
        raise InputError("--target", "target", None, f"{action!r} needs a target")
    if not targeted and target is not None:
        raise InputError("--target", "target", target, f"{action!r} is self-directed")
    if target is not None and target not in ids:
        raise InputError("--target", "target", target, f"unknown state id; known: {ids}")
    if target == actor:
        raise InputError("--target", "target", target, "the act targets its actor")
    if not 0 <= at < spec.steps:
        raise InputError("--at", "at", at, f"a step from 0 to {spec.steps - 1}")


def companions_possible(spec: Scenario, plan: Plan) -> str | None:
    """Why the act cannot be followed by a companion act, or None if it can: the companion
    takes the actor's next step, which must exist and be free of a scheduled act of its own
    (replacing one would change the timeline, not add to it)."""
    if plan.at + 1 >= spec.steps:
        return "the act is taken in the last step"
    busy = [e for e in spec.events if e.actor == plan.actor and _hits(e, {plan.at + 1}, spec)]
    if busy:
        return f"{plan.actor} has a scheduled act ({busy[0].action}) in the next step"
    return None


def variant_plans(spec: Scenario, plan: Plan, most_provoked: str | None) -> list[Plan]:
    """The other acts on the actor's menu of the act's kind, then the act with each companion
    (next step, to ``most_provoked``) where :func:`companions_possible`."""
    catalog = spec.action_catalog()
    state = spec.states[spec.ids.index(plan.actor)]
    menu = catalog.ids if state.actions is None else [*state.actions, "wait"]
    menu = [a for a in menu if a not in state.exclude_actions and a not in (plan.action, "wait")]
    targeted = plan.target is not None
    plans = [
        Plan(plan.actor, a, plan.target if targeted else None, plan.at)
        for a in menu
        if bool(catalog.targeted[catalog.index(a)]) == targeted
    ]
    if most_provoked is not None and companions_possible(spec, plan) is None:
        plans += [
            Plan(plan.actor, plan.action, plan.target, plan.at, c, most_provoked)
            for c in COMPANIONS
            if c in catalog
        ]
    return plans


def _ratio(part: float, whole: dict[str, float]) -> float | None:
    """``part / whole`` where the whole is clearly away from zero (two standard errors)."""
    mean, se = whole["mean"], whole["se"]
    if not np.isfinite(mean) or abs(mean) <= 2 * (se if np.isfinite(se) else 0.0) or mean == 0:
        return None
    return float(part / mean)


def audit(
    scenario: str,
    actor: str,
    action: str,
    target: str | None = None,
    at: int = 0,
    beneficiary: str | None = None,
    keep: float = DEFAULT_KEEP,
    replicates: int | None = DEFAULT_REPLICATES,
    overrides: list[str] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Audit:
    """Audit ``action`` by ``actor`` (at ``target``) at step ``at`` of ``scenario``: how each
    other state reads it, what follows, gentler variants, the actor's blind spot.

    ``beneficiary`` (default the actor) is the state whose actual security the act is meant to
    raise: for an arms supply, the recipient. ``replicates`` (default 200; ``None`` keeps the
    scenario's) per ensemble; results do not depend on ``workers``.
    """
    if not 0 < keep <= 1:
        raise InputError("--keep", "keep", keep, "a share in (0, 1]")
    base_overrides = list(overrides or [])
    if replicates is not None:
        base_overrides.append(f"replicates={replicates}")
    spec = load_scenario(scenario, base_overrides)
    check_plan(spec, actor, action, target, at)
    beneficiary = beneficiary or actor
    if beneficiary not in spec.ids:
        raise InputError("--beneficiary", "beneficiary", beneficiary, f"unknown; known: {spec.ids}")
    ids = spec.ids
    a, b = ids.index(actor), ids.index(beneficiary)
    plan = Plan(actor, action, target, at)
    replaced = [
        f"{e.action}" + (f" -> {e.target}" if e.target else "")
        for e in spec.events
        if e.actor == actor and _hits(e, {at}, spec)
    ]

    def lensed(reading: str | None) -> Scenario:
        sets = [] if reading is None else [f"states.{k}.lens={reading}" for k in range(len(ids))]
        loaded = load_scenario(scenario, [*base_overrides, *sets])
        return _split_repeating(loaded, actor, {at, at + 1})

    total, done = 2 * (1 + len(READINGS)), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    # 1. the act and waiting, under the scenario's own lenses and under each reading
    worlds = {None: lensed(None), **{r: lensed(r) for r in READINGS}}
    jobs = []
    for world in worlds.values():
        jobs += [
            (with_plan(world, plan), at),
            (with_plan(world, Plan(actor, "wait", None, at)), at),
        ]
    results = run_jobs(_evaluate, jobs, workers, tick)
    pairs = {key: (results[2 * k], results[2 * k + 1]) for k, key in enumerate(worlds)}
    act, wait = pairs[None]

    observers = [o for o in range(len(ids)) if o != a]
    lenses = {s.id: s.lens for s in spec.states}
    readings = {}
    for o in observers:
        rise = fear(act, o) - fear(wait, o)
        entry = {
            "lens": lenses[ids[o]],
            "threat": _mean_se(rise),
            "threat_spread": _spread(rise),
            "threat_of_actor": _mean_se(act.threat_after[:, o, a] - wait.threat_after[:, o, a]),
            "belief": _mean_se(act.belief_after[:, o, a] - wait.belief_after[:, o, a]),
            "seen": float(np.isfinite(act.gap_after[:, o, a]).mean()),
            "under": {
                r: _mean_se(fear(pairs[r][0], o) - fear(pairs[r][1], o))["mean"] for r in READINGS
            },
        }
        if target is not None and ids.index(target) != o:
            t = ids.index(target)
            entry["threat_of_target"] = _mean_se(
                act.threat_after[:, o, t] - wait.threat_after[:, o, t]
            )
        readings[ids[o]] = entry

    # 2. what follows, over the remaining steps
    N = len(ids)
    pair_changes = [
        {
            "pair": f"{ids[i]}->{ids[j]}",
            **_mean_se(act.threat_end[:, i, j] - wait.threat_end[:, i, j]),
        }
        for i in range(N)
        for j in range(N)
        if i != j
    ]
    pair_changes.sort(key=lambda row: -abs(row["mean"]))
    prov = provocation(act, wait, a)
    gain = act.security_end[:, b] - wait.security_end[:, b]
    consequences = {
        "war": _mean_se(act.war - wait.war),
        "spiral": _mean_se(act.spiral - wait.spiral),
        "security": {
            sid: _mean_se(act.security_end[:, n] - wait.security_end[:, n])
            for n, sid in enumerate(ids)
        },
        "gain": _mean_se(gain),
        "provocation": _mean_se(prov),
        "threat_end": pair_changes[:10],
    }

    # 4. the blind spot
    blind_spot = {}
    for o in observers:
        gap = act.gap_after[:, o, a]
        unseen = 1.0 - act.empathy[:, a]
        blind_spot[ids[o]] = {
            "read_beyond_rating": _mean_se(gap),
            "unforeseen": _mean_se(unseen * gap),
        }

    # 3. gentler variants, under the scenario's own lenses
    most = max(observers, key=lambda o: readings[ids[o]]["threat"]["mean"]) if observers else None
    plans = variant_plans(spec, plan, None if most is None else ids[most])
    total += len(plans)
    own = worlds[None]
    variant_results = run_jobs(_evaluate, [(with_plan(own, p), at) for p in plans], workers, tick)
    act_prov = consequences["provocation"]
    variants = []
    for p, m in zip(plans, variant_results, strict=True):
        v_gain = _mean_se(m.security_end[:, b] - wait.security_end[:, b])
        v_prov_values = provocation(m, wait, a)
        v_prov = _mean_se(v_prov_values)
        softer = _mean_se(prov - v_prov_values)  # paired: the act's provocation less the variant's
        kept = ratio_se(m.security_end[:, b] - wait.security_end[:, b], gain)
        avoided = _ratio(act_prov["mean"] - v_prov["mean"], act_prov)
        variants.append(
            {
                "action": p.action,
                "target": p.target,
                "companion": p.companion,
                "companion_target": p.companion_target,
                "label": p.label,
                "gain": v_gain,
                "gain_kept": None if kept is None else kept[0],
                "gain_kept_se": None if kept is None else kept[1],
                "provocation": v_prov,
                "provocation_avoided": avoided,
                "war": _mean_se(m.war - wait.war),
                # Gentler: it provokes less than the act by more than two standard errors of
                # the paired difference.
                "gentler": bool(softer["mean"] > 2 * np.nan_to_num(softer["se"])),
            }
        )

    def order(v: dict[str, Any]) -> tuple:
        keeps = v["gain_kept"] is not None and v["gain_kept"] >= keep
        return (not keeps, v["provocation"]["mean"])

    variants.sort(key=order)
    candidates = [
        v
        for v in variants
        if v["gain_kept"] is not None and v["gain_kept"] >= keep and v["gentler"]
    ]
    recommendation = None
    if candidates:
        best = candidates[0]
        recommendation = {
            "label": best["label"],
            "gain_kept": best["gain_kept"],
            "provocation_avoided": best["provocation_avoided"],
        }
    return Audit(
        scenario=spec.name,
        plan=plan,
        beneficiary=beneficiary,
        keep=keep,
        replicates=spec.replicates,
        start_year=spec.start_year,
        readings=readings,
        consequences=consequences,
        variants=variants,
        recommendation=recommendation,
        blind_spot=blind_spot,
        replaced=replaced,
        companions_skipped=companions_possible(spec, plan),
    )
