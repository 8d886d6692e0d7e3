"""The model scored against the record: each dispute dyad's world run as an ensemble, the
model's probability that the dispute becomes a war, scored out of sample beside baselines.

* **Out of sample.** The record is split by onset year into 1816-1945 and 1946-2010; each
  baseline is fitted on one part (training) and every predictor is scored on the other (test),
  in both directions. The model's constants are the defaults, calibrated on 1816-1945 only
  (``evidence/calibrate.py``), so 1946-2010 is out of sample for it and 1816-1945 is not;
  ``constants="hand-set"`` scores the values before the calibration.
* **Baselines** fitted on the training years: the base rate (the training share of dispute
  dyads that became wars), and a logistic regression (statsmodels) on the pair's attributes
  at onset: log capability ratio, a defence pact between them, a pact of either with a third
  state, a GRH arms race under way, and a major-power proxy on either side.
* **Scores**: the Brier score, the log loss (the model's probabilities, shares of ``R``
  replicates, are kept within ``[1/(2R), 1 - 1/(2R)]``: an ensemble cannot tell a probability
  below one in ``R`` from 0), and a reliability table (deciles of predicted probability, with the
  mean prediction and the observed share in each).
* **The arms-race association reproduced**: the model's mean probability of war for disputes
  during a GRH race, for the same rival pairs in other years, and for all other pairs, beside
  the record's shares for the same rows; and by the groups at onset whose order the record
  keeps across the eras (participants, a joiner, the pair's first dispute).

The worlds are built by :mod:`secdilemma.evidence.worlds` (two states a dyad, ``harness=
"pairs"``) or :mod:`secdilemma.evidence.participants` (every state of the dispute by the dyad's
onset, ``harness="participants"``); a dyad without NMC data for both states in its onset year
has no world and is left out of every score (the count is reported).
"""

from __future__ import annotations

import math
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.errors import InputError
from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.regularities import GROUPINGS, onset_groups
from secdilemma.evidence.scoring_rules import SPLIT_YEAR, brier, log_loss
from secdilemma.evidence.worlds import COLUMNS, REPLICATES, STEPS, dispute_world
from secdilemma.experiments.extras import require

READINGS = ("structural", "bayesian", "interpretive")
HARNESSES = ("pairs", "participants")
# The groupings at onset whose order the record keeps across the eras (docs/evidence.md, "How
# hard the target is"), reported beside each score.
GROUPS_SCORED = ("participants", "originators", "pair_history")
FEATURES = ("log_cinc_ratio", "pact_between", "pact_third", "arms_race", "major")
QUICK_DYADS = 160


def _war_probabilities(
    rows: list[dict[str, Any]],
    replicates: int,
    steps: int,
    lens: str,
    constants: dict[str, float] | None = None,
    initiator: float | None = None,
) -> list[float]:
    """Each dyad's share of replicates with a war between A and B (NaN: no world)."""
    from secdilemma.engine import run_ensemble  # in the worker process
    from secdilemma.evidence.calibrate import initiator_greed
    from secdilemma.model.scenario import parse_scenario

    greed = None if initiator is None else initiator_greed(initiator)
    out = []
    for row in rows:
        try:
            raw = dispute_world(row, replicates, steps, lens, initiator_greed=greed)
            if constants:
                raw["parameters"] = dict(constants)
            spec = parse_scenario(raw, "dispute")
        except InputError:
            out.append(math.nan)
            continue
        ens = run_ensemble(spec, trajectories=False)
        out.append(float(ens.outcomes.war_pair[:, 0, 1].mean()))
    return out


