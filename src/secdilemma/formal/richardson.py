"""Richardson's arms race (Richardson 1960, *Arms and Insecurity*).

Two states' armaments x and y change as

    dx/dt = a y - m x + g
    dy/dt = b x - n y + h

with reaction coefficients a, b (defence against the other's arms), fatigue or expense
coefficients m, n, and grievances g, h. In matrix form ``dz/dt = K z + f`` with
``K = [[-m, a], [b, -n]]`` and ``f = (g, h)``. The equilibrium is ``z* = -K^{-1} f``, and the
solution is ``z(t) = z* + exp(K t) (z0 - z*)``. With m, n > 0 the system is stable iff
``m n > a b``. Every function broadcasts over arrays of coefficients: thousands of systems at
once.

The additive form sums the two equations: with ``s = x + y`` and, for a symmetric pair,
``d s/dt = (k - alpha) s + (g + h)``, so regressing the yearly change of s on s gives the slope
``k - alpha`` and the *zero point* ``s0 = -intercept / slope`` at which the change is nil
(Richardson's "£194 million" for the two European blocs before 1914). A positive slope is an
unstable race.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

STABLE_EQUILIBRIUM = "stable equilibrium"
RUNAWAY_RACE = "runaway race"
DISARMAMENT = "disarmament"
ONE_SIDED = "one-sided disarmament"
BALANCED = "unstable balance"
NO_EQUILIBRIUM = "no unique equilibrium"


@dataclass(frozen=True)
class Richardson:
    """Coefficients of one or many Richardson systems (scalars or broadcastable arrays)."""

    a: np.ndarray
    m: np.ndarray
    g: np.ndarray
    b: np.ndarray
    n: np.ndarray
    h: np.ndarray

    @classmethod
    def of(
        cls, a: ArrayLike, m: ArrayLike, g: ArrayLike, b: ArrayLike, n: ArrayLike, h: ArrayLike
    ) -> Richardson:
        values = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, m, g, b, n, h)))
        return cls(*values)

    @property
    def matrix(self) -> np.ndarray:
        """(..., 2, 2) the reaction matrix K."""
        return np.stack([np.stack([-self.m, self.a], -1), np.stack([self.b, -self.n], -1)], -2)

    @property
    def forcing(self) -> np.ndarray:
        """(..., 2) the grievances (g, h)."""
        return np.stack([self.g, self.h], -1)

    @property
    def trace(self) -> np.ndarray:
        return -(self.m + self.n)

    @property
    def determinant(self) -> np.ndarray:
        return self.m * self.n - self.a * self.b


def reaction_rate(
    reaction: ArrayLike, fatigue: ArrayLike, grievance: ArrayLike, own: ArrayLike, rival: ArrayLike
) -> np.ndarray:
    """One side's rate of change, ``a y - m x + g`` (the engine's Richardson policy uses it)."""
    return (
        np.asarray(reaction) * np.asarray(rival)
        - np.asarray(fatigue) * np.asarray(own)
        + np.asarray(grievance)
    )


def eigenvalues(model: Richardson) -> np.ndarray:
    """(..., 2) complex eigenvalues of K, the larger real part first."""
    half = model.trace / 2.0
    root = np.sqrt((half**2 - model.determinant).astype(complex))
    return np.stack([half + root, half - root], -1)


def is_stable(model: Richardson) -> np.ndarray:
    """Both eigenvalues have negative real parts: trace < 0 and determinant > 0. With positive
    fatigue coefficients (m, n > 0) this is Richardson's condition ``m n > a b``."""
    return (model.trace < 0) & (model.determinant > 0)


def equilibrium(model: Richardson) -> np.ndarray:
    """(..., 2) the point where both rates are zero, ``-K^{-1} f``; NaN where K is singular."""
    det = model.determinant
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (model.a * model.h + model.n * model.g) / det
        y = (model.b * model.g + model.m * model.h) / det
    singular = det == 0
    return np.stack([np.where(singular, np.nan, x), np.where(singular, np.nan, y)], -1)


