"""The strategy interface of the iterated security game, and the original field of strategies.

:class:`Strategy` and what it is given (:class:`Context`, the ``History`` and ``Draws`` arrays,
the moves ``C`` and ``D``); the 13 deterministic copies of axelrod strategies that
:func:`~secdilemma.formal.iterated.axelrod_strategies` plays by default, from Cooperator to Bully;
and :class:`Cycler`, :class:`Random`, :class:`MemoryOne` and :class:`GTFT`. The later,
mostly stateful copies are in :mod:`~secdilemma.formal.iterated_extended`; both are
re-exported by :mod:`secdilemma.formal.iterated`, the entry point.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

C, D = 0, 1

History = np.ndarray
"""(n, t) uint8 moves so far, one row per seat."""
Draws = np.ndarray | None
"""(n,) uniforms on (0, 1), one per seat, or None when no strategy in the batch needs them."""


class Context(NamedTuple):
    """What a strategy may know when its matches start."""

    game: tuple[float, float, float, float]
    """(R, S, T, P)."""
    turns: int
    noise: float
    seeds: np.ndarray
    """(n,) uint64, one per seat, fixed by the seat's match identity and side; for strategies
    that keep their own generators (the axelrod adapter)."""


class Strategy:
    """A vectorised strategy for the iterated game.

    Subclasses set ``name`` (axelrod's name where they copy an axelrod strategy) and implement
    :meth:`move`; strategies that keep per-seat state beyond the histories override
    :meth:`start`. Set ``stochastic`` for strategies that use the draws.
    """

    name: str = "Strategy"
    stochastic: bool = False

    def start(self, context: Context) -> Any:
        """Per-seat state at the first turn (``None`` when the histories suffice)."""
        return None

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        """Next moves (0 = C, 1 = D), shape ``(n,)``.

        ``own`` and ``opponent`` are ``(n, t)`` arrays of the moves played so far (after
        noise), views into the engine's turn-major histories (to read, not to write);
        ``draws`` are ``(n,)`` uniforms on (0, 1), given when any strategy in the batch is
        stochastic; ``state`` is what :meth:`start` returned, updated in place. The engine
        calls it once per turn, in order, so a state may keep running counts.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


def _last(history: np.ndarray, empty: int) -> np.ndarray:
    if history.shape[1] == 0:
        return np.full(history.shape[0], empty, dtype=np.uint8)
    return history[:, -1]


class Cooperator(Strategy):
    """Always C."""

    name = "Cooperator"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return np.zeros(own.shape[0], dtype=np.uint8)


class Defector(Strategy):
    """Always D."""

    name = "Defector"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return np.ones(own.shape[0], dtype=np.uint8)


class TitForTat(Strategy):
    """C first, then the opponent's last move (Rapoport's entry, Axelrod 1984)."""

    name = "Tit For Tat"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return _last(opponent, C)


class SuspiciousTitForTat(Strategy):
    """D first, then the opponent's last move."""

    name = "Suspicious Tit For Tat"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return _last(opponent, D)


class TitForTwoTats(Strategy):
    """D only after two D in a row from the opponent."""

    name = "Tit For 2 Tats"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if opponent.shape[1] < 2:
            return np.zeros(own.shape[0], dtype=np.uint8)
        return opponent[:, -2] & opponent[:, -1]


class TwoTitsForTat(Strategy):
    """D if the opponent played D in either of the last two turns."""

    name = "Two Tits For Tat"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return opponent[:, -2:].any(axis=1).astype(np.uint8)


class HardTitForTat(Strategy):
    """D if the opponent played D in any of the last three turns."""

    name = "Hard Tit For Tat"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return opponent[:, -3:].any(axis=1).astype(np.uint8)


class AntiTitForTat(Strategy):
    """C first, then the opposite of the opponent's last move."""

    name = "Anti Tit For Tat"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return 1 - _last(opponent, D)


class Bully(Strategy):
    """D first, then the opposite of the opponent's last move."""

    name = "Bully"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return 1 - _last(opponent, C)


class Grudger(Strategy):
    """C until the opponent first plays D, then D for ever (Friedman's strategy)."""

    name = "Grudger"

    def start(self, context: Context) -> np.ndarray:
        # The grudge is carried rather than recomputed from the whole history each turn.
        return np.zeros(context.seeds.size, dtype=bool)

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if opponent.shape[1]:
            state |= opponent[:, -1].astype(bool)
        return state.astype(np.uint8)


class Alternator(Strategy):
    """C, D, C, D, ...: the opposite of its own last move (which noise may have flipped)."""

    name = "Alternator"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return 1 - _last(own, D)


class WinStayLoseShift(Strategy):
    """C first; C after (C, C) or (D, D), otherwise D (Pavlov; Nowak & Sigmund 1993)."""

    name = "Win-Stay Lose-Shift"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if own.shape[1] == 0:
            return np.zeros(own.shape[0], dtype=np.uint8)
        return own[:, -1] ^ opponent[:, -1]


class Cycler(Strategy):
    """Repeats an intended sequence of moves, such as ``"CCD"``, whatever happens."""

    def __init__(self, cycle: str = "CCD") -> None:
        if not cycle or set(cycle) - {"C", "D"}:
            raise ValueError(f"cycle must be a non-empty string of C and D, got {cycle!r}")
        self.cycle = cycle
        self.name = f"Cycler {cycle}"
        self._moves = np.array([C if c == "C" else D for c in cycle], dtype=np.uint8)

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return np.full(own.shape[0], self._moves[own.shape[1] % self._moves.size], np.uint8)


class CyclerCCD(Cycler):
    """C, C, D, C, C, D, ..."""

    def __init__(self) -> None:
        super().__init__("CCD")


class Random(Strategy):
    """C with probability ``p`` each turn."""

    name = "Random"

    def __init__(self, p: float = 0.5) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"p must lie in [0, 1], got {p}")
        self.p = float(p)
        self.stochastic = 0 < p < 1

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if not self.stochastic:
            return np.full(own.shape[0], D if self.p == 0 else C, dtype=np.uint8)
        return (draws >= self.p).astype(np.uint8)


