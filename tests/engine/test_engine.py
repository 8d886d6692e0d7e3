"""Engine invariants: chunking, reproducibility, shapes, ranges (incl. property tests)."""

import copy

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secdilemma import load_scenario, run_ensemble
from secdilemma.engine.pipeline import simulate
from secdilemma.engine.summary import summarize
from secdilemma.model.scenario import parse_scenario
from secdilemma.numerics.rng import Streams


def _small(name="two-security-seekers", **overrides):
    sets = [f"{k}={v}" for k, v in overrides.items()]
    return load_scenario(name, sets)


def _assert_same_outcomes(a, b):
    for field in a.__dataclass_fields__:
        x, y = getattr(a, field), getattr(b, field)
        if x is None:
            assert y is None
        else:
            np.testing.assert_array_equal(x, y, err_msg=field)


def test_chunking_does_not_change_results():
    spec = _small(replicates=45, steps=40)
    whole = run_ensemble(spec)
    chunked = run_ensemble(spec, chunk_size=7)
    _assert_same_outcomes(whole.outcomes, chunked.outcomes)
    for key in whole.drawn:
        np.testing.assert_array_equal(whole.drawn[key], chunked.drawn[key])
    assert summarize(whole) == summarize(chunked)


def test_chunking_with_distributions_and_many_states():
    spec = _small("nato-russia", replicates=30)
    whole = run_ensemble(spec)
    parts = run_ensemble(spec, chunk_size=11)
    _assert_same_outcomes(whole.outcomes, parts.outcomes)
    greed = whole.drawn["RUS.greed"]
    assert greed.std() > 0.05 and greed.min() >= 0.1 and greed.max() <= 0.8


def test_a_block_equals_the_same_replicates_of_the_whole():
    spec = _small(replicates=20, steps=25)
    _, whole = simulate(spec, range(0, 20))
    _, tail = simulate(spec, range(13, 20))
    np.testing.assert_array_equal(whole.actions[:, 13:], tail.actions)
    np.testing.assert_array_equal(whole.security_end[13:], tail.security_end)


def test_a_runs_parameter_draws_sliced_to_a_block_are_the_blocks_own():
    from secdilemma.model.world import draw_parameters, initial_world, parameter_specs

    spec = _small("nato-russia", replicates=30)
    kinds = {place[0] for place, _, _ in parameter_specs(spec)}
    assert {"world", "state", "trust", "monitoring"} <= kinds  # relations' draws are covered
    run = draw_parameters(spec, Streams(spec.seed, range(30)))
    block = Streams(spec.seed, range(11, 19))
    own = draw_parameters(spec, block)
    assert len(run) == len(own) == len(parameter_specs(spec))
    for whole, part in zip(run, own, strict=True):
        np.testing.assert_array_equal(whole[11:19], part)
    cat = spec.action_catalog()
    given, _ = initial_world(spec, block, cat, [v[11:19] for v in run])
    drawn, _ = initial_world(spec, block, cat)
    for name in ("greed", "offense", "trust", "monitoring", "belief_greedy", "frame_charity"):
        np.testing.assert_array_equal(getattr(given, name), getattr(drawn, name), err_msg=name)


def test_blocks_in_worker_processes_give_the_same_bits_and_progress():
    spec = _small("pre-1914", replicates=24)
    one = run_ensemble(spec, chunk_size=24)
    steps: list[int] = []
    two = run_ensemble(spec, chunk_size=5, workers=2, progress=steps.append)
    _assert_same_outcomes(one.outcomes, two.outcomes)
    for key in one.drawn:
        np.testing.assert_array_equal(one.drawn[key], two.drawn[key])
    assert steps == [spec.steps] * 5  # a block's steps as each of the five blocks ends


def test_seed_changes_results_and_same_seed_repeats():
    a = summarize(run_ensemble(_small(replicates=60, steps=30, seed=1)))
    b = summarize(run_ensemble(_small(replicates=60, steps=30, seed=1)))
    c = summarize(run_ensemble(_small(replicates=60, steps=30, seed=2)))
    assert a == b
    assert a["acts"] != c["acts"]


def test_streams_are_uniform_and_independent():
    u = Streams(5, range(4000)).uniform(3, 0, (2,))
    assert abs(u.mean() - 0.5) < 0.01
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.05
    assert 0 < u.min() and u.max() < 1


def test_scheduled_events_override_choice():
    spec = _small(replicates=10, steps=5)
    raw = spec.model_dump()
    raw["events"] = [{"step": 2, "actor": "A", "action": "invade", "target": "B"}]
    _, out = simulate(parse_scenario(raw, "inline"), range(10))
    invade = __import__("secdilemma").load_catalog().index("invade")
    assert (out.actions[2, :, 0] == invade).all() and out.scheduled[2, :, 0].all()
    assert (out.first_war_step <= 2).all() and out.war.all()


