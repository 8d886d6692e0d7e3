"""Joining a war for a share of the spoils: bandwagoning for profit (Schweller 1994).

A war begun on j this step (by any cause) is an opportunity for a third state m: j's defence
is engaged, so m's chance of defeating it is the coalition's, and a revisionist m may take a
share of what j loses. m joins the war on j when its expected utility of joining is positive
(docs/model.md, section 10), valued with the terms of its own war decision (section 5.2):

    share_mj = A_mj / (A_mj + E_j)                    (m's part of the attack on j)
    odds_mj  = (A_mj + E_j) / (A_mj + E_j + Def_j)    (j's defence split among its attackers)
    U_mj     = the utility of a war option (section 5.2) at odds_mj, with force ally_force,
               stakes join_stakes * share_mj and cost join_cost

``E_j`` is the attack strength of the states already at war with j this step. m joins where
``U_mj > 0``, on the side it trusts at least as much (Altfeld and Bueno de Mesquita 1979 model
the choice of sides as an expected-utility comparison weighted by alignment); staying out of
others' wars is the default, so there is no decision noise in it, and across replicates the
choice is graded by m's drawn greed and private cost of war. A security seeker joins only
where weakening j relieves it of a danger greater than its attackers'; a greedy state also for
the stakes. ``join_stakes`` is fitted by the calibration's second stage
(``evidence/calibrate_joining.py``; docs/model.md section 10, docs/evidence.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.mechanisms.conflict import Balance, underrated
from secdilemma.mechanisms.decision.pair_parts import conquest_prize
from secdilemma.mechanisms.decision.vulnerability import Vulnerability
from secdilemma.mechanisms.decision.war_parts import private_cost, war_parts
from secdilemma.mechanisms.power_shift import foreseen_decline
from secdilemma.model.registry import POLICY_REGISTRY
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.rng import Streams

EXPECTED_UTILITY = POLICY_REGISTRY.code("expected_utility")


@dataclass(frozen=True)
class Spoils:
    """Third states that join a war on j for a share of the spoils; arrays are (R, M, J)."""

    joins: np.ndarray  # m joins the war on j
    odds: np.ndarray  # m's chance of defeating j, the coalition's (0 where m does not join)
    stakes: np.ndarray  # the share of j's wealth m takes if it wins


def coalition_odds(b: Balance, attacked_by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, M, J) the chance that m defeats j when it joins those attacking j (``attacked_by``,
    (R, I, J)), and m's share of the coalition's attack; j's defence is split among its
    attackers in proportion to their attack strength."""
    engaged = np.einsum("rij,rij->rj", attacked_by, b.attack)  # (R, J)
    coalition = b.attack + engaged[:, None, :]
    total = coalition + b.defense[:, None, :]
    odds = np.divide(coalition, total, out=np.zeros_like(coalition), where=total > 0)
    share = np.divide(b.attack, coalition, out=np.zeros_like(coalition), where=coalition > 0)
    return odds, share


def lesser_danger(pi: np.ndarray, started: np.ndarray) -> np.ndarray:
    """(R, M, J) m's perceived danger from j (``pi``), kept only where j is more dangerous to m
    than every state attacking it: weakening j relieves m only if m does not fear its attackers
    more (states balance against the greater threat, Walt 1987). A greedy m may still join the
    more dangerous side for the spoils (Schweller 1994): this removes the security motive only."""
    victims = np.flatnonzero(started.any(axis=(0, 1)))  # few: only the states attacked
    attacked_by = started[:, :, victims]  # (R, I, K)
    feared = (pi[:, :, :, None] * attacked_by[:, None, :, :]).max(axis=2)  # (R, M, K)
    kept = np.zeros_like(pi)
    kept[:, :, victims] = np.where(pi[:, :, victims] > feared, pi[:, :, victims], 0.0)
    return kept


