"""The arms-race detector: the engine's spiral rule on arming years, the unit-free arming
indicators, runs of racing years, and its score against the GRH races."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.evidence.races import _episodes, arming, racing, score_detector
from secdilemma.model.cow import UNIT_CHANGE_YEAR, load_nmc


def test_a_pair_races_only_while_both_arm_in_most_years_of_the_window():
    # (Late in a series, where the bias correction of the average has faded, as it has for
    # every pair after the first years of 1816.)
    years = 40
    both = np.zeros((years, 3))
    both[30:33, 0] = 1  # pair 0: both arm in years 30-32
    one = both.copy()
    one[:, 1] = 1  # pair 1: only the first state arms (every year)
    one[:, 2] = np.nan  # pair 2: nothing known
    other = both.copy()
    other[:, 1] = 0
    # A 5-year window weighs the latest year 1/3: one year of arming is not "most years".
    active = racing(one, other, window=5)
    assert not active[:, 1].any()  # one side arming is not a race
    assert not active[:, 2].any()  # unknown years are not arming
    assert not active[30, 0] and active[31, 0] and active[32, 0]  # two years in a row start it
    assert not active[36:, 0].any()  # and it fades once they stop
    assert not active[:30].any()


def test_arming_is_growth_past_the_threshold_and_never_across_the_change_of_unit():
    nmc = load_nmc()
    milex = arming(nmc, "milex", 0.08)
    assert milex.loc[UNIT_CHANGE_YEAR].isna().all()  # pounds to dollars: no growth is known
    usa = nmc[nmc["stateabb"] == "USA"].set_index("year")["milper"]
    growth = usa.loc[1950] / usa.loc[1949] - 1
    assert arming(nmc, "milper", 0.08).loc[1950, 2] == float(growth >= 0.08)


def test_runs_of_racing_years_are_episodes_per_pair():
    active = np.zeros((8, 2), dtype=bool)
    active[1:3, 0] = True
    active[5:8, 0] = True
    active[4, 1] = True
    years = np.arange(1900, 1908)
    assert sorted(_episodes(active, years)) == [
        (0, 1901, 1902),
        (0, 1905, 1907),
        (1, 1904, 1904),
    ]


@pytest.mark.parametrize("indicator", ["milper", "milex"])
def test_the_score_is_consistent_with_its_counts(indicator):
    result = score_detector(indicator, "grh")
    assert result["race_recall"] == result["races_found"] / result["grh_races_with_data"]
    assert result["episode_precision"] == result["episodes_matching_a_race"] / result["episodes"]
    assert 0 <= result["year_precision"] <= 1 and 0 <= result["year_recall"] <= 1
    assert len(result["races"]) == result["grh_races"] == 71
    found = [r for r in result["races"] if r["found"]]
    assert all(abs(r["onset_error"]) <= r["years"][1] - r["years"][0] + 1 for r in found)


def test_a_stricter_threshold_finds_fewer_racing_years():
    loose, strict = score_detector("milper", "grh", 0.05), score_detector("milper", "grh", 0.12)
    assert strict["racing_pair_years"] < loose["racing_pair_years"]
    assert strict["race_recall"] <= loose["race_recall"]


def test_evidence_races_prints_precision_and_recall_as_json():
    result = CliRunner().invoke(app, ["evidence", "races", "--json"])
    assert result.exit_code == 0, result.output
    score = json.loads(result.stdout)
    assert {"year_precision", "year_recall", "race_recall", "episode_precision"} <= set(score)
    bad = CliRunner().invoke(app, ["evidence", "races", "--pairs", "everyone"])
    assert bad.exit_code == 2 and "--pairs" in bad.output


def test_with_a_three_year_window_one_year_of_mutual_arming_already_counts():
    # The latest year weighs one half, and the bias correction of the average tips the tie:
    # documented in docs/evidence.md, not a property to rely on.
    arms = np.zeros((40, 1))
    arms[30, 0] = 1
    assert racing(arms, arms, window=3)[30, 0]
    assert not racing(arms, arms, window=5)[30, 0]
