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

The strategies live in :mod:`~secdilemma.formal.iterated_strategies` (the interface and the
original field) and :mod:`~secdilemma.formal.iterated_extended` (the later copies); this module
re-exports them beside the engine (:func:`play`, :func:`tournament`) and the field
(:func:`axelrod_strategies`), so import everything from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from secdilemma.formal.iterated_extended import (
    Forgiver,
    ForgivingTitForTat,
    GoByMajority,
    Gradual,
    HardGoByMajority,
    HardProber,
    HardTitForTwoTats,
    OriginalGradual,
    Prober,
    Prober2,
    Prober3,
    Punisher,
    SneakyTitForTat,
    SoftGrudger,
)
from secdilemma.formal.iterated_strategies import (
    GTFT,
    Alternator,
    AntiTitForTat,
    Bully,
    C,
    Context,
    Cooperator,
    Cycler,
    CyclerCCD,
    D,
    Defector,
    Draws,
    Grudger,
    HardTitForTat,
    History,
    MemoryOne,
    Random,
    Strategy,
    SuspiciousTitForTat,
    TitForTat,
    TitForTwoTats,
    TwoTitsForTat,
    WinStayLoseShift,
)
from secdilemma.formal.jervis import SecurityGame
from secdilemma.numerics.rng import GOLDEN, Stream, Streams, mix

__all__ = [
    "C",
    "D",
    "GTFT",
    "Alternator",
    "AntiTitForTat",
    "Bully",
    "Context",
    "Cooperator",
    "Cycler",
    "CyclerCCD",
    "Defector",
    "Draws",
    "Forgiver",
    "ForgivingTitForTat",
    "GameLike",
    "GoByMajority",
    "Gradual",
    "Grudger",
    "HardGoByMajority",
    "HardProber",
    "HardTitForTat",
    "HardTitForTwoTats",
    "History",
    "MatchResult",
    "MemoryOne",
    "OriginalGradual",
    "Prober",
    "Prober2",
    "Prober3",
    "Punisher",
    "Random",
    "SneakyTitForTat",
    "SoftGrudger",
    "Strategy",
    "SuspiciousTitForTat",
    "TitForTat",
    "TitForTwoTats",
    "TournamentResult",
    "TwoTitsForTat",
    "WinStayLoseShift",
    "axelrod_strategies",
    "match_keys",
    "play",
    "tournament",
]

GameLike = SecurityGame | tuple[float, float, float, float]


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
