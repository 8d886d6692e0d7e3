"""Perception: how far each observer's reading of an act was from the actor's own rating
(attribution), and how often acts were read as benign or hostile, falsely alarming or missed."""

from __future__ import annotations

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.engine.records.tallies import Tallies
from secdilemma.model.world import WorldState


class PerceptionRecord:
    def __init__(self, shape: tuple[int, int]) -> None:
        R, N = shape
        self.attribution_sum = np.zeros((R, N, N))
        self.attribution_count = np.zeros((R, N, N), dtype=np.int64)
        self.tallies = Tallies(shape, ("benign_seen", "hostile_seen", "false_alarms", "misses"))

    def record(self, step: Step) -> None:
        reading = step.reading
        seen = reading.seen
        self.attribution_sum += np.where(seen, step.gap, 0.0)
        self.attribution_count += seen
        self.tallies.add("benign_seen", reading.benign_seen)
        self.tallies.add("hostile_seen", reading.hostile_seen)
        self.tallies.add("false_alarms", reading.false_alarm)
        self.tallies.add("misses", reading.miss)

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "attribution_sum": self.attribution_sum,
            "attribution_count": self.attribution_count,
            **self.tallies.totals(),
        }
