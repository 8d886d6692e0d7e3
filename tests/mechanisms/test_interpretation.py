"""Interpretation as a choice (docs/model.md section 11): the rule, the chooser in a run, the
held comparator, the report of what the choice did, and the critique's claims as curves."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from secdilemma import load_scenario, run_ensemble
from secdilemma.analysis.paired import mean_se
from secdilemma.analysis.reading_choice import choice_effect, choosers, fixed_reading
from secdilemma.cli.app import app
from secdilemma.engine.records.trajectories import PAIR_VARIABLES
from secdilemma.mechanisms.interpretation import chosen_charity

CHARITY = PAIR_VARIABLES.index("charity")
BOUNDS = np.array([[0.05, 0.95]])


def _rule(belief, exposure=1.0, prudence=0.5, risk=4.0, bounds=BOUNDS):
    b = np.atleast_1d(np.asarray(belief, float))
    shape = (1, 1, b.size)
    return chosen_charity(
        b.reshape(shape),
        np.full(shape, exposure),
        np.full((1, 1), prudence),
        bounds,
        risk,
    ).ravel()


def test_the_rule_reads_more_suspiciously_the_likelier_greed():
    beliefs = np.linspace(0.01, 0.99, 50)
    for exposure, prudence in itertools.product((0.5, 1.0, 2.5), (0.2, 0.6, 1.0)):
        c = _rule(beliefs, exposure, prudence)
        assert np.all(np.diff(c) <= 1e-12)
        assert c[0] == 0.95 and c[-1] == 0.05
        # Generosity pays while the belief is below 1 / (1 + e): the reading is above 1/2 there.
        edge = 1.0 / (1.0 + exposure)
        assert np.all(c[beliefs < edge - 0.02] > 0.5) and np.all(c[beliefs > edge + 0.02] < 0.5)


def test_prudence_holds_a_doubtful_reading_near_the_unbiased_one_from_either_side():
    # Without prudence the reading is a corner; the more prudent, the nearer 1/2.
    for belief in (0.3, 0.45, 0.6):
        readings = [_rule(belief, prudence=q)[0] for q in (0.0, 0.25, 0.5, 1.0)]
        assert readings[0] in (0.05, 0.95)
        distance = np.abs(np.array(readings) - 0.5)
        assert np.all(np.diff(distance) <= 1e-12) and distance[-1] < distance[0]


def test_the_rule_keeps_to_the_bounds_and_has_no_doubt_left_at_certainty():
    bounds = np.array([[0.3, 0.6]])
    c = _rule([0.0, 0.2, 0.5, 0.8, 1.0], prudence=0.7, bounds=bounds)
    assert np.all((c >= 0.3) & (c <= 0.6))
    assert c[0] == 0.6 and c[-1] == 0.3  # certain: corners, whatever the prudence


def _duel(greed: float, replicates: int = 120, steps: int = 30, extra=(), monitoring=0.0):
    """Two states; A chooses its reading of B (starting suspicious, 0.2), in a world where
    offense dominates and postures are hard to tell apart."""
    spec = load_scenario(
        "two-security-seekers",
        [
            f"replicates={replicates}",
            f"steps={steps}",
            f"states.B.greed={greed}",
            "states.A.lens=interpretive",
            "states.B.lens=interpretive",
            "states.B.charity=0.3",
            "states.A.prudence=0.6",
            "states.A.charity=0.2",
            "states.A.charity_choice.low=0.05",
            "states.A.charity_choice.high=0.95",
            "world.offense_defense_balance=2.0",
            "world.distinguishability=0.1",
            "world.observation_noise=0.2",
            *extra,
        ],
    )
    for belief in spec.beliefs:
        belief.greedy = 0.5
    spec.relations[0].monitoring = monitoring
    return spec


def test_a_chooser_reads_a_security_seeker_generously_and_a_greedy_state_suspiciously():
    paths = {}
    for greed in (0.0, 0.8):
        traj = run_ensemble(_duel(greed)).outcomes.pair_traj
        paths[greed] = traj[:, :, 0, 1, CHARITY].mean(axis=1)  # A's reading of B, by step
        # The reading moves with what A sees: it varies across replicates and steps.
        assert traj[1:, :, 0, 1, CHARITY].std() > 0.05
    assert paths[0.0][0] == paths[0.8][0] == pytest.approx(0.2)
    assert paths[0.0][-1] > 0.7 and paths[0.8][-1] < 0.4
    assert paths[0.0][-1] - paths[0.8][-1] > 0.4


def test_a_held_reading_stays_where_it_starts_whatever_learning_would_do():
    spec = fixed_reading(_duel(0.0, replicates=40))
    assert choosers(spec) == [] and spec.states[0].charity_choice.hold
    charity = run_ensemble(spec).outcomes.pair_traj[..., CHARITY]
    assert np.all(charity[:, :, 0, 1] == np.float32(0.2))
    # B does not hold its reading: social learning moves it from 0.3.
    assert charity[-1, :, 1, 0].mean() > 0.35


def test_run_reports_what_the_choice_did(tmp_path):
    spec = tmp_path / "duel.yaml"
    spec.write_text(
        """
