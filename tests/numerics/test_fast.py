"""The compiled kernels (the [fast] extra) and their NumPy forms give identical bits, and the
softmax draw and likelihoods are what they claim to be in either form."""

import dataclasses

import numpy as np
import pytest

from outcomes import assert_same_outcomes
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.mechanisms.decision import aimed, pair_parts, treaty
from secdilemma.mechanisms.decision import utility as utility_module
from secdilemma.mechanisms.decision.options import ACTS_INNER_BELOW, OptionSpace, requirement_masks
from secdilemma.mechanisms.decision.sampling import draw_softmax, softmax_likelihoods
from secdilemma.model.actions import REQUIREMENTS, load_catalog
from secdilemma.model.scenario import load_scenario, parse_scenario
from secdilemma.model.synth import synthetic_world
from secdilemma.numerics.fast import numba_available, use_numba
from secdilemma.numerics.rng import Streams

FORMS = [
    False,
    pytest.param(True, marks=pytest.mark.skipif(not numba_available(), reason="no numba")),
]


def _random_rows(seed: int, R: int = 40, N: int = 3, options: int = 30):
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 0.02, (R, N, options)).astype(np.float32)
    gain = rng.normal(0, 0.02, (R, N, options)).astype(np.float32)
    valid = rng.random((R, N, options)) < 0.7
    valid[:, :, 0] = True  # waiting is always possible
    return rng, base, gain, valid


@pytest.mark.parametrize("compiled", FORMS)
def test_the_softmax_draw_follows_the_softmax_and_never_picks_an_invalid_option(compiled):
    rng, base, gain, valid = _random_rows(1, R=1, N=1, options=6)
    base = np.repeat(base, 40000, axis=0)
    gain = np.repeat(gain, 40000, axis=0)
    valid = np.repeat(valid, 40000, axis=0)
    greed = np.full((40000, 1), 0.3)
    with use_numba(compiled):
        chosen = draw_softmax(base, gain, greed, valid, rng.random((40000, 1)), 0.01)
    utility = (base[0, 0] + np.float32(0.3) * gain[0, 0]).astype(float) / 0.01
    expected = np.where(valid[0, 0], np.exp(utility - utility[valid[0, 0]].max()), 0.0)
    expected /= expected.sum()
    observed = np.bincount(chosen[:, 0], minlength=6) / 40000
    assert observed[~valid[0, 0]].sum() == 0
    standard_error = np.sqrt(expected * (1 - expected) / 40000)
    assert np.all(np.abs(observed - expected) < 4 * standard_error + 1e-12)


@pytest.mark.parametrize("compiled", FORMS)
def test_likelihoods_are_the_softmax_probabilities_of_the_chosen_option(compiled):
    rng, base, gain, valid = _random_rows(2)
    chosen = rng.integers(0, 30, (40, 3))  # may be invalid: it then counts as valid
    with use_numba(compiled):
        greedy, seeker = softmax_likelihoods(base, gain, valid, chosen, 0.05)
    for utility, found in ((base + gain, greedy), (base, seeker)):
        allowed = valid.copy()
        np.put_along_axis(allowed, chosen[:, :, None], True, axis=2)
        logits = np.where(allowed, utility.astype(float) / 0.05, -np.inf)
        p = np.exp(logits - logits.max(axis=2, keepdims=True))
        p /= p.sum(axis=2, keepdims=True)
        expected = np.take_along_axis(p, chosen[:, :, None], axis=2)[:, :, 0]
        np.testing.assert_allclose(found, expected, rtol=1e-5)


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("R, N", [(40, 3), (7, 3)])  # an odd number of rows as well
def test_the_kernels_and_their_numpy_forms_agree_to_the_bit(R, N):
    rng, base, gain, valid = _random_rows(3, R, N)
    greed, uniform = rng.random((R, N)), rng.random((R, N))
    chosen = rng.integers(0, 30, (R, N))
    results = {}
    for compiled in (False, True):
        with use_numba(compiled):
            results[compiled] = (
                draw_softmax(base, gain, greed, valid, uniform, 0.005),
                *softmax_likelihoods(base, gain, valid, chosen, 0.05),
            )
    for numpy_form, kernel in zip(results[False], results[True], strict=True):
        assert np.array_equal(numpy_form, kernel)


