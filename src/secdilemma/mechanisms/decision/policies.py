"""Simple baseline policies, each a rule over the whole world at once.

They return an option index per (replicate, state); ``-1`` means "leave it to the caller".
"""

from __future__ import annotations

import numpy as np

from secdilemma.errors import InputError
from secdilemma.formal.richardson import reaction_rate
from secdilemma.mechanisms.conflict import Balance
from secdilemma.mechanisms.decision.options import OptionSpace
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState


def _option(space: OptionSpace, action_id: str, target: np.ndarray | int | None = None):
    cat = space.catalog
    if action_id not in cat:
        raise InputError("catalogue", "id", action_id, "a baseline policy needs this action")
    k = cat.index(action_id)
    if not cat.targeted[k]:
        return space.option_of(k, None)
    slot = int(np.flatnonzero(space.aimed_actions == k)[0])
    return len(space.self_actions) + slot * space.n_states + target


def richardson(w: WorldState, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Arm when ``a * y - m * x + g > 0`` (Richardson 1960), y the most threatening rival's arms."""
    M = w.military()
    weighted = np.where(np.eye(M.shape[1], dtype=bool), -np.inf, w.threat * M[:, None, :])
    rival = weighted.argmax(axis=2)
    y = np.take_along_axis(M, rival, axis=1)
    drive = reaction_rate(p.richardson_reaction, p.richardson_fatigue, p.richardson_grievance, M, y)
    return np.where(drive > 0, _option(space, "build_arms"), _option(space, "wait"))


def reciprocity(w: WorldState, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Tit for tat: arm after a hostile act, reassure after a friendly one, else wait."""
    worst = w.read_hostility.max(axis=2)
    friendliest = w.read_hostility.argmin(axis=2)
    friendly = w.read_hostility.min(axis=2) < -0.1
    return np.where(
        worst > 0.1,
        _option(space, "build_arms"),
        np.where(
            friendly, _option(space, "reassurance_statement", friendliest), _option(space, "wait")
        ),
    )


def offensive_realist(w: WorldState, b: Balance, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Maximise relative power: attack the most beatable state when the odds are good."""
    target = b.win.argmax(axis=2)
    odds = b.win.max(axis=2)
    return np.where(
        odds > p.realist_war_threshold,
        _option(space, "invade", target),
        _option(space, "build_offensive_forces"),
    )


def scripted(w: WorldState, space: OptionSpace) -> np.ndarray:
    """Only the scenario's scheduled events; otherwise wait."""
    return np.full(w.shape, _option(space, "wait"))
