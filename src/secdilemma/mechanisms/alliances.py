"""Alliances at war and after: allies join a victim's war, and third parties balance against an
aggressor (Walt 1987: states balance against threat, and aggressive intent is part of threat).

After i wages a war of aggression on j, every third party m that saw it fears i more and draws
closer to j: its perceived threat of the victim falls, the victim's of m falls too (a common
threat), and trust between them grows, which opens the way to alliances (``friendly``). The
fear of the aggressor makes arming pay more, so third parties arm. These are the "perverse"
consequences of aggression the critique lists: a larger NATO and a remilitarising Europe.
"""

from __future__ import annotations

import numpy as np

from secdilemma.mechanisms.perception.lenses import STRUCTURAL, Reading
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState, linked
from secdilemma.numerics.rng import Stream, Streams


def allies_join(
    w: WorldState, started: np.ndarray, p: Parameters, streams: Streams, step: int
) -> np.ndarray:
    """(R, M, I): m, an ally of a state i attacked, joins the war against i."""
    R, N = w.shape
    if not started.any():  # no war to join (draws are keyed by step: none other moves)
        return np.zeros((R, N, N), dtype=bool)
    defends = linked(w.alliance, started.transpose(0, 2, 1))
    u = streams.uniform(Stream.ALLY, step, (N, N))
    fighting = started | started.transpose(0, 2, 1)
    return defends & (u < p.ally_join) & ~w.alliance & ~fighting & ~np.eye(N, dtype=bool)


def balance_against_aggression(
    w: WorldState, aggression: np.ndarray, reading: Reading, p: Parameters
) -> np.ndarray:
    """Update ``w`` in place for third parties that saw a war of aggression (R, I, J: i
    attacked j by choice); return (R, M, J), m rallied to victim j."""
    R, N = w.shape
    if not aggression.any():  # nobody to balance against: every change below is 0
        return np.zeros((R, N, N), dtype=bool)
    eye = np.eye(N, dtype=bool)
    saw = reading.seen  # (R, M, I)
    rallied = linked(saw, aggression)
    involved = aggression | aggression.transpose(0, 2, 1)
    rallied &= ~involved & ~eye
    alarmed = saw & aggression.any(axis=2)[:, None, :] & ~involved & ~eye  # (R, M, I)

    closer = p.rally * (rallied | rallied.transpose(0, 2, 1))
    w.threat = w.threat * (1.0 - closer)
    w.threat_baseline = w.threat_baseline * (1.0 - closer)
    w.belief_greedy = w.belief_greedy * (1.0 - closer)
    w.trust = w.trust + closer * (1.0 - w.trust)
    feared = p.rally * alarmed
    w.threat = w.threat + feared * (1.0 - w.threat)
    w.threat_baseline = w.threat_baseline + feared * (1.0 - w.threat_baseline)
    # Observers that read intent hold the fear as a belief about the aggressor's type.
    reads_intent = (w.lens != STRUCTURAL)[None, :, None]
    w.belief_greedy = w.belief_greedy + feared * reads_intent * (1.0 - w.belief_greedy)
    w.trust = w.trust * (1.0 - feared)
    return rallied