@pytest.mark.skipif(not numba_available(), reason="no numba")
def test_the_compiled_random_streams_are_the_numpy_ones():
    streams = Streams(11, range(7, 57))
    for shape in [(), (3,), (4, 5)]:
        with use_numba(False):
            numpy_form = streams.uniform(3, 9, shape)
        with use_numba(True):
            kernel = streams.uniform(3, 9, shape)
        assert kernel.shape == (50, *shape)
        assert np.array_equal(numpy_form, kernel)
    assert not np.array_equal(streams.uniform(3, 9, (5,)), streams.uniform(3, 10, (5,)))


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize(
    "spec",
    [
        load_scenario("nato-russia", ["replicates=40"]),
        load_scenario("two-security-seekers", ["replicates=200", "steps=40"]),
        parse_scenario(synthetic_world(8, seed=4, replicates=20, steps=30), "synthetic-8"),
        # past aimed.OPTION_BY_OPTION_UP_TO states: the aimed acts' row kernel
        parse_scenario(synthetic_world(14, seed=5, replicates=6, steps=15), "synthetic-14"),
        # past 128 states: NumPy sums over the observers in halves (secdilemma.numerics.sums)
        parse_scenario(synthetic_world(150, seed=6, replicates=2, steps=3), "synthetic-150"),
    ],
    ids=lambda s: s.name,
)
def test_whole_runs_are_identical_with_and_without_numba(spec):
    with use_numba(False):
        numpy_run = run_ensemble(spec)
    with use_numba(True):
        fast_run = run_ensemble(spec)
    assert_same_outcomes(numpy_run.outcomes, fast_run.outcomes)


@pytest.mark.skipif(not numba_available(), reason="no numba")
# Both loop orders of the kernel: acts inside targets below ACTS_INNER_BELOW states, after it.
@pytest.mark.parametrize("N", [1, 2, 5, ACTS_INNER_BELOW, 13])
def test_the_compiled_precondition_masks_are_the_numpy_ones(N):
    catalog = load_catalog()
    space = OptionSpace(catalog, N)
    rng = np.random.default_rng(N)
    # Each condition holds in about half the pairs: every act's preconditions hold somewhere.
    held = rng.random((len(REQUIREMENTS), 30, N, N)) < 0.6
    menu = rng.random((N, catalog.size)) < 0.8
    for on_menu in (None, menu):
        with use_numba(False):
            numpy_form = requirement_masks(held, space, on_menu)
        with use_numba(True):
            kernel = requirement_masks(held, space, on_menu)
        assert np.array_equal(numpy_form, kernel)
        assert 0.05 < kernel.mean() < 0.95  # neither all nor nothing valid: a real comparison
    # No act is aimed at the actor itself.
    aimed = kernel[:, :, len(space.self_actions) :].reshape(30, N, -1, N)
    assert not aimed[:, np.arange(N), :, np.arange(N)].any()


@pytest.mark.skipif(not numba_available(), reason="no numba")
def test_the_compiled_self_directed_utilities_are_the_numpy_ones():
    spec = load_scenario("nato-russia", ["replicates=30"])
    Ks = len(spec.action_catalog().self_directed)
    original = utility_module.fill_self

    def captured_run() -> list[tuple[np.ndarray, np.ndarray]]:
        captured = []

        def capture(base, gain, *args):
            original(base, gain, *args)
            captured.append((base[:, :, :Ks].copy(), gain[:, :, :Ks].copy()))

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(utility_module, "fill_self", capture)
            run_ensemble(spec, trajectories=False)
        return captured

    found = {}
    for compiled in (False, True):
        with use_numba(compiled):
            found[compiled] = captured_run()
    assert len(found[True]) == spec.steps
    for (base, gain), (base_fast, gain_fast) in zip(found[False], found[True], strict=True):
        assert base.dtype == np.float32 and np.array_equal(base, base_fast)
        assert np.array_equal(gain, gain_fast)
    assert np.ptp(found[True][-1][0]) > 0.01  # the utilities differ between acts and states


def test_the_row_test_world_is_past_the_option_by_option_kernels_size():
    assert aimed.OPTION_BY_OPTION_UP_TO < 14


def _caught_call(module, name: str, spec) -> tuple:
    """The arguments of the last call of ``module.name`` in a run of ``spec``."""
    caught = {}
    original = getattr(module, name)

    def catch(*args):
        caught["args"] = args
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, name, catch)
        run_ensemble(spec, trajectories=False)
    return caught["args"]


