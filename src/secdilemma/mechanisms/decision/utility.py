"""Expected utility of every option for every state, vectorised over replicates.

``U = base + greed * gain``: ``base`` is what any state values (its perceived security, welfare,
costs, the reactions it foresees); ``gain`` is what only greed values (conquest and seized gains).
Splitting them lets the Bayesian lens evaluate the same actor as a greedy and as a
security-seeking type. docs/model.md states each term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.mechanisms.conflict import Balance, underrated
from secdilemma.mechanisms.decision.aimed import (
    OwnState,
    PairTerms,
    Weights,
    fill_aimed,
)
from secdilemma.mechanisms.decision.options import OptionSpace
from secdilemma.mechanisms.decision.pair_parts import actor_and_pair_parts, conquest_prize
from secdilemma.mechanisms.decision.self_directed import fill_self
from secdilemma.mechanisms.decision.treaty import breach_costs
from secdilemma.mechanisms.decision.vulnerability import Vulnerability, vulnerability
from secdilemma.mechanisms.decision.war_parts import war_parts
from secdilemma.model.actions import Catalog
from secdilemma.model.registry import LENS_REGISTRY
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState

O_, D_, DET_, W_ = 0, 1, 2, 3
STRUCTURAL, INTERPRETIVE = LENS_REGISTRY.code("structural"), LENS_REGISTRY.code("interpretive")

# Option utilities are stored in single precision: the (R, N, options) arrays are the engine's
# largest, and every term is computed in double precision before it is stored. Utilities are
# O(0.01-1), so storage rounds them by about 1e-8, far below the softmax's temperature
# (docs/performance.md, "Precision").
UTILITY_DTYPE = np.float32


@dataclass(frozen=True)
class Utilities:
    base: np.ndarray  # (R, N, O)
    gain: np.ndarray  # (R, N, O)

    def total(self, greed: np.ndarray) -> np.ndarray:
        return self.base + greed.astype(self.gain.dtype)[:, :, None] * self.gain


def option_utilities(
    w: WorldState,
    b: Balance,
    space: OptionSpace,
    p: Parameters,
    needed: np.ndarray | None = None,
    cost_factor: np.ndarray | None = None,
) -> tuple[Utilities, Vulnerability]:
    """Base and gain utilities of every option, (R, N, O). Aimed options outside ``needed``
    ((R, N, O) bool; by default all) are not evaluated: their utilities are 0. ``cost_factor``
    (R, N) is each state's private cost of war (``war_parts.private_cost``; by default 1)."""
    cat: Catalog = space.catalog
    R, N = w.shape
    vul = vulnerability(w, b)
    M = w.military()
    indist = 1.0 - w.distinguishability[:, None]
    half = w.deterrent_half[:, None]
    ks = space.self_actions
    burden = M / w.wealth

    slope_secure = half / (w.deterrent + half) ** 2  # ds_i / d deterrent_i

    broken = breach_costs(w, vul.q, M, indist[:, 0], half[:, 0], cat, p)  # (R, N, K)

    # How exposed each actor is to each way others read it, and the per-pair parts.
    prize = conquest_prize(w, p)
    actor, pair = actor_and_pair_parts(w, b, vul.q, vul.d_defense, vul.d_offense_other, M, prize, p)
    q_of = vul.q  # [i, k]
    interpretive = (w.lens == INTERPRETIVE)[None, None, :]
    # Interpretive observers read an act through their sensitivity less their charity to i.
    if interpretive.any():
        framed = q_of * interpretive * (1.0 - w.frame_charity.transpose(0, 2, 1))  # [i, k]
        sensed = np.einsum("rik,kd->rid", framed, w.sensitivity)  # (R, N, domains)
    else:  # nobody reads through a frame: every term is +0 (sensitivities are >= 0)
        sensed = np.zeros((R, N, w.sensitivity.shape[1]))

    # --- aimed options (R, N, Ka, N) ------------------------------------------------------
    # Each term of an aimed act's utility is either a per-actor part (R, N, Ka) or a catalogue
    # coefficient times a per-pair part (R, N, N). Evaluating the sum act by act, with only the
    # terms an act has, touches each (R, N, Ka, N) element a few times instead of building
    # dozens of full-size temporaries (docs/performance.md).
    Ks = len(ks)
    # The catalogue's terms are the same every step (computed once per option space).
    acts, own_acts = space.aimed_terms
    own_state = OwnState(
        military=M,
        indistinct=indist[:, 0],
        half=half[:, 0],
        slope_secure=slope_secure,
        d_defense=vul.d_defense,
        d_secure=vul.d_secure,
        burden=burden,
        offense=w.offense,
        exposure_intent=actor.exposure_intent,
        exposure_doubt=actor.exposure_doubt,
        cap_reach=actor.cap_reach,
        cap_reach_doubt=actor.cap_reach_doubt,
        cap_reach_partner=actor.cap_reach_partner,
        cap_reach_doubt_partner=actor.cap_reach_doubt_partner,
        sensed=sensed,
        empathy=w.empathy,
        prudence=w.prudence,
        resolve_discount=np.exp(-p.hubris_scale * w.hubris),
        conquest_slope=actor.conquest_slope,
        broken=broken,
    )
    weights = Weights(
        offense_defends=p.offense_defends,
        security=p.security_weight,
        welfare=p.welfare_weight,
        cost=p.cost_weight,
        burden_reference=p.burden_reference,
        backlash=p.backlash_weight,
        nuclear_taboo=p.nuclear_taboo,
        crisis_force=p.crisis_force,
        war_cost=p.war_cost,
    )

    target_reads_intent = w.lens != STRUCTURAL
    # A nuclear attack on a state with a secure second strike invites retaliation.
    # Hubris also discounts the other side's resolve: its retaliation and its striking back.
    retaliates = underrated(b.secure[:, None, :], w.hubris[:, :, None], p.hubris_scale)

    zeros = np.zeros((R, N, N))
    win_effect, war_fixed, stake_effect, stake_risk = (
        war_parts(
            w,
            b,
            vul.V,
            vul.pi,
            p,
            pair.doubt,
            pair.ratio,
            prize,
            retaliates,
            pair.emboldened,
            np.ones((R, N)) if cost_factor is None else cost_factor,
        )
        if acts.war.any()
        else (zeros, zeros, zeros, zeros)
    )
    parts = PairTerms(
        q=q_of,
        reads_intent=target_reads_intent,
        offense=w.offense,
        defense=w.defense,
        forces=np.maximum(M, 1e-12),
        cap_reach=actor.cap_reach,
        cap_reach_doubt=actor.cap_reach_doubt,
        backlash_empathy=p.backlash_weight * w.empathy,
        backlash_prudence=p.backlash_weight * w.prudence,
        intent_read=pair.intent_read,
        hostility_read=pair.hostility_read,
        doubt_read=pair.doubt_read,
        shifted=pair.shifted,
        allied=pair.allied,
        harm=pair.harm,
        retaliates=retaliates,
        crisis_pair=pair.crisis_pair,
        trade_lost=pair.trade_lost,
        trade=pair.trade,
        extractable=pair.extractable,
        emboldened=pair.emboldened,
        win_effect=win_effect,
        war_fixed=war_fixed,
        stake_effect=stake_effect,
        stake_risk=stake_risk,
    )

    base = np.empty((R, N, space.size), dtype=UTILITY_DTYPE)
    gain = np.empty((R, N, space.size), dtype=UTILITY_DTYPE)
    # Self-directed options (R, N, Ks): what an act does to its actor alone.
    fill_self(
        base,
        gain,
        space.self_terms,
        own_state,
        actor.exposure,
        broken,
        weights,
        p.hostility_cost,
    )
    if needed is None:
        needed = np.ones((R, N, space.size), dtype=bool)
    fill_aimed(base, gain, Ks, acts, parts, own_acts, own_state, weights, p.nuclear_cost, needed)

    np.multiply(gain, p.greed_weight, out=gain)
    return Utilities(base=base, gain=gain), vul
