"""Learn: grievance and trust evolve from what each state read into the others' acts.

Trust falls fast after a hostile reading and rebuilds slowly after friendly ones (Walt: "trust
once lost is hard to regain"); grievance is a decaying memory (an exponential average, in
[0, 1]) of hostile readings.
"""

from __future__ import annotations

import numpy as np

from secdilemma.scenario import Parameters
from secdilemma.world import WorldState


def learn(w: WorldState, p: Parameters) -> None:
    hostile = np.maximum(w.read_hostility, 0.0)
    friendly = np.maximum(-w.read_hostility, 0.0)
    w.grievance = (1.0 - p.grievance_decay) * w.grievance + p.grievance_decay * np.minimum(
        hostile, 1.0
    )
    lost = p.trust_loss * np.minimum(hostile, 1.0) * w.trust
    regained = p.trust_gain * np.minimum(friendly, 1.0) * (1.0 - w.trust)
    w.trust = np.clip(w.trust - lost + regained, 0.0, 1.0)