@pytest.mark.skipif(not numba_available(), reason="no numba")
def test_the_compiled_treaty_breach_costs_are_the_numpy_ones():
    # A world caught mid-run, then given many agreements (up to five partners an actor) with
    # caps around its forces, so that some acts break some of them.
    spec = parse_scenario(synthetic_world(6, seed=2, replicates=40, steps=5), "synthetic-6")
    w, q, military, indistinct, half, cat, p = _caught_call(utility_module, "breach_costs", spec)
    rng = np.random.default_rng(0)
    w.agreement = rng.random(w.agreement.shape) < 0.7
    w.cap_forces = military[:, :, None] * rng.uniform(0.9, 1.3, w.cap_forces.shape)
    w.cap_deterrent = w.deterrent[:, :, None] * rng.uniform(0.9, 1.3, w.cap_deterrent.shape)
    with use_numba(False):
        numpy_form = treaty.breach_costs(w, q, military, indistinct, half, cat, p)
    with use_numba(True):
        kernel = treaty.breach_costs(w, q, military, indistinct, half, cat, p)
    assert np.array_equal(numpy_form, kernel)
    costly = kernel[..., cat.raises_forces & ~cat.covert]
    assert (costly > 0).mean() > 0.2 and (costly == 0).mean() > 0.05
    assert w.agreement.sum(axis=2).max() >= 5


def test_the_salt_of_a_draw_is_the_mixer_of_its_counter():
    from secdilemma.numerics.rng import _salt, mix

    for tag, step in [(0, 0), (1, 0), (14, 99), (65535, 10**9), (70000, 3)]:
        counter = ((tag & 0xFFFF) << 48) ^ (step + 1)
        assert _salt(tag, step) == mix(np.array([counter], dtype=np.uint64))[0]


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9, 14, 150])
def test_the_compiled_actor_and_pair_parts_are_the_numpy_ones(N):
    # The parts in double precision, before any rounding to the utilities' single precision
    # could hide a difference in the last bits (nine or more states: NumPy's pairwise sums).
    spec = parse_scenario(synthetic_world(N, seed=N, replicates=3, steps=4), "synthetic")
    args = _caught_call(utility_module, "actor_and_pair_parts", spec)
    with use_numba(False):
        numpy_form = pair_parts.actor_and_pair_parts(*args)
    with use_numba(True):
        kernel = pair_parts.actor_and_pair_parts(*args)
    for numpy_parts, kernel_parts in zip(numpy_form, kernel, strict=True):
        for name, x, y in zip(numpy_parts._fields, numpy_parts, kernel_parts, strict=True):
            assert np.array_equal(x, y), name
    assert np.ptp(kernel[0].exposure) > 0


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9, 14])
def test_the_compiled_readings_are_the_numpy_ones(N):
    from secdilemma.engine import pipeline as engine
    from secdilemma.mechanisms.perception import lenses

    spec = parse_scenario(synthetic_world(N, seed=N, replicates=5, steps=6), "synthetic")
    args = _caught_call(engine, "read_acts", spec)
    with use_numba(False):
        numpy_form = lenses.read_acts(*args)
    with use_numba(True):
        kernel = lenses.read_acts(*args)
    for field in dataclasses.fields(numpy_form):
        x, y = getattr(numpy_form, field.name), getattr(kernel, field.name)
        assert x.dtype == y.dtype and np.array_equal(x, y), field.name
    assert kernel.seen.any() and np.ptp(kernel.capability) > 0


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9, 14])  # the option-by-option kernel, then the row kernel
def test_the_compiled_aimed_utilities_are_the_numpy_ones(N):
    spec = parse_scenario(synthetic_world(N, seed=N, replicates=5, steps=6), "synthetic")
    base, gain, *rest = _caught_call(utility_module, "fill_aimed", spec)
    filled = {}
    for compiled in (False, True):
        b, g = np.full_like(base, np.nan), np.full_like(gain, np.nan)
        with use_numba(compiled):
            aimed.fill_aimed(b, g, *rest)
        filled[compiled] = (b, g)
    start = rest[0]
    for numpy_form, kernel in zip(filled[False], filled[True], strict=True):
        assert np.array_equal(numpy_form[:, :, start:], kernel[:, :, start:])
    assert np.ptp(filled[True][0][:, :, start:]) > 0.01


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9, 14, 150])
def test_the_compiled_vulnerabilities_are_the_numpy_ones(N):
    from secdilemma.mechanisms.decision import vulnerability as vulnerability_module

    spec = parse_scenario(synthetic_world(N, seed=N, replicates=3, steps=4), "synthetic")
    args = _caught_call(utility_module, "vulnerability", spec)
    with use_numba(False):
        numpy_form = vulnerability_module.vulnerability(*args)
    with use_numba(True):
        kernel = vulnerability_module.vulnerability(*args)
    for field in dataclasses.fields(numpy_form):
        x, y = getattr(numpy_form, field.name), getattr(kernel, field.name)
        assert np.array_equal(x, y), field.name
    assert np.ptp(kernel.V) > 0 and np.ptp(kernel.d_defense) > 0


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9])
def test_the_compiled_war_parts_are_the_numpy_ones(N):
    from secdilemma.mechanisms.decision import war_parts

    spec = parse_scenario(synthetic_world(N, seed=N, replicates=3, steps=4), "synthetic")
    args = _caught_call(utility_module, "war_parts", spec)
    with use_numba(False):
        numpy_form = war_parts.war_parts(*args)
    with use_numba(True):
        kernel = war_parts.war_parts(*args)
    for x, y in zip(numpy_form, kernel, strict=True):
        assert np.array_equal(x, y)
        assert np.ptp(y) > 0


