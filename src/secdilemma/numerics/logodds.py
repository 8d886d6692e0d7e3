"""Probabilities moved in log-odds: ``expit(logit(p) + d)``, the engine's one update rule for
beliefs, threat and hubris (docs/model.md).

It is computed in odds form, ``o = p / (1 - p) * exp(d)`` and ``o / (1 + o)``: the same value as
``logit`` then ``expit`` (to about 1e-16), with one exponential per element instead of a
logarithm and an exponential, which SciPy evaluates some ten times slower than NumPy's ``exp``.
"""

from __future__ import annotations

import numpy as np

EDGE = 1e-9  # probabilities are kept in [EDGE, 1 - EDGE] so that every log-odds is finite
# exp(600) times the largest odds (1e9) is still finite in double precision.
_LARGEST_SHIFT = 600.0


def odds(p: np.ndarray) -> np.ndarray:
    """``p / (1 - p)`` of ``p`` clipped to [EDGE, 1 - EDGE]."""
    x = np.clip(p, EDGE, 1.0 - EDGE)
    return x / (1.0 - x)


def scaled(p: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """``expit(logit(clip(p)) + log(factor))``: the odds of ``p`` multiplied by ``factor`` > 0."""
    multiplied = odds(p) * factor
    return multiplied / (1.0 + multiplied)


def shifted(p: np.ndarray, d: np.ndarray | float) -> np.ndarray:
    """``expit(logit(clip(p)) + d)``: ``p`` moved by ``d`` in log-odds."""
    return scaled(p, np.exp(np.clip(d, -_LARGEST_SHIFT, _LARGEST_SHIFT)))
