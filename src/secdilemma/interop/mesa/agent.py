"""One state as a Mesa agent: its own variables, its view of each other state, and its phases
of the step (decide, act, observe, interpret, verify, learn, grow), written per agent in plain
Python. docs/model.md states each equation; the comments below say where one is subtle.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

import mesa

from secdilemma.model.actions import DOMAINS
from secdilemma.model.scenario import LENSES
from secdilemma.model.world import WorldState

if TYPE_CHECKING:
    from secdilemma.interop.mesa.acts import Act
    from secdilemma.interop.mesa.model import SecurityDilemmaModel

Option = tuple["Act", int | None]  # an act and its target (None for a self-directed act)

_EDGE = 1e-9  # probabilities are kept this far from 0 and 1 before taking log-odds


def expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def logit(p: float) -> float:
    """Log-odds of ``p``, clipped to [1e-9, 1 - 1e-9] first."""
    p = min(max(p, _EDGE), 1.0 - _EDGE)
    return math.log(p / (1.0 - p))


def charitable(evidence: float, charity: float) -> float:
    """Evidence read through charity: hostile evidence weighs min(1, (1 - c) / c), benign
    evidence min(1, c / (1 - c))."""
    c = min(max(charity, 1e-6), 1.0 - 1e-6)
    if evidence > 0:
        return min(1.0, (1.0 - c) / c) * evidence
    return min(1.0, c / (1.0 - c)) * evidence


def hubristic(win: float, hubris: float, scale: float) -> float:
    """A state's own estimate of its chance of winning, raised in log-odds by its hubris."""
    return expit(logit(win) + scale * hubris)


def underrated(chance: float, hubris: float, scale: float) -> float:
    """A hubristic state's estimate of the other side's resolve; a zero chance stays zero."""
    return expit(logit(chance) - scale * hubris) if chance > 0 else 0.0


@dataclass(slots=True)
class Reading:
    """How this observer read one other state's act this step (docs/model.md, section 8)."""

    capability: float  # structural signal, with the observation noise
    intent: float  # the act's intent toward the observer, as the actor rates it
    hostility: float  # the intent the observer reads into it (its frame, if interpretive)
    perceived: float  # its overall reading through its lens
    llr: float  # bounded log-likelihood ratio of the act, greedy against security seeker
    noise: float
    talk: bool  # cheap talk addressed to the observer
    bogus: bool
    accommodation: bool  # a concession to the observer, read benignly
    concession: bool  # a concession to the observer, however read


