"""Aimed acts' utilities, act by act: each act's own part (what it does to its actor: forces,
costs, what others read into it, the crisis it risks; ``own_parts``) plus its catalogue
coefficients times per-pair parts (``decision.utility`` builds the inputs; docs/model.md states
the terms).

Two forms fill the same single-precision arrays with identical bits. The NumPy form adds one
term at a time over all replicates and pairs of an act, in double precision, and stores the
sum rounded to single precision; the compiled form (``[fast]``, Numba) makes one pass over
(replicate, actor, act, target), computing the act's own part where ``own_parts`` would and
adding the same terms in the same order, rounding once when it stores. Only +, -, *, /, abs,
min and max occur (exponentials are taken by NumPy beforehand), which IEEE arithmetic rounds
the same way everywhere, so ``tests/test_fast.py`` can require equality to the bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from secdilemma.model.actions import Catalog
from secdilemma.numerics.fast import compiled, numba_enabled
from secdilemma.numerics.logodds import odds, scaled


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
    cost: np.ndarray  # the catalogue's cost share (times cost_weight where it is used)
    stakes: np.ndarray


class OwnActs(NamedTuple):
    """(Ka,) what each aimed act does to its actor, from the catalogue."""

    self_effect: np.ndarray  # (Ka, 4) offense, defense, deterrent, wealth
    visibility: np.ndarray
    third_party: np.ndarray  # hostility as third parties read it
    abs_third: np.ndarray  # visibility * |third-party hostility|
    overt: np.ndarray  # bool
    domain: np.ndarray  # int: the sensitivity domain it touches
    builds_forces: np.ndarray  # bool: its cost grows with the military burden
    cost: np.ndarray  # the catalogue's cost share
    crisis: np.ndarray  # the chance it provokes a war
    crisis_odds: np.ndarray  # its odds (logodds.odds)
    nuclear: np.ndarray  # bool
    force: np.ndarray
    ally_offense: np.ndarray  # bool: it forms an alliance (the ally's offense is read)
    index: np.ndarray  # int: its index in the catalogue


class OwnState(NamedTuple):
    """Each actor's (R, N) inputs to its acts' own parts (``indistinct`` and ``half``: (R,))."""

    military: np.ndarray
    indistinct: np.ndarray  # 1 - distinguishability
    half: np.ndarray  # the deterrent's half-saturation
    slope_secure: np.ndarray
    d_defense: np.ndarray
    d_secure: np.ndarray
    burden: np.ndarray
    offense: np.ndarray
    exposure_intent: np.ndarray
    exposure_doubt: np.ndarray
    cap_reach: np.ndarray
    cap_reach_doubt: np.ndarray
    cap_reach_partner: np.ndarray
    cap_reach_doubt_partner: np.ndarray
    sensed: np.ndarray  # (R, N, domains)
    empathy: np.ndarray
    prudence: np.ndarray
    resolve_discount: np.ndarray  # exp(-hubris_scale * hubris)
    conquest_slope: np.ndarray
    broken: np.ndarray  # (R, N, K) treaty-breach cost of every catalogue act


class Weights(NamedTuple):
    offense_defends: float
    security: float
    welfare: float
    cost: float
    burden_reference: float
    backlash: float
    nuclear_taboo: float
    crisis_force: float
    war_cost: float


class OwnParts(NamedTuple):
    """(R, N, Ka) an aimed act's parts before its target is chosen."""

    per_actor: np.ndarray  # the act's utility before its target is chosen
    gain_own: np.ndarray  # conquest value of its own forces
    foreseen_own: np.ndarray  # what empathy foresees, before the target
    committed: np.ndarray  # forces built and committed
    crisis: np.ndarray  # the chance of a crisis as the actor sees it


