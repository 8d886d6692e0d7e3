"""Fearon (1995): the bargaining range under complete information, and preventive war."""

from __future__ import annotations

import numpy as np
import pytest

from secdilemma.formal.fearon import (
    RELATIVE_TOLERANCE,
    accepts_a,
    accepts_b,
    bargaining_range,
    deal_exists,
    declining_peace_value,
    declining_war_value,
    preventive_war,
)

N = 5000


def draws(rng: np.random.Generator, n: int = N) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return rng.uniform(0, 1, n), rng.uniform(0.001, 0.5, n), rng.uniform(0.001, 0.5, n)


@pytest.mark.parametrize("risk_neutral", [True, False])
def test_deals_inside_the_range_are_accepted_and_outside_rejected(risk_neutral: bool):
    rng = np.random.default_rng(11)
    p, c_a, c_b = draws(rng)
    r = np.ones(N) if risk_neutral else rng.uniform(0.2, 1.0, N)
    low, high = bargaining_range(p, c_a, c_b, r)
    assert np.all((0 <= low) & (low < high) & (high <= 1))

    inside = low + (high - low) * rng.uniform(0.001, 0.999, N)
    assert np.all(accepts_a(inside, p, c_a, r) & accepts_b(inside, p, c_b, r))

    below = low * rng.uniform(0, 0.999, N)  # only where low > 0 is there anything below
    rejected = ~accepts_a(below, p, c_a, r)
    np.testing.assert_array_equal(rejected, low > 0)
    assert np.all(accepts_b(below, p, c_b, r))
    assert np.mean(low > 0) > 0.5

    above = high + (1 - high) * rng.uniform(0.001, 1, N)
    rejected = ~accepts_b(above, p, c_b, r)
    np.testing.assert_array_equal(rejected, high < 1)
    assert np.all(accepts_a(above, p, c_a, r))
    assert np.mean(high < 1) > 0.5


def test_risk_neutral_range_is_p_minus_c_a_to_p_plus_c_b():
    rng = np.random.default_rng(12)
    p, c_a, c_b = draws(rng)
    low, high = bargaining_range(p, c_a, c_b)
    np.testing.assert_array_equal(low, np.clip(p - c_a, 0, 1))
    np.testing.assert_array_equal(high, np.clip(p + c_b, 0, 1))
    assert bargaining_range(0.5, 0.1, 0.2) == pytest.approx((0.4, 0.7), abs=1e-15)


def test_risk_aversion_widens_the_range():
    rng = np.random.default_rng(13)
    p, c_a, c_b = draws(rng)
    r_low = rng.uniform(0.1, 1.0, N)
    r_high = r_low + rng.uniform(0.01, 1.0, N)  # less risk-averse (r > 1 is risk-acceptant)
    low_averse, high_averse = bargaining_range(p, c_a, c_b, r_low)
    low_bold, high_bold = bargaining_range(p, c_a, c_b, r_high)
    assert np.all(low_averse <= low_bold) and np.all(high_averse >= high_bold)
    # strictly, wherever a side's war value is a lottery strictly between its worst and best
    interior_a = p - c_a > 0
    interior_b = 1 - p - c_b > 0
    assert np.all(low_averse[interior_a] < low_bold[interior_a])
    assert np.all(high_averse[interior_b] > high_bold[interior_b])
    neutral = bargaining_range(p, c_a, c_b, 1.0)
    averse = bargaining_range(p, c_a, c_b, 0.5)
    assert np.all(averse[1] - averse[0] > neutral[1] - neutral[0])


def test_strong_risk_acceptance_can_empty_the_range():
    low, high = bargaining_range(0.5, 0.05, 0.05, risk_attitude=10.0)
    assert low > high  # 0.45**0.1 = 0.923 and 1 - 0.45**0.1 = 0.077
    x = np.linspace(0, 1, 1001)
    assert not np.any(accepts_a(x, 0.5, 0.05, 10.0) & accepts_b(x, 0.5, 0.05, 10.0))


