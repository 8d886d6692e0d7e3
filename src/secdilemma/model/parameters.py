"""The model's constants (a scenario's ``parameters:`` block), with their defaults and ranges.

Each field carries its meaning (``description``), what its number is measured in (``unit``) and
where its value comes from (``source``); ``parameter_table`` renders them, with the default and
the range the validator accepts, as the table of docs/model.md section 13
(``python docs/update_tables.py`` writes it there).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# A constant the calibration fitted takes its value and its source from its estimate.
from secdilemma.model.calibrated import CALIBRATED, CALIBRATION_FILE, calibrated, source_of

# Where a value comes from. A constant the calibration fitted says so (``source_of``); the others
# are the project's choices, not estimates from data, and a source named after one of these is
# the origin of the mechanism the parameter belongs to, not of its value.
UNCALIBRATED = "modelling choice (uncalibrated)"

__all__ = [
    "CALIBRATED",
    "CALIBRATION_FILE",
    "UNCALIBRATED",
    "Parameters",
    "calibrated",
    "source_of",
]


class Parameters(BaseModel):
    """Model constants; each field's description, unit and source say what it is.

    docs/model.md gives each one's role in the equations; its section 13 is generated from
    these fields by ``parameter_table``.

    >>> field = Parameters.model_fields["trust_gain"]
    >>> print(field.description)  # doctest: +NORMALIZE_WHITESPACE
    share of the gap to full trust closed per unit of friendly reading (capped at 1), and per
    step under an agreement without a report of a violation
    >>> field.default, field.json_schema_extra["unit"]
    (0.02, 'share of the gap to 1, per step')
    >>> Parameters().trust_gain
    0.02
    """

    # Every value must be finite; a field without a natural upper bound has a generous finite
    # one, so that no combination of values overflows the engine's arithmetic.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    # choice (docs/model.md 5.3)
    choice: Literal["softmax", "argmax"] = Field(
        default="softmax",
        description="choice rule: `softmax` (sampled by inverting its cumulative distribution) "
        "or `argmax` (the first best option)",
        json_schema_extra={"unit": "rule", "source": UNCALIBRATED},
    )
    temperature: float = Field(
        default=calibrated("temperature", 0.005),
        ge=1e-6,
        le=1e6,
        description="temperature of the softmax choice: utility differences are divided by it",
        json_schema_extra={"unit": "utility", "source": source_of("temperature", UNCALIBRATED)},
    )
    # decision: the value of security (5.2)
    security_weight: float = Field(
        default=calibrated("security_weight", 5.0),
        ge=0,
        le=10_000.0,
        description="weight of changes in perceived vulnerability in utility, and of the "
        "security terms of war, crises and the preventive motive",
        json_schema_extra={
            "unit": "utility per unit of security (a probability)",
            "source": source_of("security_weight", UNCALIBRATED),
        },
    )
    # structural lens (8)
    threat_gain: float = Field(
        default=1.0,
        ge=0,
        le=1000.0,
        description="structural lens: log-odds change of threat per unit of capability reading; "
        "interpretive lens: weight of the capability signal in the frame",
        json_schema_extra={
            "unit": "log-odds per unit of capability signal",
            "source": f"{UNCALIBRATED}; the structural lens after Jervis 1978",
        },
    )
    threat_decay: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="structural lens: share of the gap between threat and its baseline closed "
        "each step, before the step's signal",
        json_schema_extra={"unit": "share of the gap, per step", "source": UNCALIBRATED},
    )
    # military balance (3)
    offense_defends: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share of a state's offense counted in its own defence",
        json_schema_extra={"unit": "share of offense", "source": UNCALIBRATED},
    )
    alliance_commitment: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share of an ally's own defence, weighted by its reach to the partner, "
        "committed to the partner's defence",
        json_schema_extra={"unit": "share of the ally's own defence", "source": UNCALIBRATED},
    )
    # decision: weights of utility's terms (4, 5.2)
    cost_weight: float = Field(
        default=1.0,
        ge=0,
        le=10_000.0,
        description="weight of costs in utility: wealth spent on acts, war's wealth costs and "
        "the trade a war cuts",
        json_schema_extra={"unit": "utility per share of own wealth", "source": UNCALIBRATED},
    )
    burden_reference: float = Field(
        default=0.2,
        ge=1e-6,
        le=1e6,
        description="military burden M/W at which acts that build forces cost their listed "
        "cost (the cost scales with burden / burden_reference); also the default total burden "
        "of a COW calibration",
        json_schema_extra={"unit": "forces per unit of wealth (M/W)", "source": UNCALIBRATED},
    )
    welfare_weight: float = Field(
        default=1.0,
        ge=0,
        le=10_000.0,
        description="weight of changes in own wealth (an act's `self.wealth`, and the trade a "
        "supplier loses by cutting a buyer off) in utility",
        json_schema_extra={"unit": "utility per share of own wealth", "source": UNCALIBRATED},
    )
    backlash_weight: float = Field(
        default=calibrated("backlash_weight", 1.0),
        ge=0,
        le=10_000.0,
        description="weight of foreseen reactions: those provoked by hostility or harm and by "
        "breaking an agreement (all states), those read from everything else (times empathy), "
        "and their uncertainty (times prudence)",
        json_schema_extra={
            "unit": "utility per unit of exposure",
            "source": source_of("backlash_weight", UNCALIBRATED),
        },
    )
    hostility_cost: float = Field(
        default=0.05,
        ge=0,
        le=1000.0,
        description="goodwill lost per unit of intended hostility or harm (and of a breach), "
        "added to the target's chance of defeating the actor, so it counts whatever the "
        "target's strength",
        json_schema_extra={
            "unit": "chance of defeat added, per unit of hostility",
            "source": UNCALIBRATED,
        },
    )
    hubris_scale: float = Field(
        default=calibrated("hubris_scale", 1.0),
        ge=0,
        le=25.0,
        description="log-odds added to a state's own chance of winning (in its decisions and "
        "in the first-strike pressure of crises), and taken from the other side's resolve "
        "(retaliation, striking back), per unit of hubris; outcomes use the true odds",
        json_schema_extra={
            "unit": "log-odds per unit of hubris",
            "source": source_of(
                "hubris_scale", f"{UNCALIBRATED}; hubris as mutual optimism after Fearon 1995"
            ),
        },
    )
    defeat_weight: float = Field(
        default=calibrated("defeat_weight", 0.5),
        ge=0,
        le=10_000.0,
        description="security lost per unit of force committed to a war that is lost (war and "
        "crisis terms of utility)",
        json_schema_extra={
            "unit": "security per unit of force",
            "source": source_of("defeat_weight", UNCALIBRATED),
        },
    )
    greed_weight: float = Field(
        default=calibrated("greed_weight", 5.0),
        ge=0,
        le=10_000.0,
        description="scale of the greedy gain term: `U = base + greed * greed_weight * gain_raw`",
        json_schema_extra={
            "unit": "utility per unit of gain (share of own wealth)",
            "source": source_of(
                "greed_weight",
                f"{UNCALIBRATED}; the greedy and security-seeking types after Glaser "
                "1997, Kydd 2005",
            ),
        },
    )
    # war and nuclear use (5.2, 10)
    war_cost_dispersion: float = Field(
        default=calibrated("war_cost_dispersion", 0.5),
        ge=0,
        le=5.0,
        description="log-scale spread of each state's private cost of war, drawn per replicate: "
        "its defeat and fighting costs in war utility are multiplied by "
        "`exp(dispersion * Z)`, Z standard normal (median 1)",
        json_schema_extra={
            "unit": "log-scale standard deviation",
            "source": source_of(
                "war_cost_dispersion",
                f"{UNCALIBRATED}; private information about the costs of war after Fearon 1995",
            ),
        },
    )
    war_cost: float = Field(
        default=calibrated("war_cost", 0.1),
        ge=0,
        le=1,
        description="share of wealth each side loses per unit of force in a war between equals, "
        "times the war's intensity `4 p (1 - p)` (also in war and crisis utility)",
        json_schema_extra={
            "unit": "share of wealth per unit of force",
            "source": source_of("war_cost", UNCALIBRATED),
        },
    )
    loser_loss: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="share of its forces the loser of a war loses per unit of force; in war "
        "utility, also the share of the loser's danger a victory removes per unit of force",
        json_schema_extra={"unit": "share of forces per unit of force", "source": UNCALIBRATED},
    )
    winner_loss: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="share of its forces the winner of a war loses per unit of force",
        json_schema_extra={"unit": "share of forces per unit of force", "source": UNCALIBRATED},
    )
    nuclear_cost: float = Field(
        default=5.0,
        ge=0,
        le=10_000.0,
        description="utility cost of nuclear retaliation, times the chance that the target "
        "retaliates with its secure second strike as the actor sees it (and, for a war, the "
        "chance of defeating it)",
        json_schema_extra={"unit": "utility", "source": UNCALIBRATED},
    )
    crisis_force: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="force of a crisis-provoked or inadvertent war, and of the strike back "
        "that a crisis act's utility foresees",
        json_schema_extra={"unit": "share of forces committed", "source": UNCALIBRATED},
    )
    crisis_stakes: float = Field(
        default=calibrated("crisis_stakes", 0.1),
        ge=0,
        le=1,
        description="stakes of a crisis-provoked or inadvertent war",
        json_schema_extra={
            "unit": "share of the loser's wealth",
            "source": source_of("crisis_stakes", UNCALIBRATED),
        },
    )
    nuclear_taboo: float = Field(
        default=10.0,
        ge=0,
        le=10_000.0,
        description="fixed utility penalty on an act of nuclear use",
        json_schema_extra={
            "unit": "utility",
            "source": f"{UNCALIBRATED}; the taboo after Tannenwald 1999",
        },
    )
    # preconditions (5.5)
    nuclear_threshold: float = Field(
        default=0.25,
        ge=0,
        le=1e12,
        description="deterrent at or above which a state counts as `nuclear`",
        json_schema_extra={
            "unit": "deterrent, in units of h (`world.deterrent_half`)",
            "source": UNCALIBRATED,
        },
    )
    # economy (6)
    sanction_penalty: float = Field(
        default=0.03,
        ge=0,
        le=1.0,
        description="growth lost per step for each state sanctioning a state",
        json_schema_extra={
            "unit": "growth rate per sanctioning state, per step",
            "source": UNCALIBRATED,
        },
    )
    # the initial world (1)
    prior_greedy: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="initial belief that another state is greedy (and the initial threat), "
        "unless a scenario `beliefs:` entry gives one",
        json_schema_extra={"unit": "probability", "source": UNCALIBRATED},
    )
    default_distance: float = Field(
        default=1.0,
        ge=0,
        le=1e9,
        description="distance between states whose relation gives none (reach `1/(1+d)`: 0.5 "
        "at the default)",
        json_schema_extra={"unit": "distance", "source": UNCALIBRATED},
    )
    # learning: grievance and trust (11)
    trust_loss: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="share of trust lost per unit of hostile reading (capped at 1), and when "
        "a lie comes to light",
        json_schema_extra={"unit": "share of trust", "source": UNCALIBRATED},
    )
    trust_gain: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="share of the gap to full trust closed per unit of friendly reading "
        "(capped at 1), and per step under an agreement without a report of a violation",
        json_schema_extra={"unit": "share of the gap to 1, per step", "source": UNCALIBRATED},
    )
    grievance_decay: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="weight of the step's hostile reading (capped at 1) in grievance, an "
        "exponential moving average",
        json_schema_extra={"unit": "EMA weight per step", "source": UNCALIBRATED},
    )
    # measures: spirals (12)
    spiral_window: int = Field(
        default=10,
        ge=2,
        le=100_000,
        description="window of the spiral measure's moving averages of arming and of rising threat",
        json_schema_extra={
            "unit": "steps",
            "source": "measurement choice (uncalibrated); operationalises Jervis 1976's spiral "
            "model",
        },
    )
    spiral_min_rise: float = Field(
        default=0.2,
        ge=0,
        le=1000.0,
        description="minimum average rise of perceived threat per window for a spiral",
        json_schema_extra={
            "unit": "threat (probability) per window",
            "source": "measurement choice (uncalibrated)",
        },
    )
    # baseline policies (5.5)
    richardson_reaction: float = Field(
        default=1.0,
        ge=0,
        le=1e6,
        description="Richardson policy: reaction to the most threatening rival's military base",
        json_schema_extra={
            "unit": "dimensionless coefficient on the rival's military base",
            "source": f"{UNCALIBRATED}; the policy's rule after Richardson 1960",
        },
    )
    richardson_fatigue: float = Field(
        default=1.0,
        ge=0,
        le=1e6,
        description="Richardson policy: restraint from one's own military base",
        json_schema_extra={
            "unit": "dimensionless coefficient on own military base",
            "source": f"{UNCALIBRATED}; the policy's rule after Richardson 1960",
        },
    )
    richardson_grievance: float = Field(
        default=0.0,
        ge=-1e12,
        le=1e12,
        description="Richardson policy: constant grievance term (arm when reaction * rival - "
        "fatigue * own + grievance > 0)",
        json_schema_extra={
            "unit": "military base",
            "source": f"{UNCALIBRATED}; the policy's rule after Richardson 1960",
        },
    )
    realist_war_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="offensive-realist policy: chance of winning above which it invades the "
        "state it is likeliest to defeat",
        json_schema_extra={"unit": "probability", "source": UNCALIBRATED},
    )
    # decision: conquest (5.2)
    conquest_stake: float = Field(
        default=calibrated("conquest_stake", 0.3),
        ge=0,
        le=1,
        description="share of a target's wealth valued in the conquest term, which makes own "
        "offense worth building to a greedy state",
        json_schema_extra={
            "unit": "share of the target's wealth",
            "source": source_of("conquest_stake", UNCALIBRATED),
        },
    )
    conquest_elasticity: float = Field(
        default=calibrated("conquest_elasticity", 0.5),
        ge=0,
        le=1,
        description="elasticity of the conquest prize in the target's relative wealth: a "
        "target is worth `(W_j / W_i) ** conquest_elasticity` of the actor's wealth per unit of "
        "stakes (1: wealth alone; 0: territory valued whatever its wealth)",
        json_schema_extra={
            "unit": "elasticity",
            "source": source_of(
                "conquest_elasticity",
                f"{UNCALIBRATED}; revisionist aims beyond wealth after Schweller 1994, Glaser 2010",
            ),
        },
    )
    # preconditions (5.5)
    friendly_threshold: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="threat below which, both ways, a pair counts as `friendly`",
        json_schema_extra={"unit": "threat (probability)", "source": UNCALIBRATED},
    )
    # perception: type likelihoods and evidence (5.4, 8)
    tremble: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="tremble in the type likelihoods: the weight of a uniform choice among the "
        "valid options, so that no valid act is impossible",
        json_schema_extra={"unit": "probability", "source": UNCALIBRATED},
    )
    inference_temperature: float = Field(
        default=0.05,
        ge=1e-6,
        le=1e6,
        description="softmax temperature with which observers evaluate the type likelihoods "
        "(under `choice: softmax`)",
        json_schema_extra={"unit": "utility", "source": UNCALIBRATED},
    )
    max_evidence: float = Field(
        default=1.0,
        gt=0,
        le=1000.0,
        description="bound on the absolute log-likelihood ratio of one act: no single act is "
        "conclusive",
        json_schema_extra={"unit": "log-odds", "source": UNCALIBRATED},
    )
    frame_weight: float = Field(
        default=0.5,
        ge=0,
        le=1000.0,
        description="interpretive lens: weight of the framed hostility in the log-odds of "
        "greed; Bayesian lens: weight of an act's intent read at face value where the act did "
        "not come from the decision model (events, baseline policies)",
        json_schema_extra={"unit": "log-odds per unit of hostility", "source": UNCALIBRATED},
    )
    grievance_weight: float = Field(
        default=1.0,
        ge=0,
        le=1000.0,
        description="interpretive lens: weight of grievance in the frame",
        json_schema_extra={"unit": "hostility per unit of grievance", "source": UNCALIBRATED},
    )
    # measures: security seekers (12)
    seeker_greed: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="true greed at or below which a state counts as a security seeker (tragic "
        "spirals, accidental wars)",
        json_schema_extra={
            "unit": "greed",
            "source": "measurement choice (uncalibrated); the types after Glaser 1997",
        },
    )
    # cheap talk and lies (8, 11)
    talk_weight: float = Field(
        default=0.5,
        ge=0,
        le=1000.0,
        description="log-odds of greed that cheap talk removes per unit of the speaker's "
        "credibility with the listener (and that a revealed lie restores)",
        json_schema_extra={
            "unit": "log-odds per unit of credibility",
            "source": f"{UNCALIBRATED}; cheap talk after Kydd 2005",
        },
    )
    bogus_reveal: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="chance per step that a pending false justification comes to light",
        json_schema_extra={"unit": "probability per step", "source": UNCALIBRATED},
    )
    credibility_loss: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="share of the liar's credibility with the observer lost when a lie comes "
        "to light",
        json_schema_extra={"unit": "share of credibility", "source": UNCALIBRATED},
    )
    # learning: social learning and accommodation (11)
    charity_learning: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="share of the gap to full charity closed (and of grievance eased) after a "
        "step of mutual restraint",
        json_schema_extra={"unit": "share of the gap to 1, per step", "source": UNCALIBRATED},
    )
    accommodation_shift: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="share of the gap to full charity closed (and of grievance eased) after a "
        "concession read benignly",
        json_schema_extra={"unit": "share of the gap to 1, per concession", "source": UNCALIBRATED},
    )
    charity_risk: float = Field(
        default=4.0,
        ge=0,
        le=1000.0,
        description="risk aversion per unit of prudence of a state that chooses its charity: "
        "how far the spread of outcomes under doubt about the other's type holds its reading "
        "near the unbiased one",
        json_schema_extra={"unit": "utility per unit of variance", "source": UNCALIBRATED},
    )
    # measures: tragic spirals (12)
    security_tolerance: float = Field(
        default=0.02,
        ge=0,
        le=1000.0,
        description="gain in actual security within which a tragic spiral's states count as "
        "no safer",
        json_schema_extra={
            "unit": "security (probability)",
            "source": "measurement choice (uncalibrated); the tragic spiral after Glaser 1997",
        },
    )
    # perception: the capability signal (8)
    capability_cap: float = Field(
        default=3.0,
        gt=0,
        le=1000.0,
        description="bound on one act's structural capability signal, reached smoothly "
        "through tanh",
        json_schema_extra={"unit": "log-odds", "source": UNCALIBRATED},
    )
    # crises and inadvertent war
    alarm_threshold: float = Field(
        default=calibrated("alarm_threshold", 0.5),
        ge=0,
        le=1e6,
        description="reading of an act or incident above which it alarms the observer",
        json_schema_extra={
            "unit": "hostility reading",
            "source": source_of(
                "alarm_threshold",
                f"{UNCALIBRATED}; inadvertent escalation after Schelling 1960, Posen 1991",
            ),
        },
    )
    escalation_rate: float = Field(
        default=calibrated("escalation_rate", 1.0),
        ge=0,
        le=1e6,
        description="scale of the hazard that an alarm escalates to war: hazard = rate * alarm "
        "* first-strike pressure * threat",
        json_schema_extra={
            "unit": "hazard per step",
            "source": source_of("escalation_rate", UNCALIBRATED),
        },
    )
    incident_rate: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="chance per step of a military incident between two states at reach 1 "
        "(scaled by their reach)",
        json_schema_extra={"unit": "probability per step", "source": UNCALIBRATED},
    )
    incident_severity: float = Field(
        default=0.2,
        ge=-1,
        le=1,
        description="hostility an incident reads as, before observation noise",
        json_schema_extra={"unit": "hostility", "source": UNCALIBRATED},
    )
    hotline_effect: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="share of the escalation hazard a hotline removes",
        json_schema_extra={"unit": "share of the hazard", "source": UNCALIBRATED},
    )
    # alliances, balancing and power shifts
    ally_join: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="chance that an ally of a state attacked joins the war against the attacker",
        json_schema_extra={"unit": "probability per war", "source": UNCALIBRATED},
    )
    ally_force: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="force an ally commits when it joins a war (with no stakes)",
        json_schema_extra={"unit": "share of forces committed", "source": UNCALIBRATED},
    )
    join_stakes: float = Field(
        default=calibrated("join_stakes", 0.0),
        ge=0,
        le=1,
        description="share of its wealth that a state attacked loses to the third states that "
        "join the war on it for the spoils, split among them by their share of the attack",
        json_schema_extra={
            "unit": "share of the target's wealth",
            "source": source_of("join_stakes", UNCALIBRATED)
            + "; bandwagoning for profit after Schweller 1994",
        },
    )
    join_cost: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="cost of the act of joining a war for the spoils, as an act's catalogue "
        "cost (weighed by cost_weight)",
        json_schema_extra={
            "unit": "share of wealth",
            "source": f"{UNCALIBRATED}; the catalogue's cost of a limited war (seize_territory)",
        },
    )
    rally: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="how far third parties that saw a war of aggression move toward fearing "
        "the aggressor, and away from fearing the victim",
        json_schema_extra={
            "unit": "share of the gap (to 0 or to 1)",
            "source": f"{UNCALIBRATED}; balancing against threat after Walt 1987",
        },
    )
    foresight: int = Field(
        default=10,
        ge=0,
        le=1000,
        description="steps ahead over which a state foresees power shifts (growth, alliances, "
        "promised memberships)",
        json_schema_extra={
            "unit": "steps",
            "source": f"{UNCALIBRATED}; the preventive motive after Fearon 1995",
        },
    )
    preventive_weight: float = Field(
        default=1.0,
        ge=0,
        le=10_000.0,
        description="weight of the closing window (the foreseen decline in one's odds) in war "
        "utility",
        json_schema_extra={
            "unit": "dimensionless weight",
            "source": f"{UNCALIBRATED}; the preventive motive after Fearon 1995",
        },
    )
    # agreements and verification
    agreement_slack: float = Field(
        default=0.05,
        ge=0,
        le=1000.0,
        description="headroom of an agreement's caps: forces and deterrent at signing times "
        "`1 + agreement_slack`",
        json_schema_extra={"unit": "share of forces at signing", "source": UNCALIBRATED},
    )
    breach_hostility: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="hostility an actor expects each partner to read into an open breach of "
        "its caps (in utility, 5.2); the partner's actual reaction is the certain report of "
        "section 9",
        json_schema_extra={"unit": "hostility per partner", "source": UNCALIBRATED},
    )
    suspicion_threshold: float = Field(
        default=0.75,
        gt=0,
        le=1e6,
        description="noise in a reading above which national intelligence mistakes routine "
        "activity for a violation: false reports at `1 - Φ(threshold / σ)` per step (none "
        "when σ = 0)",
        json_schema_extra={"unit": "hostility reading (as σ)", "source": UNCALIBRATED},
    )
    monitoring_false_alarm: float = Field(
        default=0.005,
        ge=0,
        le=1,
        description="a monitoring institution's own false-alarm rate (the default of a "
        "relation's `false_alarm`)",
        json_schema_extra={"unit": "probability per step", "source": UNCALIBRATED},
    )
    violation_prior: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="chance per step that a greedy partner cheats, as observers model it",
        json_schema_extra={
            "unit": "probability per step",
            "source": f"{UNCALIBRATED}; verification and trust after Kydd 2000",
        },
    )
    violation_evidence: float = Field(
        default=1.5,
        ge=0,
        le=1000.0,
        description="log-odds a report moves a structural observer (at face value); bound on "
        "every report's and every quiet step's weight",
        json_schema_extra={"unit": "log-odds", "source": UNCALIBRATED},
    )
    violation_trust_loss: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="share of trust a report of a violation destroys",
        json_schema_extra={"unit": "share of trust", "source": UNCALIBRATED},
    )
    # reassurance, concessions and interdependence
    costly_evidence: float = Field(
        default=2.0,
        ge=1,
        le=1000.0,
        description="factor by which a costly signal's bound on evidence exceeds `max_evidence`",
        json_schema_extra={
            "unit": "multiple of `max_evidence`",
            "source": f"{UNCALIBRATED}; costly signals after Kydd 2005",
        },
    )
    appeasement: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="share of the receiver's view of the giver's resolve that a concession removes",
        json_schema_extra={
            "unit": "share of resolve, per concession",
            "source": f"{UNCALIBRATED}; the deterrence model after Jervis 1976, Fearon 1995",
        },
    )
    emboldening: float = Field(
        default=2.0,
        ge=0,
        le=1000.0,
        description="how much a lowered view of a state's resolve raises the gains of "
        "pressing it: gains times `1 + emboldening * (1 - resolve)`",
        json_schema_extra={
            "unit": "per unit of resolve lost",
            "source": f"{UNCALIBRATED}; the deterrence model after Jervis 1976, Fearon 1995",
        },
    )
    supplier_share: float = Field(
        default=0.5,
        ge=0,
        le=1000.0,
        description="share of a cut trade's value the supplier loses, relative to the "
        "dependent buyer's loss (by a cut-off and by war)",
        json_schema_extra={
            "unit": "share of the buyer's loss",
            "source": f"{UNCALIBRATED}; interdependence after Keohane & Nye 1977, Farrell & "
            "Newman 2019",
        },
    )
