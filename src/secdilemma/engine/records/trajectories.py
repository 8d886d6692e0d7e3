"""Trajectories: each state's capabilities and security, and each pair's view of the other,
at the start and after every step (single precision; only when asked for)."""

from __future__ import annotations

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.model.world import WorldState

STATE_VARIABLES = ("offense", "defense", "deterrent", "wealth", "security", "perceived_security")
PAIR_VARIABLES = (
    "threat",
    "belief_greedy",
    "grievance",
    "trust",
    "charity",
    "credibility",
    "belief_gap",
    "threat_gap",
    "attribution",
)


class TrajectoryRecord:
    def __init__(
        self, w: WorldState, security: np.ndarray, perceived: np.ndarray, steps: int
    ) -> None:
        R, N = w.shape
        self.state_traj = np.zeros((steps + 1, R, N, len(STATE_VARIABLES)), np.float32)
        self.pair_traj = np.zeros((steps + 1, R, N, N, len(PAIR_VARIABLES)), np.float32)
        self._snapshot(0, w, security, perceived, np.full(w.threat.shape, np.nan))

    def record(self, step: Step) -> None:
        attribution = np.where(step.reading.seen, step.gap, np.nan)
        self._snapshot(step.t + 1, step.w, step.security, step.perceived, attribution)

    def _snapshot(
        self,
        row: int,
        w: WorldState,
        security: np.ndarray,
        perceived: np.ndarray,
        attribution: np.ndarray,
    ) -> None:
        for n, x in enumerate((w.offense, w.defense, w.deterrent, w.wealth, security, perceived)):
            self.state_traj[row, ..., n] = x
        truth = w.greed[:, None, :]
        for n, x in enumerate(
            (
                w.threat,
                w.belief_greedy,
                w.grievance,
                w.trust,
                w.frame_charity,
                w.credibility_view,
                w.belief_greedy - truth,
                w.threat - truth,
                attribution,
            )
        ):
            self.pair_traj[row, ..., n] = x

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        return {"state_traj": self.state_traj, "pair_traj": self.pair_traj}
