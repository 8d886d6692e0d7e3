"""The same scenario and seed under each reading: structural (Walt), interpretive (Herz) and
Bayesian (Glaser, Kydd), side by side.

Every state gets the reading's lens; everything else, the drawn parameters included, is the
same, so differences between the readings come from how states read each other. The
parameters on which the readings' conclusions turn are those whose effect on war (or on
spirals) differs most between readings: for each drawn parameter, the effect is the outcome
rate among replicates above its median minus the rate among those below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from secdilemma.engine.pipeline import Ensemble, run_ensemble
from secdilemma.engine.summary import summarize
from secdilemma.model.scenario import LENSES, load_scenario, read_raw, resolve_path

READINGS = ("structural", "interpretive", "bayesian")
AUTHORS = {
    "structural": "Walt, Jervis: states react to capabilities",
    "interpretive": "Herz: states interpret acts through their frames",
    "bayesian": "Glaser, Kydd: states infer the other's type from its acts",
}
assert set(READINGS) == set(LENSES)


@dataclass
class Comparison:
    scenario: str
    ensembles: dict[str, Ensemble]
    summaries: dict[str, dict[str, Any]]
    turning_parameters: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "readings": self.summaries,
            "side_by_side": side_by_side(self.summaries),
            "turning_parameters": self.turning_parameters,
            "record": {reading: summary["record"] for reading, summary in self.summaries.items()},
        }


def lens_overrides(scenario: str, lens: str) -> list[str]:
    states = read_raw(resolve_path(scenario)).get("states")
    # A malformed ``states`` is left for the schema to report, with its file and field.
    count = len(states) if isinstance(states, list) else 0
    return [f"states.{n}.lens={lens}" for n in range(count)]


def compare(
    scenario: str,
    overrides: list[str] | None = None,
    chunk_size: int | None = None,
    trajectories: bool = True,
    progress: Callable[[str], Callable[[int], None] | None] | None = None,
) -> Comparison:
    """Run ``scenario`` once per reading with the same seed and overrides."""
    ensembles, summaries = {}, {}
    for reading in READINGS:
        spec = load_scenario(scenario, [*(overrides or []), *lens_overrides(scenario, reading)])
        tick = progress(reading) if progress else None
        ens = run_ensemble(spec, chunk_size=chunk_size, trajectories=trajectories, progress=tick)
        ensembles[reading], summaries[reading] = ens, summarize(ens)
    name = next(iter(ensembles.values())).scenario.name
    return Comparison(name, ensembles, summaries, turning_parameters(ensembles))


def side_by_side(summaries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The measures the readings are compared on, one entry per measure, keyed by reading."""
    keys = [
        "p_war",
        "p_war_unscheduled",
        "first_war_step_mean",
        "p_spiral",
        "p_tragic_spiral",
        "p_accidental_war",
        "p_war_on_tenfold",
        "first_war_initiator",
        "security_change",
        "misperception_belief",
        "misperception_threat",
        "attribution_asymmetry",
        "record",
    ]
    return {key: {reading: s.get(key) for reading, s in summaries.items()} for key in keys}


def _effect(values: np.ndarray, outcome: np.ndarray) -> float:
    above = values > np.median(values)
    if above.all() or not above.any():
        return float("nan")
    return float(outcome[above].mean() - outcome[~above].mean())


def turning_parameters(ensembles: dict[str, Ensemble], top: int = 5) -> list[dict[str, Any]]:
    """The drawn parameters whose effect on war or spirals differs most between readings."""
    first = next(iter(ensembles.values()))
    varying = [k for k, v in first.drawn.items() if np.ptp(v) > 0]
    rows = []
    for name in varying:
        row: dict[str, Any] = {"parameter": name}
        spreads = []
        for outcome, label in _outcomes(first):
            effects = {
                reading: _effect(ens.drawn[name], outcome(ens.outcomes).astype(float))
                for reading, ens in ensembles.items()
            }
            row[f"effect_on_{label}"] = effects
            finite = [e for e in effects.values() if np.isfinite(e)]
            spreads.append(float(np.ptp(finite)) if finite else 0.0)
            # A parameter matters where it moves an outcome, under some reading.
            row[f"size_{label}"] = max((abs(e) for e in finite), default=0.0)
        row["spread"] = max(spreads)
        row["size"] = max(v for k, v in row.items() if k.startswith("size_"))
        rows.append(row)
    rows.sort(key=lambda r: -(r["size"] + r["spread"]))
    return rows[:top]


def _outcomes(ens: Ensemble):
    """The outcomes a parameter's effect is measured on: war (unscheduled), spiral, and each
    fact of the historical record."""
    yield (lambda o: o.unscheduled_war), "war"
    yield (lambda o: o.spiral), "spiral"
    for f, fact in enumerate(ens.scenario.record):
        yield (
            (lambda o, f=f, want=fact.occurred: o.record_reproduced[:, f] == want),
            f"record: {fact.description}",
        )