class StateAgent(mesa.Agent):
    """A state. Its own variables are floats; its view of each other state j, and its
    relations with j, are dicts keyed by j's index (``model.states[j]``)."""

    model: SecurityDilemmaModel

    def __init__(self, model: SecurityDilemmaModel, world: WorldState, index: int) -> None:
        super().__init__(model)
        n = index
        N = world.shape[1]
        self.index = n
        self.state_id = world.ids[n]
        for name in (
            "offense",
            "defense",
            "deterrent",
            "wealth",
            "growth",
            "greed",
            "prudence",
            "hubris",
            "charity",
            "empathy",
            "credibility",
        ):
            setattr(self, name, float(getattr(world, name)[0, n]))
        self.lens = LENSES[int(world.lens[n])]
        self.nuclear_option = bool(world.nuclear_option[n])
        self.sensitivity = {
            domain: float(weight)
            for domain, weight in zip(DOMAINS, world.sensitivity[n], strict=True)
            if weight != 0.0
        }
        self.menu = frozenset(int(k) for k in range(world.menu.shape[1]) if world.menu[n, k])

        others = [j for j in range(N) if j != n]

        def view(array) -> dict[int, float]:
            return {j: float(array[0, n, j]) for j in others}

        def related(array) -> set[int]:
            return {j for j in others if array[0, n, j]}

        self.belief_greedy = view(world.belief_greedy)
        self.threat = view(world.threat)
        self.threat_baseline = view(world.threat_baseline)
        self.grievance = view(world.grievance)
        self.trust = view(world.trust)
        self.read_hostility = view(world.read_hostility)
        self.frame_charity = view(world.frame_charity)
        self.credibility_view = view(world.credibility_view)
        self.resolve_view = view(world.resolve_view)
        self.pending_bogus = related(world.pending_bogus)  # j lied to this state, unrevealed
        self.reach = {j: float(world.reach[n, j]) for j in others}
        self.allies = related(world.alliance)
        self.agreements = related(world.agreement)
        self.hotlines = related(world.hotline)
        self.prospects = related(world.prospect)
        self.sanctioning = related(world.sanctions)  # states this one sanctions
        self.monitoring = view(world.monitoring)
        self.false_alarm = view(world.false_alarm)
        self.dependence = view(world.dependence)  # this state's dependence on j
        self.cap_forces = {j: float(world.cap_forces[0, n, j]) for j in self.agreements}
        self.cap_deterrent = {j: float(world.cap_deterrent[0, n, j]) for j in self.agreements}

        # The military balance as last measured (SecurityDilemmaModel.measure_balance).
        self.defense_total = 0.0
        self.secure = 0.0
        self.odds: dict[int, float] = {}  # chance that this state defeats j if it attacks
        self.future_allies: set[int] = set()
        self.future_defense = 0.0

        # This step's act and what follows from it.
        self.act: Act = model.wait
        self.target: int | None = None
        self.likelihood_greedy = 1.0
        self.likelihood_seeker = 1.0
        self.perceived_security = 1.0
        self.armed = 0.0
        self.offense_before = self.offense
        self.defense_before = self.defense
        self.bound: set[int] = set()  # agreement partners at the start of the step
        self.breached: set[int] = set()  # partners whose caps this state broke openly
        self.readings: dict[int, Reading] = {}  # acts of others this state saw this step
        self.strikes: set[int] = set()  # states it strikes first in a crisis this step
        self._reset_received()

    def _reset_received(self) -> None:
        self.received_offense = self.received_defense = 0.0
        self.received_deterrent = self.received_wealth = 0.0
        self.trade_cut = 0.0  # wealth lost because suppliers cut this state off
        self.revenue_lost = 0.0  # revenue lost by cutting off buyers

    # --- the balance ---------------------------------------------------------------------

    @property
    def military(self) -> float:
        return self.offense + self.defense

    def own_defense(self) -> float:
        return self.defense + self.model.p.offense_defends * self.offense

    def measure_defense(self) -> None:
        """Own defence plus the committed, reach-weighted share of the allies' own defence."""
        states = self.model.states
        allied = sum(states[j].own_defense() * states[j].reach[self.index] for j in self.allies)
        self.defense_total = self.own_defense() + self.model.p.alliance_commitment * allied
        self.secure = self.deterrent / (self.deterrent + self.model.deterrent_half)

    def measure_odds(self) -> None:
        """The chance of defeating each other state, after every state measured its defence."""
        beta = self.model.offense_defense_balance
        self.odds = {}
        for j, reach in self.reach.items():
            if j in self.allies:
                self.odds[j] = 0.0
                continue
            attack = beta * self.offense * reach
            total = attack + self.model.states[j].defense_total
            self.odds[j] = attack / total if total > 0 else 0.0

    def security(self) -> float:
        """1 - the largest chance that some state defeats this one, second strike counted."""
        i = self.index
        worst = max(other.odds[i] for other in self.model.states if other is not self)
        return 1.0 - max(worst, 0.0) * (1.0 - self.secure)

    def is_nuclear(self) -> bool:
        return self.deterrent >= self.model.p.nuclear_threshold * self.model.deterrent_half

    def foresee(self) -> None:
        """Allies once every promised member joined its promiser's bloc, and the defence this
        state will have ``foresight`` steps ahead (the preventive motive, model.md 5.2)."""
        states, p = self.model.states, self.model.p
        future = self.allies | self.prospects
        for a in self.allies:
            future |= states[a].prospects
        for a in self.prospects:
            future |= states[a].allies
        future.discard(self.index)
        self.future_allies = future
        support = sum(
            states[m].own_defense() * states[m].growth_ahead * states[m].reach[self.index]
            for m in future
        )
        self.future_defense = (
            self.own_defense() * self.growth_ahead + p.alliance_commitment * support
        )

    @property
    def growth_ahead(self) -> float:
        return (1.0 + self.growth) ** self.model.p.foresight

    # --- decide --------------------------------------------------------------------------

    def holds(self, requirement: str, j: int) -> bool:
        """Whether an act's precondition holds for this state and state j (j may be itself)."""
        i, p = self.index, self.model.p
        if requirement == "allied":
            return j in self.allies
        if requirement == "not_allied":
            return j not in self.allies
        if requirement == "has_allies":
            return bool(self.allies)
        if requirement == "sanctioning":
            return j in self.sanctioning
        if requirement == "not_sanctioning":
            return j not in self.sanctioning
        if requirement == "agreement":
            return j in self.agreements
        if requirement == "no_agreement":
            return j not in self.agreements
        if requirement == "no_hotline":
            return j not in self.hotlines
        if requirement == "nuclear":
            return self.is_nuclear()
        if requirement == "nuclear_option":
            return self.is_nuclear() or self.nuclear_option
        if requirement == "friendly":
            if j == i:
                return 0.0 < p.friendly_threshold
            theirs = self.model.states[j].threat[i]
            return self.threat[j] < p.friendly_threshold and theirs < p.friendly_threshold
        raise ValueError(f"unknown requirement {requirement!r}")

    def evaluate_options(self) -> tuple[list[Option], list[float], list[float]]:
        """Every option open to this state, with the utility any state sees in it (``base``)
        and what greed adds per unit of greed (``gain``, already times ``greed_weight``).
        Options come in the engine's order: self-directed acts, then each aimed act at each
        target in index order."""
        model, p = self.model, self.model.p
        states = model.states
        i, N = self.index, len(states)
        beta = model.offense_defense_balance
        indist = 1.0 - model.distinguishability
        h = model.deterrent_half
        Oi, Di, Xi, Wi = self.offense, self.defense, self.deterrent, self.wealth
        M = Oi + Di
        burden = M / Wi
        exposed = 1.0 - self.secure
        defense_total = self.defense_total
        sw, od, hc = p.security_weight, p.offense_defends, p.hostility_cost
        bw, cw, ww = p.backlash_weight, p.cost_weight, p.welfare_weight
        empathy, prudence = self.empathy, self.prudence

        # Perceived vulnerability V = 1 - prod_k (1 - tau_k q_k) and its slopes (5.1).
        q: dict[int, float] = {}
        tau: dict[int, float] = {}
        pi: dict[int, float] = {}
        survive = 1.0
        for k, other in enumerate(states):
            if k == i:
                continue
            q[k] = other.odds[i] * exposed
            tau[k] = 0.0 if k in self.allies else self.threat[k]
            pi[k] = min(max(tau[k] * q[k], 0.0), 1.0 - 1e-12)
            survive *= 1.0 - pi[k]
        V = 1.0 - survive
        self.perceived_security = survive
        d_defense = d_secure = 0.0
        d_offense_other: dict[int, float] = {}
        for k, other in enumerate(states):
            if k == i:
                continue
            weight = survive / (1.0 - pi[k])
            attack = beta * other.offense * other.reach[i]
            denom = (attack + defense_total) ** 2
            if denom > 0:
                d_defense -= weight * tau[k] * exposed * attack / denom
                d_offense_other[k] = (
                    weight * tau[k] * exposed * defense_total * beta * other.reach[i] / denom
                )
            else:
                d_offense_other[k] = 0.0
            d_secure -= weight * tau[k] * other.odds[i]
        slope_secure = h / (Xi + h) ** 2

        # Conquest: the slope of the best prize in own offense (ties go to the first state).
        ratio = {j: states[j].wealth / Wi for j in self.reach}
        best_value, best = -math.inf, i
        for j in range(N):
            value = 0.0 if j == i else self.odds[j] * p.conquest_stake * ratio[j]
            if value > best_value:
                best_value, best = value, j
        d_conquest = 0.0
        if best != i:
            target_def = states[best].defense_total
            denom = (beta * Oi * self.reach[best] + target_def) ** 2
            if denom > 0:
                slope = beta * self.reach[best] * target_def / denom
                d_conquest = p.conquest_stake * ratio[best] * slope

        # The reactions it foresees, each observer read through its own lens.
        exposure = exposure_intent = exposure_doubt = 0.0
        cap_reach = cap_reach_doubt = cap_reach_partner = cap_reach_doubt_partner = 0.0
        doubt: dict[int, float] = {}
        sensed: dict[str, float] = {}
        for k, other in enumerate(states):
            if k == i:
                continue
            qk = q[k]
            b = self.belief_greedy[k]
            doubt[k] = 2.0 * math.sqrt(b * (1.0 - b))
            exposure += qk
            if other.lens != "structural":
                exposure_intent += qk
            exposure_doubt += qk * doubt[k]
            Mk = other.offense + other.defense
            weak = 2.0 * M / max(M + Mk, 1e-12)
            per_unit = beta * self.reach[k] * weak / max(Mk, 1e-12)
            partner = k in self.agreements
            if other.lens == "structural":
                cap_reach += per_unit * qk
                if partner:
                    cap_reach_partner += per_unit * qk
            cap_reach_doubt += per_unit * qk * doubt[k]
            if partner:
                cap_reach_doubt_partner += per_unit * qk * doubt[k]
            if other.lens == "interpretive" and other.sensitivity:
                framed = qk * (1.0 - other.frame_charity[i])
                for domain, weight in other.sensitivity.items():
                    sensed[domain] = sensed.get(domain, 0.0) + framed * weight

        # Breaking an agreement openly costs goodwill with each partner, less with one it has
        # come to suspect (threat above its baseline).
        breach_exposure = {}
        for j in self.agreements:
            base0 = self.threat_baseline[j]
            rise = (self.threat[j] - base0) / max(1.0 - base0, 1e-12)
            breach_exposure[j] = (q[j] + hc) * (1.0 - min(max(rise, 0.0), 1.0))

        def own_deltas(act: Act) -> tuple[float, float, float]:
            dD = act.self_defense * M
            dO = act.self_offense * M + indist * max(dD, 0.0)
            return dO, dD, act.self_deterrent * h

        def broken(act: Act, dO: float, dD: float, dX: float) -> float:
            if not breach_exposure or not act.raises_forces or act.covert:
                return 0.0
            forces, deterrent = M + dO + dD, Xi + dX
            total = 0.0
            for j, weight in breach_exposure.items():
                if forces > self.cap_forces[j] or deterrent > self.cap_deterrent[j]:
                    total += weight
            return p.breach_hostility * total

        def capability_read(built: float, rest: float, overt: bool) -> tuple[float, float]:
            within = max(built, 0.0) if overt else 0.0
            read = (built + rest) * cap_reach - within * cap_reach_partner
            unsure = abs(built + rest) * cap_reach_doubt - within * cap_reach_doubt_partner
            return read, unsure

        def security_gain(dO: float, dD: float, dX: float) -> float:
            return -sw * (d_defense * (dD + od * dO) + d_secure * (slope_secure * dX))

        def valid_self(act: Act) -> bool:
            return all(any(self.holds(r, j) for j in range(N)) for r in act.requires)

        options: list[Option] = []
        base: list[float] = []
        gain: list[float] = []
        for act in model.self_acts:
            if act.index not in self.menu or not valid_self(act):
                continue
            dO, dD, dX = own_deltas(act)
            cap_read, cap_unsure = capability_read(dO, 0.0, not act.covert)
            read = act.visibility * act.hostility
            provoked = max(read, 0.0) * (exposure + hc)
            utility = (
                security_gain(dO, dD, dX)
                + ww * act.self_wealth
                - cw * act.cost_share(burden, p.burden_reference)
                - bw
                * (
                    provoked
                    + broken(act, dO, dD, dX)
                    + empathy
                    * (
                        min(read, 0.0) * exposure_intent
                        + cap_read
                        + act.visibility * sensed.get(act.domain, 0.0)
                    )
                    + prudence * (abs(read) * exposure_doubt + cap_unsure)
                )
            )
            options.append((act, None))
            base.append(utility)
            gain.append(p.greed_weight * d_conquest * dO)

        decline = self.foreseen_decline()
        for act in model.aimed_acts:
            if act.index not in self.menu:
                continue
            targets = [
                j for j in range(N) if j != i and all(self.holds(r, j) for r in act.requires)
            ]
            if not targets:
                continue
            dO, dD, dX = own_deltas(act)
            own_security = security_gain(dO, dD, dX)
            breach = broken(act, dO, dD, dX)
            cost = act.cost_share(burden, p.burden_reference)
            ally = act.forms_alliance
            vis, host, third = act.visibility, act.hostility, act.third_party
            sense = sensed.get(act.domain, 0.0)
            crisis = underrated(act.crisis, self.hubris, p.hubris_scale)
            for j in targets:
                other = states[j]
                Oj, Dj = other.offense, other.defense
                Mj = Oj + Dj
                qj, doubt_j = q[j], doubt[j]
                reads_intent = other.lens != "structural"
                ally_def = p.alliance_commitment * ally * ((Dj + od * Oj) * other.reach[i])
                damage = max(
                    -(act.target_offense * Oj + act.target_defense * Dj) / max(Mj, 1e-12)
                    - act.target_deterrent,
                    0.0,
                )
                cap_read, cap_unsure = capability_read(
                    dO, act.force * Oi + ally * Oj, not act.covert
                )
                foreseen = (
                    vis
                    * (
                        third * (exposure_intent - (qj if reads_intent else 0.0))
                        + min(host, 0.0) * (qj if reads_intent else 0.0)
                        + sense
                    )
                    + cap_read
                )
                retaliates = underrated(other.secure, self.hubris, p.hubris_scale)
                emboldened = 1.0 + p.emboldening * (1.0 - self.resolve_view[j])
                if act.starts_war:
                    utility, greedy = self._war_utility(
                        act, j, V, pi[j], ratio[j], doubt_j, decline[j], retaliates, foreseen
                    )
                    options.append((act, j))
                    base.append(utility)
                    gain.append(p.greed_weight * greedy * emboldened)
                    continue
                provoked = (vis * max(host, 0.0) + damage) * (qj + hc)
                unsure = (
                    vis * (abs(third) * exposure_doubt + abs(host - third) * qj * doubt_j)
                    + cap_unsure
                    + damage * qj * doubt_j
                )
                utility = (
                    own_security
                    - sw * d_offense_other[j] * (act.target_offense * Oj)
                    - sw * d_defense * ally_def
                    + ww * act.self_wealth
                    - cw * cost
                    - bw * (provoked + breach + empathy * foreseen + prudence * unsure)
                )
                if act.nuclear_use:
                    utility -= retaliates * p.nuclear_cost + p.nuclear_taboo
                if crisis > 0:
                    struck_back = other.odds[i]
                    utility -= (
                        crisis
                        * p.crisis_force
                        * (sw * p.defeat_weight * struck_back + cw * p.war_cost)
                    )
                seized = act.gain * min(ratio[j], 1.0)
                if act.leverage > 0:
                    # A supplier's cut-off costs it the trade; what it can extract is of the
                    # same order.
                    need = other.dependence[i]
                    utility -= ww * p.supplier_share * act.leverage * (need * ratio[j])
                    seized += act.leverage * (need * min(ratio[j], 1.0))
                options.append((act, j))
                base.append(utility)
                gain.append(p.greed_weight * (d_conquest * dO + seized) * emboldened)
        return options, base, gain

    def _war_utility(
        self,
        act: Act,
        j: int,
        V: float,
        pi_j: float,
        ratio_j: float,
        doubt_j: float,
        decline_j: float,
        retaliates: float,
        foreseen: float,
    ) -> tuple[float, float]:
        """Expected utility of victory and defeat (Fearon 1995), and its greedy part."""
        p = self.model.p
        sw, force = p.security_weight, act.force
        win = self.odds[j]
        win_hat = hubristic(win, self.hubris, p.hubris_scale)
        without = 1.0 - (1.0 - V) / (1.0 - pi_j)  # V with j's danger gone
        relief = p.loser_loss * (V - without)
        stake = act.stakes * ratio_j
        later = hubristic(max(win - decline_j, 0.0), self.hubris, p.hubris_scale)
        preventive = p.preventive_weight * max(win_hat - later, 0.0)
        need_i, need_j = self.dependence[j], self.model.states[j].dependence[self.index]
        interdependence = need_i + p.supplier_share * need_j * ratio_j
        spread = 2.0 * math.sqrt(win_hat * (1.0 - win_hat)) * doubt_j
        utility = (
            sw * win_hat * force * relief
            - sw * (1.0 - win_hat) * p.defeat_weight * force
            - p.cost_weight * (p.war_cost * force + act.cost)
            - win_hat * retaliates * p.nuclear_cost
            - self.prudence * spread * sw * (force * relief + p.defeat_weight * force)
            - p.backlash_weight * self.empathy * foreseen
            - p.cost_weight * interdependence
            + sw * self.threat[j] * preventive
        )
        greedy = win_hat * stake - self.prudence * spread * stake + preventive * stake
        return utility, greedy

    def foreseen_decline(self) -> dict[int, float]:
        """The fall in this state's chance of defeating each j that it foresees (Fearon 1995's
        closing window): j's forces grow with its economy and it joins promised alliances."""
        beta = self.model.offense_defense_balance
        attack_ahead = beta * self.offense * self.growth_ahead
        decline = {}
        for j, reach in self.reach.items():
            if j in self.future_allies:
                decline[j] = 0.0
                continue
            attack = attack_ahead * reach
            total = attack + self.model.states[j].future_defense
            later = attack / total if total > 0 else 0.0
            decline[j] = max(self.odds[j] - later, 0.0)
        return decline

    def decide(self) -> None:
        """Pick one option: a draw from the softmax over expected utility (or the argmax).
        Also keep the chance of the pick for a greedy and a security-seeking type, which
        Bayesian and interpretive observers read the act by (model.md 5.4)."""
        p = self.model.p
        options, base, gain = self.evaluate_options()
        greed = self.greed
        utility = [b + greed * g for b, g in zip(base, gain, strict=True)]
        if p.choice == "softmax":
            # The first option whose cumulative weight exceeds u times the total, as
            # random.choices draws (and as the engine does).
            logits = [u / p.temperature for u in utility]
            top = max(logits)
            cumulative = list(accumulate(math.exp(x - top) for x in logits))
            u = self.model.uniform("choice", self.index)
            chosen = min(bisect_right(cumulative, u * cumulative[-1]), len(options) - 1)
        else:
            chosen = max(range(len(utility)), key=utility.__getitem__)
        self.act, self.target = options[chosen]
        greedy = [b + g for b, g in zip(base, gain, strict=True)]
        self.likelihood_greedy = self._choice_probability(greedy, chosen)
        self.likelihood_seeker = self._choice_probability(base, chosen)

    def _choice_probability(self, utility: list[float], chosen: int) -> float:
        p = self.model.p
        if p.choice == "softmax":
            # Observers do not know the actor's payoffs exactly: they read its choice through
            # a softer softmax than the one it uses.
            logits = [u / p.inference_temperature for u in utility]
            top = max(logits)
            log_z = top + math.log(sum(math.exp(x - top) for x in logits))
            core = math.exp(logits[chosen] - log_z)
        else:
            core = 1.0 if max(range(len(utility)), key=utility.__getitem__) == chosen else 0.0
        return (1.0 - p.tremble) * core + p.tremble / max(len(utility), 1)

    # --- act -----------------------------------------------------------------------------

    def prepare_act(self) -> None:
        """Work out the own change of this state's act and pass its effects to the target;
        nothing changes until every state has prepared (the moves are simultaneous)."""
        model, p, act = self.model, self.model.p, self.act
        self.offense_before, self.defense_before = self.offense, self.defense
        self.bound = set(self.agreements)
        M = self.military
        dD = act.self_defense * M
        # Where postures cannot be told apart, new "defensive" forces can attack too.
        dO = act.self_offense * M + (1.0 - model.distinguishability) * max(dD, 0.0)
        self._own_change = (dO, dD)
        self.armed = dO + dD
        self._spent = act.cost_share(M / self.wealth, p.burden_reference) * self.wealth
        if self.target is None:
            return
        target = model.states[self.target]
        target.received_offense += act.target_offense
        target.received_defense += act.target_defense
        target.received_deterrent += act.target_deterrent
        target.received_wealth += act.target_wealth
        if act.leverage > 0:
            lost = act.leverage * target.dependence[self.index] * target.wealth
            target.trade_cut += lost
            self.revenue_lost += p.supplier_share * lost

    def apply_act(self) -> None:
        dO, dD = self._own_change
        act, h = self.act, self.model.deterrent_half
        self.offense = max((self.offense + dO) * (1.0 + self.received_offense), 0.0)
        self.defense = max((self.defense + dD) * (1.0 + self.received_defense), 0.0)
        self.deterrent = max(
            (self.deterrent + act.self_deterrent * h) * (1.0 + self.received_deterrent), 0.0
        )
        wealth = (self.wealth * (1.0 + act.self_wealth) - self._spent - self.revenue_lost) * (
            1.0 + self.received_wealth
        )
        self.wealth = max(wealth - self.trade_cut, 1e-9)
        self._reset_received()

    def intent_toward(self, j: int) -> float:
        """The intent of this state's act toward j, as it rates the act itself."""
        if self.target is None or self.target == j:
            return self.act.hostility
        return self.act.third_party

    # --- observe and interpret -----------------------------------------------------------

    def observe(self) -> None:
        """See (or miss) each other state's act and read it through this state's lens."""
        model, p = self.model, self.model.p
        k = self.index
        sigma = model.observation_noise
        beta = model.offense_defense_balance
        indist = 1.0 - model.distinguishability
        Mk = self.offense_before + self.defense_before
        self.readings = {}
        for actor in model.states:
            i = actor.index
            act = actor.act
            if i == k or act is model.wait:
                continue
            m = self.monitoring[i]
            detect = act.visibility
            if act.covert:  # monitoring detects covert acts one would otherwise miss
                detect = act.visibility + (1.0 - act.visibility) * m
            if not model.uniform("observe", k, i) < detect:
                continue
            scale = sigma * (1.0 - m)
            noise = scale * model.normal("noise", k, i) if scale > 0 else 0.0
            addressed = actor.target == k
            intent = act.hostility if addressed or actor.target is None else act.third_party

            # The structural signal, from the forces held before the acts.
            Mi = actor.offense_before + actor.defense_before
            built = act.self_offense * Mi + indist * max(act.self_defense * Mi, 0.0)
            if i in self.agreements and not act.covert:
                # An open build under an agreement stays within caps both accepted.
                built = min(built, 0.0)
            gained = built + act.force * actor.offense_before
            if actor.target is not None and not addressed:
                # An alliance adds the partner's offense (read by third parties).
                gained += act.forms_alliance * model.states[actor.target].offense_before
            weak = 2.0 * Mi / max(Mi + Mk, 1e-12)
            signal = beta * actor.reach[k] * weak * gained / max(Mk, 1e-12)
            capability = p.capability_cap * math.tanh(signal / p.capability_cap)
            if addressed:
                harm = -(
                    act.target_offense * self.offense_before
                    + act.target_defense * self.defense_before
                ) / max(Mk, 1e-12)
                capability += max(harm - act.target_deterrent, 0.0)

            observed = intent + noise
            if self.lens == "interpretive":
                framed = (
                    intent
                    + self.sensitivity.get(act.domain, 0.0)
                    + p.grievance_weight * self.grievance[i]
                    + p.threat_gain * capability
                )
                hostility = charitable(framed, self.frame_charity[i]) + noise
            else:
                hostility = observed
            # A structural observer assumes the worst: capability counts as hostile intent.
            perceived = observed + capability if self.lens == "structural" else hostility
            bound = p.max_evidence * (p.costly_evidence if act.costly_signal else 1.0)
            llr = math.log(actor.likelihood_greedy) - math.log(actor.likelihood_seeker)
            self.readings[i] = Reading(
                capability=capability + noise,
                intent=intent,
                hostility=hostility,
                perceived=perceived,
                llr=min(max(llr, -bound), bound),
                noise=noise,
                talk=addressed and act.cheap_talk,
                bogus=addressed and act.bogus,
                accommodation=addressed and act.accommodation and hostility < 0,
                concession=addressed and act.accommodation,
            )

    def interpret(self) -> None:
        """Move threat (structural lens) or belief and threat (Bayesian, interpretive)."""
        p = self.model.p
        for j in self.threat:
            reading = self.readings.get(j)
            if self.lens == "structural":
                # Threat relaxes toward its baseline and moves with capability in log-odds.
                relaxed = self.threat[j] + p.threat_decay * (
                    self.threat_baseline[j] - self.threat[j]
                )
                signal = reading.capability if reading else 0.0
                self.threat[j] = expit(logit(relaxed) + p.threat_gain * signal)
            else:
                evidence = 0.0
                if reading is not None:
                    if self.lens == "interpretive":
                        evidence = (
                            charitable(reading.llr, self.frame_charity[j])
                            + p.frame_weight * reading.hostility
                        )
                    else:
                        evidence = reading.llr + reading.noise
                    if reading.talk:  # words count as far as the speaker is believed
                        evidence -= p.talk_weight * self.credibility_view[j]
                    if reading.bogus:
                        self.pending_bogus.add(j)
                # Seen or not, each belief is re-read from its clipped log-odds every step (as
                # in the engine), so one that fell below 1e-9 comes back to it.
                self.belief_greedy[j] = expit(logit(self.belief_greedy[j]) + evidence)
                self.threat[j] = self.belief_greedy[j]
            self.read_hostility[j] = reading.hostility if reading else 0.0

    def verify(self) -> None:
        """Each partner bound by an agreement at the start of the step is reported on; update
        on the report, or on the quiet (model.md section 9)."""
        model, p = self.model, self.model.p
        k = self.index
        for i in sorted(self.bound):
            actor = model.states[i]
            covert = actor.target == k and actor.act.covert and actor.act.raises_forces
            breached = k in actor.breached
            violated = covert or breached
            detected = (covert and i in self.readings) or breached
            m = self.monitoring[i]
            false_rate = (1.0 - m) * model.national_false_rate + m * self.false_alarm[i]
            false_report = not violated and model.uniform("verify", k, i) < false_rate
            reported = detected or false_report
            model.count("violations", violated)
            model.count("violations_detected", detected)
            model.count("verification_false_alarms", false_report)

            g = p.violation_prior
            d = model.secret_visibility + (1.0 - model.secret_visibility) * m
            f = min(max(false_rate, 1e-9), 1.0 - 1e-9)
            if reported:
                if self.lens == "bayesian":
                    evidence = math.log((g * d + (1.0 - g) * f) / f)
                elif self.lens == "interpretive":
                    evidence = charitable(p.violation_evidence, self.frame_charity[i])
                else:  # the structural observer assumes the worst
                    evidence = p.violation_evidence
            else:
                evidence = math.log(max(1.0 - g * d - (1.0 - g) * f, 1e-12) / (1.0 - f))
            evidence = min(max(evidence, -p.violation_evidence), p.violation_evidence)
            if self.lens != "structural":
                self.belief_greedy[i] = expit(logit(self.belief_greedy[i]) + evidence)
            self.threat[i] = expit(logit(self.threat[i]) + evidence)
            trust = self.trust[i]
            if reported:
                self.trust[i] = min(max(trust - p.violation_trust_loss * trust, 0.0), 1.0)
            else:
                self.trust[i] = min(max(trust + p.trust_gain * (1.0 - trust), 0.0), 1.0)

    # --- crises --------------------------------------------------------------------------

    def assess_crisis(self, incident_reads: dict[tuple[int, int], float]) -> None:
        """Strike first at a state whose act (or a military incident) alarmed this one, with a
        hazard from the alarm, the reciprocal fear of surprise attack, fear of the other and
        the hotline between them (model.md section 10)."""
        model, p = self.model, self.model.p
        k = self.index
        self.strikes = set()
        for i, other in enumerate(model.states):
            if i == k or i in self.allies:
                continue
            read = -math.inf
            reading = self.readings.get(i)
            if reading is not None:
                read = reading.perceived
            incident = incident_reads.get((k, i))
            if incident is not None:
                read = max(read, incident)
            alarm = max(read - p.alarm_threshold, 0.0)
            if alarm <= 0:
                continue
            first = hubristic(self.odds[i], self.hubris, p.hubris_scale)
            pressure = math.sqrt(first * other.odds[k]) * (1.0 - self.secure) * (1.0 - other.secure)
            calm = 1.0 - p.hotline_effect * (i in self.hotlines)
            hazard = p.escalation_rate * alarm * pressure * self.threat[i] * calm
            chance = -math.expm1(-hazard)
            if chance > 0 and model.uniform("escalate", k, i) < chance:
                self.strikes.add(i)

    # --- learn and grow ------------------------------------------------------------------

    def learn(self) -> None:
        """Grievance, trust, charity and resolve move with this step's readings; a pending
        lie may come to light (model.md section 11)."""
        model, p = self.model, self.model.p
        i = self.index
        restrained = self.armed <= 0
        for j in self.threat:
            hostile = min(max(self.read_hostility[j], 0.0), 1.0)
            friendly = min(max(-self.read_hostility[j], 0.0), 1.0)
            self.grievance[j] = (1.0 - p.grievance_decay) * self.grievance[j] + (
                p.grievance_decay * hostile
            )
            trust = self.trust[j]
            trust = trust - p.trust_loss * hostile * trust + p.trust_gain * friendly * (1.0 - trust)
            self.trust[j] = min(max(trust, 0.0), 1.0)

            other = model.states[j]
            mutual = (
                restrained
                and self.intent_toward(j) <= 0
                and other.armed <= 0
                and other.intent_toward(i) <= 0
            )
            reading = self.readings.get(j)
            accommodated = reading is not None and reading.accommodation
            shift = min(
                max(p.charity_learning * mutual + p.accommodation_shift * accommodated, 0.0), 1.0
            )
            self.frame_charity[j] += shift * (1.0 - self.frame_charity[j])
            self.grievance[j] *= 1.0 - shift
            if reading is not None and reading.concession:
                # What a greedy receiver turns into a reason to press further.
                self.resolve_view[j] *= 1.0 - p.appeasement

            if j in self.pending_bogus and model.uniform("reveal", i, j) < p.bogus_reveal:
                # The lie's reassurance is withdrawn; the liar's word counts for less.
                belief = expit(
                    logit(self.belief_greedy[j]) + p.talk_weight * self.credibility_view[j]
                )
                self.belief_greedy[j] = self.threat[j] = belief
                self.credibility_view[j] *= 1.0 - p.credibility_loss
                self.trust[j] *= 1.0 - p.trust_loss
                self.pending_bogus.discard(j)
                model.count("lies_revealed", True)

    def grow(self) -> None:
        """Growth less the drag of sanctions; forces wear out."""
        model, p = self.model, self.model.p
        sanctioned_by = sum(1 for other in model.states if self.index in other.sanctioning)
        self.wealth = max(
            self.wealth * (1.0 + self.growth - p.sanction_penalty * sanctioned_by), 1e-9
        )
        keep = 1.0 - model.depreciation
        self.offense *= keep
        self.defense *= keep
