"""Aimed acts' utilities, act by act: each act's per-actor part plus its catalogue coefficients
times per-pair parts (``decision.utility`` builds the parts; docs/model.md states the terms).

Two forms fill the same single-precision arrays with identical bits. The NumPy form adds one
term at a time over all replicates and pairs of an act, in double precision, and stores the
sum rounded to single precision; the compiled form (``[fast]``, Numba) makes one pass over
(replicate, actor, act, target), adding the same terms in the same order and rounding once
when it stores. Only +, -, *, /, abs and max occur, which IEEE arithmetic rounds the same way
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


def _fill_numpy(base, gain, start, a: ActTerms, t: PairTerms, nuclear_cost, needed) -> None:
    R, N = base.shape[:2]
    aimed = (slice(None), slice(None), slice(start, None))
    base, gain, needed = (x[aimed].reshape(R, N, -1, N) for x in (base, gain, needed))
    _fill_all_numpy(base, gain, a, t, nuclear_cost)
    np.copyto(base, 0.0, where=~needed)
    np.copyto(gain, 0.0, where=~needed)


def _fill_all_numpy(base, gain, a: ActTerms, t: PairTerms, nuclear_cost: float) -> None:
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
        u = np.empty((R, N, N))
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
        g = np.empty((R, N, N))
        g[...] = t.gain_own[:, :, s, None]
        if a.seized[s]:
            g += a.seized[s] * t.extractable
        if a.leverage[s]:
            u += a.leverage[s] * t.trade_lost
            g += a.leverage[s] * t.trade
        g *= t.emboldened
        base[:, :, s], gain[:, :, s] = u, g


def _fill_kernel(base, gain, start, a, t, nuclear_cost, needed):
    # A row of targets at a time, in short loops without data-dependent branches that the
    # compiler can vectorise; the sums are the NumPy form's, in its order.
    R, N = base.shape[:2]
    Ka = a.force.shape[0]
    u = np.empty(N)
    g = np.empty(N)
    reads = np.empty(N)
    for j in range(N):
        reads[j] = np.float64(t.reads_intent[j])
    for r in range(R):
        for i in range(N):
            for s in range(Ka):
                c5, ally = a.conciliation[s], a.alliance[s]
                te0, te1, te2 = a.target_effect[s, 0], a.target_effect[s, 1], a.target_effect[s, 2]
                if a.war[s]:
                    seen_by = t.backlash_empathy[r, i]
                    for j in range(N):
                        fp = c5 * t.q[r, i, j] * reads[j]
                        if ally > 0:
                            fp = fp + ally * t.offense[r, j] * t.cap_reach[r, i]
                        u[j] = (
                            a.force[s] * t.win_effect[r, i, j]
                            + t.war_fixed[r, i, j]
                            - a.cost[s]
                            - seen_by * (t.foreseen_own[r, i, s] + fp)
                        )
                        g[j] = a.stakes[s] * t.stake_effect[r, i, j]
                else:
                    own = t.per_actor[r, i, s]
                    provocation, doubt = a.provocation[s], a.doubt[s]
                    for j in range(N):
                        x = own + c5 * t.intent_read[r, i, j]
                        x = x + provocation * t.hostility_read[r, i, j]
                        u[j] = x + doubt * t.doubt_read[r, i, j]
                    if te0 != 0.0:
                        for j in range(N):
                            u[j] = u[j] + te0 * t.shifted[r, i, j]
                    if ally > 0:
                        lost = t.backlash_prudence[r, i]
                        for j in range(N):
                            u[j] = u[j] + ally * t.allied[r, i, j]
                            unsure = abs(t.committed[r, i, s] + ally * t.offense[r, j])
                            u[j] = u[j] - lost * unsure * t.cap_reach_doubt[r, i]
                    if a.damages[s]:
                        for j in range(N):
                            lost_forces = te0 * t.offense[r, j] + te1 * t.defense[r, j]
                            damage = -lost_forces / t.forces[r, j] - te2
                            u[j] = u[j] + max(damage, 0.0) * t.harm[r, i, j]
                    if a.nuclear[s]:
                        for j in range(N):
                            u[j] = u[j] - nuclear_cost * t.retaliates[r, i, j]
                    if a.crisis[s]:
                        chance = t.crisis[r, i, s]
                        for j in range(N):
                            u[j] = u[j] + chance * t.crisis_pair[r, i, j]
                    own_gain, seized, leverage = t.gain_own[r, i, s], a.seized[s], a.leverage[s]
                    for j in range(N):
                        x = own_gain
                        if seized != 0.0:
                            x = x + seized * t.extractable[r, i, j]
                        if leverage != 0.0:
                            u[j] = u[j] + leverage * t.trade_lost[r, i, j]
                            x = x + leverage * t.trade[r, i, j]
                        g[j] = x * t.emboldened[r, i, j]
                o = start + s * N
                for j in range(N):
                    keep = needed[r, i, o + j]
                    base[r, i, o + j] = np.float32(u[j]) if keep else np.float32(0.0)
                    gain[r, i, o + j] = np.float32(g[j]) if keep else np.float32(0.0)


_fill_compiled = compiled(_fill_kernel)


def fill_aimed(
    base: np.ndarray,
    gain: np.ndarray,
    start: int,
    acts: ActTerms,
    parts: PairTerms,
    nuclear_cost: float,
    needed: np.ndarray,
) -> None:
    """Write the aimed acts' base and gain utilities into the single-precision option arrays
    ``base`` and ``gain`` (R, N, O), whose aimed options (act by act, then target) begin at
    option ``start``; options not ``needed`` ((R, N, O) bool) get 0 in both."""
    if numba_enabled() and base.dtype == np.float32:  # the kernel rounds as single precision
        parts = PairTerms(*(np.ascontiguousarray(x) for x in parts))
        _fill_compiled(base, gain, start, acts, parts, nuclear_cost, needed)
    else:
        _fill_numpy(base, gain, start, acts, parts, nuclear_cost, needed)
