"""The calibration's second stage: joining wars, fitted on disputes as worlds of all their
participants (``secdilemma calibrate --stage joining``; docs/evidence.md, "Joining wars").

The first stage (``evidence/calibrate.py``) fits the decision's constants on two-state dispute
worlds, where no third state can join a war, so it cannot see ``join_stakes`` (what a state
that joins a war on its victim takes, ``mechanisms/intervention.py``). This stage holds the
first stage's constants and fits, on the training years' dispute dyads, each read from the
world of its dispute's participants at onset (``evidence/participants.py``):

* ``join_stakes``, the model constant;
* two constants of the harness, as the first stage fits the initiator's greed: the mean greed
  of the side-A originators (``initiator_greed``) and of the states that joined a dispute begun
  by others (``joiner_greed``), each a Beta of concentration 4 (0.25 is the prior, no
  selection). A state that joins a militarised dispute is no more a random state than one
  that begins it (Reed 2000 on selection; Schweller 1994 on the revisionists that join wars).

The loss is the binomial deviance of each training dyad's outcome (``calibrate.deviance``): the
participant worlds carry the groups whose order the record keeps (participants, joiners), so
the fit is to each dyad, not to group shares. optuna's TPE sampler, seeded, trial after trial,
the first trial at no joining and no selection; each world keeps its own seed, so every trial
meets the same draws.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.evidence.calibrate import (
    CALIBRATED_FILE,
    LENS,
    SEED,
    TRAINING_END,
    Candidate,
    deviance,
    fit,
    intervals,
)
from secdilemma.evidence.regularities import PARTICIPANT_BINS
from secdilemma.evidence.worlds import STEPS

MODEL = (Candidate("join_stakes", 0.0, 1.0),)
HARNESS = (Candidate("initiator_greed", 0.1, 0.9), Candidate("joiner_greed", 0.1, 0.95))
START = {"join_stakes": 0.0, "initiator_greed": 0.25, "joiner_greed": 0.25}


@dataclass(frozen=True)
class JoiningSettings:
    """How much simulation the stage spends: worlds (every training world by default),
    replicates, trials."""

    replicates: int = 30
    trials: int = 24
    seed: int = SEED
    dyads: int | None = None  # an even sample of training dyads, or all of them

    @classmethod
    def quick(cls) -> JoiningSettings:
        return cls(replicates=8, trials=3, dyads=60)


def participant_dyads(size: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training dispute dyads with their groups at onset (an even sample of ``size``, or
    all), and the whole dyad table their worlds' members come from."""
    from secdilemma.evidence.dyads import dispute_dyads
    from secdilemma.evidence.regularities import onset_groups

    whole = dispute_dyads()
    dyads = whole.join(onset_groups(whole).add_prefix("group_"))
    dyads = dyads[np.isfinite(dyads["cinc_ratio"]) & (dyads["onset"] < TRAINING_END)]
    dyads = dyads.reset_index(drop=True)
    if size is not None and size < len(dyads):
        dyads = dyads.iloc[np.linspace(0, len(dyads) - 1, size).astype(int)]
        dyads = dyads.reset_index(drop=True)
    return dyads, whole


_ORDER = {  # the groups in the era tables' order
    "participants": {label: n for n, (_, _, label) in enumerate(PARTICIPANT_BINS)},
    "originators": {"both originators": 0, "a joiner": 1},
}


def group_shares(dyads: pd.DataFrame, p_model: np.ndarray) -> list[dict[str, Any]]:
    """The record's and the model's war share in each group at onset (participants,
    originators), over the dyads with a world."""
    built = np.isfinite(p_model)
    frame, p = dyads[built], p_model[built]
    rows = []
    for grouping in ("participants", "originators"):
        column = frame[f"group_{grouping}"].to_numpy()
        for group in sorted(pd.unique(column), key=_ORDER.get(grouping, {}).get):
            mask = column == group
            rows.append(
                {
                    "grouping": grouping,
                    "group": str(group),
                    "dyads": int(mask.sum()),
                    "record": float(frame["war"].to_numpy(dtype=float)[mask].mean()),
                    "model": float(p[mask].mean()),
                }
            )
    return rows


def calibrate_joining(settings: JoiningSettings | None = None, workers: int = 2) -> dict[str, Any]:
    """Fit ``join_stakes`` and the participant harness's selection on the training years; the
    result (``secdilemma calibrate --stage joining --json``)."""
    from secdilemma.evidence import participants

    settings = settings or JoiningSettings()
    dyads, whole = participant_dyads(settings.dyads)
    worlds = participants.dispute_worlds(dyads, whole)
    outcome = dyads["war"].to_numpy(dtype=bool)

    def probabilities(values: Mapping[str, float]) -> np.ndarray:
        return participants.model_probabilities(
            dyads,
            whole,
            LENS,
            settings.replicates,
            STEPS,
            workers,
            initiator=values["initiator_greed"],
            constants={"join_stakes": values["join_stakes"]},
            worlds=worlds,
            joiner=values["joiner_greed"],
        )

    def loss(values: Mapping[str, float]) -> float:
        return deviance(probabilities(values), outcome, settings.replicates)

    chosen = [*MODEL, *HARNESS]
    best, history = fit(loss, chosen, settings.trials, settings.seed, START)
    start = {c.name: history[0]["values"][c.name] for c in chosen}
    fitted_p, start_p = probabilities(best), probabilities(start)
    names = [c.name for c in chosen]
    rate = float(outcome.mean())
    return {
        "training_years": f"{int(dyads['onset'].min())}-{TRAINING_END - 1}",
        "lens": LENS,
        "settings": settings.__dict__,
        "dyads": {"training": int(len(dyads)), "worlds": len(worlds)},
        "fitted": {c.name: best[c.name] for c in MODEL},
        "harness": {c.name: best[c.name] for c in HARNESS},
        "interval_68": intervals(history, names),
        "loss": {"start": history[0]["loss"], "fitted": min(t["loss"] for t in history)},
        "brier": {
            "start": _brier(start_p, outcome),
            "fitted": _brier(fitted_p, outcome),
            "constant": rate * (1 - rate),
        },
        "groups": {
            "start": group_shares(dyads, start_p),
            "fitted": group_shares(dyads, fitted_p),
        },
        "trials": history,
    }


def _brier(p: np.ndarray, outcome: np.ndarray) -> float:
    built = np.isfinite(p)
    return float(np.mean((p[built] - outcome[built]) ** 2))


KEPT = ("training_years", "lens", "settings", "dyads", "fitted", "harness", "interval_68")


def stored(result: Mapping[str, Any]) -> dict[str, Any]:
    """What ``--write`` stores of the stage (under ``joining`` in ``calibrated.json``)."""
    return {k: result[k] for k in (*KEPT, "loss", "brier", "groups")}


def write_joining(result: Mapping[str, Any], path: Path = CALIBRATED_FILE) -> None:
    """Store the stage's estimate (``calibrate --stage joining --write``) beside the first
    stage's, under ``joining``."""
    current = json.loads(path.read_text(encoding="utf-8"))
    current["joining"] = stored(result)
    path.write_text(json.dumps(current, indent=2, sort_keys=False) + "\n")
