"""What one step hands the recorder, and the interface every recording unit follows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from secdilemma.mechanisms.agreements import Verification
from secdilemma.mechanisms.conflict import Outbreak, WarOutcome
from secdilemma.mechanisms.crisis import Crisis
from secdilemma.mechanisms.decision import Choice
from secdilemma.mechanisms.perception.lenses import Reading
from secdilemma.model.world import WorldState


@dataclass
class Step:
    """Step ``t``'s world after it ran, and what happened in it."""

    t: int
    w: WorldState
    choice: Choice
    armed: np.ndarray  # (R, N) the state armed this step
    reading: Reading
    revealed: np.ndarray  # (R, N, N) a bogus explanation found out
    outbreak: Outbreak
    wars: WarOutcome
    nuclear: np.ndarray  # (R, N, N) nuclear attacks
    crisis: Crisis
    verification: Verification
    security: np.ndarray  # (R, N) actual security at the end of the step
    perceived: np.ndarray  # (R, N) perceived security

    @cached_property
    def gap(self) -> np.ndarray:
        """(R, N, N) how much more hostile i read j's act than j rated it (where i saw one)."""
        return self.reading.perceived - self.reading.intent


class Record(Protocol):
    def record(self, step: Step) -> None: ...

    def finish(self, w: WorldState, security: np.ndarray) -> dict[str, Any]: ...
