"""Ensemble behaviour, tested as statistical properties with fixed seeds and margins that fail
when the mechanism is removed."""

import numpy as np

from secdilemma import load_scenario, run_ensemble


def _ensemble(name, *sets, replicates=300, steps=60):
    spec = load_scenario(name, [f"replicates={replicates}", f"steps={steps}", *sets])
    return run_ensemble(spec, trajectories=False).outcomes


# Arms, words and trade only: no agreements, monitoring, hotlines or alliances.
NO_REMEDIES = (
    "[build_arms, build_offensive_forces, build_defensive_forces, alert_forces,"
    " reassurance_statement, unilateral_restraint, trade_agreement, invest_higher_education]"
)
WITHOUT_REMEDIES = [f"states.A.actions={NO_REMEDIES}", f"states.B.actions={NO_REMEDIES}"]
OFFENSE_WORLD = ["world.offense_defense_balance=3", "world.distinguishability=0"]
DEFENSE_WORLD = ["world.offense_defense_balance=0.5", "world.distinguishability=1"]


def test_offense_dominance_and_indistinguishability_drive_arming_and_spirals():
    offense = _ensemble("two-security-seekers", *OFFENSE_WORLD, *WITHOUT_REMEDIES)
    defense = _ensemble("two-security-seekers", *DEFENSE_WORLD, *WITHOUT_REMEDIES)
    arms_off = (offense.arms_end / offense.arms_start).mean()
    arms_def = (defense.arms_end / defense.arms_start).mean()
    assert arms_off > 1.5 * arms_def, (arms_off, arms_def)
    # Spiral rates: with 300 replicates the standard error is at most 0.03.
    assert offense.spiral.mean() > defense.spiral.mean() + 0.3, (
        offense.spiral.mean(),
        defense.spiral.mean(),
    )
    # And the spirals there are tragic: neither seeker ends up safer.
    assert offense.tragic_spiral.mean() > defense.tragic_spiral.mean() + 0.2


def test_remedies_turn_tragic_spirals_into_security():
    """With agreements, monitoring and alliances on the menu, the same seekers still spiral at
    first, but verified restraint lets them end up safer than they began."""
    bare = _ensemble("two-security-seekers", *OFFENSE_WORLD, *WITHOUT_REMEDIES)
    remedied = _ensemble("two-security-seekers", *OFFENSE_WORLD)
    assert remedied.tragic_spiral.mean() < bare.tragic_spiral.mean() - 0.3, (
        remedied.tragic_spiral.mean(),
        bare.tragic_spiral.mean(),
    )
    gain = lambda o: (o.security_end - o.security_start).mean()  # noqa: E731
    assert gain(remedied) > gain(bare) + 0.1, (gain(remedied), gain(bare))


def test_greedy_state_starts_more_wars_than_a_security_seeker_in_its_place():
    greedy = _ensemble("greedy-vs-security-seeker", "states.G.greed=0.9")
    seeker = _ensemble("greedy-vs-security-seeker", "states.G.greed=0")
    started_by_g = lambda o: np.mean(o.war & (o.first_war_initiator == 0))  # noqa: E731
    assert started_by_g(greedy) > started_by_g(seeker) + 0.3, (
        started_by_g(greedy),
        started_by_g(seeker),
    )


def test_a_secure_second_strike_deters_the_greedy_state():
    bare = _ensemble("greedy-vs-security-seeker")
    deterred = _ensemble("greedy-vs-security-seeker", "states.S.deterrent=5")
    assert deterred.war.mean() < bare.war.mean() - 0.3, (deterred.war.mean(), bare.war.mean())


def test_hubris_raises_war_initiation_in_a_close_contest():
    sets = ["states.G.greed=0.5", "states.S.offense=1.5", "states.S.defense=2"]
    humble = _ensemble("greedy-vs-security-seeker", *sets, "states.G.hubris=0")
    proud = _ensemble("greedy-vs-security-seeker", *sets, "states.G.hubris=2")
    assert proud.war.mean() > humble.war.mean() + 0.1, (proud.war.mean(), humble.war.mean())
