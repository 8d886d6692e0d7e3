"""A spread of the calibrated constants, for testing behavioural claims across it (not at one
point): the estimate, and corners of each fitted constant's 68% interval widened to at least
+-30% of the estimate (within the range the calibration searched)."""

from secdilemma.evidence.calibrate import CANDIDATES
from secdilemma.model.parameters import CALIBRATED

_RANGES = {c.name: (c.low, c.high) for c in CANDIDATES}


def _bounds(name: str, value: float) -> tuple[float, float]:
    low, high = CALIBRATED["interval_68"][name]
    lo, hi = _RANGES[name]
    return max(lo, min(low, 0.7 * value)), min(hi, max(high, 1.3 * value))


def settings() -> dict[str, list[str]]:
    """Named ``--set`` lists: the estimate and four corners of the widened intervals."""
    fitted = CALIBRATED["fitted"]
    bounds = {n: _bounds(n, v) for n, v in fitted.items()}
    names = sorted(fitted)
    out = {"estimate": []}
    corners = {
        "all low": [0] * len(names),
        "all high": [1] * len(names),
        "alternating": [n % 2 for n in range(len(names))],
        "alternating, reversed": [1 - n % 2 for n in range(len(names))],
    }
    for label, picks in corners.items():
        out[label] = [
            f"parameters.{n}={bounds[n][pick]:.6g}" for n, pick in zip(names, picks, strict=True)
        ]
    return out


SPREAD = settings()
