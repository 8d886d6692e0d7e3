"""Crises: how a misread act or an accident escalates to a war nobody chose.

An observer k *alarmed* by something it saw of i (an act read as more hostile than
``alarm_threshold``, or a military incident between them) may strike first. The hazard grows with
the alarm, with how much striking first pays (Schelling's reciprocal fear of surprise attack: the
offense-defense balance sets both sides' first-strike odds, and a secure second strike on either
side removes the incentive), and with k's fear of i; a hotline between the pair lets leaders
defuse most such crises. docs/model.md gives the equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.mechanisms.conflict import Balance, hubristic
from secdilemma.mechanisms.perception.lenses import Reading
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.rng import Stream, Streams


@dataclass(frozen=True)
class Crisis:
    escalated: np.ndarray  # (R, K, I) k strikes i in a crisis it did not choose
    incident: np.ndarray  # (R, K, I) bool: a military incident between k and i, seen by k
    alarm: np.ndarray  # (R, K, I) how far k's reading of i exceeded the alarm threshold


def first_strike_pressure(w: WorldState, b: Balance, p: Parameters) -> np.ndarray:
    """(R, K, I) in [0, 1]: the reciprocal fear of surprise attack between k and i.

    ``min(win_ki, win_ik)``: the smaller of k's odds striking first and i's odds if i strikes
    first, so the pressure is high only where both could win by striking first (offense
    dominance between comparable states); a weak state gains little by striking a strong one
    first, and a strong one has no first strike to fear from a weak one (the pressure is the
    weaker side's odds). It counts only where neither side's retaliation survives a first
    strike, ``(1 - s_k)(1 - s_i)``.
    """
    first = hubristic(b.win, w.hubris, p.hubris_scale)  # k's own estimate, hubris included
    second = b.win.transpose(0, 2, 1)  # i's odds against k if i strikes first
    exposed = (1.0 - b.secure)[:, :, None] * (1.0 - b.secure)[:, None, :]
    return np.minimum(first, second) * exposed


def incidents(
    w: WorldState, p: Parameters, streams: Streams, step: int
) -> tuple[np.ndarray, np.ndarray]:
    """Military incidents per unordered pair, more likely the nearer the two; each side reads
    the incident's hostility through its own noise. Returns the (R, K, I) incidents and k's
    reading of each (-inf where there was none)."""
    R, N = w.shape
    u = streams.uniform(Stream.INCIDENT, step, (N, N))
    upper = (u < p.incident_rate * w.reach[None]) & np.triu(np.ones((N, N), dtype=bool), k=1)
    incident = upper | upper.transpose(0, 2, 1)
    read = np.full((R, N, N), -np.inf)
    if incident.any():  # incidents are rare: only their normal variates are computed
        scale = w.observation_noise[:, None, None] * (1.0 - w.monitoring)
        noise = streams.normal_at(Stream.INCIDENT_NOISE, step, (N, N), incident)
        read[incident] = p.incident_severity + noise * scale[incident]
    return incident, read


def escalate(
    w: WorldState,
    b: Balance,
    reading: Reading,
    p: Parameters,
    streams: Streams,
    step: int,
) -> Crisis:
    R, N = w.shape
    incident, incident_read = incidents(w, p, streams, step)
    read = np.maximum(np.where(reading.seen, reading.perceived, -np.inf), incident_read)
    alarm = np.maximum(read - p.alarm_threshold, 0.0)
    pressure = first_strike_pressure(w, b, p)
    calm = 1.0 - p.hotline_effect * w.hotline
    hazard = p.escalation_rate * alarm * pressure * w.threat * calm
    chance = -np.expm1(-hazard)
    u = streams.uniform(Stream.ESCALATE, step, (N, N))
    escalated = (u < chance) & ~w.alliance & ~np.eye(N, dtype=bool)
    return Crisis(escalated=escalated, incident=incident, alarm=alarm)
