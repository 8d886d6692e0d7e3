"""The Mesa reference model is the engine's model: the same option utilities, the same run when
fed the engine's random draws, the same outcome rates on its own draws; and it is a working
Mesa model (DataCollector, batch_run)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtri

mesa = pytest.importorskip("mesa")

import secdilemma.mechanisms.decision.utility as utility_module  # noqa: E402
from secdilemma.engine.pipeline import run_ensemble, simulate  # noqa: E402
from secdilemma.engine.summary import summarize  # noqa: E402
from secdilemma.errors import InputError  # noqa: E402
from secdilemma.interop.mesa import (  # noqa: E402
    SecurityDilemmaModel,
    run_replicates,
    within_scope,
)
from secdilemma.interop.mesa.agent import StateAgent  # noqa: E402
from secdilemma.interop.mesa.state import AgentModel  # noqa: E402
from secdilemma.mechanisms.conflict import military_balance  # noqa: E402
from secdilemma.mechanisms.decision.choice import conditions  # noqa: E402
from secdilemma.mechanisms.decision.options import OptionSpace, requirement_masks  # noqa: E402
from secdilemma.mechanisms.decision.utility import option_utilities  # noqa: E402
from secdilemma.mechanisms.decision.war_parts import private_cost  # noqa: E402
from secdilemma.model.scenario import (  # noqa: E402
    load_scenario,
    parse_scenario,
    read_raw,
    resolve_path,
)
from secdilemma.model.synth import synthetic_world  # noqa: E402
from secdilemma.model.world import initial_world  # noqa: E402
from secdilemma.numerics.rng import Stream, Streams  # noqa: E402

ROOT = Path(__file__).parents[2]

# Four states with every lens, nuclear deterrents and hubris, empathy, prudence, domain
# sensitivities, an agreement under monitoring with a hotline, an alliance with dependence and
# a prospect: the branches the two benchmark scenarios leave quiet.
MIXED = {
    "name": "nuclear-mix",
    "steps": 40,
    "replicates": 10,
    "seed": 7,
    "world": {"offense_defense_balance": 1.6, "distinguishability": 0.3, "observation_noise": 0.2},
    "states": [
        {
            "id": "A",
            "offense": 2,
            "defense": 1,
            "deterrent": 1.0,
            "wealth": 10,
            "greed": {"dist": "uniform", "low": 0, "high": 0.6},
            "lens": "interpretive",
            "sensitivity": {"alliance": 0.4, "normative": 0.3},
            "empathy": 0.5,
            "prudence": 0.3,
            "hubris": 0.5,
            "nuclear_option": True,
        },
        {
            "id": "B",
            "offense": 1,
            "defense": 1,
            "deterrent": 0.5,
            "wealth": 8,
            "greed": 0.3,
            "lens": "bayesian",
            "empathy": 0.3,
            "credibility": 0.7,
        },
        {
            "id": "C",
            "offense": 1,
            "defense": 2,
            "wealth": 6,
            "greed": 0.5,
            "hubris": 1.0,
            "nuclear_option": True,
        },
        {"id": "D", "offense": 0.5, "defense": 0.5, "wealth": 3, "lens": "interpretive"},
    ],
    "relations": [
        {
            "between": ["A", "B"],
            "distance": 0.3,
            "agreement": True,
            "monitoring": 0.3,
            "hotline": True,
        },
        {"between": ["B", "D"], "alliance": True, "distance": 0.2, "dependence": {"D": 0.3}},
        {"between": ["A", "C"], "distance": 0.4, "prospect": True},
        {"between": ["C", "D"], "distance": 0.3},
    ],
    "beliefs": [{"of": "A", "about": "B", "greedy": 0.5, "charity": 0.3}],
    "record": [
        {"description": "A wages a war", "actor": "A", "target": "any", "by_step": 39},
        {"description": "C wages a war", "actor": "C", "target": "any", "by_step": 39},
    ],
}


def mixed():
    return within_scope(parse_scenario(MIXED, "nuclear-mix"))


def synthetic(states: int, seed: int, steps: int, replicates: int = 100):
    return within_scope(
        parse_scenario(
            synthetic_world(states, seed=seed, steps=steps, replicates=replicates), "synthetic"
        )
    )


@pytest.fixture
def double_precision(monkeypatch):
    """The engine stores utilities in single precision (about 1e-8); exact comparisons need
    them in double."""
    monkeypatch.setattr(utility_module, "UTILITY_DTYPE", np.float64, raising=False)


def world_of(model: SecurityDilemmaModel):
    """The Mesa model's state as the engine's WorldState (one replicate)."""
    streams = Streams(model.scenario.seed, range(model.replicate, model.replicate + 1))
    w, _ = initial_world(model.scenario, streams, model.catalog)
    for s in model.states:
        i = s.index
        for name in ("offense", "defense", "deterrent", "wealth"):
            getattr(w, name)[0, i] = getattr(s, name)
        for name in (
            "belief_greedy",
            "threat",
            "threat_baseline",
            "grievance",
            "trust",
            "read_hostility",
            "frame_charity",
            "credibility_view",
            "resolve_view",
            "monitoring",
            "false_alarm",
            "dependence",
        ):
            for j, value in getattr(s, name).items():
                getattr(w, name)[0, i, j] = value
        for name, members in (
            ("alliance", s.allies),
            ("agreement", s.agreements),
            ("hotline", s.hotlines),
            ("prospect", s.prospects),
            ("sanctions", s.sanctioning),
            ("pending_bogus", s.pending_bogus),
        ):
            getattr(w, name)[0, i, :] = False
            getattr(w, name)[0, i, sorted(members)] = True
        w.cap_forces[0, i, :] = np.inf
        w.cap_deterrent[0, i, :] = np.inf
        for j in s.cap_forces:
            w.cap_forces[0, i, j] = s.cap_forces[j]
            w.cap_deterrent[0, i, j] = s.cap_deterrent[j]
    return w


@pytest.mark.parametrize(
    "spec",
    [mixed(), synthetic(8, seed=2, steps=30), load_scenario("two-security-seekers")],
    ids=["mixed", "synthetic-8", "two-security-seekers"],
)
def test_each_agents_option_utilities_are_the_engines(spec, double_precision):
    model = SecurityDilemmaModel(spec, replicate=3, steps=30)
    space = OptionSpace(model.catalog, len(model.states))
    p = model.p
    # Each state's private cost of war is the engine's draw for this replicate, and it varies
    # (the default dispersion is not 0), so the term it weighs in war utility is compared.
    cost_factor = np.array([[s.cost_factor for s in model.states]])
    streams = Streams(model.scenario.seed, range(model.replicate, model.replicate + 1))
    expected = private_cost(streams, len(model.states), p.war_cost_dispersion)
    np.testing.assert_allclose(cost_factor, expected, rtol=1e-14, atol=0)
    assert not np.allclose(cost_factor, 1.0)
    compared = 0
    weighed = False  # the private costs changed some compared option's utility
    for t in range(30):
        if t % 6 == 0:  # along the run, as agreements, alliances and wars change the world
            w = world_of(model)
            b = military_balance(w, p)
            utilities, _ = option_utilities(w, b, space, p, cost_factor=cost_factor)
            median, _ = option_utilities(w, b, space, p)  # every state at the median cost
            valid = requirement_masks(conditions(w, p), space, w.menu)
            model.measure_balance()
            model.agents.do("foresee")
            for s in model.states:
                options, base, gain = s.evaluate_options(s.cost_factor)
                index = [space.option_of(act.index, target) for act, target in options]
                assert index == np.flatnonzero(valid[0, s.index]).tolist()
                engine_base = utilities.base[0, s.index, index]
                engine_gain = utilities.gain[0, s.index, index]
                np.testing.assert_allclose(base, engine_base, rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(gain, engine_gain, rtol=1e-9, atol=1e-12)
                weighed |= not np.allclose(engine_base, median.base[0, s.index, index])
                compared += len(options)
        model.step()
    assert compared > 100 and weighed


_STREAMS = {
    "choice": Stream.CHOICE,
    "observe": Stream.OBSERVE,
    "noise": Stream.NOISE,
    "verify": Stream.VERIFY,
    "incident": Stream.INCIDENT,
    "incident_noise": Stream.INCIDENT_NOISE,
    "escalate": Stream.ESCALATE,
    "crisis": Stream.CRISIS,
    "ally": Stream.ALLY,
    "war": Stream.WAR,
    "retaliation": Stream.RETALIATION,
    "reveal": Stream.REVEAL,
}


class EngineDraws(SecurityDilemmaModel):
    """The Mesa model fed the engine's random draws for its replicate instead of its own. It
    follows how the engine draws (rng.Stream, one uniform per state for the softmax choice):
    if that changes, this class (or the model's choice rule) must follow."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.streams = Streams(self.scenario.seed, range(self.replicate, self.replicate + 1))
        self.cache: dict = {}

    def _draws(self, purpose: str):
        N = len(self.states)
        shape = (N,) if purpose == "choice" else (N, N)
        key = (purpose, self.t)
        if key not in self.cache:
            self.cache[key] = self.streams.uniform(_STREAMS[purpose], self.t, shape)[0]
        return self.cache[key]

    def uniform(self, purpose: str, *where: int) -> float:
        return float(self._draws(purpose)[where])

    def normal(self, purpose: str, *where: int) -> float:
        return float(ndtri(self.uniform(purpose, *where)))


@pytest.mark.parametrize(
    "spec, replicate, exercised",
    [
        # Wars of aggression, one provoked, allies joining; lies revealed, a violation
        # detected; C's record war and not A's. (Provoked wars are rare in this world, 17 in
        # 6,000 replicates, and none falls in a replicate with a nuclear retaliation: the two
        # are exercised in two replicates.)
        (
            mixed(),
            94,
            (
                "wars_deliberate",
                "wars_provoked",
                "wars_joined",
                "lies_revealed",
                "violations_detected",
            ),
        ),
        # 17 wars: of aggression, allies joining; nuclear use, lies revealed, a
        # violation detected; C's record war and not A's.
        (
            mixed(),
            272,
            (
                "wars_deliberate",
                "wars_joined",
                "nuclear_use",
                "lies_revealed",
                "violations_detected",
            ),
        ),
        # 8 wars: deliberate, inadvertent and joined; lies revealed, violations detected and a
        # verification false alarm.
        (
            synthetic(8, seed=2, steps=40),
            185,
            (
                "wars_deliberate",
                "wars_inadvertent",
                "wars_joined",
                "lies_revealed",
                "violations_detected",
                "verification_false_alarms",
            ),
        ),
        # A war provoked by a crisis act (the scenario's first in its replicates), a violation
        # detected and a verification false alarm.
        (
            load_scenario("two-security-seekers"),
            256,
            ("wars_provoked", "violations_detected", "verification_false_alarms"),
        ),
    ],
    ids=["mixed-provoked", "mixed-nuclear", "synthetic-8", "two-security-seekers"],
)
def test_fed_the_engines_draws_the_mesa_model_runs_the_engines_run(
    spec, replicate, exercised, double_precision
):
    _, engine = simulate(spec, range(replicate, replicate + 1), trajectories=True)
    model = EngineDraws(spec, replicate=replicate)
    for t in range(spec.steps):
        model.step()
        assert [s.act.index for s in model.states] == engine.actions[t, 0].tolist(), t
        targets = [-1 if s.target is None else s.target for s in model.states]
        assert targets == engine.targets[t, 0].tolist(), t
        for n, name in enumerate(("offense", "defense", "deterrent", "wealth")):
            ours = [getattr(s, name) for s in model.states]
            np.testing.assert_allclose(ours, engine.state_traj[t + 1, 0, :, n], rtol=1e-5)
    mine = model.outcomes()
    for key in ("threat_end", "belief_end", "trust_end", "arms_end", "security_end"):
        np.testing.assert_allclose(mine[key], getattr(engine, key)[0], rtol=1e-9, atol=1e-12)
    for key in (
        "war",
        "n_wars",
        "spiral",
        "nuclear_use",
        "wars_deliberate",
        "wars_provoked",
        "wars_inadvertent",
        "wars_joined",
        "incidents",
        "violations",
        "violations_detected",
        "verification_false_alarms",
        "lies_revealed",
    ):
        assert mine[key] == getattr(engine, key)[0], key
    assert mine["record_reproduced"] == engine.record_reproduced[0].tolist()
    assert spec.name != "nuclear-mix" or mine["record_reproduced"] == [False, True]
    assert mine["war"]  # the replicates are picked for their wars
    assert all(mine[key] for key in exercised), {key: mine[key] for key in exercised}


def _per_replicate(outcomes, mesa_model: bool) -> dict[str, np.ndarray]:
    """The outcomes compared, per replicate, from the engine's Outcomes or run_replicates."""

    def get(key):
        return np.asarray(outcomes[key] if mesa_model else getattr(outcomes, key), dtype=float)

    off_diagonal = ~np.eye(get("threat_end").shape[1], dtype=bool)
    escalation = get("escalation_mean") if mesa_model else outcomes.escalation.mean(axis=0)
    return {
        "war": get("war"),
        "spiral": get("spiral"),
        "tragic_spiral": get("tragic_spiral"),
        "n_wars": get("n_wars"),
        "threat_end": get("threat_end")[:, off_diagonal].mean(axis=1),
        "trust_end": get("trust_end")[:, off_diagonal].mean(axis=1),
        "arms_change": (get("arms_end") / get("arms_start") - 1.0).mean(axis=1),
        "security_change": (get("security_end") - get("security_start")).mean(axis=1),
        "escalation": np.asarray(escalation, dtype=float),
        "violations": get("violations"),
    }


def _agree(spec, engine_replicates: int, mesa_replicates: int) -> dict[str, tuple]:
    """Each outcome's mean in both implementations, its combined standard error and z."""
    ensemble = run_ensemble(
        spec.model_copy(update={"replicates": engine_replicates}), trajectories=False
    )
    # Replicates the engine did not run: the two samples are independent.
    ours = run_replicates(spec, range(10**6, 10**6 + mesa_replicates))
    summary = summarize(ensemble)
    assert ours["p_war"] == ours["war"].mean() and ours["p_spiral"] == ours["spiral"].mean()
    engine, mesa_side = _per_replicate(ensemble.outcomes, False), _per_replicate(ours, True)
    assert engine["war"].mean() == summary["p_war"]
    assert engine["spiral"].mean() == summary["p_spiral"]
    table = {}
    for key, theirs in engine.items():
        mine = mesa_side[key]
        se = np.sqrt(theirs.var(ddof=1) / len(theirs) + mine.var(ddof=1) / len(mine))
        gap = mine.mean() - theirs.mean()
        z = gap / se if se > 0 else (0.0 if gap == 0 else np.inf)
        table[key] = (theirs.mean(), mine.mean(), se, z)
        print(
            f"{key:16s} engine {theirs.mean():9.4f} mesa {mine.mean():9.4f} se {se:.4f} z {z:+.2f}"
        )
    return table


@pytest.mark.slow
def test_two_security_seekers_agree_with_the_engine_within_sampling_error():
    table = _agree(load_scenario("two-security-seekers"), 2000, 300)
    assert all(abs(z) < 4 for *_, z in table.values()), table
    # Agreements are verified in most replicates and beliefs move: the comparison would see
    # verification or learning missing (they move these by 12 to 130 standard errors).
    assert table["violations"][0] > 0.3 and 0.05 < table["threat_end"][0] < 0.5


@pytest.mark.slow
def test_a_synthetic_world_agrees_with_the_engine_within_sampling_error():
    table = _agree(synthetic(5, seed=2, steps=20), 2000, 200)
    assert all(abs(z) < 4 for *_, z in table.values()), table
    # Far from trivial rates: wars in about three replicates of ten, a broken agreement in
    # about one of two. (Spirals, one in ten before the calibration issue, are now rare in the
    # calibrated model: docs/evidence.md.)
    assert 0.15 < table["war"][0] < 0.9 and 0.2 < table["violations"][0] < 0.9


def test_the_datacollector_records_every_step_and_the_run_stops_with_the_scenario():
    model = SecurityDilemmaModel("two-security-seekers", replicate=2, steps=6)
    while model.running:
        model.step()
    assert model.steps == 6
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == ["war", "spiral", "mean_threat", "arms"]
    assert len(frame) == 7  # the start and each step
    assert frame["mean_threat"].between(0, 1).all() and (frame["arms"] > 0).all()
    agents = model.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == ["offense", "defense", "wealth"]
    assert len(agents) == 7 * 2
    again = SecurityDilemmaModel("two-security-seekers", replicate=2, steps=6)
    for _ in range(6):
        again.step()
    assert again.outcomes() == model.outcomes()  # one replicate, one run
    other = SecurityDilemmaModel("two-security-seekers", replicate=3, steps=6)
    for _ in range(6):
        other.step()
    assert other.outcomes()["acts"] != model.outcomes()["acts"]


def test_the_model_provides_what_its_agents_read():
    # The agents know their model only through AgentModel (agent.py does not import model.py):
    # the model must keep every member the protocol lists.
    model = SecurityDilemmaModel(mixed(), replicate=0, steps=2)
    assert isinstance(model, AgentModel)
    assert all(type(s) is StateAgent and s.model is model for s in model.states)


def test_batch_run_runs_replicates_by_parameter():
    results = mesa.batch_run(
        SecurityDilemmaModel,
        parameters={"scenario": "two-security-seekers", "replicate": [0, 1], "steps": 4},
        iterations=1,
        max_steps=50,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    runs = {(r["replicate"], r["Step"]) for r in results}
    assert runs == {(r, t) for r in (0, 1) for t in range(4)}
    assert all(
        {"war", "spiral", "mean_threat", "arms", "offense", "wealth"} <= set(r) for r in results
    )
    assert len(results) == 2 * 4 * 2  # replicates x collected steps x agents


@pytest.mark.parametrize(
    "change, field",
    [
        ({"events": [{"step": 1, "actor": "A", "action": "wait"}]}, "events"),
        ({"world_changes": [{"step": 1, "distinguishability": 0.9}]}, "world_changes"),
        ({"states[1].policy": "richardson"}, "states[1].policy"),
    ],
)
def test_a_feature_it_does_not_model_is_an_input_error_naming_it(change, field):
    raw = read_raw(resolve_path("two-security-seekers"))
    for key, value in change.items():
        if key.startswith("states["):
            raw["states"][1]["policy"] = value
        else:
            raw[key] = value
    spec = parse_scenario(raw, "edited")
    with pytest.raises(InputError) as error:
        SecurityDilemmaModel(spec)
    assert error.value.field == field and "Mesa model" in str(error.value)
    with pytest.raises(InputError):
        run_replicates(spec, 1)


def test_run_replicates_reports_outcomes_per_replicate():
    out = run_replicates("two-security-seekers", 3, steps=5)
    assert out["war"].shape == (3,) and out["threat_end"].shape == (3, 2, 2)
    assert out["p_war"] == out["war"].mean() and out["p_spiral"] == out["spiral"].mean()
    assert sum(counts.sum() for counts in out["acts"].values()) == 3 * 5 * 2
    assert out["replicates"].tolist() == [0, 1, 2] and out["steps"] == 5


def test_the_benchmark_runs_in_quick_mode(tmp_path):
    out = tmp_path / "mesa.json"
    command = [sys.executable, "-m", "benchmarks.mesa", "--quick", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    for name in ("two-security-seekers", "synthetic-20"):
        load = report[name]
        assert load["engine_s_per_replicate_step"] > 0 and load["mesa_s_per_replicate_step"] > 0
    assert {r["benchmark"] for r in report["rows"]} == {"mesa"}


def test_a_chosen_reading_is_an_input_error_naming_it():
    spec = load_scenario("two-security-seekers", ["states.B.charity_choice.high=0.9"])
    with pytest.raises(InputError) as error:
        SecurityDilemmaModel(spec)
    assert error.value.field == "states.B.charity_choice" and "Mesa model" in str(error.value)
