"""One state as a Mesa agent: its own variables, its view of each other state, and its phases
of the step (decide, act, observe, interpret, verify, learn, grow), written per agent in plain
Python. docs/model.md states each equation; the comments below say where one is subtle.

The variables and the balance are in :mod:`.state`, the decision in :mod:`.decision`, the
scalar helpers and :class:`Reading` in :mod:`.reading`; :class:`StateAgent` composes them.
"""

from __future__ import annotations

import math

from secdilemma.interop.mesa.decision import DecidingState
from secdilemma.interop.mesa.reading import Reading, charitable, expit, hubristic, logit

__all__ = ["Reading", "StateAgent"]


class StateAgent(DecidingState):
    """A state. Its own variables are floats; its view of each other state j, and its
    relations with j, are dicts keyed by j's index (``model.states[j]``)."""

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
            if actor.target is not None and not addressed:
                # Forces given to the target, read by third parties where the target stands.
                recipient = model.states[actor.target]
                given = (
                    max(act.target_offense, 0.0) * recipient.offense_before
                    + indist * max(act.target_defense, 0.0) * recipient.defense_before
                )
                if given > 0.0:
                    Mt = recipient.offense_before + recipient.defense_before
                    weak_t = 2.0 * Mt / max(Mt + Mk, 1e-12)
                    signal += beta * recipient.reach[k] * weak_t * given / max(Mk, 1e-12)
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
        the hotline between them (model.md section 10). The fear of surprise attack is
        ``min(p_ki, p_ik) (1 - s_k)(1 - s_i)``: the smaller of this state's (hubristic) odds
        striking first and the other's striking first, where neither's retaliation would
        survive a first strike."""
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
            pressure = min(first, other.odds[k]) * (1.0 - self.secure) * (1.0 - other.secure)
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