def force_deltas(
    effect: np.ndarray, military: np.ndarray, indistinct: np.ndarray, half: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The change in an actor's offense, defense and deterrent from acts with self-effects
    ``effect`` (K, 4); the other arguments broadcast against a trailing act axis."""
    dD = effect[:, 1] * military
    # Where postures are indistinguishable, "defensive" forces can attack too.
    dO = effect[:, 0] * military + indistinct * np.maximum(dD, 0.0)
    return dO, dD, effect[:, 2] * half


def own_parts(a: OwnActs, x: OwnState, k: Weights) -> OwnParts:
    """The NumPy form: every (replicate, actor, act) at once (docs/model.md, 5.2)."""
    e = a.self_effect
    dO, dD, ddet = force_deltas(
        e, x.military[:, :, None], x.indistinct[:, None, None], x.half[:, None, None]
    )
    d_def = dD + k.offense_defends * dO
    d_s = x.slope_secure[:, :, None] * ddet
    security = -k.security * (x.d_defense[:, :, None] * d_def + x.d_secure[:, :, None] * d_s)
    within = np.maximum(dO, 0.0) * a.overt
    committed = dO + a.force * x.offense[:, :, None]  # built by the act, and forces committed
    foreseen = (
        a.visibility * (a.third_party * x.exposure_intent[:, :, None] + x.sensed[:, :, a.domain])
        + committed * x.cap_reach[:, :, None]
        - within * x.cap_reach_partner[:, :, None]
    )
    unsure = (
        a.abs_third * x.exposure_doubt[:, :, None]
        - within * x.cap_reach_doubt_partner[:, :, None]
        + np.where(a.ally_offense, 0.0, np.abs(committed) * x.cap_reach_doubt[:, :, None])
    )
    crisis = np.where(a.crisis > 0, scaled(a.crisis, x.resolve_discount[:, :, None]), 0.0)
    scale = np.where(a.builds_forces, x.burden[:, :, None] / k.burden_reference, 1.0)
    per_actor = (
        security
        + k.welfare * e[:, 3]
        - k.cost * (a.cost * scale)
        - k.backlash
        * (
            x.broken[:, :, a.index]
            + x.empathy[:, :, None] * foreseen
            + x.prudence[:, :, None] * unsure
        )
        - a.nuclear * k.nuclear_taboo
        - crisis * k.crisis_force * k.cost * k.war_cost
    )
    return OwnParts(per_actor, x.conquest_slope[:, :, None] * dO, foreseen, committed, crisis)


def _own_part_kernel(a, x, k, r, i, s, M, discount, burden_scale):
    """``own_parts`` of act ``s`` for one (replicate, actor): the same operations in the same
    order. Returns per_actor, gain_own, foreseen_own, committed and crisis. ``M``, ``discount``
    and ``burden_scale`` are the actor's military, resolve discount and burden over its
    reference, taken once per actor, not once per act (the same bits)."""
    dD = a.self_effect[s, 1] * M
    dO = a.self_effect[s, 0] * M + x.indistinct[r] * max(dD, 0.0)
    ddet = a.self_effect[s, 2] * x.half[r]
    d_def = dD + k.offense_defends * dO
    d_s = x.slope_secure[r, i] * ddet
    security = -k.security * (x.d_defense[r, i] * d_def + x.d_secure[r, i] * d_s)
    within = max(dO, 0.0) * (1.0 if a.overt[s] else 0.0)
    committed = dO + a.force[s] * x.offense[r, i]
    foreseen = (
        a.visibility[s] * (a.third_party[s] * x.exposure_intent[r, i] + x.sensed[r, i, a.domain[s]])
        + committed * x.cap_reach[r, i]
        - within * x.cap_reach_partner[r, i]
    )
    unsure = (
        a.abs_third[s] * x.exposure_doubt[r, i]
        - within * x.cap_reach_doubt_partner[r, i]
        + (0.0 if a.ally_offense[s] else abs(committed) * x.cap_reach_doubt[r, i])
    )
    odds = a.crisis_odds[s] * discount
    crisis = odds / (1.0 + odds) if a.crisis[s] > 0 else 0.0
    scale = burden_scale if a.builds_forces[s] else 1.0
    per_actor = (
        security
        + k.welfare * a.self_effect[s, 3]
        - k.cost * (a.cost[s] * scale)
        - k.backlash
        * (x.broken[r, i, a.index[s]] + x.empathy[r, i] * foreseen + x.prudence[r, i] * unsure)
        - (k.nuclear_taboo if a.nuclear[s] else 0.0)
        - crisis * k.crisis_force * k.cost * k.war_cost
    )
    return per_actor, x.conquest_slope[r, i] * dO, foreseen, committed, crisis


_own_part = compiled(_own_part_kernel, inline=True)


def act_terms(cat: Catalog, aimed: np.ndarray) -> tuple[ActTerms, OwnActs]:
    """The catalogue's aimed acts ``aimed`` (indices) as the two forms read them."""
    te = cat.target_effect[aimed]
    host, third, vis = cat.hostility[aimed], cat.third_party[aimed], cat.visibility[aimed]
    alliance = np.maximum(cat.relation_effect[aimed, 0], 0.0)
    acts = ActTerms(
        conciliation=vis * (np.minimum(host, 0.0) - third),
        provocation=vis * np.maximum(host, 0.0),
        doubt=vis * np.abs(host - third),
        target_effect=te,
        damages=(te[:, :3] < 0).any(axis=1),  # offense, defense or deterrent
        alliance=alliance,
        nuclear=cat.nuclear_use[aimed],
        crisis=cat.crisis[aimed] != 0,
        seized=cat.gain[aimed],
        leverage=cat.leverage[aimed],
        war=cat.starts_war[aimed],
        force=cat.force[aimed],
        cost=cat.cost[aimed],
        stakes=cat.stakes[aimed],
    )
    own = OwnActs(
        self_effect=cat.self_effect[aimed],
        visibility=vis,
        third_party=third,
        abs_third=vis * np.abs(third),
        overt=~cat.covert[aimed],
        domain=cat.domain[aimed],
        builds_forces=cat.builds_forces[aimed],
        cost=cat.cost[aimed],
        crisis=cat.crisis[aimed],
        crisis_odds=odds(cat.crisis[aimed]),
        nuclear=cat.nuclear_use[aimed],
        force=cat.force[aimed],
        ally_offense=alliance > 0,  # the new ally's offense enters the capability read
        index=np.asarray(aimed),
    )
    return acts, own


class PairTerms(NamedTuple):
    """The per-state (R, N) and per-pair (R, N, N) parts."""

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
    stake_risk: np.ndarray  # per unit of stakes: the own wealth a defeat gives up


def _fill_numpy(base, gain, start, a, t, own_acts, own_state, k, nuclear_cost, needed) -> None:
    R, N = base.shape[:2]
    aimed = (slice(None), slice(None), slice(start, None))
    base, gain, needed = (x[aimed].reshape(R, N, -1, N) for x in (base, gain, needed))
    _fill_all_numpy(base, gain, a, t, own_parts(own_acts, own_state, k), nuclear_cost, k.cost)
    np.copyto(base, 0.0, where=~needed)
    np.copyto(gain, 0.0, where=~needed)


def _fill_all_numpy(
    base, gain, a: ActTerms, t: PairTerms, own: OwnParts, nuclear_cost, cost_weight
) -> None:
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
                - cost_weight * a.cost[s]
                - t.backlash_empathy[:, :, None] * (own.foreseen_own[:, :, s, None] + foreseen_pair)
                + a.stakes[s] * t.stake_risk
            )
            gain[:, :, s] = a.stakes[s] * t.stake_effect
            continue
        u = np.empty((R, N, N))
        u[...] = own.per_actor[:, :, s, None]
        u += a.conciliation[s] * t.intent_read
        u += a.provocation[s] * t.hostility_read
        u += a.doubt[s] * t.doubt_read
        te = a.target_effect[s]
        if te[0]:
            u += te[0] * t.shifted
        if a.alliance[s] > 0:
            u += a.alliance[s] * t.allied
            unsure = np.abs(own.committed[:, :, s, None] + a.alliance[s] * offense_j)
            u -= t.backlash_prudence[:, :, None] * unsure * t.cap_reach_doubt[:, :, None]
        if a.damages[s]:
            damage = -(te[0] * offense_j + te[1] * defense_j) / forces_j - te[2]
            u += np.maximum(damage, 0.0) * t.harm
        if a.nuclear[s]:
            u -= nuclear_cost * t.retaliates
        if a.crisis[s]:
            u += own.crisis[:, :, s, None] * t.crisis_pair
        g = np.empty((R, N, N))
        g[...] = own.gain_own[:, :, s, None]
        if a.seized[s]:
            g += a.seized[s] * t.extractable
        if a.leverage[s]:
            u += a.leverage[s] * t.trade_lost
            g += a.leverage[s] * t.trade
        g *= t.emboldened
        base[:, :, s], gain[:, :, s] = u, g


