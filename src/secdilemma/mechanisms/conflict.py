"""The military balance, actual security, and war: who could defeat whom, and what a war does.

Attack strength of i against j is ``A[i, j] = beta * offense_i * reach_ij`` (beta is the
offense-defense balance); the defence of j is its own defence, part of its offense, and a
committed share of its allies' defence, reach-weighted. i defeats j with probability
``A / (A + Def_j)``. A secure second strike of share ``s_j = deterrent_j / (deterrent_j + h)``
makes a victory over j a nuclear catastrophe with probability ``s_j``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics import logodds
from secdilemma.numerics.fast import compiled, numba_enabled
from secdilemma.numerics.rng import Stream, Streams


@dataclass(frozen=True)
class Balance:
    defense: np.ndarray  # (R, N) total defence, allies included
    attack: np.ndarray  # (R, N, N) attack strength of i against j
    win: np.ndarray  # (R, N, N) probability that i defeats j if it attacks
    secure: np.ndarray  # (R, N) share of the deterrent that survives a first strike


def relative_size(actor: np.ndarray, observer: np.ndarray) -> np.ndarray:
    """(R, K, I) ``2 M_i / (M_i + M_k)``: actor i's forces (R, I) against observer k's (R, K),
    1 between equals; the scale of what i's capability means to k (docs/model.md section 8)."""
    return 2.0 * actor[:, None, :] / np.maximum(actor[:, None, :] + observer[:, :, None], 1e-12)


def own_defense(w: WorldState, p: Parameters) -> np.ndarray:
    return w.defense + p.offense_defends * w.offense


def military_balance(w: WorldState, p: Parameters) -> Balance:
    """Who could defeat whom. The compiled form (``[fast]``) makes one pass over the block with
    the same operations in the same order, the allies' support summed ally by ally as
    ``np.einsum`` sums it (``tests/test_fast.py`` checks the bits)."""
    # compiled: 5.5x at 2 states, 3.4x at 20 (python -m benchmarks --only kernels)
    if numba_enabled():
        R, N = w.shape
        defense, secure = np.empty((R, N)), np.empty((R, N))
        attack, win = np.empty((R, N, N)), np.empty((R, N, N))
        _balance_compiled(
            w.offense,
            w.defense,
            w.deterrent,
            w.deterrent_half,
            w.offense_defense_balance,
            w.alliance,
            w.reach,
            p.offense_defends,
            p.alliance_commitment,
            defense,
            attack,
            win,
            secure,
        )
        return Balance(defense=defense, attack=attack, win=win, secure=secure)
    own = own_defense(w, p)
    # Allies help in proportion to their defence and their reach to the ally (a world without
    # alliances adds 0, and skips the sum).
    if w.alliance.any():
        allied = np.einsum("rij,rj,ji->ri", w.alliance.astype(float), own, w.reach)
    else:
        allied = np.zeros_like(own)
    defense = own + p.alliance_commitment * allied
    attack = (w.offense_defense_balance[:, None, None] * w.offense[:, :, None]) * w.reach[None]
    total = attack + defense[:, None, :]
    win = np.divide(attack, total, out=np.zeros_like(attack), where=total > 0)
    win = np.where(w.alliance, 0.0, win)
    secure = w.deterrent / (w.deterrent + w.deterrent_half[:, None])
    return Balance(defense=defense, attack=attack, win=win, secure=secure)


def _support_kernel(allied, r, i, own, reach):
    """The support ``i``'s allies give it in replicate ``r``, ``sum_j allied[r, i, j] * own[j] *
    reach[j, i]``, in ``np.einsum``'s order: ally by ally, each product left to right (a
    non-ally's term, 0 * own * reach, is +0 and is left out)."""
    support = 0.0
    for j in range(own.shape[0]):
        if allied[r, i, j]:
            support += 1.0 * own[j] * reach[j, i]
    return support


allied_support = compiled(_support_kernel, inline=True)


def _balance_kernel(
    offense,
    defense,
    deterrent,
    half,
    beta,
    alliance,
    reach,
    offense_defends,
    commitment,
    defense_out,
    attack_out,
    win_out,
    secure_out,
):
    R, N = offense.shape
    own = np.empty(N)
    for r in range(R):
        for i in range(N):
            own[i] = defense[r, i] + offense_defends * offense[r, i]
        for i in range(N):
            defense_out[r, i] = own[i] + commitment * allied_support(alliance, r, i, own, reach)
        for i in range(N):
            strength = beta[r] * offense[r, i]
            for j in range(N):
                attack = strength * reach[i, j]
                total = attack + defense_out[r, j]
                attack_out[r, i, j] = attack
                win = attack / total if total > 0 else 0.0
                win_out[r, i, j] = 0.0 if alliance[r, i, j] else win
            secure_out[r, i] = deterrent[r, i] / (deterrent[r, i] + half[r])


_balance_compiled = compiled(_balance_kernel)


def actual_security(b: Balance) -> np.ndarray:
    """1 - the largest probability that some other state would defeat i, second strike counted."""
    # compiled: 14.1x at 2 states, 1.7x at 20 (python -m benchmarks --only kernels)
    if numba_enabled():
        security = np.empty(b.secure.shape)
        _security_compiled(b.win, b.secure, security)
        return security
    defeat = b.win.max(axis=1) * (1.0 - b.secure)
    return 1.0 - defeat


def _security_kernel(win, secure, out):
    R, N = secure.shape
    for r in range(R):
        for i in range(N):
            strongest = win[r, 0, i]
            for k in range(1, N):
                v = win[r, k, i]
                if v > strongest or v != v:  # np.max: the largest, or NaN
                    strongest = v
                if strongest != strongest:
                    break
            out[r, i] = 1.0 - strongest * (1.0 - secure[r, i])


