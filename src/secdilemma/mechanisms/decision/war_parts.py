"""A war act's expected utility of victory and defeat (docs/model.md, 5.2), which replaces the
marginal terms of the other acts: ``force * win_effect + fixed`` (base, less the act's cost and
what empathy foresees), ``stakes * stake_risk`` (base: the own wealth a defeat gives up) and
``stakes * stake_effect`` (gain), each (R, N, N).

Two forms give identical bits. The hubristic odds (exponentials) and the foreseen decline are
NumPy's in both; the rest, elementwise, is whole-array NumPy in one form and one compiled pass
(``[fast]``, Numba) with the same operations in the same order in the other.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from secdilemma.mechanisms.conflict import Balance, hubristic
from secdilemma.mechanisms.power_shift import foreseen_decline
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.fast import compiled, numba_enabled
from secdilemma.numerics.rng import Stream, Streams


class WarWeights(NamedTuple):
    security: float
    cost: float
    loser_loss: float
    preventive: float
    supplier_share: float
    welfare: float
    defeat: float
    war_cost: float
    nuclear_cost: float


def war_parts(
    w: WorldState,
    b: Balance,
    V: np.ndarray,
    pi: np.ndarray,
    p: Parameters,
    doubt: np.ndarray,
    ratio: np.ndarray,
    prize: np.ndarray,
    retaliates: np.ndarray,
    emboldened: np.ndarray,
    cost_factor: np.ndarray,
    decline: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``win_effect``, ``fixed``, ``stake_effect`` and ``stake_risk`` (R, N, N). ``V`` (R, N)
    and ``pi`` (R, N, N) are the vulnerability and the danger from each state; ``doubt``, ``ratio``,
    ``retaliates`` and ``emboldened`` the pair parts of the same names, ``prize`` the value of
    conquest per unit of stakes (``pair_parts.conquest_prize``), ``cost_factor`` (R, N) each
    state's private cost of war (:func:`private_cost`). ``decline`` is the foreseen fall in
    each state's odds (default: ``power_shift.foreseen_decline`` of ``b``; a state joining a
    war gives its own, since the coalition's odds ``b`` holds will not last)."""
    win_hat = hubristic(b.win, w.hubris, p.hubris_scale)
    # A foreseen decline in i's odds against j is a window closing (Fearon 1995): what fighting
    # now saves, weighed by the fear of j (a security seeker) or the stakes (greed).
    if decline is None:
        decline = foreseen_decline(w, b, p)
    later = (
        hubristic(np.maximum(b.win - decline, 0.0), w.hubris, p.hubris_scale)
        if decline.any()
        else win_hat
    )
    k = WarWeights(
        security=p.security_weight,
        cost=p.cost_weight,
        loser_loss=p.loser_loss,
        preventive=p.preventive_weight,
        supplier_share=p.supplier_share,
        welfare=p.welfare_weight,
        defeat=p.defeat_weight,
        war_cost=p.war_cost,
        nuclear_cost=p.nuclear_cost,
    )
    args = (win_hat, later, V, pi, w.dependence, w.threat, w.prudence, cost_factor)
    pair = (doubt, ratio, prize, retaliates, emboldened)
    # compiled: 1.9x at 2 states, 1.7x at 20 (python -m benchmarks --only kernels)
    if not numba_enabled():
        return _war_numpy(*args, *pair, k)
    win_effect, fixed, stake_effect, stake_risk = np.empty((4, *win_hat.shape))
    _war_compiled(*args, *pair, k, win_effect, fixed, stake_effect, stake_risk)
    return win_effect, fixed, stake_effect, stake_risk


def private_cost(streams: Streams, n_states: int, dispersion: float) -> np.ndarray:
    """(R, N) each state's private cost of war, a factor on what defeat and the fighting cost it
    in its war utility: ``exp(dispersion * Z)`` (median 1: a typical state has the cost the
    constants give), one standard normal ``Z`` per state and replicate, the same every step.
    States differ in what a war costs them (domestic politics, leaders, what they would lose) in
    ways others cannot see: Fearon's (1995) private information about the costs of fighting. It
    turns a sharp threshold of one state's choice into a graded rate across replicates."""
    if dispersion == 0.0:
        return np.ones((streams.size, n_states))
    z = streams.normal(Stream.PRIVATE_COST, 0, (n_states,))
    return np.exp(dispersion * z)