def test_bargaining_inputs_are_checked():
    with pytest.raises(ValueError, match="p must"):
        bargaining_range(1.2, 0.1, 0.1)
    with pytest.raises(ValueError, match="c_b must"):
        bargaining_range(0.5, 0.1, 0.0)
    with pytest.raises(ValueError, match="risk_attitude must"):
        bargaining_range(0.5, 0.1, 0.1, risk_attitude=-1)
    with pytest.raises(ValueError, match="delta must"):
        preventive_war(0.3, 0.6, 1.0, 0.1)


def test_values_hand_computed():
    # war: 0.7 / 0.1 - 0.5; peace: 1 + 0.9 * (0.1 / 0.1 - 0.5)
    assert float(declining_war_value(0.3, 0.9, 0.5)) == pytest.approx(6.5, abs=1e-12)
    assert float(declining_peace_value(0.9, 0.9, 0.5)) == pytest.approx(1.45, abs=1e-12)
    # when fighting later is worthless to B, A need offer it nothing then
    assert float(declining_peace_value(0.99, 0.5, 1.0)) == 1.0


def test_deal_exists_iff_some_share_is_accepted_by_both():
    rng = np.random.default_rng(18)
    n = 2000
    p, c_a, c_b = draws(rng, n)
    assert np.all(deal_exists(p, c_a, c_b, rng.uniform(0.1, 1.0, n)))
    r = rng.uniform(1.0, 10.0, n)
    exists = deal_exists(p, c_a, c_b, r)
    assert exists.dtype == bool and exists.shape == (n,)
    assert 0.1 < exists.mean() < 0.9
    low, high = bargaining_range(p, c_a, c_b, r)
    mid = np.clip((low + high) / 2, 0, 1)
    assert np.all((accepts_a(mid, p, c_a, r) & accepts_b(mid, p, c_b, r))[exists])
    # with no deal, A rejects everything below low and B everything above high < low
    x = np.linspace(0, 1, 2001)[:, None]
    both = accepts_a(x, p, c_a, r) & accepts_b(x, p, c_b, r)
    assert not np.any(both[:, ~exists])
    wide = high - low > 1e-3
    assert np.all(both[:, wide].any(axis=0))
    assert not bool(deal_exists(0.5, 0.05, 0.05, 10.0))
    assert bool(deal_exists(0.5, 0.05, 0.05, 1.05))


def _boundary(rng: np.random.Generator, future_pays: bool, n: int = 50_000):
    """``n`` parameter sets with B exactly indifferent between war now and the best peace: p
    solved from the closed-form condition, on the branch where B's future war value is
    non-negative (``future_pays``, A must pay B then) or negative."""
    out: list[np.ndarray] = []
    found = 0
    while found < n:
        m = 4 * n
        delta = rng.uniform(0.05, 0.99, m)
        p_next = rng.uniform(0, 1, m)
        c_b = rng.uniform(0.001, 2.0, m)
        if future_pays:
            p = delta * p_next - c_b * (1 - delta) ** 2
            keep = 1 - p_next > c_b * (1 - delta) * (1 + 1e-6)
        else:
            p = delta - c_b * (1 - delta)
            keep = 1 - p_next < c_b * (1 - delta) * (1 - 1e-6)
        keep &= (p > 0.01) & (p < 0.99)
        out.append(np.stack([p[keep], p_next[keep], delta[keep], c_b[keep]]))
        found += int(keep.sum())
    return tuple(np.concatenate(out, axis=1)[:, :n])


