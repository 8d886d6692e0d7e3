"""Fearon (1995), "Rationalist Explanations for War": the bargaining range and preventive war.

Two states, A and B, divide a good of size 1; ``x`` is A's share and ``1 - x`` B's. A would win
a war with probability ``p``; war costs A ``c_A > 0`` and B ``c_B > 0``. Each state's utility
for a share is ``u(s) = s**r`` (``u(0) = 0``, ``u(1) = 1``), so costs are in utility and, at
``r = 1``, in units of the good. War gives A ``p - c_A`` and B ``1 - p - c_B``, so A accepts
``x`` iff ``x**r >= p - c_A`` and B iff ``(1 - x)**r >= 1 - p - c_B``: under complete
information a range of deals both prefer to war always exists when ``r <= 1``.

The commitment problem: power shifts from ``p`` now to ``p'`` from the next period on. A, the
rising state, cannot promise the declining B more than B could win by fighting later, so B may
fight now (preventive war) though war is costly: see :func:`preventive_war`.

Source: Fearon, J. D. (1995), "Rationalist Explanations for War", International Organization
49(3): 379-414.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _probability(name: str, value: ArrayLike) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    if np.any((value < 0) | (value > 1)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return value


def _positive(name: str, value: ArrayLike) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    if np.any(value <= 0):
        raise ValueError(f"{name} must be positive")
    return value


def accepts_a(
    x: ArrayLike, p: ArrayLike, c_a: ArrayLike, risk_attitude: ArrayLike = 1.0
) -> np.ndarray:
    """Whether A weakly prefers the deal ``x`` (its share) to war: ``x**r >= p - c_A``."""
    x = _probability("x", x)
    r = _positive("risk_attitude", risk_attitude)
    return x**r >= _probability("p", p) - _positive("c_a", c_a)


def accepts_b(
    x: ArrayLike, p: ArrayLike, c_b: ArrayLike, risk_attitude: ArrayLike = 1.0
) -> np.ndarray:
    """Whether B weakly prefers the deal ``x`` (A's share) to war: ``(1 - x)**r >= 1 - p - c_B``."""
    x = _probability("x", x)
    r = _positive("risk_attitude", risk_attitude)
    return (1.0 - x) ** r >= 1.0 - _probability("p", p) - _positive("c_b", c_b)


def bargaining_range(
    p: ArrayLike, c_a: ArrayLike, c_b: ArrayLike, risk_attitude: ArrayLike = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)``: the shares for A that both prefer to war lie in ``[low, high]``.

    ``low = (p - c_A)**(1/r)`` (0 if ``p <= c_A``) and ``high = 1 - (1 - p - c_B)**(1/r)``
    (1 if ``1 - p <= c_B``); ``r = 1`` gives ``(p - c_A, p + c_B)`` clipped to [0, 1]. Since
    ``s**(1/r)`` falls as ``r`` falls for ``s`` in (0, 1), risk aversion (``r < 1``) widens the
    range and risk acceptance narrows it. With ``r <= 1`` the range is never empty; with
    ``r > 1`` it may be (``low > high``: every deal one side accepts the other rejects, so war
    follows even under complete information): test with :func:`deal_exists`.

    >>> low, high = bargaining_range(0.5, 0.1, 0.1)
    >>> round(float(low), 3), round(float(high), 3)
    (0.4, 0.6)
    >>> low, high = bargaining_range(0.5, 0.1, 0.1, risk_attitude=0.5)
    >>> round(float(low), 3), round(float(high), 3)
    (0.16, 0.84)
    """
    p = _probability("p", p)
    c_a = _positive("c_a", c_a)
    c_b = _positive("c_b", c_b)
    r = _positive("risk_attitude", risk_attitude)
    war_a = np.maximum(p - c_a, 0.0)
    war_b = np.maximum(1.0 - p - c_b, 0.0)
    low = war_a ** (1.0 / r)
    # at r = 1, p + c_B directly: 1 - (1 - p - c_B) loses low-order bits
    high = np.where(r == 1.0, np.minimum(p + c_b, 1.0), 1.0 - war_b ** (1.0 / r))
    return low, high


def deal_exists(
    p: ArrayLike, c_a: ArrayLike, c_b: ArrayLike, risk_attitude: ArrayLike = 1.0
) -> np.ndarray:
    """Whether some share ``x`` is weakly preferred to war by both sides: ``low <= high`` for
    ``(low, high) = bargaining_range(...)``. Always true when ``r <= 1``; strong risk
    acceptance (``r > 1``) can empty the range.

    >>> bool(deal_exists(0.5, 0.05, 0.05)), bool(deal_exists(0.5, 0.05, 0.05, risk_attitude=1.05))
    (True, True)
    >>> bool(deal_exists(0.5, 0.05, 0.05, risk_attitude=1.5))  # 0.45**(2/3) = 0.587 > 0.413
    False
    """
    low, high = bargaining_range(p, c_a, c_b, risk_attitude)
    return low <= high


def declining_war_value(p: ArrayLike, delta: ArrayLike, c_b: ArrayLike) -> np.ndarray:
    """B's value of fighting now, when A wins with probability ``p``: the winner takes the whole
    good every period from now on, and B pays ``c_B`` once: ``(1 - p) / (1 - delta) - c_B``."""
    p = _probability("p", p)
    delta = _discount(delta)
    return (1.0 - p) / (1.0 - delta) - _positive("c_b", c_b)


def declining_peace_value(p_next: ArrayLike, delta: ArrayLike, c_b: ArrayLike) -> np.ndarray:
    """The most peace can give B now: the whole good today, then, from the next period on,
    what A will offer once the shift to ``p'`` has happened, which is B's war value then (A
    cannot commit to more), or 0 should B's war value be negative:
    ``1 + delta * max((1 - p') / (1 - delta) - c_B, 0)``."""
    return 1.0 + _discount(delta) * np.maximum(declining_war_value(p_next, delta, c_b), 0.0)


RELATIVE_TOLERANCE = 1e-9
"""Margin by which B's war value must beat its peace value, relative to
``max(1, |war|, |peace|)``, for :func:`preventive_war` to call it war: closer than that is a
tie, and a tie is peace."""


def preventive_war(p: ArrayLike, p_next: ArrayLike, delta: ArrayLike, c_b: ArrayLike) -> np.ndarray:
    """Whether the declining state B strictly prefers war now to the best peace A can offer:

        war > peace + 1e-9 * max(1, |war|, |peace|)

    with ``war = declining_war_value(p, delta, c_b)`` and
    ``peace = declining_peace_value(p_next, delta, c_b)``. Indifference counts as peace, and so
    do values within the relative tolerance :data:`RELATIVE_TOLERANCE` (``1e-9``) of each
    other, so that parameters exactly on the boundary, which floating point can only
    approximate, are peace whatever their rounding.

    Multiplying both values by ``1 - delta > 0``, war is preferred, when B's future war value is
    non-negative (``1 - p' >= c_B (1 - delta)``, A must then pay B to keep the peace), iff

        delta * p' - p > c_B * (1 - delta)**2

    and otherwise iff ``delta - p > c_B * (1 - delta)``. In every case
    ``war - peace <= (delta * p' - p - c_B (1 - delta)**2) / (1 - delta)``, since the peace value
    is at least that of the first branch.

    With ``p' <= p`` (no shift, or B *rising*), the function answers whether B would fight now
    anyway, and it never does: the bound above is then at most ``-p - c_B (1 - delta) < 0``
    (and the tolerance only widens the margin for peace).

    >>> bool(preventive_war(0.3, 0.9, 0.9, 0.5))
    True
    >>> bool(preventive_war(0.3, 0.33, 0.9, 0.5))
    False
    """
    p = _probability("p", p)
    p_next = _probability("p_next", p_next)
    delta = _discount(delta)
    c_b = _positive("c_b", c_b)
    war = declining_war_value(p, delta, c_b)
    peace = declining_peace_value(p_next, delta, c_b)
    scale = np.maximum(1.0, np.maximum(np.abs(war), np.abs(peace)))
    return war > peace + RELATIVE_TOLERANCE * scale


def _discount(delta: ArrayLike) -> np.ndarray:
    delta = np.asarray(delta, dtype=float)
    if np.any((delta <= 0) | (delta >= 1)):
        raise ValueError("delta must lie in (0, 1)")
    return delta