@pytest.mark.skipif(not numba_available(), reason="no numba")
def test_the_compiled_received_effects_are_the_numpy_ones():
    from secdilemma.mechanisms.apply import received_effects

    rng = np.random.default_rng(4)
    R, N, K = 200, 6, 9
    target = rng.integers(-1, N, (R, N))  # several actors often aim at one state
    action = rng.integers(0, K, (R, N))
    effect = rng.normal(0, 0.1, (K, 4))
    with use_numba(False):
        numpy_form = received_effects(target, action, effect)
    with use_numba(True):
        kernel = received_effects(target, action, effect)
    assert np.array_equal(numpy_form, kernel)
    # Each state receives the effects of the acts aimed at it, and only those.
    r, j = 7, int(target[7, 0]) if target[7, 0] >= 0 else 0
    aiming = np.flatnonzero(target[r] == j)
    np.testing.assert_allclose(kernel[r, j], effect[action[r, aiming]].sum(axis=0), atol=1e-15)


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9, 60])
def test_the_compiled_military_balance_and_security_are_the_numpy_ones(N):
    from secdilemma.mechanisms.conflict import actual_security, military_balance, own_defense
    from secdilemma.model.world import initial_world

    spec = parse_scenario(synthetic_world(N, seed=N, replicates=12), "synthetic")
    w, _ = initial_world(spec, Streams(spec.seed, range(12)), spec.action_catalog())
    rng = np.random.default_rng(N)
    allied = np.triu(rng.random((12, N, N)) < 0.3, k=1)
    w.alliance = allied | allied.transpose(0, 2, 1)  # the allies' support summed in order
    w.alliance[0] = False
    w.offense = w.offense * rng.uniform(0.0, 2.0, w.offense.shape)
    w.offense[1, 0] = 0.0  # no attack strength: no chance of winning
    balances = []
    for compiled in (False, True):
        with use_numba(compiled):
            b = military_balance(w, spec.parameters)
            balances.append((b.defense, b.attack, b.win, b.secure, actual_security(b)))
    for numpy_form, kernel in zip(*balances, strict=True):
        assert np.array_equal(numpy_form, kernel)
    # Not vacuous: some states win somewhere, and allies add to some states' defence.
    has_ally = w.alliance.any(axis=2)
    assert (balances[1][2] > 0).any()
    assert (balances[1][0][has_ally] > own_defense(w, spec.parameters)[has_ally]).any()


@pytest.mark.skipif(not numba_available(), reason="no numba")
@pytest.mark.parametrize("N", [2, 9, 60])
def test_the_compiled_foreseen_decline_is_the_numpy_one(N):
    from secdilemma.mechanisms.conflict import military_balance
    from secdilemma.mechanisms.power_shift import foreseen_decline
    from secdilemma.model.world import initial_world

    spec = parse_scenario(synthetic_world(N, seed=N, replicates=12), "synthetic")
    w, _ = initial_world(spec, Streams(spec.seed, range(12)), spec.action_catalog())
    rng = np.random.default_rng(N + 1)
    for name, share in (("alliance", 0.2), ("prospect", 0.1)):
        marked = np.triu(rng.random((12, N, N)) < share, k=1)
        setattr(w, name, marked | marked.transpose(0, 2, 1))
    w.prospect &= ~w.alliance
    w.growth = w.growth * rng.uniform(-1.0, 3.0, w.growth.shape)  # some decline, some rise
    b = military_balance(w, spec.parameters)
    with use_numba(False):
        numpy_form = foreseen_decline(w, b, spec.parameters)
    with use_numba(True):
        kernel = foreseen_decline(w, b, spec.parameters)
    assert np.array_equal(numpy_form, kernel)
    assert (kernel > 0).any() and (kernel == 0).any()  # not vacuous
