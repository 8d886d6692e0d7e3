"""Scalar helpers of the agents' arithmetic (log-odds, charity, hubris) and :class:`Reading`,
how one observer read one other state's act."""

from __future__ import annotations

import math
from dataclasses import dataclass

_EDGE = 1e-9  # probabilities are kept this far from 0 and 1 before taking log-odds


def expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def logit(p: float) -> float:
    """Log-odds of ``p``, clipped to [1e-9, 1 - 1e-9] first."""
    p = min(max(p, _EDGE), 1.0 - _EDGE)
    return math.log(p / (1.0 - p))


def charitable(evidence: float, charity: float) -> float:
    """Evidence read through charity: hostile evidence weighs min(1, (1 - c) / c), benign
    evidence min(1, c / (1 - c))."""
    c = min(max(charity, 1e-6), 1.0 - 1e-6)
    if evidence > 0:
        return min(1.0, (1.0 - c) / c) * evidence
    return min(1.0, c / (1.0 - c)) * evidence


def hubristic(win: float, hubris: float, scale: float) -> float:
    """A state's own estimate of its chance of winning, raised in log-odds by its hubris."""
    return expit(logit(win) + scale * hubris)


def underrated(chance: float, hubris: float, scale: float) -> float:
    """A hubristic state's estimate of the other side's resolve; a zero chance stays zero."""
    return expit(logit(chance) - scale * hubris) if chance > 0 else 0.0


@dataclass(slots=True)
class Reading:
    """How this observer read one other state's act this step (docs/model.md, section 8)."""

    capability: float  # structural signal, with the observation noise
    intent: float  # the act's intent toward the observer, as the actor rates it
    hostility: float  # the intent the observer reads into it (its frame, if interpretive)
    perceived: float  # its overall reading through its lens
    llr: float  # bounded log-likelihood ratio of the act, greedy against security seeker
    noise: float
    talk: bool  # cheap talk addressed to the observer
    bogus: bool
    accommodation: bool  # a concession to the observer, read benignly
    concession: bool  # a concession to the observer, however read
