"""Expected utility of every option for every state, vectorised over replicates.

``U = base + greed * gain``: ``base`` is what any state values (its perceived security, welfare,
costs, the reactions it foresees); ``gain`` is what only greed values (conquest and seized gains).
Splitting them lets the Bayesian lens evaluate the same actor as a greedy and as a
security-seeking type. docs/model.md states each term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.actions import Catalog
from secdilemma.conflict import Balance, hubristic, underrated
from secdilemma.decision.options import OptionSpace
from secdilemma.power_shift import foreseen_decline
from secdilemma.scenario import LENSES, Parameters
from secdilemma.world import WorldState

O_, D_, DET_, W_ = 0, 1, 2, 3
STRUCTURAL, INTERPRETIVE = LENSES.index("structural"), LENSES.index("interpretive")


@dataclass(frozen=True)
class Vulnerability:
    """A state's perceived vulnerability ``V_i = 1 - prod_k (1 - tau_ik q_ki)`` and its slopes."""

    V: np.ndarray  # (R, N)
    pi: np.ndarray  # (R, N, N) tau_ik * q_ki: perceived danger from k
    q: np.ndarray  # (R, N, N) q[i, k]: chance k defeats i, second strike counted
    d_defense: np.ndarray  # (R, N) dV_i / dDef_i
    d_secure: np.ndarray  # (R, N) dV_i / ds_i
    d_offense_other: np.ndarray  # (R, N, N) dV_i / dO_k


def vulnerability(w: WorldState, b: Balance) -> Vulnerability:
    beta = w.offense_defense_balance[:, None, None]
    win_vs = b.win.transpose(0, 2, 1)  # [i, k]: chance k defeats i
    attack_vs = b.attack.transpose(0, 2, 1)  # [i, k]: k's attack strength against i
    exposed = (1.0 - b.secure)[:, :, None]
    q = win_vs * exposed
    tau = np.where(w.alliance, 0.0, w.threat)
    pi = np.clip(tau * q, 0.0, 1.0 - 1e-12)
    survive = np.prod(1.0 - pi, axis=2)
    weight = survive[:, :, None] / (1.0 - pi)  # dV_i / dpi_ik
    denom = (attack_vs + b.defense[:, :, None]) ** 2
    denom = np.where(denom > 0, denom, np.inf)
    d_def = -(weight * tau * exposed * attack_vs / denom).sum(axis=2)
    d_sec = -(weight * tau * win_vs).sum(axis=2)
    d_off = weight * tau * exposed * b.defense[:, :, None] * beta * w.reach.T[None] / denom
    return Vulnerability(1.0 - survive, pi, q, d_def, d_sec, d_off)


@dataclass(frozen=True)
class Utilities:
    base: np.ndarray  # (R, N, O)
    gain: np.ndarray  # (R, N, O)

    def total(self, greed: np.ndarray) -> np.ndarray:
        return self.base + greed[:, :, None] * self.gain


