"""The option space: every self-directed act, and every aimed act at every possible target."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from secdilemma.mechanisms.decision.aimed import ActTerms, OwnActs, act_terms
from secdilemma.mechanisms.decision.self_directed import SelfActs, self_acts
from secdilemma.model.actions import REQUIREMENTS, Catalog
from secdilemma.numerics.fast import compiled, numba_enabled


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

    @cached_property
    def action(self) -> np.ndarray:
        """(O,) catalogue index of each option (read-only: computed once)."""
        return _frozen(
            np.concatenate([self.self_actions, np.repeat(self.aimed_actions, self.n_states)])
        )

    @cached_property
    def target(self) -> np.ndarray:
        """(O,) target index of each option, -1 for self-directed acts (read-only)."""
        return _frozen(
            np.concatenate(
                [
                    np.full(len(self.self_actions), -1),
                    np.tile(np.arange(self.n_states), len(self.aimed_actions)),
                ]
            )
        )

    def option_of(self, action: int, target: int | None) -> int:
        if not self.catalog.targeted[action]:
            return int(np.flatnonzero(self.self_actions == action)[0])
        slot = int(np.flatnonzero(self.aimed_actions == action)[0])
        return len(self.self_actions) + slot * self.n_states + int(target)

    @cached_property
    def signatures(self) -> tuple[list[tuple[np.ndarray, np.ndarray]], ...]:
        """The precondition signatures of the self-directed acts and of the aimed ones."""
        requires = self.catalog.requires
        return _signatures(requires[self.self_actions]), _signatures(requires[self.aimed_actions])

    @cached_property
    def aimed_terms(self) -> tuple[ActTerms, OwnActs]:
        """The aimed acts' catalogue terms (``decision.aimed``), computed once."""
        return act_terms(self.catalog, self.aimed_actions)

    @cached_property
    def self_terms(self) -> SelfActs:
        """The self-directed acts' catalogue terms (``decision.self_directed``), computed once."""
        return self_acts(self.catalog, self.self_actions)

    @cached_property
    def required_bits(self) -> tuple[np.ndarray, np.ndarray]:
        """The preconditions of the self-directed acts and of the aimed ones as integers, bit q
        for ``REQUIREMENTS[q]`` (read-only)."""
        bits = self.catalog.requires.astype(np.int64) << np.arange(len(REQUIREMENTS))
        bits = bits.sum(axis=1)
        return _frozen(bits[self.self_actions]), _frozen(bits[self.aimed_actions])

    def join(self, self_part: np.ndarray, aimed_part: np.ndarray) -> np.ndarray:
        """Flatten (R, N, Ks) and (R, N, Ka, N) arrays into (R, N, O)."""
        R, N = aimed_part.shape[:2]
        return np.concatenate([self_part, aimed_part.reshape(R, N, -1)], axis=2)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _signatures(requires: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Group acts (rows of a (K, Q) bool array) by the preconditions they need: (the
    requirement indices, the acts' positions). A catalogue has a handful of signatures."""
    kinds, which = np.unique(requires, axis=0, return_inverse=True)
    return [(np.flatnonzero(kind), np.flatnonzero(which == n)) for n, kind in enumerate(kinds)]


def requirement_masks(
    held: np.ndarray, space: OptionSpace, menu: np.ndarray | None = None
) -> np.ndarray:
    """(R, N, O) bool: whether each option's preconditions hold for actor i (and its target),
    given ``held`` ((Q, R, N, N) bool: whether ``REQUIREMENTS[q]`` holds for actor i and
    target j), and, given ``menu`` ((N, K) bool: the acts each state may choose), whether its
    act is on the actor's menu."""
    # compiled: 4.5x at 2 states, 1.05x at 20 (python -m benchmarks --only kernels)
    if numba_enabled():
        _, R, N, _ = held.shape
        menu = np.ones((N, space.catalog.size), dtype=bool) if menu is None else menu
        valid = np.empty((R, N, space.size), dtype=bool)
        self_bits, aimed_bits = space.required_bits
        _masks_compiled(
            held,
            self_bits,
            aimed_bits,
            np.ascontiguousarray(menu[:, space.self_actions]),
            np.ascontiguousarray(menu[:, space.aimed_actions]),
            valid,
        )
        return valid
    valid = _masks_numpy(held, space)
    return valid if menu is None else valid & menu[:, space.action][None]


def _masks_numpy(held: np.ndarray, space: OptionSpace) -> np.ndarray:
    _, R, N, _ = held.shape
    Ks, Ka = len(space.self_actions), len(space.aimed_actions)
    valid = np.empty((R, N, space.size), dtype=bool)
    self_ok = valid[:, :, :Ks]
    aimed_ok = valid[:, :, Ks:].reshape(R, N, Ka, N)
    # Acts that need the same preconditions share one mask, built once.
    self_signatures, aimed_signatures = space.signatures
    for needs, acts in self_signatures:
        holds = np.ones((R, N), dtype=bool)
        for q in needs:  # a self-directed act: the condition on the actor alone
            holds &= held[q].any(axis=2)
        self_ok[:, :, acts] = holds[:, :, None]
    for needs, acts in aimed_signatures:
        holds = np.broadcast_to(~np.eye(N, dtype=bool), (R, N, N)).copy()
        for q in needs:  # the condition for actor i and target j
            holds &= held[q]
        aimed_ok[:, :, acts, :] = holds[:, :, None, :]
    return valid


# Below this many states the masks kernel loops over acts inside targets (2.4 times faster at two
# states; the same at eight; slower from twelve: docs/performance.md).
ACTS_INNER_BELOW = 8


def _masks_kernel(held, self_bits, aimed_bits, self_menu, aimed_menu, valid):
    # The conditions that hold for each target, as bits; an option is valid where its act's
    # bits are all set (a self-directed act's: with some state, itself included). In a small
    # world the acts are the inner loop, as it is the long one.
    Q, R, N, _ = held.shape
    Ks, Ka = self_bits.shape[0], aimed_bits.shape[0]
    bits = np.empty(N, dtype=np.int64)
    for r in range(R):
        for i in range(N):
            bits[:] = 0
            for q in range(Q):
                for j in range(N):
                    bits[j] |= np.int64(held[q, r, i, j]) << q
            some = np.int64(0)
            for j in range(N):
                some |= bits[j]
            for s in range(Ks):
                valid[r, i, s] = self_menu[i, s] & ((some & self_bits[s]) == self_bits[s])
            if N < ACTS_INNER_BELOW:
                for j in range(N):
                    b = bits[j]
                    if j == i:  # no act is aimed at oneself
                        for s in range(Ka):
                            valid[r, i, Ks + s * N + j] = False
                    else:
                        for s in range(Ka):
                            need = aimed_bits[s]
                            valid[r, i, Ks + s * N + j] = aimed_menu[i, s] & ((b & need) == need)
            else:
                for s in range(Ka):
                    need, o, allowed = aimed_bits[s], Ks + s * N, aimed_menu[i, s]
                    for j in range(N):
                        valid[r, i, o + j] = allowed & ((bits[j] & need) == need)
                    valid[r, i, o + i] = False  # no act is aimed at oneself


_masks_compiled = compiled(_masks_kernel)
