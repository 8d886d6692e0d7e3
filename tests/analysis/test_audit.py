"""The perception audit (``secdilemma audit``): how a planned act is read by each observer,
what follows, gentler variants, and the actor's blind spot.

The behavioural claims run at the calibrated estimate (quick tier) and at the corners of the
constants' spread (slow tier, ``tests/spread.py``).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from secdilemma import load_scenario, run_ensemble
from secdilemma.analysis.audit import Plan, audit, companions_possible, measures, with_plan
from secdilemma.cli.app import app
from spread import SPREAD

HERE = Path(__file__).parents[1] / "scenarios" / "audit"
SUPPLY, NORMS = str(HERE / "supply.yaml"), str(HERE / "norms.yaml")
runner = CliRunner()


def _supply(action, sets=()):
    return audit(SUPPLY, "A", action, "B", at=2, beneficiary="B", overrides=list(sets))


def _check_offensive_reads_worse(sets):
    """With postures told apart, C (structural, B's neighbour) reads weapons for attack given to
    B as more threatening than weapons for defence, and the audit of the first lists the second
    as a gentler variant."""
    offensive, defensive = (
        _supply("supply_offensive_weapons", sets),
        _supply("supply_defensive_weapons", sets),
    )
    off, dfn = offensive.readings["C"]["threat"], defensive.readings["C"]["threat"]
    assert off["mean"] - dfn["mean"] > 3 * np.hypot(off["se"], dfn["se"]), (off, dfn)
    assert off["mean"] > 0.005  # a reading, not noise
    gentler = {v["action"] for v in offensive.variants if v["gentler"]}
    assert "supply_defensive_weapons" in gentler


def test_a_structural_observer_reads_offensive_arms_as_the_worse_at_the_estimate():
    _check_offensive_reads_worse(SPREAD["estimate"])


@pytest.mark.slow
@pytest.mark.parametrize("constants", sorted(set(SPREAD) - {"estimate"}))
def test_a_structural_observer_reads_offensive_arms_as_the_worse_across_the_spread(constants):
    _check_offensive_reads_worse(SPREAD[constants])


def _check_sensitivity(sets):
    result = audit(NORMS, "A", "norms_advocacy", at=2, overrides=list(sets))
    sensitive, indifferent = result.readings["B"]["threat"], result.readings["C"]["threat"]
    assert result.readings["B"]["lens"] == result.readings["C"]["lens"] == "interpretive"
    assert sensitive["mean"] > indifferent["mean"] + 0.05, (sensitive, indifferent)
    # Read structurally, advocacy is no capability: nobody is threatened.
    assert abs(result.readings["B"]["under"]["structural"]) < 0.005


def test_an_observer_sensitive_to_a_domain_reads_its_acts_as_more_threatening():
    _check_sensitivity(SPREAD["estimate"])


@pytest.mark.slow
@pytest.mark.parametrize("constants", sorted(set(SPREAD) - {"estimate"}))
def test_an_observer_sensitive_to_a_domain_reads_worse_across_the_spread(constants):
    _check_sensitivity(SPREAD[constants])


def test_the_blind_spot_is_the_reading_beyond_the_actors_rating_it_does_not_foresee():
    spec = load_scenario(SUPPLY, ["replicates=50", "states.A.empathy=0.25"])
    ens = run_ensemble(with_plan(spec, Plan("A", "supply_offensive_weapons", "B", 2)))
    m = measures(ens.outcomes, ens.drawn, spec.ids, 2)
    result = audit(
        SUPPLY,
        "A",
        "supply_offensive_weapons",
        "B",
        at=2,
        overrides=["states.A.empathy=0.25"],
        replicates=50,
    )
    gap = m.gap_after[:, 2, 0]  # C's reading of A's act, beyond A's own rating
    assert result.blind_spot["C"]["read_beyond_rating"]["mean"] == pytest.approx(np.nanmean(gap))
    assert result.blind_spot["C"]["unforeseen"]["mean"] == pytest.approx(0.75 * np.nanmean(gap))


def test_a_planned_act_replaces_only_the_actors_scheduled_act_in_its_step():
    spec = load_scenario("nato-russia", ["replicates=10"])
    planned = with_plan(spec, Plan("USA", "explain_policy", "RUS", 11))
    at_11 = [(e.actor, e.action) for e in planned.events if e.step == 11 and e.every is None]
    assert ("USA", "explain_policy") in at_11 and ("USA", "impose_sanctions") not in at_11
    assert ("RUS", "seize_territory") in at_11  # another state's act stays
    assert len(planned.events) == len(spec.events)


def test_companions_take_the_actors_next_step_only_where_it_is_free():
    spec = load_scenario("nato-russia", ["replicates=10"])
    # 2017: the United States' supplies are scheduled every year to 2021.
    busy = companions_possible(spec, Plan("USA", "supply_offensive_weapons", "UKR", 14))
    assert busy is not None and "supply_defensive_weapons" in busy
    assert companions_possible(spec, Plan("USA", "supply_offensive_weapons", "UKR", 18)) is None
    assert "last step" in companions_possible(spec, Plan("USA", "explain_policy", "RUS", 19))


def test_audit_command_writes_json_with_the_documented_keys_and_a_report(tmp_path):
    out = tmp_path / "audit"
    args = ["audit", SUPPLY, "--actor", "A", "--action", "supply_offensive_weapons"]
    args += ["--target", "B", "--at", "2", "--beneficiary", "B", "--replicates", "40"]
    result = runner.invoke(app, [*args, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for key in ("readings", "consequences", "variants", "recommendation", "blind_spot"):
        assert key in payload
    assert set(payload["readings"]) == {"B", "C", "D"}
    assert {"threat", "belief", "lens"} <= set(payload["readings"]["C"])
    low, high = payload["readings"]["C"]["threat_spread"]
    assert low <= payload["readings"]["C"]["threat"]["mean"] <= high
    assert {"action", "gain_kept", "provocation"} <= set(payload["variants"][0])
    assert payload["companions_skipped"] is None
    followed = {v["companion"] for v in payload["variants"] if v["companion"]}
    assert followed == {
        "explain_policy",
        "reassurance_statement",
        "establish_hotline",
        "create_monitoring_institution",
    }
    assert json.loads((out / "audit.json").read_text()) == payload
    assert "data:image/png;base64," in (out / "report.html").read_text()
    (out / "report.html").unlink()
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    assert (out / "report.html").is_file()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--actor", "Z", "--action", "build_arms"], "--actor"),
        (["--actor", "A", "--action", "charm"], "--action"),
        (["--actor", "A", "--action", "supply_offensive_weapons"], "--target"),
        (["--actor", "A", "--action", "build_arms", "--target", "B"], "--target"),
        (["--actor", "A", "--action", "build_arms", "--at", "99"], "--at"),
        (["--actor", "A", "--action", "build_arms", "--keep", "0"], "--keep"),
    ],
)
def test_audit_command_rejects_bad_input_before_running(tmp_path, args, named):
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", SUPPLY, *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert not out.exists()