def option_utilities(
    w: WorldState, b: Balance, space: OptionSpace, p: Parameters
) -> tuple[Utilities, Vulnerability]:
    cat: Catalog = space.catalog
    R, N = w.shape
    vul = vulnerability(w, b)
    M = w.military()
    beta = w.offense_defense_balance[:, None]
    indist = 1.0 - w.distinguishability[:, None]
    half = w.deterrent_half[:, None]
    ks, ka = space.self_actions, space.aimed_actions
    burden = M / w.wealth

    def own_deltas(actions: np.ndarray) -> tuple[np.ndarray, ...]:
        e = cat.self_effect[actions]  # (K, 4)
        dD = e[None, None, :, D_] * M[:, :, None]
        # Where postures are indistinguishable, "defensive" forces can attack too.
        dO = e[None, None, :, O_] * M[:, :, None] + indist[:, :, None] * np.maximum(dD, 0)
        ddet = e[None, None, :, DET_] * half[:, :, None]
        return dO, dD, ddet, np.broadcast_to(e[None, None, :, W_], dO.shape)

    slope_secure = half / (w.deterrent + half) ** 2  # ds_i / d deterrent_i

    def breach(actions: np.ndarray, dO, dD, ddet) -> np.ndarray:
        """(R, N, K) the cost in goodwill of building openly past a cap: the partners of each
        agreement broken read it as a violation."""
        capped = (cat.raises_forces[actions] & ~cat.covert[actions])[None, None, :, None]
        if not (w.agreement.any() and capped.any()):
            return np.zeros(dO.shape)
        forces = (M[:, :, None] + dO + dD)[..., None]
        deterrent = (w.deterrent[:, :, None] + ddet)[..., None]
        over = (forces > w.cap_forces[:, :, None, :]) | (deterrent > w.cap_deterrent[:, :, None, :])
        partners = w.agreement[:, :, None, :] & capped & over
        # Breaking faith with a partner one has come to suspect of cheating costs less: "they
        # broke it first". Suspicion is the rise in threat since the baseline; this is how it
        # alone can unravel an agreement between compliant states.
        rise = (w.threat - w.threat_baseline) / np.maximum(1.0 - w.threat_baseline, 1e-12)
        exposure = (vul.q + p.hostility_cost) * (1.0 - np.clip(rise, 0.0, 1.0))  # [i, j]
        return p.breach_hostility * (partners * exposure[:, :, None, :]).sum(axis=3)

    def security_gain(dO, dD, ddet):
        def lift(x: np.ndarray) -> np.ndarray:
            return x.reshape(x.shape + (1,) * (dO.ndim - 2))

        d_def = dD + p.offense_defends * dO
        d_s = lift(slope_secure) * ddet
        return -p.security_weight * (lift(vul.d_defense) * d_def + lift(vul.d_secure) * d_s)

    # Conquest value G_i = max_k p_ik * stake * W_k / W_i and its slope in own offense.
    ratio = w.wealth[:, None, :] / w.wealth[:, :, None]
    conquest = b.win * p.conquest_stake * ratio
    best = conquest.argmax(axis=2)[:, :, None]
    denom = (b.attack + b.defense[:, None, :]) ** 2
    slope = np.divide(
        beta[:, :, None] * w.reach[None] * b.defense[:, None, :],
        denom,
        out=np.zeros_like(denom),
        where=denom > 0,
    )
    d_conquest = p.conquest_stake * ratio * slope
    d_conquest = np.take_along_axis(d_conquest, best, axis=2)[:, :, 0]  # (R, N)

    # Reactions a state foresees: sum_k read_k * q_ik, the danger of provoking each observer k,
    # each read through k's own lens (structural observers read capability, the others
    # intent, interpretive ones through their sensitivity less their charity toward i).
    q_of = vul.q  # [i, k]
    structural = (w.lens == STRUCTURAL)[None, None, :]
    interpretive = (w.lens == INTERPRETIVE)[None, None, :]
    exposure = q_of.sum(axis=2)  # (R, N)
    exposure_intent = (q_of * ~structural).sum(axis=2)
    doubt = 2.0 * np.sqrt(w.belief_greedy * (1.0 - w.belief_greedy))  # [i, k]
    exposure_doubt = (q_of * doubt).sum(axis=2)
    weak = 2.0 * M[:, :, None] / np.maximum(M[:, :, None] + M[:, None, :], 1e-12)  # [i, k]
    per_unit = beta[:, :, None] * w.reach[None] * weak / np.maximum(M[:, None, :], 1e-12)
    cap_reach = (per_unit * q_of * structural).sum(axis=2)  # (R, N)
    cap_reach_doubt = (per_unit * q_of * doubt).sum(axis=2)
    # Treaty partners read an open build within the caps as nothing new (lenses.py).
    partner = w.agreement
    cap_reach_partner = (per_unit * q_of * structural * partner).sum(axis=2)
    cap_reach_doubt_partner = (per_unit * q_of * doubt * partner).sum(axis=2)

    def capability_read(built, rest, overt):
        """What structural observers read into an act's capability (built by the act, and
        the rest: committed forces, a new ally's), and its uncertainty, (reach-weighted)."""
        within = np.maximum(built, 0.0) * overt
        lift = (slice(None), slice(None)) + (None,) * (built.ndim - 2)
        read = (built + rest) * cap_reach[lift] - within * cap_reach_partner[lift]
        unsure = (
            np.abs(built + rest) * cap_reach_doubt[lift] - within * cap_reach_doubt_partner[lift]
        )
        return read, unsure

    framed = q_of * interpretive * (1.0 - w.frame_charity.transpose(0, 2, 1))  # [i, k]
    sensed = np.einsum("rik,kd->rid", framed, w.sensitivity)  # (R, N, domains)

    # --- self-directed options (R, N, Ks) -------------------------------------------------
    dO, dD, ddet, dW = own_deltas(ks)
    broken = breach(ks, dO, dD, ddet)
    cap_read, cap_unsure = capability_read(dO, 0.0, ~cat.covert[ks])
    read = cat.visibility[ks] * cat.hostility[ks]
    # Any state knows that intended hostility provokes (militarily, in proportion to the
    # target's chance of defeating it, and in lost goodwill, hostility_cost); empathy is
    # needed to foresee how others read the rest (its arming, its alliances, its gestures).
    provoked = np.maximum(read, 0.0) * (exposure[:, :, None] + p.hostility_cost)
    self_base = (
        security_gain(dO, dD, ddet)
        + p.welfare_weight * dW
        - p.cost_weight * cat.cost_share(ks[None, None, :], burden[:, :, None], p.burden_reference)
        - p.backlash_weight
        * (
            provoked
            + broken
            + w.empathy[:, :, None]
            * (
                np.minimum(read, 0.0) * exposure_intent[:, :, None]
                + cap_read
                + cat.visibility[ks] * sensed[:, :, cat.domain[ks]]
            )
            + w.prudence[:, :, None] * (np.abs(read) * exposure_doubt[:, :, None] + cap_unsure)
        )
    )
    self_gain = d_conquest[:, :, None] * dO

    # --- aimed options (R, N, Ka, N) ------------------------------------------------------
    broken = breach(ka, *own_deltas(ka)[:3])[..., None]
    dO, dD, ddet, dW = (x[..., None] for x in own_deltas(ka))
    te = cat.target_effect[ka]  # (Ka, 4)
    rel_alliance = np.maximum(cat.relation_effect[ka, 0], 0.0)[None, None, :, None]
    target_dO = te[None, None, :, O_, None] * w.offense[:, None, None, :]
    # Gains are bounded by the smaller economy: a small state cannot extract a large one's
    # wealth by pressure alone.
    seized = cat.gain[ka][None, None, :, None] * np.minimum(ratio, 1.0)[:, :, None, :]
    ally_def = (
        p.alliance_commitment
        * rel_alliance
        * (
            (w.defense + p.offense_defends * w.offense)[:, None, None, :]
            * w.reach.T[None, :, None, :]
        )
    )
    force = cat.force[ka][None, None, :, None]
    te_b = te[None, None, :, :, None]  # (1, 1, Ka, 4, 1)
    damage = np.maximum(
        -(
            te_b[:, :, :, O_] * w.offense[:, None, None, :]
            + te_b[:, :, :, D_] * w.defense[:, None, None, :]
        )
        / np.maximum(M[:, None, None, :], 1e-12)
        - te_b[:, :, :, DET_],
        0.0,
    )
    aimed_security = (
        security_gain(dO, dD, ddet)
        - p.security_weight * vul.d_offense_other[:, :, None, :] * target_dO
        - p.security_weight * vul.d_defense[:, :, None, None] * ally_def
    )
    cap_read, cap_unsure = capability_read(
        dO,
        force * w.offense[:, :, None, None] + rel_alliance * w.offense[:, None, None, :],
        ~cat.covert[ka][None, None, :, None],
    )
    host = cat.hostility[ka][None, None, :, None]
    third = cat.third_party[ka][None, None, :, None]
    vis = cat.visibility[ka][None, None, :, None]
    q_target = q_of[:, :, None, :]
    doubt_target = doubt[:, :, None, :]
    target_reads_intent = (w.lens != STRUCTURAL)[None, None, None, :]
    # What empathy adds to provocation: third parties, conciliation, capability, sensitivity.
    foreseen = (
        vis
        * (
            third * (exposure_intent[:, :, None, None] - q_target * target_reads_intent)
            + np.minimum(host, 0.0) * q_target * target_reads_intent
            + sensed[:, :, cat.domain[ka]][..., None]
        )
        + cap_read
    )
    provoked = (vis * np.maximum(host, 0.0) + damage) * (q_target + p.hostility_cost)
    unsure = (
        vis
        * (
            np.abs(third) * exposure_doubt[:, :, None, None]
            + np.abs(host - third) * q_target * doubt_target
        )
        + cap_unsure
        + damage * q_target * doubt_target
    )
    aimed_base = (
        aimed_security
        + p.welfare_weight * dW
        - p.cost_weight
        * cat.cost_share(ka[None, None, :], burden[:, :, None], p.burden_reference)[..., None]
        - p.backlash_weight
        * (
            provoked
            + broken
            + w.empathy[:, :, None, None] * foreseen
            + w.prudence[:, :, None, None] * unsure
        )
    )
    # A nuclear attack on a state with a secure second strike invites retaliation.
    # Hubris also discounts the other side's resolve: its retaliation and its striking back.
    retaliates = underrated(b.secure[:, None, :], w.hubris[:, :, None], p.hubris_scale)
    retaliates = retaliates[:, :, None, :]  # [i, ., j]
    nuclear = cat.nuclear_use[ka][None, None, :, None]
    aimed_base = aimed_base - nuclear * (retaliates * p.nuclear_cost + p.nuclear_taboo)
    # An act of force may provoke a war in which the target strikes back.
    crisis = underrated(
        cat.crisis[ka][None, None, :, None], w.hubris[:, :, None, None], p.hubris_scale
    )
    struck_back = b.win.transpose(0, 2, 1)[:, :, None, :]  # chance j defeats i
    aimed_base = aimed_base - crisis * p.crisis_force * (
        p.security_weight * p.defeat_weight * struck_back + p.cost_weight * p.war_cost
    )
    # A supplier's cut-off costs it the trade; what it can extract is of the same order.
    lever = cat.leverage[ka][None, None, :, None]
    trade = w.dependence.transpose(0, 2, 1) * np.minimum(ratio, 1.0)  # [i, j]: j's need of i
    aimed_base = (
        aimed_base
        - p.welfare_weight
        * p.supplier_share
        * lever
        * (w.dependence.transpose(0, 2, 1) * ratio)[:, :, None, :]
    )
    seized = seized + lever * trade[:, :, None, :]
    # A state that has seen j give way expects j to give way again: pressing j pays more.
    emboldened = (1.0 + p.emboldening * (1.0 - w.resolve_view))[:, :, None, :]
    aimed_gain = (d_conquest[:, :, None, None] * dO + seized) * emboldened

    # --- wars: expected utility of victory and defeat replaces the marginal terms ---------
    war = cat.starts_war[ka][None, None, :, None]
    if war.any():
        win_hat = hubristic(b.win, w.hubris, p.hubris_scale)[:, :, None, :]
        without = 1.0 - (1.0 - vul.V[:, :, None]) / (1.0 - vul.pi)  # V_i with j's danger gone
        # Victory destroys a share loser_loss * force of the loser's forces, and as much of
        # the danger it posed.
        relief = p.loser_loss * (vul.V[:, :, None] - without)[:, :, None, :]
        stake = cat.stakes[ka][None, None, :, None] * ratio[:, :, None, :]
        # A foreseen decline in i's odds against j is a window closing (Fearon 1995): what
        # fighting now saves, weighed by the fear of j (a security seeker) or the stakes (greed).
        decline = foreseen_decline(w, b, p)
        later = hubristic(np.maximum(b.win - decline, 0.0), w.hubris, p.hubris_scale)
        window = np.maximum(win_hat - later[:, :, None, :], 0.0)
        preventive = p.preventive_weight * window
        # War with a partner one depends on (or that depends on one) cuts the trade as well.
        interdependence = w.dependence + p.supplier_share * w.dependence.transpose(0, 2, 1) * ratio
        # Prudence weighs the range of outcomes it is unsure of: the war's own odds, widened
        # by not knowing whether the opponent is greedy (resolved) or not.
        spread = 2.0 * np.sqrt(win_hat * (1.0 - win_hat)) * doubt[:, :, None, :]
        war_base = (
            p.security_weight * win_hat * force * relief
            - p.security_weight * (1.0 - win_hat) * p.defeat_weight * force
            - p.cost_weight * (p.war_cost * force + cat.cost[ka][None, None, :, None])
            - win_hat * retaliates * p.nuclear_cost
            - w.prudence[:, :, None, None]
            * spread
            * p.security_weight
            * (force * relief + p.defeat_weight * force)
            - p.backlash_weight * w.empathy[:, :, None, None] * foreseen
            - p.cost_weight * interdependence[:, :, None, :]
            + p.security_weight * w.threat[:, :, None, :] * preventive
        )
        war_gain = (
            win_hat * stake - w.prudence[:, :, None, None] * spread * stake + preventive * stake
        ) * emboldened
        aimed_base = np.where(war, war_base, aimed_base)
        aimed_gain = np.where(war, war_gain, aimed_gain)

    base = space.join(self_base, aimed_base)
    gain = p.greed_weight * space.join(np.broadcast_to(self_gain, self_base.shape), aimed_gain)
    return Utilities(base=base, gain=gain), vul
