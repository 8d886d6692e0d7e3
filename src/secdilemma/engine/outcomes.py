"""What one block of replicates produced: every outcome array, replicate axis first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Outcomes:
    """Everything one block of replicates produced, as arrays with the replicate axis first."""

    war: np.ndarray  # (R,) bool
    war_pair: np.ndarray  # (R, N, N) bool, symmetric
    n_wars: np.ndarray  # (R,)
    first_war_step: np.ndarray  # (R,) -1 when none
    first_war_initiator: np.ndarray  # (R,) state index, -1 when none
    first_war_target: np.ndarray
    first_war_winner: np.ndarray
    spiral_pair: np.ndarray  # (R, N, N) bool
    tragic_pair: np.ndarray  # (R, N, N) bool
    security_start: np.ndarray  # (R, N)
    security_end: np.ndarray
    arms_start: np.ndarray
    arms_end: np.ndarray
    wealth_start: np.ndarray  # (R, N)
    wealth_end: np.ndarray
    belief_end: np.ndarray  # (R, N, N)
    threat_end: np.ndarray
    greed: np.ndarray  # (R, N) true motives
    attribution_sum: np.ndarray  # (R, N, N) sum over seen acts of (i's reading - j's own rating)
    attribution_count: np.ndarray  # (R, N, N) acts of j that i saw
    benign_seen: np.ndarray  # (R,) counts over the run
    hostile_seen: np.ndarray
    false_alarms: np.ndarray
    misses: np.ndarray
    lies_revealed: np.ndarray  # (R,)
    initiator_loss: np.ndarray  # (R,) summed share of forces initiators lost
    wars_deliberate: np.ndarray  # (R,) wars begun by each cause (conflict.Outbreak)
    wars_provoked: np.ndarray
    wars_inadvertent: np.ndarray
    wars_joined: np.ndarray
    wars_bandwagon: np.ndarray
    accidental_war: np.ndarray  # (R,) bool: an inadvertent war between two security seekers
    aggressor: np.ndarray  # (R, N) bool: the state waged a war of aggression
    aggression_step: np.ndarray  # (R, N, N) first step i waged a war of aggression on j, -1
    record_reproduced: np.ndarray  # (R, F) each record fact's war happened (compare `occurred`)
    unscheduled_war: np.ndarray  # (R,) bool: a war not opened by a scheduled event
    unscheduled_war_pair: np.ndarray  # (R, N, N) bool, symmetric: the same, per pair
    nuclear_use: np.ndarray  # (R,) bool: a nuclear attack or a nuclear retaliation
    incidents: np.ndarray  # (R,) military incidents (per pair)
    violations: np.ndarray  # (R,) agreement violations (per violator and partner)
    violations_detected: np.ndarray
    verification_false_alarms: np.ndarray  # (R,) reports of violations that did not happen
    verified_steps: np.ndarray  # (R,) pair-steps under an agreement (per observer)
    alliance_end: np.ndarray  # (R, N, N) bool
    agreement_end: np.ndarray
    trust_end: np.ndarray
    escalation: np.ndarray  # (T, R) per-step escalation score
    actions: np.ndarray  # (T, R, N) catalogue index
    targets: np.ndarray  # (T, R, N)
    scheduled: np.ndarray  # (T, R, N)
    state_traj: np.ndarray | None  # (T + 1, R, N, len(STATE_VARIABLES)) float32
    pair_traj: np.ndarray | None  # (T + 1, R, N, N, len(PAIR_VARIABLES)) float32

    @property
    def spiral(self) -> np.ndarray:
        return self.spiral_pair.any(axis=(1, 2))

    @property
    def tragic_spiral(self) -> np.ndarray:
        return self.tragic_pair.any(axis=(1, 2))
