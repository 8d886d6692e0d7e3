"""Jervis (1978), "Cooperation under the Security Dilemma": the 2x2 security game.

Each of two states chooses to cooperate (C: restraint, a defensive posture) or defect (D: arm
to attack). The row state's payoffs are named as Jervis names them: ``CC`` mutual cooperation,
``CD`` cooperating while the other defects (being exploited), ``DC`` defecting while the other
cooperates (exploiting), ``DD`` mutual defection. The game is symmetric.

Jervis argues that cooperation is more likely the larger CC and CD and the smaller DC and DD
are made; the offense-defense balance and the distinguishability of postures move them.
:func:`from_offense_defense` is this project's operationalisation of that argument (documented
in docs/formal.md): with an attacker's odds ``a = beta / (1 + beta)`` against an equal defender
and surprise ``1 - delta`` (the share of an offensive build the other cannot tell apart in
time),

    CD = -(1 - delta) a S                        (exploited: the stake, at the attacker's odds)
    DC = ((1 - delta) max(2a - 1, 0) + min(2a - 1, 0)) S + greed a S - c
                                                 (exploiting: what striking first adds; warning
                                                 removes the attacker's edge, not the defender's)
    DD = -c - (1 - delta) max(2a - 1, 0) S / 2   (both armed: costs, a race to strike first)
    CC = cooperation_gain
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

PRISONERS_DILEMMA = "Prisoner's Dilemma"
STAG_HUNT = "Stag Hunt"
CHICKEN = "Chicken"
HARMONY = "Harmony"
DEADLOCK = "Deadlock"
OTHER = "other"
GAME_TYPES = (PRISONERS_DILEMMA, STAG_HUNT, CHICKEN, HARMONY, DEADLOCK, OTHER)


@dataclass(frozen=True)
class SecurityGame:
    """Symmetric 2x2 game(s); each payoff is a scalar or an array (many games at once)."""

    cc: np.ndarray
    cd: np.ndarray
    dc: np.ndarray
    dd: np.ndarray

    @classmethod
    def from_primitives(
        cls,
        mutual_cooperation: ArrayLike,
        exploited_cost: ArrayLike,
        exploit_gain: ArrayLike,
        mutual_defection_cost: ArrayLike,
    ) -> SecurityGame:
        """From Jervis's four primitives, each a size (costs are positive numbers):
        CC = gain of mutual cooperation, CD = -cost of being exploited, DC = gain from
        exploiting, DD = -cost of mutual defection."""
        return cls(
            cc=np.asarray(mutual_cooperation, dtype=float),
            cd=-np.asarray(exploited_cost, dtype=float),
            dc=np.asarray(exploit_gain, dtype=float),
            dd=-np.asarray(mutual_defection_cost, dtype=float),
        )

    @property
    def row_payoffs(self) -> np.ndarray:
        """(..., 2, 2): the row state's payoffs, action 0 = C, 1 = D."""
        cc, cd, dc, dd = np.broadcast_arrays(self.cc, self.cd, self.dc, self.dd)
        return np.stack([np.stack([cc, cd], -1), np.stack([dc, dd], -1)], -2)

    @property
    def column_payoffs(self) -> np.ndarray:
        """(..., 2, 2): the column state's payoffs (the transpose, by symmetry)."""
        return np.swapaxes(self.row_payoffs, -1, -2)

    def as_rstp(self) -> tuple[float, float, float, float]:
        """(R, S, T, P) in the iterated-game convention: reward, sucker, temptation, punishment."""
        return float(self.cc), float(self.cd), float(self.dc), float(self.dd)


def from_offense_defense(
    offense_defense_balance: ArrayLike,
    distinguishability: ArrayLike,
    stake: ArrayLike = 1.0,
    arms_cost: ArrayLike = 0.2,
    greed: ArrayLike = 0.0,
    cooperation_gain: ArrayLike = 0.0,
) -> SecurityGame:
    """The security game implied by the offense-defense balance and distinguishability.

    >>> g = from_offense_defense(3.0, 0.0)
    >>> classify(g)
    "Prisoner's Dilemma"
    """
    beta = np.asarray(offense_defense_balance, dtype=float)
    if np.any(beta <= 0):
        raise ValueError("offense_defense_balance must be positive")
    delta = np.asarray(distinguishability, dtype=float)
    if np.any((delta < 0) | (delta > 1)):
        raise ValueError("distinguishability must lie in [0, 1]")
    a = beta / (1.0 + beta)
    surprise = 1.0 - delta
    first_strike = 2.0 * a - 1.0
    stake = np.asarray(stake, dtype=float)
    cost = np.asarray(arms_cost, dtype=float)
    return SecurityGame(
        cc=np.asarray(cooperation_gain, dtype=float) + 0.0 * a,
        cd=-surprise * a * stake,
        dc=(surprise * np.maximum(first_strike, 0.0) + np.minimum(first_strike, 0.0)) * stake
        + np.asarray(greed, dtype=float) * a * stake
        - cost,
        dd=-cost - surprise * np.maximum(first_strike, 0.0) * stake / 2.0,
    )


