"""Experiments: a sweep specification, its design of parameter points, and the evaluation of
one point (a vectorised ensemble) into outcome scalars.

A point sets scenario values by dotted path, exactly as ``--set`` does. Every point uses the
sweep's seed (common random numbers): two points differ only in their parameters, which makes
differences between them sharper, and a point's result does not depend on which other points
run, on which worker, or in what order.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from secdilemma.errors import InputError, ScenarioError
from secdilemma.model.scenario import load_scenario

if TYPE_CHECKING:  # pandas is imported where a design or a point's tables are made
    import pandas as pd

# Outcomes a sweep can record per point: scalar keys of the run summary, and per-replicate
# columns of the runs table for the replicates table.
POINT_OUTCOMES = (
    "p_war",
    "p_war_unscheduled",
    "p_spiral",
    "p_tragic_spiral",
    "p_accidental_war",
    "p_war_on_tenfold",
    "p_nuclear_use",
    "first_war_step_mean",
    "escalation_score_mean",
    "false_alarm_share",
    "miss_share",
    "violation_detection_share",
    "initiator_loss_mean",
)
# Per-state outcomes, named ``<key>.<state id>``: a state's entry of these summary mappings.
STATE_OUTCOMES = ("security_change", "wealth_change", "arms_change")
VARIANT = "variant"  # the design column naming a point's variant (a set of overrides)
WORLD = "world"  # the design column naming a point's row of the parameter design


def known_outcome(name: str) -> bool:
    """A point outcome: a scalar of the run summary, a state's entry of a per-state one, or
    ``record.K``: the share of replicates reproducing the K-th fact of the record (from 1)."""
    key, _, rest = name.partition(".")
    if key == "record":
        return rest.isdigit() and int(rest) >= 1
    return name in POINT_OUTCOMES or (key in STATE_OUTCOMES and bool(rest))


def summary_outcome(summary: dict[str, Any], name: str) -> Any:
    """The value of outcome ``name`` in a run summary (None where it has none)."""
    key, _, rest = name.partition(".")
    if key == "record":
        facts = summary.get("record") or []
        k = int(rest) - 1
        return facts[k]["share"] if k < len(facts) else None
    if key in STATE_OUTCOMES:
        return (summary.get(key) or {}).get(rest)
    return summary.get(name)


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: float | None = None
    high: float | None = None
    values: list[Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Range:
        if self.values is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either low/high or values, not both")
            if not self.values:
                raise ValueError("values may not be empty")
        elif self.low is None or self.high is None:
            raise ValueError("give low and high, or values")
        elif not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self

    @property
    def is_grid(self) -> bool:
        return self.values is not None


class SweepSpec(BaseModel):
    """A sweep: a scenario, a design over parameters, replicates per point, outcomes."""

    model_config = ConfigDict(extra="forbid")

    scenario: str
    replicates: int = Field(default=100, ge=1)
    steps: int | None = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0)
    design: Literal["grid", "lhs", "sobol"] = "lhs"
    points: int | None = Field(default=None, ge=1)
    parameters: dict[str, Range] = Field(min_length=1)
    outcomes: list[str] = Field(default_factory=lambda: ["p_war", "p_spiral", "p_tragic_spiral"])
    set: list[str] = Field(default_factory=list)  # fixed overrides for every point
    trajectories: bool = False  # also store every point's per-step trajectories
    # Named sets of overrides crossed with the design: every variant runs at every point of
    # the parameter design (the robust-policy tool's policies; docs/robust.md).
    variants: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _design_fits(self) -> SweepSpec:
        unknown = [o for o in self.outcomes if not known_outcome(o)]
        if unknown:
            raise ValueError(
                f"unknown outcomes {unknown}; known: {list(POINT_OUTCOMES)}, "
                f"{', '.join(k + '.<state>' for k in STATE_OUTCOMES)}, or record.<K>"
            )
        reserved = {VARIANT, WORLD} & set(self.parameters)
        if reserved:
            raise ValueError(f"{sorted(reserved)} name design columns, not parameters")
        grid = [k for k, r in self.parameters.items() if r.is_grid]
        if self.design == "grid":
            ranged = [k for k, r in self.parameters.items() if not r.is_grid]
            if ranged:
                raise ValueError(f"a grid design needs values for every parameter: {ranged}")
        elif grid and self.points is None:
            raise ValueError("lhs and sobol designs need points")
        elif self.points is None:
            raise ValueError("lhs and sobol designs need points")
        return self


def load_spec(path: str | Path) -> tuple[SweepSpec, str]:
    """A sweep spec from YAML; errors name the file, the field and the value."""
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(source, "<file>", source, f"cannot read: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise InputError(source, "<yaml>", None, f"malformed YAML: {err}") from None
    if not isinstance(raw, dict):
        raise InputError(source, "<root>", raw, "a sweep spec must be a mapping")
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as err:
        raise validation_problems(err, source) from None
    # The scenario itself (and every parameter path) must load: check one point now.
    scenario = spec.scenario
    if not Path(scenario).is_absolute() and (Path(path).parent / scenario).is_file():
        scenario = str(Path(path).parent / scenario)
    spec = spec.model_copy(update={"scenario": scenario})
    design = make_design(spec)
    point_overrides(spec, design.iloc[0].to_dict())  # raises if a path does not exist
    load_scenario(spec.scenario, point_overrides(spec, design.iloc[0].to_dict()))
    return spec, source


def validation_problems(err: ValidationError, source: str) -> ScenarioError:
    """A file's validation errors as one ScenarioError: each names the file, the dotted
    place of the field and its value."""
    problems = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "<root>"
        problems.append(
            InputError(source, loc, e.get("input"), e["msg"].removeprefix("Value error, "))
        )
    return ScenarioError(problems)


def make_design(spec: SweepSpec) -> pd.DataFrame:
    """The design's points, one row each (index ``point``), one column per parameter."""
    import pandas as pd

    names = list(spec.parameters)
    if spec.design == "grid":
        mesh = np.meshgrid(
            *[np.arange(len(spec.parameters[n].values)) for n in names], indexing="ij"
        )
        columns = {
            n: _column(spec.parameters[n].values)[m.ravel()]
            for n, m in zip(names, mesh, strict=True)
        }
        frame = pd.DataFrame(columns)
    else:
        from scipy.stats import qmc

        ranged = [n for n in names if not spec.parameters[n].is_grid]
        d = len(ranged)
        if spec.design == "lhs":
            unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng(spec.seed)).random(
                spec.points
            )
        else:
            sampler = qmc.Sobol(d=d, scramble=True, seed=np.random.default_rng(spec.seed))
            unit = sampler.random(spec.points)
        frame = pd.DataFrame(index=range(spec.points))
        for k, n in enumerate(ranged):
            r = spec.parameters[n]
            frame[n] = r.low + unit[:, k] * (r.high - r.low)
        # Parameters given as values in an lhs/sobol design are picked by the same unit draw.
        extra = np.random.default_rng(spec.seed + 1).random((spec.points, len(names)))
        for k, n in enumerate(names):
            r = spec.parameters[n]
            if r.is_grid:
                pick = np.minimum((extra[:, k] * len(r.values)).astype(int), len(r.values) - 1)
                frame[n] = _column(r.values)[pick]
        frame = frame[names]
    if spec.variants:
        # Every variant at every row of the design: variant-major, the row kept as ``world``.
        frame = pd.concat(
            [frame.assign(**{VARIANT: name, WORLD: frame.index}) for name in spec.variants],
            ignore_index=True,
        )
        frame = frame[[VARIANT, WORLD, *names]]
    frame.index.name = "point"
    return frame


