"""The theory's claims as dose-response curves, tested as curves: rates that move smoothly and
monotonically with greed, the capability ratio, the offense-defense balance, deterrence and
hubris, checked at the calibrated estimate (quick tier) and across the spread of the
calibrated constants (slow tier, ``tests/spread.py``).

A curve is *monotone* when no step between neighbouring points goes the wrong way by more than
three standard errors of the difference (binomial, from the replicates), and *graded* when no
step between neighbouring points jumps by more than 0.5. Each test also asks for a rise (or a
fall) over the whole curve large enough that it would fail without the mechanism.
"""

import numpy as np
import pytest

from secdilemma import load_scenario, run_ensemble
from secdilemma.evidence.calibrate import GRADED_WORLD
from spread import SPREAD

REPLICATES = 200

# A strong, rich, greedy state (G) beside a weak, poorer security seeker (S): G has six times
# S's forces and five times its wealth. The calibration's graded-response constraint uses the
# same world (at 100 replicates, at the estimate only); these tests take it across the spread.
PREY = list(GRADED_WORLD)
# Arms, words and trade only: no agreements, monitoring, hotlines or alliances.
NO_REMEDIES = (
    "[build_arms, build_offensive_forces, build_defensive_forces, alert_forces,"
    " reassurance_statement, unilateral_restraint, trade_agreement, invest_higher_education]"
)
SEEKERS = [f"states.A.actions={NO_REMEDIES}", f"states.B.actions={NO_REMEDIES}"]


SPIRAL_REPLICATES = 1000


def _outcomes(name, sets, steps):
    spec = load_scenario(name, [f"replicates={REPLICATES}", f"steps={steps}", *sets])
    return run_ensemble(spec, trajectories=False).outcomes


def _started_by(o, actor):
    return float(np.mean(o.war & (o.first_war_initiator == actor)))


def _curve(name, sets, vary, values, measure, steps=20):
    return np.array([measure(_outcomes(name, [*sets, f"{vary}={v}"], steps)) for v in values])


def _se(a, b, replicates=REPLICATES):
    return 3.0 * np.sqrt((a * (1 - a) + b * (1 - b)) / replicates) + 1e-9


def assert_graded(curve, rising=True, rise=0.2, replicates=REPLICATES):
    """Monotone within noise, no jump above 0.5 between neighbours, and a rise (or fall) of at
    least ``rise`` from end to end."""
    steps = np.diff(curve)
    wrong = -steps if rising else steps
    assert np.all(wrong <= _se(curve[:-1], curve[1:], replicates)), curve
    assert np.all(np.abs(steps) <= 0.5), curve
    total = (curve[-1] - curve[0]) if rising else (curve[0] - curve[-1])
    assert total >= rise, curve


GREED = np.round(np.linspace(0, 1, 11), 1)


def _greed_curves(constants):
    sets = [*PREY, *constants]
    war = _curve("greedy-vs-security-seeker", sets, "states.G.greed", GREED, lambda o: o.war.mean())
    preyed = _curve(
        "greedy-vs-security-seeker", sets, "states.G.greed", GREED, lambda o: _started_by(o, 0)
    )
    return war, preyed


def _check_greed(constants):
    war, preyed = _greed_curves(constants)
    assert_graded(war, rising=True, rise=0.2)
    assert_graded(preyed, rising=True, rise=0.2)
    # A security seeker in the greedy state's place rarely attacks its weak neighbour.
    assert preyed[0] <= 0.15, preyed


def _check_capability_ratio(constants):
    offense = [0.75, 1.5, 3.0, 6.0]
    sets = [*PREY, "states.G.greed=0.8", *constants]
    preyed = _curve(
        "greedy-vs-security-seeker", sets, "states.G.offense", offense, lambda o: _started_by(o, 0)
    )
    assert_graded(preyed, rising=True, rise=0.15)


