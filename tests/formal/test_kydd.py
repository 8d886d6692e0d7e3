"""Kydd's trust game: the minimum trust threshold, costly reassurance, Bayesian updating."""

from __future__ import annotations

import numpy as np
import pytest

from secdilemma.formal.kydd import (
    POOLING,
    SEPARATING,
    TrustGame,
    cooperation_sustained,
    expected_payoffs,
    minimum_trust,
    separating,
    signalling_equilibrium,
    trust_path,
    update_trust,
    value_of_trust,
)


def random_games(rng: np.random.Generator, n: int) -> TrustGame:
    """Random games with CD < DD < CC and DC_T < CC < DC_U (DC_T either side of DD)."""
    dd = rng.uniform(-1.0, 1.0, n)
    cc = dd + rng.uniform(0.01, 3.0, n)
    return TrustGame(
        cc=cc,
        cd=dd - rng.uniform(0.01, 3.0, n),
        dd=dd,
        dc_trustworthy=cc - rng.uniform(0.01, 3.0, n),
        dc_untrustworthy=cc + rng.uniform(0.01, 3.0, n),
    )


def test_threshold_hand_computed_and_vectorised():
    g = TrustGame(cc=[3.0, 4.0], cd=[0.0, -3.0], dd=[1.0, -1.0], dc_trustworthy=[2.0, 1.0],
                  dc_untrustworthy=5.0)  # fmt: skip
    # (1 - 0) / ((3 - 2) + 1) and (-1 + 3) / ((4 - 1) + 2)
    np.testing.assert_allclose(minimum_trust(g), [0.5, 0.4], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(cooperation_sustained(g, [0.45, 0.45]), [False, True])


def test_game_rejects_preferences_outside_the_model():
    with pytest.raises(ValueError, match="CC > DC_T"):
        TrustGame(cc=1, cd=-1, dd=0, dc_trustworthy=1, dc_untrustworthy=2)
    with pytest.raises(ValueError, match="DC_U > CC"):
        TrustGame(cc=1, cd=-1, dd=0, dc_trustworthy=0.5, dc_untrustworthy=[2, 1])
    with pytest.raises(ValueError, match="DD > CD"):
        TrustGame(cc=1, cd=0, dd=0, dc_trustworthy=0.5, dc_untrustworthy=2)


def test_trustworthy_type_is_indifferent_exactly_at_the_threshold():
    rng = np.random.default_rng(1)
    g = random_games(rng, 5000)
    q_star = minimum_trust(g)
    assert np.all((q_star > 0) & (q_star < 1))
    c, d = expected_payoffs(g, q_star)
    np.testing.assert_allclose(c, d, rtol=0, atol=1e-12)
    c, d = expected_payoffs(g, q_star + 1e-6)
    assert np.all(c > d)
    c, d = expected_payoffs(g, q_star - 1e-6)
    assert np.all(c < d)
    assert np.all(cooperation_sustained(g, q_star))
    assert np.all(cooperation_sustained(g, q_star + 1e-9))
    assert not np.any(cooperation_sustained(g, q_star - 1e-9))


def test_cooperation_sustained_is_the_trustworthy_best_reply_and_untrustworthy_defect():
    rng = np.random.default_rng(2)
    g = random_games(rng, 5000)
    prior = rng.uniform(0, 1, 5000)
    # in the candidate equilibrium the other cooperates with the probability it is trustworthy
    c, d = expected_payoffs(g, prior, trustworthy=True)
    np.testing.assert_array_equal(cooperation_sustained(g, prior), c >= d)
    c_u, d_u = expected_payoffs(g, prior, trustworthy=False)
    assert np.all(d_u > c_u)
    assert 0.1 < cooperation_sustained(g, prior).mean() < 0.9


def test_both_sides_must_trust_enough():
    g = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=2, dc_untrustworthy=4)  # q* = 0.5
    sustained = cooperation_sustained(g, [0.6, 0.6, 0.4], other_prior=[0.7, 0.4, 0.9])
    np.testing.assert_array_equal(sustained, [True, False, False])


