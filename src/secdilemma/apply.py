"""Apply: the chosen acts change capabilities, wealth and relations; the economy moves on."""

from __future__ import annotations

import numpy as np

from secdilemma.actions import RELATIONS, Catalog
from secdilemma.decision import Choice
from secdilemma.scenario import Parameters
from secdilemma.world import WorldState

_ALLIANCE, _AGREEMENT, _HOTLINE, _SANCTIONS, _MONITORING = (RELATIONS.index(r) for r in RELATIONS)


def aimed_at(choice: Choice, n_states: int) -> np.ndarray:
    """(R, N, N) bool: actor i's act this step is aimed at j."""
    return choice.target[:, :, None] == np.arange(n_states)[None, None, :]


def apply_actions(w: WorldState, choice: Choice, cat: Catalog, p: Parameters) -> np.ndarray:
    """Update ``w`` in place; return the (R, N) change in each actor's own military base."""
    R, N = w.shape
    a = choice.action
    M = w.military()
    own = cat.self_effect[a]  # (R, N, 4)
    d_defense = own[..., 1] * M
    # Where postures are indistinguishable, new "defensive" forces can also attack.
    indist = 1.0 - w.distinguishability[:, None]
    d_offense = own[..., 0] * M + indist * np.maximum(d_defense, 0.0)
    aim = aimed_at(choice, N)  # (R, N, N)

    # Effects on targets: each act's fraction, summed over the actors aiming at a state.
    received = np.einsum("rij,rik->rjk", aim.astype(float), cat.target_effect[a])  # (R, N, 4)
    spent = cat.cost_share(a, M / w.wealth, p.burden_reference) * w.wealth

    w.offense = np.maximum((w.offense + d_offense) * (1 + received[..., 0]), 0.0)
    w.defense = np.maximum((w.defense + d_defense) * (1 + received[..., 1]), 0.0)
    w.deterrent = np.maximum(
        (w.deterrent + own[..., 2] * w.deterrent_half[:, None]) * (1 + received[..., 2]), 0.0
    )
    w.wealth = np.maximum((w.wealth * (1 + own[..., 3]) - spent) * (1 + received[..., 3]), 1e-9)

    rel = cat.relation_effect[a][:, :, None, :] * aim[..., None]  # (R, N, N, 5) actor -> target
    sym = rel + rel.transpose(0, 2, 1, 3)

    def toggle(current: np.ndarray, delta: np.ndarray) -> np.ndarray:
        return (current | (delta > 0)) & ~(delta < 0)

    w.alliance = toggle(w.alliance, sym[..., _ALLIANCE])
    w.agreement = toggle(w.agreement, sym[..., _AGREEMENT])
    w.hotline = toggle(w.hotline, sym[..., _HOTLINE])
    w.sanctions = toggle(w.sanctions, rel[..., _SANCTIONS])
    w.monitoring = np.clip(w.monitoring + sym[..., _MONITORING], 0.0, 1.0)
    return d_offense + d_defense


def advance_economy(w: WorldState, p: Parameters) -> None:
    """Growth, less the drag of sanctions against the state; forces wear out."""
    sanctioned_by = w.sanctions.sum(axis=1)
    w.wealth = np.maximum(w.wealth * (1 + w.growth - p.sanction_penalty * sanctioned_by), 1e-9)
    keep = 1.0 - w.depreciation[:, None]
    w.offense *= keep
    w.defense *= keep