def sides_with_attackers(trust: np.ndarray, started: np.ndarray) -> np.ndarray:
    """(R, M, J) m trusts some state attacking j at least as much as it trusts j: a state
    joins the side it is closer to (Altfeld and Bueno de Mesquita 1979: the utility of a side's
    victory grows with the joiner's alignment with it), never a war on a friend for the spoils."""
    victims = np.flatnonzero(started.any(axis=(0, 1)))
    closest = np.full(trust.shape, -np.inf)
    attacked_by = started[:, :, victims]  # (R, I, K)
    toward = np.where(attacked_by[:, None, :, :], trust[:, :, :, None], -np.inf)  # (R, M, I, K)
    closest[:, :, victims] = toward.max(axis=2)
    return trust <= closest


def join_utility(
    w: WorldState,
    b: Balance,
    vul: Vulnerability,
    started: np.ndarray,
    odds: np.ndarray,
    share: np.ndarray,
    cost_factor: np.ndarray,
    p: Parameters,
) -> np.ndarray:
    """(R, M, J) m's expected utility of joining the war on j: the war option's utility of
    section 5.2 (``war_parts``) at the coalition's ``odds``, with force ``ally_force``, stakes
    ``join_stakes * share`` and the act's cost ``join_cost``. ``vul`` is m's vulnerability as
    it weighed its options this step; ``started`` (R, I, J) marks j's attackers."""
    joining = Balance(defense=b.defense, attack=b.attack, win=odds, secure=b.secure)
    belief = w.belief_greedy
    doubt = 2.0 * np.sqrt(belief * (1.0 - belief))
    ratio = w.wealth[:, None, :] / w.wealth[:, :, None]
    retaliates = underrated(b.secure[:, None, :], w.hubris[:, :, None], p.hubris_scale)
    emboldened = 1.0 + p.emboldening * (1.0 - w.resolve_view)
    win_effect, fixed, stake_effect, stake_risk = war_parts(
        w,
        joining,
        vul.V,
        lesser_danger(vul.pi, started),
        p,
        doubt,
        ratio,
        conquest_prize(w, p),
        retaliates,
        emboldened,
        cost_factor,
        # The window is m's own foreseen decline against j, not the coalition's passing odds.
        decline=foreseen_decline(w, b, p),
    )
    stakes = p.join_stakes * share
    gain = p.greed_weight * w.greed[:, :, None] * stake_effect
    return (
        p.ally_force * win_effect
        + fixed
        + stakes * (stake_risk + gain)
        - p.cost_weight * p.join_cost
    )


def join_for_spoils(
    w: WorldState,
    b: Balance,
    vul: Vulnerability,
    started: np.ndarray,
    others: np.ndarray,
    streams: Streams,
    p: Parameters,
) -> Spoils:
    """Who joins this step's wars (``started``, (R, I, J): i began a war on j) for the spoils.
    ``others`` (R, N, N) marks pairs already at war this step by another way (allies joining);
    ``vul`` is each state's vulnerability as it weighed its options this step."""
    R, N = w.shape
    none = np.zeros((R, N, N))
    # No war to join, no third state to join it, or nothing to gain by it.
    if N < 3 or p.join_stakes == 0.0 or not started.any():
        return Spoils(none.astype(bool), none, none)
    odds, share = coalition_odds(b, started)
    fighting = started | others
    free = ~(fighting | fighting.transpose(0, 2, 1) | w.alliance | np.eye(N, dtype=bool))
    free &= started.any(axis=1)[:, None, :]  # j is at war
    free &= (w.policy == EXPECTED_UTILITY)[None, :, None]  # a rule does not weigh spoils
    free &= sides_with_attackers(w.trust, started)
    cost_factor = private_cost(streams, N, p.war_cost_dispersion)  # as its decisions weigh
    joins = free & (join_utility(w, b, vul, started, odds, share, cost_factor, p) > 0.0)
    return Spoils(joins, np.where(joins, odds, 0.0), np.where(joins, p.join_stakes * share, 0.0))
