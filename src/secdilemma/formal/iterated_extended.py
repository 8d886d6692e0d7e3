"""The extended field of the iterated security game: later copies of axelrod strategies.

The 14 deterministic strategies that ``axelrod_strategies(extended=True)`` adds to the original
field: the Probers, Sneaky Tit For Tat, Go By Majority, Soft Grudger, Forgiver and Forgiving Tit
For Tat, the two Graduals, Punisher and Hard Tit For 2 Tats. Most keep per-seat state between
turns (running counts, punishments under way). Re-exported by :mod:`secdilemma.formal.iterated`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from secdilemma.formal.iterated_strategies import (
    C,
    Context,
    D,
    Draws,
    History,
    Strategy,
    _last,
)


def _tally(count: np.ndarray, history: History) -> None:
    # The engine calls a strategy once per turn, so adding the newest move keeps a running
    # count of D without summing the whole history every turn.
    if history.shape[1]:
        count += history[:, -1]


def _provoked(opponent: History) -> np.ndarray:
    """Whether the opponent's last move was D (False before the first turn)."""
    if opponent.shape[1] == 0:
        return np.zeros(opponent.shape[0], dtype=bool)
    return opponent[:, -1].astype(bool)


def _countdown(left: np.ndarray, provoked: np.ndarray, length: int | np.ndarray) -> np.ndarray:
    """One turn of a punishment that ends with two C: ``left`` (updated in place) counts the
    turns still to play, the last two of them C. A seat not punishing starts a punishment of
    ``length`` further turns when ``provoked``, playing D on the turn it starts."""
    punishing = left > 0
    starts = provoked & ~punishing
    moves = (left > 2) | starts
    left -= punishing
    left += starts * length
    return moves.astype(np.uint8)


class Prober(Strategy):
    """D, C, C; then D for ever if the opponent answered C, C on turns 2 and 3, otherwise Tit For
    Tat (Li 2011, after the axelrod library)."""

    name = "Prober"
    opening: tuple[int, ...] = (D, C, C)

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        t = own.shape[1]
        if t < len(self.opening):
            return np.full(own.shape[0], self.opening[t], dtype=np.uint8)
        # Turns 2 and 3 (indices 1 and 2) are the replies to the probe: 1 where both were C.
        exploitable = (opponent[:, 1] | opponent[:, 2]) ^ 1
        return opponent[:, -1] | exploitable


class HardProber(Prober):
    """D, D, C, C; then as :class:`Prober`: D for ever if the opponent played C, C on turns 2
    and 3, otherwise Tit For Tat."""

    name = "Hard Prober"
    opening = (D, D, C, C)


class Prober2(Strategy):
    """D, C, C; then C for ever if the opponent played D, C on turns 2 and 3, otherwise Tit For
    Tat."""

    name = "Prober 2"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        t = own.shape[1]
        if t < 3:
            return np.full(own.shape[0], (D, C, C)[t], dtype=np.uint8)
        retaliator = (opponent[:, 1] == D) & (opponent[:, 2] == C)
        return np.where(retaliator, np.uint8(C), opponent[:, -1])


class Prober3(Strategy):
    """D, C; then D for ever if the opponent played C on turn 2, otherwise Tit For Tat."""

    name = "Prober 3"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        t = own.shape[1]
        if t < 2:
            return np.full(own.shape[0], (D, C)[t], dtype=np.uint8)
        return np.where(opponent[:, 1] == C, np.uint8(D), opponent[:, -1])


class SneakyTitForTat(Strategy):
    """C, C; then D while the opponent has never played D; after that Tit For Tat, except C
    (repenting) when the opponent's D answers its own D of two turns before."""

    name = "Sneaky Tit For Tat"

    def start(self, context: Context) -> np.ndarray:
        return np.zeros(context.seeds.size, dtype=np.uint8)  # 1 once the opponent played D

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if own.shape[1] < 2:
            if own.shape[1]:
                state |= opponent[:, -1]
            return np.zeros(own.shape[0], dtype=np.uint8)
        last = opponent[:, -1]
        state |= last
        # On 0/1 moves: Tit For Tat but C where its own D two turns back met a D (last &
        # ~own[-2]), and D wherever the opponent has never played D (~state).
        return (last & (own[:, -2] ^ 1)) | (state ^ 1)


class GoByMajority(Strategy):
    """D when the opponent has played more D than C (Grisell's entry in Axelrod's second
    tournament); on a tie C if ``soft``, D if not (so the hard version opens with D).

    ``memory_depth`` counts only the opponent's last that many moves; as in axelrod, infinity
    (the default) and 0 both mean the whole history.
    """

    def __init__(self, memory_depth: float = float("inf"), soft: bool = True) -> None:
        if memory_depth != float("inf") and (memory_depth < 0 or memory_depth != int(memory_depth)):
            raise ValueError(f"memory_depth must be a whole number or inf, got {memory_depth}")
        self.memory = 0 if memory_depth == float("inf") else int(memory_depth)
        self.soft = soft
        self.name = ("Soft " if soft else "Hard ") + "Go By Majority"
        if self.memory:
            self.name += f": {self.memory}"

    def start(self, context: Context) -> np.ndarray:
        return np.zeros(context.seeds.size, dtype=np.int64)

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        if self.memory:
            window = opponent[:, -self.memory :]
            defections, length = window.sum(axis=1, dtype=np.int64), window.shape[1]
        else:
            _tally(state, opponent)
            defections, length = state, opponent.shape[1]
        # More D than C means 2 D > length; a tie, 2 D == length, is C only when soft.
        if self.soft:
            return (2 * defections > length).astype(np.uint8)
        return (2 * defections >= length).astype(np.uint8)


