"""Choose one option per state: softmax or argmax over expected utility, or a baseline policy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from secdilemma.mechanisms.conflict import Balance
from secdilemma.mechanisms.decision.options import OptionSpace, requirement_masks
from secdilemma.mechanisms.decision.sampling import draw_softmax, softmax_likelihoods
from secdilemma.mechanisms.decision.utility import Utilities, option_utilities
from secdilemma.mechanisms.decision.vulnerability import Vulnerability
from secdilemma.mechanisms.decision.war_parts import private_cost
from secdilemma.model.actions import REQUIREMENTS
from secdilemma.model.registry import LENS_REGISTRY, POLICY_REGISTRY
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.rng import Stream, Streams

EXPECTED_UTILITY = POLICY_REGISTRY.code("expected_utility")
STRUCTURAL = LENS_REGISTRY.code("structural")
_REQUIREMENT = {name: n for n, name in enumerate(REQUIREMENTS)}


@dataclass(frozen=True)
class Choice:
    option: np.ndarray  # (R, N) option index
    action: np.ndarray  # (R, N) catalogue index
    target: np.ndarray  # (R, N) target index, -1 for self-directed acts
    scheduled: np.ndarray  # (R, N) bool: set by a scenario event
    likelihood_greedy: np.ndarray  # (R, N) P(option | actor greedy)
    likelihood_seeker: np.ndarray  # (R, N) P(option | actor a security seeker)
    modelled: np.ndarray  # (R, N) bool: the act came from the decision model (not a rule/event)
    vulnerability: Vulnerability

    @cached_property
    def aim(self) -> np.ndarray:
        """(R, N, N) bool: actor i's act this step is aimed at j (read by several phases)."""
        N = self.target.shape[1]
        aim = self.target[:, :, None] == np.arange(N)[None, None, :]
        aim.setflags(write=False)  # shared by the phases: none may change it
        return aim


def conditions(w: WorldState, p: Parameters) -> np.ndarray:
    """(Q, R, N, N) bool: whether each of ``REQUIREMENTS`` holds for actor i and target j, in
    one array (the masks read them all)."""
    R, N = w.shape
    held = np.empty((len(REQUIREMENTS), R, N, N), dtype=bool)
    q = _REQUIREMENT
    nuclear = w.deterrent >= p.nuclear_threshold * w.deterrent_half[:, None]
    held[q["allied"]] = w.alliance
    np.invert(w.alliance, out=held[q["not_allied"]])
    held[q["has_allies"]] = w.alliance.any(axis=2)[:, :, None]  # a condition on the actor
    held[q["sanctioning"]] = w.sanctions
    np.invert(w.sanctions, out=held[q["not_sanctioning"]])
    held[q["agreement"]] = w.agreement
    np.invert(w.agreement, out=held[q["no_agreement"]])
    np.invert(w.hotline, out=held[q["no_hotline"]])
    held[q["nuclear"]] = nuclear[:, :, None]
    held[q["nuclear_option"]] = (nuclear | w.nuclear_option[None, :])[:, :, None]
    np.logical_and(
        w.threat < p.friendly_threshold,
        w.threat.transpose(0, 2, 1) < p.friendly_threshold,
        out=held[q["friendly"]],
    )
    return held


def ok_after(valid: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """(R, N) whether each chosen option is valid."""
    return np.take_along_axis(valid, chosen[:, :, None], axis=2)[:, :, 0]


def _argmax_probability(utility: np.ndarray, valid: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    best = np.where(valid, utility, -np.inf).argmax(axis=2)
    return (best == chosen).astype(float)


def decide(
    w: WorldState,
    b: Balance,
    space: OptionSpace,
    p: Parameters,
    streams: Streams,
    step: int,
    scheduled: list[tuple[int, int]],
) -> Choice:
    valid = requirement_masks(conditions(w, p), space, w.menu)
    # Only the valid options are weighed (a scheduled event may force another, but its act
    # then does not come from the decision model: its likelihood is not used, below).
    utilities: Utilities
    cost_factor = private_cost(streams, w.shape[1], p.war_cost_dispersion)
    utilities, vul = option_utilities(w, b, space, p, needed=valid, cost_factor=cost_factor)
    if p.choice == "softmax":
        uniform = streams.uniform(Stream.CHOICE, step, (w.shape[1],))
        chosen = draw_softmax(
            utilities.base, utilities.gain, w.greed, valid, uniform, p.temperature
        )
    else:
        chosen = np.where(valid, utilities.total(w.greed), -np.inf).argmax(axis=2)

    for policy in POLICY_REGISTRY.entries():  # each state has one: their columns are disjoint
        uses = w.policy == policy.code
        rule = policy.rule() if uses.any() else None
        if rule is not None:
            chosen = np.where(uses[None, :], rule(w, b, space, p), chosen)
    # A baseline policy may pick an act whose preconditions fail; it then waits.
    wait = space.option_of(space.catalog.index("wait"), None)
    chosen = np.where(ok_after(valid, chosen), chosen, wait)

    forced = np.zeros(w.shape, dtype=bool)
    for actor, option in scheduled:
        chosen[:, actor] = option
        forced[:, actor] = True
    rule_based = (w.policy != EXPECTED_UTILITY)[None, :] | forced
    lik_greedy, lik_seeker = _type_likelihoods(w, utilities, valid, chosen, p)
    # Baseline policies and scheduled events do not come from the decision model, so the
    # model's likelihoods say nothing about them (lenses.py reads them at face value).
    return Choice(
        option=chosen,
        action=space.action[chosen],
        target=space.target[chosen],
        scheduled=forced,
        likelihood_greedy=np.where(rule_based, 1.0, lik_greedy),
        likelihood_seeker=np.where(rule_based, 1.0, lik_seeker),
        modelled=~rule_based,
        vulnerability=vul,
    )


def _type_likelihoods(
    w: WorldState, utilities: Utilities, valid: np.ndarray, chosen: np.ndarray, p: Parameters
) -> tuple[np.ndarray, np.ndarray]:
    """(R, N) P(chosen | greedy type) and P(chosen | security seeker), with the tremble."""
    if (w.lens == STRUCTURAL).all():
        # Only observers that read intent (Bayesian, interpretive) use them (lenses.py); a
        # world of structural observers has none, so they are not computed.
        return np.ones(w.shape), np.ones(w.shape)
    # The chosen option always counts as valid (an event may force an act that fails its
    # preconditions).
    n_valid = valid.sum(axis=2) + ~ok_after(valid, chosen)
    if p.choice == "softmax":
        # Observers do not know the actor's payoffs exactly, so they read its choice through
        # a softer softmax than the one it uses.
        core_greedy, core_seeker = softmax_likelihoods(
            utilities.base, utilities.gain, valid, chosen, p.inference_temperature
        )
    else:
        valid = valid.copy()
        np.put_along_axis(valid, chosen[:, :, None], True, axis=2)
        core_greedy = _argmax_probability(utilities.base + utilities.gain, valid, chosen)
        core_seeker = _argmax_probability(utilities.base, valid, chosen)
    # A tremble makes sure no act is impossible.
    lik_greedy = (1.0 - p.tremble) * core_greedy + p.tremble / np.maximum(n_valid, 1)
    lik_seeker = (1.0 - p.tremble) * core_seeker + p.tremble / np.maximum(n_valid, 1)
    return lik_greedy, lik_seeker