settings_fast = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@settings_fast
@given(
    odb=st.floats(0.2, 4.0),
    dist=st.floats(0.0, 1.0),
    noise=st.floats(0.0, 0.5),
    greed=st.floats(0.0, 1.0),
    lens=st.sampled_from(["structural", "bayesian", "interpretive"]),
    seed=st.integers(0, 2**32),
)
def test_invariants_hold_for_any_world(odb, dist, noise, greed, lens, seed):
    raw = {
        "name": "prop",
        "steps": 15,
        "replicates": 8,
        "seed": seed,
        "world": {
            "offense_defense_balance": odb,
            "distinguishability": dist,
            "observation_noise": noise,
        },
        "states": [
            {"id": "A", "greed": greed, "lens": lens, "deterrent": 0.5},
            {"id": "B", "lens": lens, "offense": 2.0, "sensitivity": {"normative": 0.5}},
            {"id": "C", "lens": lens, "wealth": 3.0},
        ],
        "relations": [{"between": ["B", "C"], "alliance": True}],
    }
    spec = parse_scenario(raw, "prop")
    _, out = simulate(spec, range(8))
    for name in ("security_start", "security_end", "belief_end", "threat_end"):
        x = getattr(out, name)
        assert np.isfinite(x).all() and (x >= 0).all() and (x <= 1).all(), name
    assert (out.state_traj[..., :4] >= 0).all()  # no negative capability or wealth
    assert (out.war_pair == out.war_pair.transpose(0, 2, 1)).all()
    assert (out.spiral_pair == out.spiral_pair.transpose(0, 2, 1)).all()
    bounded = out.pair_traj[..., :6]  # threat, belief, grievance, trust, charity, credibility
    assert ((bounded >= 0) & (bounded <= 1)).all()
    gaps = out.pair_traj[..., 6:8]  # belief and threat minus true greed
    assert ((gaps >= -1) & (gaps <= 1)).all()
    _, again = simulate(spec, range(8))
    np.testing.assert_array_equal(out.actions, again.actions)


def test_beliefs_set_priors_and_pairwise_charity():
    from secdilemma.model.world import initial_world

    raw = {
        "name": "b",
        "states": [{"id": "A", "charity": 0.3}, {"id": "B"}, {"id": "C"}],
        "beliefs": [
            {"of": "A", "about": "B", "greedy": 0.7, "charity": 0.9},
            {"of": "A", "about": "C", "greedy": {"dist": "uniform", "low": 0.1, "high": 0.2}},
        ],
    }
    spec = parse_scenario(raw, "inline")
    w, _ = initial_world(spec, Streams(0, range(50)), spec.action_catalog())
    assert (w.belief_greedy[:, 0, 1] == 0.7).all() and (w.frame_charity[:, 0, 1] == 0.9).all()
    assert (w.frame_charity[:, 0, 2] == 0.3).all()  # A's general charity
    assert (w.belief_greedy[:, 1, 0] == spec.parameters.prior_greedy).all()
    drawn = w.belief_greedy[:, 0, 2]
    assert drawn.min() >= 0.1 and drawn.max() <= 0.2 and drawn.std() > 0.01


def test_hubris_shifts_the_log_odds_by_scale_times_hubris():
    from scipy import special

    from secdilemma.mechanisms.conflict import hubristic, underrated

    rng = np.random.default_rng(3)
    chance = np.concatenate([rng.random((4, 5, 5)), np.zeros((1, 5, 5)), np.ones((1, 5, 5))])
    hubris = rng.uniform(-1.0, 2.0, (6, 5))
    logit = special.logit(np.clip(chance, 1e-9, 1 - 1e-9))
    up = special.expit(logit + 1.5 * hubris[..., None])
    down = np.where(chance > 0, special.expit(logit - 1.5 * hubris[..., None]), 0.0)
    np.testing.assert_allclose(hubristic(chance, hubris, 1.5), up, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        underrated(chance, hubris[..., None], 1.5), down, rtol=1e-12, atol=1e-15
    )
    inside, bold = (chance > 0) & (chance < 1), np.broadcast_to(hubris[..., None] > 0, chance.shape)
    assert (hubristic(chance, hubris, 1.5) > chance)[inside & bold].all()


