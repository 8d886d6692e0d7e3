"""Record a run: the recorder composes one unit per group of outcomes (``engine/records/``) and
joins their arrays into :class:`~secdilemma.engine.outcomes.Outcomes` at the end.

| unit | outcomes |
| --- | --- |
| :class:`~.records.acts.ActsRecord` | acts, targets, scheduled acts, escalation score |
| :class:`~.records.wars.WarRecord` | wars, the first war, causes, aggressors, nuclear use, record |
| :class:`~.records.spirals.SpiralRecord` | spirals and tragic spirals |
| :class:`~.records.perception.PerceptionRecord` | attribution gaps, readings of acts |
| :class:`~.records.statecraft.StatecraftRecord` | incidents, violations, verification, lies |
| :class:`~.records.endpoints.EndpointRecord` | start and end of security, arms, wealth, views |
| :class:`~.records.trajectories.TrajectoryRecord` | per-step trajectories (when asked for) |
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from secdilemma.engine.outcomes import Outcomes
from secdilemma.engine.records.acts import ActsRecord
from secdilemma.engine.records.endpoints import EndpointRecord
from secdilemma.engine.records.perception import PerceptionRecord
from secdilemma.engine.records.spirals import SpiralRecord
from secdilemma.engine.records.statecraft import StatecraftRecord
from secdilemma.engine.records.step import Record, Step
from secdilemma.engine.records.trajectories import TrajectoryRecord
from secdilemma.engine.records.wars import Fact, WarRecord
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState


class Recorder:
    def __init__(
        self,
        w: WorldState,
        security: np.ndarray,
        perceived: np.ndarray,
        steps: int,
        p: Parameters,
        cat: Catalog,
        trajectories: bool,
        facts: Sequence[Fact] = (),
    ) -> None:
        security_start = security.copy()
        self.units: list[Record] = [
            ActsRecord(w.shape, steps, cat),
            WarRecord(w, p, facts),
            SpiralRecord(w, security_start, p),
            PerceptionRecord(w.shape),
            StatecraftRecord(w.shape),
            EndpointRecord(w, security_start),
        ]
        self.trajectories = None
        if trajectories:
            self.trajectories = TrajectoryRecord(w, security, perceived, steps)
            self.units.append(self.trajectories)

    def record(self, step: Step) -> None:
        for unit in self.units:
            unit.record(step)

    def finish(self, w: WorldState, security: np.ndarray) -> Outcomes:
        fields = {"state_traj": None, "pair_traj": None}
        for unit in self.units:
            fields.update(unit.finish(w, security))
        return Outcomes(**fields)
