"""The vectorised iterated security game against the axelrod library, match by match."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from secdilemma.formal import iterated as it
from secdilemma.formal.jervis import SecurityGame, classify, from_offense_defense

axelrod = pytest.importorskip("axelrod")

from secdilemma.formal.axelrod_adapter import AxelrodStrategy  # noqa: E402

# Dyadic payoffs, so sums are exact whatever the order of addition.
PRIMITIVES = SecurityGame.from_primitives(3, 2, 5, 1)  # R=3, S=-2, T=5, P=-1
OFFENSE = from_offense_defense(3.0, 0.0, arms_cost=0.25)  # R=0, S=-0.75, T=0.25, P=-0.5

# The engine's deterministic strategies and axelrod's classes of the same name.
DETERMINISTIC = [
    (it.Cooperator(), axelrod.Cooperator),
    (it.Defector(), axelrod.Defector),
    (it.TitForTat(), axelrod.TitForTat),
    (it.Grudger(), axelrod.Grudger),
    (it.TitForTwoTats(), axelrod.TitFor2Tats),
    (it.TwoTitsForTat(), axelrod.TwoTitsForTat),
    (it.HardTitForTat(), axelrod.HardTitForTat),
    (it.SuspiciousTitForTat(), axelrod.SuspiciousTitForTat),
    (it.AntiTitForTat(), axelrod.AntiTitForTat),
    (it.Alternator(), axelrod.Alternator),
    (it.WinStayLoseShift(), axelrod.WinStayLoseShift),
    (it.CyclerCCD(), axelrod.CyclerCCD),
    (it.Bully(), axelrod.Bully),
]
OURS = [ours for ours, _ in DETERMINISTIC]
THEIRS = [theirs for _, theirs in DETERMINISTIC]


def _axelrod_game(game: SecurityGame):
    R, S, T, P = game.as_rstp()
    return axelrod.Game(r=R, s=S, t=T, p=P)


def _axelrod_match(first, second, game: SecurityGame, turns: int):
    match = axelrod.Match((first(), second()), turns=turns, game=_axelrod_game(game))
    actions = np.array([[a.value for a in turn] for turn in match.play()], dtype=np.uint8).T
    return actions, match.final_score()


def test_games_are_prisoners_dilemmas():
    assert classify(PRIMITIVES) == classify(OFFENSE) == "Prisoner's Dilemma"
    assert OFFENSE.as_rstp() == (0.0, -0.75, 0.25, -0.5)


def test_names_are_axelrods():
    assert [s.name for s in OURS] == [cls.name for cls in THEIRS]


@pytest.mark.parametrize("game", [PRIMITIVES, OFFENSE], ids=["primitives", "offense-defense"])
def test_every_deterministic_pair_matches_axelrod_exactly(game):
    turns = 40
    row, column = np.triu_indices(len(OURS))
    result = it.play(OURS, row, column, game, turns)
    for m, (i, j) in enumerate(zip(row, column, strict=True)):
        actions, score = _axelrod_match(THEIRS[i], THEIRS[j], game, turns)
        assert np.array_equal(result.actions[m], actions), (OURS[i], OURS[j])
        assert tuple(result.scores[m]) == score, (OURS[i], OURS[j])


def test_adapter_reproduces_axelrod_and_native_scores():
    turns = 30
    adapted = [AxelrodStrategy(cls) for cls in THEIRS]
    row, column = np.triu_indices(len(OURS))
    native = it.play(OURS, row, column, PRIMITIVES, turns)
    through = it.play(adapted, row, column, PRIMITIVES, turns)
    np.testing.assert_array_equal(through.actions, native.actions)
    np.testing.assert_array_equal(through.scores, native.scores)
    # Strategies the engine lacks, against native ones in the same batch, with a game-aware one.
    extra = [axelrod.Gradual, axelrod.OmegaTFT, axelrod.SneakyTitForTat]
    strategies = [AxelrodStrategy(cls) for cls in extra] + OURS[:4]
    classes = extra + THEIRS[:4]
    row, column = np.triu_indices(len(strategies))
    mixed = it.play(strategies, row, column, PRIMITIVES, turns)
    for m, (i, j) in enumerate(zip(row, column, strict=True)):
        _, score = _axelrod_match(classes[i], classes[j], PRIMITIVES, turns)
        assert tuple(mixed.scores[m]) == score, (strategies[i], strategies[j])


def test_noisy_tournament_is_reproducible_whatever_the_batching():
    strategies = [*OURS, it.Random(0.5), it.GTFT(), AxelrodStrategy(axelrod.Random)]
    kwargs = dict(turns=30, repetitions=3, noise=0.1, seed=11)
    whole = it.tournament(strategies, PRIMITIVES, **kwargs)
    batched = it.tournament(strategies, PRIMITIVES, batch_size=17, **kwargs)
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


def test_tournament_matches_axelrod_tournament_for_deterministic_strategies():
    turns, repetitions = 25, 2
    ours = it.tournament(OURS, OFFENSE, turns=turns, repetitions=repetitions)
    theirs = axelrod.Tournament(
        [cls() for cls in THEIRS],
        game=_axelrod_game(OFFENSE),
        turns=turns,
        repetitions=repetitions,
        seed=1,
    ).play(progress_bar=False)
    np.testing.assert_allclose(ours.normalised_scores, theirs.normalised_scores, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.scores, theirs.scores, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.payoff_matrix, theirs.payoff_matrix, rtol=0, atol=1e-12)
    assert [ours.names[i] for i in ours.ranking] == theirs.ranked_names


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


def test_invalid_arguments_are_rejected():
    with pytest.raises(ValueError, match="noise"):
        it.play(OURS, [0], [1], PRIMITIVES, 5, noise=1.5)
    with pytest.raises(ValueError, match="index"):
        it.play(OURS, [0], [len(OURS)], PRIMITIVES, 5)
    with pytest.raises(ValueError, match="cycle"):
        it.Cycler("CXD")
