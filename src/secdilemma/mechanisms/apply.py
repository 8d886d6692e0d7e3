"""Apply: the chosen acts change capabilities, wealth and relations; the economy moves on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from secdilemma.mechanisms.decision import Choice
from secdilemma.model.actions import RELATIONS, Catalog
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState, bloc_extension
from secdilemma.numerics.fast import compiled, numba_enabled

_REL = {name: n for n, name in enumerate(RELATIONS)}


@dataclass(frozen=True)
class Applied:
    armed: np.ndarray  # (R, N) change in each actor's own military base
    breached: np.ndarray  # (R, N, N) i broke its cap under the agreement with j, openly
    joined: np.ndarray  # (R, N, N) i and j became allies this step


def _toggle(current: np.ndarray, delta: np.ndarray) -> np.ndarray:
    return (current | (delta > 0)) & ~(delta < 0)


def received_effects(target: np.ndarray, action: np.ndarray, effect: np.ndarray) -> np.ndarray:
    """(R, N, k) the sum of the acts' target effects ``effect[action]`` ((K, k) per act) over the
    actors aiming at each state, added in actor order."""
    # compiled: 6.2x at 2 states, 6.4x at 20 (python -m benchmarks --only kernels)
    if numba_enabled():
        out = np.zeros((*target.shape, effect.shape[1]))
        _received_compiled(target, action, np.ascontiguousarray(effect), out)
        return out
    R, N = target.shape
    k = effect.shape[1]
    actor = np.flatnonzero(target >= 0)  # flat (replicate, actor) of each aimed act
    at = actor // N * N + target.ravel()[actor]  # flat (replicate, target)
    flat = effect[action.ravel()[actor]]
    summed = [np.bincount(at, weights=flat[:, c], minlength=R * N) for c in range(k)]
    return np.stack(summed, axis=1).reshape(R, N, k)


def _received_kernel(target, action, effect, out):
    # np.bincount's order: each target's sum from 0.0, actor by actor.
    R, N = target.shape
    for r in range(R):
        for i in range(N):
            j = target[r, i]
            if j >= 0:
                for c in range(effect.shape[1]):
                    out[r, j, c] += effect[action[r, i], c]


_received_compiled = compiled(_received_kernel)


def apply_actions(w: WorldState, choice: Choice, cat: Catalog, p: Parameters) -> Applied:
    """Update ``w`` in place; return what changed that later phases need."""
    a = choice.action
    M = w.military()
    own = cat.self_effect[a]  # (R, N, 4)
    d_defense = own[..., 1] * M
    # Where postures are indistinguishable, new "defensive" forces can also attack.
    indist = 1.0 - w.distinguishability[:, None]
    d_offense = own[..., 0] * M + indist * np.maximum(d_defense, 0.0)
    aim = choice.aim  # (R, N, N)

    # Effects on targets: each act's fraction, summed over the actors aiming at a state.
    received = received_effects(choice.target, a, cat.target_effect)  # (R, N, 4)
    spent = cat.cost_share(a, M / w.wealth, p.burden_reference) * w.wealth
    # A supplier's cut-off costs the dependent target that share of its economy, and the
    # supplier the matching revenue (most steps pull no lever: nothing to subtract).
    levers = cat.leverage[a][:, :, None]
    pulling = bool(levers.any())
    if pulling:
        cut = aim * levers * w.dependence.transpose(0, 2, 1)  # [supplier, buyer]
        lost_trade = cut * w.wealth[:, None, :]
        revenue_lost = p.supplier_share * lost_trade.sum(axis=2)
        wealth_lost = lost_trade.sum(axis=1)
    else:
        revenue_lost = wealth_lost = 0.0

    w.offense = np.maximum((w.offense + d_offense) * (1 + received[..., 0]), 0.0)
    w.defense = np.maximum((w.defense + d_defense) * (1 + received[..., 1]), 0.0)
    w.deterrent = np.maximum(
        (w.deterrent + own[..., 2] * w.deterrent_half[:, None]) * (1 + received[..., 2]), 0.0
    )
    wealth = (w.wealth * (1 + own[..., 3]) - spent - revenue_lost) * (1 + received[..., 3])
    w.wealth = np.maximum(wealth - wealth_lost, 1e-9)

    effect = cat.relation_effect[a]  # (R, N, relations): each act's change to a relation

    def directed(name: str) -> np.ndarray:  # (R, N, N) actor -> target
        return aim * effect[..., _REL[name]][:, :, None]

    def mutual(name: str) -> np.ndarray:
        change = directed(name)
        return change + change.transpose(0, 2, 1)

    # Most steps change few kinds of relation; an unchanged kind is left as it is.
    changed = {name: bool(effect[..., n].any()) for name, n in _REL.items()}
    allied_before, agreed_before = w.alliance, w.agreement
    if changed["alliance"]:
        enlarging = aim & cat.bloc[a][:, :, None] & (directed("alliance") > 0)
        alliance = _toggle(w.alliance, mutual("alliance"))
        w.alliance = alliance | bloc_extension(allied_before, enlarging)
    if changed["agreement"]:
        w.agreement = _toggle(w.agreement, mutual("agreement"))
    if changed["hotline"]:
        w.hotline = _toggle(w.hotline, mutual("hotline"))
    if changed["sanctions"]:
        w.sanctions = _toggle(w.sanctions, directed("sanctions"))
    if changed["prospect"]:
        w.prospect = _toggle(w.prospect, mutual("prospect"))
    w.prospect = w.prospect & ~w.alliance
    if changed["monitoring"]:
        w.monitoring = np.clip(w.monitoring + mutual("monitoring"), 0.0, 1.0)
    if changed["dependence"]:
        w.dependence = np.clip(w.dependence + directed("dependence"), 0.0, 1.0)
    # A lever pulled is spent: the buyer loses that share of its dependence (it finds other
    # suppliers), so a cut-off cannot be repeated for ever.
    if pulling:
        pulled = (aim * levers).transpose(0, 2, 1)  # [buyer, supplier]
        w.dependence = w.dependence * (1.0 - pulled)

    # An open build past a cap breaks the agreement (a covert violation does not, until found).
    overt_build = (cat.raises_forces[a] & ~cat.covert[a])[:, :, None]
    over = (w.military()[:, :, None] > w.cap_forces) | (w.deterrent[:, :, None] > w.cap_deterrent)
    breached = overt_build & over & agreed_before & w.agreement
    broken = breached | breached.transpose(0, 2, 1)
    w.agreement = w.agreement & ~broken
    w.set_caps(w.agreement & ~agreed_before, p.agreement_slack)
    w.clear_caps()
    return Applied(
        armed=d_offense + d_defense,
        breached=breached,
        joined=w.alliance & ~allied_before,
    )


def advance_economy(w: WorldState, p: Parameters) -> None:
    """Growth, less the drag of sanctions against the state; forces wear out."""
    sanctioned_by = w.sanctions.sum(axis=1)
    w.wealth = np.maximum(w.wealth * (1 + w.growth - p.sanction_penalty * sanctioned_by), 1e-9)
    keep = 1.0 - w.depreciation[:, None]
    w.offense *= keep
    w.defense *= keep
