"""Endpoints: security, arms and wealth at the start and the end of a run, true motives, and the
final beliefs, threat, trust, alliances and agreements."""

from __future__ import annotations

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.model.world import WorldState


class EndpointRecord:
    def __init__(self, w: WorldState, security_start: np.ndarray) -> None:
        self.security_start = security_start
        self.arms_start = w.military().copy()
        self.wealth_start = w.wealth.copy()
        self.greed = w.greed.copy()

    def record(self, step: Step) -> None:
        """Nothing is kept between the start and the end."""

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "security_start": self.security_start,
            "security_end": security,
            "arms_start": self.arms_start,
            "arms_end": w.military(),
            "wealth_start": self.wealth_start,
            "wealth_end": w.wealth.copy(),
            "belief_end": w.belief_greedy,
            "threat_end": w.threat,
            "greed": self.greed,
            "alliance_end": w.alliance.copy(),
            "agreement_end": w.agreement.copy(),
            "trust_end": w.trust.copy(),
        }
