"""The vectorised iterated security game against the axelrod library, match by match.

Only the comparisons with axelrod live here (skipped when it is not installed); the engine's
own behaviour is tested in test_iterated_engine.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from secdilemma.formal import iterated as it
from secdilemma.formal.jervis import SecurityGame, from_offense_defense

axelrod = pytest.importorskip("axelrod")

from secdilemma.formal.axelrod_adapter import AxelrodStrategy, axelrod_class  # noqa: E402

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
    (it.Prober(), axelrod.Prober),
    (it.Prober2(), axelrod.Prober2),
    (it.Prober3(), axelrod.Prober3),
    (it.HardProber(), axelrod.HardProber),
    (it.SneakyTitForTat(), axelrod.SneakyTitForTat),
    (it.GoByMajority(), axelrod.GoByMajority),
    (it.HardGoByMajority(), axelrod.HardGoByMajority),
    (it.GoByMajority(10), axelrod.GoByMajority10),
    (it.HardGoByMajority(5), axelrod.HardGoByMajority5),
    (it.SoftGrudger(), axelrod.SoftGrudger),
    (it.Forgiver(), axelrod.Forgiver),
    (it.ForgivingTitForTat(), axelrod.ForgivingTitForTat),
    (it.Gradual(), axelrod.Gradual),
    (it.OriginalGradual(), axelrod.OriginalGradual),
    (it.Punisher(), axelrod.Punisher),
    (it.HardTitForTwoTats(), axelrod.HardTitFor2Tats),
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


def test_names_are_axelrods():
    # str() of a player is the name axelrod's tournament results use (with parameters).
    assert [s.name for s in OURS] == [str(cls()) for cls in THEIRS]
    # ... so the name finds the class the strategy copies.
    assert [axelrod_class(s) for s in OURS] == THEIRS
    with pytest.raises(ValueError, match="no strategy named"):
        axelrod_class(it.Random(0.3))


def test_axelrod_strategies_lists_every_deterministic_copy():
    listed = [s.name for s in it.axelrod_strategies(extended=True) if not s.stochastic]
    assert listed == [s.name for s in OURS if ":" not in s.name]  # not the memory variants
    extended = [s.name for s in it.axelrod_strategies(extended=True)]
    assert [s.name for s in it.axelrod_strategies()] == extended[:13] + extended[-2:]


def test_moves_match_axelrod_after_any_history():
    # Each strategy's move against axelrod's `strategy()` after the same histories, turn by
    # turn. The histories are arbitrary, and its own need not be what it chose, as under noise,
    # where both sides see the flipped moves; so this checks the rules beyond noiseless play.
    rng = np.random.default_rng(5)
    seats, turns = 60, 45
    C, D = axelrod.Action.C, axelrod.Action.D
    for ours, cls in DETERMINISTIC:
        rate = rng.choice([0.03, 0.1, 0.3, 0.6, 0.9], size=(seats, 2, 1))
        moves = (rng.uniform(size=(seats, 2, turns)) < rate).astype(np.uint8)
        own, opponent = moves[:, 0], moves[:, 1]
        context = it.Context((3.0, -2.0, 5.0, -1.0), turns, 0.0, np.zeros(seats, np.uint64))
        state = ours.start(context)
        players = [cls() for _ in range(seats)]
        stand_ins = [axelrod.Player() for _ in range(seats)]
        for t in range(turns):
            chosen = ours.move(own[:, :t], opponent[:, :t], None, state)
            expected = [p.strategy(q).value for p, q in zip(players, stand_ins, strict=True)]
            assert chosen.tolist() == expected, (ours, t)
            for k in range(seats):
                play, coplay = (C, D)[own[k, t]], (C, D)[opponent[k, t]]
                players[k].update_history(play, coplay)
                stand_ins[k].update_history(coplay, play)


@pytest.mark.parametrize("game", [PRIMITIVES, OFFENSE], ids=["primitives", "offense-defense"])
def test_every_deterministic_pair_matches_axelrod_exactly(game):
    turns = 60
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
    # Strategies the engine lacks, against native ones in the same batch, with a game-aware one
    # (Adaptive compares the payoffs it has had from C and from D).
    extra = [axelrod.OmegaTFT, axelrod.Prober4, axelrod.Adaptive]
    strategies = [AxelrodStrategy(cls) for cls in extra] + OURS[:4]
    classes = extra + THEIRS[:4]
    row, column = np.triu_indices(len(strategies))
    mixed = it.play(strategies, row, column, PRIMITIVES, turns)
    for m, (i, j) in enumerate(zip(row, column, strict=True)):
        _, score = _axelrod_match(classes[i], classes[j], PRIMITIVES, turns)
        assert tuple(mixed.scores[m]) == score, (strategies[i], strategies[j])


def test_adapted_random_player_is_reproducible_whatever_the_batching():
    # The engine's own strategies are checked in test_iterated_engine.py; here an adapted
    # stochastic axelrod player, seeded per seat, among them.
    strategies = [*OURS[:5], it.GTFT(), AxelrodStrategy(axelrod.Random)]
    kwargs = dict(turns=30, repetitions=3, noise=0.1, seed=11)
    whole = it.tournament(strategies, PRIMITIVES, **kwargs)
    batched = it.tournament(strategies, PRIMITIVES, batch_size=7, **kwargs)
    pd.testing.assert_frame_equal(whole.interactions, batched.interactions)
    np.testing.assert_array_equal(whole.scores, batched.scores)
    # Matches of the adapted player, alone and in another order, play as in the tournament
    # (the first half of the interactions is the row player's view: the match's identity).
    first = whole.interactions.iloc[: len(whole.interactions) // 2]
    own = first.query("player_index == 6 or opponent_index == 6")
    sub = own.iloc[np.random.default_rng(0).permutation(len(own))[:10]]
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
    adapted = whole.interactions.query("player_index == 6 and opponent_index != 6")
    assert 0.3 < adapted.cooperations.mean() / kwargs["turns"] < 0.7
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
    # Totals, and the payoff matrix (averaged in axelrod's order), agree to the last bit; the
    # normalised scores are each side's mean of the same numbers in its own order.
    np.testing.assert_array_equal(ours.scores, theirs.scores)
    np.testing.assert_array_equal(ours.payoff_matrix, theirs.payoff_matrix)
    np.testing.assert_allclose(ours.normalised_scores, theirs.normalised_scores, rtol=0, atol=1e-12)
    assert [ours.names[i] for i in ours.ranking] == theirs.ranked_names