def intensity(win: np.ndarray) -> np.ndarray:
    """How hard a war is fought, ``4 win (1 - win)``: 1 between equals, falling to 0 as one side
    is sure to win. A lopsided war is short and cheap for both sides (Bennett and Stam 1996: war
    duration falls with the preponderance of one side), so its wealth costs scale with it."""
    return 4.0 * win * (1.0 - win)


def _war_numpy(win_hat, later, V, pi, dependence, threat, prudence, cost_factor, doubt, ratio,
               prize, retaliates, emboldened, k):  # fmt: skip
    sw, cw = k.security, k.cost
    without = 1.0 - (1.0 - V[:, :, None]) / (1.0 - pi)  # V_i with j's danger gone
    # Victory destroys a share loser_loss * force of the loser's forces, and as much of the
    # danger it posed.
    relief = k.loser_loss * (V[:, :, None] - without)
    preventive = k.preventive * np.maximum(win_hat - later, 0.0)
    # War with a partner one depends on (or that depends on one) cuts the trade as well.
    interdependence = dependence + k.supplier_share * dependence.transpose(0, 2, 1) * ratio
    # Prudence weighs the range of outcomes it is unsure of: the war's own odds, widened by not
    # knowing whether the opponent is greedy (resolved) or not.
    spread = 2.0 * np.sqrt(win_hat * (1.0 - win_hat)) * doubt
    prudence = prudence[:, :, None]
    # What defeat and the fighting cost this state: its private cost of war (Fearon 1995).
    costs = sw * (1.0 - win_hat) * k.defeat + cw * k.war_cost * intensity(win_hat)
    win_effect = (
        sw * win_hat * relief
        - cost_factor[:, :, None] * costs
        - prudence * spread * sw * (relief + k.defeat)
    )
    fixed = -win_hat * retaliates * k.nuclear_cost - cw * interdependence + sw * threat * preventive
    stake_effect = prize * (win_hat - prudence * spread + preventive) * emboldened
    # The stakes work both ways: a defeated attacker gives up that share of its own wealth.
    stake_risk = -k.welfare * (1.0 - win_hat)
    return win_effect, fixed, stake_effect, stake_risk


def _war_kernel(win_hat, later, V, pi, dependence, threat, prudence, cost_factor, doubt, ratio,
                prize, retaliates, emboldened, k, win_effect, fixed, stake_effect,
                stake_risk):  # fmt: skip
    # The NumPy form's operations for each (replicate, i, j), in its order.
    R, N = V.shape
    sw, cw = k.security, k.cost
    war_cost = cw * k.war_cost
    for r in range(R):
        for i in range(N):
            v, prud, factor = V[r, i], prudence[r, i], cost_factor[r, i]
            for j in range(N):
                hat = win_hat[r, i, j]
                relief = k.loser_loss * (v - (1.0 - (1.0 - v) / (1.0 - pi[r, i, j])))
                preventive = k.preventive * max(hat - later[r, i, j], 0.0)
                interdependence = (
                    dependence[r, i, j] + k.supplier_share * dependence[r, j, i] * ratio[r, i, j]
                )
                spread = 2.0 * np.sqrt(hat * (1.0 - hat)) * doubt[r, i, j]
                costs = sw * (1.0 - hat) * k.defeat + war_cost * (4.0 * hat * (1.0 - hat))
                win_effect[r, i, j] = (
                    sw * hat * relief - factor * costs - prud * spread * sw * (relief + k.defeat)
                )
                fixed[r, i, j] = (
                    -hat * retaliates[r, i, j] * k.nuclear_cost
                    - cw * interdependence
                    + sw * threat[r, i, j] * preventive
                )
                stake_effect[r, i, j] = (
                    prize[r, i, j] * (hat - prud * spread + preventive) * emboldened[r, i, j]
                )
                stake_risk[r, i, j] = -k.welfare * (1.0 - hat)


_war_compiled = compiled(_war_kernel)
