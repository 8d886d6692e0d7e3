"""The cost in goodwill of building openly past an arms-control cap (docs/model.md, 5.2): each
partner of an agreement the act would break reads it as a violation, and weighs it by its own
exposure, less where it has come to suspect the actor of cheating first.

Two forms give identical bits. The NumPy form works on the (replicate, state, partner) triples
that have an agreement, grouped by actor; the compiled form (``[fast]``, Numba) walks each
actor's partners in the same order and sums them as ``np.add.reduceat`` does
(``secdilemma.numerics.sums``).
"""

from __future__ import annotations

import numpy as np

from secdilemma.mechanisms.decision.aimed import force_deltas
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.fast import compiled, numba_enabled
from secdilemma.numerics.sums import pairwise


def breach_costs(
    w: WorldState,
    q: np.ndarray,
    military: np.ndarray,
    indistinct: np.ndarray,
    half: np.ndarray,
    cat: Catalog,
    p: Parameters,
) -> np.ndarray:
    """(R, N, K) each act's treaty-breach cost to each actor. ``q`` (R, N, N) is the chance
    that each partner defeats the actor, ``military`` (R, N) its forces, ``indistinct`` and
    ``half`` (R,) one less the distinguishability and the deterrent's half-saturation."""
    R, N = w.shape
    capped = np.flatnonzero(cat.raises_forces & ~cat.covert)  # the acts a cap limits
    # compiled: 5.5x at 2 states, 4.5x at 20 (python -m benchmarks --only kernels)
    if not numba_enabled():
        return _breach_numpy(w, q, military, indistinct, half, cat, p, capped)
    broken = np.zeros((R, N, cat.size))
    if capped.size:
        _breach_compiled(
            w.agreement,
            w.cap_forces,
            w.cap_deterrent,
            w.threat,
            w.threat_baseline,
            q,
            military,
            indistinct,
            half,
            w.deterrent,
            np.ascontiguousarray(cat.self_effect[capped]),
            capped,
            p.hostility_cost,
            p.breach_hostility,
            broken,
        )
    return broken


def _breach_numpy(w, q, military, indistinct, half, cat, p, capped) -> np.ndarray:
    R, N = w.shape
    broken = np.zeros((R, N, cat.size))
    # Agreements are few: the (replicate, state, partner) triples that have one, grouped by
    # actor (np.nonzero sorts them by replicate and state).
    bound_r, bound_i, bound_j = np.nonzero(w.agreement)
    if not (bound_r.size and capped.size):
        return broken
    actor = bound_r * N + bound_i
    starts = np.flatnonzero(np.diff(actor, prepend=-1))  # each actor's first triple
    of_actor = np.repeat(np.arange(starts.size), np.diff(starts, append=actor.size))
    actor_r, actor_i = bound_r[starts, None], bound_i[starts, None]
    bound = (bound_r, bound_i, bound_j)
    # Breaking faith with a partner one has come to suspect of cheating costs less: "they
    # broke it first". Suspicion is the rise in threat since the baseline; this is how it
    # alone can unravel an agreement between compliant states.
    baseline = w.threat_baseline[bound]
    rise = (w.threat[bound] - baseline) / np.maximum(1.0 - baseline, 1e-12)
    exposure = (q[bound] + p.hostility_cost) * (1.0 - np.clip(rise, 0.0, 1.0))
    # The capped acts' force changes for the actors with an agreement (actors, capped acts).
    forces_now = military[actor_r, actor_i]
    dO, dD, ddet = force_deltas(
        cat.self_effect[capped], forces_now, indistinct[actor_r], half[actor_r]
    )
    forces = forces_now + dO + dD
    deterrent = w.deterrent[actor_r, actor_i] + ddet
    over = (forces[of_actor] > w.cap_forces[bound][:, None]) | (
        deterrent[of_actor] > w.cap_deterrent[bound][:, None]
    )
    broken[actor_r, actor_i, capped] = p.breach_hostility * np.add.reduceat(
        over * exposure[:, None], starts, axis=0
    )
    return broken


def _breach_kernel(
    agreement,
    cap_forces,
    cap_deterrent,
    threat,
    baseline,
    q,
    military,
    indistinct,
    half,
    deterrent,
    effect,
    capped,
    hostility_cost,
    breach_hostility,
    broken,
):
    R, N = military.shape
    n_capped = capped.shape[0]
    terms = np.empty(n_capped * N)  # each capped act's cost with each partner, in order
    for r in range(R):
        for i in range(N):
            partners = 0
            M = military[r, i]
            for j in range(N):
                if not agreement[r, i, j]:
                    continue
                rise = (threat[r, i, j] - baseline[r, i, j]) / max(1.0 - baseline[r, i, j], 1e-12)
                exposure = (q[r, i, j] + hostility_cost) * (1.0 - min(max(rise, 0.0), 1.0))
                for c in range(n_capped):
                    dD = effect[c, 1] * M
                    dO = effect[c, 0] * M + indistinct[r] * max(dD, 0.0)
                    over = (M + dO + dD > cap_forces[r, i, j]) | (
                        deterrent[r, i] + effect[c, 2] * half[r] > cap_deterrent[r, i, j]
                    )
                    terms[c * N + partners] = (1.0 if over else 0.0) * exposure
                partners += 1
            if partners:
                for c in range(n_capped):
                    summed = terms[c * N] + pairwise(terms, c * N + 1, partners - 1)
                    broken[r, i, capped[c]] = breach_hostility * summed


_breach_compiled = compiled(_breach_kernel)
