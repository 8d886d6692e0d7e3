"""Statecraft: military incidents, agreement violations and their detection, false reports of
violations, pair-steps under verification, and bogus explanations found out."""

from __future__ import annotations

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.engine.records.tallies import Tallies
from secdilemma.model.world import WorldState


class StatecraftRecord:
    def __init__(self, shape: tuple[int, int]) -> None:
        names = (
            "lies_revealed",
            "incidents",
            "violations",
            "violations_detected",
            "verification_false_alarms",
            "verified_steps",
        )
        # An incident is marked for both sides of a pair: it counts once.
        self.tallies = Tallies(shape, names, once_per_pair=("incidents",))

    def record(self, step: Step) -> None:
        add, verification = self.tallies.add, step.verification
        add("lies_revealed", step.revealed)
        add("incidents", step.crisis.incident)
        add("violations", verification.violated)
        add("violations_detected", verification.detected)
        add("verification_false_alarms", verification.false_alarm)
        add("verified_steps", verification.bound)

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        return self.tallies.totals()
