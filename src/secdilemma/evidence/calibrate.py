"""Calibration of the model's free constants on the record's training years (``secdilemma
calibrate``; docs/evidence.md, "Calibration").

The model is fitted by simulation to the regularities of the Correlates of War record in the
training years (disputes with onset 1816-1945); the test years (1946-2010) are left for
``secdilemma evidence score`` to judge it on.

* **Worlds**: each training dispute dyad's two-state world (:mod:`secdilemma.evidence.worlds`),
  an even sample of them with every training dyad of a GRH arms race, each with its own seed, so
  that every candidate set of constants meets the same random draws (common random numbers).
* **Targets**: the share of disputes that became wars in each group of the record's
  regularities: by capability ratio (the bins of ``regularities.RATIO_BINS``), with and without
  a defence pact between the two, and during an arms race or not; and, so that a dispute's
  hazard is not taken for the hazard of every year, the *quiet years*: the share of years in
  which a pair that had a dispute in the training years was not in one, yet began a war within
  five years (the same pair's world without the opening display of force); and the share of
  those quiet five-year windows in which the project's arms-race detector
  (:mod:`secdilemma.evidence.races`, military personnel) finds the two racing, beside the same
  detector on the model's forces, so that the arming behind spirals is fitted too.
* **A graded response** (the issue's and the theory's requirement, imposed as a constraint):
  in a reference two-state world (a strong, rich state beside a weak, poorer one), the share of
  replicates in which the strong state begins a war must not jump by more than
  ``MAX_JUMP`` between neighbouring tenths of its greed; each unit of jump above it adds
  ``JUMP_PENALTY`` to the loss. The loss with and without the penalty is reported.
* **Loss**: Pearson's chi-square between the model's share and the record's in each group,
  ``sum_g n_g (m_g - y_g)^2 / (y_g (1 - y_g))``, with ``n_g`` the sampled worlds in the group
  (``y_g`` kept within [0.01, 0.99]): the log-likelihood ratio of the group counts, to second
  order, so that differences in it read on the chi-square scale. ``loss="dyads"`` fits each
  world's own outcome instead (``deviance``); docs/evidence.md says why its estimate, which
  turns the decisions into noise, is not the shipped one.
* **Screening** (``--screen``): Morris elementary effects (SALib) of every candidate constant on
  the loss, over its range; the constants whose mean absolute effect is largest are fitted.
* **Fit**: optuna's TPE sampler, seeded, run trial after trial, so the same seed gives the same
  trials and the same estimate. **Uncertainty**: the range of each constant over the trials
  whose loss is within the 68% chi-square quantile (degrees of freedom: the fitted constants) of
  the best, a profile-likelihood interval (Wilks) read off the trials.

The shipped defaults are the estimate of :func:`calibrate` with its default settings; they live
in ``model/data/calibrated.json`` (``--write``), from which :mod:`secdilemma.model.parameters`
reads them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.errors import InputError
from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.regularities import ratio_group
from secdilemma.evidence.worlds import COLUMNS, STEPS, dispute_world
from secdilemma.experiments.extras import require

TRAINING_END = 1946  # onset years before this are the training years (scoring_rules.SPLIT_YEAR)
SEED = 20
LENS = "structural"  # the reading the constants are fitted under (docs/evidence.md)


@dataclass(frozen=True)
class Candidate:
    """A constant the calibration may fit: its range, and whether it is searched in logs."""

    name: str
    low: float
    high: float
    log: bool = False


# The constants screened, with the ranges searched (docs/evidence.md gives the reasons).
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("temperature", 0.005, 0.5, log=True),
    Candidate("greed_weight", 0.5, 20.0, log=True),
    Candidate("security_weight", 0.5, 20.0, log=True),
    Candidate("defeat_weight", 0.1, 2.0, log=True),
    Candidate("war_cost", 0.01, 0.5, log=True),
    Candidate("war_cost_dispersion", 0.0, 2.0),
    Candidate("hubris_scale", 0.0, 3.0),
    Candidate("conquest_elasticity", 0.0, 1.0),
    Candidate("conquest_stake", 0.05, 0.6),
    Candidate("escalation_rate", 0.1, 10.0, log=True),
    Candidate("alarm_threshold", 0.1, 1.5),
    Candidate("backlash_weight", 0.1, 5.0, log=True),
    Candidate("crisis_stakes", 0.02, 0.5, log=True),
)
FITTED = 5  # how many of the screened constants are fitted
# Not a constant of the model but of the evidence harness, fitted beside the constants: the mean
# greed of the side that began a dispute (its Beta has concentration 4, as the prior Beta(1, 3),
# so 0.25 is no selection). A state that begins a militarised dispute is not a random draw of
# the states (Reed 2000 on the selection of disputes; Fearon 2002): the record's escalation
# from disputes and its wars from quiet years pin the constants only if the harness lets the
# disputes' initiators differ from the average state.
INITIATOR = Candidate("dispute_greed", 0.1, 0.9)
HARNESS = ("dispute_greed",)
# Where the search starts, and each candidate's value when it is not fitted: the project's
# hand-set choices, the fallbacks of `model/parameters.py`.
# Fixed here, not read from the defaults, so that a calibration does not depend on the last.
HAND_SET: dict[str, float] = {
    "temperature": 0.005,
    "greed_weight": 5.0,
    "security_weight": 5.0,
    "defeat_weight": 0.5,
    "war_cost": 0.1,
    "war_cost_dispersion": 0.5,
    "hubris_scale": 1.0,
    "conquest_elasticity": 0.5,
    "conquest_stake": 0.3,
    "escalation_rate": 1.0,
    "alarm_threshold": 0.5,
    "backlash_weight": 1.0,
    "crisis_stakes": 0.1,
    "dispute_greed": 0.25,
}


LOSSES = ("groups", "dyads")
GRADED_REPLICATES = 100  # replicates per point of the graded-response constraint's curve


@dataclass(frozen=True)
class Settings:
    """How much simulation a calibration spends: dyads sampled, replicates, trials."""

    dyads: int = 240
    quiet: int = 120
    replicates: int = 60
    trials: int = 120
    screen_trajectories: int = 6
    graded_replicates: int = GRADED_REPLICATES
    seed: int = SEED
    # What the war shares are fitted to: "groups", the record's share in each group (the
    # shipped estimate), or "dyads", each world's own outcome (``deviance``; docs/evidence.md
    # says what it gives).
    loss: str = "groups"

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            dyads=24,
            quiet=12,
            replicates=16,
            trials=6,
            screen_trajectories=2,
            graded_replicates=20,
        )


def training_dyads() -> pd.DataFrame:
    """Every training-year dispute dyad with capabilities for both sides, with its groups."""
    dyads = dispute_dyads()
    dyads = dyads[np.isfinite(dyads["cinc_ratio"]) & (dyads["onset"] < TRAINING_END)]
    dyads = dyads.reset_index(drop=True)
    return dyads.assign(ratio_group=ratio_group(dyads["cinc_ratio"]).to_numpy())


QUIET_SEED = 100_000  # quiet pair-years are seeded as dispute numbers above every MID's


def quiet_years(dyads: pd.DataFrame) -> pd.DataFrame:
    """Each year in which a pair that had a training-year dispute existed (NMC data for both)
    without a dispute beginning between them, and whether a war between them began within
    five years (``war``). Every war is a dispute in the MID data, so these are the years a war
    grew out of quiet."""
    from secdilemma.model.cow import load_nmc

    nmc = load_nmc()
    present = nmc[np.isfinite(nmc["cinc"])][["ccode", "year"]]
    pairs = dyads[["low", "high"]].drop_duplicates()
    years = pairs.merge(present.rename(columns={"ccode": "low"}), on="low")
    years = years.merge(present.rename(columns={"ccode": "high"}), on=["high", "year"])
    years = years[years["year"] < TRAINING_END - 5]
    onsets = dyads[["low", "high", "onset"]].astype(int).drop_duplicates()
    disputed = years.merge(
        onsets.rename(columns={"onset": "year"}), on=["low", "high", "year"], indicator=True
    )
    years = years[
        ~years.set_index(["low", "high", "year"]).index.isin(
            disputed.set_index(["low", "high", "year"]).index
        )
    ]
    wars = dyads[dyads["war"].astype(bool)][["low", "high", "onset"]].astype(int)
    ahead = years.merge(wars, on=["low", "high"], how="left")
    ahead["soon"] = (ahead["onset"] >= ahead["year"]) & (ahead["onset"] <= ahead["year"] + 4)
    war = ahead.groupby(["low", "high", "year"])["soon"].any()
    out = years.set_index(["low", "high", "year"]).assign(war=war).reset_index()
    return out.sort_values(["year", "low", "high"]).reset_index(drop=True)


def quiet_rows(quiet: pd.DataFrame) -> pd.DataFrame:
    """Quiet pair-years as the rows :func:`~secdilemma.evidence.worlds.dispute_world` reads."""
    return pd.DataFrame(
        {
            "DispNum3": QUIET_SEED + quiet["year"].to_numpy(),
            "ccode_a": quiet["low"].to_numpy(),
            "ccode_b": quiet["high"].to_numpy(),
            "low": quiet["low"].to_numpy(),
            "high": quiet["high"].to_numpy(),
            "onset": quiet["year"].to_numpy(),
            "arms_race": False,
            "war": quiet["war"].to_numpy(),
        }
    )


def _even(length: int, size: int) -> np.ndarray:
    return np.unique(np.linspace(0, length - 1, min(size, length)).astype(int))


def sample(dyads: pd.DataFrame, size: int) -> pd.DataFrame:
    """An even sample of ``size`` dyads (in the record's order), with every arms-race dyad."""
    keep = np.zeros(len(dyads), dtype=bool)
    keep[_even(len(dyads), size)] = True
    if size >= 100:  # a quick sample is too small to carry the arms-race group
        keep |= dyads["arms_race"].to_numpy(dtype=bool)
    return dyads[keep].reset_index(drop=True)


def groups(dyads: pd.DataFrame) -> dict[str, np.ndarray]:
    """The record's regularities as boolean masks over ``dyads``."""
    ratio = dyads["ratio_group"].to_numpy()
    out = {f"ratio {g}": ratio == g for g in sorted(set(ratio) - {"unknown"})}
    pact = dyads["pact_between"].to_numpy(dtype=bool)
    race = dyads["arms_race"].to_numpy(dtype=bool)
    out |= {"pact between": pact, "no pact between": ~pact}
    out |= {"arms race": race, "no arms race": ~race}
    return {name: mask for name, mask in out.items() if mask.any()}


def targets(dyads: pd.DataFrame) -> dict[str, float]:
    """The record's war share in each group of ``dyads``."""
    war = dyads["war"].to_numpy(dtype=float)
    return {name: float(war[mask].mean()) for name, mask in groups(dyads).items()}


def chi_square(
    p_model: np.ndarray, masks: Mapping[str, np.ndarray], record: Mapping[str, float]
) -> float:
    """The loss: ``sum_g n_g (m_g - y_g)^2 / (y_g (1 - y_g))`` over the groups ``masks``
    (worlds without a result, NaN, are left out of their groups)."""
    total = 0.0
    for name, mask in masks.items():
        built = mask & np.isfinite(p_model)
        y = min(max(record[name], 0.01), 0.99)
        if built.any():
            total += built.sum() * (p_model[built].mean() - record[name]) ** 2 / (y * (1 - y))
    return float(total)


def deviance(p_model: np.ndarray, outcome: np.ndarray, replicates: int) -> float:
    """The loss on each world: ``-2 sum_i [y_i log m_i + (1 - y_i) log(1 - m_i)]``, the binomial
    deviance of the record's outcomes ``y`` (did the dispute become a war) under the model's
    shares ``m`` (worlds without a result, NaN, are left out). The shares are kept within
    ``[1/(2R), 1 - 1/(2R)]``: ``R`` replicates cannot tell a probability below one in ``R``
    from 0. Unlike a chi-square on group shares, it charges a spread of predictions within a
    group that does not separate the wars from the rest."""
    built = np.isfinite(p_model)
    floor = 1.0 / (2 * replicates)
    m = np.clip(p_model[built], floor, 1 - floor)
    y = outcome[built].astype(float)
    return float(-2.0 * np.sum(y * np.log(m) + (1 - y) * np.log(1 - m)))


def quiet_races(quiet: pd.DataFrame) -> np.ndarray:
    """For each quiet pair-year, whether the detector finds the pair racing in the five years
    from it (military personnel; the detector's window starts with the five years, as the
    model's worlds start with no history)."""
    from secdilemma.evidence.races import THRESHOLD, WINDOW, arming, racing
    from secdilemma.model.cow import load_nmc

    armed = arming(load_nmc(), "milper", THRESHOLD)
    years = quiet["year"].to_numpy()
    rows = np.arange(5)[:, None] + years[None, :]  # (5, P)
    index = armed.reindex(range(armed.index.min(), armed.index.max() + 6))

    def of(codes: np.ndarray) -> np.ndarray:
        columns = index.reindex(columns=np.unique(codes))
        table = columns.to_numpy()
        at = np.searchsorted(columns.columns.to_numpy(), codes)
        return table[rows - index.index.min(), at[None, :]]

    active = racing(of(quiet["low"].to_numpy()), of(quiet["high"].to_numpy()), WINDOW)
    return active.any(axis=0)


def model_races(armed: np.ndarray) -> np.ndarray:
    """(R,) whether the detector finds the two states of each replicate racing, from whether
    each armed in each step, ``armed`` (T, R, 2): the engine's spiral rule on arming, the rule
    the detector applies to the record. In the model a state arms when it takes an act that
    builds forces (the engine's own meaning); in the record, when its military personnel grew
    by the detector's threshold (a build-up the model's single act approximates)."""
    from secdilemma.evidence.races import WINDOW, racing

    armed = armed.astype(float)
    return racing(armed[:, :, 0], armed[:, :, 1], WINDOW).any(axis=0)


# The graded-response constraint's reference world: a strong, rich state (G: six times the
# forces and five times the wealth of S) beside a weak, poorer security seeker, over 20 steps.
GRADED_WORLD = (
    "states.G.offense=3",
    "states.G.defense=2",
    "states.G.wealth=50",
    "states.S.offense=0.5",
    "states.S.defense=0.5",
    "states.S.wealth=10",
)
GRADED_STEPS = 20
MAX_JUMP = 0.4
JUMP_PENALTY = 100.0


def greed_curve(values: Mapping[str, float], replicates: int = GRADED_REPLICATES) -> np.ndarray:
    """The share of replicates in which G begins the first war, at greed 0, 0.1, ..., 1 in the
    reference world, with the constants ``values``."""
    from secdilemma.engine import run_ensemble
    from secdilemma.model.scenario import load_scenario

    merged = {**HAND_SET, **values}
    constants = [f"parameters.{k}={v!r}" for k, v in merged.items() if k not in HARNESS]
    shares = []
    for greed in np.round(np.linspace(0, 1, 11), 1):
        spec = load_scenario(
            "greedy-vs-security-seeker",
            [
                f"replicates={replicates}",
                f"steps={GRADED_STEPS}",
                *GRADED_WORLD,
                f"states.G.greed={greed}",
                *constants,
            ],
        )
        o = run_ensemble(spec, trajectories=False).outcomes
        shares.append(float(np.mean(o.war & (o.first_war_initiator == 0))))
    return np.array(shares)


def jump_penalty(curve: np.ndarray) -> float:
    return JUMP_PENALTY * max(float(np.abs(np.diff(curve)).max()) - MAX_JUMP, 0.0)


# --- running the worlds ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _world(row: tuple[tuple[str, Any], ...], replicates: int):
    """A dyad's parsed scenario, kept per process: parsing (the NMC calibration of the
    capabilities) costs four times the run, and it is the same for every candidate."""
    from secdilemma.model.scenario import parse_scenario

    fields = dict(row)
    opening = fields.pop("opening")
    return parse_scenario(dispute_world(fields, replicates, STEPS, LENS, opening), "dispute")


def _war_shares(
    rows: list[tuple[tuple[str, Any], ...]], replicates: int, values: dict[str, float]
) -> list[tuple[float, float]]:
    """Each world's share of replicates with a war between the two and, for a quiet world,
    with an arms race the detector finds (NaN for a dispute, and both NaN without a world)."""
    from secdilemma.engine import run_ensemble  # in the worker process
    from secdilemma.model.parameters import Parameters

    out = []
    for row in rows:
        try:
            spec = _world(row, replicates)
        except InputError:  # no world for the dyad (score.py leaves it out the same way)
            out.append((math.nan, math.nan))
            continue
        quiet = not dict(row)["opening"]
        merged = {**HAND_SET, **values}
        constants = {k: v for k, v in merged.items() if k not in HARNESS}
        parameters = Parameters(**{**spec.parameters.model_dump(), **constants})
        spec = spec.model_copy(update={"parameters": parameters})
        if not quiet:
            spec = with_initiator_greed(spec, merged["dispute_greed"])
        ens = run_ensemble(spec, trajectories=False)
        race = math.nan
        if quiet:
            armed = ens.catalog.builds_forces[ens.outcomes.actions]  # (T, R, 2)
            race = float(model_races(armed).mean())
        out.append((float(ens.outcomes.war_pair[:, 0, 1].mean()), race))
    return out


def initiator_greed(mean: float) -> dict[str, Any]:
    """The Beta distribution of a dispute initiator's greed with ``mean`` (concentration 4)."""
    return {"dist": "beta", "a": 4.0 * mean, "b": 4.0 * (1.0 - mean)}


def with_initiator_greed(spec, mean: float):
    """``spec`` (a parsed dispute world) with side A's greed drawn with ``mean``."""
    from secdilemma.model.distributions import Beta

    first = spec.states[0].model_copy(update={"greed": Beta(**initiator_greed(mean))})
    return spec.model_copy(update={"states": [first, *spec.states[1:]]})


class Worlds:
    """The sampled dyads' worlds, run for any set of constants (in ``workers`` processes that
    keep their parsed worlds between calls)."""

    def __init__(self, dyads: pd.DataFrame, replicates: int, executor: Executor | None = None):
        self.dyads = dyads
        self.replicates = replicates
        records = dyads[[*COLUMNS, "opening"]].to_dict("records")
        self.rows = [tuple(sorted((k, _plain(v)) for k, v in r.items())) for r in records]
        self.executor = executor

    def war_shares(self, values: Mapping[str, float]) -> np.ndarray:
        """(worlds, 2): each world's war share and race share (``_war_shares``)."""
        chunks = [self.rows[i : i + 20] for i in range(0, len(self.rows), 20)]
        values = dict(values)
        if self.executor is None:
            parts = [_war_shares(c, self.replicates, values) for c in chunks]
        else:
            futures = [
                self.executor.submit(_war_shares, c, self.replicates, values) for c in chunks
            ]
            parts = [f.result() for f in futures]
        return np.array([p for part in parts for p in part]).reshape(-1, 2)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


# --- screening and fitting ------------------------------------------------------------------


def _from_unit(candidate: Candidate, u: float) -> float:
    if candidate.log:
        return float(
            math.exp(math.log(candidate.low) + u * math.log(candidate.high / candidate.low))
        )
    return float(candidate.low + u * (candidate.high - candidate.low))


def screen(
    loss, candidates: Sequence[Candidate], trajectories: int, seed: int
) -> list[dict[str, Any]]:
    """Morris elementary effects of each candidate on ``loss`` (a function of a dict of
    values), over the unit cube of the ranges (logs where the candidate is searched in logs);
    sorted by the mean absolute effect, largest first."""
    morris_sample = require("SALib.sample.morris", "analysis", "secdilemma calibrate", "screening")
    morris_analyze = require(
        "SALib.analyze.morris", "analysis", "secdilemma calibrate", "screening"
    )
    problem = {
        "num_vars": len(candidates),
        "names": [c.name for c in candidates],
        "bounds": [[0.0, 1.0]] * len(candidates),
    }
    unit = morris_sample.sample(problem, trajectories, num_levels=4, seed=seed)
    y = np.array(
        [
            loss({c.name: _from_unit(c, u) for c, u in zip(candidates, row, strict=True)})
            for row in unit
        ]
    )
    result = morris_analyze.analyze(problem, unit, y, num_levels=4, seed=seed)
    rows = [
        {"name": c.name, "mu_star": float(result["mu_star"][n]), "sigma": float(result["sigma"][n])}
        for n, c in enumerate(candidates)
    ]
    return sorted(rows, key=lambda r: -r["mu_star"])


def fit(
    loss, candidates: Sequence[Candidate], trials: int, seed: int, start: Mapping[str, float]
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """optuna's TPE sampler over ``candidates``, trial after trial, beginning at ``start`` (the
    current defaults); the best values and every trial."""
    optuna = require("optuna", "evidence", "secdilemma calibrate", "the fit")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.enqueue_trial({c.name: float(np.clip(start[c.name], c.low, c.high)) for c in candidates})

    def objective(trial) -> float:
        values = {c.name: trial.suggest_float(c.name, c.low, c.high, log=c.log) for c in candidates}
        return loss(values)

    study.optimize(objective, n_trials=trials, n_jobs=1)
    history = [{"values": dict(t.params), "loss": float(t.value)} for t in study.trials]
    return dict(study.best_params), history


def intervals(
    history: Sequence[Mapping[str, Any]], names: Sequence[str], level: float = 0.68
) -> dict[str, list[float]]:
    """Each constant's range over the trials within the chi-square ``level`` quantile of the
    best loss (degrees of freedom: ``len(names)``)."""
    from scipy import stats

    best = min(t["loss"] for t in history)
    band = best + float(stats.chi2.ppf(level, df=len(names)))
    near = [t for t in history if t["loss"] <= band]
    return {
        n: [min(t["values"][n] for t in near), max(t["values"][n] for t in near)] for n in names
    }


def calibrate(
    settings: Settings | None = None,
    screened: bool = False,
    workers: int = 2,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Fit the constants on the training years; the result (``secdilemma calibrate --json``)."""
    from secdilemma.model.parameters import CALIBRATED

    settings = settings or Settings()
    if settings.loss not in LOSSES:
        raise InputError("--loss", "loss", settings.loss, f"use one of {list(LOSSES)}")
    every = training_dyads()
    record = targets(every)
    quiet = quiet_years(every)
    record["quiet years"] = float(quiet["war"].mean())
    record["quiet years: arms race"] = float(quiet_races(quiet).mean())
    disputes = sample(every, settings.dyads).assign(opening=True)
    quiet_sample = quiet_rows(quiet.iloc[_even(len(quiet), settings.quiet)]).assign(opening=False)
    dyads = pd.concat([disputes, quiet_sample], ignore_index=True)
    masks = {
        name: np.concatenate([mask, np.zeros(len(quiet_sample), dtype=bool)])
        for name, mask in groups(disputes).items()
    }
    masks["quiet years"] = ~dyads["opening"].to_numpy(dtype=bool)
    race_masks = {"quiet years: arms race": masks["quiet years"]}
    pool = executor
    if pool is None and workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers)
    try:
        worlds = Worlds(dyads, settings.replicates, pool)

        outcome = dyads["war"].to_numpy(dtype=bool)

        def fit_loss(values: Mapping[str, float]) -> float:
            shares = worlds.war_shares(values)
            if settings.loss == "dyads":
                war = deviance(shares[:, 0], outcome, settings.replicates)
            else:
                war = chi_square(shares[:, 0], masks, record)
            return war + chi_square(shares[:, 1], race_masks, record)

        def loss(values: Mapping[str, float]) -> float:
            return fit_loss(values) + jump_penalty(greed_curve(values, settings.graded_replicates))

        if screened or not CALIBRATED["fitted"]:
            screening = screen(loss, CANDIDATES, settings.screen_trajectories, settings.seed)
            names = [row["name"] for row in screening[:FITTED]]
        else:
            screening = CALIBRATED.get("screening", [])
            names = list(CALIBRATED["fitted"])
        chosen = [c for c in CANDIDATES if c.name in names] + [INITIATOR]
        best, history = fit(loss, chosen, settings.trials, settings.seed, HAND_SET)
        start_loss = history[0]["loss"]
        start = {c.name: history[0]["values"][c.name] for c in chosen}
        fitted_shares, start_shares = worlds.war_shares(best), worlds.war_shares(start)
        fits = {"start": fit_loss(start), "fitted": fit_loss(best)}
        curves = {
            "start": greed_curve(start, settings.graded_replicates).tolist(),
            "fitted": greed_curve(best, settings.graded_replicates).tolist(),
        }
    finally:
        if executor is None and pool is not None:
            pool.shutdown()
    return {
        "training_years": f"{int(every['onset'].min())}-{TRAINING_END - 1}",
        "lens": LENS,
        "settings": settings.__dict__,
        "dyads": {
            "training": int(len(every)),
            "sampled": int(len(disputes)),
            "quiet_years": int(len(quiet)),
            "quiet_sampled": int(len(quiet_sample)),
        },
        "screening": screening,
        "fitted": {n: best[n] for n in names},
        "harness": {n: best[n] for n in HARNESS},
        "interval_68": intervals(history, [*names, *HARNESS]),
        "loss": {"start": start_loss, "fitted": min(t["loss"] for t in history)},
        "group_chi_square": {
            "start": chi_square(start_shares[:, 0], masks, record),
            "fitted": chi_square(fitted_shares[:, 0], masks, record),
        },
        "loss_without_penalty": fits,
        "greed_curve": curves,
        "targets": {
            name: {
                "dyads": int(mask.sum()),
                "record": record[name],
                "start": float(np.nanmean(start_shares[mask, column])),
                "fitted": float(np.nanmean(fitted_shares[mask, column])),
            }
            for column, group in enumerate((masks, race_masks))
            for name, mask in group.items()
        },
        "trials": history,
    }


CALIBRATED_FILE = Path(__file__).parents[1] / "model" / "data" / "calibrated.json"


def write_defaults(result: Mapping[str, Any], path: Path = CALIBRATED_FILE) -> None:
    """Store a calibration's estimate as the package's defaults (what ``--write`` does)."""
    kept = {k: result[k] for k in ("training_years", "lens", "settings", "dyads", "screening")}
    kept |= {
        k: result[k]
        for k in (
            "fitted",
            "harness",
            "interval_68",
            "loss",
            "loss_without_penalty",
            "group_chi_square",
            "greed_curve",
            "targets",
        )
    }
    # The second stage's estimate (``calibrate_joining``) is kept: it is fitted given this one.
    if path.exists():
        previous = json.loads(path.read_text(encoding="utf-8"))
        kept |= {k: previous[k] for k in ("joining",) if k in previous}
    path.write_text(json.dumps(kept, indent=2, sort_keys=False) + "\n")
