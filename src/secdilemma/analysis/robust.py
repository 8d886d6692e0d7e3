"""Prudence as a decision rule: policies that hold up whatever the rival's motives.

A rival's motives cannot be known (Herz; the critique), and accommodation is no cure if the
rival is greedy (Walt). Robust decision making (Lempert, Popper and Bankes 2003) compares
candidate policies across the plausible *states of the world* instead of one forecast: every
policy runs in every world, and decision rules that need no probabilities over the worlds pick
among them.

* A **policy file** (YAML) names candidate policies: scheduled or repeated acts added to the
  scenario's timeline (and scheduled acts dropped), settings of states (menus, deterrents,
  dispositions) and relations (hotlines, monitoring), and raw ``--set`` overrides. Each policy
  compiles to a list of overrides, so any cell of the result is reproduced by
  ``secdilemma run SCENARIO --set ...`` with the same seed.
* The **worlds** are a design over the scenario's uncertainties: by default a Latin hypercube
  over the ranges of its uniform distributions (Russia's greed and hubris in nato-russia); or
  an explicit grid or hypercube of the file's ``worlds.parameters``. In a world those values
  are fixed for every replicate; what remains drawn (the other states' distributions) is drawn
  alike for every policy: one seed for all, common random numbers.
* The runs are a sweep (``experiments.sweep``): the policies are its variants, crossed with
  the design, so the store resumes after a crash and scales on Dask.
* The **rules**, on the objective (an outcome to minimise or maximise): regret (the loss
  against the best policy in the same world), **minimax regret** (Savage), **maximin** (the best
  worst case, Wald), **satisficing** (the largest share of worlds meeting a threshold, Simon),
  and the mean over the worlds (Laplace's rule, which treats the worlds as equally likely) as a
  reference. Ties go to the policy listed first.
* **Where each policy fails**: PRIM (``experiments.discovery.prim_box``) on the worlds where
  the policy misses the threshold, where the ``[ema]`` extra is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from secdilemma.errors import NO_VALUE, InputError, ScenarioError
from secdilemma.experiments.spec import (
    VARIANT,
    WORLD,
    Range,
    SweepSpec,
    known_outcome,
    validation_problems,
)
from secdilemma.experiments.store import read_table
from secdilemma.experiments.sweep import Sweep
from secdilemma.model import safe_yaml
from secdilemma.model.scenario import load_scenario, read_raw, resolve_path

RULES = ("minimax_regret", "maximin", "satisficing", "mean")
DEFAULT_OUTCOMES = ("p_war_unscheduled", "p_spiral")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventMatch(_Strict):
    """Scheduled events to drop: those of ``actor`` with ``action`` (and ``target``)."""

    actor: str
    action: str
    target: str | None = None


class Policy(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    events: list[dict[str, Any]] = Field(default_factory=list)
    drop_events: list[EventMatch] = Field(default_factory=list)
    states: dict[str, dict[str, Any]] = Field(default_factory=dict)
    relations: dict[str, dict[str, Any]] = Field(default_factory=dict)
    set: list[str] = Field(default_factory=list)


class Worlds(_Strict):
    design: Literal["grid", "lhs", "sobol"] = "lhs"
    points: int | None = Field(default=None, ge=2)
    parameters: dict[str, Range] = Field(default_factory=dict)


class Objective(_Strict):
    outcome: str = "p_war_unscheduled"
    goal: Literal["minimise", "maximise"] = "minimise"
    threshold: float | None = None


class PolicyFile(_Strict):
    policies: list[Policy] = Field(min_length=2)
    worlds: Worlds = Field(default_factory=Worlds)
    objective: Objective = Field(default_factory=Objective)
    outcomes: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTCOMES))
    replicates: int = Field(default=100, ge=1)
    seed: int | None = Field(default=None, ge=0)
    steps: int | None = Field(default=None, ge=1)


def _literal(value: Any) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, width=10**9)
        .strip()
        .removesuffix("...")
        .strip()
    )


def policy_overrides(policy: Policy, scenario_events: list[dict[str, Any]]) -> list[str]:
    """The ``--set`` overrides that put ``policy`` into the scenario."""
    out: list[str] = []
    if policy.events or policy.drop_events:
        kept = [
            e
            for e in scenario_events
            if not any(
                e.get("actor") == d.actor
                and e.get("action") == d.action
                and (d.target is None or e.get("target") == d.target)
                for d in policy.drop_events
            )
        ]
        out.append(f"events={_literal([*kept, *policy.events])}")
    for sid, fields in policy.states.items():
        out += [f"states.{sid}.{field}={_literal(value)}" for field, value in fields.items()]
    for pair, fields in policy.relations.items():
        out += [f"relations.{pair}.{field}={_literal(value)}" for field, value in fields.items()]
    return [*out, *policy.set]


def load_policies(path: str | Path, scenario: str) -> tuple[PolicyFile, dict[str, list[str]]]:
    """A policy file, validated, and each policy's overrides, checked against ``scenario``:
    errors name the file, the field and the value."""
    source = str(path)
    raw = safe_yaml.load_file(Path(path), "policy file")
    if not isinstance(raw, dict):
        raise InputError(source, "<root>", NO_VALUE, "a policy file must be a mapping")
    try:
        spec = PolicyFile.model_validate(raw)
    except ValidationError as err:
        raise validation_problems(err, source) from None
    names = [p.name for p in spec.policies]
    for n, name in enumerate(names):
        if name in names[:n]:
            raise InputError(source, f"policies[{n}].name", name, "duplicate policy name")
    for n, name in enumerate(spec.outcomes):
        if not known_outcome(name):
            raise InputError(source, f"outcomes[{n}]", name, "unknown outcome (docs/robust.md)")
    if not known_outcome(spec.objective.outcome):
        raise InputError(source, "objective.outcome", spec.objective.outcome, "unknown outcome")
    base = load_scenario(scenario)
    events = [e.model_dump(exclude_none=True) for e in base.events]
    compiled = {}
    for n, policy in enumerate(spec.policies):
        overrides = policy_overrides(policy, events)
        try:
            load_scenario(scenario, overrides)
        except (InputError, ScenarioError) as err:
            detail = " ".join(str(err).split())
            raise InputError(source, f"policies[{n}]", policy.name, detail) from None
        compiled[policy.name] = overrides
    return spec, compiled


def scenario_worlds(scenario: str) -> dict[str, Range]:
    """The ranges of the scenario's uniform distributions of state values, by dotted path."""
    raw = read_raw(resolve_path(scenario))
    out: dict[str, Range] = {}
    for state in raw.get("states") or []:
        if not isinstance(state, dict):
            continue
        for field, value in state.items():
            if isinstance(value, dict) and value.get("dist") == "uniform":
                out[f"states.{state.get('id')}.{field}"] = Range(
                    low=float(value["low"]), high=float(value["high"])
                )
    return out


