"""Wars: which pairs fought, the first war (when, who began it, against whom, who won), wars by
cause (deliberate, provoked, inadvertent, allies joining), accidental wars between security
seekers, aggressors, nuclear use, and which facts of a case's historical record happened."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from secdilemma.engine.records.step import Step
from secdilemma.mechanisms.conflict import Outbreak, WarOutcome
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState

CAUSES = ("deliberate", "provoked", "inadvertent", "joined", "bandwagon")

Fact = tuple[int, int, int, int]  # (actor, target or -1 for any, from_step, by_step)


class WarRecord:
    def __init__(self, w: WorldState, p: Parameters, facts: Sequence[Fact] = ()) -> None:
        R, N = w.shape
        self.facts = list(facts)
        self.record_reproduced = np.zeros((R, len(self.facts)), dtype=bool)
        self.unscheduled_war = np.zeros(R, dtype=bool)
        self.unscheduled_war_pair = np.zeros((R, N, N), dtype=bool)
        self.war_pair = np.zeros((R, N, N), dtype=bool)
        self.n_wars = np.zeros(R, dtype=np.int64)
        self.first_step = np.full(R, -1)
        self.first_initiator = np.full(R, -1)
        self.first_target = np.full(R, -1)
        self.first_winner = np.full(R, -1)
        self.initiator_loss = np.zeros(R)
        self.by_cause = {cause: np.zeros(R, dtype=np.int64) for cause in CAUSES}
        self.accidental_war = np.zeros(R, dtype=bool)
        self.aggressor = np.zeros((R, N), dtype=bool)
        self.aggression_step = np.full((R, N, N), -1, dtype=np.int32)
        self.nuclear_use = np.zeros(R, dtype=bool)
        seekers = w.greed <= p.seeker_greed
        self.between_seekers = seekers[:, :, None] & seekers[:, None, :]

    def record(self, step: Step) -> None:
        if not step.wars.fought:  # no war or nuclear attack in the block: nothing changes
            return
        self._record_wars(step.t, step.wars, step.outbreak)
        self._record_outbreak(step.t, step.outbreak, step.wars, step.nuclear, step.choice.scheduled)

    def _record_wars(self, t: int, wars: WarOutcome, outbreak: Outbreak) -> None:
        started = wars.started
        fresh = started.any(axis=(1, 2)) & (self.first_step < 0)
        if fresh.any():
            # The first war is one that began the fighting, not a state joining it in the same
            # step (an ally, or a state after the spoils), where the step has one.
            joining = outbreak.joined | outbreak.bandwagon
            began = started & ~joining
            first = np.where(began.any(axis=(1, 2))[:, None, None], began, started)
            flat = first.reshape(len(started), -1).argmax(axis=1)
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

    def _record_outbreak(
        self,
        t: int,
        outbreak: Outbreak,
        wars: WarOutcome,
        nuclear: np.ndarray,
        scheduled: np.ndarray,
    ) -> None:
        scripted = outbreak.deliberate & scheduled[:, :, None]
        unscheduled = (outbreak.started & ~scripted) | nuclear
        self.unscheduled_war |= unscheduled.any(axis=(1, 2))
        self.unscheduled_war_pair |= unscheduled | unscheduled.transpose(0, 2, 1)
        for cause, counter in self.by_cause.items():
            counter += getattr(outbreak, cause).sum(axis=(1, 2))
        self.accidental_war |= (outbreak.inadvertent & self.between_seekers).any(axis=(1, 2))
        # A war of aggression is chosen: by a war act, or by joining a war for the spoils.
        aggression = outbreak.deliberate | outbreak.bandwagon
        self.aggressor |= aggression.any(axis=2)
        for f, (actor, target, first, last) in enumerate(self.facts):
            if first <= t <= last:
                waged = aggression[:, actor]  # (R, N): on whom
                hit = waged.any(axis=1) if target < 0 else waged[:, target]
                self.record_reproduced[:, f] |= hit
        fresh = aggression & (self.aggression_step < 0)
        self.aggression_step = np.where(fresh, t, self.aggression_step)
        self.nuclear_use |= (nuclear | wars.retaliation).any(axis=(1, 2))

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "war": self.n_wars > 0,
            "war_pair": self.war_pair,
            "n_wars": self.n_wars,
            "first_war_step": self.first_step,
            "first_war_initiator": self.first_initiator,
            "first_war_target": self.first_target,
            "first_war_winner": self.first_winner,
            "initiator_loss": self.initiator_loss,
            **{f"wars_{cause}": counter for cause, counter in self.by_cause.items()},
            "accidental_war": self.accidental_war,
            "aggressor": self.aggressor,
            "aggression_step": self.aggression_step,
            "record_reproduced": self.record_reproduced,
            "unscheduled_war": self.unscheduled_war,
            "unscheduled_war_pair": self.unscheduled_war_pair,
            "nuclear_use": self.nuclear_use,
        }
