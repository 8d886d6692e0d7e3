"""The parts of every option's utility that depend on the actor and the other states but not on
the act (docs/model.md, 5.2): how exposed the actor is to each way others read it (sums over
the observers k), its conquest slope, and the per-pair parts [i, j] that each aimed act
multiplies by a catalogue coefficient.

Two forms give identical bits. The NumPy form builds each part over all (replicate, actor,
other) at once; the compiled form (``[fast]``, Numba) computes a row [r, i, :] at a time with
the same operations in the same order, and sums over the observers in NumPy's order
(``secdilemma.numerics.sums``). At two states the NumPy form's arrays are too short along their last
axes for NumPy to be quick (docs/performance.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from secdilemma.mechanisms.conflict import Balance
from secdilemma.model.registry import LENS_REGISTRY
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.fast import compiled, numba_enabled
from secdilemma.numerics.sums import pairwise

STRUCTURAL = LENS_REGISTRY.code("structural")


class ActorParts(NamedTuple):
    """(R, N) sums over the observers k of the danger q[i, k] of provoking each."""

    exposure: np.ndarray  # every observer
    exposure_intent: np.ndarray  # observers that read intent
    exposure_doubt: np.ndarray  # weighed by the actor's doubt about each observer
    cap_reach: np.ndarray  # structural observers, per unit of capability (reach-weighted)
    cap_reach_doubt: np.ndarray  # every observer, per unit of capability, weighed by doubt
    cap_reach_partner: np.ndarray  # the treaty partners among the structural observers
    cap_reach_doubt_partner: np.ndarray  # the treaty partners, weighed by doubt
    conquest_slope: np.ndarray  # the slope of the best conquest in the actor's own offense


class PairParts(NamedTuple):
    """(R, N, N) per (actor i, other j)."""

    ratio: np.ndarray  # wealth of j over wealth of i
    doubt: np.ndarray  # 2 sqrt(b (1 - b)): i's doubt about j's type
    hostility_read: np.ndarray  # provoking j
    intent_read: np.ndarray  # what empathy foresees of j's reading of intent
    doubt_read: np.ndarray  # j's reading that i is unsure of
    harm: np.ndarray  # per unit of damage done to j
    shifted: np.ndarray  # per unit of j's offense
    allied: np.ndarray  # j as a new ally
    crisis_pair: np.ndarray  # the war j may strike back with
    trade_lost: np.ndarray  # a supplier's cut-off: the trade it loses
    trade: np.ndarray  # ... and what it may extract
    extractable: np.ndarray  # gains bounded by the smaller economy
    emboldened: np.ndarray  # pressing j, who has given way before


class Coefficients(NamedTuple):
    conquest_stake: float
    backlash: float
    security: float
    hostility_cost: float
    offense_defends: float
    alliance_commitment: float
    crisis_force: float
    defeat_weight: float
    welfare: float
    supplier_share: float
    emboldening: float


def _coefficients(p: Parameters) -> Coefficients:
    return Coefficients(
        conquest_stake=p.conquest_stake,
        backlash=p.backlash_weight,
        security=p.security_weight,
        hostility_cost=p.hostility_cost,
        offense_defends=p.offense_defends,
        alliance_commitment=p.alliance_commitment,
        crisis_force=p.crisis_force,
        defeat_weight=p.defeat_weight,
        welfare=p.welfare_weight,
        supplier_share=p.supplier_share,
        emboldening=p.emboldening,
    )


def conquest_prize(w: WorldState, p: Parameters) -> np.ndarray:
    """(R, N, N) what conquering j is worth to i per unit of stakes, in shares of i's wealth:
    ``(W_j / W_i) ** conquest_elasticity``. At elasticity 1 only the target's wealth counts,
    so a poor neighbour is worth next to nothing to a rich state; below 1 the prize is concave
    in relative wealth, the territory, population and standing a revisionist state values for
    themselves (Glaser 2010; Schweller 1994) counting beside the wealth it could extract
    (docs/model.md, 5.2)."""
    ratio = w.wealth[:, None, :] / w.wealth[:, :, None]
    return np.power(ratio, p.conquest_elasticity)


def actor_and_pair_parts(
    w: WorldState,
    b: Balance,
    q: np.ndarray,
    d_defense: np.ndarray,
    d_offense_other: np.ndarray,
    military: np.ndarray,
    prize: np.ndarray,
    p: Parameters,
) -> tuple[ActorParts, PairParts]:
    """The actor parts (R, N) and pair parts (R, N, N). ``q`` [r, i, k] is the chance that k
    defeats i, ``d_defense`` (R, N) and ``d_offense_other`` (R, N, N) the slopes of i's
    vulnerability in its defense and in k's offense, ``military`` (R, N) the forces, ``prize``
    (R, N, N) what conquering j is worth to i per unit of stakes (:func:`conquest_prize`)."""
    k = _coefficients(p)
    structural = w.lens == STRUCTURAL
    # compiled: 2.2x at 2 states, 2.1x at 20 (python -m benchmarks --only kernels)
    if not numba_enabled():
        return _parts_numpy(w, b, q, d_defense, d_offense_other, military, prize, structural, k)
    R, N = w.shape
    actor = ActorParts(*(np.empty((R, N)) for _ in ActorParts._fields))
    pair = PairParts(*(np.empty((R, N, N)) for _ in PairParts._fields))
    _parts_compiled(
        w.wealth,
        prize,
        b.win,
        b.attack,
        b.defense,
        w.offense_defense_balance,
        w.reach,
        q,
        structural,
        w.belief_greedy,
        military,
        w.agreement,
        w.empathy,
        w.prudence,
        d_defense,
        d_offense_other,
        w.offense,
        w.defense,
        w.dependence,
        w.resolve_view,
        k,
        actor,
        pair,
    )
    return actor, pair


def _parts_numpy(w, b, q, d_defense, d_offense_other, M, prize, structural, k):
    # The sums over k below run along contiguous rows, which NumPy sums pairwise (the order
    # the kernel follows); ``q`` arrives as a transposed view's product, whose rows NumPy
    # would sum one value after another.
    q = np.ascontiguousarray(q)
    beta = w.offense_defense_balance[:, None]
    # Conquest value G_i = max_k p_ik * stake * prize_ik and its slope in own offense.
    ratio = w.wealth[:, None, :] / w.wealth[:, :, None]
    conquest = b.win * k.conquest_stake * prize
    best = conquest.argmax(axis=2)[:, :, None]
    denom = (b.attack + b.defense[:, None, :]) ** 2
    slope = np.divide(
        beta[:, :, None] * w.reach[None] * b.defense[:, None, :],
        denom,
        out=np.zeros_like(denom),
        where=denom > 0,
    )
    d_conquest = k.conquest_stake * prize * slope
    d_conquest = np.take_along_axis(d_conquest, best, axis=2)[:, :, 0]  # (R, N)

    # Reactions a state foresees: sum_k read_k * q_ik, the danger of provoking each observer k,
    # each read through k's own lens (structural observers read capability, the others
    # intent).
    structural = structural[None, None, :]
    exposure = q.sum(axis=2)
    exposure_intent = (q * ~structural).sum(axis=2)
    doubt = 2.0 * np.sqrt(w.belief_greedy * (1.0 - w.belief_greedy))  # [i, k]
    exposure_doubt = (q * doubt).sum(axis=2)
    weak = 2.0 * M[:, :, None] / np.maximum(M[:, :, None] + M[:, None, :], 1e-12)  # [i, k]
    per_unit = beta[:, :, None] * w.reach[None] * weak / np.maximum(M[:, None, :], 1e-12)
    cap_reach = (per_unit * q * structural).sum(axis=2)
    cap_reach_doubt = (per_unit * q * doubt).sum(axis=2)
    # Treaty partners read an open build within the caps as nothing new (lenses.py).
    partner = w.agreement
    cap_reach_partner = (per_unit * q * structural * partner).sum(axis=2)
    cap_reach_doubt_partner = (per_unit * q * doubt * partner).sum(axis=2)

    # Per-pair parts [i, j], each multiplied by a catalogue coefficient of the act.
    reads_intent = ~structural
    bw, sw = k.backlash, k.security
    emp, prud = w.empathy[:, :, None], w.prudence[:, :, None]
    hostility_read = -bw * (q + k.hostility_cost)  # provocation of the target
    intent_read = -bw * emp * q * reads_intent  # what empathy foresees of it
    doubt_read = -bw * prud * q * doubt  # the target's reading one is unsure of
    harm = hostility_read + doubt_read  # per unit of damage done to the target
    shifted = -sw * d_offense_other * w.offense[:, None, :]  # per unit of target offense
    ally_reach = (w.defense + k.offense_defends * w.offense)[:, None, :] * w.reach.T[None]
    # A new ally: its defence committed to i, and its offense as observers read it.
    allied = (
        -sw * k.alliance_commitment * d_defense[:, :, None] * ally_reach
        - bw * emp * w.offense[:, None, :] * cap_reach[:, :, None]
    )
    struck_back = b.win.transpose(0, 2, 1)  # chance j defeats i
    # An act of force may provoke a war in which the target strikes back.
    crisis_pair = -k.crisis_force * sw * k.defeat_weight * struck_back
    # A supplier's cut-off costs it the trade; what it can extract is of the same order.
    trade_lost = -k.welfare * k.supplier_share * w.dependence.transpose(0, 2, 1) * ratio
    trade = w.dependence.transpose(0, 2, 1) * np.minimum(ratio, 1.0)  # [i, j]: j's need of i
    # Gains are bounded by the smaller economy: a small state cannot extract a large one's
    # wealth by pressure alone.
    extractable = np.minimum(ratio, 1.0)
    # A state that has seen j give way expects j to give way again: pressing j pays more.
    emboldened = 1.0 + k.emboldening * (1.0 - w.resolve_view)
    actor = ActorParts(
        exposure,
        exposure_intent,
        exposure_doubt,
        cap_reach,
        cap_reach_doubt,
        cap_reach_partner,
        cap_reach_doubt_partner,
        d_conquest,
    )
    pair = PairParts(
        ratio,
        doubt,
        hostility_read,
        intent_read,
        doubt_read,
        harm,
        shifted,
        allied,
        crisis_pair,
        trade_lost,
        trade,
        extractable,
        emboldened,
    )
    return actor, pair


def _parts_kernel(
    wealth,
    prize,
    win,
    attack,
    defense_balance,
    beta,
    reach,
    q,
    structural,
    belief_greedy,
    M,
    agreement,
    empathy,
    prudence,
    d_defense,
    d_offense_other,
    offense,
    defense,
    dependence,
    resolve_view,
    k,
    actor,
    pair,
):
    # The NumPy form's operations, a row [r, i, :] at a time; each sum over k is taken in
    # NumPy's order from a row of its terms.
    R, N = M.shape
    terms = np.empty(7 * N)  # the terms of the seven sums over k, a row each
    bw, sw = k.backlash, k.security
    crisis_scale = -k.crisis_force * sw * k.defeat_weight
    trade_scale = -k.welfare * k.supplier_share
    ally_scale = -sw * k.alliance_commitment
    for r in range(R):
        for i in range(N):
            best, best_value = 0, -np.inf
            emp, prud, M_i = empathy[r, i], prudence[r, i], M[r, i]
            for j in range(N):
                ratio = wealth[r, j] / wealth[r, i]
                pair.ratio[r, i, j] = ratio
                conquest = win[r, i, j] * k.conquest_stake * prize[r, i, j]
                # np.argmax: the first largest, or the first NaN
                if best_value == best_value and (conquest > best_value or conquest != conquest):
                    best, best_value = j, conquest
                doubt = 2.0 * np.sqrt(belief_greedy[r, i, j] * (1.0 - belief_greedy[r, i, j]))
                pair.doubt[r, i, j] = doubt
                q_ij = q[r, i, j]
                weak = 2.0 * M_i / max(M_i + M[r, j], 1e-12)
                per_unit = beta[r] * reach[i, j] * weak / max(M[r, j], 1e-12)
                struct = 1.0 if structural[j] else 0.0
                partner = 1.0 if agreement[r, i, j] else 0.0
                terms[0 * N + j] = q_ij
                terms[1 * N + j] = q_ij * (1.0 - struct)
                terms[2 * N + j] = q_ij * doubt
                terms[3 * N + j] = per_unit * q_ij * struct
                terms[4 * N + j] = per_unit * q_ij * doubt
                terms[5 * N + j] = per_unit * q_ij * struct * partner
                terms[6 * N + j] = per_unit * q_ij * doubt * partner
            actor.exposure[r, i] = pairwise(terms, 0 * N, N)
            actor.exposure_intent[r, i] = pairwise(terms, 1 * N, N)
            actor.exposure_doubt[r, i] = pairwise(terms, 2 * N, N)
            cap_reach = pairwise(terms, 3 * N, N)
            actor.cap_reach[r, i] = cap_reach
            actor.cap_reach_doubt[r, i] = pairwise(terms, 4 * N, N)
            actor.cap_reach_partner[r, i] = pairwise(terms, 5 * N, N)
            actor.cap_reach_doubt_partner[r, i] = pairwise(terms, 6 * N, N)
            denom = attack[r, i, best] + defense_balance[r, best]
            denom = denom * denom
            slope = 0.0
            if denom > 0:
                slope = beta[r] * reach[i, best] * defense_balance[r, best] / denom
            actor.conquest_slope[r, i] = k.conquest_stake * prize[r, i, best] * slope
            for j in range(N):
                q_ij, doubt, ratio = q[r, i, j], pair.doubt[r, i, j], pair.ratio[r, i, j]
                reads = 0.0 if structural[j] else 1.0
                hostility_read = -bw * (q_ij + k.hostility_cost)
                doubt_read = -bw * prud * q_ij * doubt
                pair.hostility_read[r, i, j] = hostility_read
                pair.intent_read[r, i, j] = -bw * emp * q_ij * reads
                pair.doubt_read[r, i, j] = doubt_read
                pair.harm[r, i, j] = hostility_read + doubt_read
                pair.shifted[r, i, j] = -sw * d_offense_other[r, i, j] * offense[r, j]
                ally_reach = (defense[r, j] + k.offense_defends * offense[r, j]) * reach[j, i]
                pair.allied[r, i, j] = (
                    ally_scale * d_defense[r, i] * ally_reach - bw * emp * offense[r, j] * cap_reach
                )
                pair.crisis_pair[r, i, j] = crisis_scale * win[r, j, i]
                pair.trade_lost[r, i, j] = trade_scale * dependence[r, j, i] * ratio
                extractable = min(ratio, 1.0)
                pair.trade[r, i, j] = dependence[r, j, i] * extractable
                pair.extractable[r, i, j] = extractable
                pair.emboldened[r, i, j] = 1.0 + k.emboldening * (1.0 - resolve_view[r, i, j])


_parts_compiled = compiled(_parts_kernel)
