"""Any axelrod strategy as a player in :mod:`secdilemma.formal.iterated` (the slow path).

The axelrod library (Knight et al. 2016) has some 240 strategies written as Python objects that
choose one move at a time. :class:`AxelrodStrategy` keeps one such object per seat and steps each
in a Python loop, so it costs about what axelrod itself does per match; use the engine's own
vectorised strategies where one exists. axelrod is imported only when an adapter is made, so the
package does not depend on it.

Each seat's player sees a stand-in opponent that carries the history and nothing else, so
strategies that inspect or alter their opponent's object (axelrod's ``inspects_source``,
``manipulates_source`` and ``manipulates_state`` classifiers) do not behave as in axelrod.
Stochastic players are seeded from the engine's per-seat seeds: reproducible from the engine's
seed, but not the same random stream as an ``axelrod.Match`` with the same seed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from secdilemma.formal.iterated import Context, Draws, History, Strategy


class AxelrodStrategy(Strategy):
    """An axelrod ``Player`` class (or an instance, cloned per seat) as an engine strategy,
    e.g. ``tournament([TitForTat(), AxelrodStrategy(axelrod.Gradual)], game)``."""

    def __init__(self, player: Any) -> None:
        import axelrod

        self._axelrod = axelrod
        self._prototype = player() if isinstance(player, type) else player
        self.name = self._prototype.name
        self._actions = (axelrod.Action.C, axelrod.Action.D)

    def start(self, context: Context) -> tuple[list[Any], list[Any]]:
        axl = self._axelrod
        R, S, T, P = context.game
        game = axl.Game(r=R, s=S, t=T, p=P)
        players, opponents = [], []
        for seed in context.seeds:
            player = self._prototype.clone()
            player.set_match_attributes(length=context.turns, game=game, noise=context.noise)
            if axl.Classifiers["stochastic"](player):
                player.set_seed(int(seed) % 2**32)
            players.append(player)
            opponents.append(axl.Player())
        return players, opponents

    def move(
        self, own: History, opponent: History, draws: Draws, state: tuple[list[Any], list[Any]]
    ) -> np.ndarray:
        players, opponents = state
        actions = self._actions
        if own.shape[1]:
            for player, other, play, coplay in zip(
                players, opponents, own[:, -1], opponent[:, -1], strict=True
            ):
                player.update_history(actions[play], actions[coplay])
                other.update_history(actions[coplay], actions[play])
        return np.fromiter(
            (
                player.strategy(other).value
                for player, other in zip(players, opponents, strict=True)
            ),
            dtype=np.uint8,
            count=len(players),
        )


@cache
def _classes_by_name() -> dict[str, Any]:
    import axelrod

    return {str(cls()): cls for cls in axelrod.strategies}


def axelrod_class(strategy: Strategy) -> Any:
    """The axelrod class that an engine strategy copies, found by its name (the engine's
    copies carry axelrod's names, parameters included; ``tests/test_iterated.py`` checks the
    pairs)."""
    try:
        return _classes_by_name()[strategy.name]
    except KeyError:
        raise ValueError(f"axelrod has no strategy named {strategy.name!r}") from None
