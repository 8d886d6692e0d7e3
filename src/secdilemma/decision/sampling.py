"""The softmax choice and the type likelihoods: row-wise passes over the (R, N, options) utility
arrays, the engine's largest.

Utilities arrive in single precision (``decision.utility.UTILITY_DTYPE``). Each step has a
NumPy form and, when Numba is installed (the ``[fast]`` extra), a compiled form that makes one
pass over a row instead of several array-wide ones. Both do the same arithmetic in the same
order: single-precision logits, shifted by the row's largest; single-precision weights from
NumPy's (vectorised) ``exp`` in both forms; double-precision sums in option order (a cumulative
sum, not NumPy's pairwise sum). So the two give identical bits, which ``tests/test_fast.py`` checks.
``secdilemma.fast.use_numba(False)`` forces the NumPy forms.
"""

from __future__ import annotations

import numpy as np

from secdilemma.fast import compiled, numba_enabled

# --- NumPy forms ---------------------------------------------------------------------------


def _shifted(utility: np.ndarray, valid: np.ndarray, temperature: float) -> np.ndarray:
    """Logits less the row's largest; -inf where invalid."""
    logits = np.where(valid, utility, -np.inf) / utility.dtype.type(temperature)
    return logits - logits.max(axis=2, keepdims=True)


def _draw_numpy(base, gain, greed, valid, uniform, temperature):
    total = base + greed.astype(base.dtype)[:, :, None] * gain
    cumulative = np.cumsum(np.exp(_shifted(total, valid, temperature)), axis=2, dtype=np.float64)
    threshold = uniform * cumulative[:, :, -1]
    return (cumulative > threshold[:, :, None]).argmax(axis=2)


def _core_numpy(utility, valid, chosen, temperature):
    weights = np.exp(_shifted(utility, valid, temperature))
    total = np.cumsum(weights, axis=2, dtype=np.float64)[:, :, -1]
    picked = np.take_along_axis(weights, chosen[:, :, None], axis=2)[:, :, 0]
    return np.float64(picked) / total


def _likelihoods_numpy(base, gain, valid, chosen, temperature):
    valid = valid.copy()
    np.put_along_axis(valid, chosen[:, :, None], True, axis=2)
    return (
        _core_numpy(base + gain, valid, chosen, temperature),
        _core_numpy(base, valid, chosen, temperature),
    )


# --- compiled forms: the same arithmetic, a row at a time ----------------------------------


def _draw_shift_kernel(base, gain, greed, valid, temperature, out):
    R, N, n_options = base.shape
    row = np.empty(n_options, dtype=np.float32)
    t = np.float32(temperature)
    for r in range(R):
        for i in range(N):
            g = np.float32(greed[r, i])
            top = np.float32(-np.inf)
            for o in range(n_options):
                if valid[r, i, o]:
                    row[o] = (base[r, i, o] + g * gain[r, i, o]) / t
                else:
                    row[o] = np.float32(-np.inf)
                top = max(top, row[o])
            for o in range(n_options):
                out[r, i, o] = row[o] - top


def _draw_pick_kernel(weights, uniform):
    R, N, n_options = weights.shape
    chosen = np.zeros((R, N), dtype=np.int64)
    for r in range(R):
        for i in range(N):
            total = 0.0
            for o in range(n_options):
                total += np.float64(weights[r, i, o])
            threshold = uniform[r, i] * total
            running = 0.0
            for o in range(n_options):
                running += np.float64(weights[r, i, o])
                if running > threshold:
                    chosen[r, i] = o
                    break
    return chosen


def _likelihood_shift_kernel(base, gain, valid, chosen, temperature, greedy, seeker):
    R, N, n_options = base.shape
    t = np.float32(temperature)
    for r in range(R):
        for i in range(N):
            c = chosen[r, i]
            top_g = np.float32(-np.inf)
            top_s = np.float32(-np.inf)
            for o in range(n_options):
                if valid[r, i, o] or o == c:
                    top_g = max(top_g, (base[r, i, o] + gain[r, i, o]) / t)
                    top_s = max(top_s, base[r, i, o] / t)
            for o in range(n_options):
                if valid[r, i, o] or o == c:
                    greedy[r, i, o] = (base[r, i, o] + gain[r, i, o]) / t - top_g
                    seeker[r, i, o] = base[r, i, o] / t - top_s
                else:
                    greedy[r, i, o] = -np.inf
                    seeker[r, i, o] = -np.inf


def _likelihood_sum_kernel(weights, chosen):
    R, N, n_options = weights.shape
    core = np.empty((R, N))
    for r in range(R):
        for i in range(N):
            total = 0.0
            for o in range(n_options):
                total += np.float64(weights[r, i, o])
            core[r, i] = np.float64(weights[r, i, chosen[r, i]]) / total
    return core


_draw_shift = compiled(_draw_shift_kernel)
_draw_pick = compiled(_draw_pick_kernel)
_likelihood_shift = compiled(_likelihood_shift_kernel)
_likelihood_sum = compiled(_likelihood_sum_kernel)


# --- the interface -------------------------------------------------------------------------


def _compiled_for(utility: np.ndarray) -> bool:
    """The kernels are written for single-precision utilities (the engine's); any other
    precision (a test's double precision, say) takes the NumPy forms."""
    return numba_enabled() and utility.dtype == np.float32


def draw_softmax(
    base: np.ndarray,
    gain: np.ndarray,
    greed: np.ndarray,
    valid: np.ndarray,
    uniform: np.ndarray,
    temperature: float,
) -> np.ndarray:
    """(R, N) option drawn from ``softmax((base + greed * gain) / temperature)`` over the valid
    options, by inverting its CDF with one uniform per row: the first option whose cumulative
    weight exceeds ``u * total``. Invalid options have weight 0 and are never drawn."""
    if not _compiled_for(base):
        return _draw_numpy(base, gain, greed, valid, uniform, temperature)
    weights = np.empty(base.shape, dtype=np.float32)
    _draw_shift(base, gain, greed, valid, temperature, weights)
    return _draw_pick(np.exp(weights, out=weights), uniform)


def softmax_likelihoods(
    base: np.ndarray, gain: np.ndarray, valid: np.ndarray, chosen: np.ndarray, temperature: float
) -> tuple[np.ndarray, np.ndarray]:
    """(R, N) softmax probability of the chosen option for a greedy type (utility
    ``base + gain``) and for a security seeker (``base``), over the valid options and the
    chosen one."""
    if not _compiled_for(base):
        return _likelihoods_numpy(base, gain, valid, chosen, temperature)
    greedy = np.empty(base.shape, dtype=np.float32)
    seeker = np.empty(base.shape, dtype=np.float32)
    _likelihood_shift(base, gain, valid, chosen, temperature, greedy, seeker)
    return (
        _likelihood_sum(np.exp(greedy, out=greedy), chosen),
        _likelihood_sum(np.exp(seeker, out=seeker), chosen),
    )
