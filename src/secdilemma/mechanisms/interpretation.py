"""Interpretation as a choice: a state whose charity is chosen (``charity_choice`` in the
scenario) sets its charity toward each other state every step, by expected utility.

The choice is made from what the evidence itself says, not from the framed belief the charity
produces: each chooser keeps, beside its framed belief, the belief a plain Bayesian reader of
the same acts would hold (``WorldState.belief_evidence``). A choice made from the framed belief
would feed on itself (a generous reading of a greedy state would keep its belief low, and so
its reading generous); a reader who *chooses* a frame knows what it is discounting.

The rule (docs/model.md section 11), for chooser k reading state i, with b the evidence's
probability that i is greedy:

    e      = beta * 2 M_i / (M_i + M_k)          (what a greedy i could do with k's trust)
    mean   = (1 - b) - b * e                     (gain per unit of generosity)
    spread = b (1 - b) (1 + e)^2                 (its variance under doubt about i's type)
    c      = clip(1/2 + mean / (charity_risk * prudence_k * spread), low_k, high_k)

Generosity (c above 1/2) gains where i is a security seeker (a spiral avoided) and loses where
it is greedy (exploitation, in proportion to what i's forces could do); suspicion the reverse.
Prudence weighs the spread: a prudent reader in doubt stays near the unbiased reading 1/2,
while a reader without prudence goes all the way to ``high`` or ``low`` on the sign of the mean
(Herz 1950 on prudence; Booth and Wheeler 2008 on security dilemma sensibility; Jervis 1976
on the cost of reading a security seeker as an aggressor).
"""

from __future__ import annotations

import numpy as np

from secdilemma.mechanisms.conflict import relative_size
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.logodds import shifted


def exposure(w: WorldState) -> np.ndarray:
    """(R, K, I): what i's forces could do to k if k's trust were misplaced, on the scale of the
    structural threat signal (the offense-defense balance times i's relative size)."""
    M = w.military()
    return w.offense_defense_balance[:, None, None] * relative_size(M, M)


def chosen_charity(
    belief: np.ndarray,
    exposure: np.ndarray,
    prudence: np.ndarray,
    bounds: np.ndarray,
    risk: float,
) -> np.ndarray:
    """(R, K, I) the charity each reader k chooses toward each i: the mean-variance optimum of
    docs/model.md section 11, within k's ``bounds`` (N, 2). ``prudence`` is (R, K)."""
    b = np.clip(belief, 0.0, 1.0)
    mean = (1.0 - b) - b * exposure
    spread = b * (1.0 - b) * (1.0 + exposure) ** 2
    weight = risk * prudence[:, :, None] * spread
    low, high = bounds[None, :, 0, None], bounds[None, :, 1, None]
    # Where nothing weighs the spread (no prudence, or no doubt left) the optimum is a corner.
    corner = np.where(mean > 0.0, high, low)
    with np.errstate(divide="ignore", invalid="ignore"):
        interior = 0.5 + mean / weight
    return np.clip(np.where(weight > 0.0, interior, corner), low, high)


def update_evidence(w: WorldState, evidence: np.ndarray, seen: np.ndarray) -> None:
    """Move the unframed belief by this step's evidence (log-odds, (R, K, I)) where seen."""
    if w.belief_evidence is None:
        return
    eye = np.eye(w.shape[1], dtype=bool)
    updated = shifted(w.belief_evidence, np.where(seen, evidence, 0.0))
    w.belief_evidence = np.where(eye, 0.0, updated)


def choose_charity(w: WorldState, p: Parameters) -> None:
    """Set the chosen charity of every state whose charity is a choice, and restore the
    starting charity of every state that holds it, in place."""
    if w.charity_choice is None:
        return
    held = w.charity_choice[:, 0] < 0
    choosers = ~np.isnan(w.charity_choice[:, 0]) & ~held
    charity = np.where(held[None, :, None], w.charity_start, w.frame_charity)
    if choosers.any():
        chosen = chosen_charity(
            w.belief_evidence, exposure(w), w.prudence, w.charity_choice, p.charity_risk
        )
        charity = np.where(choosers[None, :, None], chosen, charity)
    w.frame_charity = charity
