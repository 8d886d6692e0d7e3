"""Interpret: each observer's lens turns the acts it saw into threat and belief updates.

All arrays are (R, K, I): observer k, actor i. docs/model.md gives the equations.

* ``structural`` reads capability alone: the offensive potential of the act (its defensive part
  too, to the degree postures are indistinguishable), scaled by the offense-defense balance,
  reach and the observer's relative weakness. Observers in the same material position read the
  same act the same way.
* ``bayesian`` updates the belief that the actor is greedy by the likelihood ratio of the act
  under the actor's own decision model for a greedy and a security-seeking type.
* ``interpretive`` is the Bayesian update read through the observer's frame: sensitivity by
  domain, grievance from past hostile readings, and charity toward hostile-looking acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from secdilemma.mechanisms.conflict import relative_size
from secdilemma.mechanisms.decision import Choice
from secdilemma.mechanisms.interpretation import update_evidence
from secdilemma.mechanisms.perception.observe import Observation
from secdilemma.model.actions import Catalog
from secdilemma.model.registry import LENS_REGISTRY
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.fast import compiled, numba_enabled
from secdilemma.numerics.logodds import shifted

STRUCTURAL, BAYESIAN, INTERPRETIVE = (
    LENS_REGISTRY.code(name) for name in ("structural", "bayesian", "interpretive")
)


@dataclass(frozen=True)
class Reading:
    """How each observer k read each actor i's act this step; arrays are (R, K, I)."""

    seen: np.ndarray  # bool: k saw i's act
    capability: np.ndarray  # structural threat signal of the act
    intent: np.ndarray  # the act's intent toward k, as the actor itself rates it
    hostility: np.ndarray  # the intent k reads into it (frame included for interpretive k)
    perceived: np.ndarray  # k's overall reading through its lens (for attribution)
    log_likelihood_ratio: np.ndarray  # log P(act | greedy) / P(act | seeker), as k reads it
    talk: np.ndarray  # bool: k heard cheap talk addressed to it
    bogus: np.ndarray  # bool: ... and it was a false justification
    accommodation: np.ndarray  # bool: k saw a concession made to it, and read it benignly
    concession: np.ndarray  # bool: k saw a concession made to it, however it read it
    benign_seen: np.ndarray  # bool: a benign act (intent < 0) was seen
    hostile_seen: np.ndarray  # bool: a hostile act (intent > 0) was seen
    false_alarm: np.ndarray  # bool: a benign act seen as hostile
    miss: np.ndarray  # bool: a hostile act seen as benign


def charitable(evidence: np.ndarray, charity: np.ndarray) -> np.ndarray:
    """Evidence read through charity c: hostile readings weigh min(1, (1 - c) / c), benign
    ones min(1, c / (1 - c)). At c = 0.5 the reading is unbiased; charity is the choice to
    lean one way, and at c = 0.9 hostile-looking evidence counts a ninth as much."""
    c = np.clip(charity, 1e-6, 1 - 1e-6)
    hostile = np.minimum(1.0, (1.0 - c) / c) * np.maximum(evidence, 0.0)
    benign = np.minimum(1.0, c / (1.0 - c)) * np.minimum(evidence, 0.0)
    return hostile + benign


def capability_signal(
    w: WorldState,
    choice: Choice,
    cat: Catalog,
    p: Parameters,
    offense_before: np.ndarray,
    defense_before: np.ndarray,
) -> np.ndarray:
    """(R, K, I) what each act's capability signals to each observer (docs/model.md)."""
    # compiled: 10.6x at 2 states, 3.5x at 20 (python -m benchmarks --only kernels)
    if not numba_enabled():
        return _capability_numpy(w, choice, cat, p, offense_before, defense_before)
    R, N = w.shape
    signal, harm = np.empty((R, N, N)), np.empty((R, N, N))
    _capability_compiled(
        choice.action,
        choice.target,
        offense_before,
        defense_before,
        w.distinguishability,
        w.offense_defense_balance,
        w.reach,
        w.agreement,
        cat.self_effect,
        cat.target_effect,
        cat.force,
        np.maximum(cat.relation_effect[:, 0], 0.0),
        cat.covert,
        signal,
        harm,
    )
    return _bounded(signal, p) + harm