@pytest.mark.parametrize("future_pays", [True, False])
def test_preventive_war_is_exact_at_its_boundary(future_pays: bool):
    rng = np.random.default_rng(14 + future_pays)
    p, p_next, delta, c_b = _boundary(rng, future_pays)
    assert p.size == 50_000 and np.all(p_next > p)
    war = declining_war_value(p, delta, c_b)
    peace = declining_peace_value(p_next, delta, c_b)
    np.testing.assert_allclose(war, peace, rtol=1e-12, atol=0)
    # on the boundary, whatever the rounding, B is indifferent, and indifference is peace
    assert not np.any(preventive_war(p, p_next, delta, c_b))

    # B's power now a little higher (p lower: a bigger decline to come): war, and the reverse
    past, inside = p * (1 - 1e-6), p * (1 + 1e-6)
    assert np.all(declining_war_value(past, delta, c_b) > peace)
    assert np.all(preventive_war(past, p_next, delta, c_b))
    assert np.all(declining_war_value(inside, delta, c_b) < peace)
    assert not np.any(preventive_war(inside, p_next, delta, c_b))


def test_preventive_war_agrees_with_the_values_and_the_closed_form():
    rng = np.random.default_rng(16)
    n = 100_000
    p, p_next = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    delta, c_b = rng.uniform(0.05, 0.99, n), rng.uniform(0.001, 2.0, n)
    war_value = declining_war_value(p, delta, c_b)
    peace_value = declining_peace_value(p_next, delta, c_b)
    margin = war_value - peace_value
    scale = np.maximum(1, np.maximum(np.abs(war_value), np.abs(peace_value)))
    clear = np.abs(margin) > 1e-6 * scale
    assert clear.mean() > 0.99
    war = preventive_war(p, p_next, delta, c_b)
    assert war.dtype == bool and war.shape == (n,)
    np.testing.assert_array_equal(war[clear], margin[clear] > 0)
    # everywhere, war is the value comparison with the documented tolerance
    np.testing.assert_array_equal(war, margin > RELATIVE_TOLERANCE * scale)
    assert 0.05 < war.mean() < 0.95
    # and the closed form in the docstring, away from ties
    future_pays = 1 - p_next >= c_b * (1 - delta)
    closed = np.where(
        future_pays, delta * p_next - p > c_b * (1 - delta) ** 2, delta - p > c_b * (1 - delta)
    )
    np.testing.assert_array_equal(closed[clear], war[clear])
    assert 0.1 < future_pays[war].mean() < 0.9  # both branches lead to war


def test_a_rising_or_steady_b_never_fights():
    """With ``p' <= p``, ``war - peace <= -p - c_B (1 - delta) < 0``."""
    rng = np.random.default_rng(19)
    n = 100_000
    p = rng.uniform(0, 1, n)
    p_next = np.where(rng.uniform(0, 1, n) < 0.2, p, p * rng.uniform(0, 1, n))
    delta = rng.uniform(0.01, 0.999, n)
    c_b = np.exp(rng.uniform(np.log(1e-9), np.log(5.0), n))
    assert not np.any(preventive_war(p, p_next, delta, c_b))
    margin = declining_war_value(p, delta, c_b) - declining_peace_value(p_next, delta, c_b)
    bound = -p - c_b * (1 - delta)
    scale = np.maximum(1, np.abs(declining_war_value(p, delta, c_b)))
    assert np.all(margin <= bound + 1e-12 * scale)
    assert np.all(margin < 0)
    # the bound is tight where B's future war value is non-negative and p' = p
    same = (p_next == p) & (1 - p >= c_b * (1 - delta))
    assert same.sum() > 1000
    np.testing.assert_allclose(margin[same], bound[same], rtol=1e-9, atol=1e-9)


def test_no_shift_no_war_and_bigger_shifts_are_worse():
    rng = np.random.default_rng(17)
    p, _, c_b = draws(rng)
    delta = rng.uniform(0.05, 0.99, N)
    assert not np.any(preventive_war(p, p, delta, c_b))
    shifts = np.linspace(0, 1, 51)[:, None]
    war = preventive_war(p, np.clip(p + shifts * (1 - p), 0, 1), delta, c_b)
    # once a shift is big enough for war, every bigger one is too
    assert np.all(np.diff(war.astype(int), axis=0) >= 0)
    assert war[-1].mean() > 0.3
