"""Who started it (``secdilemma attribute``): counterfactual attribution with common random
numbers, Shapley values over actors, effects of events and domains.

The behavioural claims run in a world where one state alone escalates (A, on a schedule) and
two others only react (B and C, its neighbours, not each other's), with a fourth (D) far away
whose acts reach nobody: at the calibrated estimate in the quick tier and at the corners of the
constants' spread in the slow tier (``tests/spread.py``).
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma import load_scenario, run_ensemble
from secdilemma.analysis.attribution import (
    antithetic_permutations,
    attribute,
    benign_acts,
    coalitions,
    drop_domain,
    exact_shapley,
    measure,
    restrain,
    sampled_shapley,
)
from secdilemma.cli.app import app
from secdilemma.errors import InputError
from spread import SPREAD

ESCALATOR = str(Path(__file__).parents[1] / "scenarios" / "attribution" / "escalator.yaml")
A, B, C, D = range(4)
runner = CliRunner()


def _se(values):
    return values.std(ddof=1) / np.sqrt(len(values))


# --- the Shapley value on games whose answer is known ---------------------------------------


def _game(n, v):
    """Per-replicate values (one replicate) of a game given as a function of a coalition."""
    return {S: np.array([float(v(S))]) for S in coalitions(n)}


def test_exact_shapley_splits_a_joint_effect_evenly_and_gives_a_null_player_nothing():
    # Two players needed together, a third who adds nothing: (1/2, 1/2, 0).
    phi = exact_shapley(_game(3, lambda S: {0, 1} <= S), 3)
    assert np.allclose(phi[:, 0], [0.5, 0.5, 0.0])
    # The glove game: player 0 holds a left glove, 1 and 2 right ones: (2/3, 1/6, 1/6).
    phi = exact_shapley(_game(3, lambda S: 0 in S and bool(S & {1, 2})), 3)
    assert np.allclose(phi[:, 0], [2 / 3, 1 / 6, 1 / 6])


def test_sampled_shapley_over_every_ordering_is_the_exact_value():
    game = _game(4, lambda S: len(S) ** 2 + (3 in S) * (0 in S))
    every = list(itertools.permutations(range(4)))  # 24 orderings, each with its reverse
    orders = [o for order in every for o in (order, order[::-1])]
    phi, se = sampled_shapley(game, orders, 4)
    assert np.allclose(phi, exact_shapley(game, 4))
    assert np.allclose(phi.sum(axis=0), game[frozenset(range(4))] - game[frozenset()])


def test_antithetic_orderings_come_in_reversed_pairs_from_the_seed():
    orders = antithetic_permutations(5, 6, seed=3)
    assert len(orders) == 6
    assert all(orders[k + 1] == orders[k][::-1] for k in range(0, 6, 2))
    assert orders == antithetic_permutations(5, 6, seed=3)
    assert orders != antithetic_permutations(5, 6, seed=4)


# --- counterfactual worlds and outcomes ------------------------------------------------------


def test_restraint_cuts_the_menu_and_drops_the_actors_events():
    spec = load_scenario("nato-russia", ["replicates=10"])
    cat = spec.action_catalog()
    held = restrain(spec, ["RUS"], "wait", cat)
    rus = held.ids.index("RUS")
    assert held.states[rus].actions == ["wait"]
    assert all(e.actor != "RUS" for e in held.events)
    russian = sum(e.actor == "RUS" for e in spec.events)  # Crimea, MH17, Skripal, 2021
    assert russian == 4 and len(held.events) == len(spec.events) - russian
    assert held.states[0] == spec.states[0]  # the others untouched
    benign = restrain(spec, ["USA"], "benign", cat).states[0].actions
    assert "explain_policy" in benign and "build_arms" not in benign and "invade" not in benign
    assert set(benign) <= set(benign_acts(cat))
    without_force = drop_domain(spec, "force", cat)
    assert all("invade" in s.exclude_actions for s in without_force.states)
    assert all(e.action != "seize_territory" for e in without_force.events)


def test_unknown_outcomes_fail_naming_the_option_and_value():
    spec = load_scenario("nato-russia", ["replicates=10"])
    for bad in ("peace", "war:RUS-XXX", "war:RUS", "record:9", "threat:RUS-RUS"):
        with pytest.raises(InputError) as err:
            measure(bad, spec)
        assert "--outcome" in str(err.value) and bad in str(err.value)


def test_record_outcome_is_the_fact_reproduced_as_the_case_page_counts_it():
    spec = load_scenario("nato-russia", ["replicates=40", "steps=20"])
    o = run_ensemble(spec, trajectories=False).outcomes
    no_war = measure("record:2", spec).values(o)  # "No Russian war on Ukraine before Crimea"
    assert np.array_equal(no_war, (~o.record_reproduced[:, 1]).astype(float))


# --- the method on the escalator world --------------------------------------------------------


def _attribution(outcome, sets=(), **kw):
    return attribute(ESCALATOR, outcome, readings=["structural"], overrides=list(sets), **kw)


def _check_escalator(sets):
    result = _attribution("spiral", sets)
    r = result.readings["structural"]
    assert r.baseline.mean() > 0.5  # the world does spiral
    phi = r.shapley
    # The escalator's share is the largest, by a margin far outside the noise.
    for reactor in (B, C):
        lead = phi[A] - phi[reactor]
        assert lead.mean() > 0.2 and lead.mean() > 5 * _se(lead), (lead.mean(), _se(lead))
    # Shapley values sum to the total effect within their standard errors (here, exactly).
    total, parts = r.total.mean(), phi.mean(axis=1)
    assert abs(parts.sum() - total) <= max(_se(r.total), 1e-12)
    # D's acts reach nobody: its share is 0 within one standard error.
    assert abs(phi[D].mean()) <= _se(phi[D]) + 1e-12
    # Restraining the escalator alone ends every spiral; restraining one reactor does not.
    assert r.alone[A].mean() > 0.9 * r.baseline.mean()
    assert r.alone[B].mean() < 0.2


def test_the_escalator_gets_the_largest_share_of_the_spiral_at_the_estimate():
    _check_escalator(SPREAD["estimate"])


@pytest.mark.slow
@pytest.mark.parametrize("constants", sorted(set(SPREAD) - {"estimate"}))
def test_the_escalator_gets_the_largest_share_across_the_spread_of_the_constants(constants):
    _check_escalator(SPREAD[constants])


def test_paired_replicates_make_the_differences_precise():
    """Common random numbers: the standard error of an actor's effect from paired replicates
    is well below the one two independent ensembles would give (about 0.6 of it here)."""
    result = _attribution("escalation")
    r = result.readings["structural"]
    spec = load_scenario(ESCALATOR, ["replicates=200"])
    without_b = run_ensemble(restrain(spec, ["B"], "wait", spec.action_catalog()))
    v_minus_b = measure("escalation", spec).values(without_b.outcomes)
    assert np.allclose(r.baseline - r.alone[B], v_minus_b)  # the same ensemble, replayed
    unpaired = np.sqrt(r.baseline.var(ddof=1) / 200 + v_minus_b.var(ddof=1) / 200)
    assert _se(r.alone[B]) < 0.75 * unpaired


def test_the_baseline_is_the_scenario_run_as_it_is():
    result = _attribution("escalation")
    spec = load_scenario(ESCALATOR, ["replicates=200"])
    plain = measure("escalation", spec).values(run_ensemble(spec).outcomes)
    assert np.array_equal(result.readings["structural"].baseline, plain)


def test_sampled_shapley_agrees_with_exact_within_its_error_and_stays_efficient():
    """The estimator the attribution uses beyond ``EXACT_LIMIT`` states, forced here on four:
    the same coalitions' values, so the gap is the sampling of orderings alone. (Its standard
    error comes from the spread of the antithetic pairs: with 3 pairs it is unreliable, 0.000
    against a gap of 0.012 for A; from about 12 pairs on it is of the gap's size.)"""
    exact = _attribution("escalation").readings["structural"]
    sampled = _attribution("escalation", exact_limit=0, permutations=48).readings["structural"]
    assert sampled.permutation_se is not None
    for actor in range(4):
        gap = sampled.shapley[actor].mean() - exact.shapley[actor].mean()
        se = np.hypot(
            sampled.permutation_se[actor], _se(sampled.shapley[actor] - exact.shapley[actor])
        )
        assert abs(gap) <= 3 * se + 1e-9, (actor, gap, se)
    assert np.allclose(sampled.shapley.sum(axis=0), sampled.total)


