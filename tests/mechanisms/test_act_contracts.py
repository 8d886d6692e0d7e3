"""Contracts every catalogue act inherits: what an act's fields claim, it does.

tests/model/test_catalog.py checks that the catalogue's fields are well formed; these tests check
that each act behaves as they say, in the spirit of the axelrod library's ``TestPlayer`` (whose
classifier is checked against each strategy's behaviour). Each contract is a test registered
with ``@contract(field, ...)`` and parametrised over every act of the bundled catalogue
(``load_catalog()``) it applies to, so an act added to actions.yaml is tested without a new test;
``test_every_field_an_act_sets_has_a_contract`` fails, naming the act and the field, when an act
sets a field (away from its default) that no contract checks for it.

Each contract forces the act with a scheduled event (state A acts, on B where the act is aimed;
C, where present, is a third party; every other state follows the ``scripted`` policy and waits)
and reads the phases of a real engine run through ``act_harness.trace``; only the preconditions
are checked on A's own choice, with the act on its menu. Where a field's effect is statistical
(visibility, monitoring, crises, retaliation, revealed lies) it is measured over replicates with
a margin of four standard errors, well inside the gap the mechanism makes. Where docs/model.md
gives a formula the contract checks the amount, otherwise the direction. Where other fields
would blur a field's effect, the act is compared with its twin: the same entry with that one
field at its default.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from act_harness import (
    Trace,
    default_of,
    field_defaults,
    fields_set,
    logit,
    trace,
    twin_catalog,
)

from secdilemma.mechanisms.conflict import military_balance
from secdilemma.mechanisms.decision import OptionSpace
from secdilemma.mechanisms.decision.utility import option_utilities
from secdilemma.model.actions import DOMAINS, RELATIONS, REQUIREMENTS, ActionSpec, load_catalog
from secdilemma.model.scenario import parse_scenario
from secdilemma.model.world import WorldState, initial_world
from secdilemma.numerics.rng import Streams

CATALOG = load_catalog()
SPECS: dict[str, ActionSpec] = {spec.id: spec for spec in CATALOG.specs}
A, B, C = 0, 1, 2  # actor, target, third party

# Fields that claim nothing about behaviour: the id names the act (every contract is keyed by
# it), and docs/model.md section 4 calls `named_in` (and the free text) documentation only.
DOCUMENTATION = {
    "id": "the act's name: every contract is keyed by it",
    "named_in": "documentation only (docs/model.md, section 4)",
    "description": "free text",
}

# (contract, act) pairs whose claim does not hold today, with the reason; each is a strict
# xfail, so the test fails as soon as the act starts keeping its contract.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


# --- the contract registry ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Contract:
    name: str
    fields: tuple[str, ...]
    applies: Callable[[ActionSpec], bool]


CONTRACTS: list[Contract] = []


def _marks(name: str, act: str) -> list[pytest.MarkDecorator]:
    reason = KNOWN_FAILURES.get((name, act))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def contract(*fields: str, applies: Callable[[ActionSpec], bool] = lambda spec: True):
    """Register a test as the contract of ``fields`` and parametrise it over every catalogue
    act it applies to (argument ``act``, the act's id)."""

    def register(test):
        CONTRACTS.append(Contract(test.__name__, fields, applies))
        acts = [
            pytest.param(spec.id, id=spec.id, marks=_marks(test.__name__, spec.id))
            for spec in CATALOG.specs
            if applies(spec)
        ]
        return pytest.mark.parametrize("act", acts)(test)

    return register


# --- worlds and runs ------------------------------------------------------------------------


def event(act: str, step: int = 0) -> dict[str, Any]:
    forced = {"step": step, "actor": "A", "action": act}
    if SPECS[act].targeted:
        forced["target"] = "B"
    return forced


def world(
    act: str,
    n: int = 3,
    replicates: int = 8,
    lens: str = "bayesian",
    *,
    forced: bool = True,
    states: dict[str, dict[str, Any]] | None = None,
    relations: list[dict[str, Any]] | None = None,
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A scenario of ``n`` equal states (A, B, C) in which A takes ``act`` at step 0. Growth is
    0, so wealth moves only by what the step does."""
    shared = {"growth": 0.0, "policy": "scripted", "lens": lens}
    return {
        "name": f"contract-{act}",
        "steps": 1,
        "replicates": replicates,
        "seed": 20240601,
        "states": [{"id": sid, **shared, **(states or {}).get(sid, {})} for sid in "ABC"[:n]],
        "relations": relations or [],
        "events": [event(act)] if forced else [],
        "parameters": parameters or {},
    }


def pair(first: str, second: str, **fields: Any) -> dict[str, Any]:
    return {"between": [first, second], **fields}


# The model's parameters as every world here has them (the defaults of docs/model.md).
DEFAULTS = parse_scenario(world("wait"), "defaults", CATALOG).parameters


# Replicates where a rate is measured: 2 observers each, so a standard error of at most
# 0.5 / sqrt(1200) = 0.014 on a rate of seeing.
SEEN_REPLICATES = 600
MONITORING = 0.5
SENSITIVITY = 0.3
CREDIBILITY = 0.6  # A's word, as B and C believe it at the start


def _seen(
    act: str,
    catalog,
    lens: str = "bayesian",
    replicates: int = SEEN_REPLICATES,
    sensitivity: dict[str, float] | None = None,
) -> Trace:
    """Three states reading through ``lens``; B and C believe A's word to CREDIBILITY."""
    states = {sid: {"sensitivity": sensitivity or {}} for sid in "ABC"}
    states["A"]["credibility"] = CREDIBILITY
    return trace(world(act, replicates=replicates, lens=lens, states=states), catalog)


def _monitored(act: str, catalog) -> Trace:
    watched = [pair(x, y, monitoring=MONITORING) for x, y in ("AB", "AC", "BC")]
    return trace(world(act, replicates=SEEN_REPLICATES, relations=watched), catalog)


def _interpretive(act: str, catalog, sensitive_to: tuple[str, ...] = ()) -> Trace:
    weights = {domain: SENSITIVITY for domain in sensitive_to}
    return _seen(act, catalog, "interpretive", replicates=64, sensitivity=weights)


def _apply_world(act: str, catalog, agreement: bool = False) -> Trace:
    """Every state holds a deterrent (so cuts to it show); A is allied with C (so a bloc can
    extend); A and B depend on each other's trade and are watched by an institution, A's
    dependence and the monitoring drawn per replicate so that an addition reaches the cap of 1
    in some replicates and not in others; every relation the act clears is in force
    beforehand, every one it sets is not, except that a promise of membership is in force where
    the act makes an alliance (it lapses then). With ``agreement``, A and B are bound by an
    arms-control agreement with no slack: any build takes a party past its caps."""
    spec = SPECS[act]
    clears = {key for key, value in spec.relation.items() if value < 0}
    flags = {key: key in clears for key in ("alliance", "agreement", "hotline", "prospect")}
    flags["prospect"] |= spec.relation.get("alliance", 0) > 0
    flags["agreement"] |= agreement
    relations = [
        pair(
            "A",
            "B",
            monitoring={"dist": "uniform", "low": 0.1, "high": 0.9},
            dependence={"A": {"dist": "uniform", "low": 0.9, "high": 1.0}, "B": 0.2},
            **flags,
        ),
        pair("A", "C", alliance=True),
    ]

    def sanctions_in_force(w: WorldState) -> None:
        if "sanctions" in clears:  # a scenario cannot state sanctions in force
            w.sanctions = w.sanctions.copy()
            w.sanctions[:, A, B] = True

    deterrent = {sid: {"deterrent": 1.0} for sid in "ABC"}
    parameters = {"agreement_slack": 0.0} if agreement else {}
    raw = world(act, replicates=16, states=deterrent, relations=relations, parameters=parameters)
    return trace(raw, catalog, prepare=sanctions_in_force)


def _war(act: str, catalog, replicates: int = 64, deterrent_b: float = 0.0) -> Trace:
    """Two states, no deterrent unless B is given one, no trade: one war at most, its
    outcome undisturbed by retaliation or lost trade."""
    states = {"B": {"deterrent": deterrent_b}}
    return trace(world(act, 2, replicates, "structural", states=states), catalog)


def crisis_replicates(crisis: float) -> int:
    """Enough replicates that four standard errors of the rate of provoked wars are at most a
    third of the stated rate (so a rate half or twice as high fails), and at least 2000, among
    which no war may be provoked at all where the rate is 0."""
    if crisis == 0:
        return 2000
    return max(2000, int(np.ceil(144 * (1 - crisis) / crisis)))


def _decisive(choice):
    """A's act as the decision model would rate it, were a greedy type about a million times as
    likely as a security seeker to take it: its log-likelihood ratio is far past any bound."""
    greedy, seeker = choice.likelihood_greedy.copy(), choice.likelihood_seeker.copy()
    modelled = choice.modelled.copy()
    greedy[:, A], seeker[:, A], modelled[:, A] = 0.999, 1e-6, True
    return dataclasses.replace(
        choice, likelihood_greedy=greedy, likelihood_seeker=seeker, modelled=modelled
    )


def _evidence(act: str, catalog) -> Trace:
    return trace(world(act, replicates=4), catalog, choice_hook=_decisive)


def _requirements(act: str, catalog, failing: tuple[str, str] | None = None) -> Trace:
    """A may choose only ``act`` or wait, all but indifferently (a softmax temperature far above
    any difference of utility); every precondition of the act holds for A and B, except
    ``failing`` (a precondition and a way it fails), which fails for A with every state."""

    def prepare(w: WorldState) -> None:
        for requirement in SPECS[act].requires:
            HOLDS[requirement](w)
        if failing is not None:
            requirement, way = failing
            FAILS[requirement][way](w)

    states = {"A": {"policy": "expected_utility", "actions": [act]}}
    raw = world(
        act, replicates=64, lens="structural", forced=False, states=states,
        parameters={"temperature": 1e6},
    )  # fmt: skip
    return trace(raw, catalog, prepare=prepare)


VARIANTS: dict[str, Callable[..., Trace]] = {
    "seen": _seen,
    "monitored": _monitored,
    "interpretive": _interpretive,
    "interpretive, sensitive": lambda act, cat: _interpretive(act, cat, (SPECS[act].domain,)),
    "interpretive, sensitive elsewhere": lambda act, cat: _interpretive(
        act, cat, tuple(d for d in DOMAINS if d != SPECS[act].domain)
    ),
    "structural": lambda act, cat: _seen(act, cat, "structural", replicates=64),
    "apply": _apply_world,
    "apply, under agreement": lambda act, cat: _apply_world(act, cat, agreement=True),
    "war": _war,
    "crisis": lambda act, cat: _war(act, cat, replicates=crisis_replicates(SPECS[act].crisis)),
    "retaliation": lambda act, cat: _war(act, cat, replicates=400, deterrent_b=3.0),
    "evidence": _evidence,
    "requirements": _requirements,
}


# Variants that several contracts read are run once per act (and twin) and kept; the others
# are run where they are read and let go, which keeps the file's memory to a few hundred MB.
SHARED = {"seen", "interpretive", "structural", "apply", "war", "requirements"}
Twin = str | tuple[str, Any] | None


def _run(
    act: str, variant: str, twin: Twin = None, failing: tuple[str, str] | None = None
) -> Trace:
    if twin is None:
        catalog = CATALOG
    elif isinstance(twin, str):
        catalog = twin_catalog(act, **{twin: default_of(twin)})
    else:
        catalog = twin_catalog(act, **{twin[0]: twin[1]})
    if failing is not None:
        return VARIANTS[variant](act, catalog, failing)
    return VARIANTS[variant](act, catalog)


_shared_run = functools.cache(_run)


def run(
    act: str, variant: str, *, twin: Twin = None, failing: tuple[str, str] | None = None
) -> Trace:
    """The traced run of ``act`` in a variant world; ``twin`` names a field set back to its
    default in the act's entry (or gives a field and a value), ``failing`` a precondition and
    a way it fails."""
    if variant in SHARED and failing is None:
        return _shared_run(act, variant, twin)
    return _run(act, variant, twin, failing)


def aimed_at(spec: ActionSpec, observer: int) -> bool:
    return not spec.targeted or observer == B


def claimed_intent(spec: ActionSpec, observer: int) -> float:
    """The intent the act claims toward ``observer``: its hostility toward its target (or any
    observer of a self-directed act), its third-party reading toward anyone else."""
    if aimed_at(spec, observer):
        return spec.hostility
    return spec.hostility if spec.third_party is None else spec.third_party


def assert_rate(flags: np.ndarray, expected: float, what: str) -> None:
    """The share of ``flags`` is ``expected`` within four standard errors (and one count)."""
    n = flags.size
    margin = 4 * np.sqrt(expected * (1 - expected) / n) + 1 / n
    share = flags.mean()
    assert abs(share - expected) <= margin, f"{what}: {share:.4f} vs {expected} +- {margin:.4f}"


def nonzero_sign(x: np.ndarray) -> np.ndarray:
    """The sign of a change, counting rounding-sized changes as none."""
    return np.where(np.abs(x) < 1e-12, 0.0, np.sign(x))


# --- aim and record -------------------------------------------------------------------------


@contract("targeted")
def test_an_aimed_act_is_taken_against_its_target_and_a_self_directed_one_against_nobody(act):
    outcomes = run(act, "war").outcomes
    assert (outcomes.actions[0][:, A] == CATALOG.index(act)).all()
    expected = B if SPECS[act].targeted else -1
    assert (outcomes.targets[0][:, A] == expected).all()


@contract("escalation")
def test_a_step_scores_the_escalation_of_the_acts_taken_in_it(act):
    # B waits: the step's score is A's act's plus a wait's.
    outcomes = run(act, "war").outcomes
    expected = SPECS[act].escalation + SPECS["wait"].escalation
    assert (outcomes.escalation[0] == expected).all()


# --- war, force, stakes, nuclear use, crises ------------------------------------------------


@contract("starts_war")
def test_a_war_act_starts_a_war_between_actor_and_target_in_the_step_it_is_taken(act):
    outcomes = run(act, "war").outcomes
    if not SPECS[act].starts_war:
        assert (outcomes.wars_deliberate == 0).all()
        return
    assert (outcomes.wars_deliberate == 1).all()
    assert (outcomes.first_war_step == 0).all()
    assert (outcomes.first_war_initiator == A).all() and (outcomes.first_war_target == B).all()
    assert outcomes.war_pair[:, A, B].all() and outcomes.aggressor[:, A].all()


@contract("force", applies=lambda spec: spec.starts_war or spec.force > 0)
def test_a_war_act_commits_its_share_of_the_actors_forces(act):
    # docs/model.md section 10: the initiator loses (won ? winner_loss : loser_loss) * force of
    # its forces; no deterrent, so no retaliation adds to it.
    t = run(act, "war")
    p, outcomes = t.scenario.parameters, t.outcomes
    assert (outcomes.first_war_initiator == A).all()
    won = outcomes.first_war_winner == A
    assert won.any() and not won.all()
    rate = np.where(won, p.winner_loss, p.loser_loss)
    np.testing.assert_allclose(outcomes.initiator_loss, rate * SPECS[act].force, atol=1e-12)


@contract("stakes", applies=lambda spec: spec.starts_war or spec.stakes > 0)
def test_the_winner_of_a_war_act_takes_its_stakes_of_the_losers_wealth(act):
    # Both sides lose the same share of wealth to the war's cost, so the ratio of their wealth
    # after the war gives the share s that changed hands: W_w' / W_l' = (W_w + s W_l) / (1 - s) W_l.
    war = run(act, "war").phase("resolve_wars")
    assert (war.result.started.sum(axis=(1, 2)) == 1).all()  # this war and no other
    won = war.result.initiator_won[:, A, B]
    winner, loser = np.where(won, A, B), np.where(won, B, A)
    rows = np.arange(len(won))
    x = war.before.wealth[rows, winner] / war.before.wealth[rows, loser]
    ratio = war.after.wealth[rows, winner] / war.after.wealth[rows, loser]
    np.testing.assert_allclose((ratio - x) / (1 + ratio), SPECS[act].stakes, atol=1e-12)


@contract("nuclear_use")
def test_a_nuclear_attack_counts_as_a_war_and_a_secure_second_strike_answers_it(act):
    outcomes = run(act, "war").outcomes  # no state holds a deterrent: none can retaliate
    assert (outcomes.nuclear_use == SPECS[act].nuclear_use).all()
    if not SPECS[act].nuclear_use:
        return
    assert outcomes.war_pair[:, A, B].all() and (outcomes.first_war_step == 0).all()
    # B's deterrent of 3 half-units survives a first strike with s = 3 / (3 + 1): it retaliates
    # with that chance, and each retaliation halves the attacker's forces.
    war = run(act, "retaliation").phase("resolve_wars")
    deterrent, half = war.before.deterrent[:, B], war.before.deterrent_half
    secure = deterrent / (deterrent + half)
    answered = war.result.retaliation[:, A, B]
    assert_rate(answered, float(secure.mean()), "retaliation")
    attacks = war.args[1]  # resolve_wars(w, balance, attacks, ...)
    alone = answered & ~attacks.any(axis=(1, 2))  # no war beside the attack
    assert alone.any()
    np.testing.assert_allclose(
        war.after.offense[alone, A], 0.5 * war.before.offense[alone, A], rtol=1e-12
    )


@contract("crisis")
def test_a_crisis_act_provokes_its_target_to_strike_back_at_its_stated_rate(act):
    """At the act's crisis rate where the target expects to hold its own, less in proportion
    to its odds below even (docs/model.md section 10): ``crisis * min(2 p_BA, 1)``, with the
    odds of the balance after the acts (no hubris in this world)."""
    crisis = SPECS[act].crisis
    traced = run(act, "crisis")
    outcomes = traced.outcomes
    provoked = outcomes.wars_provoked > 0
    if crisis == 0:
        assert not provoked.any()
        return
    balance = traced.phase("resolve_wars").args[0]
    odds = balance.win[:, B, A]
    assert np.ptp(odds) < 1e-12  # one world in every replicate: one expected rate
    expected = crisis * min(2.0 * float(odds[0]), 1.0)
    assert expected > 0.2 * crisis  # the target is not hopeless: the rate is measurable
    assert_rate(provoked, expected, "provoked wars")
    # The provoked war is one the target initiates against the actor.
    assert (outcomes.first_war_initiator[provoked] == B).all()
    assert (outcomes.first_war_target[provoked] == A).all()


# --- observation ----------------------------------------------------------------------------


@contract("visibility")
def test_an_act_is_seen_by_each_other_state_at_its_stated_visibility(act):
    seen = run(act, "seen").phase("observe").result.seen
    assert not seen[:, A, A].any()  # a state does not observe its own act
    others = seen[:, [B, C], A]
    visibility = SPECS[act].visibility
    if act == "wait":
        assert not others.any()  # waiting is never seen (docs/model.md section 7)
    elif visibility in (0.0, 1.0):
        assert (others == bool(visibility)).all()
    else:
        assert_rate(others, visibility, "seen without monitoring")


@contract("covert", applies=lambda spec: spec.covert or spec.visibility < 1)
def test_monitoring_reveals_a_covert_act_and_no_overt_one(act):
    # detect = v + (1 - v) m for a covert act, v for an overt one (docs/model.md section 7).
    spec = SPECS[act]
    v = spec.visibility
    expected = v + (1 - v) * MONITORING if spec.covert else v
    seen = run(act, "monitored").phase("observe").result.seen[:, [B, C], A]
    assert_rate(seen, expected, "seen under monitoring")
    if spec.covert:
        # Its twin with visibility 0 is never seen without monitoring, and seen through
        # monitoring alone at the monitoring's quality.
        hidden = ("visibility", 0.0)
        unwatched = run(act, "seen", twin=hidden).phase("observe").result.seen[:, [B, C], A]
        assert not unwatched.any()
        watched = run(act, "monitored", twin=hidden).phase("observe").result.seen[:, [B, C], A]
        assert_rate(watched, MONITORING, "seen through monitoring alone")


# --- reading intent -------------------------------------------------------------------------


@contract("hostility", "third_party")
def test_a_bayesian_observers_threat_moves_with_the_sign_of_the_intent_the_act_claims(act):
    # A scheduled act does not come from the decision model: a Bayesian observer reads its
    # intent at face value (docs/model.md section 8), with nothing structural in its threat.
    spec = SPECS[act]
    t = run(act, "seen")
    seen = t.phase("observe").result.seen
    read = t.phase("interpret")
    perceived = t.phase("read_acts").result.perceived
    for k in (B, C):
        moved = read.after.threat[:, k, A] - read.before.threat[:, k, A]
        saw = seen[:, k, A]
        assert (nonzero_sign(moved[saw]) == np.sign(claimed_intent(spec, k))).all()
        assert (nonzero_sign(moved[~saw]) == 0).all()
        # Its overall reading of the act (the attribution measure's) is the claimed intent.
        np.testing.assert_allclose(perceived[saw, k, A], claimed_intent(spec, k), atol=1e-12)
    assert act == "wait" or seen[:, [B, C], A].any()


@contract("hostility", "third_party")
def test_an_interpretive_observer_reads_the_claimed_intent_beside_the_capability_it_sees(act):
    # With charity 0.5, no sensitivity, no grievance and no noise the frame reads intent plus
    # threat_gain times the capability signal; less that, it reads the claimed intent, and where
    # the act signals no capability its threat moves with that intent's sign.
    spec = SPECS[act]
    t = run(act, "interpretive")
    reading, read = t.phase("read_acts").result, t.phase("interpret")
    gain = t.scenario.parameters.threat_gain
    for k in (B, C):
        saw = reading.seen[:, k, A]
        intent = reading.hostility[:, k, A] - gain * reading.capability[:, k, A]
        np.testing.assert_allclose(intent[saw], claimed_intent(spec, k), atol=1e-12)
        plain = saw & (reading.capability[:, k, A] == 0)
        moved = read.after.threat[:, k, A] - read.before.threat[:, k, A]
        assert (nonzero_sign(moved[plain]) == np.sign(claimed_intent(spec, k))).all()
    assert act == "wait" or reading.seen[:, [B, C], A].any()


@contract("self", "force", "target", "relation")
def test_a_structural_observer_reads_the_capability_an_act_adds_or_takes_away(act):
    # docs/model.md section 8, with the forces held before the act: what the act builds, the
    # forces it commits and, for a third party, the offense of a new ally and the forces the
    # act gives its target (defence only as far as postures cannot be told apart, held where
    # the target stands), scaled by the balance, reach and relative size, bounded by
    # capability_cap; plus, for the target, the share of its forces (and deterrent) the act
    # destroys. No agreement binds anyone here.
    spec = SPECS[act]
    t = run(act, "structural")
    p, world_before = t.scenario.parameters, t.phase("apply_actions").before
    reading = t.phase("read_acts").result
    offense, defense = world_before.offense, world_before.defense
    M = offense + defense
    own = {key: spec.self_effects.get(key, 0.0) for key in ("offense", "defense")}
    indistinct = 1 - world_before.distinguishability
    built = own["offense"] * M[:, A] + indistinct * np.maximum(own["defense"] * M[:, A], 0)
    allied = max(spec.relation.get("alliance", 0.0), 0.0) * offense[:, B] if spec.targeted else 0.0
    reach = 1 / (1 + p.default_distance)
    harmed = {key: spec.target.get(key, 0.0) for key in ("offense", "defense", "deterrent")}
    for k in (B, C):
        gained = built + spec.force * offense[:, A] + (allied if not aimed_at(spec, k) else 0.0)
        weak = 2 * M[:, A] / (M[:, A] + M[:, k])
        raw = world_before.offense_defense_balance * reach * weak * gained / M[:, k]
        if spec.targeted and k != B:
            given = (
                max(harmed["offense"], 0.0) * offense[:, B]
                + indistinct * max(harmed["defense"], 0.0) * defense[:, B]
            )
            weak_target = 2 * M[:, B] / (M[:, B] + M[:, k])
            raw = raw + world_before.offense_defense_balance * reach * weak_target * given / M[:, k]
        signal = p.capability_cap * np.tanh(raw / p.capability_cap)
        harm = 0.0
        if spec.targeted and k == B:
            lost = harmed["offense"] * offense[:, k] + harmed["defense"] * defense[:, k]
            harm = np.maximum(-lost / M[:, k] - harmed["deterrent"], 0.0)
        saw = reading.seen[:, k, A]
        expected = np.where(saw, signal + harm, 0.0)
        np.testing.assert_allclose(reading.capability[:, k, A], expected, atol=1e-12)


@contract("domain")
def test_an_observer_sensitive_to_an_acts_domain_reads_more_hostility_into_it(act):
    # The frame adds the observer's sensitivity to the act's domain, which charity 0.5 passes
    # on unchanged; a sensitivity to every other domain adds nothing. (Waiting is never seen,
    # so no observer reads its domain.)
    plain = run(act, "interpretive").phase("read_acts").result
    sensitive = run(act, "interpretive, sensitive").phase("read_acts").result
    elsewhere = run(act, "interpretive, sensitive elsewhere").phase("read_acts").result
    saw = plain.seen[:, :, A]
    assert act == "wait" or saw.any()
    np.testing.assert_allclose(
        (sensitive.hostility - plain.hostility)[:, :, A][saw], SENSITIVITY, atol=1e-12
    )
    np.testing.assert_allclose(elsewhere.hostility, plain.hostility, atol=1e-12)


@contract("costly_signal")
def test_a_costly_signal_may_weigh_more_as_evidence_than_any_other_act(act):
    # Fed a decisive likelihood ratio, every observer's weight of evidence stops at the bound:
    # max_evidence, times costly_evidence for a costly signal (docs/model.md section 8).
    t = run(act, "evidence")
    p = t.scenario.parameters
    bound = p.max_evidence * (p.costly_evidence if SPECS[act].costly_signal else 1.0)
    llr = t.phase("read_acts").result.log_likelihood_ratio[:, [B, C], A]
    np.testing.assert_allclose(llr, bound, rtol=1e-12)


@contract("cheap_talk")
def test_cheap_talk_lowers_its_targets_belief_as_far_as_it_believes_the_speaker(act):
    if not SPECS[act].cheap_talk:
        assert not run(act, "seen").phase("read_acts").result.talk.any()
        return
    # Against the act's twin without the talk: a Bayesian or interpretive target's log-odds
    # fall by talk_weight * credibility more; a structural one, and third parties, hear nothing.
    for lens, heard in (("seen", True), ("interpretive", True), ("structural", False)):
        said, unsaid = run(act, lens), run(act, lens, twin="cheap_talk")
        weight = said.scenario.parameters.talk_weight

        def moved(t: Trace, k: int) -> np.ndarray:
            read = t.phase("interpret")
            return logit(read.after.threat[:, k, A]) - logit(read.before.threat[:, k, A])

        saw = said.phase("observe").result.seen
        for k in (B, C):
            expected = -weight * CREDIBILITY if heard and k == B else 0.0
            shift = (moved(said, k) - moved(unsaid, k))[saw[:, k, A]]
            assert shift.size and np.allclose(shift, expected, atol=1e-9), (lens, k)


@contract("bogus")
def test_a_false_justification_is_marked_for_its_target_and_may_come_to_light(act):
    t = run(act, "seen")
    p = t.scenario.parameters
    seen = t.phase("observe").result.seen[:, B, A]
    marked = t.phase("interpret").after.pending_bogus
    learned = t.phase("learn")
    if not SPECS[act].bogus:
        assert not marked.any() and not learned.result.any()
        return
    # Only the target is lied to, and only an observer that reads intent keeps the mark.
    assert seen.any() and (marked[:, B, A] == seen).all()
    assert not marked[:, C, A].any()
    interpretive = run(act, "interpretive")
    marked_by_frame = interpretive.phase("interpret").after.pending_bogus[:, B, A]
    assert (marked_by_frame == interpretive.phase("observe").result.seen[:, B, A]).all()
    assert not run(act, "structural").phase("interpret").after.pending_bogus.any()
    # Each lie comes to light with chance bogus_reveal a step, its own step included; then
    # the reassurance is withdrawn and the liar's word counts for less.
    revealed = learned.result[:, B, A]
    assert_rate(revealed[marked[:, B, A]], p.bogus_reveal, "lies revealed")
    before, after = learned.before, learned.after
    kappa = before.credibility_view[:, B, A]
    np.testing.assert_allclose(
        after.credibility_view[:, B, A],
        np.where(revealed, kappa * (1 - p.credibility_loss), kappa),
        rtol=1e-12,
    )
    retracted = logit(after.belief_greedy[:, B, A]) - logit(before.belief_greedy[:, B, A])
    np.testing.assert_allclose(retracted[revealed], p.talk_weight * kappa[revealed], atol=1e-9)


@contract("discredit")
def test_an_act_that_discredits_its_actor_costs_it_credibility_with_whoever_saw_it(act):
    t = run(act, "seen")
    seen = t.phase("observe").result.seen
    learned = t.phase("learn")
    revealed = learned.result  # a revealed lie cuts credibility too (the bogus contract)
    share = SPECS[act].discredit
    for k in (B, C):
        kappa = learned.before.credibility_view[:, k, A]
        expected = np.where(seen[:, k, A], kappa * (1.0 - share), kappa)
        kept = ~revealed[:, k, A]
        np.testing.assert_allclose(
            learned.after.credibility_view[kept, k, A], expected[kept], rtol=1e-12
        )
    if share > 0:
        assert seen[:, [B, C], A].any()


@contract("on_menu")
def test_an_act_off_the_menus_is_on_none_unless_a_state_lists_it_and_may_still_be_scheduled(act):
    spec = SPECS[act]
    k = CATALOG.index(act)

    def menu(states: dict[str, dict[str, Any]] | None = None) -> np.ndarray:
        scenario = parse_scenario(world(act, states=states), "menu", CATALOG)
        return initial_world(scenario, Streams(1, range(1)), CATALOG)[0].menu[:, k]

    assert (menu() == spec.on_menu).all()
    listed = menu({"A": {"actions": [act]}})
    assert listed[A] and (listed[[B, C]] == spec.on_menu).all()
    # A timeline's act is taken whatever the menus say.
    taken = run(act, "seen").outcomes.actions[0, :, A]
    assert (taken == k).all()


@contract("accommodation")
def test_a_concession_lowers_the_receivers_view_of_the_givers_resolve_and_eases_its_frame(act):
    t = run(act, "seen")
    p = t.scenario.parameters
    reading, learned = t.phase("read_acts").result, t.phase("learn")
    concession = reading.concession[:, B, A]
    resolve = learned.before.resolve_view[:, B, A]
    np.testing.assert_allclose(
        learned.after.resolve_view[:, B, A],
        np.where(concession, resolve * (1 - p.appeasement), resolve),
        rtol=1e-12,
    )
    if not SPECS[act].accommodation:
        assert not reading.concession.any() and not reading.accommodation.any()
        return
    assert concession.any() and (concession == reading.seen[:, B, A]).all()
    assert not reading.concession[:, C, A].any()  # only the receiver is conceded to
    # Read benignly, it moves the receiver's charity toward the giver by accommodation_shift
    # more than the same act without the concession would.
    benign = reading.accommodation[:, B, A]
    assert (benign == (concession & (reading.hostility[:, B, A] < 0))).all()
    twin = run(act, "seen", twin="accommodation").phase("learn")
    charity = learned.before.frame_charity[:, B, A]
    extra = learned.after.frame_charity[:, B, A] - twin.after.frame_charity[:, B, A]
    expected = np.where(benign, p.accommodation_shift * (1 - charity), 0.0)
    np.testing.assert_allclose(extra, expected, atol=1e-12)


# --- apply: capabilities, wealth and relations ----------------------------------------------


def applied(act: str, **twin: str):
    t = run(act, "apply", **twin)
    call = t.phase("apply_actions")
    return call.before, call.after, t.scenario.parameters


def builds_forces(spec: ActionSpec) -> bool:
    return spec.self_effects.get("offense", 0) > 0 or spec.self_effects.get("defense", 0) > 0


def cut_off(spec: ActionSpec, before: SimpleNamespace) -> np.ndarray:
    """What the act's lever cuts from its target: leverage * e_BA * W_B (docs section 6)."""
    return spec.leverage * before.dependence[:, B, A] * before.wealth[:, B]


@contract("self")
def test_an_acts_self_effects_change_the_actors_forces_deterrent_and_wealth_as_documented(act):
    # docs/model.md sections 4 and 6, with M taken before the act; nothing is aimed at A.
    spec = SPECS[act]
    before, after, p = applied(act)
    own = {key: spec.self_effects.get(key, 0.0) for key in ("offense", "defense", "deterrent")}
    M = before.offense[:, A] + before.defense[:, A]
    d_defense = own["defense"] * M
    d_offense = own["offense"] * M + (1 - before.distinguishability) * np.maximum(d_defense, 0)
    d_deterrent = own["deterrent"] * before.deterrent_half
    for key, change in (
        ("offense", d_offense),
        ("defense", d_defense),
        ("deterrent", d_deterrent),
    ):
        expected = np.maximum(getattr(before, key)[:, A] + change, 0.0)
        np.testing.assert_allclose(getattr(after, key)[:, A], expected, rtol=1e-12, err_msg=key)
    burden = np.where(builds_forces(spec), M / before.wealth[:, A] / p.burden_reference, 1.0)
    spent = spec.cost * burden * before.wealth[:, A]
    lost = p.supplier_share * cut_off(spec, before)
    wealth = before.wealth[:, A] * (1 + spec.self_effects.get("wealth", 0.0)) - spent - lost
    np.testing.assert_allclose(after.wealth[:, A], np.maximum(wealth, 1e-9), rtol=1e-12)
    for key, value in spec.self_effects.items():  # each stated change, in its direction
        moved = getattr(after, key)[:, A] - getattr(before, key)[:, A]
        if key != "wealth" or spec.cost == 0:  # (a cost may offset a gain in wealth)
            assert (np.sign(moved) == np.sign(value)).all(), key


@contract("cost")
def test_an_acts_cost_is_the_stated_share_of_the_actors_wealth(act):
    # Against the twin without a cost; a force build costs more as forces outgrow wealth.
    spec = SPECS[act]
    before, after, p = applied(act)
    _, free, _ = applied(act, twin="cost")
    M = before.offense[:, A] + before.defense[:, A]
    share = spec.cost * (M / before.wealth[:, A] / p.burden_reference if builds_forces(spec) else 1)
    spent = free.wealth[:, A] - after.wealth[:, A]
    np.testing.assert_allclose(spent, share * before.wealth[:, A], rtol=1e-9, atol=1e-15)


@contract("target")
def test_an_acts_target_effects_change_the_targets_values_by_the_stated_fractions(act):
    # x_B <- x_B (1 + target_x); wealth less what a lever cuts off; the third party is untouched.
    spec = SPECS[act]
    before, after, _ = applied(act)
    for key in ("offense", "defense", "deterrent", "wealth"):
        fraction = spec.target.get(key, 0.0)
        expected = getattr(before, key)[:, B] * (1 + fraction)
        if key == "wealth":
            expected = np.maximum(expected - cut_off(spec, before), 1e-9)
        np.testing.assert_allclose(getattr(after, key)[:, B], expected, rtol=1e-12, err_msg=key)
        np.testing.assert_array_equal(getattr(after, key)[:, C], getattr(before, key)[:, C])
        if fraction:
            moved = getattr(after, key)[:, B] - getattr(before, key)[:, B]
            assert (np.sign(moved) == np.sign(fraction)).all(), key


@contract("leverage")
def test_a_lever_cuts_the_dependent_targets_wealth_and_the_suppliers_revenue_once(act):
    spec = SPECS[act]
    before, after, p = applied(act)
    dependence = before.dependence[:, B, A]
    np.testing.assert_allclose(
        after.dependence[:, B, A], dependence * (1 - spec.leverage), rtol=1e-12
    )
    if not spec.leverage:
        return
    # Against the twin without the lever: the target loses leverage * e_BA * W_B, the
    # supplier supplier_share of that.
    _, kept, _ = applied(act, twin="leverage")
    cut = cut_off(spec, before)
    assert (cut > 0).all()
    np.testing.assert_allclose(kept.wealth[:, B] - after.wealth[:, B], cut, rtol=1e-9)
    np.testing.assert_allclose(
        kept.wealth[:, A] - after.wealth[:, A], p.supplier_share * cut, rtol=1e-9
    )


MUTUAL = ("alliance", "agreement", "hotline", "prospect")


@contract("relation")
def test_an_acts_relation_effects_set_clear_or_add_to_the_stated_relation(act):
    spec = SPECS[act]
    t = run(act, "apply")
    call = t.phase("apply_actions")
    before, after, p = call.before, call.after, t.scenario.parameters
    for key in RELATIONS:
        value = spec.relation.get(key, 0.0)
        old, new = getattr(before, key), getattr(after, key)
        if key in MUTUAL and value:
            # +1 sets, -1 clears, for both sides of the pair; it was the other way before.
            assert (new[:, A, B] == (value > 0)).all() and (new[:, B, A] == (value > 0)).all()
            assert (old[:, A, B] != (value > 0)).all(), key
        elif key == "prospect" and spec.relation.get("alliance", 0) > 0:
            # A promise of membership lapses when the two become allies.
            assert old[:, A, B].all() and not new[:, A, B].any() and not new[:, B, A].any()
        elif key == "sanctions" and value:
            assert (new[:, A, B] == (value > 0)).all() and (old[:, A, B] != (value > 0)).all()
            assert (new[:, B, A] == old[:, B, A]).all()  # A's sanctions, not B's
        elif key == "monitoring" and value:
            expected = np.clip(old[:, A, B] + value, 0, 1)
            assert (expected == 1).any() and (expected < 1).any()  # both sides of the cap
            np.testing.assert_allclose(new[:, A, B], expected, rtol=1e-12)
            np.testing.assert_allclose(new[:, B, A], expected, rtol=1e-12)
        elif key == "dependence" and value:
            expected = np.clip(old[:, A, B] + value, 0, 1)  # the actor's on the target
            assert (expected == 1).any() and (expected < 1).any()  # both sides of the cap
            np.testing.assert_allclose(new[:, A, B], expected, rtol=1e-12)
            np.testing.assert_array_equal(new[:, B, A], old[:, B, A])
        elif not (key == "dependence" and spec.leverage):  # a lever moves dependence
            np.testing.assert_array_equal(new, old, err_msg=f"{key} changed")
    if spec.relation.get("agreement", 0) > 0:
        # The agreement caps each party at its forces now, plus the slack.
        M = after.offense + after.defense
        slack = 1 + p.agreement_slack
        np.testing.assert_allclose(after.cap_forces[:, A, B], M[:, A] * slack, rtol=1e-12)
        np.testing.assert_allclose(after.cap_forces[:, B, A], M[:, B] * slack, rtol=1e-12)
    if spec.relation.get("sanctions", 0):
        # Sanctions in force cut the target's growth by sanction_penalty each (growth is 0).
        economy = t.phase("advance_economy")
        sanctioners = economy.before.sanctions[:, :, B].sum(axis=1)
        np.testing.assert_allclose(
            economy.after.wealth[:, B],
            economy.before.wealth[:, B] * (1 - p.sanction_penalty * sanctioners),
            rtol=1e-12,
        )


@contract("bloc", applies=lambda spec: spec.relation.get("alliance", 0) > 0)
def test_an_alliance_made_by_a_bloc_act_extends_to_every_ally_of_the_actor(act):
    # A was allied with C before the act: a bloc act makes B C's ally too; another does not.
    before, after, _ = applied(act)
    assert before.alliance[:, A, C].all() and not before.alliance[:, B, C].any()
    assert (after.alliance[:, B, C] == SPECS[act].bloc).all()
    assert (after.alliance[:, C, B] == SPECS[act].bloc).all()


def raises_forces(spec: ActionSpec) -> bool:
    return builds_forces(spec) or spec.self_effects.get("deterrent", 0) > 0


@contract("self", "covert", applies=raises_forces)
def test_an_overt_build_past_an_agreements_caps_ends_it_and_a_covert_one_does_not(act):
    # The caps are each party's forces and deterrent when the agreement came into force, plus
    # agreement_slack (docs/model.md section 6), here none, so that any build passes them; an
    # overt act that leaves A above either ends the agreement for the pair, a covert one does
    # not.
    spec = SPECS[act]
    call = run(act, "apply, under agreement").phase("apply_actions")
    before, after = call.before, call.after
    assert before.agreement[:, A, B].all()
    M = before.offense[:, A] + before.defense[:, A]
    np.testing.assert_allclose(before.cap_forces[:, A, B], M, rtol=1e-12)
    np.testing.assert_allclose(before.cap_deterrent[:, A, B], before.deterrent[:, A], rtol=1e-12)
    over = (after.offense[:, A] + after.defense[:, A] > before.cap_forces[:, A, B]) | (
        after.deterrent[:, A] > before.cap_deterrent[:, A, B]
    )
    assert over.all()
    ends = over & (not spec.covert)
    np.testing.assert_array_equal(call.result.breached[:, A, B], ends)
    kept = spec.relation.get("agreement", 0) >= 0
    np.testing.assert_array_equal(after.agreement[:, A, B], kept & ~ends)
    np.testing.assert_array_equal(after.agreement[:, B, A], kept & ~ends)


# --- decision: preconditions and gains ------------------------------------------------------


def _others(w: WorldState, everyone: bool) -> list[int]:
    return [j for j in range(w.shape[1]) if j != A] if everyone else [B]


def _set_pair(name: str, value: bool, *, everyone: bool = False) -> Callable[[WorldState], None]:
    """Set relation ``name`` between A and B (or A and every other state), both ways."""

    def setter(w: WorldState) -> None:
        array = getattr(w, name).copy()
        for j in _others(w, everyone):
            array[:, A, j] = array[:, j, A] = value
        setattr(w, name, array)

    return setter


def _ally_with_c(w: WorldState) -> None:
    alliance = w.alliance.copy()
    alliance[:, A, C] = alliance[:, C, A] = True
    w.alliance = alliance


def _set_sanctions(value: bool, everyone: bool = False) -> Callable[[WorldState], None]:
    def setter(w: WorldState) -> None:
        sanctions = w.sanctions.copy()
        sanctions[:, A, _others(w, everyone)] = value  # A sanctions them
        w.sanctions = sanctions

    return setter


def _set_arsenal(share: float, option: bool | None = None) -> Callable[[WorldState], None]:
    """A's deterrent at ``share`` of the nuclear threshold (nuclear_threshold * h)."""

    def setter(w: WorldState) -> None:
        w.deterrent = w.deterrent.copy()
        w.deterrent[:, A] = share * DEFAULTS.nuclear_threshold * w.deterrent_half
        if option is not None:
            w.nuclear_option = w.nuclear_option.copy()
            w.nuclear_option[A] = option

    return setter


def _set_threat(share: float, *, fearing: bool, feared: bool, everyone: bool = False):
    """Threat at ``share`` of the friendly threshold: A's of the others, theirs of A, or both."""

    def setter(w: WorldState) -> None:
        threat = w.threat.copy()
        for j in _others(w, everyone):
            if fearing:
                threat[:, A, j] = share * DEFAULTS.friendly_threshold
            if feared:
                threat[:, j, A] = share * DEFAULTS.friendly_threshold
        w.threat = threat

    return setter


# Each precondition: a change to the world after which it holds for A and B, and the ways it
# can fail for A with every other state (docs/model.md section 5.5), at the documented
# thresholds: nuclear holds from an arsenal of nuclear_threshold * h; friendly while neither
# side's threat of the other reaches friendly_threshold.
HOLDS: dict[str, Callable[[WorldState], None]] = {
    "allied": _set_pair("alliance", True),
    "not_allied": _set_pair("alliance", False),
    "has_allies": _ally_with_c,
    "sanctioning": _set_sanctions(True),
    "not_sanctioning": _set_sanctions(False),
    "agreement": _set_pair("agreement", True),
    "no_agreement": _set_pair("agreement", False),
    "no_hotline": _set_pair("hotline", False),
    "nuclear": _set_arsenal(1.0),
    "nuclear_option": _set_arsenal(0.0, option=True),
    "friendly": _set_threat(0.9, fearing=True, feared=True),
}
FAILS: dict[str, dict[str, Callable[[WorldState], None]]] = {
    "allied": {"no ally": _set_pair("alliance", False, everyone=True)},
    "not_allied": {"allied with all": _set_pair("alliance", True, everyone=True)},
    "has_allies": {"no ally": _set_pair("alliance", False, everyone=True)},
    "sanctioning": {"sanctions none": _set_sanctions(False, everyone=True)},
    "not_sanctioning": {"sanctions all": _set_sanctions(True, everyone=True)},
    "agreement": {"no agreement": _set_pair("agreement", False, everyone=True)},
    "no_agreement": {"agreements with all": _set_pair("agreement", True, everyone=True)},
    "no_hotline": {"hotlines to all": _set_pair("hotline", True, everyone=True)},
    "nuclear": {"arsenal below the threshold": _set_arsenal(0.9)},
    "nuclear_option": {"no arsenal, no option": _set_arsenal(0.0, option=False)},
    "friendly": {
        "A fears all at the threshold": _set_threat(1.0, fearing=True, feared=False, everyone=True),
        "all fear A at the threshold": _set_threat(1.0, fearing=False, feared=True, everyone=True),
    },
}


def test_every_precondition_has_a_world_where_it_holds_and_one_where_it_fails():
    assert set(HOLDS) == set(REQUIREMENTS) == set(FAILS)
    assert all(FAILS.values())


CONTRACTS.append(
    Contract(
        "test_an_act_is_never_chosen_where_one_of_its_preconditions_fails",
        ("requires",),
        lambda spec: bool(spec.requires),
    )
)


@pytest.mark.parametrize(
    "act, requirement, way",
    [
        pytest.param(
            spec.id,
            q,
            way,
            id=f"{spec.id}-{q}-{way.replace(' ', '_')}",
            marks=_marks(
                "test_an_act_is_never_chosen_where_one_of_its_preconditions_fails", spec.id
            ),
        )
        for spec in CATALOG.specs
        for q in spec.requires
        for way in FAILS[q]
    ],
)
def test_an_act_is_never_chosen_where_one_of_its_preconditions_fails(act, requirement, way):
    # A may take only this act or wait, all but indifferently: where every precondition holds
    # it takes the act against B in a good share of replicates (about one in the number of
    # valid options); where one fails for every target it never takes it.
    k = CATALOG.index(act)
    aim = B if SPECS[act].targeted else -1
    allowed = run(act, "requirements").outcomes
    taken = (allowed.actions[0][:, A] == k) & (allowed.targets[0][:, A] == aim)
    assert taken.mean() > 0.15, taken.mean()
    assert (allowed.targets[0][:, A] != A).all()  # no act is aimed at its actor
    barred = run(act, "requirements", failing=(requirement, way)).outcomes
    assert not (barred.actions[0][:, A] == k).any()
    assert (barred.actions[0][:, A] == CATALOG.index("wait")).all()


@contract("gain", applies=lambda spec: spec.gain > 0)
def test_a_greedy_actor_values_an_acts_gain_as_a_share_of_the_smaller_economy(act):
    # gain_raw holds gain * min(W_B / W_A, 1) (docs/model.md section 5.2), weighted by
    # greed_weight; B's economy is half A's. The twin without the gain values it at nothing.
    def gain_utility(catalog):
        raw = world(act, 2, 2, "structural", forced=False, states={"A": {"wealth": 2.0}})
        scenario = parse_scenario(raw, raw["name"], catalog)
        w, _ = initial_world(scenario, Streams(scenario.seed, range(2)), catalog)
        p = scenario.parameters
        space = OptionSpace(catalog, 2)
        utilities, _ = option_utilities(w, military_balance(w, p), space, p)
        return utilities.gain[:, A, space.option_of(catalog.index(act), B)].astype(float), p

    with_gain, p = gain_utility(CATALOG)
    without, _ = gain_utility(twin_catalog(act, gain=0.0))
    expected = p.greed_weight * SPECS[act].gain * 0.5
    np.testing.assert_allclose(with_gain - without, expected, rtol=1e-5)


# --- coverage -------------------------------------------------------------------------------


def test_every_field_an_act_sets_has_a_contract():
    """Every act is exercised, and every field an act sets away from its default (or must set)
    is checked for that act by some contract, documentation aside."""
    covered = {
        (spec.id, name)
        for contract_ in CONTRACTS
        for spec in CATALOG.specs
        if contract_.applies(spec)
        for name in contract_.fields
    }
    exercised = {act for act, _ in covered}
    assert exercised == set(SPECS), sorted(set(SPECS) - exercised)
    uncovered = [
        (spec.id, name)
        for spec in CATALOG.specs
        for name in fields_set(spec)
        if name not in DOCUMENTATION and (spec.id, name) not in covered
    ]
    assert uncovered == [], f"act/field pairs no contract checks: {uncovered}"
    # A contract may only name real fields.
    named = {name for contract_ in CONTRACTS for name in contract_.fields} | set(DOCUMENTATION)
    assert named <= set(field_defaults()), named - set(field_defaults())