def test_log_odds_updates_equal_logit_then_expit_and_stay_finite():
    from scipy import special

    from secdilemma.numerics.logodds import shifted

    rng = np.random.default_rng(5)
    p = np.concatenate([rng.random(200), [0.0, 1.0, 1e-12, 1 - 1e-12]])
    d = np.concatenate([rng.normal(0, 3, 200), [2.0, -2.0, 0.5, -0.5]])
    expected = special.expit(special.logit(np.clip(p, 1e-9, 1 - 1e-9)) + d)
    np.testing.assert_allclose(shifted(p, d), expected, rtol=1e-12, atol=1e-15)
    extreme = shifted(np.array([0.3, 0.3, 0.0, 1.0]), np.array([1e4, -1e4, 800.0, -800.0]))
    assert np.isfinite(extreme).all()
    np.testing.assert_allclose(extreme, [1.0, 0.0, 1.0, 0.0], atol=1e-12)


def test_skipping_the_likelihoods_in_a_world_of_structural_observers_changes_nothing(
    monkeypatch,
):
    from outcomes import assert_same_outcomes
    from secdilemma.mechanisms.decision import choice

    spec = load_scenario("two-security-seekers", ["replicates=60", "steps=40"])
    assert all(state.lens == "structural" for state in spec.states)
    skipped = run_ensemble(spec).outcomes
    monkeypatch.setattr(choice, "STRUCTURAL", -1)  # no lens matches: always computed
    assert_same_outcomes(skipped, run_ensemble(spec).outcomes)


def _caught(name: str, spec, patch) -> tuple:
    """A copy of the world and the other arguments of the last call of ``engine.name``."""
    from secdilemma.engine import pipeline as engine

    caught = {}
    original = getattr(engine, name)

    def catch(w, *args, **kwargs):
        caught.update(w=copy.deepcopy(w), args=args)
        return original(w, *args, **kwargs)

    patch.setattr(engine, name, catch)
    run_ensemble(spec, trajectories=False)
    return caught["w"], caught["args"]


WORLD_FIELDS = ("offense", "defense", "deterrent", "wealth", "threat", "trust", "belief_greedy")


def test_a_block_without_war_ends_as_resolving_its_wars_would_leave_it(monkeypatch):
    # Steps without a war skip resolving wars; a replicate without a war must end the same
    # in a block where another replicate fights one (the full computation).
    from secdilemma.mechanisms.conflict import resolve_wars

    spec = load_scenario("two-security-seekers", ["replicates=6", "steps=4"])
    w, args = _caught("resolve_wars", spec, monkeypatch)
    b, attacks, force, stakes, nuclear, p, streams, step = args
    none = np.zeros_like(attacks)
    one = none.copy()
    one[0, 0, 1] = True
    quiet, fought = copy.deepcopy(w), copy.deepcopy(w)
    outcome = resolve_wars(quiet, b, none, force, stakes, none, p, streams, step)
    resolve_wars(fought, b, one, force, stakes, none, p, streams, step)
    for name in WORLD_FIELDS:
        assert np.array_equal(getattr(quiet, name)[1:], getattr(fought, name)[1:]), name
    assert not np.array_equal(quiet.offense[0], fought.offense[0])  # the war was fought
    assert not (outcome.started.any() or outcome.initiator_loss.any())


def test_a_block_without_aggression_ends_as_balancing_against_it_would_leave_it(monkeypatch):
    from secdilemma.mechanisms.alliances import balance_against_aggression

    spec = load_scenario("nato-russia", ["replicates=6"])
    w, (aggression, reading, p) = _caught("balance_against_aggression", spec, monkeypatch)
    none = np.zeros_like(aggression)
    one = none.copy()
    one[0, 0, 1] = True
    quiet, balanced = copy.deepcopy(w), copy.deepcopy(w)
    rallied = balance_against_aggression(quiet, none, reading, p)
    balance_against_aggression(balanced, one, reading, p)
    for name in WORLD_FIELDS:
        assert np.array_equal(getattr(quiet, name)[1:], getattr(balanced, name)[1:]), name
    assert not np.array_equal(quiet.threat[0], balanced.threat[0])  # others saw the aggression
    assert not rallied.any()


def test_the_war_records_skipped_in_steps_without_a_war_change_nothing(monkeypatch):
    # Steps without a war leave the recorder's war records as they are; recording every step
    # as if a war had been fought (all its marks False) must give the same outcomes.
    import dataclasses

    from secdilemma.engine import pipeline as engine

    spec = load_scenario("nato-russia", ["replicates=12", "steps=30"])
    skipped = run_ensemble(spec).outcomes
    assert skipped.n_wars.sum() > 0  # some steps fight, most do not
    original = engine.resolve_wars
    monkeypatch.setattr(
        engine,
        "resolve_wars",
        lambda *args, **kwargs: dataclasses.replace(original(*args, **kwargs), fought=True),
    )
    _assert_same_outcomes(skipped, run_ensemble(spec).outcomes)