# Both kernels add each option's terms in the NumPy form's order and round once when they store.
# In a small world a row of targets is too short to vectorise and much of it is the actor itself
# or fails its preconditions: evaluating the needed options one by one is then faster (0.88
# against 1.33 ms a step at two states and R = 1,000; 2.35 against 2.72 ms at 12 states and
# R = 166); at 20 states the vectorised rows are (4.0 against 4.1 ms; docs/performance.md).
OPTION_BY_OPTION_UP_TO = 12


def _fill_by_row_kernel(base, gain, start, a, t, own_acts, own_state, k, nuclear_cost, needed):
    # A row of targets at a time, in short loops without data-dependent branches that the
    # compiler can vectorise, storing 0 for the options not needed.
    R, N = base.shape[:2]
    Ka = a.force.shape[0]
    own_row = np.empty((5, Ka))
    u = np.empty(N)
    g = np.empty(N)
    reads = np.empty(N)
    for j in range(N):
        reads[j] = np.float64(t.reads_intent[j])
    for r in range(R):
        for i in range(N):
            M, discount = own_state.military[r, i], own_state.resolve_discount[r, i]
            burden_scale = own_state.burden[r, i] / k.burden_reference
            for s in range(Ka):  # every act's own part first, in a loop of its own
                parts_of_s = _own_part(own_acts, own_state, k, r, i, s, M, discount, burden_scale)
                for n in range(5):
                    own_row[n, s] = parts_of_s[n]
            for s in range(Ka):
                c5, ally = a.conciliation[s], a.alliance[s]
                own, own_gain = own_row[0, s], own_row[1, s]
                foreseen, committed, chance = own_row[2, s], own_row[3, s], own_row[4, s]
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
                            - k.cost * a.cost[s]
                            - seen_by * (foreseen + fp)
                            + a.stakes[s] * t.stake_risk[r, i, j]
                        )
                        g[j] = a.stakes[s] * t.stake_effect[r, i, j]
                else:
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
                            unsure = abs(committed + ally * t.offense[r, j])
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
                        for j in range(N):
                            u[j] = u[j] + chance * t.crisis_pair[r, i, j]
                    seized, leverage = a.seized[s], a.leverage[s]
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