def _check_offense_defense(constants):
    """Spirals between two security seekers rise with the offense-defense balance. With the
    calibrated constants they are rare (a few in a hundred at the most offensive balance), so
    this curve takes a thousand replicates a point."""
    beta = np.round(np.linspace(0.5, 3.0, 11), 2)  # tenths of the range
    sets = ["world.distinguishability=0", *SEEKERS, *constants, f"replicates={SPIRAL_REPLICATES}"]
    spirals = _curve(
        "two-security-seekers",
        sets,
        "world.offense_defense_balance",
        beta,
        lambda o: o.spiral.mean(),
        steps=40,
    )
    assert_graded(spirals, rising=True, rise=0.015, replicates=SPIRAL_REPLICATES)


def _check_arming(constants):
    beta = [0.5, 1.5, 3.0]
    sets = ["world.distinguishability=0", *SEEKERS, *constants]
    growth = _curve(
        "two-security-seekers",
        sets,
        "world.offense_defense_balance",
        beta,
        lambda o: float((o.arms_end / o.arms_start).mean()),
        steps=40,
    )
    # Arms grow more where offense dominates (a ratio, not a rate: no binomial noise bound).
    assert np.all(np.diff(growth) > 0), growth
    assert growth[-1] > 1.05 * growth[0], growth


def _check_hubris(constants):
    hubris = [0.0, 0.5, 1.0, 1.5, 2.0]
    sets = ["states.G.greed=0.5", "states.S.offense=1.5", "states.S.defense=2", *constants]
    war = _curve(
        "greedy-vs-security-seeker", sets, "states.G.hubris", hubris, lambda o: o.war.mean()
    )
    assert_graded(war, rising=True, rise=0.1)


def _check_remedies(constants):
    """With agreements, monitoring and alliances on the menu, two security seekers in an
    offense-dominant world end safer, and in fewer tragic spirals, than with arms alone."""
    world = ["world.offense_defense_balance=3", "world.distinguishability=0", *constants]
    bare = _outcomes("two-security-seekers", [*world, *SEEKERS], 40)
    remedied = _outcomes("two-security-seekers", world, 40)
    gain = lambda o: float((o.security_end - o.security_start).mean())  # noqa: E731
    assert remedied.tragic_spiral.mean() <= bare.tragic_spiral.mean() - 0.1 or (
        gain(remedied) >= gain(bare) + 0.05
    ), (remedied.tragic_spiral.mean(), bare.tragic_spiral.mean(), gain(remedied), gain(bare))


def _check_deterrence(constants):
    deterrent = [0.0, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0]
    sets = [*PREY, "states.G.greed=0.7", *constants]
    preyed = _curve(
        "greedy-vs-security-seeker", sets, "states.S.deterrent", deterrent, lambda o: o.war.mean()
    )
    assert_graded(preyed, rising=False, rise=0.15)


CHECKS = {
    "arming": _check_arming,
    "hubris": _check_hubris,
    "remedies": _check_remedies,
    "greed": _check_greed,
    "capability_ratio": _check_capability_ratio,
    "offense_defense": _check_offense_defense,
    "deterrence": _check_deterrence,
}


@pytest.mark.parametrize("claim", sorted(CHECKS))
def test_claims_hold_as_curves_at_the_calibrated_estimate(claim):
    CHECKS[claim](SPREAD["estimate"])


# Where a claim fails at a corner of the spread: a finding, published in docs/evidence.md
# ("Calibration") and kept here so that a change that makes it hold is noticed (strict).
FAILS_AT = {
    ("deterrence", "all low"): "with the least decision noise (temperature 0.0056) a secure "
    "second strike of 0.025 already cuts the greedy state's war rate from 0.63 to 0.13: "
    "deterrence is a threshold there, as the nuclear revolution argues (Jervis 1989)",
    ("offense_defense", "all low"): "with security worth least (security_weight 0.54) two "
    "security seekers disarm and never spiral, at any offense-defense balance",
}


def _spread_cases():
    for claim in sorted(CHECKS):
        for constants in sorted(set(SPREAD) - {"estimate"}):
            reason = FAILS_AT.get((claim, constants))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            yield pytest.param(claim, constants, marks=marks, id=f"{claim}-{constants}")


@pytest.mark.slow
@pytest.mark.parametrize("claim, constants", list(_spread_cases()))
def test_claims_hold_as_curves_across_the_spread_of_the_constants(claim, constants):
    CHECKS[claim](SPREAD[constants])
