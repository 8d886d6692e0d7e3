"""A state's decision: the options open to it, their expected utility (docs/model.md, section
5), and the choice among them with the likelihoods its observers read it by."""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate

from secdilemma.interop.mesa.acts import Act
from secdilemma.interop.mesa.reading import hubristic, underrated
from secdilemma.interop.mesa.state import StateBase

Option = tuple[Act, int | None]  # an act and its target (None for a self-directed act)


class DecidingState(StateBase):
    """A state that decides: it weighs every option open to it and picks one."""

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

    def evaluate_options(
        self, cost_factor: float = 1.0
    ) -> tuple[list[Option], list[float], list[float]]:
        """Every option open to this state, with the utility any state sees in it (``base``)
        and what greed adds per unit of greed (``gain``, already times ``greed_weight``).
        Options come in the engine's order: self-directed acts, then each aimed act at each
        target in index order. ``cost_factor`` is the state's private cost of war, a factor on
        what defeat and the fighting cost it in war utility; 1 (the mean) by default, as in
        the engine's ``option_utilities``; :meth:`decide` passes the state's own."""
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
        # The prize of conquering j, per unit of stakes, is concave in j's relative wealth:
        # territory, population and standing count beside the wealth it could extract.
        ratio = {j: states[j].wealth / Wi for j in self.reach}
        prize = {j: ratio[j] ** p.conquest_elasticity for j in self.reach}
        best_value, best = -math.inf, i
        for j in range(N):
            value = 0.0 if j == i else self.odds[j] * p.conquest_stake * prize[j]
            if value > best_value:
                best_value, best = value, j
        d_conquest = 0.0
        if best != i:
            target_def = states[best].defense_total
            denom = (beta * Oi * self.reach[best] + target_def) ** 2
            if denom > 0:
                slope = beta * self.reach[best] * target_def / denom
                d_conquest = p.conquest_stake * prize[best] * slope

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
                        act,
                        j,
                        V,
                        pi[j],
                        ratio[j],
                        prize[j],
                        doubt_j,
                        decline[j],
                        retaliates,
                        foreseen,
                        cost_factor,
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
        prize_j: float,
        doubt_j: float,
        decline_j: float,
        retaliates: float,
        foreseen: float,
        cost_factor: float,
    ) -> tuple[float, float]:
        """Expected utility of victory and defeat (Fearon 1995), and its greedy part.

        Per unit of force, what defeat and the fighting cost the state,
        ``sw (1 - p) defeat + cw war_cost intensity(p)`` at its own (hubristic) odds ``p``,
        is weighed by its private cost of war ``cost_factor``. The stakes work both ways: the
        greedy part is the prize ``stakes * prize_j`` won with chance ``p``, and any state
        counts the share ``stakes`` of its own wealth that a defeat gives up,
        ``- stakes * welfare * (1 - p)``."""
        p = self.model.p
        sw, force = p.security_weight, act.force
        win = self.odds[j]
        win_hat = hubristic(win, self.hubris, p.hubris_scale)
        without = 1.0 - (1.0 - V) / (1.0 - pi_j)  # V with j's danger gone
        relief = p.loser_loss * (V - without)
        stake = act.stakes * prize_j
        later = hubristic(max(win - decline_j, 0.0), self.hubris, p.hubris_scale)
        preventive = p.preventive_weight * max(win_hat - later, 0.0)
        need_i, need_j = self.dependence[j], self.model.states[j].dependence[self.index]
        interdependence = need_i + p.supplier_share * need_j * ratio_j
        spread = 2.0 * math.sqrt(win_hat * (1.0 - win_hat)) * doubt_j
        # A lopsided war is short and cheap for both sides: its wealth cost scales with how
        # evenly it is fought, 4 p (1 - p) (1 between equals).
        intensity = 4.0 * win_hat * (1.0 - win_hat)
        costs = sw * (1.0 - win_hat) * p.defeat_weight + p.cost_weight * p.war_cost * intensity
        utility = (
            sw * win_hat * force * relief
            - cost_factor * costs * force
            - p.cost_weight * act.cost
            - win_hat * retaliates * p.nuclear_cost
            - self.prudence * spread * sw * (force * relief + p.defeat_weight * force)
            - p.backlash_weight * self.empathy * foreseen
            - p.cost_weight * interdependence
            + sw * self.threat[j] * preventive
            - act.stakes * p.welfare_weight * (1.0 - win_hat)
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
        options, base, gain = self.evaluate_options(self.cost_factor)
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
