"""Comparing two runs' outcomes field by field."""

import dataclasses

import numpy as np


def assert_same_outcomes(a, b) -> None:
    """Every array field of two ``Outcomes`` is equal to the bit (NaN equal to NaN)."""
    assert a.actions.size > 0
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=True), field.name
