"""Nash equilibria of many 2x2 bimatrix games at once (Nash 1951).

Games are stacked along leading axes: ``A`` holds the row player's payoffs and ``B`` the column
player's, each of shape ``(..., 2, 2)``, with ``A[..., i, j]`` the row player's payoff when row
plays ``i`` and column plays ``j``. Action 0 is C and 1 is D for a :class:`SecurityGame`.

Pure equilibria are the cells where each action is a (weak) best response to the other. The
interior mixed equilibrium makes each player indifferent between their two actions:

    q = (A11 - A01) / (A00 - A01 - A10 + A11)     column plays action 0 with probability q
    p = (B11 - B10) / (B00 - B01 - B10 + B11)     row plays action 0 with probability p

and exists when both lie strictly inside (0, 1). For a nondegenerate game these are all its
equilibria, the same set that support enumeration finds (Nashpy: Knight & Campbell 2018). A
degenerate game (a player indifferent between actions against some pure action of the other) can
have a continuum of equilibria; only its pure equilibria and the interior point, when unique, are
reported.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from secdilemma.formal.jervis import SecurityGame


class Equilibria(NamedTuple):
    """The equilibria of a stack of 2x2 games, shapes ``(..., 2, 2)`` and ``(...)``."""

    pure: np.ndarray
    """Bool mask: ``pure[..., i, j]`` when (row plays i, column plays j) is an equilibrium."""
    p: np.ndarray
    """Probability that row plays action 0 in the interior equilibrium (NaN when undefined)."""
    q: np.ndarray
    """Probability that column plays action 0 in the interior equilibrium (NaN when undefined)."""
    mixed: np.ndarray
    """Bool: the interior equilibrium exists (p and q finite and strictly inside (0, 1))."""


def _as_games(A: ArrayLike, B: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    A, B = np.broadcast_arrays(np.asarray(A, dtype=float), np.asarray(B, dtype=float))
    if A.shape[-2:] != (2, 2):
        raise ValueError(f"payoffs must have shape (..., 2, 2), got {A.shape}")
    return A, B


def pure_equilibria(A: ArrayLike, B: ArrayLike) -> np.ndarray:
    """``(..., 2, 2)`` bool mask of pure equilibria: cells where each player's action is a weak
    best response (``>=``) to the other's.

    >>> pure_equilibria([[3, 0], [5, 1]], [[3, 5], [0, 1]]).tolist()
    [[False, False], [False, True]]
    """
    A, B = _as_games(A, B)
    row_best = A >= A.max(axis=-2, keepdims=True)
    column_best = B >= B.max(axis=-1, keepdims=True)
    return row_best & column_best


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # A zero denominator means the indifference line does not cross the simplex (or covers it):
    # no unique interior point, so NaN rather than inf and no division warning.
    out = np.full(np.shape(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def mixed_equilibrium(A: ArrayLike, B: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(p, q, valid)``: the interior mixed equilibrium by indifference, each of shape ``(...)``.

    ``p`` is the probability that row plays action 0 and ``q`` that column plays action 0;
    ``valid`` marks the games where both are finite and strictly inside (0, 1).

    >>> p, q, valid = mixed_equilibrium([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> float(p), float(q), bool(valid)
    (0.5, 0.5, True)
    """
    A, B = _as_games(A, B)
    q = _ratio(
        A[..., 1, 1] - A[..., 0, 1], A[..., 0, 0] - A[..., 0, 1] - A[..., 1, 0] + A[..., 1, 1]
    )
    p = _ratio(
        B[..., 1, 1] - B[..., 1, 0], B[..., 0, 0] - B[..., 0, 1] - B[..., 1, 0] + B[..., 1, 1]
    )
    valid = (p > 0) & (p < 1) & (q > 0) & (q < 1)  # NaN compares False
    return p, q, valid


def solve(A: ArrayLike, B: ArrayLike) -> Equilibria:
    """Pure and interior mixed equilibria of every game in the stack, without a loop over games."""
    p, q, mixed = mixed_equilibrium(A, B)
    return Equilibria(pure=pure_equilibria(A, B), p=p, q=q, mixed=mixed)


def solve_security_game(game: SecurityGame) -> Equilibria:
    """:func:`solve` for a (stack of) symmetric security game(s); action 0 is C, 1 is D.

    >>> from secdilemma.formal.jervis import SecurityGame
    >>> stag_hunt = SecurityGame.from_primitives(4, 3, 2, 1)  # CC=4, CD=-3, DC=2, DD=-1
    >>> eq = solve_security_game(stag_hunt)
    >>> eq.pure.tolist(), float(eq.p), float(eq.q)
    ([[True, False], [False, True]], 0.5, 0.5)
    """
    return solve(game.row_payoffs, game.column_payoffs)


def equilibria(A: ArrayLike, B: ArrayLike) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Per game (leading axes flattened), the list of equilibria as ``(row, column)`` strategy
    vectors, pure ones first in cell order, the mixed one last: the form that
    ``nashpy.Game(A, B).support_enumeration()`` yields, for comparison.

    >>> [[(r.tolist(), c.tolist()) for r, c in game] for game in
    ...  equilibria([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])]
    [[([0.5, 0.5], [0.5, 0.5])]]
    """
    eq = solve(A, B)
    pure = eq.pure.reshape(-1, 2, 2)
    p, q, mixed = eq.p.reshape(-1), eq.q.reshape(-1), eq.mixed.reshape(-1)
    identity = np.eye(2)
    found = []
    for g in range(pure.shape[0]):
        game = [(identity[i], identity[j]) for i, j in zip(*np.nonzero(pure[g]), strict=True)]
        if mixed[g]:
            game.append((np.array([p[g], 1.0 - p[g]]), np.array([q[g], 1.0 - q[g]])))
        found.append(game)
    return found
