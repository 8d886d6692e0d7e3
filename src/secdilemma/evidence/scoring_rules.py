"""Proper scoring rules for probabilities of war, and the split of the record into eras that
every out-of-sample score uses."""

from __future__ import annotations

import numpy as np

SPLIT_YEAR = 1946  # training 1816-1945, test 1946-2010 (and the reverse)


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """The mean squared error of probabilities ``p`` against outcomes ``y`` (Brier 1950)."""
    return float(np.mean((p - y) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray, floor: float = 1e-12) -> float:
    """The mean negative log likelihood of outcomes ``y`` under probabilities ``p``, which are
    kept within [floor, 1 - floor]."""
    p = np.clip(p, floor, 1 - floor)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
