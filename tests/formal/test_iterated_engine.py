"""The vectorised iterated security game on its own (no axelrod needed): noise, generosity,
reproducibility whatever the batching, argument checks and the tournament summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from secdilemma.formal import iterated as it
from secdilemma.formal.jervis import SecurityGame, classify, from_offense_defense

# Dyadic payoffs, so sums are exact whatever the order of addition.
PRIMITIVES = SecurityGame.from_primitives(3, 2, 5, 1)  # R=3, S=-2, T=5, P=-1
OFFENSE = from_offense_defense(3.0, 0.0, arms_cost=0.25)  # R=0, S=-0.75, T=0.25, P=-0.5

DETERMINISTIC = [
    it.Cooperator(),
    it.Defector(),
    it.TitForTat(),
    it.Grudger(),
    it.TitForTwoTats(),
    it.TwoTitsForTat(),
    it.HardTitForTat(),
    it.SuspiciousTitForTat(),
    it.AntiTitForTat(),
    it.Alternator(),
    it.WinStayLoseShift(),
    it.CyclerCCD(),
    it.Bully(),
    it.Prober(),
    it.Prober2(),
    it.Prober3(),
    it.HardProber(),
    it.SneakyTitForTat(),
    it.GoByMajority(),
    it.HardGoByMajority(),
    it.GoByMajority(10),
    it.SoftGrudger(),
    it.Forgiver(),
    it.ForgivingTitForTat(),
    it.Gradual(),
    it.OriginalGradual(),
    it.Punisher(),
    it.HardTitForTwoTats(),
]


def test_games_are_prisoners_dilemmas():
    assert classify(PRIMITIVES) == classify(OFFENSE) == "Prisoner's Dilemma"
    assert OFFENSE.as_rstp() == (0.0, -0.75, 0.25, -0.5)


def test_noisy_tournament_is_reproducible_whatever_the_batching():
    strategies = [*DETERMINISTIC, it.Random(0.5), it.GTFT()]
    kwargs = dict(turns=30, repetitions=3, noise=0.1, seed=11)
    whole = it.tournament(strategies, PRIMITIVES, **kwargs)
    batched = it.tournament(strategies, PRIMITIVES, batch_size=37, **kwargs)
    pd.testing.assert_frame_equal(whole.interactions, batched.interactions)
    np.testing.assert_array_equal(whole.scores, batched.scores)
    # Any subset of matches, in any order, plays as it did in the tournament.
    pairs = whole.interactions.iloc[: len(whole.interactions) // 2]
    pick = np.random.default_rng(0).permutation(len(pairs))[:25]
    sub = pairs.iloc[pick]
    alone = it.play(
        strategies,
        sub.player_index.to_numpy(),
        sub.opponent_index.to_numpy(),
        PRIMITIVES,
        kwargs["turns"],
        kwargs["noise"],
        kwargs["seed"],
        sub.repetition.to_numpy(),
    )
    np.testing.assert_array_equal(alone.scores[:, 0], sub.score.to_numpy())
    other_seed = it.tournament(strategies, PRIMITIVES, **{**kwargs, "seed": 12})
    assert not np.array_equal(other_seed.scores, whole.scores)


def test_strategies_move_once_per_turn_for_all_matches():
    class Counting(it.TitForTat):
        calls = 0

        def move(self, own, opponent, draws, state):
            Counting.calls += 1
            return super().move(own, opponent, draws, state)

    counting = Counting()
    turns, matches = 12, 500
    it.play(
        [counting, it.Defector()],
        np.zeros(matches, int),
        1,
        PRIMITIVES,
        turns,
        0.05,
        repetition=np.arange(matches),
    )
    assert Counting.calls == turns


def test_cooperator_is_exploited_every_turn_by_defector():
    R, S, T, P = PRIMITIVES.as_rstp()
    result = it.play([it.Cooperator(), it.Defector()], [0], [1], PRIMITIVES, turns=50)
    assert result.actions[0, 0].tolist() == [0] * 50 and result.actions[0, 1].tolist() == [1] * 50
    assert tuple(result.scores[0]) == (50 * S, 50 * T)


def _moves(strategy: it.Strategy, opponent: it.Strategy, turns: int) -> str:
    result = it.play([strategy, opponent], [0], [1], PRIMITIVES, turns)
    return "".join("CD"[m] for m in result.actions[0, 0])


def test_punishing_probing_and_majority_strategies_play_as_defined():
    # Against one D every seven turns: Soft Grudger answers each with D, D, D, D, C, C.
    assert _moves(it.SoftGrudger(), it.Cycler("DCCCCCC"), 21) == "CDDDDCC" * 3
    # Gradual answers the opponent's k-th D (outside a punishment) with k D, then C, C.
    assert _moves(it.Gradual(), it.Defector(), 16) == "CD" + "CC" + "DDDD" + "CC" + "D" * 6
    # Punisher: D, then 20 x (the opponent's share of D so far) more D, rounded down: 20 after
    # a D on the first turn, 1 after the second of 31.
    rare = it.Cycler("D" + "C" * 29)
    assert _moves(it.Punisher(), rare, 36) == "C" + "D" * 21 + "C" * 9 + "DD" + "CCC"
    # The Probers open D, C, C and exploit an opponent that does not retaliate.
    assert _moves(it.Prober(), it.Cooperator(), 6) == "DCCDDD"
    assert _moves(it.Prober(), it.TitForTat(), 6) == "DCCCCC"
    assert _moves(it.HardGoByMajority(), it.Cooperator(), 3) == "DCC"
    assert _moves(it.GoByMajority(), it.Alternator(), 4) == "CCCC"
    assert _moves(it.HardGoByMajority(), it.Alternator(), 4) == "DCDC"


def test_noise_lowers_tit_for_tat_score():
    strategies = [it.TitForTat(), it.Cooperator(), it.Grudger(), it.WinStayLoseShift()]
    clean = it.tournament(strategies, PRIMITIVES, turns=100, repetitions=20, seed=4)
    noisy = it.tournament(strategies, PRIMITIVES, turns=100, repetitions=20, noise=0.1, seed=4)
    R = PRIMITIVES.as_rstp()[0]
    # Among these nice strategies everyone cooperates throughout without noise.
    np.testing.assert_array_equal(clean.normalised_scores, R)
    assert noisy.normalised_scores[0].mean() < clean.normalised_scores[0].mean() - 0.5
    # Noise flips about a tenth of intended moves.
    cooperations = noisy.interactions.query("player_index == 1").cooperations
    assert abs(cooperations.mean() / 100 - 0.9) < 0.01


def test_generous_tit_for_tat_forgives_at_its_rate():
    result = it.play(
        [it.GTFT(), it.Defector()],
        np.zeros(2000, int),
        1,
        PRIMITIVES,
        50,
        seed=8,
        repetition=np.arange(2000),
    )
    moves = result.actions[:, 0]
    R, S, T, P = PRIMITIVES.as_rstp()
    generosity = min(1 - (T - R) / (R - S), (R - P) / (T - P))  # 0.6 here
    assert generosity == pytest.approx(0.6)
    assert (moves[:, 0] == 0).all()
    assert abs((moves[:, 1:] == 0).mean() - generosity) < 0.01
    random = it.play(
        [it.Random(0.3), it.Cooperator()],
        np.zeros(2000, int),
        1,
        PRIMITIVES,
        50,
        seed=8,
        repetition=np.arange(2000),
    )
    assert abs((random.actions[:, 0] == 0).mean() - 0.3) < 0.01


def _forgiveness(gtft: it.GTFT, game: tuple[float, float, float, float]) -> float:
    """The share of C that ``gtft`` plays after its first move against a defector."""
    result = it.play([gtft, it.Defector()], np.zeros(300, int), 1, game, 20, seed=3,
                     repetition=np.arange(300))  # fmt: skip
    moves = result.actions[:, 0]
    assert (moves[:, 0] == 0).all()
    return float((moves[:, 1:] == 0).mean())


@pytest.mark.parametrize(
    ("game", "expected"),
    [
        # R <= S: the formula would give min(1 - 2 / -1, 1 / 3) = 1/3; no generosity instead
        ((1.0, 2.0, 3.0, 0.0), 0.0),
        # T = P: the formula would divide by zero
        ((3.0, 0.0, 1.0, 1.0), 0.0),
        # T < P: the formula is negative anyway
        ((3.0, 0.0, 1.0, 2.0), 0.0),
        # a Prisoner's Dilemma with T - R > R - S: 1 - 7/3 < 0, clipped to 0
        ((3.0, 0.0, 10.0, 1.0), 0.0),
        # a Stag Hunt is no Prisoner's Dilemma: plain Tit For Tat
        ((3.0, 0.0, 2.0, 1.0), 0.0),
    ],
)
def test_generosity_is_zero_outside_a_prisoners_dilemma_and_never_negative(game, expected):
    assert _forgiveness(it.GTFT(), game) == expected


def test_explicit_generosity_is_clipped_and_used_in_any_game():
    assert _forgiveness(it.GTFT(1.5), (1.0, 2.0, 3.0, 0.0)) == 1.0
    assert _forgiveness(it.GTFT(-0.5), PRIMITIVES.as_rstp()) == 0.0
    assert abs(_forgiveness(it.GTFT(0.25), (3.0, 0.0, 1.0, 1.0)) - 0.25) < 0.03


def test_invalid_arguments_are_rejected():
    with pytest.raises(ValueError, match="noise"):
        it.play(DETERMINISTIC, [0], [1], PRIMITIVES, 5, noise=1.5)
    with pytest.raises(ValueError, match="index"):
        it.play(DETERMINISTIC, [0], [len(DETERMINISTIC)], PRIMITIVES, 5)
    with pytest.raises(ValueError, match="repetition"):
        it.play(DETERMINISTIC, [0], [1], PRIMITIVES, 5, repetition=[-1])
    with pytest.raises(ValueError, match="turns"):
        it.play(DETERMINISTIC, [0], [1], PRIMITIVES, -1)
    with pytest.raises(ValueError, match="repetitions"):
        it.tournament(DETERMINISTIC, PRIMITIVES, repetitions=0)
    with pytest.raises(ValueError, match="cycle"):
        it.Cycler("CXD")
    with pytest.raises(ValueError, match="p must"):
        it.Random(1.5)
    with pytest.raises(ValueError, match="four_vector"):
        it.MemoryOne((1, 0, 0))
    for depth in (-1, 2.5):
        with pytest.raises(ValueError, match="memory_depth"):
            it.GoByMajority(depth)


def test_summary_ranks_by_median_and_reports_the_mean_total_score():
    strategies = [it.TitForTat(), it.Defector(), it.Cooperator(), it.Random(0.5)]
    result = it.tournament(strategies, PRIMITIVES, turns=20, repetitions=5, seed=2)
    summary = result.summary
    assert list(summary.columns) == [
        "rank",
        "name",
        "median_score",
        "mean_score",
        "mean_total_score",
        "cooperation_rating",
    ]
    order = result.ranking
    assert summary.index.tolist() == order.tolist()
    assert summary["rank"].tolist() == list(range(len(strategies)))
    assert summary["name"].tolist() == [strategies[i].name for i in order]
    np.testing.assert_array_equal(summary["mean_total_score"], result.scores.mean(axis=1)[order])
    assert np.all(np.diff(summary["median_score"]) <= 0)
    # a total over 3 opponents and 20 turns, averaged over repetitions, not their sum
    np.testing.assert_allclose(summary["mean_total_score"], summary["mean_score"] * 3 * 20)
