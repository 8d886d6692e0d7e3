"""Aimed acts' utilities, act by act: each act's per-actor part plus its catalogue coefficients
times per-pair parts (``decision.utility`` builds the parts; docs/model.md states the terms).

Two forms fill the same single-precision arrays with identical bits. The NumPy form adds one
term at a time over all replicates and pairs, rounding the running sum to single precision
after each term (it is stored in the output); the compiled form (``[fast]``, Numba) makes one
pass over (replicate, actor, act, target), adding the same terms in the same order with the
same roundings. Only +, -, *, /, abs and max occur, which IEEE arithmetic rounds the same way
everywhere, so ``tests/test_fast.py`` can require equality to the bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from secdilemma.fast import compiled, numba_enabled


class ActTerms(NamedTuple):
    """(Ka,) what each aimed act brings, from the catalogue."""

    conciliation: np.ndarray  # vis * (min(hostility, 0) - third-party hostility)
    provocation: np.ndarray  # vis * max(hostility, 0)
    doubt: np.ndarray  # vis * |hostility - third-party hostility|
    target_effect: np.ndarray  # (Ka, 4) offense, defense, deterrent, wealth
    damages: np.ndarray  # bool: some target effect is negative
    alliance: np.ndarray  # the alliance it forms (> 0) or 0
    nuclear: np.ndarray  # bool
    crisis: np.ndarray  # bool: it may provoke a war
    seized: np.ndarray  # gains taken by pressure
    leverage: np.ndarray  # the supplier's lever
    war: np.ndarray  # bool: it starts a war
    force: np.ndarray
    cost: np.ndarray  # cost_weight * cost
    stakes: np.ndarray


class PairTerms(NamedTuple):
    """The per-actor (R, N, Ka), per-state (R, N) and per-pair (R, N, N) parts."""

    per_actor: np.ndarray  # (R, N, Ka) the act's utility before its target is chosen
    gain_own: np.ndarray  # (R, N, Ka) conquest value of its own forces
    foreseen_own: np.ndarray  # (R, N, Ka) what empathy foresees, before the target
    committed: np.ndarray  # (R, N, Ka) forces built and committed
    crisis: np.ndarray  # (R, N, Ka) the chance of a crisis as the actor sees it
    q: np.ndarray  # (R, N, N) the chance that j defeats i
    reads_intent: np.ndarray  # (N,) bool: j reads intent
    offense: np.ndarray  # (R, N)
    defense: np.ndarray  # (R, N)
    forces: np.ndarray  # (R, N) military, at least 1e-12
    cap_reach: np.ndarray  # (R, N)
    cap_reach_doubt: np.ndarray  # (R, N)
    backlash_empathy: np.ndarray  # (R, N) backlash_weight * empathy
    backlash_prudence: np.ndarray  # (R, N) backlash_weight * prudence
    intent_read: np.ndarray  # (R, N, N) and the rest: per unit of each coefficient
    hostility_read: np.ndarray
    doubt_read: np.ndarray
    shifted: np.ndarray
    allied: np.ndarray
    harm: np.ndarray
    retaliates: np.ndarray
    crisis_pair: np.ndarray
    trade_lost: np.ndarray
    trade: np.ndarray
    extractable: np.ndarray
    emboldened: np.ndarray
    win_effect: np.ndarray  # (R, N, N) war acts: per unit of force
    war_fixed: np.ndarray
    stake_effect: np.ndarray


def _fill_numpy(base, gain, a: ActTerms, t: PairTerms, nuclear_cost: float) -> None:
    R, N, Ka, _ = base.shape
    offense_j, defense_j, forces_j = (x[:, None, :] for x in (t.offense, t.defense, t.forces))
    cap_reach_i = t.cap_reach[:, :, None]
    for s in range(Ka):
        foreseen_pair = a.conciliation[s] * t.q * t.reads_intent
        if a.alliance[s] > 0:
            foreseen_pair = foreseen_pair + a.alliance[s] * offense_j * cap_reach_i
        if a.war[s]:
            base[:, :, s] = (
                a.force[s] * t.win_effect
                + t.war_fixed
                - a.cost[s]
                - t.backlash_empathy[:, :, None] * (t.foreseen_own[:, :, s, None] + foreseen_pair)
            )
            gain[:, :, s] = a.stakes[s] * t.stake_effect
            continue
        u = base[:, :, s]
        u[...] = t.per_actor[:, :, s, None]
        u += a.conciliation[s] * t.intent_read
        u += a.provocation[s] * t.hostility_read
        u += a.doubt[s] * t.doubt_read
        te = a.target_effect[s]
        if te[0]:
            u += te[0] * t.shifted
        if a.alliance[s] > 0:
            u += a.alliance[s] * t.allied
            unsure = np.abs(t.committed[:, :, s, None] + a.alliance[s] * offense_j)
            u -= t.backlash_prudence[:, :, None] * unsure * t.cap_reach_doubt[:, :, None]
        if a.damages[s]:
            damage = -(te[0] * offense_j + te[1] * defense_j) / forces_j - te[2]
            u += np.maximum(damage, 0.0) * t.harm
        if a.nuclear[s]:
            u -= nuclear_cost * t.retaliates
        if a.crisis[s]:
            u += t.crisis[:, :, s, None] * t.crisis_pair
        g = gain[:, :, s]
        g[...] = t.gain_own[:, :, s, None]
        if a.seized[s]:
            g += a.seized[s] * t.extractable
        if a.leverage[s]:
            u += a.leverage[s] * t.trade_lost
            g += a.leverage[s] * t.trade
        g *= t.emboldened


def _fill_kernel(base, gain, a, t, nuclear_cost):
    R, N, Ka, _ = base.shape
    f32, f64 = np.float32, np.float64
    for r in range(R):
        for i in range(N):
            for s in range(Ka):
                c5 = a.conciliation[s]
                ally = a.alliance[s]
                te0, te1, te2 = a.target_effect[s, 0], a.target_effect[s, 1], a.target_effect[s, 2]
                for j in range(N):
                    fp = c5 * t.q[r, i, j] * f64(t.reads_intent[j])
                    if ally > 0:
                        fp = fp + ally * t.offense[r, j] * t.cap_reach[r, i]
                    if a.war[s]:
                        v = (
                            a.force[s] * t.win_effect[r, i, j]
                            + t.war_fixed[r, i, j]
                            - a.cost[s]
                            - t.backlash_empathy[r, i] * (t.foreseen_own[r, i, s] + fp)
                        )
                        base[r, i, s, j] = f32(v)
                        gain[r, i, s, j] = f32(a.stakes[s] * t.stake_effect[r, i, j])
                        continue
                    # Each term is added and rounded to single precision, as the NumPy form
                    # stores its running sum.
                    u = f32(t.per_actor[r, i, s])
                    u = f32(f64(u) + c5 * t.intent_read[r, i, j])
                    u = f32(f64(u) + a.provocation[s] * t.hostility_read[r, i, j])
                    u = f32(f64(u) + a.doubt[s] * t.doubt_read[r, i, j])
                    if te0 != 0.0:
                        u = f32(f64(u) + te0 * t.shifted[r, i, j])
                    if ally > 0:
                        u = f32(f64(u) + ally * t.allied[r, i, j])
                        unsure = abs(t.committed[r, i, s] + ally * t.offense[r, j])
                        lost = t.backlash_prudence[r, i] * unsure * t.cap_reach_doubt[r, i]
                        u = f32(f64(u) - lost)
                    if a.damages[s]:
                        damage = -(te0 * t.offense[r, j] + te1 * t.defense[r, j]) / t.forces[r, j]
                        damage = damage - te2
                        u = f32(f64(u) + max(damage, 0.0) * t.harm[r, i, j])
                    if a.nuclear[s]:
                        u = f32(f64(u) - nuclear_cost * t.retaliates[r, i, j])
                    if a.crisis[s]:
                        u = f32(f64(u) + t.crisis[r, i, s] * t.crisis_pair[r, i, j])
                    g = f32(t.gain_own[r, i, s])
                    if a.seized[s] != 0.0:
                        g = f32(f64(g) + a.seized[s] * t.extractable[r, i, j])
                    if a.leverage[s] != 0.0:
                        u = f32(f64(u) + a.leverage[s] * t.trade_lost[r, i, j])
                        g = f32(f64(g) + a.leverage[s] * t.trade[r, i, j])
                    base[r, i, s, j] = u
                    gain[r, i, s, j] = f32(f64(g) * t.emboldened[r, i, j])


_fill_compiled = compiled(_fill_kernel)


def fill_aimed(
    base: np.ndarray, gain: np.ndarray, acts: ActTerms, parts: PairTerms, nuclear_cost: float
) -> None:
    """Write the aimed acts' base and gain utilities into ``base`` and ``gain``, (R, N, Ka, N)
    single-precision views of the option arrays."""
    if numba_enabled() and base.dtype == np.float32:  # the kernel rounds as single precision
        _fill_compiled(base, gain, acts, parts, nuclear_cost)
    else:
        _fill_numpy(base, gain, acts, parts, nuclear_cost)
