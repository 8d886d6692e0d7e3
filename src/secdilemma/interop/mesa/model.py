"""The world as a Mesa model: one :class:`StateAgent` per state, and the step pipeline in the
engine's order (decide, act, observe, interpret, verify, conflict, learn, grow, record)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from secdilemma.errors import InputError
from secdilemma.interop.mesa.acts import Act, acts_of
from secdilemma.interop.mesa.agent import StateAgent
from secdilemma.interop.mesa.reading import hubristic
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Scenario, load_scenario
from secdilemma.model.world import initial_world
from secdilemma.numerics.rng import Stream, Streams

_WORLD = (
    "offense_defense_balance",
    "distinguishability",
    "observation_noise",
    "depreciation",
    "deterrent_half",
)
_SYMMETRIC = {"alliance": "allies", "agreement": "agreements", "hotline": "hotlines"}


def check_supported(scenario: Scenario, source: str | None = None) -> None:
    """Raise :class:`InputError` for a scenario feature the Mesa model does not implement."""
    source = source or scenario.name
    if scenario.events:
        raise InputError(
            source, "events", len(scenario.events), "scheduled events are not in the Mesa model"
        )
    chooser = next((s.id for s in scenario.states if s.charity_choice is not None), None)
    if chooser is not None:
        raise InputError(
            source,
            f"states.{chooser}.charity_choice",
            "set",
            "chosen charity is not in the Mesa model",
        )
    if scenario.world_changes:
        raise InputError(
            source,
            "world_changes",
            len(scenario.world_changes),
            "changes of the world's conditions are not in the Mesa model",
        )
    if scenario.parameters.join_stakes > 0 and len(scenario.states) > 2:
        raise InputError(
            source,
            "parameters.join_stakes",
            scenario.parameters.join_stakes,
            "joining wars for the spoils is not in the Mesa model: set it to 0 "
            "(interop.mesa.within_scope) to compare the two",
        )
    for n, state in enumerate(scenario.states):
        if state.policy != "expected_utility":
            raise InputError(
                source,
                f"states[{n}].policy",
                state.policy,
                "the Mesa model implements only the expected_utility policy",
            )


def within_scope(scenario: Scenario) -> Scenario:
    """``scenario`` with the engine's mechanisms that the Mesa model does not implement turned
    off: joining wars for the spoils (``join_stakes`` 0; a world of two states has no third
    state to join, and is unchanged). Compare the engine and the Mesa model on this."""
    parameters = scenario.parameters.model_copy(update={"join_stakes": 0.0})
    return scenario.model_copy(update={"parameters": parameters})


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario object, a bundled scenario's name, or a path to a scenario file."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


class SecurityDilemmaModel(mesa.Model):
    """One replicate of a scenario. ``replicate`` picks the replicate's drawn parameters (the
    engine's draws for that replicate) and its random stream,
    ``SeedSequence(seed, spawn_key=(replicate,))``. ``seed`` and ``steps`` override the
    scenario's. With ``mesa.batch_run``, give the scenario by name or path (a ``Scenario``
    object is iterable, so batch_run would take it for a list of values)."""

    agent_class: type[StateAgent] = StateAgent

    def __init__(
        self,
        scenario: Scenario | str | Path = "two-security-seekers",
        replicate: int = 0,
        seed: int | None = None,
        steps: int | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        spec = as_scenario(scenario)
        update: dict[str, Any] = {}
        if seed is not None:
            update["seed"] = int(seed)
        if steps is not None:
            update["steps"] = int(steps)
        if update:
            spec = spec.model_copy(update=update)
        check_supported(spec)
        stream = np.random.SeedSequence(spec.seed, spawn_key=(int(replicate),))
        super().__init__(rng=np.random.default_rng(stream))
        self.scenario = spec
        self.replicate = int(replicate)
        self.p = spec.parameters
        self.catalog = catalog or spec.action_catalog()
        self.acts: list[Act] = acts_of(self.catalog)
        self.self_acts = [a for a in self.acts if not a.targeted]
        self.aimed_acts = [a for a in self.acts if a.targeted]
        self.wait = self.acts[self.catalog.index("wait")]
        # Verification's chance of catching a secret build by national means alone.
        secret = [a.visibility for a in self.acts if a.covert and a.raises_forces]
        self.secret_visibility = min(secret) if secret else 0.0

        # The engine's initial world for this one replicate: both start from the same draws.
        streams = Streams(spec.seed, range(self.replicate, self.replicate + 1))
        world, self.drawn = initial_world(spec, streams, self.catalog)
        for name in _WORLD:
            setattr(self, name, float(getattr(world, name)[0]))
        sigma = self.observation_noise
        # How often noisy national intelligence mistakes routine activity for cheating.
        self.national_false_rate = (
            0.5 * math.erfc(self.p.suspicion_threshold / sigma / math.sqrt(2.0))
            if sigma > 0
            else 0.0
        )
        self.states = [self.agent_class(self, world, n) for n in range(len(spec.states))]
        for s, factor in zip(self.states, self.private_costs(streams), strict=True):
            s.cost_factor = factor
        index = {sid: n for n, sid in enumerate(spec.ids)}
        self.facts = [
            (index[f.actor], index.get(f.target, -1), f.from_step, f.by_step) for f in spec.record
        ]

        self.measure_balance()
        self.security_start = [s.security() for s in self.states]
        self.arms_start = [s.military for s in self.states]
        self.wealth_start = [s.wealth for s in self.states]
        self.t = -1
        self.war = False  # a war (or nuclear attack) began this step
        self.spiral = False  # some pair is in a spiral this step
        self.spiralled: set[tuple[int, int]] = set()  # pairs that spiralled at some step
        self.wars: Counter[str] = Counter()  # wars begun by cause, over the run
        self.counts: Counter[str] = Counter()  # incidents, violations, lies revealed, ...
        self.acts_taken: Counter[str] = Counter()
        self.escalation_total = 0.0
        self.nuclear_used = False
        self.record_reproduced = [False] * len(self.facts)
        self._alpha = 2.0 / (self.p.spiral_window + 1.0)
        self._arm_ema = [0.0] * len(self.states)
        self._rise_ema = {(s.index, j): 0.0 for s in self.states for j in s.threat}
        self._previous_threat = {(s.index, j): t for s in self.states for j, t in s.threat.items()}
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "war": "war",
                "spiral": "spiral",
                "mean_threat": "mean_threat",
                "arms": "arms",
            },
            agent_reporters={"offense": "offense", "defense": "defense", "wealth": "wealth"},
        )
        self.datacollector.collect(self)

    def private_costs(self, streams: Streams) -> list[float]:
        """Each state's private cost of war, ``exp(sigma Z)`` (median 1) with
        ``sigma = war_cost_dispersion``: what a war costs it, in ways others cannot see
        (Fearon 1995). Z is drawn once per replicate, like the drawn parameters, so it is the
        engine's draw for this replicate (``Stream.PRIVATE_COST`` at step 0); with no
        dispersion every state bears the median cost and nothing is drawn."""
        sigma = self.p.war_cost_dispersion
        if sigma == 0.0:
            return [1.0] * len(self.states)
        z = streams.normal(Stream.PRIVATE_COST, 0, (len(self.states),))[0]
        return [math.exp(sigma * float(x)) for x in z]

    # --- random draws ---------------------------------------------------------------------
    # Every draw of the dynamics goes through these two methods, named by its purpose and the
    # state (or pair of states) it concerns, so that a test can replay another generator's
    # draws. (The drawn parameters and private costs of war are the engine's, drawn once.)

    def uniform(self, purpose: str, *where: int) -> float:
        return self.random.random()

    def normal(self, purpose: str, *where: int) -> float:
        return self.random.gauss(0.0, 1.0)

    def count(self, name: str, happened: bool) -> None:
        if happened:
            self.counts[name] += 1

    # --- reporters -------------------------------------------------------------------------

    @property
    def mean_threat(self) -> float:
        values = [t for s in self.states for t in s.threat.values()]
        return sum(values) / len(values)

    @property
    def arms(self) -> float:
        """Total military base, offense plus defense of every state."""
        return sum(s.military for s in self.states)

    # --- the step --------------------------------------------------------------------------

    def measure_balance(self) -> None:
        self.agents.do("measure_defense")
        self.agents.do("measure_odds")

    def step(self) -> None:
        self.t = self.steps - 1
        self.measure_balance()
        self.agents.do("foresee")
        # Simultaneous moves: every state decides on the same world before any act applies.
        self.agents.shuffle_do("decide")
        self.agents.do("prepare_act")
        self.agents.do("apply_act")
        self.update_relations()
        self.agents.shuffle_do("observe")
        self.agents.do("interpret")
        self.agents.shuffle_do("verify")
        self.measure_balance()
        self.conflict()
        self.agents.shuffle_do("learn")
        self.agents.do("grow")
        self.measure_balance()
        self.record()
        self.datacollector.collect(self)
        if self.steps >= self.scenario.steps:
            self.running = False

    def update_relations(self) -> None:
        """The relation changes of this step's acts, all at once: a clearing act wins over a
        setting act on the same pair; an enlargement extends to the actor's allies; an open
        build past a cap ends the agreement; a new agreement sets caps (model.md section 6)."""
        states, p = self.states, self.p
        symmetric: dict[tuple[int, int], Counter[str]] = {}
        enlarged: list[tuple[int, int]] = []
        allied_before = [set(s.allies) for s in states]
        for actor in states:
            act, j = actor.act, actor.target
            if j is None:
                continue
            i = actor.index
            change = symmetric.setdefault((min(i, j), max(i, j)), Counter())
            for key, delta in act.relation.items():
                if key in ("sanctions", "dependence"):
                    continue
                change[key] += delta
            sanction = act.relation.get("sanctions", 0.0)
            if sanction > 0:
                actor.sanctioning.add(j)
            elif sanction < 0:
                actor.sanctioning.discard(j)
            dependence = act.relation.get("dependence", 0.0)
            if dependence:
                actor.dependence[j] = min(max(actor.dependence[j] + dependence, 0.0), 1.0)
            if act.bloc and act.relation.get("alliance", 0.0) > 0:
                enlarged.append((i, j))
        for actor in states:
            if actor.target is not None and actor.act.leverage > 0:
                # A lever pulled is spent: the buyer finds other suppliers.
                buyer = states[actor.target]
                buyer.dependence[actor.index] *= 1.0 - actor.act.leverage

        for (i, j), change in symmetric.items():
            a, b = states[i], states[j]
            for key, attribute in (*_SYMMETRIC.items(), ("prospect", "prospects")):
                delta = change.get(key, 0.0)
                if delta > 0:
                    getattr(a, attribute).add(j)
                    getattr(b, attribute).add(i)
                elif delta < 0:
                    getattr(a, attribute).discard(j)
                    getattr(b, attribute).discard(i)
            if change.get("monitoring"):
                m = min(max(a.monitoring[j] + change["monitoring"], 0.0), 1.0)
                a.monitoring[j] = b.monitoring[i] = m
        # NATO enlargement admits a state to the alliance, not to one member.
        for i, j in enlarged:
            for m in allied_before[i]:
                if m != j:
                    states[m].allies.add(j)
                    states[j].allies.add(m)
        for s in states:
            s.prospects -= s.allies  # a prospect lapses when the two become allies

        # Caps: an open build past one breaks the agreement; a new agreement sets them.
        for s in states:
            s.breached = set()
            act = s.act
            if not act.raises_forces or act.covert:
                continue
            for j in s.bound & s.agreements:
                if s.military > s.cap_forces[j] or s.deterrent > s.cap_deterrent[j]:
                    s.breached.add(j)
        for s in states:
            for j in s.breached:
                s.agreements.discard(j)
                states[j].agreements.discard(s.index)
        for s in states:
            for j in s.agreements - s.bound:
                s.cap_forces[j] = s.military * (1.0 + p.agreement_slack)
                s.cap_deterrent[j] = s.deterrent * (1.0 + p.agreement_slack)
            for j in set(s.cap_forces) - s.agreements:
                del s.cap_forces[j], s.cap_deterrent[j]

    def conflict(self) -> None:
        """Crises and wars (model.md section 10): wars of aggression, wars provoked by acts of
        force, inadvertent wars after alarms, allies joining; then their outcomes, and third
        parties balancing against an aggressor."""
        states, p = self.states, self.p
        N = len(states)
        incident_reads: dict[tuple[int, int], float] = {}
        for i in range(N):
            for j in range(i + 1, N):
                if self.uniform("incident", i, j) < p.incident_rate * states[i].reach[j]:
                    self.counts["incidents"] += 1
                    for k, o in ((i, j), (j, i)):
                        scale = self.observation_noise * (1.0 - states[k].monitoring[o])
                        noise = scale * self.normal("incident_noise", k, o) if scale > 0 else 0.0
                        incident_reads[k, o] = p.incident_severity + noise
        self.agents.shuffle_do("assess_crisis", incident_reads)

        deliberate: set[tuple[int, int]] = set()
        struck_back: set[tuple[int, int]] = set()
        nuclear: set[tuple[int, int]] = set()
        for s in states:
            if s.target is None:
                continue
            if s.act.starts_war:
                deliberate.add((s.index, s.target))
            if s.act.nuclear_use:
                nuclear.add((s.index, s.target))
            if s.act.crisis > 0:
                u = self.uniform("crisis", s.index, s.target)
                if u < self.strikes_back(s):
                    struck_back.add((s.target, s.index))  # the target strikes back
        provoked = struck_back - deliberate
        fighting = deliberate | provoked
        inadvertent = {
            (k.index, i)
            for k in states
            for i in k.strikes
            if (k.index, i) not in fighting and (i, k.index) not in fighting
        }
        started = fighting | inadvertent
        defends = {(m, i) for i, j in started for m in states[j].allies}
        joined = {
            (m, i)
            for m, i in sorted(defends)
            if m != i
            and i not in states[m].allies
            and (m, i) not in started
            and (i, m) not in started
            and self.uniform("ally", m, i) < p.ally_join
        }
        wars = started | joined
        for cause, pairs in (
            ("deliberate", deliberate),
            ("provoked", provoked),
            ("inadvertent", inadvertent),
            ("joined", joined),
        ):
            self.wars[cause] += len(pairs)

        def terms(pair: tuple[int, int]) -> tuple[float, float]:
            if pair in deliberate:
                act = states[pair[0]].act
                return act.force, act.stakes
            if pair in joined:
                return p.ally_force, 0.0
            return p.crisis_force, p.crisis_stakes

        self.resolve_wars(wars, nuclear, terms)
        self.balance_against_aggression(deliberate)
        self.war = bool(wars or nuclear)
        self.counts["wars"] += len(wars | nuclear)
        for n, (actor, target, first, last) in enumerate(self.facts):
            if first <= self.t <= last:
                waged = any(i == actor and (target < 0 or j == target) for i, j in deliberate)
                self.record_reproduced[n] = self.record_reproduced[n] or waged

    def strikes_back(self, actor: StateAgent) -> float:
        """The chance that the target of ``actor``'s act of force strikes back: the act's crisis
        rate where the target expects to hold its own, less in proportion to its (hubristic)
        odds of defeating the actor below even, ``crisis * min(2 p, 1)``: a state that cannot
        win swallows the insult (Fearon 1995). The odds are those after this step's acts."""
        target = self.states[actor.target]
        odds = hubristic(target.odds[actor.index], target.hubris, self.p.hubris_scale)
        return actor.act.crisis * min(2.0 * odds, 1.0)

    def resolve_wars(
        self,
        wars: set[tuple[int, int]],
        nuclear: set[tuple[int, int]],
        terms: Callable[[tuple[int, int]], tuple[float, float]],
    ) -> None:
        """Each war i -> j is won by i with the true chance p_ij; losses compound over a
        state's wars; a state defeated (or struck with nuclear weapons) may retaliate. Each
        side's wealth cost is ``war_cost * force * 4 p_ij (1 - p_ij)``: a lopsided war is short
        and cheap for both."""
        states, p = self.states, self.p
        N = len(states)
        wealth = [s.wealth for s in states]
        capability_keep = [1.0] * N
        wealth_keep = [1.0] * N
        catastrophe_keep = [1.0] * N
        transfer = [0.0] * N
        trade_lost = [0.0] * N
        won_pairs = set()
        for i, j in sorted(wars):
            force, stakes = terms((i, j))
            won = self.uniform("war", i, j) < states[i].odds[j]
            lost_i = (p.winner_loss if won else p.loser_loss) * force
            lost_j = (p.loser_loss if won else p.winner_loss) * force
            capability_keep[i] *= 1.0 - min(max(lost_i, 0.0), 0.999)
            capability_keep[j] *= 1.0 - min(max(lost_j, 0.0), 0.999)
            win = states[i].odds[j]
            cost = p.war_cost * force * (4.0 * win * (1.0 - win))
            wealth_keep[i] *= 1.0 - cost
            wealth_keep[j] *= 1.0 - cost
            winner, loser = (i, j) if won else (j, i)
            transfer[winner] += stakes * wealth[loser]
            transfer[loser] -= stakes * wealth[loser]
            if won:
                won_pairs.add((i, j))
        for i, j in sorted(won_pairs | nuclear):
            if self.uniform("retaliation", i, j) < states[j].secure:
                catastrophe_keep[i] *= 0.5
                self.nuclear_used = True
        if nuclear:
            self.nuclear_used = True
        # War cuts the trade between the two sides.
        fighting = {(min(i, j), max(i, j)) for i, j in wars | nuclear}
        for i, j in fighting:
            need_i, need_j = states[i].dependence[j], states[j].dependence[i]
            trade_lost[i] += need_i * wealth[i] + p.supplier_share * need_j * wealth[j]
            trade_lost[j] += need_j * wealth[j] + p.supplier_share * need_i * wealth[i]
        for n, s in enumerate(states):
            keep = capability_keep[n] * catastrophe_keep[n]
            s.offense *= keep
            s.defense *= keep
            s.wealth = max(
                (wealth[n] + transfer[n] - trade_lost[n]) * wealth_keep[n] * catastrophe_keep[n],
                1e-9,
            )

    def balance_against_aggression(self, aggression: set[tuple[int, int]]) -> None:
        """Third parties that saw a war of aggression fear the aggressor more and draw closer
        to its victim (Walt 1987)."""
        if not aggression:
            return
        states, rally = self.states, self.p.rally
        involved = aggression | {(j, i) for i, j in aggression}
        aggressors = {i for i, _ in aggression}
        closer: set[tuple[int, int]] = set()
        feared: set[tuple[int, int]] = set()
        for m in states:
            for i, j in aggression:
                if i in m.readings and m.index != j and (m.index, j) not in involved:
                    closer.add((m.index, j))
                    closer.add((j, m.index))
            for i in aggressors:
                if i in m.readings and (m.index, i) not in involved:
                    feared.add((m.index, i))
        for m, j in closer:
            s = states[m]
            s.threat[j] *= 1.0 - rally
            s.threat_baseline[j] *= 1.0 - rally
            s.belief_greedy[j] *= 1.0 - rally
            s.trust[j] += rally * (1.0 - s.trust[j])
        for m, i in feared:
            s = states[m]
            s.threat[i] += rally * (1.0 - s.threat[i])
            s.threat_baseline[i] += rally * (1.0 - s.threat_baseline[i])
            if s.lens != "structural":
                s.belief_greedy[i] += rally * (1.0 - s.belief_greedy[i])
            s.trust[i] *= 1.0 - rally

    def record(self) -> None:
        """Acts, escalation and the spiral indicator (model.md section 12)."""
        states, p = self.states, self.p
        for s in states:
            self.acts_taken[s.act.id] += 1
            self.escalation_total += s.act.escalation
        a = self._alpha
        for s in states:
            self._arm_ema[s.index] = (1 - a) * self._arm_ema[s.index] + a * (s.armed > 0)
            for j, threat in s.threat.items():
                rising = threat - self._previous_threat[s.index, j]
                self._previous_threat[s.index, j] = threat
                self._rise_ema[s.index, j] = (1 - a) * self._rise_ema[s.index, j] + a * rising
        self.spiral = False
        if self.t >= 2:
            # Bias-corrected averages, so a spiral within the first window counts.
            weight = 1.0 - (1.0 - a) ** (self.t + 1)
            rise = p.spiral_min_rise / p.spiral_window
            for (i, j), ema in self._rise_ema.items():
                if (
                    self._arm_ema[i] / weight > 0.5
                    and self._arm_ema[j] / weight > 0.5
                    and ema / weight > rise
                    and self._rise_ema[j, i] / weight > rise
                ):
                    self.spiralled.add((i, j))
                    self.spiral = True

    # --- outcomes --------------------------------------------------------------------------

    def outcomes(self) -> dict[str, Any]:
        """This replicate's outcomes, in the definitions of ``secdilemma.engine.records``."""
        p = self.p
        security_end = [s.security() for s in self.states]
        ok = [
            s.greed <= p.seeker_greed
            and security_end[n] <= self.security_start[n] + p.security_tolerance
            for n, s in enumerate(self.states)
        ]
        N = len(self.states)
        return {
            "war": self.counts["wars"] > 0,
            "n_wars": self.counts["wars"],
            "spiral": bool(self.spiralled),
            "tragic_spiral": any(ok[i] and ok[j] for i, j in self.spiralled),
            **{
                f"wars_{cause}": self.wars[cause]
                for cause in ("deliberate", "provoked", "inadvertent", "joined")
            },
            "wars_bandwagon": 0,  # joining for the spoils is refused (check_supported)
            "nuclear_use": self.nuclear_used,
            "security_start": list(self.security_start),
            "security_end": security_end,
            "arms_start": list(self.arms_start),
            "arms_end": [s.military for s in self.states],
            "wealth_start": list(self.wealth_start),
            "wealth_end": [s.wealth for s in self.states],
            "threat_end": [
                [0.0 if i == j else self.states[i].threat[j] for j in range(N)] for i in range(N)
            ],
            "belief_end": [
                [0.0 if i == j else self.states[i].belief_greedy[j] for j in range(N)]
                for i in range(N)
            ],
            "trust_end": [
                [1.0 if i == j else self.states[i].trust[j] for j in range(N)] for i in range(N)
            ],
            "escalation_mean": self.escalation_total / max(self.t + 1, 1),
            "acts": dict(self.acts_taken),
            "record_reproduced": list(self.record_reproduced),
            **{
                name: self.counts[name]
                for name in (
                    "incidents",
                    "violations",
                    "violations_detected",
                    "verification_false_alarms",
                    "lies_revealed",
                )
            },
        }
