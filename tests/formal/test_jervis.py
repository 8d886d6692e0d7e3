"""Jervis (1978): the security game, its types, the cooperation threshold, the four worlds."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.formal.jervis import (
    CHICKEN,
    DEADLOCK,
    HARMONY,
    PRISONERS_DILEMMA,
    STAG_HUNT,
    SecurityGame,
    classify,
    cooperation_threshold,
    four_worlds,
    from_offense_defense,
)

runner = CliRunner()


@pytest.mark.parametrize(
    ("cc", "cd", "dc", "dd", "kind"),
    [
        (3, 0, 5, 1, PRISONERS_DILEMMA),
        (5, 0, 3, 1, STAG_HUNT),
        (3, 1, 5, 0, CHICKEN),
        (5, 3, 1, 0, HARMONY),
        (1, 0, 5, 3, DEADLOCK),
    ],
)
def test_classic_orders_are_classified(cc, cd, dc, dd, kind):
    assert classify(SecurityGame(cc, cd, dc, dd)) == kind


def test_primitives_are_gains_and_costs():
    game = SecurityGame.from_primitives(
        mutual_cooperation=4, exploited_cost=3, exploit_gain=2, mutual_defection_cost=1
    )
    assert (game.cc, game.cd, game.dc, game.dd) == (4, -3, 2, -1)
    assert game.row_payoffs.tolist() == [[4, -3], [2, -1]]
    assert game.column_payoffs.tolist() == [[4, 2], [-3, -1]]


def test_threshold_makes_a_stag_hunter_indifferent():
    rng = np.random.default_rng(7)
    cc, dc, dd, cd = np.sort(rng.uniform(-5, 5, (4, 1000)), axis=0)[::-1]  # CC > DC > DD > CD
    game = SecurityGame(cc, cd, dc, dd)
    assert (classify(game) == STAG_HUNT).all()
    q = cooperation_threshold(game)
    cooperate = q * cc + (1 - q) * cd
    defect = q * dc + (1 - q) * dd
    assert np.allclose(cooperate, defect)
    assert ((0 < q) & (q < 1)).all()
    # Above the threshold cooperating pays more, below it less.
    above, below = q + 0.01, q - 0.01
    assert (above * cc + (1 - above) * cd > above * dc + (1 - above) * dd).all()
    assert (below * cc + (1 - below) * cd < below * dc + (1 - below) * dd).all()


def test_offense_dominance_and_indistinguishability_make_the_game_harder():
    betas = np.geomspace(0.2, 5, 40)
    deltas = np.linspace(0, 1, 21)
    B, D = np.meshgrid(betas, deltas)
    game = from_offense_defense(B, D)
    # Jervis's levers: offense raises the gain from exploiting and the cost of being exploited;
    # distinguishability lowers both.
    assert (np.diff(game.dc, axis=1) >= 0).all() and (np.diff(game.cd, axis=1) <= 0).all()
    assert (np.diff(game.dc, axis=0) <= 1e-12).all() and (np.diff(game.cd, axis=0) >= 0).all()
    kinds = classify(game)
    assert kinds[0, -1] == PRISONERS_DILEMMA and kinds[-1, 0] == HARMONY
    with pytest.raises(ValueError):
        from_offense_defense(-1, 0.5)


def test_four_worlds_table():
    table = four_worlds()
    assert list(table["game"]) == [PRISONERS_DILEMMA, HARMONY, STAG_HUNT, HARMONY]
    assert list(table["greedy_exploits"]) == [True, True, False, False]
    assert table.loc[2, "threshold"] == pytest.approx(0.2)
    result = runner.invoke(app, ["jervis", "--four-worlds", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["four_worlds"]
    assert [r["jervis"] for r in rows][0] == "doubly dangerous"


def test_jervis_command_builds_from_primitives_and_saves_a_plot(tmp_path):
    result = runner.invoke(app, ["jervis", "--primitives", "4,3,2,1", "--json"])
    assert result.exit_code == 0, result.output
    game = json.loads(result.stdout)
    assert game["game"] == STAG_HUNT and game["threshold"] == pytest.approx(0.5)
    plot = tmp_path / "map.png"
    shown = runner.invoke(app, ["jervis", "--balance", "3", "--plot", str(plot)])
    assert shown.exit_code == 0 and plot.stat().st_size > 1000
    assert PRISONERS_DILEMMA in shown.stdout
    bad = runner.invoke(app, ["jervis", "--primitives", "4,3"])
    assert bad.exit_code == 2 and "4 comma-separated numbers" in bad.output