def _most_cooperative_payoffs(g: TrustGame, i: int, mu: float, pi_r: float) -> tuple[float, float]:
    """Direct check: the sender's (trustworthy, untrustworthy) payoffs in the most cooperative
    pure equilibrium of the one-shot game after the signal, by enumeration. Untrustworthy
    types defect; the receiver believes the sender trustworthy with ``mu``."""
    cc, cd, dd = float(g.cc[i]), float(g.cd[i]), float(g.dd[i])
    dc_t, dc_u = float(g.dc_trustworthy[i]), float(g.dc_untrustworthy[i])

    def pay(own_c: bool, other_c_prob: float, dc: float) -> float:
        return other_c_prob * (cc if own_c else dc) + (1 - other_c_prob) * (cd if own_c else dd)

    for sender_c, receiver_c in [(True, True), (False, True), (True, False), (False, False)]:
        to_receiver = mu * sender_c  # prob. the sender cooperates, as the receiver sees it
        to_sender = pi_r * receiver_c
        ok_receiver = pay(receiver_c, to_receiver, dc_t) >= pay(not receiver_c, to_receiver, dc_t)
        ok_sender = pay(sender_c, to_sender, dc_t) >= pay(not sender_c, to_sender, dc_t)
        if ok_receiver and ok_sender:
            return pay(sender_c, to_sender, dc_t), pay(False, to_sender, dc_u)
    raise AssertionError("no pure equilibrium")


def test_value_of_trust_matches_enumerated_continuation_play():
    rng = np.random.default_rng(3)
    g = random_games(rng, 400)
    pi_r = rng.uniform(0, 1, 400)
    v_t, v_u = value_of_trust(g, pi_r)
    for i in range(400):
        trusted = _most_cooperative_payoffs(g, i, 1.0, float(pi_r[i]))
        distrusted = _most_cooperative_payoffs(g, i, 0.0, float(pi_r[i]))
        assert v_t[i] == pytest.approx(trusted[0] - distrusted[0], abs=1e-12)
        assert v_u[i] == pytest.approx(trusted[1] - distrusted[1], abs=1e-12)
    assert np.mean(v_t > 0) > 0.2


def test_untrustworthy_types_value_trust_at_least_as_much():
    rng = np.random.default_rng(4)
    g = random_games(rng, 20000)
    pi_r = rng.uniform(0, 1, 20000)
    v_t, v_u = value_of_trust(g, pi_r)
    gap = v_u - v_t
    assert np.all(gap >= 0)
    worth_something = pi_r >= minimum_trust(g)
    assert np.all(gap[worth_something] > 0)
    assert np.all(gap[~worth_something] == 0)


def test_no_flat_cost_separates():
    rng = np.random.default_rng(5)
    n = 20000
    g = random_games(rng, n)
    pi_r = rng.uniform(0, 1, n)
    v_t, v_u = value_of_trust(g, pi_r)
    assert np.mean(v_t == 0) > 0.1 and np.mean(v_t > 0) > 0.3
    # half the costs a trustworthy sender would pay (where trust is worth anything), half any
    willing = (v_t > 0) & (rng.uniform(0, 1, n) < 0.5)
    k = np.where(willing, v_t * rng.uniform(0.01, 1.0, n), rng.uniform(0.001, 5.0, n))
    assert willing.mean() > 0.1
    # and the edge cases: free signals, and costs exactly at either type's value of trust
    for cost in (k, 0.0, v_t, v_u, np.maximum(v_t, 0.0)):
        assert not np.any(separating(g, pi_r, cost, cost))
        assert np.all(signalling_equilibrium(g, pi_r, cost, cost) == POOLING)