def _bounded(signal: np.ndarray, p: Parameters) -> np.ndarray:
    # A capability gain large against a small observer's forces would otherwise grow without
    # bound; past a few units of log-odds a reading says "overwhelming" and no more.
    return p.capability_cap * np.tanh(signal / p.capability_cap)


def _capability_numpy(
    w: WorldState,
    choice: Choice,
    cat: Catalog,
    p: Parameters,
    offense_before: np.ndarray,
    defense_before: np.ndarray,
) -> np.ndarray:
    R, N = w.shape
    a, target = choice.action, choice.target
    M = offense_before + defense_before
    own = cat.self_effect[a]
    indist = 1.0 - w.distinguishability[:, None]
    d_off = own[..., 0] * M
    d_def = own[..., 1] * M
    committed = cat.force[a] * offense_before
    built = d_off + indist * np.maximum(d_def, 0.0)  # (R, I)
    is_target = target[:, None, :] == np.arange(N)[None, :, None]  # (R, K, I)
    partner_offense = np.take_along_axis(offense_before, np.maximum(target, 0), axis=1)
    aggregated = np.maximum(cat.relation_effect[a][..., 0], 0.0) * partner_offense * (target >= 0)
    # An open build under an agreement in force stays within the caps both accepted (a build
    # past them ends the agreement), so it adds nothing the observer had not agreed to.
    capped = w.agreement.transpose(0, 2, 1) & ~cat.covert[a][:, None, :]  # [k, i]
    built = np.where(capped, np.minimum(built[:, None, :], 0.0), built[:, None, :])  # (R, K, I)
    gained = built + committed[:, None, :] + np.where(is_target, 0.0, aggregated[:, None, :])
    weak = relative_size(M, M)  # [k, i]
    beta = w.offense_defense_balance[:, None, None]
    signal = beta * w.reach.T[None] * weak * gained / np.maximum(M[:, :, None], 1e-12)
    te = cat.target_effect[a]  # (R, I, 4)
    signal = signal + _transferred(w, target, te, offense_before, defense_before, M, indist)
    harm = -(
        te[..., 0][:, None, :] * offense_before[:, :, None]
        + te[..., 1][:, None, :] * defense_before[:, :, None]
    ) / np.maximum(M[:, :, None], 1e-12)
    harm = np.maximum(harm - te[..., 2][:, None, :], 0.0)
    return _bounded(signal, p) + np.where(is_target, harm, 0.0)


def _transferred(w, target, te, offense_before, defense_before, M, indist) -> np.ndarray:
    """(R, K, I) the forces i's act gives its target, as third parties read them: the offense,
    and the defence where postures cannot be told apart, held where the target stands (its
    reach and size against the observer's). The target itself reads a gift, not a threat."""
    R, N = offense_before.shape
    t = np.maximum(target, 0)
    O_t = np.take_along_axis(offense_before, t, axis=1)
    D_t = np.take_along_axis(defense_before, t, axis=1)
    given = np.maximum(te[..., 0], 0.0) * O_t + indist * np.maximum(te[..., 1], 0.0) * D_t
    given = np.where(target >= 0, given, 0.0)  # (R, I)
    if not given.any():  # most steps no state arms another: nothing to read
        return np.zeros((R, N, N))
    M_t = O_t + D_t
    reach = w.reach[t].transpose(0, 2, 1)  # [r, k, i] = reach of i's target to k
    weak = relative_size(M_t, M)
    third = target[:, None, :] != np.arange(N)[None, :, None]
    beta = w.offense_defense_balance[:, None, None]
    raw = beta * reach * weak * given[:, None, :] / np.maximum(M[:, :, None], 1e-12)
    return np.where(third, raw, 0.0)