# --- the rules --------------------------------------------------------------------------------


def losses(table: pd.DataFrame, goal: str) -> pd.DataFrame:
    """Policies (rows) by worlds (columns), as losses: lower is better."""
    return table if goal == "minimise" else -table


def regret(table: pd.DataFrame, goal: str) -> pd.DataFrame:
    """How much worse each policy does in each world than the best policy in that world."""
    loss = losses(table, goal)
    return loss - loss.min(axis=0)


def meets(table: pd.DataFrame, goal: str, threshold: float) -> pd.DataFrame:
    return table <= threshold if goal == "minimise" else table >= threshold


def choose(table: pd.DataFrame, goal: str, threshold: float | None) -> dict[str, Any]:
    """The policy each rule picks (ties to the first listed), with the scores it used."""
    loss = losses(table, goal)
    scores = {
        "minimax_regret": regret(table, goal).max(axis=1),
        "maximin": loss.max(axis=1),
        "mean": loss.mean(axis=1),
    }
    choice = {rule: str(score.idxmin()) for rule, score in scores.items()}
    shares = None
    if threshold is not None:
        shares = meets(table, goal, threshold).mean(axis=1)
        choice["satisficing"] = str(shares.idxmax())
    return {"choice": choice, "scores": scores, "shares": shares}


def describe_box(limits: dict[str, Any]) -> str:
    """PRIM's restricted limits in words: "states.RUS.greed > 0.6 and ..."."""
    parts = []
    for name, lim in limits.items():
        if not lim.get("restricted"):
            continue
        if "values" in lim:
            parts.append(f"{name} in {lim['values']}")
            continue
        low, high = lim["low"], lim["high"]
        parts.append(f"{low:.3g} < {name} < {high:.3g}")
    return " and ".join(parts) or "anywhere in the range"