def _column(values: list[Any]) -> np.ndarray:
    """Grid values as a column: floats where all are numbers (so 0 and 0.5 share a type)."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float)
    return np.asarray(values, dtype=object)


def point_overrides(spec: SweepSpec, values: dict[str, Any]) -> list[str]:
    fixed = [*spec.set, f"replicates={spec.replicates}", f"seed={spec.seed}"]
    if spec.steps is not None:
        fixed.append(f"steps={spec.steps}")
    variant = spec.variants.get(values.get(VARIANT), []) if spec.variants else []
    ranged = {k: v for k, v in values.items() if k not in (VARIANT, WORLD)}
    return [*fixed, *variant, *(f"{path}={_literal(v)}" for path, v in ranged.items())]


def _literal(value: Any) -> str:
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, np.generic):
        return _literal(value.item())
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def evaluate_point(
    spec: SweepSpec, values: dict[str, Any], outcomes: list[str] | None = None
) -> tuple[dict[str, float], pd.DataFrame]:
    """Run one point's ensemble: its outcome scalars, and one row per replicate."""
    result, replicates, _ = evaluate_point_tables(spec, values, outcomes, trajectories=False)
    return result, replicates


def evaluate_point_tables(
    spec: SweepSpec,
    values: dict[str, Any],
    outcomes: list[str] | None = None,
    trajectories: bool | None = None,
) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame | None]:
    """As :func:`evaluate_point`, with the point's tidy trajectories when asked (by default
    when the spec asks)."""
    import pandas as pd

    from secdilemma.engine.pipeline import run_ensemble
    from secdilemma.engine.summary import json_safe, summarize, trajectories_table

    keep = spec.trajectories if trajectories is None else trajectories
    scenario = load_scenario(spec.scenario, point_overrides(spec, values))
    ens = run_ensemble(scenario, trajectories=keep)
    summary = json_safe(summarize(ens))
    result = {}
    for name in outcomes or spec.outcomes:
        value = summary_outcome(summary, name)
        result[name] = math.nan if value is None else float(value)
    o = ens.outcomes
    replicates = pd.DataFrame(
        {
            "replicate": np.arange(len(o.war)),
            "war": o.war,
            "spiral": o.spiral,
            "tragic_spiral": o.tragic_spiral,
            "accidental_war": o.accidental_war,
            "first_war_step": o.first_war_step,
            "escalation_total": o.escalation.sum(axis=0),
        }
    )
    for key, drawn in ens.drawn.items():
        if np.ptp(drawn) > 0:  # parameters drawn per replicate (distributions)
            replicates[f"param.{key}"] = drawn
    steps = trajectories_table(ens) if keep else None
    if steps is not None:
        for column in ("i", "j", "variable"):
            steps[column] = steps[column].astype(str).replace("nan", "")
    return result, replicates, steps
