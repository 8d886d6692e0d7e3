"""Record: per-step trajectories and per-replicate outcomes (wars, spirals, security, arms,
misperception, attribution, false alarms and misses).

A *spiral* between i and j is active at step t (t >= 2) when, over a bias-corrected
exponentially weighted window of ``spiral_window`` steps, both armed in most steps and each
one's perceived threat of the other rose on average by at least ``spiral_min_rise`` per window.
A *tragic* spiral is one between two security seekers (true greed at most ``seeker_greed``)
that ends with neither more secure than at the start (within ``security_tolerance``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.mechanisms.agreements import Verification
from secdilemma.mechanisms.conflict import Outbreak, WarOutcome
from secdilemma.mechanisms.crisis import Crisis
from secdilemma.mechanisms.decision import Choice
from secdilemma.mechanisms.perception.lenses import Reading
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Parameters
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
    accidental_war: np.ndarray  # (R,) bool: an inadvertent war between two security seekers
    aggressor: np.ndarray  # (R, N) bool: the state waged a war of aggression
    aggression_step: np.ndarray  # (R, N, N) first step i waged a war of aggression on j, -1
    record_reproduced: np.ndarray  # (R, F) each record fact's war happened (compare `occurred`)
    unscheduled_war: np.ndarray  # (R,) bool: a war not opened by a scheduled event
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


# Per-replicate counts over the run, tallied per pair (Outcomes has their meanings).
_TALLIES = (
    "benign_seen",
    "hostile_seen",
    "false_alarms",
    "misses",
    "lies_revealed",
    "incidents",
    "violations",
    "violations_detected",
    "verification_false_alarms",
    "verified_steps",
)


class Recorder:
    def __init__(
        self,
        w: WorldState,
        security: np.ndarray,
        perceived: np.ndarray,
        steps: int,
        p: Parameters,
        trajectories: bool,
        facts: list[tuple[int, int, int, int]] = (),
    ) -> None:
        R, N = w.shape
        self.facts = list(facts)  # (actor, target or -1 for any, from_step, by_step)
        self.record_reproduced = np.zeros((R, len(self.facts)), dtype=bool)
        self.unscheduled_war = np.zeros(R, dtype=bool)
        self.p = p
        self.alpha = 2.0 / (p.spiral_window + 1.0)
        self.security_start = security.copy()
        self.arms_start = w.military().copy()
        self.wealth_start = w.wealth.copy()
        self.greed = w.greed.copy()
        self.prev_threat = w.threat.copy()
        self.arm_ema = np.zeros((R, N))
        self.rise_ema = np.zeros((R, N, N))
        self.spiral_pair = np.zeros((R, N, N), dtype=bool)
        self.war_pair = np.zeros((R, N, N), dtype=bool)
        self.n_wars = np.zeros(R, dtype=np.int64)
        self.first_step = np.full(R, -1)
        self.first_initiator = np.full(R, -1)
        self.first_target = np.full(R, -1)
        self.first_winner = np.full(R, -1)
        self.attribution_sum = np.zeros((R, N, N))
        self.attribution_count = np.zeros((R, N, N), dtype=np.int64)
        # Counts are kept per pair and summed over pairs once, at the end: adding a step's
        # (R, N, N) marks costs a fifth of summing them over pairs every step, and integer sums
        # do not depend on the order.
        self.tallies = {name: np.zeros((R, N, N), dtype=np.int32) for name in _TALLIES}
        self.initiator_loss = np.zeros(R)
        self.by_cause = {
            cause: np.zeros(R, dtype=np.int64)
            for cause in ("deliberate", "provoked", "inadvertent", "joined")
        }
        self.accidental_war = np.zeros(R, dtype=bool)
        self.aggressor = np.zeros((R, N), dtype=bool)
        self.aggression_step = np.full((R, N, N), -1, dtype=np.int32)
        self.t = 0
        self.nuclear_use = np.zeros(R, dtype=bool)
        seekers = self.greed <= p.seeker_greed
        self.between_seekers = seekers[:, :, None] & seekers[:, None, :]
        self.escalation = np.zeros((steps, R))
        self.actions = np.zeros((steps, R, N), dtype=np.int16)
        self.targets = np.zeros((steps, R, N), dtype=np.int16)
        self.scheduled = np.zeros((steps, R, N), dtype=bool)
        self.state_traj = None
        self.pair_traj = None
        if trajectories:
            self.state_traj = np.zeros((steps + 1, R, N, len(STATE_VARIABLES)), np.float32)
            self.pair_traj = np.zeros((steps + 1, R, N, N, len(PAIR_VARIABLES)), np.float32)
            self._snapshot(0, w, security, perceived)

    def _snapshot(self, row: int, w: WorldState, security, perceived, attribution=None) -> None:
        if self.state_traj is None:
            return
        for n, x in enumerate((w.offense, w.defense, w.deterrent, w.wealth, security, perceived)):
            self.state_traj[row, ..., n] = x
        truth = w.greed[:, None, :]
        if attribution is None:
            attribution = np.full(w.threat.shape, np.nan)
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

    def record(
        self,
        t: int,
        w: WorldState,
        choice: Choice,
        wars: WarOutcome,
        armed: np.ndarray,
        security: np.ndarray,
        perceived: np.ndarray,
        cat: Catalog,
        reading: Reading,
        revealed: np.ndarray,
    ) -> None:
        self.actions[t] = choice.action
        self.targets[t] = choice.target
        self.scheduled[t] = choice.scheduled
        self.escalation[t] = cat.escalation[choice.action].sum(axis=1)

        if wars.fought:  # no war or nuclear attack in the block this step leaves these as they are
            self._record_wars(t, wars)
        seen = reading.seen
        gap = reading.perceived - reading.intent
        self.attribution_sum += np.where(seen, gap, 0.0)
        self.attribution_count += seen
        tally = self.tallies
        tally["benign_seen"] += reading.benign_seen
        tally["hostile_seen"] += reading.hostile_seen
        tally["false_alarms"] += reading.false_alarm
        tally["misses"] += reading.miss
        tally["lies_revealed"] += revealed

        rising = w.threat - self.prev_threat
        self.prev_threat = w.threat.copy()
        a = self.alpha
        self.arm_ema = (1 - a) * self.arm_ema + a * (armed > 0)
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
        self._snapshot(t + 1, w, security, perceived, np.where(seen, gap, np.nan))

    def _record_wars(self, t: int, wars: WarOutcome) -> None:
        started = wars.started
        fresh = started.any(axis=(1, 2)) & (self.first_step < 0)
        if fresh.any():
            flat = started.reshape(len(started), -1).argmax(axis=1)
            N = started.shape[1]
            i, j = flat // N, flat % N
            won = wars.initiator_won.reshape(len(started), -1)[np.arange(len(started)), flat]
            self.first_step = np.where(fresh, t, self.first_step)
            self.first_initiator = np.where(fresh, i, self.first_initiator)
            self.first_target = np.where(fresh, j, self.first_target)
            self.first_winner = np.where(fresh, np.where(won, i, j), self.first_winner)
        self.initiator_loss += wars.initiator_loss.sum(axis=(1, 2))
        self.war_pair |= started | started.transpose(0, 2, 1)
        self.n_wars += started.sum(axis=(1, 2))

    def record_statecraft(
        self,
        outbreak: Outbreak,
        wars: WarOutcome,
        nuclear: np.ndarray,
        crisis: Crisis,
        verification: Verification,
        scheduled: np.ndarray,
    ) -> None:
        if wars.fought:  # no war or nuclear attack in the block this step leaves these as they are
            self._record_outbreak(outbreak, wars, nuclear, scheduled)
        self.t += 1
        tally = self.tallies
        tally["incidents"] += crisis.incident  # each pair counted once, at the end
        tally["violations"] += verification.violated
        tally["violations_detected"] += verification.detected
        tally["verification_false_alarms"] += verification.false_alarm
        tally["verified_steps"] += verification.bound

    def _record_outbreak(
        self, outbreak: Outbreak, wars: WarOutcome, nuclear: np.ndarray, scheduled: np.ndarray
    ) -> None:
        scripted = outbreak.deliberate & scheduled[:, :, None]
        self.unscheduled_war |= ((outbreak.started & ~scripted) | nuclear).any(axis=(1, 2))
        for cause, counter in self.by_cause.items():
            counter += getattr(outbreak, cause).sum(axis=(1, 2))
        self.accidental_war |= (outbreak.inadvertent & self.between_seekers).any(axis=(1, 2))
        self.aggressor |= outbreak.deliberate.any(axis=2)
        for f, (actor, target, first, last) in enumerate(self.facts):
            if first <= self.t <= last:
                waged = outbreak.deliberate[:, actor]  # (R, N): on whom
                hit = waged.any(axis=1) if target < 0 else waged[:, target]
                self.record_reproduced[:, f] |= hit
        fresh = outbreak.deliberate & (self.aggression_step < 0)
        self.aggression_step = np.where(fresh, self.t, self.aggression_step)
        self.nuclear_use |= (nuclear | wars.retaliation).any(axis=(1, 2))

    def finish(self, w: WorldState, security: np.ndarray) -> Outcomes:
        seekers = self.greed <= self.p.seeker_greed
        no_safer = security <= self.security_start + self.p.security_tolerance
        ok = seekers & no_safer
        tragic = self.spiral_pair & ok[:, :, None] & ok[:, None, :]
        counts = {name: self._count(name) for name in _TALLIES}
        return Outcomes(
            war=self.n_wars > 0,
            war_pair=self.war_pair,
            n_wars=self.n_wars,
            first_war_step=self.first_step,
            first_war_initiator=self.first_initiator,
            first_war_target=self.first_target,
            first_war_winner=self.first_winner,
            spiral_pair=self.spiral_pair,
            tragic_pair=tragic,
            security_start=self.security_start,
            security_end=security,
            arms_start=self.arms_start,
            arms_end=w.military(),
            wealth_start=self.wealth_start,
            wealth_end=w.wealth.copy(),
            belief_end=w.belief_greedy,
            threat_end=w.threat,
            greed=self.greed,
            attribution_sum=self.attribution_sum,
            attribution_count=self.attribution_count,
            initiator_loss=self.initiator_loss,
            wars_deliberate=self.by_cause["deliberate"],
            wars_provoked=self.by_cause["provoked"],
            wars_inadvertent=self.by_cause["inadvertent"],
            wars_joined=self.by_cause["joined"],
            accidental_war=self.accidental_war,
            aggressor=self.aggressor,
            aggression_step=self.aggression_step,
            record_reproduced=self.record_reproduced,
            unscheduled_war=self.unscheduled_war,
            nuclear_use=self.nuclear_use,
            **counts,
            alliance_end=w.alliance.copy(),
            agreement_end=w.agreement.copy(),
            trust_end=w.trust.copy(),
            escalation=self.escalation,
            actions=self.actions,
            targets=self.targets,
            scheduled=self.scheduled,
            state_traj=self.state_traj,
            pair_traj=self.pair_traj,
        )

    def _count(self, name: str) -> np.ndarray:
        """(R,) a tally over all pairs; an incident is counted once per pair."""
        tally = self.tallies[name]
        if name == "incidents":
            tally = np.triu(tally, k=1)
        return tally.sum(axis=(1, 2), dtype=np.int64)