def _capability_kernel(
    action,
    target,
    offense,
    defense,
    distinguishability,
    balance,
    reach,
    agreement,
    self_effect,
    target_effect,
    force,
    aggregates,
    covert,
    signal,
    harm,
):
    # The NumPy form's operations for each (replicate, observer k, actor i), before the bound
    # (its tanh stays NumPy's, in both forms).
    R, N = offense.shape
    for r in range(R):
        indist = 1.0 - distinguishability[r]
        for i in range(N):
            a, t = action[r, i], target[r, i]
            M_i = offense[r, i] + defense[r, i]
            d_off = self_effect[a, 0] * M_i
            d_def = self_effect[a, 1] * M_i
            committed = force[a] * offense[r, i]
            built = d_off + indist * max(d_def, 0.0)
            aggregated = aggregates[a] * offense[r, max(t, 0)] * (1.0 if t >= 0 else 0.0)
            given, M_t = 0.0, 0.0
            if t >= 0:
                M_t = offense[r, t] + defense[r, t]
                given = (
                    max(target_effect[a, 0], 0.0) * offense[r, t]
                    + indist * max(target_effect[a, 1], 0.0) * defense[r, t]
                )
            for k in range(N):
                M_k = offense[r, k] + defense[r, k]
                seen_built = min(built, 0.0) if agreement[r, i, k] and not covert[a] else built
                gained = seen_built + committed + (0.0 if t == k else aggregated)
                weak = 2.0 * M_i / max(M_i + M_k, 1e-12)
                signal[r, k, i] = balance[r] * reach[i, k] * weak * gained / max(M_k, 1e-12)
                if given > 0.0 and t != k:
                    weak_t = 2.0 * M_t / max(M_t + M_k, 1e-12)
                    signal[r, k, i] += balance[r] * reach[t, k] * weak_t * given / max(M_k, 1e-12)
                lost = target_effect[a, 0] * offense[r, k] + target_effect[a, 1] * defense[r, k]
                damage = max(-lost / max(M_k, 1e-12) - target_effect[a, 2], 0.0)
                harm[r, k, i] = damage if t == k else 0.0


_capability_compiled = compiled(_capability_kernel)


def read_acts(
    w: WorldState,
    choice: Choice,
    obs: Observation,
    cat: Catalog,
    p: Parameters,
    offense_before: np.ndarray,
    defense_before: np.ndarray,
) -> Reading:
    capability = capability_signal(w, choice, cat, p, offense_before, defense_before)
    modelled = np.log(choice.likelihood_greedy) - np.log(choice.likelihood_seeker)
    # compiled: 4.6x at 2 states, 2.3x at 20 (python -m benchmarks --only kernels)
    if not numba_enabled():
        return _reading_numpy(w, choice, obs, cat, p, capability, modelled)
    R, N = w.shape
    real = {name: np.empty((R, N, N)) for name in _REAL_FIELDS}
    flags = {name: np.empty((R, N, N), dtype=bool) for name in _FLAG_FIELDS}
    _reading_compiled(
        choice.action,
        choice.target,
        choice.modelled,
        modelled,
        obs.seen,
        obs.noise,
        capability,
        w.lens,
        w.sensitivity,
        w.grievance,
        w.frame_charity,
        cat.hostility,
        cat.third_party,
        cat.domain,
        cat.costly_signal,
        cat.cheap_talk,
        cat.bogus,
        cat.accommodation,
        _ReadingWeights(
            p.grievance_weight,
            p.threat_gain,
            p.max_evidence,
            p.costly_evidence,
            p.frame_weight,
        ),
        *real.values(),
        *flags.values(),
    )
    return Reading(seen=obs.seen, **real, **flags)


_REAL_FIELDS = ("capability", "intent", "hostility", "perceived", "log_likelihood_ratio")
_FLAG_FIELDS = (
    "talk",
    "bogus",
    "accommodation",
    "concession",
    "benign_seen",
    "hostile_seen",
    "false_alarm",
    "miss",
)


class _ReadingWeights(NamedTuple):
    grievance: float
    threat_gain: float
    max_evidence: float
    costly_evidence: float
    frame_weight: float


