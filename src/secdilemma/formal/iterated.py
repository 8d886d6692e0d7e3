"""The iterated security game: many matches of a repeated 2x2 game played at once.

Two states meet again and again in the same :class:`~secdilemma.formal.jervis.SecurityGame`
(Axelrod 1984). Each turn both choose C (0) or D (1) at the same time; with probability
``noise`` each intended move is flipped before it is played (and both see the flipped move).
Payoffs follow the iterated Prisoner's Dilemma convention ``R = CC, S = CD, T = DC, P = DD``.

A strategy is vectorised over *seats* (one player in one match): given the histories of all its
seats so far, arrays ``(n, t)`` of its own and its opponents' moves, and one uniform draw per
seat, it returns the next move of every seat. The engine advances every match of every pairing
together, turn by turn; the only Python loops are over turns and over strategy kinds. The
deterministic strategies behave exactly as the axelrod library's of the same name (Knight et al.
2016), which the tests check match by match.

Randomness comes from one integer seed through :class:`numpy.random.SeedSequence`. A match is
identified by ``(row index, column index, repetition)``; each draw is a counter-based hash of
that identity, the turn and the purpose (noise or a strategy's choice), as in
:mod:`secdilemma.numerics.rng`, so a match's play depends on nothing else: not on which
other matches run beside it, in what order, or in how many batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from secdilemma.formal.jervis import SecurityGame
from secdilemma.numerics.rng import GOLDEN, Stream, Streams, mix

C, D = 0, 1

GameLike = SecurityGame | tuple[float, float, float, float]
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


def axelrod_strategies(extended: bool = False) -> list[Strategy]:
    """One of each strategy here that copies an axelrod strategy, with axelrod's defaults.

    By default the original field of 15 (13 deterministic, Random and GTFT), which the
    ``tournament`` command plays; ``extended=True`` puts the 14 later deterministic copies (the
    Probers, Sneaky Tit For Tat, Go By Majority, the Grudger and Gradual variants, ...) before
    Random and GTFT. The default stays the smaller field because a field richer in retaliators
    ranks strategies differently (Defector falls below Cooperator in the noisy offense-dominant
    game, for one).
    """
    field: list[Strategy] = [
        Cooperator(),
        Defector(),
        TitForTat(),
        Grudger(),
        TitForTwoTats(),
        TwoTitsForTat(),
        HardTitForTat(),
        SuspiciousTitForTat(),
        AntiTitForTat(),
        Alternator(),
        WinStayLoseShift(),
        CyclerCCD(),
        Bully(),
    ]
    if extended:
        field += [
            Prober(),
            Prober2(),
            Prober3(),
            HardProber(),
            SneakyTitForTat(),
            GoByMajority(),
            HardGoByMajority(),
            SoftGrudger(),
            Forgiver(),
            ForgivingTitForTat(),
            Gradual(),
            OriginalGradual(),
            Punisher(),
            HardTitForTwoTats(),
        ]
    return [*field, Random(0.5), GTFT()]


def match_keys(seed: int, row: ArrayLike, column: ArrayLike, repetition: ArrayLike) -> np.ndarray:
    """``(M, 2)`` uint64 keys, one per match identity ``(row, column, repetition)``."""
    root = np.random.SeedSequence(seed).generate_state(2, dtype=np.uint64)
    row, column, repetition = (np.asarray(x, dtype=np.uint64) for x in (row, column, repetition))
    with np.errstate(over="ignore"):
        identity = mix(mix((row << np.uint64(32)) | column) ^ (repetition * GOLDEN))
        return np.stack([mix(identity ^ root[0]), mix(identity ^ root[1])], axis=-1)


class MatchResult(NamedTuple):
    """Matches played side by side; index ``m`` is the match ``(row[m], column[m],
    repetition[m])``, player 0 the row strategy and player 1 the column strategy."""

    row: np.ndarray
    column: np.ndarray
    repetition: np.ndarray
    actions: np.ndarray
    """(M, 2, turns) uint8 moves actually played (0 = C, 1 = D)."""
    scores: np.ndarray
    """(M, 2) total payoff of each player over the match."""


def _rstp(game: GameLike) -> tuple[float, float, float, float]:
    if isinstance(game, SecurityGame):
        return game.as_rstp()
    R, S, T, P = (float(x) for x in game)
    return R, S, T, P


def play(
    strategies: Sequence[Strategy],
    row: ArrayLike,
    column: ArrayLike,
    game: GameLike,
    turns: int,
    noise: float = 0.0,
    seed: int = 0,
    repetition: ArrayLike | None = None,
) -> MatchResult:
    """Play the matches ``strategies[row[m]]`` against ``strategies[column[m]]`` together.

    Each match's play depends only on ``seed``, its identity ``(row[m], column[m],
    repetition[m])`` and the strategies, so any subset or order of matches gives the same
    result for each of them.
    """
    row = np.atleast_1d(np.asarray(row, dtype=np.int64))
    column = np.atleast_1d(np.asarray(column, dtype=np.int64))
    repetition = (
        np.zeros_like(row) if repetition is None else np.asarray(repetition, dtype=np.int64)
    )
    row, column, repetition = np.broadcast_arrays(row, column, repetition)
    kinds = len(strategies)
    if row.size and (min(row.min(), column.min()) < 0 or max(row.max(), column.max()) >= kinds):
        raise ValueError("row and column must index into strategies")
    if repetition.size and repetition.min() < 0:
        raise ValueError("repetition must be non-negative")
    if not 0 <= noise <= 1:
        raise ValueError(f"noise must lie in [0, 1], got {noise}")
    turns = int(turns)
    if turns < 0:
        raise ValueError(f"turns must be non-negative, got {turns}")
    rstp = _rstp(game)
    R, S, T, P = rstp
    payoff = np.array([[R, S], [T, P]])

    matches = row.size
    keys = match_keys(seed, row, column, repetition)
    streams = Streams.from_keys(keys)
    # Seats (a player in a match) sorted by strategy, so each strategy's seats are one slice
    # and its histories are views, not copies.
    kind = np.concatenate([row, column])
    order = np.argsort(kind, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    partner = position[(order + matches) % max(order.size, 1)]
    seat_match = np.concatenate([np.arange(matches), np.arange(matches)])[order]
    seat_side = (order >= matches).astype(np.int64)
    bounds = np.searchsorted(kind[order], np.arange(kinds + 1))
    groups = [(k, bounds[k], bounds[k + 1]) for k in range(kinds) if bounds[k + 1] > bounds[k]]
    with np.errstate(over="ignore"):
        seeds = mix(keys[seat_match, 0] ^ ((seat_side.astype(np.uint64) + 1) * GOLDEN))
    states = [
        strategies[k].start(Context(rstp, turns, float(noise), seeds[lo:hi]))
        for k, lo, hi in groups
    ]
    stochastic = any(strategies[k].stochastic for k, _, _ in groups)

    # Turn-major histories: a turn's moves are one contiguous row, cheap to write and to read
    # back as "the last move"; a strategy sees the (n, t) transposed view of its seats' columns.
    own = np.zeros((turns, order.size), dtype=np.uint8)
    opponent = np.zeros_like(own)
    moves = np.zeros(order.size, dtype=np.uint8)
    scores = np.zeros(order.size)
    outcome_payoff = payoff.ravel()  # indexed by 2 * own move + opponent's move
    # Each strategy's views made once; a turn only cuts them to the first t moves.
    players = [
        (strategies[k].move, lo, hi, own[:, lo:hi].T, opponent[:, lo:hi].T, state)
        for (k, lo, hi), state in zip(groups, states, strict=True)
    ]
    for t in range(turns):
        draws = (
            streams.uniform(Stream.CHOICE, t, (2,))[seat_match, seat_side] if stochastic else None
        )
        for move, lo, hi, mine, theirs, state in players:
            moves[lo:hi] = move(
                mine[:, :t], theirs[:, :t], None if draws is None else draws[lo:hi], state
            )
        if noise > 0:
            moves ^= streams.uniform(Stream.NOISE, t, (2,))[seat_match, seat_side] < noise
        own[t] = moves
        np.take(moves, partner, out=opponent[t])
        # Accumulated turn by turn, the same float sums as a per-turn loop (and as axelrod).
        scores += np.take(outcome_payoff, (moves << 1) | opponent[t])

    first, second = position[:matches], position[matches:]
    return MatchResult(
        row=row,
        column=column,
        repetition=repetition,
        actions=np.stack([own[:, first].T, own[:, second].T], axis=1),
        scores=np.stack([scores[first], scores[second]], axis=1),
    )


@dataclass(frozen=True)
class TournamentResult:
    """A round robin's results, in axelrod's layout where axelrod has one.

    ``interactions`` has one row per player per match. ``scores[i, r]`` is strategy ``i``'s total
    payoff in repetition ``r`` over its matches with the others (not itself), and
    ``normalised_scores[i, r]`` that per turn and per opponent, as axelrod's ``ResultSet``.
    ``payoff_matrix[i, j]`` is ``i``'s mean payoff per turn against ``j`` (averaged within each
    repetition, then over repetitions), and
    ``cooperation_rating[i]`` the share of C among ``i``'s moves against the others.
    """

    names: list[str]
    turns: int
    repetitions: int
    noise: float
    seed: int
    interactions: pd.DataFrame
    scores: np.ndarray
    normalised_scores: np.ndarray
    payoff_matrix: np.ndarray
    cooperation_rating: np.ndarray

    @property
    def ranking(self) -> np.ndarray:
        """Strategy indices, best first, by median normalised score (as axelrod ranks)."""
        return np.argsort(-np.median(self.normalised_scores, axis=1), kind="stable")

    @property
    def summary(self) -> pd.DataFrame:
        """One row per strategy, best first: ``rank`` (0 is best), ``name``, ``median_score``
        and ``mean_score`` (of the normalised scores over repetitions), ``mean_total_score``
        (the mean over repetitions of ``scores``, the total payoff against the others) and
        ``cooperation_rating``."""
        table = pd.DataFrame(
            {
                "name": self.names,
                "median_score": np.median(self.normalised_scores, axis=1),
                "mean_score": self.normalised_scores.mean(axis=1),
                "mean_total_score": self.scores.mean(axis=1),
                "cooperation_rating": self.cooperation_rating,
            }
        )
        table = table.iloc[self.ranking]
        table.insert(0, "rank", np.arange(len(table)))
        return table.rename_axis("strategy")


def tournament(
    strategies: Sequence[Strategy],
    game: GameLike,
    turns: int = 200,
    repetitions: int = 10,
    noise: float = 0.0,
    seed: int = 0,
    batch_size: int | None = None,
) -> TournamentResult:
    """Round robin, every pair (each strategy also against itself, as in axelrod) played
    ``repetitions`` times, all matches at once (or ``batch_size`` matches at a time, with the
    same results).

    >>> from secdilemma.formal.jervis import SecurityGame
    >>> game = SecurityGame.from_primitives(3, 2, 5, 1)  # R=3, S=-2, T=5, P=-1
    >>> result = tournament([TitForTat(), Defector(), Cooperator()], game, turns=10, repetitions=1)
    >>> result.scores[:, 0].tolist()  # total against the other two
    [19.0, 46.0, 10.0]
    >>> [result.names[i] for i in result.ranking]
    ['Defector', 'Tit For Tat', 'Cooperator']
    """
    names = [s.name for s in strategies]
    n = len(strategies)
    if repetitions < 1:
        raise ValueError("repetitions must be at least 1")
    i, j = np.triu_indices(n)
    row, column = np.tile(i, repetitions), np.tile(j, repetitions)
    repetition = np.repeat(np.arange(repetitions), i.size)
    step = row.size if batch_size is None else max(int(batch_size), 1)
    batches = [
        play(
            strategies,
            row[k : k + step],
            column[k : k + step],
            game,
            turns,
            noise,
            seed,
            repetition[k : k + step],
        )
        for k in range(0, row.size, step)
    ]
    scores = np.concatenate([b.scores for b in batches])
    actions = np.concatenate([b.actions for b in batches])

    # One row per player per match: the row player's view, then the column player's.
    player = np.concatenate([row, column])
    other = np.concatenate([column, row])
    score = np.concatenate([scores[:, 0], scores[:, 1]])
    cooperations = turns - np.concatenate([actions[:, 0], actions[:, 1]]).sum(axis=1, dtype=int)
    interactions = pd.DataFrame(
        {
            "repetition": np.concatenate([repetition, repetition]),
            "player_index": player,
            "opponent_index": other,
            "player": np.asarray(names, dtype=object)[player],
            "opponent": np.asarray(names, dtype=object)[other],
            "score": score,
            "score_per_turn": score / turns if turns else np.nan,
            "cooperations": cooperations,
        }
    )

    others = player != other
    flat = player[others] * repetitions + np.concatenate([repetition, repetition])[others]
    total = np.bincount(flat, weights=score[others], minlength=n * repetitions)
    total = total.reshape(n, repetitions)
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = total / (turns * (n - 1))
        # The mean over repetitions of each repetition's mean payoff per turn (the two players'
        # mean in a self-match): axelrod's order of operations, so the floats agree exactly.
        cell = (player * n + other) * repetitions + np.concatenate([repetition, repetition])
        cell_sum = np.bincount(cell, weights=score / turns, minlength=n * n * repetitions)
        cell_count = np.bincount(cell, minlength=n * n * repetitions)
        payoff_matrix = (cell_sum / cell_count).reshape(n, n, repetitions).mean(axis=2)
        played = np.bincount(player[others], weights=cooperations[others], minlength=n)
        cooperation_rating = played / (turns * (n - 1) * repetitions)
    return TournamentResult(
        names=names,
        turns=turns,
        repetitions=repetitions,
        noise=float(noise),
        seed=seed,
        interactions=interactions,
        scores=total,
        normalised_scores=normalised,
        payoff_matrix=payoff_matrix,
        cooperation_rating=cooperation_rating,
    )
