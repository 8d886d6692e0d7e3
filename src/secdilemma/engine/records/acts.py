"""Acts: what each state did each step, whether a scheduled event made it, and the escalation
score (Rivera et al. 2024) of the step."""

from __future__ import annotations

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.model.actions import Catalog
from secdilemma.model.world import WorldState


class ActsRecord:
    def __init__(self, shape: tuple[int, int], steps: int, cat: Catalog) -> None:
        R, N = shape
        self.cat = cat
        self.escalation = np.zeros((steps, R))
        self.actions = np.zeros((steps, R, N), dtype=np.int16)
        self.targets = np.zeros((steps, R, N), dtype=np.int16)
        self.scheduled = np.zeros((steps, R, N), dtype=bool)

    def record(self, step: Step) -> None:
        t, choice = step.t, step.choice
        self.actions[t] = choice.action
        self.targets[t] = choice.target
        self.scheduled[t] = choice.scheduled
        self.escalation[t] = self.cat.escalation[choice.action].sum(axis=1)

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "escalation": self.escalation,
            "actions": self.actions,
            "targets": self.targets,
            "scheduled": self.scheduled,
        }