class HardGoByMajority(GoByMajority):
    """:class:`GoByMajority` that plays D on a tie, and so opens with D."""

    def __init__(self, memory_depth: float = float("inf")) -> None:
        super().__init__(memory_depth, soft=False)


class SoftGrudger(Strategy):
    """C until the opponent plays D, then D, D, D, D, C, C (the first D at once, the rest
    whatever happens) and C again after that (Li 2011)."""

    name = "Soft Grudger"

    def start(self, context: Context) -> np.ndarray:
        return np.zeros(context.seeds.size, dtype=np.int64)  # turns of punishment left

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        # D now, then D, D, D, C, C: five more turns. A D seen meanwhile is ignored.
        return _countdown(state, _provoked(opponent), 5)


class Forgiver(Strategy):
    """D whenever more than a tenth of the opponent's moves so far were D."""

    name = "Forgiver"

    def start(self, context: Context) -> np.ndarray:
        return np.zeros(context.seeds.size, dtype=np.int64)

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        _tally(state, opponent)
        # Integer form of axelrod's `defections > turns / 10`, the same for any whole counts.
        return (10 * state > opponent.shape[1]).astype(np.uint8)


class ForgivingTitForTat(Forgiver):
    """Tit For Tat once more than a tenth of the opponent's moves so far were D, C before."""

    name = "Forgiving Tit For Tat"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        return super().move(own, opponent, draws, state) & _last(opponent, C)


class Gradual(Strategy):
    """C first; after each D of the opponent (outside a punishment), D as many times as the
    opponent has played D in all, then C, C (the axelrod library's ``Gradual``, after the
    CRISTAL-SMAC version; Beaufils et al. 1997's original is :class:`OriginalGradual`)."""

    name = "Gradual"

    def start(self, context: Context) -> dict[str, np.ndarray]:
        n = context.seeds.size
        return {"defections": np.zeros(n, dtype=np.int64), "left": np.zeros(n, dtype=np.int64)}

    def move(
        self, own: History, opponent: History, draws: Draws, state: dict[str, np.ndarray]
    ) -> np.ndarray:
        defections = state["defections"]
        _tally(defections, opponent)
        # This turn's D starts the punishment: `defections - 1` more D, then C, C.
        return _countdown(state["left"], _provoked(opponent), defections + 1)


class OriginalGradual(Strategy):
    """Beaufils et al.'s (1997) Gradual as axelrod has it: after a D of the opponent, D for as
    many turns as punishments started so far (this turn included), then C, C; D seen while
    punishing or calming do not count."""

    name = "Original Gradual"

    def start(self, context: Context) -> dict[str, np.ndarray]:
        n = context.seeds.size
        return {
            "calming": np.zeros(n, dtype=bool),
            "punishing": np.zeros(n, dtype=bool),
            "count": np.zeros(n, dtype=np.int64),
            "limit": np.zeros(n, dtype=np.int64),
        }

    def move(
        self, own: History, opponent: History, draws: Draws, state: dict[str, np.ndarray]
    ) -> np.ndarray:
        calming, punishing = state["calming"], state["punishing"]
        count, limit = state["count"], state["limit"]
        calmed = calming.copy()
        calming[calmed] = False
        busy = ~calmed & punishing
        more = busy & (count < limit)
        count += more
        # A punishment's end is itself a C and starts the calm, which lasts one more turn.
        ended = busy & ~more
        calming[ended] = True
        punishing[ended] = False
        count[ended] = 0
        provoked = ~calmed & ~busy & _provoked(opponent)
        punishing |= provoked
        count += provoked
        limit += provoked
        return (more | provoked).astype(np.uint8)


class Punisher(Strategy):
    """C until the opponent plays D; then D for ``20 x`` (rounded down) more turns, ``x`` the
    share of D in the opponent's moves so far, and C again until the next D (Palmer, in the
    axelrod library)."""

    name = "Punisher"

    def start(self, context: Context) -> dict[str, np.ndarray]:
        n = context.seeds.size
        return {
            "defections": np.zeros(n, dtype=np.int64),
            "length": np.ones(n, dtype=np.int64),
            "served": np.ones(n, dtype=np.int64),
            "grudged": np.zeros(n, dtype=bool),
        }

    def move(
        self, own: History, opponent: History, draws: Draws, state: dict[str, np.ndarray]
    ) -> np.ndarray:
        _tally(state["defections"], opponent)
        length, served, grudged = state["length"], state["served"], state["grudged"]
        over = served >= length
        served[over] = 0
        grudged[over] = False
        was = grudged.copy()
        served += was
        provoked = ~was & _provoked(opponent)
        length[provoked] = 20 * state["defections"][provoked] // opponent.shape[1]
        grudged |= provoked
        return (was | provoked).astype(np.uint8)


class HardTitForTwoTats(Strategy):
    """C first; D when the opponent's last three moves hold two D in a row (Stewart & Plotkin
    2012)."""

    name = "Hard Tit For 2 Tats"

    def move(self, own: History, opponent: History, draws: Draws, state: Any) -> np.ndarray:
        recent = opponent[:, -3:]
        return (recent[:, :-1] & recent[:, 1:]).any(axis=1).astype(np.uint8)