def test_separation_needs_trust_to_be_worth_something():
    g = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=2, dc_untrustworthy=4)  # q* = 0.5
    v_t, v_u = value_of_trust(g, [0.3, 0.8])
    np.testing.assert_allclose(v_t, [0.0, 1.4])
    np.testing.assert_allclose(v_u, [0.0, 2.4])
    # a free signal: below q* trust is worthless to both types, so nothing separates
    np.testing.assert_array_equal(separating(g, [0.3, 0.8], 0.0, 0.0), [False, False])
    assert signalling_equilibrium(g, 0.3, 0.0, 0.0) == POOLING
    # nor do type-dependent costs that would satisfy both incentive constraints there
    assert signalling_equilibrium(g, 0.3, 0.0, 5.0) == POOLING
    assert signalling_equilibrium(g, 0.3, -1.0, 5.0) == POOLING
    assert signalling_equilibrium(g, 0.8, 0.0, 5.0) == SEPARATING

    # V_T < 0 (DC_T < DD, trust just above q*): being trusted is a loss, nothing separates
    h = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=0.5, dc_untrustworthy=4)  # q* = 1 / 3.5
    v_t, _ = value_of_trust(h, 0.3)  # 0.9 - 1
    assert float(v_t) == pytest.approx(-0.1)
    assert not separating(h, 0.3, -1.0, 10.0)

    rng = np.random.default_rng(10)
    n = 20000
    g = random_games(rng, n)
    pi_r = rng.uniform(0, 1, n)
    v_t, v_u = value_of_trust(g, pi_r)
    worthless = v_t <= 0
    assert 0.1 < worthless.mean() < 0.9
    k_t = np.minimum(v_t, 0.0) - rng.uniform(0, 1, n)  # even paid to signal
    assert not np.any(separating(g, pi_r, k_t, v_u + 1.0)[worthless])
    assert np.all(separating(g, pi_r, k_t, v_u + 1.0)[~worthless])


def test_type_dependent_costs_separate():
    rng = np.random.default_rng(6)
    n = 20000
    g = random_games(rng, n)
    pi_r = rng.uniform(0, 1, n)
    v_t, v_u = value_of_trust(g, pi_r)
    # trust worthless (below q*) or a loss (V_T < 0: DC_T < DD, trust only just above q*)
    # leaves nothing to pay for
    payable = v_t > 0
    assert 0.3 < payable.mean() < 0.9
    k_t = v_t * rng.uniform(0, 1, n)
    k_u = v_u + rng.uniform(0, 2, n)
    assert np.all(separating(g, pi_r, k_t, k_u)[payable])
    assert np.all(signalling_equilibrium(g, pi_r, k_t, k_u)[payable] == SEPARATING)
    assert not np.any(separating(g, pi_r, np.maximum(k_t, 0.0), k_u)[~payable])
    # and it fails as soon as either type's incentive is broken
    some = v_u > 0
    assert some.mean() > 0.2
    assert not np.any(separating(g, pi_r, k_t, v_u * 0.99)[some])
    assert not np.any(separating(g, pi_r, v_t + 1e-6, k_u))


def test_signalling_equilibrium_returns_a_string_for_scalars():
    g = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=2, dc_untrustworthy=4)
    v_t, v_u = value_of_trust(g, 0.8)  # 0.8*3 - 1 = 1.4 and 0.8*(4 - 1) = 2.4
    assert (float(v_t), float(v_u)) == pytest.approx((1.4, 2.4))
    assert signalling_equilibrium(g, 0.8, 1.0, 2.5) == SEPARATING
    assert signalling_equilibrium(g, 0.8, 1.0, 2.3) == POOLING


def test_update_matches_bayes_rule():
    rng = np.random.default_rng(7)
    n = 2000
    prior = rng.uniform(0, 1, n)
    a = rng.uniform(0.5, 1, n)
    b = rng.uniform(0, 0.5, n)
    cooperated = rng.uniform(0, 1, n) < 0.5
    got = update_trust(prior, cooperated, a, b)
    for i in range(n):
        lik_t = a[i] if cooperated[i] else 1 - a[i]
        lik_u = b[i] if cooperated[i] else 1 - b[i]
        evidence = prior[i] * lik_t + (1 - prior[i]) * lik_u
        assert got[i] == pytest.approx(prior[i] * lik_t / evidence, rel=1e-12)
    assert np.all(got[cooperated] >= prior[cooperated])
    assert np.all(got[~cooperated] <= prior[~cooperated])


