"""Arms-control agreements and their verification.

An agreement caps each party's forces and deterrent at their level when it was signed (plus
``agreement_slack``). A party keeps it by staying under its caps. It breaks it openly by building
past a cap (the agreement ends, and the partner knows) or by withdrawing, and covertly with an act
that builds forces in secret (``violate_agreement``), which the partner learns of only if it is
detected.

Each step, each party's verification reports on the other. A violation is detected with chance
``d = v + (1 - v) m``: ``v`` is the act's own visibility (national technical means), ``m`` the
pair's monitoring quality. A compliant partner is wrongly reported with chance
``f = (1 - m) f0 + m f_inst``: ``f0 = 1 - Phi(suspicion_threshold / sigma)`` is how often noisy
national intelligence (``sigma``, the world's observation noise) mistakes routine activity for
cheating, ``f_inst`` the institution's own false-alarm rate. Good monitoring thus both finds more
violations and replaces suspicion with evidence.

A quiet step is evidence of compliance, weighed by Bayes' rule: a greedy partner is assumed to
cheat with chance ``violation_prior`` a step, a security seeker not at all, so a quiet step moves
the log-odds by ``log((1 - g d - (1 - g) f) / (1 - f))``, a little: compliance builds belief
slowly. A report moves a Bayesian observer by ``log((g d + (1 - g) f) / f)``, little where
reports are often false. A structural observer assumes the worst and takes a report at face
value (``violation_evidence``); an interpretive one reads that through its charity. A report
also cuts trust by ``violation_trust_loss``; a quiet step rebuilds it by ``trust_gain``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from secdilemma.mechanisms.apply import Applied
from secdilemma.mechanisms.decision import Choice
from secdilemma.mechanisms.perception.lenses import BAYESIAN, INTERPRETIVE, STRUCTURAL, charitable
from secdilemma.mechanisms.perception.observe import Observation
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Parameters
from secdilemma.model.world import WorldState
from secdilemma.numerics.logodds import shifted
from secdilemma.numerics.rng import Stream, Streams


@dataclass(frozen=True)
class Verification:
    """Arrays are (R, K, I): observer k's verification of party i."""

    bound: np.ndarray  # an agreement between k and i was in force this step
    violated: np.ndarray  # i violated it (covertly, or openly past a cap)
    detected: np.ndarray  # ... and k learned of it
    false_alarm: np.ndarray  # k was told of a violation that did not happen
    detection: np.ndarray  # d, the chance a violation is detected
    false_rate: np.ndarray  # f, the chance of a false report

    @property
    def reported(self) -> np.ndarray:
        return self.detected | self.false_alarm


def covert_violations(choice: Choice, cat: Catalog) -> np.ndarray:
    """(R, K, I): i secretly built forces under its agreement with k."""
    secret_build = cat.covert[choice.action] & cat.raises_forces[choice.action]
    return (choice.aim & secret_build[:, :, None]).transpose(0, 2, 1)


def verify(
    w: WorldState,
    bound: np.ndarray,
    choice: Choice,
    applied: Applied,
    obs: Observation,
    cat: Catalog,
    p: Parameters,
    streams: Streams,
    step: int,
) -> Verification:
    R, N = w.shape
    covert = covert_violations(choice, cat) & bound
    breached = applied.breached.transpose(0, 2, 1)  # [k, i]: i built past its cap
    violated = covert | breached
    detected = (covert & obs.seen) | breached
    m = w.monitoring
    sigma = w.observation_noise[:, None, None]
    national = special.ndtr(-p.suspicion_threshold / np.maximum(sigma, 1e-12))
    national = np.where(sigma > 0, national, 0.0)
    false_rate = (1.0 - m) * national + m * w.false_alarm
    u = streams.uniform(Stream.VERIFY, step, (N, N))
    false_alarm = bound & ~violated & (u < false_rate)
    visible = cat.visibility[cat.covert & cat.raises_forces]
    v = float(visible.min()) if visible.size else 0.0
    detection = v + (1.0 - v) * m
    return Verification(
        bound=bound,
        violated=violated,
        detected=detected,
        false_alarm=false_alarm,
        detection=detection,
        false_rate=false_rate,
    )


def report_evidence(w: WorldState, v: Verification, p: Parameters) -> np.ndarray:
    """(R, K, I) the log-likelihood ratio each observer reads into a report of a violation.

    Only the Bayesian weighs a report by how often such reports are false; the structural
    observer assumes the worst and takes it at face value, the interpretive one reads it
    through its frame."""
    g, d = p.violation_prior, v.detection
    f = np.clip(v.false_rate, 1e-9, 1.0 - 1e-9)
    lens = w.lens[None, :, None]
    face_value = np.where(
        lens == INTERPRETIVE,
        charitable(p.violation_evidence, w.frame_charity),
        p.violation_evidence,
    )
    return np.where(lens == BAYESIAN, np.log((g * d + (1.0 - g) * f) / f), face_value)


def learn_from_verification(w: WorldState, v: Verification, p: Parameters) -> None:
    """Update threat (and belief, for non-structural lenses) and trust on the reports."""
    g, d = p.violation_prior, v.detection
    f = np.clip(v.false_rate, 1e-9, 1.0 - 1e-9)
    quiet = np.log(np.clip(1.0 - g * d - (1.0 - g) * f, 1e-12, None) / (1.0 - f))
    structural = (w.lens == STRUCTURAL)[None, :, None]
    # A world of structural observers takes every report at face value (report_evidence).
    reported = p.violation_evidence if structural.all() else report_evidence(w, v, p)
    evidence = np.where(v.reported, reported, quiet)
    evidence = np.clip(evidence, -p.violation_evidence, p.violation_evidence)
    evidence = np.where(v.bound, evidence, 0.0)

    if not structural.all():  # only observers that read intent update their beliefs
        w.belief_greedy = np.where(
            structural | ~v.bound, w.belief_greedy, shifted(w.belief_greedy, evidence)
        )
    w.threat = np.where(v.bound, shifted(w.threat, evidence), w.threat)
    lost = p.violation_trust_loss * w.trust * v.reported
    gained = p.trust_gain * (1.0 - w.trust) * (v.bound & ~v.reported)
    w.trust = np.clip(w.trust - lost + gained, 0.0, 1.0)
