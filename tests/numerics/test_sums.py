"""The kernels' summation order is NumPy's (numerics.sums), for every length up to 300."""

import numpy as np
import pytest

from secdilemma.numerics.fast import numba_available
from secdilemma.numerics.sums import pairwise, row_sum, segment_sum

LENGTHS = list(range(1, 301)) + [511, 1024, 1033, 4999]


def _values(n: int, seed: int) -> np.ndarray:
    # Magnitudes over 16 decades: almost any change in the order of additions changes the sum.
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)


def test_a_row_sum_is_numpys_sum_over_a_contiguous_axis():
    for n in LENGTHS:
        rows = np.stack([_values(n, seed) for seed in range(3)])
        assert [row_sum(row) for row in rows] == rows.sum(axis=1).tolist(), n


def test_a_segment_sum_is_numpys_reduceat_along_the_first_axis():
    for n in LENGTHS:
        columns = np.stack([_values(n, seed) for seed in range(3)], axis=1)
        expected = np.add.reduceat(columns, [0], axis=0)[0]
        assert [segment_sum(columns[:, c]) for c in range(3)] == expected.tolist(), n


def test_the_order_matters_for_these_values():
    # Without this the two tests above could pass with any order of summation.
    def sequential(values: np.ndarray) -> float:
        total = 0.0
        for x in values:
            total += x
        return total

    differ = [n for n in LENGTHS if sequential(_values(n, 0)) != _values(n, 0).sum()]
    assert len(differ) > 100


@pytest.mark.skipif(not numba_available(), reason="no numba")
def test_the_compiled_pairwise_sum_is_the_python_one():
    for n in (1, 7, 8, 100, 128, 129, 300, 1033, 4999):
        values = _values(n, 5)
        assert pairwise(values, 0, n) == values.sum()