def _reading_numpy(
    w: WorldState,
    choice: Choice,
    obs: Observation,
    cat: Catalog,
    p: Parameters,
    capability: np.ndarray,
    modelled: np.ndarray,
) -> Reading:
    R, N = w.shape
    a, target = choice.action, choice.target
    addressed = target[:, None, :] == np.arange(N)[None, :, None]  # (R, K, I): k is i's target
    aimed_here = addressed | (target[:, None, :] < 0)
    intent = np.where(aimed_here, cat.hostility[a][:, None, :], cat.third_party[a][:, None, :])
    sensitivity = w.sensitivity[:, cat.domain[a]].transpose(1, 0, 2)  # (R, K, I)
    interpretive = (w.lens == INTERPRETIVE)[None, :, None]
    structural = (w.lens == STRUCTURAL)[None, :, None]
    seen = obs.seen
    # The interpretive frame reads intent, the observer's sensitivities, its grievance and the
    # act's capability (ambiguous where postures cannot be told apart); charity is the choice
    # to discount whatever of that looks hostile.
    framed = intent + sensitivity + p.grievance_weight * w.grievance + p.threat_gain * capability
    framed = charitable(framed, w.frame_charity)
    observed = intent + obs.noise  # what the observer's eyes report, before any frame
    hostility = np.where(interpretive, framed + obs.noise, observed)
    # A structural observer assumes the worst: capability counts as hostile intent.
    perceived = np.where(structural, observed + capability, hostility)
    capability = capability + obs.noise
    # No single act is conclusive: its weight of evidence is bounded by max_evidence, a
    # bound a costly signal (built to be unmistakable) may exceed by costly_evidence times.
    bound = p.max_evidence * np.where(cat.costly_signal[a], p.costly_evidence, 1.0)
    # An act the decision model did not produce (a scheduled event, a rule-following state)
    # has no model likelihood; a Bayesian observer takes its intent at face value instead
    # (an interpretive one reads intent through its frame already).
    face_value = np.where((w.lens == BAYESIAN)[None, :, None], p.frame_weight * intent, 0.0)
    llr = np.where(choice.modelled[:, None, :], modelled[:, None, :], face_value)
    llr = np.clip(llr, -bound[:, None, :], bound[:, None, :])
    benign = seen & (intent < 0)
    hostile = seen & (intent > 0)
    return Reading(
        seen=seen,
        capability=np.where(seen, capability, 0.0),
        intent=np.where(seen, intent, 0.0),
        hostility=np.where(seen, hostility, 0.0),
        perceived=np.where(seen, perceived, 0.0),
        log_likelihood_ratio=llr,
        talk=seen & addressed & cat.cheap_talk[a][:, None, :],
        bogus=seen & addressed & cat.bogus[a][:, None, :],
        accommodation=seen & addressed & cat.accommodation[a][:, None, :] & (hostility < 0),
        concession=seen & addressed & cat.accommodation[a][:, None, :],
        benign_seen=benign,
        hostile_seen=hostile,
        false_alarm=benign & (observed > 0),
        miss=hostile & (observed <= 0),
    )


def _reading_kernel(
    action,
    target,
    from_model,
    modelled,
    seen,
    noise,
    capability,
    lens,
    sensitivity,
    grievance,
    frame_charity,
    hostility_of,
    third_party_of,
    domain,
    costly_signal,
    cheap_talk,
    bogus_of,
    accommodation_of,
    k,
    capability_out,
    intent_out,
    hostility_out,
    perceived_out,
    llr_out,
    talk,
    bogus,
    accommodation,
    concession,
    benign_seen,
    hostile_seen,
    false_alarm,
    miss,
):
    # The NumPy form's operations for each (replicate, observer o, actor i).
    R, N = action.shape
    for r in range(R):
        for i in range(N):
            a, t = action[r, i], target[r, i]
            bound = k.max_evidence * (k.costly_evidence if costly_signal[a] else 1.0)
            for o in range(N):
                addressed = t == o
                intent = hostility_of[a] if addressed or t < 0 else third_party_of[a]
                framed = (
                    intent
                    + sensitivity[o, domain[a]]
                    + k.grievance * grievance[r, o, i]
                    + k.threat_gain * capability[r, o, i]
                )
                c = min(max(frame_charity[r, o, i], 1e-6), 1 - 1e-6)
                framed = min(1.0, (1.0 - c) / c) * max(framed, 0.0) + min(1.0, c / (1.0 - c)) * min(
                    framed, 0.0
                )
                e = noise[r, o, i]
                observed = intent + e
                hostility = framed + e if lens[o] == INTERPRETIVE else observed
                perceived = observed + capability[r, o, i] if lens[o] == STRUCTURAL else hostility
                face_value = k.frame_weight * intent if lens[o] == BAYESIAN else 0.0
                llr = modelled[r, i] if from_model[r, i] else face_value
                llr_out[r, o, i] = min(max(llr, -bound), bound)
                s = seen[r, o, i]
                capability_out[r, o, i] = capability[r, o, i] + e if s else 0.0
                intent_out[r, o, i] = intent if s else 0.0
                hostility_out[r, o, i] = hostility if s else 0.0
                perceived_out[r, o, i] = perceived if s else 0.0
                told = s and addressed
                talk[r, o, i] = told and cheap_talk[a]
                bogus[r, o, i] = told and bogus_of[a]
                concession[r, o, i] = told and accommodation_of[a]
                accommodation[r, o, i] = told and accommodation_of[a] and hostility < 0
                benign = s and intent < 0
                hostile = s and intent > 0
                benign_seen[r, o, i] = benign
                hostile_seen[r, o, i] = hostile
                false_alarm[r, o, i] = benign and observed > 0
                miss[r, o, i] = hostile and observed <= 0


