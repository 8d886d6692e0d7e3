"""Learn: the frame each state reads others through moves with what it has seen.

* Grievance is a decaying memory (an exponential average, in [0, 1]) of hostile readings.
* Trust falls fast after a hostile reading and rebuilds slowly after friendly ones (Walt: "trust
  once lost is hard to regain").
* A concession lowers the receiver's estimate of the giver's resolve (what a greedy receiver
  exploits).
* Social learning: a step in which two states both hold back (neither arms, neither acts with
  hostile intent toward the other) raises each one's charity toward the other and eases its
  grievance; a concession read benignly shifts the frame further (Herz's accommodation).
* A false justification may come to light; the liar's word then counts for less. An act that
  discredits its actor (``discredit`` in the catalogue) costs it credibility with whoever saw it.
* A state whose charity is a choice then chooses it anew from what the evidence now says
  (``interpretation``).
"""

from __future__ import annotations

import numpy as np

from secdilemma.mechanisms.decision import Choice
from secdilemma.mechanisms.interpretation import choose_charity
from secdilemma.mechanisms.perception.lenses import Reading
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.logodds import shifted
from secdilemma.numerics.rng import Stream, Streams


def intended(choice: Choice, cat: Catalog) -> np.ndarray:
    """(R, I, J): the intent of i's act toward j, as i itself rates it."""
    a = choice.action
    toward = choice.aim | (choice.target < 0)[:, :, None]  # its target, or everyone
    return np.where(toward, cat.hostility[a][:, :, None], cat.third_party[a][:, :, None])


def learn(
    w: WorldState,
    reading: Reading,
    choice: Choice,
    armed: np.ndarray,
    cat: Catalog,
    p: Parameters,
    streams: Streams,
    step: int,
) -> np.ndarray:
    """Update grievance, trust, charity and credibility in place; return revealed lies."""
    N = w.shape[1]
    hostile = np.maximum(w.read_hostility, 0.0)
    friendly = np.maximum(-w.read_hostility, 0.0)
    w.grievance = (1.0 - p.grievance_decay) * w.grievance + p.grievance_decay * np.minimum(
        hostile, 1.0
    )
    lost = p.trust_loss * np.minimum(hostile, 1.0) * w.trust
    regained = p.trust_gain * np.minimum(friendly, 1.0) * (1.0 - w.trust)
    w.trust = np.clip(w.trust - lost + regained, 0.0, 1.0)

    restrained = (armed <= 0)[:, :, None] & (intended(choice, cat) <= 0)  # [i, j]
    mutual = restrained & restrained.transpose(0, 2, 1) & ~np.eye(N, dtype=bool)
    shift = p.charity_learning * mutual + p.accommodation_shift * reading.accommodation
    shift = np.clip(shift, 0.0, 1.0)
    w.frame_charity = w.frame_charity + shift * (1.0 - w.frame_charity)
    w.grievance = w.grievance * (1.0 - shift)

    # A concession lowers the receiver's estimate of the giver's resolve, which a greedy
    # receiver turns into a reason to press further.
    w.resolve_view = w.resolve_view * (1.0 - p.appeasement * reading.concession)

    revealed = w.pending_bogus & (streams.uniform(Stream.REVEAL, step, (N, N)) < p.bogus_reveal)
    if revealed.any():
        # The lie's reassurance is withdrawn, and the liar's word counts for less from now on.
        belief = shifted(w.belief_greedy, p.talk_weight * w.credibility_view * revealed)
        w.belief_greedy = np.where(revealed, belief, w.belief_greedy)
        w.threat = np.where(revealed, belief, w.threat)
        if w.belief_evidence is not None:
            withdrawn = shifted(w.belief_evidence, p.talk_weight * w.credibility_view * revealed)
            w.belief_evidence = np.where(revealed, withdrawn, w.belief_evidence)
        w.credibility_view = np.where(
            revealed, w.credibility_view * (1.0 - p.credibility_loss), w.credibility_view
        )
        w.trust = np.where(revealed, w.trust * (1.0 - p.trust_loss), w.trust)
        w.pending_bogus = w.pending_bogus & ~revealed
    discredit = cat.discredit[choice.action]  # (R, I)
    if discredit.any():
        # An act that discredits its actor (an atrocity, a killing it denies) costs it
        # credibility with every state that saw it.
        lost = discredit[:, None, :] * reading.seen
        w.credibility_view = w.credibility_view * (1.0 - lost)
    choose_charity(w, p)
    return revealed