def failures(
    points: pd.DataFrame, names: list[str], goal: str, outcome: str, threshold: float
) -> dict[str, dict[str, Any]]:
    """For each policy, the worlds where it misses the threshold and PRIM's box of them."""
    from secdilemma.experiments.discovery import prim_box

    out: dict[str, dict[str, Any]] = {}
    for policy, rows in points.groupby(VARIANT, sort=False):
        values = rows[outcome].to_numpy(dtype=float)
        fails = ~(values <= threshold if goal == "minimise" else values >= threshold)
        entry: dict[str, Any] = {"worlds_failed": int(fails.sum()), "worlds": int(len(fails))}
        if 0 < fails.sum() < len(fails) and names:
            x = rows[names].astype(float).reset_index(drop=True)
            try:
                found = prim_box(x, fails)
            except InputError as err:  # the [ema] extra is missing
                entry["box"] = None
                entry["note"] = err.problem
            else:
                entry["box"] = {k: found[k] for k in ("coverage", "density", "mass", "limits")}
                entry["fails_when"] = describe_box(found["limits"])
        out[str(policy)] = entry
    return out


def robust(
    scenario: str,
    policies: str | Path,
    out: str | Path,
    workers: int = 2,
    dask: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every policy of the file ``policies`` in every world of ``scenario`` into the sweep
    store ``out`` (resuming what it holds), and apply the rules: the result as a mapping."""
    spec, compiled = load_policies(policies, scenario)
    base = load_scenario(scenario)
    parameters = spec.worlds.parameters or scenario_worlds(scenario)
    if not parameters:
        raise InputError(
            str(policies),
            "worlds.parameters",
            NO_VALUE,
            "the scenario has no uniform ranges of motives to span; name the worlds' parameters",
        )
    points = spec.worlds.points or (None if spec.worlds.design == "grid" else 16)
    outcomes = list(dict.fromkeys([spec.objective.outcome, *spec.outcomes]))
    sweep_spec = SweepSpec(
        scenario=str(resolve_path(scenario)),
        replicates=spec.replicates,
        steps=spec.steps,
        seed=base.seed if spec.seed is None else spec.seed,
        design=spec.worlds.design,
        points=points,
        parameters=parameters,
        outcomes=outcomes,
        variants=compiled,
    )
    sweep = Sweep(sweep_spec, out, source=str(policies))
    manifest = sweep.run(dask=dask, workers=workers, progress=progress)
    if manifest["points"]["failed"]:
        first = next(iter(manifest["points"]["failed"].items()))
        raise InputError(str(out), "points", first[0], f"a point failed: {first[1]}")
    table_points = read_table(out, "points").sort_values("point")
    names = list(parameters)
    goal, objective = spec.objective.goal, spec.objective.outcome
    table = table_points.pivot(index=VARIANT, columns=WORLD, values=objective)
    table = table.loc[list(compiled)]  # the file's order: ties go to the policy listed first
    picked = choose(table, goal, spec.objective.threshold)
    regrets = regret(table, goal)
    worlds = (
        table_points[table_points[VARIANT] == next(iter(compiled))]
        .set_index(WORLD)[names]
        .sort_index()
    )
    result: dict[str, Any] = {
        "scenario": base.name,
        "seed": sweep_spec.seed,
        "replicates": spec.replicates,
        "objective": spec.objective.model_dump(),
        "policies": {
            p.name: {"description": p.description, "overrides": compiled[p.name]}
            for p in spec.policies
        },
        "worlds": [{"world": int(w), **row} for w, row in worlds.to_dict(orient="index").items()],
        "outcomes": [
            {"policy": r[VARIANT], "world": int(r[WORLD]), **{o: r[o] for o in outcomes}}
            for r in table_points.to_dict(orient="records")
        ],
        "regret": {
            p: {
                "max": float(regrets.loc[p].max()),
                "mean": float(regrets.loc[p].mean()),
                "by_world": [float(v) for v in regrets.loc[p]],
            }
            for p in table.index
        },
        "scores": {
            rule: {p: float(v) for p, v in s.items()} for rule, s in picked["scores"].items()
        },
        "by_policy": {
            p: {
                "worst": float(table.loc[p].max() if goal == "minimise" else table.loc[p].min()),
                "mean": float(table.loc[p].mean()),
                "max_regret": float(regrets.loc[p].max()),
                **(
                    {}
                    if picked["shares"] is None
                    else {"share_satisfactory": float(picked["shares"][p])}
                ),
            }
            for p in table.index
        },
        "choice": picked["choice"],
        "rules_disagree": len(set(picked["choice"].values())) > 1,
        "directory": str(out),
    }
    if picked["shares"] is not None:
        result["scores"]["satisficing"] = {p: float(v) for p, v in picked["shares"].items()}
        result["failures"] = failures(
            table_points, names, goal, objective, float(spec.objective.threshold)
        )
    return result