def test_update_edge_cases():
    # a defection that only an untrustworthy type makes settles it; one neither makes is NaN
    assert float(update_trust(0.9, False, 1.0, 0.3)) == 0.0
    assert np.isnan(update_trust(0.5, False, 1.0, 1.0))
    # certainty is not moved by informative evidence
    assert float(update_trust(1.0, False, 0.9, 0.1)) == 1.0
    np.testing.assert_array_equal(trust_path([0.0, 1.0], [[False], [False]], 0.9, 0.1)[:, -1],
                                  [0.0, 1.0])  # fmt: skip
    assert float(trust_path(0.9, [False], 1.0, 0.3)[-1]) == 0.0
    assert np.isnan(trust_path(0.5, [False], 1.0, 1.0)[-1])


def test_path_starts_exactly_at_the_prior():
    assert trust_path(0.1, [True, False])[0] == 0.1
    rng = np.random.default_rng(11)
    prior = rng.uniform(0, 1, (50, 40))
    path = trust_path(prior, rng.uniform(0, 1, (50, 40, 3)) < 0.5, 0.9, 0.2)
    assert path.shape == (50, 40, 4)
    np.testing.assert_array_equal(path[..., 0], prior)
    # a prior broadcast against more histories than it has entries
    path = trust_path(0.3, np.zeros((5, 2), dtype=bool))
    np.testing.assert_array_equal(path[:, 0], 0.3)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("prior", (1.2, 0.9, 0.1)),
        ("prior", ([0.5, -0.1], 0.9, 0.1)),
        ("p_trustworthy", (0.5, 1.5, 0.1)),
        ("p_untrustworthy", (0.5, 0.9, -0.01)),
    ],
)
def test_probabilities_outside_the_unit_interval_are_rejected(name, args):
    prior, a, b = args
    with pytest.raises(ValueError, match=f"{name} must be a probability in \\[0, 1\\]"):
        update_trust(prior, True, a, b)
    with pytest.raises(ValueError, match=f"{name} must be a probability in \\[0, 1\\]"):
        trust_path(prior, [True], a, b)


def test_path_is_repeated_updating_with_time_varying_play():
    rng = np.random.default_rng(8)
    n, t = 300, 12
    prior = rng.uniform(0.01, 0.99, n)
    moves = rng.uniform(0, 1, (n, t)) < 0.6
    a = rng.uniform(0.5, 0.99, (n, t))
    b = rng.uniform(0.01, 0.5, (n, t))
    path = trust_path(prior, moves, a, b)
    assert path.shape == (n, t + 1)
    np.testing.assert_array_equal(path[:, 0], prior)
    belief = prior
    for s in range(t):
        belief = update_trust(belief, moves[:, s], a[:, s], b[:, s])
        np.testing.assert_allclose(path[:, s + 1], belief, rtol=1e-10)


def test_a_few_defections_start_the_spiral():
    g = TrustGame(cc=3, cd=0, dd=1, dc_trustworthy=2, dc_untrustworthy=4)  # q* = 0.5
    eps = 0.1
    path = trust_path(0.9, [False, False, False], 1 - eps, eps)
    # odds 9 -> 1 -> 1/9: each defection divides them by (1 - eps) / eps = 9
    np.testing.assert_allclose(path, [0.9, 0.5, 0.1, 1 / 82], rtol=1e-12)
    np.testing.assert_array_equal(cooperation_sustained(g, path), [True, True, False, False])

    # from any prior above q*, a run of defections ends below it; moves that both types make
    # alike (both defect once trust has collapsed) teach nothing, so trust stays down
    rng = np.random.default_rng(9)
    q_star = minimum_trust(random_games(rng, 1000))
    prior = q_star + (1 - q_star) * rng.uniform(0.01, 0.99, 1000)
    p_t = np.array([1 - eps] * 4 + [eps] * 4)
    p_u = np.full(8, eps)
    path = trust_path(prior, np.zeros((1000, 8), dtype=bool), p_t, p_u)
    assert np.all(path[:, 0] >= q_star)
    assert np.all(np.diff(path[:, :5], axis=-1) < 0)
    assert np.all(path[:, 4] < q_star)
    np.testing.assert_allclose(path[:, 5:], path[:, 4:5].repeat(4, axis=-1), rtol=1e-12)