def solve(model: Richardson, start: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Closed-form solution ``z(t) = z* + exp(K t)(z0 - z*)`` at times t.

    ``start`` is (..., 2); ``t`` is an array of times; the result has shape (..., len(t), 2).
    The 2x2 exponential is ``e^{tau t}(cosh(r t) I + sinh(r t)/r (K - tau I))`` with
    ``tau = trace/2`` and ``r = sqrt(tau^2 - det)`` (complex where the roots are).
    """
    z0 = np.asarray(start, dtype=float)
    times = np.atleast_1d(np.asarray(t, dtype=float))
    star = equilibrium(model)
    tau = (model.trace / 2.0)[..., None]
    r = np.sqrt(((model.trace / 2.0) ** 2 - model.determinant).astype(complex))[..., None]
    rt = r * times
    # sinh(r t) / r tends to t as r -> 0 (a repeated eigenvalue).
    small = np.abs(r) < 1e-12
    sinh_over_r = np.where(small, times + 0j, np.sinh(rt) / np.where(small, 1.0, r))
    scale = np.exp(tau * times)
    K = model.matrix[..., None, :, :]
    identity = np.eye(2)
    expm = scale[..., None, None] * (
        np.cosh(rt)[..., None, None] * identity
        + sinh_over_r[..., None, None] * (K - tau[..., None, None] * identity)
    )
    offset = (z0 - star)[..., None, :, None]
    return (star[..., None, :] + (expm @ offset)[..., 0]).real


def is_stable_discrete(model: Richardson, dt: float = 1.0) -> np.ndarray:
    """Stability of the difference form ``z_{t+1} = (I + dt K) z_t + dt f``: both eigenvalues
    of ``I + dt K`` inside the unit circle. Fits to yearly data estimate this map; for small
    coefficients it agrees with :func:`is_stable`, for large ones it can differ."""
    step = np.eye(2) + dt * np.nan_to_num(model.matrix)
    return np.abs(np.linalg.eigvals(step)).max(axis=-1) < 1.0


def simulate_discrete(
    model: Richardson, start: ArrayLike, steps: int, dt: float = 1.0
) -> np.ndarray:
    """The difference form ``z_{t+1} = z_t + dt (K z_t + f)``: (..., steps + 1, 2)."""
    z = np.asarray(start, dtype=float) + 0.0 * model.forcing
    K, f = model.matrix, model.forcing
    path = [z]
    for _ in range(steps):
        z = z + dt * ((K @ z[..., None])[..., 0] + f)
        path.append(z)
    return np.stack(path, -2)


def classify(model: Richardson, start: ArrayLike | None = None) -> np.ndarray:
    """Richardson's outcomes: a stable equilibrium, a runaway race, or disarmament.

    A stable system settles at its equilibrium; if that lies below zero for both states,
    expenditure is driven to zero (disarmament), for one of them, that one disarms while the
    other settles (one-sided disarmament). An unstable system runs away along its unstable
    direction: up (a runaway race) or down to zero (disarmament), depending on which side of
    the equilibrium it starts (by default at zero arms); a start exactly at the equilibrium
    stays there (an unstable balance). A singular K (``m n = a b``) has no unique equilibrium.
    The direction assumes defence coefficients ``a, b >= 0``, as Richardson's do.
    """
    star = equilibrium(model)
    z0 = np.zeros_like(star) if start is None else np.asarray(start, dtype=float) + 0 * star
    stable = is_stable(model)
    settles_positive = np.all(star >= 0, axis=-1)
    # Project the start's offset from the equilibrium on the eigenvector of the larger
    # eigenvalue: the unstable mode grows along it, up or down.
    values, vectors = np.linalg.eig(np.nan_to_num(model.matrix))
    top = np.argmax(values.real, axis=-1)[..., None]
    offset = np.nan_to_num(z0 - star)[..., None]
    coefficients = np.linalg.solve(vectors, offset.astype(complex))[..., 0]
    along = np.take_along_axis(coefficients, top, -1)[..., 0]
    direction = np.take_along_axis(vectors.sum(axis=-2), top, -1)[..., 0]
    away = (along * direction).real
    at_rest = np.all(np.nan_to_num(offset[..., 0]) == 0, axis=-1)
    unstable_outcome = np.where(at_rest, BALANCED, np.where(away > 0, RUNAWAY_RACE, DISARMAMENT))
    below = np.sum(star < 0, axis=-1)
    stable_outcome = np.where(
        settles_positive, STABLE_EQUILIBRIUM, np.where(below == 1, ONE_SIDED, DISARMAMENT)
    )
    labels = np.where(stable, stable_outcome, unstable_outcome)
    labels = np.where(model.determinant == 0, NO_EQUILIBRIUM, labels)
    return str(labels) if labels.ndim == 0 else labels


@dataclass(frozen=True)
class ReactionFit:
    """Least-squares estimates of both equations' coefficients from yearly series."""

    model: Richardson
    r2_x: float
    r2_y: float
    n: int

    def as_dict(self) -> dict[str, float]:
        m = self.model
        return {
            "a": float(m.a),
            "m": float(m.m),
            "g": float(m.g),
            "b": float(m.b),
            "n": float(m.n),
            "h": float(m.h),
            "r2_x": self.r2_x,
            "r2_y": self.r2_y,
            "n_obs": self.n,
            "stable": bool(is_stable(m)),
            "determinant": float(m.determinant),
            "max_eigenvalue": float(eigenvalues(m)[..., 0].real),
        }


@dataclass(frozen=True)
class AdditiveFit:
    """Richardson's additive form: ``Δ(x + y) = slope (x + y) + intercept``."""

    slope: float
    intercept: float
    zero_point: float
    r2: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return {
            "slope": self.slope,
            "intercept": self.intercept,
            "zero_point": self.zero_point,
            "r2": self.r2,
            "n": self.n,
        }


def _transitions(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, ...]:
    """Consecutive-year pairs where both series are known: levels now and changes."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be 1-D series of the same length")
    ok = np.isfinite(x[:-1]) & np.isfinite(x[1:]) & np.isfinite(y[:-1]) & np.isfinite(y[1:])
    return x[:-1][ok], y[:-1][ok], x[1:][ok], y[1:][ok]


def _least_squares(design: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float]:
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    residual = target - design @ coef
    total = np.sum((target - target.mean()) ** 2)
    r2 = float(1.0 - residual @ residual / total) if total > 0 else float("nan")
    return coef, r2


def fit_reactions(x: ArrayLike, y: ArrayLike, min_obs: int = 4) -> ReactionFit:
    """Fit ``Δx = a y - m x + g`` and ``Δy = b x - n y + h`` by least squares on yearly data
    (levels at the start of each year). Years with a missing value on either side are dropped;
    fewer than ``min_obs`` usable transitions is an error."""
    x0, y0, x1, y1 = _transitions(x, y)
    if len(x0) < max(min_obs, 4):
        raise ValueError(f"{len(x0)} usable year-to-year changes; need at least {min_obs}")
    ones = np.ones_like(x0)
    (a, minus_m, g), r2_x = _least_squares(np.column_stack([y0, x0, ones]), x1 - x0)
    (b, minus_n, h), r2_y = _least_squares(np.column_stack([x0, y0, ones]), y1 - y0)
    return ReactionFit(Richardson.of(a, -minus_m, g, b, -minus_n, h), r2_x, r2_y, len(x0))


def fit_additive(x: ArrayLike, y: ArrayLike, at: str = "mid") -> AdditiveFit:
    """Regress the yearly change of ``s = x + y`` on s: at the middle of each year interval
    (``at="mid"``, as Richardson plotted it) or at its start (``"start"``)."""
    x0, y0, x1, y1 = _transitions(x, y)
    if len(x0) < 2:
        raise ValueError(f"{len(x0)} usable year-to-year changes; need at least 2")
    s0, s1 = x0 + y0, x1 + y1
    level = {"mid": (s0 + s1) / 2.0, "start": s0}.get(at)
    if level is None:
        raise ValueError(f"at must be 'mid' or 'start', not {at!r}")
    (slope, intercept), r2 = _least_squares(np.column_stack([level, np.ones_like(level)]), s1 - s0)
    zero = -intercept / slope if slope != 0 else float("nan")
    return AdditiveFit(float(slope), float(intercept), float(zero), r2, len(s0))