name: duel
steps: 15
replicates: 60
seed: 3
states:
  - {id: A, lens: interpretive, prudence: 0.6, charity: 0.2, charity_choice: {low: 0.1}}
  - {id: B, lens: interpretive, greed: 0.8}
relations:
  - {between: [A, B], distance: 0.5}
"""
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(spec), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    effect = json.loads(result.stdout)["reading_choice"]
    assert effect["choosers"] == ["A"] and effect["replicates"] == 60
    security = effect["by_chooser"]["A"]["security_end"]
    assert security["difference"] == pytest.approx(security["chosen"] - security["fixed"])
    path = effect["by_chooser"]["A"]["charity_path"]
    assert path["fixed"]["B"] == pytest.approx([0.2] * len(path["steps"]))
    chosen = path["chosen"]["B"]
    assert chosen[0] == pytest.approx(0.2, abs=1e-6) and abs(chosen[-1] - 0.2) > 0.05
    html = (out / "report.html").read_text()
    assert "What choosing the reading did" in html and 'href="#choice"' in html
    # Without a chooser there is no second run and no section.
    plain = tmp_path / "plain"
    assert (
        CliRunner()
        .invoke(
            app,
            [
                "run",
                "two-security-seekers",
                "--replicates",
                "5",
                "--steps",
                "3",
                "--out",
                str(plain),
            ],
        )
        .exit_code
        == 0
    )
    assert "reading_choice" not in json.loads((plain / "summary.json").read_text())
    assert "What choosing the reading did" not in (plain / "report.html").read_text()


def test_bounds_out_of_order_are_refused_with_the_field_named(tmp_path):
    from secdilemma.errors import InputError

    with pytest.raises(InputError) as caught:
        load_scenario(
            "two-security-seekers",
            ["states.A.charity_choice.low=0.8", "states.A.charity_choice.high=0.2"],
        )
    assert "charity_choice" in str(caught.value) and "high" in str(caught.value)


def test_a_prudent_chooser_beats_a_fixed_suspicious_reader_and_costs_little_against_greed():
    """The critique's claim as curves over the world and the chooser's constants: against a
    security seeker, choosing the reading (from a suspicious start, 0.2) leaves the chooser
    more secure than holding the suspicious reading; against a greedy state it is not much
    worse (war at most 0.05 likelier, security not lower by more than 0.02). Paired
    replicates: without the choice every difference would be exactly 0."""
    seeker_gains = []
    for balance, prudence, risk in itertools.product((1.5, 2.5), (0.3, 0.9), (2.0, 8.0)):
        extra = (
            f"world.offense_defense_balance={balance}",
            f"states.A.prudence={prudence}",
            f"parameters.charity_risk={risk}",
        )
        for greed in (0.0, 0.8):
            spec = _duel(greed, replicates=400, steps=40, extra=extra)
            chosen = run_ensemble(spec, trajectories=False)
            held = run_ensemble(fixed_reading(spec), trajectories=False)
            a, b = chosen.outcomes, held.outcomes
            gain, se = mean_se(a.security_end[:, 0] - b.security_end[:, 0])
            where = f"balance {balance}, prudence {prudence}, risk {risk}, greed {greed}"
            if greed == 0.0:
                # Measured: gains of 0.06-0.09, four to eight standard errors (docs/model.md).
                assert gain > 2.0 * se, where
                seeker_gains.append(gain / se)
            else:
                assert a.war.mean() - b.war.mean() <= 0.05, where
                assert gain > -0.02, where
            effect = choice_effect(chosen, held)
            assert effect["war"]["difference"] == pytest.approx(a.war.mean() - b.war.mean())
    # Together they are far beyond noise.
    assert np.mean(seeker_gains) > 3.0
