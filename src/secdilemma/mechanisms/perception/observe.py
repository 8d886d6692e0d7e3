"""Observe: which acts each observer sees, and the symmetric noise on what it sees.

Monitoring between observer and actor raises the chance of seeing covert acts and scales the
noise down by ``1 - monitoring``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.mechanisms.decision import Choice
from secdilemma.model.actions import Catalog
from secdilemma.model.world import WorldState
from secdilemma.numerics.rng import Stream, Streams


@dataclass(frozen=True)
class Observation:
    seen: np.ndarray  # (R, K, I) observer k saw actor i's act
    noise: np.ndarray  # (R, K, I) standard-normal error scaled by the world's noise


def observe(
    w: WorldState, choice: Choice, cat: Catalog, streams: Streams, step: int
) -> Observation:
    R, N = w.shape
    a = choice.action
    visibility = cat.visibility[a][:, None, :]  # (R, 1, I)
    covert = cat.covert[a][:, None, :]
    # Monitoring between observer and actor detects covert acts the observer would miss.
    detect = np.where(covert, visibility + (1 - visibility) * w.monitoring, visibility)
    u = streams.uniform(Stream.OBSERVE, step, (N, N))
    seen = u < detect
    eye = np.eye(N, dtype=bool)
    seen = np.where(eye, False, seen)  # a state does not "observe" its own act
    waited = a == cat.index("wait")
    seen &= ~waited[:, None, :]
    # Monitoring also makes the pair transparent to each other: inspections replace guesswork.
    scale = w.observation_noise[:, None, None] * (1.0 - w.monitoring)
    noise = streams.normal(Stream.NOISE, step, (N, N)) * scale
    return Observation(seen=seen, noise=np.where(seen, noise, 0.0))
