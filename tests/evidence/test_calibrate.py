"""The calibration of the constants on the training years (docs/evidence.md, "Calibration")."""

import json

import numpy as np
import pandas as pd
import pytest

from secdilemma.evidence import calibrate as cal
from secdilemma.model.parameters import CALIBRATED, CALIBRATION_FILE, Parameters

pytest.importorskip("optuna")
pytest.importorskip("SALib")


@pytest.fixture(scope="module")
def quick():
    return cal.calibrate(cal.Settings.quick(), screened=True, workers=2)


def test_the_training_years_end_before_the_test_years():
    from secdilemma.evidence.score import SPLIT_YEAR

    dyads = cal.training_dyads()
    assert cal.TRAINING_END == SPLIT_YEAR
    assert dyads["onset"].max() < SPLIT_YEAR
    assert len(dyads) > 1000


def test_chi_square_is_zero_at_the_record_and_grows_with_the_gap():
    dyads = pd.DataFrame(
        {
            "ratio_group": ["1-1.5", "1-1.5", ">=10", ">=10"],
            "pact_between": [True, False, False, False],
            "arms_race": [False, False, True, False],
            "war": [1, 0, 0, 1],
        }
    )
    record = cal.targets(dyads)
    masks = cal.groups(dyads)
    exact = dyads["war"].to_numpy(dtype=float)
    assert cal.chi_square(exact, masks, record) == pytest.approx(0.0)
    near = cal.chi_square(np.clip(exact, 0.1, 0.9), masks, record)
    far = cal.chi_square(np.clip(exact, 0.3, 0.7), masks, record)
    assert 0 < near < far
    # A dyad without a world (NaN) is left out of its groups, not counted as 0.
    missing = exact.copy()
    missing[0] = np.nan
    assert np.isfinite(cal.chi_square(missing, masks, record))


def test_the_dyad_deviance_charges_a_spread_that_group_shares_do_not_see():
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype=bool)
    masks = {"all": np.ones(8, dtype=bool)}
    record = {"all": 0.25}
    flat = np.full(8, 0.25)
    # The same group share, spread against the outcomes: the wars get 0.05, two others 0.45.
    wrong = np.array([0.05, 0.45, 0.45, 0.25, 0.05, 0.25, 0.25, 0.25])
    right = np.array([0.6, 0.1, 0.1, 0.15, 0.6, 0.15, 0.15, 0.15])
    for m in (flat, wrong, right):
        assert cal.chi_square(m, masks, record) == pytest.approx(0.0)
    assert cal.deviance(right, y, 100) < cal.deviance(flat, y, 100) < cal.deviance(wrong, y, 100)
    # Shares are kept within [1/(2R), 1 - 1/(2R)], and a world without a result is left out.
    assert np.isfinite(cal.deviance(np.zeros(8), y, 100))
    assert cal.deviance(np.zeros(8), y, 100) == pytest.approx(
        -2 * (2 * np.log(0.005) + 6 * np.log(0.995))
    )
    missing = right.copy()
    missing[1] = np.nan
    assert cal.deviance(missing, y, 100) < cal.deviance(right, y, 100)


def test_an_unknown_loss_is_refused_with_its_value():
    from typer.testing import CliRunner

    from secdilemma.cli.app import app

    result = CliRunner().invoke(app, ["calibrate", "--quick", "--loss", "pairs"])
    assert result.exit_code != 0
    assert "pairs" in result.output and "loss" in result.output


def test_quiet_years_are_the_disputing_pairs_years_without_a_dispute():
    dyads = cal.training_dyads()
    quiet = cal.quiet_years(dyads)
    onsets = set(zip(dyads["low"], dyads["high"], dyads["onset"].astype(int), strict=True))
    years = set(zip(quiet["low"], quiet["high"], quiet["year"], strict=True))
    assert not years & onsets  # no year in which the pair's dispute began
    assert quiet["year"].max() <= cal.TRAINING_END - 6  # five years ahead stay in training
    # A war within five years is rarer from quiet than from a dispute (the record's contrast
    # the quiet years add to the targets).
    assert 0 < quiet["war"].mean() < 0.5 * dyads["war"].mean()


def test_intervals_hold_the_best_trial_and_widen_with_the_band():
    history = [{"values": {"a": v}, "loss": (v - 1.0) ** 2} for v in np.linspace(0, 2, 41)]
    narrow = cal.intervals(history, ["a"], level=0.2)["a"]
    wide = cal.intervals(history, ["a"], level=0.9)["a"]
    assert narrow[0] <= 1.0 <= narrow[1]
    assert wide[0] <= narrow[0] and wide[1] >= narrow[1] and wide != narrow


def test_a_quick_calibration_lowers_the_loss_within_the_ranges(quick):
    assert quick["training_years"] == "1816-1945"
    assert len(quick["fitted"]) == cal.FITTED
    ranges = {c.name: c for c in cal.CANDIDATES}
    for name, value in quick["fitted"].items():
        assert ranges[name].low <= value <= ranges[name].high
        low, high = quick["interval_68"][name]
        assert low <= value <= high
    # The first trial is the hand-set constants; the fit can only improve on it.
    assert quick["loss"]["fitted"] <= quick["loss"]["start"]
    assert quick["trials"][0]["loss"] == quick["loss"]["start"]
    # The screening ranks every candidate.
    assert {row["name"] for row in quick["screening"]} == set(ranges)


def test_the_shipped_defaults_are_the_calibrated_estimate():
    shipped = json.loads(CALIBRATION_FILE.read_text())
    assert shipped["fitted"], "model/data/calibrated.json holds no estimate"
    defaults = Parameters()
    for name, value in shipped["fitted"].items():
        assert getattr(defaults, name) == value
        source = Parameters.model_fields[name].json_schema_extra["source"]
        assert "calibrated on COW disputes 1816-1945" in source
    # What was not fitted keeps the value the calibration held it at.
    for name, value in cal.HAND_SET.items():
        if name not in shipped["fitted"] and name not in cal.HARNESS:
            assert getattr(defaults, name) == value, name
    assert CALIBRATED["loss"]["fitted"] < CALIBRATED["loss"]["start"]


@pytest.mark.slow
def test_calibrate_reproduces_the_shipped_defaults_from_the_training_years():
    """The full calibration, with the screening it shipped with, gives the shipped estimate."""
    result = cal.calibrate(cal.Settings(), screened=False, workers=2)
    assert result["fitted"] == pytest.approx(CALIBRATED["fitted"], rel=1e-9)
    assert result["loss"]["fitted"] == pytest.approx(CALIBRATED["loss"]["fitted"], rel=1e-9)


@pytest.mark.slow
def test_a_calibration_does_not_depend_on_the_number_of_workers():
    one = cal.calibrate(cal.Settings.quick(), screened=False, workers=1)
    two = cal.calibrate(cal.Settings.quick(), screened=False, workers=2)
    assert one["trials"] == two["trials"]


def test_the_calibrate_command_prints_its_estimate_as_json():
    from typer.testing import CliRunner

    from secdilemma.cli.app import app

    result = CliRunner().invoke(app, ["calibrate", "--quick", "--trials", "2", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out["fitted"]) == set(CALIBRATED["fitted"])  # the shipped screening's choice
    assert len(out["trials"]) == 2 and out["settings"]["trials"] == 2
    assert out["targets"]["quiet years"]["record"] == pytest.approx(0.035, abs=0.001)