_security_compiled = compiled(_security_kernel)


def hubristic(win: np.ndarray, hubris: np.ndarray, scale: float) -> np.ndarray:
    """A state's own estimate of its chance of winning, shifted up in log-odds by its hubris."""
    return logodds.scaled(win, np.exp(scale * hubris)[..., None])


def underrated(chance: np.ndarray, hubris: np.ndarray, scale: float) -> np.ndarray:
    """A hubristic state's estimate of the other side's resolve, shifted down in log-odds.

    ``chance`` and ``hubris`` must broadcast against each other; a zero chance stays zero.
    """
    return np.where(chance > 0, logodds.scaled(chance, np.exp(-scale * hubris)), 0.0)


@dataclass(frozen=True)
class Outbreak:
    """This step's wars by how they began; arrays are (R, I, J), i fights j."""

    deliberate: np.ndarray  # i chose a war act against j (a war of aggression)
    provoked: np.ndarray  # j's act of force provoked i into striking back
    inadvertent: np.ndarray  # i struck j in a crisis after an alarm (crisis.py)
    joined: np.ndarray  # i joined a war against j on the side of j's victim, its ally
    bandwagon: np.ndarray  # i joined a war on j, begun by another, for the spoils

    @property
    def started(self) -> np.ndarray:
        return self.deliberate | self.provoked | self.inadvertent | self.joined | self.bandwagon


@dataclass(frozen=True)
class WarOutcome:
    started: np.ndarray  # (R, N, N) i attacked j this step (a nuclear attack included)
    initiator_won: np.ndarray  # (R, N, N)
    retaliation: np.ndarray  # (R, N, N) j struck back with nuclear forces
    initiator_loss: np.ndarray  # (R, N, N) share of its forces the initiator i lost to j
    fought: bool = True  # some war or nuclear attack in the block this step (else all False)


def resolve_wars(
    w: WorldState,
    b: Balance,
    attacks: np.ndarray,
    force: np.ndarray,
    stakes: np.ndarray,
    nuclear_attacks: np.ndarray,
    p: Parameters,
    streams: Streams,
    step: int,
    odds: np.ndarray | None = None,
) -> WarOutcome:
    """Resolve this step's wars and nuclear attacks in place on ``w``.

    ``attacks[r, i, j]`` marks i opening a war on j with ``force`` and ``stakes`` (R, N, N),
    won by i with chance ``odds`` (default ``b.win``; a state joining a war for the spoils
    fights at the coalition's odds). A state may fight several wars in a step; their losses
    compound multiplicatively.
    """
    win = b.win if odds is None else odds
    R, N = w.shape
    if not (attacks.any() or nuclear_attacks.any()):
        # No war in the block this step (most steps of most worlds): every loss is 0 and every
        # factor 1, so only the floor on wealth acts. Draws are keyed by step: skipping them
        # moves no other draw.
        w.wealth = np.maximum(w.wealth, 1e-9)
        none = np.zeros((R, N, N), dtype=bool)
        return WarOutcome(none, none, none, np.zeros((R, N, N)), fought=False)
    u = streams.uniform(Stream.WAR, step, (N, N))
    won = attacks & (u < win)
    lost = attacks & ~won
    # A defeated state with a secure second strike retaliates with probability s.
    u_ret = streams.uniform(Stream.RETALIATION, step, (N, N))
    retaliate = (won | nuclear_attacks) & (u_ret < b.secure[:, None, :])

    loss_initiator = np.where(won, p.winner_loss, p.loser_loss) * force * attacks
    loss_target = np.where(won, p.loser_loss, p.winner_loss) * force * attacks
    capability_keep = np.exp(
        np.log1p(-np.clip(loss_initiator, 0, 0.999)).sum(axis=2)
        + np.log1p(-np.clip(loss_target, 0, 0.999)).sum(axis=1)
    )
    catastrophe = np.where(retaliate, 0.5, 0.0)
    catastrophe_keep = np.exp(np.log1p(-catastrophe).sum(axis=2))
    w.offense *= capability_keep * catastrophe_keep
    w.defense *= capability_keep * catastrophe_keep

    # A lopsided war is short and cheap for both sides (``war_parts.intensity``).
    cost = p.war_cost * force * attacks * (4.0 * win * (1.0 - win))
    wealth_keep = np.exp(np.log1p(-cost).sum(axis=2) + np.log1p(-cost).sum(axis=1))
    # War cuts the trade between the two: the dependent side loses that share of its economy,
    # the supplier the matching revenue.
    struck = attacks | nuclear_attacks
    fighting = struck | struck.transpose(0, 2, 1)
    cut = fighting * w.dependence * w.wealth[:, :, None]  # [buyer, supplier]
    trade_lost = cut.sum(axis=2) + p.supplier_share * cut.sum(axis=1)
    # The winner takes the stakes from the loser.
    take_from_target = stakes * won * w.wealth[:, None, :]
    take_from_initiator = stakes * lost * w.wealth[:, :, None]
    gained = take_from_target.sum(axis=2) + take_from_initiator.sum(axis=1)
    given = take_from_target.sum(axis=1) + take_from_initiator.sum(axis=2)
    w.wealth = np.maximum(
        (w.wealth - given + gained - trade_lost) * wealth_keep * catastrophe_keep, 1e-9
    )
    kept = (1.0 - np.clip(loss_initiator, 0, 0.999)) * (1.0 - catastrophe)
    return WarOutcome(
        started=attacks | nuclear_attacks,
        initiator_won=won,
        retaliation=retaliate,
        initiator_loss=np.where(attacks, 1.0 - kept, 0.0),
    )
