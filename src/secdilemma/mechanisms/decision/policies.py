"""Simple baseline policies, each a rule over the whole world at once, and their registration.

Every policy has the signature ``rule(w, b, space, p) -> (R, N)`` option indices, for every
state at once; the engine takes the columns of the states on that policy. The policies are
registered at the end of this module, in a fixed order that fixes their codes;
``expected_utility`` (the decision model, section 5 of docs/model.md) has no rule of its own.
"""

from __future__ import annotations

import numpy as np

from secdilemma.errors import InputError
from secdilemma.formal.richardson import reaction_rate
from secdilemma.mechanisms.conflict import Balance
from secdilemma.mechanisms.decision.options import OptionSpace
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState


def option(space: OptionSpace, action_id: str, target: np.ndarray | int | None = None):
    """The option index of an act (aimed at ``target``: a state index or an array of them)."""
    cat = space.catalog
    if action_id not in cat:
        raise InputError("catalogue", "id", action_id, "a baseline policy needs this action")
    k = cat.index(action_id)
    if not cat.targeted[k]:
        return space.option_of(k, None)
    slot = int(np.flatnonzero(space.aimed_actions == k)[0])
    return len(space.self_actions) + slot * space.n_states + target


def richardson(w: WorldState, b: Balance, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Arm when ``a * y - m * x + g > 0`` (Richardson 1960), y the most threatening rival's arms."""
    M = w.military()
    weighted = np.where(np.eye(M.shape[1], dtype=bool), -np.inf, w.threat * M[:, None, :])
    rival = weighted.argmax(axis=2)
    y = np.take_along_axis(M, rival, axis=1)
    drive = reaction_rate(p.richardson_reaction, p.richardson_fatigue, p.richardson_grievance, M, y)
    return np.where(drive > 0, option(space, "build_arms"), option(space, "wait"))


def reciprocity(w: WorldState, b: Balance, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Tit for tat: arm after a hostile act, reassure after a friendly one, else wait."""
    worst = w.read_hostility.max(axis=2)
    friendliest = w.read_hostility.argmin(axis=2)
    friendly = w.read_hostility.min(axis=2) < -0.1
    return np.where(
        worst > 0.1,
        option(space, "build_arms"),
        np.where(
            friendly, option(space, "reassurance_statement", friendliest), option(space, "wait")
        ),
    )


def offensive_realist(w: WorldState, b: Balance, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Maximise relative power: attack the most beatable state when the odds are good."""
    target = b.win.argmax(axis=2)
    odds = b.win.max(axis=2)
    return np.where(
        odds > p.realist_war_threshold,
        option(space, "invade", target),
        option(space, "build_offensive_forces"),
    )


def scripted(w: WorldState, b: Balance, space: OptionSpace, p: Parameters) -> np.ndarray:
    """Only the scenario's scheduled events; otherwise wait."""
    return np.full(w.shape, option(space, "wait"))