def _fill_by_option_kernel(base, gain, start, a, t, own_acts, own_state, k, nuclear_cost, needed):
    # Each needed option alone, skipping the others (they store 0), and each act's own part
    # only where one of its targets is needed.
    R, N = base.shape[:2]
    Ka = a.force.shape[0]
    x = own_state
    for r in range(R):
        for i in range(N):
            M, discount = x.military[r, i], x.resolve_discount[r, i]
            burden_scale = x.burden[r, i] / k.burden_reference
            seen_by, lost = t.backlash_empathy[r, i], t.backlash_prudence[r, i]
            cap_reach, cap_reach_doubt = t.cap_reach[r, i], t.cap_reach_doubt[r, i]
            for s in range(Ka):
                o = start + s * N
                wanted = False
                for j in range(N):
                    wanted = wanted or needed[r, i, o + j]
                if not wanted:
                    for j in range(N):
                        base[r, i, o + j] = np.float32(0.0)
                        gain[r, i, o + j] = np.float32(0.0)
                    continue
                own, own_gain, foreseen, committed, chance = _own_part(
                    own_acts, x, k, r, i, s, M, discount, burden_scale
                )
                c5, ally = a.conciliation[s], a.alliance[s]
                te0, te1, te2 = a.target_effect[s, 0], a.target_effect[s, 1], a.target_effect[s, 2]
                provocation, doubt = a.provocation[s], a.doubt[s]
                seized, leverage = a.seized[s], a.leverage[s]
                war, damages, nuclear, crisis = a.war[s], a.damages[s], a.nuclear[s], a.crisis[s]
                for j in range(N):
                    if not needed[r, i, o + j]:
                        base[r, i, o + j] = np.float32(0.0)
                        gain[r, i, o + j] = np.float32(0.0)
                        continue
                    if war:
                        fp = c5 * t.q[r, i, j] * (1.0 if t.reads_intent[j] else 0.0)
                        if ally > 0:
                            fp = fp + ally * t.offense[r, j] * cap_reach
                        u = (
                            a.force[s] * t.win_effect[r, i, j]
                            + t.war_fixed[r, i, j]
                            - k.cost * a.cost[s]
                            - seen_by * (foreseen + fp)
                            + a.stakes[s] * t.stake_risk[r, i, j]
                        )
                        g = a.stakes[s] * t.stake_effect[r, i, j]
                    else:
                        u = own + c5 * t.intent_read[r, i, j]
                        u = u + provocation * t.hostility_read[r, i, j]
                        u = u + doubt * t.doubt_read[r, i, j]
                        if te0 != 0.0:
                            u = u + te0 * t.shifted[r, i, j]
                        if ally > 0:
                            u = u + ally * t.allied[r, i, j]
                            unsure = abs(committed + ally * t.offense[r, j])
                            u = u - lost * unsure * cap_reach_doubt
                        if damages:
                            lost_forces = te0 * t.offense[r, j] + te1 * t.defense[r, j]
                            damage = -lost_forces / t.forces[r, j] - te2
                            u = u + max(damage, 0.0) * t.harm[r, i, j]
                        if nuclear:
                            u = u - nuclear_cost * t.retaliates[r, i, j]
                        if crisis:
                            u = u + chance * t.crisis_pair[r, i, j]
                        g = own_gain
                        if seized != 0.0:
                            g = g + seized * t.extractable[r, i, j]
                        if leverage != 0.0:
                            u = u + leverage * t.trade_lost[r, i, j]
                            g = g + leverage * t.trade[r, i, j]
                        g = g * t.emboldened[r, i, j]
                    base[r, i, o + j] = np.float32(u)
                    gain[r, i, o + j] = np.float32(g)