def model_probabilities(
    dyads: pd.DataFrame,
    lens: str = "structural",
    replicates: int = REPLICATES,
    steps: int = STEPS,
    workers: int = 2,
    executor: Executor | None = None,
    constants: dict[str, float] | None = None,
    initiator: float | None = None,
) -> np.ndarray:
    """The model's probability of war for every dyad (NaN where no world could be built).
    Each dyad has its own seed, so the result does not depend on ``workers``."""
    rows = dyads[list(COLUMNS)].to_dict("records")
    chunks = [rows[i : i + 50] for i in range(0, len(rows), 50)]
    if workers <= 1 and executor is None:
        parts = [
            _war_probabilities(c, replicates, steps, lens, constants, initiator) for c in chunks
        ]
    else:
        pool = executor or ProcessPoolExecutor(max_workers=workers)
        try:
            futures = [
                pool.submit(_war_probabilities, c, replicates, steps, lens, constants, initiator)
                for c in chunks
            ]
            parts = [f.result() for f in futures]
        finally:
            if executor is None:
                pool.shutdown()
    return np.array([p for part in parts for p in part])


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Deciles of predicted probability (ties kept together): count, mean prediction, observed
    share of wars."""
    order = np.argsort(p, kind="stable")
    table = []
    for part in np.array_split(order, bins):
        if part.size == 0:
            continue
        table.append(
            {
                "dyads": int(part.size),
                "predicted": float(p[part].mean()),
                "observed": float(y[part].mean()),
            }
        )
    return table


def features(dyads: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "log_cinc_ratio": np.log(dyads["cinc_ratio"].to_numpy(dtype=float)),
            "pact_between": dyads["pact_between"].astype(float).to_numpy(),
            "pact_third": (dyads["pact_third_a"] | dyads["pact_third_b"]).astype(float).to_numpy(),
            "arms_race": dyads["arms_race"].astype(float).to_numpy(),
            "major": (dyads["major_a"] | dyads["major_b"]).astype(float).to_numpy(),
        }
    )


def logistic_baseline(train: pd.DataFrame, test: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """A logistic regression of war on the attributes, fitted on ``train``; its probabilities
    for ``test`` and its coefficients."""
    sm = require("statsmodels.api", "evidence", "secdilemma evidence score", "logistic baseline")
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    x_train = sm.add_constant(features(train), has_constant="add")
    with warnings.catch_warnings():
        # Reported in the result instead: a small or separated sample may not converge.
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = sm.Logit(train["war"].astype(float).to_numpy(), x_train).fit(disp=0, maxiter=200)
    x_test = sm.add_constant(features(test), has_constant="add")
    coefficients = {
        name: {"coef": float(fit.params[name]), "se": float(fit.bse[name])}
        for name in x_train.columns
    }
    coefficients["converged"] = bool(fit.mle_retvals["converged"])
    return np.asarray(fit.predict(x_test)), coefficients


def _scores(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {"brier": brier(p, y), "log_loss": log_loss(p, y)}


def _association(frame: pd.DataFrame, p: np.ndarray) -> dict[str, Any]:
    groups = {
        "arms_race": frame["arms_race"].to_numpy(),
        "rivals_other_years": (frame["grh_pair"] & ~frame["arms_race"]).to_numpy(),
        "all_other_pairs": (~frame["grh_pair"]).to_numpy(),
    }
    y = frame["war"].to_numpy(dtype=float)
    return {
        name: {
            "dyads": int(mask.sum()),
            "model": float(p[mask].mean()) if mask.any() else None,
            "record": float(y[mask].mean()) if mask.any() else None,
        }
        for name, mask in groups.items()
    }


def score_split(
    frame: pd.DataFrame, p_model: np.ndarray, train: np.ndarray, floor: float
) -> dict[str, Any]:
    """Every predictor scored on the rows not in ``train``, baselines fitted on ``train``."""
    test = ~train
    y = frame["war"].to_numpy(dtype=float)
    base = float(y[train].mean())
    p_logit, coefficients = logistic_baseline(frame[train], frame[test])
    p_test = np.clip(p_model[test], floor, 1 - floor)
    return {
        "train_dyads": int(train.sum()),
        "test_dyads": int(test.sum()),
        "test_war_share": float(y[test].mean()),
        "model": _scores(p_test, y[test]),
        "base_rate": {**_scores(np.full(test.sum(), base), y[test]), "rate": base},
        "logistic": {**_scores(p_logit, y[test]), "coefficients": coefficients},
        "model_reliability": reliability(p_test, y[test]),
        "model_mean_probability": float(p_test.mean()),
    }


def parameter_settings(items: list[str]) -> dict[str, float]:
    """``name=value`` strings as model constants, each checked against the parameter schema:
    a bad one is an ``InputError`` naming ``--set``, the constant and the value."""
    from pydantic import ValidationError

    from secdilemma.model.scenario import Parameters

    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip().removeprefix("parameters.")
        if not sep or name not in Parameters.model_fields:
            raise InputError("--set", name or item, text, "use name=value with a model constant")
        try:
            value = float(text)
        except ValueError:
            raise InputError("--set", name, text, "the value must be a number") from None
        if not math.isfinite(value):
            raise InputError("--set", name, text, "the value must be finite")
        try:
            Parameters(**{name: value})
        except ValidationError as err:
            raise InputError("--set", name, text, err.errors()[0]["msg"]) from None
        values[name] = value
    return values


def score(
    lens: str = "structural",
    quick: bool = False,
    replicates: int | None = None,
    workers: int = 2,
    constants: str = "calibrated",
    harness: str = "participants",
    settings: list[str] | None = None,
) -> dict[str, Any]:
    """The model against the record, out of sample in both directions (``secdilemma evidence
    score``). ``quick`` scores an even sample of ``QUICK_DYADS`` dyads with 40 replicates;
    ``constants`` is ``calibrated`` (the defaults) or ``hand-set`` (the values the calibration
    started from, ``calibrate.HAND_SET``); ``harness`` is ``participants`` (each dispute one
    world of its participants at onset, ``evidence.participants``, with the selection of its
    initiators and joiners that ``calibrate --stage joining`` fitted) or ``pairs`` (each dyad a
    two-state world, ``evidence.worlds``); ``settings`` are ``name=value`` model constants set
    in every world, over ``constants`` (``--set``)."""
    if lens not in READINGS:
        raise InputError("--lens", "lens", lens, f"use one of {list(READINGS)}")
    if constants not in ("calibrated", "hand-set"):
        raise InputError("--constants", "constants", constants, "use calibrated or hand-set")
    if harness not in HARNESSES:
        raise InputError("--harness", "harness", harness, f"use one of {list(HARNESSES)}")
    from secdilemma.evidence.calibrate import HAND_SET, HARNESS
    from secdilemma.model.parameters import CALIBRATED

    if constants == "hand-set":
        overrides = {k: v for k, v in HAND_SET.items() if k not in HARNESS}
        initiator = None  # the prior: no selection of the disputes' initiators
    else:
        overrides = None
        initiator = CALIBRATED.get("harness", {}).get("dispute_greed")
    # The participant worlds' selection of initiators and joiners is the second stage's fit
    # (``calibrate_joining``), given the first; the hand-set model has none (the prior).
    joining = CALIBRATED.get("joining", {}).get("harness", {})
    joiner = None
    if harness == "participants" and constants != "hand-set" and joining:
        initiator, joiner = joining["initiator_greed"], joining["joiner_greed"]
    if constants == "hand-set":
        overrides = {**overrides, "join_stakes": 0.0}  # the mechanism came after them
    if settings:
        overrides = {**(overrides or {}), **parameter_settings(settings)}
    # Before minutes of simulation, not after: the logistic baseline needs the [evidence] extra.
    require("statsmodels.api", "evidence", "secdilemma evidence score", "logistic baseline")
    whole = dispute_dyads()
    # The groups at onset count a dispute's states in the whole table.
    dyads = whole.join(onset_groups(whole).add_prefix("group_"))
    dyads = dyads[np.isfinite(dyads["cinc_ratio"])].reset_index(drop=True)
    if quick:
        dyads = dyads.iloc[np.linspace(0, len(dyads) - 1, QUICK_DYADS).astype(int)]
        dyads = dyads.reset_index(drop=True)
    replicates = replicates or (40 if quick else REPLICATES)
    if harness == "participants":
        from secdilemma.evidence import participants

        worlds = participants.dispute_worlds(dyads, whole)
        p_model = participants.model_probabilities(
            dyads, whole, lens, replicates, STEPS, workers, initiator, overrides, worlds, joiner
        )
        census = participants.world_census(worlds)
    else:
        census = None
        p_model = model_probabilities(
            dyads, lens, replicates, STEPS, workers, constants=overrides, initiator=initiator
        )
    built = np.isfinite(p_model)
    frame, p_model = dyads[built].reset_index(drop=True), p_model[built]
    floor = 1.0 / (2 * replicates)
    early = (frame["onset"] < SPLIT_YEAR).to_numpy()
    y = frame["war"].to_numpy(dtype=float)
    main = score_split(frame, p_model, early, floor)
    return {
        "lens": lens,
        "harness": harness,
        "constants": constants,
        "settings": dict(sorted(parameter_settings(settings or []).items())),
        "dispute_initiator_greed": initiator,
        "dispute_joiner_greed": joiner,
        "replicates": replicates,
        "steps": STEPS,
        "dyads_scored": int(len(frame)),
        "dyads_without_world": int((~built).sum()),
        "split": f"train {int(frame['onset'].min())}-{SPLIT_YEAR - 1}, test {SPLIT_YEAR}-"
        f"{int(frame['onset'].max())}",
        **{k: main[k] for k in ("model", "base_rate", "logistic")},
        "train_on_early": main,
        "train_on_late": score_split(frame, p_model, ~early, floor),
        "all_years": {
            "model": _scores(np.clip(p_model, floor, 1 - floor), y),
            "model_mean_probability": float(p_model.mean()),
            "war_share": float(y.mean()),
        },
        "arms_race_association": _association(frame, p_model),
        "groups_at_onset": _groups_at_onset(frame, p_model, early),
        "participant_worlds": census,
    }


def _groups_at_onset(frame: pd.DataFrame, p: np.ndarray, early: np.ndarray) -> list[dict]:
    """Per era and group at onset (participants, a joiner, the pair's first dispute): the
    dyads, the record's share of wars and the model's mean probability."""
    y = frame["war"].to_numpy(dtype=float)
    rows = []
    for era, in_era in ((f"before {SPLIT_YEAR}", early), (f"from {SPLIT_YEAR}", ~early)):
        for grouping in GROUPS_SCORED:
            labels = frame[f"group_{grouping}"].to_numpy()
            for label in GROUPINGS[grouping]:
                mask = in_era & (labels == label)
                if mask.any():
                    rows.append(
                        {
                            "era": era,
                            "grouping": grouping,
                            "group": label,
                            "dyads": int(mask.sum()),
                            "record": float(y[mask].mean()),
                            "model": float(p[mask].mean()),
                        }
                    )
    return rows
