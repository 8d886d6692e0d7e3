"""Spirals: pairs that both armed and each felt a rising threat from the other over a window.

A *spiral* between i and j is active at step t (t >= 2) when, over a bias-corrected
exponentially weighted window of ``spiral_window`` steps, both armed in most steps and each
one's perceived threat of the other rose on average by at least ``spiral_min_rise`` per window.
A *tragic* spiral is one between two security seekers (true greed at most ``seeker_greed``)
that ends with neither more secure than at the start (within ``security_tolerance``).
"""

from __future__ import annotations

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState


class SpiralRecord:
    def __init__(self, w: WorldState, security_start: np.ndarray, p: Parameters) -> None:
        R, N = w.shape
        self.p = p
        self.alpha = 2.0 / (p.spiral_window + 1.0)
        self.security_start = security_start
        self.greed = w.greed.copy()
        self.prev_threat = w.threat.copy()
        self.arm_ema = np.zeros((R, N))
        self.rise_ema = np.zeros((R, N, N))
        self.spiral_pair = np.zeros((R, N, N), dtype=bool)

    def record(self, step: Step) -> None:
        t, w = step.t, step.w
        rising = w.threat - self.prev_threat
        self.prev_threat = w.threat.copy()
        a = self.alpha
        self.arm_ema = (1 - a) * self.arm_ema + a * (step.armed > 0)
        self.rise_ema = (1 - a) * self.rise_ema + a * rising
        # Bias-corrected averages (they start at zero), so a spiral in the first window counts;
        # at least three steps are needed for a "sustained" stretch.
        if t >= 2:
            weight = 1.0 - (1.0 - a) ** (t + 1)
            arm, rise_rate = self.arm_ema / weight, self.rise_ema / weight
            arming = arm > 0.5
            both_arm = arming[:, :, None] & arming[:, None, :]
            fear = rise_rate > self.p.spiral_min_rise / self.p.spiral_window
            both_fear = fear & fear.transpose(0, 2, 1)
            self.spiral_pair |= both_arm & both_fear

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        seekers = self.greed <= self.p.seeker_greed
        no_safer = security <= self.security_start + self.p.security_tolerance
        ok = seekers & no_safer
        tragic = self.spiral_pair & ok[:, :, None] & ok[:, None, :]
        return {"spiral_pair": self.spiral_pair, "tragic_pair": tragic}