def test_events_and_domains_are_credited():
    r = _attribution("escalation").readings["structural"]
    result = _attribution("escalation")
    assert result.events == ["step 0-39: A build_offensive_forces"]
    # Without A's scheduled build-up it never arms (its menu holds nothing else).
    assert r.by_event[0].mean() > 1.0
    domains = dict(zip(result.domains, r.by_domain, strict=True))
    assert set(domains) == {"military", "societal"}
    assert np.allclose(domains["military"], r.total)  # no military acts: nothing escalates
    assert abs(domains["societal"].mean()) <= _se(domains["societal"]) + 1e-12


def test_a_scenario_without_scheduled_events_is_attributed():
    """No events: the by-event table is empty (this once failed reshaping an empty array)."""
    result = attribute("greedy-vs-security-seeker", "war", readings=("structural",), replicates=30)
    r = result.readings["structural"]
    assert result.events == [] and r.by_event.shape == (0, 30)
    assert r.by_domain.shape == (len(result.domains), 30)
    assert result.as_dict()["by_event"]["structural"] == []


def test_results_do_not_depend_on_the_number_of_workers():
    one = _attribution("spiral", replicates=40).readings["structural"]
    two = _attribution("spiral", replicates=40, workers=2).readings["structural"]
    assert np.array_equal(one.shapley, two.shapley)
    assert np.array_equal(one.by_domain, two.by_domain)


