"""The softmax choice and the type likelihoods: row-wise passes over the (R, N, options) utility
arrays, the engine's largest.

Utilities arrive in single precision (``decision.utility.UTILITY_DTYPE``). Each step has a
NumPy form and, when Numba is installed (the ``[fast]`` extra), a compiled form that makes one
pass over a row instead of several array-wide ones. Both do the same arithmetic in the same
order: single-precision logits, shifted by the row's largest; single-precision weights from
NumPy's (vectorised) ``exp`` in both forms; double-precision sums in option order (a cumulative
sum, not NumPy's pairwise sum). So the two give identical bits, which ``tests/test_fast.py`` checks.
``secdilemma.numerics.fast.use_numba(False)`` forces the NumPy forms.
"""

from __future__ import annotations

import numpy as np

from secdilemma.numerics.fast import compiled, numba_enabled

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
    # Dividing by a positive temperature preserves order, rounding included, so the row's
    # largest logit is its largest utility divided once: the same bits as the NumPy form.
    R, N, n_options = base.shape
    t = np.float32(temperature)
    for r in range(R):
        for i in range(N):
            g = np.float32(greed[r, i])
            top = np.float32(-np.inf)
            for o in range(n_options):
                if valid[r, i, o]:
                    top = max(top, base[r, i, o] + g * gain[r, i, o])
            top = top / t
            for o in range(n_options):
                if valid[r, i, o]:
                    out[r, i, o] = (base[r, i, o] + g * gain[r, i, o]) / t - top
                else:
                    out[r, i, o] = np.float32(-np.inf) - top


def _draw_pick_kernel(weights, uniform):
    # Rows are summed two at a time: two independent chains of additions in flight, each in
    # option order (the NumPy form's cumulative sum), so the same bits in less time.
    R, N, n_options = weights.shape
    rows = weights.reshape(R * N, n_options)
    total = np.zeros(R * N)
    for n in range(0, R * N - 1, 2):
        first, second = 0.0, 0.0
        for o in range(n_options):
            first += np.float64(rows[n, o])
            second += np.float64(rows[n + 1, o])
        total[n], total[n + 1] = first, second
    if (R * N) % 2:
        for o in range(n_options):
            total[R * N - 1] += np.float64(rows[R * N - 1, o])
    chosen = np.zeros((R, N), dtype=np.int64)
    for r in range(R):
        for i in range(N):
            threshold = uniform[r, i] * total[r * N + i]
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
                    top_g = max(top_g, base[r, i, o] + gain[r, i, o])
                    top_s = max(top_s, base[r, i, o])
            top_g, top_s = top_g / t, top_s / t
            for o in range(n_options):
                if valid[r, i, o] or o == c:
                    greedy[r, i, o] = (base[r, i, o] + gain[r, i, o]) / t - top_g
                    seeker[r, i, o] = base[r, i, o] / t - top_s
                else:
                    greedy[r, i, o] = np.float32(-np.inf) - top_g
                    seeker[r, i, o] = np.float32(-np.inf) - top_s


def _likelihood_sum_kernel(greedy, seeker, chosen):
    # Both types' sums in one loop: two independent chains of additions, each in option order.
    R, N, n_options = greedy.shape
    core_greedy = np.empty((R, N))
    core_seeker = np.empty((R, N))
    for r in range(R):
        for i in range(N):
            total_g, total_s = 0.0, 0.0
            for o in range(n_options):
                total_g += np.float64(greedy[r, i, o])
                total_s += np.float64(seeker[r, i, o])
            c = chosen[r, i]
            core_greedy[r, i] = np.float64(greedy[r, i, c]) / total_g
            core_seeker[r, i] = np.float64(seeker[r, i, c]) / total_s
    return core_greedy, core_seeker


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
    # compiled: 4.1x at 2 states, 3.1x at 20 (python -m benchmarks --only kernels)
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
    # compiled: 5.7x at 2 states, 4.3x at 20 (python -m benchmarks --only kernels)
    if not _compiled_for(base):
        return _likelihoods_numpy(base, gain, valid, chosen, temperature)
    greedy = np.empty(base.shape, dtype=np.float32)
    seeker = np.empty(base.shape, dtype=np.float32)
    _likelihood_shift(base, gain, valid, chosen, temperature, greedy, seeker)
    return _likelihood_sum(np.exp(greedy, out=greedy), np.exp(seeker, out=seeker), chosen)