def test_structural_observers_beliefs_are_those_the_general_update_leaves(monkeypatch):
    # A world of structural observers skips the Bayesian and interpretive updates of beliefs
    # and the weighing of verification reports: the general forms must leave its beliefs as
    # they are and take every report at face value.
    from secdilemma.mechanisms.agreements import report_evidence
    from secdilemma.mechanisms.perception.lenses import updated_beliefs
    from secdilemma.model.scenario import LENSES

    spec = load_scenario("two-security-seekers", ["replicates=8", "steps=12"])
    assert all(state.lens == "structural" for state in spec.states)
    w, (reading, obs, p, _modelled) = _caught("interpret", spec, monkeypatch)
    assert np.array_equal(updated_beliefs(w, reading, obs, p), w.belief_greedy)
    w_v, (verification, p) = _caught("learn_from_verification", spec, monkeypatch)
    assert np.all(report_evidence(w_v, verification, p) == p.violation_evidence)
    # Not vacuous: Bayesian observers would have read the same step otherwise.
    w.lens = np.full_like(w.lens, LENSES.index("bayesian"))
    assert not np.array_equal(updated_beliefs(w, reading, obs, p), w.belief_greedy)
    w_v.lens = np.full_like(w_v.lens, LENSES.index("bayesian"))
    assert not np.all(report_evidence(w_v, verification, p) == p.violation_evidence)


def test_incident_readings_are_drawn_where_incidents_happened_only():
    from secdilemma.mechanisms.crisis import incidents
    from secdilemma.model.world import initial_world
    from secdilemma.numerics.rng import Stream

    spec = load_scenario("nato-russia", ["replicates=40"])
    streams = Streams(spec.seed, range(40))
    w, _ = initial_world(spec, streams, spec.action_catalog())
    p = spec.parameters.model_copy(update={"incident_rate": 0.3})
    N = w.shape[1]
    incident, read = incidents(w, p, streams, 3)
    assert 0 < incident.mean() < 0.5 and np.array_equal(incident, incident.transpose(0, 2, 1))
    every = streams.normal(Stream.INCIDENT_NOISE, 3, (N, N))
    scale = w.observation_noise[:, None, None] * (1.0 - w.monitoring)
    expected = np.where(incident, p.incident_severity + every * scale, -np.inf)
    assert np.array_equal(read, expected)
    assert np.array_equal(
        streams.normal_at(Stream.INCIDENT_NOISE, 3, (N, N), incident), every[incident]
    )


def test_a_first_war_begun_on_a_state_ten_times_stronger_is_counted_unless_scheduled():
    small = [
        "replicates=50",
        "steps=3",
        "states.S.offense=0.1",
        "states.S.defense=0.1",
        "states.G.greed=0",
        "parameters.realist_war_threshold=0",  # S's rule invades whatever its odds
    ]
    chosen = load_scenario(
        "greedy-vs-security-seeker", [*small, "states.S.policy=offensive_realist"]
    )
    summary = summarize(run_ensemble(chosen, trajectories=False))
    assert summary["first_war_initiator"]["S"] == 1.0
    assert summary["p_war_on_tenfold"] == 1.0
    # The same war scheduled by the scenario is not a choice the model made.
    event = "events=[{step: 0, actor: S, action: invade, target: G}]"
    scheduled = load_scenario(
        "greedy-vs-security-seeker", [*small, "states.S.policy=scripted", event]
    )
    summary = summarize(run_ensemble(scheduled, trajectories=False))
    assert summary["first_war_initiator"]["S"] == 1.0
    assert summary["p_war_on_tenfold"] == 0.0
    # An even war is not counted either.
    even = load_scenario(
        "greedy-vs-security-seeker",
        [
            "replicates=50",
            "steps=3",
            "states.G.greed=0",
            "parameters.realist_war_threshold=0",
            "states.S.policy=offensive_realist",
            "states.S.offense=3",
            "states.S.defense=2",
        ],
    )
    assert summarize(run_ensemble(even, trajectories=False))["p_war_on_tenfold"] == 0.0


def test_blas_runs_on_one_thread_during_a_run_and_as_before_after_it(monkeypatch):
    # Worker processes give the parallelism; BLAS threads inside each would contend for cores.
    from threadpoolctl import threadpool_info

    from secdilemma.engine import pipeline as engine

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    before = blas_threads()
    seen = []
    original = engine.military_balance

    def watched(*args):
        seen.append(blas_threads())
        return original(*args)

    monkeypatch.setattr(engine, "military_balance", watched)
    run_ensemble(load_scenario("two-security-seekers", ["replicates=2", "steps=2"]))
    assert seen and all(threads <= {1} for threads in seen)
    assert blas_threads() == before
