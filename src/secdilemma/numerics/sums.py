"""NumPy's order of summation, for compiled kernels that must give the NumPy forms' bits.

Floating-point addition is not associative, so a kernel that sums what its NumPy form sums
with ``ndarray.sum`` or ``np.add.reduceat`` must add in NumPy's order. NumPy sums a contiguous
run of values pairwise (its ``pairwise_sum``): fewer than 8 values one after another, up to
128 in eight interleaved partial sums joined as a tree, more by halves at a multiple of 8.

- ``x.sum(axis=-1)`` over a contiguous last axis is the pairwise sum of the whole row (over a
  strided last axis, when another axis is the contiguous one, NumPy adds the values one after
  another instead: NumPy forms that a kernel follows sum contiguous rows);
- ``np.add.reduceat(x, starts, axis=0)`` is a segment's first value plus the pairwise sum of
  the rest.

``tests/test_sums.py`` checks both against NumPy for every length up to 300 and some to 5,000,
so a NumPy that sums differently fails there first.
"""

from __future__ import annotations

import numpy as np

from secdilemma.numerics.fast import compiled

_BLOCK = 128  # NumPy's PW_BLOCKSIZE


def _block_kernel(values, start, n):
    """NumPy's sum of at most 128 values: one after another below 8, else eight partial sums."""
    if n < 8:
        total = -0.0  # NumPy starts from -0.0, which keeps the sign of a sum of zeros
        for k in range(n):
            total += values[start + k]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    k = 8
    while k < n - n % 8:
        r0 += values[start + k]
        r1 += values[start + k + 1]
        r2 += values[start + k + 2]
        r3 += values[start + k + 3]
        r4 += values[start + k + 4]
        r5 += values[start + k + 5]
        r6 += values[start + k + 6]
        r7 += values[start + k + 7]
        k += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while k < n:
        total += values[start + k]
        k += 1
    return total


_block = compiled(_block_kernel, inline=True) or _block_kernel


def _pairwise_kernel(values, start, n):
    """The pairwise sum of ``values[start:start + n]`` (a 1-d float64 array)."""
    if n <= _BLOCK:
        return _block(values, start, n)
    # NumPy halves a longer run recursively (at a multiple of 8) and adds the halves' sums.
    # The same recursion runs here on an explicit stack of frames (Numba's on-disk cache cannot
    # hold a recursive function): a frame's run, and its left half's sum once known.
    frame_start = np.empty(64, dtype=np.int64)
    frame_size = np.empty(64, dtype=np.int64)
    left_sum = np.empty(64)
    has_left = np.zeros(64, dtype=np.bool_)
    depth = 0
    frame_start[0], frame_size[0] = start, n
    while True:
        if frame_size[depth] > _BLOCK:  # descend into the left half
            half = frame_size[depth] // 2 - frame_size[depth] // 2 % 8
            frame_start[depth + 1], frame_size[depth + 1] = frame_start[depth], half
            has_left[depth + 1] = False
            depth += 1
            continue
        value = _block(values, frame_start[depth], frame_size[depth])
        depth -= 1
        # Hand the sum up: a left half waits for its right half; a right half completes its
        # parent, whose sum goes up in turn.
        while depth >= 0 and has_left[depth]:
            value = left_sum[depth] + value
            depth -= 1
        if depth < 0:
            return value
        left_sum[depth], has_left[depth] = value, True
        half = frame_size[depth] // 2 - frame_size[depth] // 2 % 8
        frame_start[depth + 1] = frame_start[depth] + half
        frame_size[depth + 1] = frame_size[depth] - half
        has_left[depth + 1] = False
        depth += 1


pairwise = compiled(_pairwise_kernel, inline=True) or _pairwise_kernel


def row_sum(values: np.ndarray) -> float:
    """``values.sum()`` of a contiguous 1-d array, in NumPy's order (for tests and the NumPy
    side of a comparison; kernels call ``pairwise``)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    return float(_pairwise_kernel(values, 0, len(values)))


def segment_sum(values: np.ndarray) -> float:
    """One segment's ``np.add.reduceat`` along a strided axis: the first value plus the
    pairwise sum of the rest."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    return float(values[0] + _pairwise_kernel(values, 1, len(values) - 1))