# --- the command --------------------------------------------------------------------------------


def test_attribute_command_writes_json_and_a_report(tmp_path):
    out = tmp_path / "attr"
    args = ["attribute", ESCALATOR, "--outcome", "spiral:A-B", "--replicates", "30"]
    args += ["--lens", "structural", "--lens", "interpretive", "--out", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for key in ("outcome", "baseline", "by_actor", "by_event", "by_domain"):
        assert set(payload[key]) == {"structural", "interpretive"} or key == "outcome"
    assert set(payload["by_actor"]["structural"]["A"]) >= {"shapley", "alone", "se"}
    assert json.loads((out / "attribution.json").read_text()) == payload
    # Per replicate: the Shapley values of the actors add up to the total effect in each one.
    rows = pd.read_parquet(out / "attribution_replicates.parquet")
    assert len(rows) == 2 * 30 * 4 and set(rows.actor) == {"A", "B", "C", "D"}
    summed = rows.groupby(["reading", "replicate"]).shapley.sum()
    base = rows.groupby(["reading", "replicate"]).baseline.first()
    restrained = {r: payload["restrained"][r]["mean"] for r in ("structural", "interpretive")}
    assert restrained == {"structural": 0.0, "interpretive": 0.0}  # nobody acting: no spiral
    assert np.allclose(summed, base)
    page = (out / "report.html").read_text()
    assert "Who started it" in page and "data:image/png;base64," in page
    (out / "report.html").unlink()
    rebuilt = runner.invoke(app, ["report", str(out)])
    assert rebuilt.exit_code == 0 and (out / "report.html").is_file()


def test_attribute_command_rejects_bad_input_before_running(tmp_path):
    for args, named in (
        (["--outcome", "spiral:A-Z"], "'Z'"),
        (["--restraint", "sulk"], "sulk"),
        (["--lens", "cubist"], "cubist"),
    ):
        out = tmp_path / f"out{len(named)}"
        result = runner.invoke(app, ["attribute", ESCALATOR, "--out", str(out), *args])
        assert result.exit_code == 2, result.output
        assert named in result.output
        assert not out.exists()