_reading_compiled = compiled(_reading_kernel)


def interpret(
    w: WorldState,
    reading: Reading,
    obs: Observation,
    p: Parameters,
    modelled: np.ndarray | None = None,
) -> None:
    """Update threat (structural) or belief and threat (bayesian, interpretive) in place.
    ``modelled`` (R, I) marks the acts the decision model produced (``Choice.modelled``); it is
    needed only where some state chooses its charity."""
    lens = w.lens[None, :, None]
    # Structural: threat relaxes toward its baseline and moves with capability signals in
    # log-odds, so zero-mean observation noise moves it up and down alike.
    relaxed = w.threat + p.threat_decay * (w.threat_baseline - w.threat)
    eye = np.eye(w.shape[1], dtype=bool)
    threat = np.where(eye, 0.0, shifted(relaxed, p.threat_gain * reading.capability))
    if w.belief_evidence is not None:
        # A state that chooses its reading chooses it from the unframed evidence: what a plain
        # Bayesian reader of the same acts would believe (mechanisms/interpretation.py).
        # An act the model did not produce is taken at face value, as a Bayesian observer does.
        face_value = np.clip(p.frame_weight * reading.intent, -p.max_evidence, p.max_evidence)
        plain = reading.log_likelihood_ratio
        if modelled is not None:
            plain = np.where(modelled[:, None, :], plain, face_value)
        told = p.talk_weight * w.credibility_view * reading.talk
        update_evidence(w, plain + obs.noise - told, obs.seen)
    if not (lens == STRUCTURAL).all():  # (structural observers' beliefs stay as they are)
        w.belief_greedy = updated_beliefs(w, reading, obs, p)
        threat = np.where(lens == STRUCTURAL, threat, w.belief_greedy)
        w.pending_bogus = w.pending_bogus | (reading.bogus & (lens != STRUCTURAL))
    w.threat = threat
    w.read_hostility = reading.hostility


def updated_beliefs(w: WorldState, reading: Reading, obs: Observation, p: Parameters) -> np.ndarray:
    """(R, K, I) beliefs after this step's acts: Bayes' rule in log-odds on the acts seen, for
    Bayesian and interpretive observers; a structural observer's stay as they are."""
    lens = w.lens[None, :, None]
    # The noise enters once: directly for the Bayesian observer, through the framed hostility
    # (which already carries it) for the interpretive one, whose charity discounts evidence of
    # greed.
    llr = reading.log_likelihood_ratio
    # Words addressed to the observer count as far as it believes the speaker.
    told = p.talk_weight * w.credibility_view * reading.talk
    evidence = np.where(
        lens == INTERPRETIVE,
        charitable(llr, w.frame_charity) + p.frame_weight * reading.hostility,
        llr + obs.noise,
    )
    evidence = evidence - told
    updated = shifted(w.belief_greedy, np.where(obs.seen, evidence, 0.0))
    eye = np.eye(w.shape[1], dtype=bool)
    return np.where(lens == STRUCTURAL, w.belief_greedy, np.where(eye, 0.0, updated))
