"""The calibration's second stage: joining wars fitted on worlds of every participant
(docs/evidence.md, "Joining wars")."""

import json

import pytest

from secdilemma.evidence import calibrate as cal
from secdilemma.evidence import calibrate_joining as stage
from secdilemma.model.parameters import CALIBRATED, CALIBRATION_FILE, Parameters

pytest.importorskip("optuna")


@pytest.fixture(scope="module")
def quick():
    return stage.calibrate_joining(stage.JoiningSettings.quick(), workers=2)


def test_a_quick_fit_lowers_the_deviance_within_the_ranges(quick):
    assert quick["training_years"] == "1816-1945"
    ranges = {c.name: c for c in (*stage.MODEL, *stage.HARNESS)}
    values = {**quick["fitted"], **quick["harness"]}
    assert set(values) == set(ranges)
    for name, value in values.items():
        assert ranges[name].low <= value <= ranges[name].high
        low, high = quick["interval_68"][name]
        assert low <= value <= high
    # The first trial is no joining and no selection; the fit can only improve on it.
    assert quick["trials"][0]["values"] == stage.START
    assert quick["loss"]["fitted"] <= quick["loss"]["start"]
    groups = {(g["grouping"], g["group"]) for g in quick["groups"]["fitted"]}
    assert ("originators", "a joiner") in groups and ("participants", "2") in groups


def test_the_shipped_join_stakes_is_the_second_stages_estimate():
    shipped = json.loads(CALIBRATION_FILE.read_text())["joining"]
    assert Parameters().join_stakes == shipped["fitted"]["join_stakes"]
    source = Parameters.model_fields["join_stakes"].json_schema_extra["source"]
    assert "secdilemma calibrate --stage joining" in source
    assert shipped["loss"]["fitted"] < shipped["loss"]["start"]
    # On the training years the fitted worlds order the record's groups as the record does.
    fitted = {(g["grouping"], g["group"]): g for g in shipped["groups"]["fitted"]}
    joiner = fitted["originators", "a joiner"]
    originators = fitted["originators", "both originators"]
    assert joiner["record"] > originators["record"] and joiner["model"] > originators["model"]


def test_storing_the_first_stage_keeps_the_second(tmp_path):
    path = tmp_path / "calibrated.json"
    path.write_text(json.dumps({**CALIBRATED, "joining": {"fitted": {"join_stakes": 0.5}}}))
    cal.write_defaults({"group_chi_square": {}, **CALIBRATED}, path)
    assert json.loads(path.read_text())["joining"] == {"fitted": {"join_stakes": 0.5}}


def test_an_unknown_stage_is_refused_with_its_value():
    from typer.testing import CliRunner

    from secdilemma.cli.app import app

    result = CliRunner().invoke(app, ["calibrate", "--stage", "everything"])
    assert result.exit_code != 0
    assert "--stage" in result.output and "everything" in result.output


@pytest.mark.slow
def test_the_second_stage_reproduces_the_shipped_estimate():
    result = stage.calibrate_joining(stage.JoiningSettings(), workers=2)
    shipped = CALIBRATED["joining"]
    assert result["fitted"] == pytest.approx(shipped["fitted"], rel=1e-9)
    assert result["harness"] == pytest.approx(shipped["harness"], rel=1e-9)
