"""Foreseen power shifts and the preventive motive (Fearon 1995, "Rationalist Explanations for
War": a state whose relative power will decline cannot trust the rising state to keep a deal
made today, so war now may beat a worse bargain later).

A state i foresees, ``foresight`` steps ahead, j's forces growing with j's economy and j
joining the alliances that promised it membership (a neighbour "slipping into" a rival bloc).
The foreseen decline is how far i's chance of defeating j falls.
"""

from __future__ import annotations

import numpy as np

from secdilemma.mechanisms.conflict import Balance, allied_support, own_defense
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState, bloc_extension
from secdilemma.numerics.fast import compiled, numba_enabled


def future_alliances(w: WorldState) -> np.ndarray:
    """(R, N, N) the alliances once every promised member has joined its promiser's bloc."""
    return w.alliance | w.prospect | bloc_extension(w.alliance, w.prospect)


def foreseen_decline(w: WorldState, b: Balance, p: Parameters) -> np.ndarray:
    """(R, I, J) the fall in i's chance of defeating j that i foresees, at least 0. The
    compiled form (``[fast]``) takes the same operations in the same order after the growth
    factor and the future alliances, the support summed as ``np.einsum`` sums it."""
    growth = (1.0 + w.growth) ** p.foresight  # forces grow with the economy that pays for them
    allied = future_alliances(w)
    # compiled: 3.6x at 2 states, 2.0x at 20 (python -m benchmarks --only kernels)
    if numba_enabled():
        decline = np.empty(allied.shape)
        _decline_compiled(
            w.offense,
            w.defense,
            growth,
            w.offense_defense_balance,
            allied,
            w.reach,
            b.win,
            p.offense_defends,
            p.alliance_commitment,
            decline,
        )
        return decline
    own = own_defense(w, p) * growth
    if allied.any():
        support = np.einsum("rjm,rm,mj->rj", allied.astype(float), own, w.reach)
    else:  # no ally, present or future: no support (and no sum)
        support = np.zeros_like(own)
    defense = own + p.alliance_commitment * support
    attack = (w.offense_defense_balance[:, None, None] * (w.offense * growth)[:, :, None]) * w.reach
    total = attack + defense[:, None, :]
    later = np.divide(attack, total, out=np.zeros_like(attack), where=total > 0)
    # No state plans a preventive war on a future ally.
    decline = np.where(allied, 0.0, b.win - later)
    return np.maximum(decline, 0.0)


def _decline_kernel(
    offense, defense, growth, beta, allied, reach, win, offense_defends, commitment, out
):
    R, N = offense.shape
    own = np.empty(N)
    later_defense = np.empty(N)
    for r in range(R):
        for j in range(N):
            own[j] = (defense[r, j] + offense_defends * offense[r, j]) * growth[r, j]
        for j in range(N):
            later_defense[j] = own[j] + commitment * allied_support(allied, r, j, own, reach)
        for i in range(N):
            strength = beta[r] * (offense[r, i] * growth[r, i])
            for j in range(N):
                attack = strength * reach[i, j]
                total = attack + later_defense[j]
                later = attack / total if total > 0 else 0.0
                decline = 0.0 if allied[r, i, j] else win[r, i, j] - later
                out[r, i, j] = decline if decline >= 0.0 or decline != decline else 0.0


_decline_compiled = compiled(_decline_kernel)
