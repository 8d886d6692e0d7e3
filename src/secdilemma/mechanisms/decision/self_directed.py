"""Self-directed acts' utilities: what arming, alerting, disarming or signalling does to the actor
itself (docs/model.md, 5.2), for every (replicate, state, act).

Two forms give identical bits. The NumPy form works on whole (R, N, Ks) arrays in double
precision; the compiled form (``[fast]``, Numba) computes each element with the same operations
in the same order and rounds once, to single precision, when it stores, as the NumPy form's
caller does. At two states the NumPy form's arrays are short along their last axes, so most of
its time goes to NumPy's per-call and per-row overhead (docs/performance.md).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from secdilemma.mechanisms.decision.aimed import OwnState, Weights, force_deltas
from secdilemma.model.actions import Catalog
from secdilemma.numerics.fast import compiled, numba_enabled


class SelfActs(NamedTuple):
    """(Ks,) what each self-directed act brings, from the catalogue."""

    self_effect: np.ndarray  # (Ks, 4) offense, defense, deterrent, wealth
    read: np.ndarray  # visibility * hostility: the intent others read into it
    visibility: np.ndarray
    overt: np.ndarray  # bool
    domain: np.ndarray  # int: the sensitivity domain it touches
    builds_forces: np.ndarray  # bool: its cost grows with the military burden
    cost: np.ndarray  # the catalogue's cost share
    index: np.ndarray  # int: its index in the catalogue


def self_acts(cat: Catalog, acts: np.ndarray) -> SelfActs:
    """The catalogue's self-directed acts ``acts`` (indices) as the two forms read them."""
    return SelfActs(
        self_effect=cat.self_effect[acts],
        read=cat.visibility[acts] * cat.hostility[acts],
        visibility=cat.visibility[acts],
        overt=~cat.covert[acts],
        domain=cat.domain[acts],
        builds_forces=cat.builds_forces[acts],
        cost=cat.cost[acts],
        index=np.asarray(acts),
    )


def self_utilities(
    a: SelfActs,
    x: OwnState,
    exposure: np.ndarray,
    broken: np.ndarray,
    k: Weights,
    hostility_cost: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The NumPy form: (R, N, Ks) base and gain utilities in double precision. ``exposure``
    (R, N) is the actor's summed danger from all others; ``broken`` (R, N, K) the treaty-breach
    cost of every catalogue act."""
    dO, dD, ddet = force_deltas(
        a.self_effect, x.military[:, :, None], x.indistinct[:, None, None], x.half[:, None, None]
    )
    # What structural observers read into the forces it builds (less what treaty partners
    # read as within the caps), and how unsure the actor is of it.
    within = np.maximum(dO, 0.0) * a.overt
    cap_read = (dO + 0.0) * x.cap_reach[:, :, None] - within * x.cap_reach_partner[:, :, None]
    cap_unsure = (
        np.abs(dO + 0.0) * x.cap_reach_doubt[:, :, None]
        - within * x.cap_reach_doubt_partner[:, :, None]
    )
    d_def = dD + k.offense_defends * dO
    d_s = x.slope_secure[:, :, None] * ddet
    security = -k.security * (x.d_defense[:, :, None] * d_def + x.d_secure[:, :, None] * d_s)
    # Any state knows that intended hostility provokes (militarily, in proportion to the
    # target's chance of defeating it, and in lost goodwill, hostility_cost); empathy is
    # needed to foresee how others read the rest (its arming, its alliances, its gestures).
    provoked = np.maximum(a.read, 0.0) * (exposure[:, :, None] + hostility_cost)
    scale = np.where(a.builds_forces, x.burden[:, :, None] / k.burden_reference, 1.0)
    base = (
        security
        + k.welfare * np.broadcast_to(a.self_effect[:, 3], dO.shape)
        - k.cost * (a.cost * scale)
        - k.backlash
        * (
            provoked
            + broken[:, :, a.index]
            + x.empathy[:, :, None]
            * (
                np.minimum(a.read, 0.0) * x.exposure_intent[:, :, None]
                + cap_read
                + a.visibility * x.sensed[:, :, a.domain]
            )
            + x.prudence[:, :, None] * (np.abs(a.read) * x.exposure_doubt[:, :, None] + cap_unsure)
        )
    )
    return base, x.conquest_slope[:, :, None] * dO


def _fill_self_kernel(base, gain, a, x, exposure, broken, k, hostility_cost):
    # The NumPy form's operations, element by element and in its order.
    R, N = x.military.shape
    for r in range(R):
        for i in range(N):
            M = x.military[r, i]
            for s in range(a.cost.shape[0]):
                dD = a.self_effect[s, 1] * M
                dO = a.self_effect[s, 0] * M + x.indistinct[r] * max(dD, 0.0)
                ddet = a.self_effect[s, 2] * x.half[r]
                within = max(dO, 0.0) * (1.0 if a.overt[s] else 0.0)
                cap_read = (dO + 0.0) * x.cap_reach[r, i] - within * x.cap_reach_partner[r, i]
                cap_unsure = (
                    abs(dO + 0.0) * x.cap_reach_doubt[r, i]
                    - within * x.cap_reach_doubt_partner[r, i]
                )
                d_def = dD + k.offense_defends * dO
                d_s = x.slope_secure[r, i] * ddet
                security = -k.security * (x.d_defense[r, i] * d_def + x.d_secure[r, i] * d_s)
                read = a.read[s]
                provoked = max(read, 0.0) * (exposure[r, i] + hostility_cost)
                scale = x.burden[r, i] / k.burden_reference if a.builds_forces[s] else 1.0
                foreseen = (
                    min(read, 0.0) * x.exposure_intent[r, i]
                    + cap_read
                    + a.visibility[s] * x.sensed[r, i, a.domain[s]]
                )
                unsure = abs(read) * x.exposure_doubt[r, i] + cap_unsure
                u = (
                    security
                    + k.welfare * a.self_effect[s, 3]
                    - k.cost * (a.cost[s] * scale)
                    - k.backlash
                    * (
                        provoked
                        + broken[r, i, a.index[s]]
                        + x.empathy[r, i] * foreseen
                        + x.prudence[r, i] * unsure
                    )
                )
                base[r, i, s] = np.float32(u)
                gain[r, i, s] = np.float32(x.conquest_slope[r, i] * dO)


_fill_self_compiled = compiled(_fill_self_kernel)


def fill_self(
    base: np.ndarray,
    gain: np.ndarray,
    acts: SelfActs,
    state: OwnState,
    exposure: np.ndarray,
    broken: np.ndarray,
    weights: Weights,
    hostility_cost: float,
) -> None:
    """Write the self-directed acts' utilities into the first Ks options of the
    single-precision option arrays ``base`` and ``gain`` (R, N, O)."""
    Ks = len(acts.cost)
    # compiled: 4.2x at 2 states, 4.1x at 20 (python -m benchmarks --only kernels)
    if numba_enabled() and base.dtype == np.float32:  # the kernel rounds as single precision
        _fill_self_compiled(base, gain, acts, state, exposure, broken, weights, hostility_cost)
        return
    self_base, self_gain = self_utilities(acts, state, exposure, broken, weights, hostility_cost)
    # Casting first, then copying, is some 30 times faster than a casting copy into the
    # strided slice (NumPy's slow path for a short inner axis).
    base[:, :, :Ks] = self_base.astype(base.dtype)
    gain[:, :, :Ks] = self_gain.astype(gain.dtype)