class MemoryOne(Strategy):
    """C with a probability set by the last turn's outcome, ``four_vector = (P(C | CC),
    P(C | CD), P(C | DC), P(C | DD))`` with own move first; ``initial`` on the first turn."""

    name = "Generic Memory One Player"

    def __init__(
        self, four_vector: tuple[float, float, float, float] = (1, 0, 0, 1), initial: int = C
    ) -> None:
        vector = np.asarray(four_vector, dtype=float)
        if vector.shape != (4,) or np.any((vector < 0) | (vector > 1)):
            raise ValueError(f"four_vector must be four probabilities, got {four_vector}")
        self.four_vector = vector
        self.initial = initial
        self.stochastic = bool(np.any((vector > 0) & (vector < 1)))

    def _vector(self, context: Context) -> np.ndarray:
        return self.four_vector

    def start(self, context: Context) -> np.ndarray:
        return self._vector(context)

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if own.shape[1] == 0:
            return np.full(own.shape[0], self.initial, dtype=np.uint8)
        cooperate = state[2 * own[:, -1] + opponent[:, -1]]
        if draws is None:
            return (cooperate < 1).astype(np.uint8)
        return (draws >= cooperate).astype(np.uint8)


class GTFT(MemoryOne):
    """Generous Tit For Tat: C first and after the opponent's C; after a D, still C with
    probability ``p``, by default ``min(1 - (T - R) / (R - S), (R - P) / (T - P))`` of the game
    played (Nowak & Sigmund 1992), clipped to [0, 1], and 0 where the game is not a Prisoner's
    Dilemma (``T > R > P > S`` fails).

    axelrod 4.14's ``GTFT()`` computes the same formula once, when made, from its default game
    (R, S, T, P) = (3, 0, 5, 1), so it cooperates after a D with probability 1/3 whatever game it
    then plays; ``GTFT(1/3)`` here, or ``axelrod.GTFT(p)`` there, makes the two agree.
    """

    name = "GTFT"

    def __init__(self, p: float | None = None) -> None:
        super().__init__((1, 0.5, 1, 0.5))
        self.p = p
        self.stochastic = True

    def _vector(self, context: Context) -> np.ndarray:
        R, S, T, P = context.game
        if self.p is not None:
            p = self.p
        elif T > R > P > S:
            p = min(1 - (T - R) / (R - S), (R - P) / (T - P))
        else:
            # Outside the Prisoner's Dilemma the formula has no meaning (or no value):
            # generosity then is plain Tit For Tat.
            p = 0.0
        p = float(np.clip(p, 0.0, 1.0))
        return np.array([1.0, p, 1.0, p])
