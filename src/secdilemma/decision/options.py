"""The option space: every self-directed act, and every aimed act at every possible target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.actions import REQUIREMENTS, Catalog


@dataclass(frozen=True)
class OptionSpace:
    """Options are numbered self-directed acts first, then (aimed act, target) pairs."""

    catalog: Catalog
    n_states: int

    @property
    def self_actions(self) -> np.ndarray:
        return self.catalog.self_directed

    @property
    def aimed_actions(self) -> np.ndarray:
        return self.catalog.aimed

    @property
    def size(self) -> int:
        return len(self.self_actions) + len(self.aimed_actions) * self.n_states

    @property
    def action(self) -> np.ndarray:
        """(O,) catalogue index of each option."""
        return np.concatenate([self.self_actions, np.repeat(self.aimed_actions, self.n_states)])

    @property
    def target(self) -> np.ndarray:
        """(O,) target index of each option, -1 for self-directed acts."""
        return np.concatenate(
            [
                np.full(len(self.self_actions), -1),
                np.tile(np.arange(self.n_states), len(self.aimed_actions)),
            ]
        )

    def option_of(self, action: int, target: int | None) -> int:
        if not self.catalog.targeted[action]:
            return int(np.flatnonzero(self.self_actions == action)[0])
        slot = int(np.flatnonzero(self.aimed_actions == action)[0])
        return len(self.self_actions) + slot * self.n_states + int(target)

    def join(self, self_part: np.ndarray, aimed_part: np.ndarray) -> np.ndarray:
        """Flatten (R, N, Ks) and (R, N, Ka, N) arrays into (R, N, O)."""
        R, N = aimed_part.shape[:2]
        return np.concatenate([self_part, aimed_part.reshape(R, N, -1)], axis=2)


def requirement_masks(conditions: dict[str, np.ndarray], space: OptionSpace) -> np.ndarray:
    """(R, N, O) bool: whether each option's preconditions hold for actor i (and its target)."""
    cat = space.catalog
    some = next(iter(conditions.values()))
    R, N, _ = some.shape
    eye = np.eye(N, dtype=bool)
    self_ok = np.ones((R, N, len(space.self_actions)), dtype=bool)
    aimed_ok = np.broadcast_to(~eye, (R, len(space.aimed_actions), N, N)).transpose(0, 2, 1, 3)
    aimed_ok = aimed_ok.copy()
    for q, name in enumerate(REQUIREMENTS):
        cond = conditions[name]  # (R, N, N): the condition for actor i and target j
        need_self = cat.requires[space.self_actions, q]
        need_aimed = cat.requires[space.aimed_actions, q]
        if need_self.any():
            holds_any = cond.any(axis=2)  # self-directed: the condition on the actor alone
            self_ok &= ~need_self[None, None, :] | holds_any[:, :, None]
        if need_aimed.any():
            aimed_ok &= ~need_aimed[None, None, :, None] | cond[:, :, None, :]
    return space.join(self_ok, aimed_ok)
