"""The vectorised 2x2 solver against nashpy's support enumeration and a few classic games."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pytest

from secdilemma.formal.games import (
    equilibria,
    mixed_equilibrium,
    pure_equilibria,
    solve,
    solve_security_game,
)
from secdilemma.formal.jervis import SecurityGame

TOLERANCE = 1e-9


def _matched(found, expected) -> bool:
    """The two lists hold the same equilibria, each matched once within TOLERANCE."""
    if len(found) != len(expected):
        return False
    unused = list(expected)
    for row, column in found:
        for k, (other_row, other_column) in enumerate(unused):
            if np.allclose(row, other_row, rtol=0, atol=TOLERANCE) and np.allclose(
                column, other_column, rtol=0, atol=TOLERANCE
            ):
                del unused[k]
                break
        else:
            return False
    return True


def test_agrees_with_nashpy_on_random_games():
    rng = np.random.default_rng(20240611)
    A = rng.uniform(-1, 1, size=(2000, 2, 2))
    B = rng.uniform(-1, 1, size=(2000, 2, 2))
    found = equilibria(A, B)
    counts = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a degeneracy warning from nashpy would void the check
        for g in range(len(A)):
            expected = list(nashpy.Game(A[g], B[g]).support_enumeration())
            assert _matched(found[g], expected), (g, found[g], expected)
            counts.append(len(expected))
    # The sample covers one, two pure + one mixed, and mixed-only games.
    assert set(counts) == {1, 3}
    assert sum(len(f) == 1 and f[0][0].max() < 1 for f in found) > 0


def test_prisoners_dilemma_has_only_mutual_defection():
    game = SecurityGame.from_primitives(3, 2, 5, 1)  # R=3, S=-2, T=5, P=-1
    eq = solve_security_game(game)
    assert eq.pure.tolist() == [[False, False], [False, True]]
    assert not eq.mixed


def test_stag_hunt_has_two_pure_and_one_mixed():
    game = SecurityGame.from_primitives(4, 3, 2, 1)  # R=4, S=-3, T=2, P=-1
    eq = solve_security_game(game)
    assert eq.pure.tolist() == [[True, False], [False, True]]
    assert eq.mixed
    # Cooperating pays once the other cooperates with probability above (P - S)/(R - T + P - S).
    assert float(eq.p) == pytest.approx(0.5) and float(eq.q) == pytest.approx(0.5)


def test_matching_pennies_has_only_the_uniform_mixture():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    (found,) = equilibria(A, -A)
    assert len(found) == 1
    row, column = found[0]
    np.testing.assert_allclose(row, [0.5, 0.5])
    np.testing.assert_allclose(column, [0.5, 0.5])


def test_chicken_mixed_probability_matches_indifference():
    # Chicken: T=3 > R=2 > S=1 > P=0; the mixed equilibrium cooperates with (S - P)/(S - P + T - R).
    A = np.array([[2.0, 1.0], [3.0, 0.0]])
    p, q, valid = mixed_equilibrium(A, A.T)
    assert bool(valid) and float(p) == pytest.approx(0.5) and float(q) == pytest.approx(0.5)
    assert pure_equilibria(A, A.T).tolist() == [[False, True], [True, False]]


def test_stacks_broadcast_and_keep_leading_shape():
    rng = np.random.default_rng(7)
    A = rng.uniform(size=(3, 4, 2, 2))
    B = rng.uniform(size=(3, 4, 2, 2))
    eq = solve(A, B)
    assert eq.pure.shape == (3, 4, 2, 2) and eq.p.shape == eq.mixed.shape == (3, 4)
    flat = solve(A.reshape(-1, 2, 2), B.reshape(-1, 2, 2))
    np.testing.assert_array_equal(eq.pure.reshape(-1, 2, 2), flat.pure)
    np.testing.assert_array_equal(eq.mixed.reshape(-1), flat.mixed)


def test_degenerate_games_give_no_warning_and_no_spurious_mixture():
    zero = np.zeros((2, 2))
    dominant = np.array([[1.0, 1.0], [0.0, 0.0]])  # row indifferent to column: denominator 0
    A = np.stack([zero, dominant])
    B = np.stack([zero, dominant.T])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eq = solve(A, B)
    # All-zero payoffs: every cell is an equilibrium; no unique interior point.
    assert eq.pure[0].all()
    assert eq.pure[1].tolist() == [[True, False], [False, False]]
    assert not eq.mixed.any()
    assert np.isnan(eq.p).all() and np.isnan(eq.q).all()


def test_rejects_non_2x2_payoffs():
    with pytest.raises(ValueError, match="2, 2"):
        solve(np.zeros((3, 3)), np.zeros((3, 3)))