def classify(game: SecurityGame) -> np.ndarray | str:
    """The game's type, by the order of its payoffs (strict inequalities; ties are "other").

    Prisoner's Dilemma: DC > CC > DD > CD.  Stag Hunt (assurance): CC > DC, DD > CD, CC > DD.
    Chicken: DC > CC > CD > DD.  Harmony: CC > DC and CD > DD (cooperation dominant, no
    dilemma).  Deadlock: DC > DD > CC > CD (defection dominant and preferred to mutual
    cooperation).
    """
    cc, cd, dc, dd = np.broadcast_arrays(game.cc, game.cd, game.dc, game.dd)
    conditions = [
        (dc > cc) & (cc > dd) & (dd > cd),
        (cc > dc) & (dd > cd) & (cc > dd),
        (dc > cc) & (cc > cd) & (cd > dd),
        (cc > dc) & (cd > dd),
        (dc > dd) & (dd > cc) & (cc > cd),
    ]
    labels = np.select(conditions, GAME_TYPES[:5], default=OTHER)
    return str(labels) if labels.ndim == 0 else labels


def cooperation_threshold(game: SecurityGame) -> np.ndarray:
    """``q* = (DD - CD) / ((CC - DC) + (DD - CD))``: the probability that the other cooperates
    above which cooperating pays (meaningful for a Stag Hunt, where both brackets are positive).

    >>> float(cooperation_threshold(SecurityGame.from_primitives(4, 3, 2, 1)))
    0.5
    """
    cc, cd, dc, dd = (np.asarray(x, dtype=float) for x in (game.cc, game.cd, game.dc, game.dd))
    denominator = (cc - dc) + (dd - cd)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, (dd - cd) / denominator, np.nan)


# Jervis (1978, p. 211), the four worlds by offense-defense balance and distinguishability.
JERVIS_WORLDS = {
    ("offense", False): "doubly dangerous",
    ("defense", False): "security dilemma, but security requirements may be compatible",
    ("offense", True): "no security dilemma, but aggression possible; warning given",
    ("defense", True): "doubly stable",
}


def world_label(offense_defense_balance: ArrayLike, distinguishability: ArrayLike) -> np.ndarray:
    """Which of Jervis's worlds: offense-dominant when the balance exceeds 1, distinguishable
    when distinguishability is at least 0.5.

    >>> world_label([3.0, 0.5], [0.0, 1.0]).tolist()
    ['offense-dominant, indistinguishable', 'defense-dominant, distinguishable']
    """
    offense = np.asarray(offense_defense_balance) > 1.0
    distinct = np.asarray(distinguishability) >= 0.5
    return np.char.add(
        np.where(offense, "offense-dominant, ", "defense-dominant, "),
        np.where(distinct, "distinguishable", "indistinguishable"),
    )


def four_worlds(
    offense_balance: float = 3.0,
    defense_balance: float = 0.5,
    stake: float = 1.0,
    arms_cost: float = 0.2,
    greed: float = 0.5,
) -> pd.DataFrame:
    """Jervis's four worlds as a table: for each, the game two security seekers play, its
    cooperation threshold, and whether a greedy state (``greed``) would still gain by
    exploiting a cooperator (``DC > CC``: aggression possible).

    >>> list(four_worlds()["game"])
    ["Prisoner's Dilemma", 'Harmony', 'Stag Hunt', 'Harmony']
    """
    rows = []
    for offense, beta in (("offense", offense_balance), ("defense", defense_balance)):
        for distinct, delta in ((False, 0.0), (True, 1.0)):
            seekers = from_offense_defense(beta, delta, stake, arms_cost)
            greedy = from_offense_defense(beta, delta, stake, arms_cost, greed=greed)
            rows.append(
                {
                    "world": str(world_label(beta, delta)),
                    "offense_defense_balance": beta,
                    "distinguishability": delta,
                    "jervis": JERVIS_WORLDS[offense, distinct],
                    "game": classify(seekers),
                    "CC": float(seekers.cc),
                    "CD": float(seekers.cd),
                    "DC": float(seekers.dc),
                    "DD": float(seekers.dd),
                    "threshold": float(cooperation_threshold(seekers))
                    if classify(seekers) == STAG_HUNT
                    else float("nan"),
                    "greedy_exploits": bool(greedy.dc > greedy.cc),
                }
            )
    return pd.DataFrame(rows)
