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
    range and risk acceptance narrows it; ``low > high`` (no deal) needs ``r > 1``.

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


def preventive_war(p: ArrayLike, p_next: ArrayLike, delta: ArrayLike, c_b: ArrayLike) -> np.ndarray:
    """Whether the declining state B strictly prefers war now to the best peace A can offer,
    i.e. ``declining_war_value > declining_peace_value`` (indifference counts as peace).

    Multiplying both values by ``1 - delta > 0``, this is, when B's future war value is
    non-negative (``1 - p' >= c_B (1 - delta)``, A must then pay B to keep the peace),

        delta * p' - p > c_B * (1 - delta)**2

    and otherwise ``delta - p > c_B * (1 - delta)``. Computed in this form to avoid
    dividing by ``1 - delta``.

    >>> bool(preventive_war(0.3, 0.9, 0.9, 0.5))
    True
    >>> bool(preventive_war(0.3, 0.33, 0.9, 0.5))
    False
    """
    p = _probability("p", p)
    p_next = _probability("p_next", p_next)
    delta = _discount(delta)
    c_b = _positive("c_b", c_b)
    future_pays = 1.0 - p_next >= c_b * (1.0 - delta)
    return np.where(
        future_pays,
        delta * p_next - p > c_b * (1.0 - delta) ** 2,
        delta - p > c_b * (1.0 - delta),
    )


def _discount(delta: ArrayLike) -> np.ndarray:
    delta = np.asarray(delta, dtype=float)
    if np.any((delta <= 0) | (delta >= 1)):
        raise ValueError("delta must lie in (0, 1)")
    return delta
