"""Counts over a run, kept per pair and summed over pairs once, at the end.

Adding a step's (R, N, N) marks costs a fifth of summing them over pairs every step, and
integer sums do not depend on the order.
"""

from __future__ import annotations

import numpy as np


class Tallies:
    """Named (R, N, N) integer tallies; ``once_per_pair`` names count each unordered pair once
    (their marks are symmetric)."""

    def __init__(
        self, shape: tuple[int, int], names: tuple[str, ...], once_per_pair: tuple[str, ...] = ()
    ) -> None:
        R, N = shape
        self.counts = {name: np.zeros((R, N, N), dtype=np.int32) for name in names}
        self.once_per_pair = once_per_pair

    def add(self, name: str, marks: np.ndarray) -> None:
        self.counts[name] += marks

    def totals(self) -> dict[str, np.ndarray]:
        """(R,) each tally over all pairs."""
        return {name: self._total(name) for name in self.counts}

    def _total(self, name: str) -> np.ndarray:
        tally = self.counts[name]
        if name in self.once_per_pair:
            tally = np.triu(tally, k=1)
        return tally.sum(axis=(1, 2), dtype=np.int64)
