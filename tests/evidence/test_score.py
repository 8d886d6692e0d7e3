"""The model scored against the record: the scores themselves, the dispute worlds, results
that do not depend on the number of workers, the baselines, and the command's JSON."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.score import (
    brier,
    log_loss,
    logistic_baseline,
    model_probabilities,
    reliability,
)
from secdilemma.evidence.worlds import COLUMNS, dispute_world, dyad_seed
from secdilemma.model.scenario import parse_scenario


def test_the_scores_of_known_forecasts():
    y = np.array([0.0, 1.0, 1.0, 0.0])
    assert brier(y, y) == 0.0
    assert brier(np.full(4, 0.5), y) == 0.25
    assert log_loss(np.full(4, 0.5), y) == pytest.approx(np.log(2))
    assert log_loss(np.array([0.0, 1.0, 1.0, 0.0]), y) < 1e-9
    table = reliability(np.array([0.1, 0.2, 0.8, 0.9]), y, bins=2)
    assert table == [
        {"dyads": 2, "predicted": pytest.approx(0.15), "observed": 0.5},
        {"dyads": 2, "predicted": pytest.approx(0.85), "observed": 0.5},
    ]


@pytest.fixture(scope="module")
def sample():
    dyads = dispute_dyads()
    years = dyads[dyads["onset"].between(1905, 1915)]
    races, others = years[years["arms_race"]].head(3), years[~years["arms_race"]].head(9)
    return pd.concat([races, others]).reset_index(drop=True)


def test_a_dispute_world_carries_its_pair_year_and_arms_race(sample):
    race = sample[sample["arms_race"]].iloc[0][list(COLUMNS)].to_dict()
    raw = dispute_world(race)
    assert raw["calibration"]["year"] == race["onset"]
    assert raw["calibration"]["states"] == {"A": [race["ccode_a"]], "B": [race["ccode_b"]]}
    builds = [e for e in raw["events"] if e["action"] == "build_arms"]
    assert {(e["step"], e["actor"]) for e in builds} == {(1, "A"), (0, "B"), (1, "B")}
    quiet = {**race, "arms_race": False}
    assert [e["action"] for e in dispute_world(quiet)["events"]] == ["military_exercise"]
    assert raw["seed"] == dyad_seed(race) != dyad_seed({**race, "DispNum3": race["DispNum3"] + 1})
    spec = parse_scenario(raw, "dispute")
    assert spec.states[0].offense > 0 and spec.steps == 5


def test_the_model_probabilities_do_not_depend_on_the_workers(sample):
    one = model_probabilities(sample, replicates=30, workers=1)
    two = model_probabilities(sample, replicates=30, workers=2)
    assert np.array_equal(one, two, equal_nan=True)
    assert np.isfinite(one).sum() >= 10 and ((one >= 0) & (one <= 1))[np.isfinite(one)].all()


def test_the_logistic_baseline_learns_an_association_it_is_shown():
    rng = np.random.default_rng(0)
    n = 2000
    race = rng.random(n) < 0.3
    frame = pd.DataFrame(
        {
            "cinc_ratio": np.exp(rng.normal(1, 1, n)),
            "pact_between": rng.random(n) < 0.2,
            "pact_third_a": rng.random(n) < 0.5,
            "pact_third_b": rng.random(n) < 0.5,
            "arms_race": race,
            "major_a": rng.random(n) < 0.3,
            "major_b": rng.random(n) < 0.3,
        }
    )
    frame["war"] = rng.random(n) < np.where(race, 0.4, 0.05)
    train, test = frame.iloc[:1500], frame.iloc[1500:]
    p, coefficients = logistic_baseline(train, test)
    assert coefficients["arms_race"]["coef"] > 1.0 and coefficients["converged"]
    y = test["war"].to_numpy(dtype=float)
    assert brier(p, y) < brier(np.full(len(y), train["war"].mean()), y)


@pytest.mark.slow
def test_evidence_score_quick_prints_each_predictors_out_of_sample_scores():
    result = CliRunner().invoke(app, ["evidence", "score", "--quick", "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    for name in ("model", "base_rate", "logistic"):
        assert set(scores[name]) >= {"brier", "log_loss"}
        assert 0 <= scores[name]["brier"] <= 1
    assert {"arms_race", "rivals_other_years", "all_other_pairs"} == set(
        scores["arms_race_association"]
    )
    assert scores["dyads_scored"] + scores["dyads_without_world"] == 160