_fill_by_row = compiled(_fill_by_row_kernel)
_fill_by_option = compiled(_fill_by_option_kernel)


def fill_aimed(
    base: np.ndarray,
    gain: np.ndarray,
    start: int,
    acts: ActTerms,
    parts: PairTerms,
    own_acts: OwnActs,
    own_state: OwnState,
    weights: Weights,
    nuclear_cost: float,
    needed: np.ndarray,
) -> None:
    """Write the aimed acts' base and gain utilities into the single-precision option arrays
    ``base`` and ``gain`` (R, N, O), whose aimed options (act by act, then target) begin at
    option ``start``; options not ``needed`` ((R, N, O) bool) get 0 in both."""
    # compiled: 4.9x at 2 states, 2.5x at 20 (python -m benchmarks --only kernels)
    if numba_enabled() and base.dtype == np.float32:  # the kernel rounds as single precision
        parts = PairTerms(*(np.ascontiguousarray(x) for x in parts))
        kernel = _fill_by_option if base.shape[1] <= OPTION_BY_OPTION_UP_TO else _fill_by_row
        kernel(base, gain, start, acts, parts, own_acts, own_state, weights, nuclear_cost, needed)
    else:
        _fill_numpy(
            base, gain, start, acts, parts, own_acts, own_state, weights, nuclear_cost, needed
        )
