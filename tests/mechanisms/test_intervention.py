"""Joining a war for the spoils (``mechanisms/intervention.py``): a third state joins a war
begun on a weak state at a rate that rises with its greed and its forces; a security seeker
with nothing to fear from the victim stays out, and so does a state that trusts the victim
more than its attacker; at ``join_stakes`` 0 nobody joins. Each claim is checked at the
calibrated estimate and across the spread of the constants (``tests/spread.py``, with
``join_stakes`` at 0.7 and 1.3 times its estimate, within its range)."""

import numpy as np
import pytest

from secdilemma import load_scenario, run_ensemble
from secdilemma.errors import InputError
from secdilemma.mechanisms.conflict import Balance
from secdilemma.mechanisms.intervention import coalition_odds
from secdilemma.model.parameters import Parameters
from spread import SPREAD

REPLICATES = 300

# The aggressor A invades the weak victim V at step 0 (scheduled); the bystander J, strong and
# rich, next to V and not allied with anyone, may join. One step, and J's own menu holds no act
# of war: any war between J and V is a joiner's.
WORLD = """
name: jackal
description: A war on a weak state, and a third state that may join it for the spoils.
steps: 1
replicates: {replicates}
seed: 11
world: {{offense_defense_balance: 1.5, distinguishability: 0.5, observation_noise: 0.05}}
states:
  - {{id: A, name: Aggressor, offense: 3.0, defense: 2.0, wealth: 30.0, greed: 0.9}}
  - {{id: V, name: Victim, offense: 0.5, defense: 0.8, wealth: 12.0, greed: 0.0}}
  - {{id: J, name: Bystander, offense: 2.0, defense: 2.0, wealth: 25.0, greed: 0.5,
      actions: [build_arms, reassurance_statement, trade_agreement]}}
relations:
  - {{between: [A, V], distance: 0.2}}
  - {{between: [J, V], distance: 0.2}}
  - {{between: [A, J], distance: 0.5}}
beliefs:
  - {{of: J, about: V, greedy: 0.05}}
events:
  - {{step: 0, actor: A, action: invade, target: V}}
"""

A, V, J = 0, 1, 2
GREED = [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("jackal") / "jackal.yaml"
    path.write_text(WORLD.format(replicates=REPLICATES), encoding="utf-8")
    return path


def _joined(world, sets):
    o = run_ensemble(load_scenario(world, sets), trajectories=False).outcomes
    return o, float(np.mean(o.war_pair[:, J, V]))


def _se(a, b):
    return 3.0 * np.sqrt((a * (1 - a) + b * (1 - b)) / REPLICATES) + 1e-9


def _greed_curve(world, constants):
    return np.array([_joined(world, [*constants, f"states.J.greed={g}"])[1] for g in GREED])


def _check_greed(world, constants):
    curve = _greed_curve(world, constants)
    steps = np.diff(curve)
    assert np.all(-steps <= _se(curve[:-1], curve[1:])), curve  # monotone within noise
    assert curve[-1] - curve[0] >= 0.3, curve  # a rise the mechanism alone makes
    assert curve[0] <= 0.05, curve  # a security seeker that does not fear V stays out


def _check_forces(world, constants):
    """The spoils a state can take grow with its part of the attack: the rate at which a
    moderately greedy bystander joins, above its security-seeking twin's (who joins only where
    defeating V would relieve it of a danger greater than its attacker's), rises with its
    forces."""
    sets = list(constants)
    offense = (0.2, 1.0, 3.0)

    def rates(greed):
        return np.array(
            [
                _joined(world, [*sets, f"states.J.greed={greed}", f"states.J.offense={x}"])[1]
                for x in offense
            ]
        )

    greedy, seeker = rates(0.3), rates(0.0)  # a moderate greed: unsaturated everywhere
    excess = greedy - seeker
    var = (greedy * (1 - greedy) + seeker * (1 - seeker)) / REPLICATES
    noise = 3.0 * np.sqrt(var[:-1] + var[1:]) + 1e-9
    assert np.all(-np.diff(excess) <= noise), (greedy, seeker)
    assert excess[-1] - excess[0] >= 0.2, (greedy, seeker)


CHECKS = {"greed": _check_greed, "forces": _check_forces}


@pytest.mark.parametrize("claim", sorted(CHECKS))
def test_a_third_state_joins_for_the_spoils_at_the_estimate(world, claim):
    CHECKS[claim](world, SPREAD["estimate"])


STAKES = Parameters().join_stakes
# The corners of the spread, each with join_stakes low (0.7x) or high (1.3x, at most 1).
CORNERS = {
    name: [*sets, f"parameters.join_stakes={min(1.0, factor * STAKES):.6g}"]
    for (name, sets), factor in zip(
        sorted((n, v) for n, v in SPREAD.items() if n != "estimate"),
        (1.3, 0.7, 1.3, 0.7),
        strict=True,
    )
}


@pytest.mark.slow
@pytest.mark.parametrize("constants", sorted(CORNERS))
@pytest.mark.parametrize("claim", sorted(CHECKS))
def test_a_third_state_joins_for_the_spoils_across_the_spread(world, claim, constants):
    CHECKS[claim](world, CORNERS[constants])


def test_at_no_stakes_nobody_joins_for_the_spoils(world):
    o, joined = _joined(world, ["states.J.greed=1.0", "parameters.join_stakes=0"])
    assert joined == 0.0 and not o.wars_bandwagon.any()
    # At the calibrated stakes the same world has joiners: the zero is the mechanism's.
    assert STAKES > 0 and _joined(world, ["states.J.greed=1.0"])[1] > 0.3


def test_a_state_does_not_join_a_war_on_a_state_it_trusts_more_than_the_attacker(tmp_path):
    def trusting(victim, attacker):
        text = WORLD.format(replicates=REPLICATES)
        text = text.replace("[J, V], distance: 0.2", f"[J, V], distance: 0.2, trust: {victim}")
        text = text.replace("[A, J], distance: 0.5", f"[A, J], distance: 0.5, trust: {attacker}")
        path = tmp_path / f"jackal-{victim}-{attacker}.yaml"
        path.write_text(text, encoding="utf-8")
        return _joined(path, ["states.J.greed=1.0"])[1]

    assert trusting(victim=0.9, attacker=0.1) == 0.0
    assert trusting(victim=0.1, attacker=0.9) > 0.3


def test_the_coalitions_odds_split_the_victims_defence_among_its_attackers():
    """V (defence 4) is attacked by A (attack 2) and C (attack 6); J (attack 2) joining faces
    a defence engaged against 8: its odds are the coalition's, (2 + 8) / (2 + 8 + 4), and its
    share of the spoils 2 / (2 + 8). B, not attacked, is no one's to join against."""
    attack = np.zeros((1, 5, 5))
    attack[0, 0, 1], attack[0, 3, 1], attack[0, 2, 1] = 2.0, 6.0, 2.0
    b = Balance(
        defense=np.array([[1.0, 4.0, 1.0, 1.0, 1.0]]),
        attack=attack,
        win=np.zeros((1, 5, 5)),
        secure=np.zeros((1, 5)),
    )
    started = np.zeros((1, 5, 5), dtype=bool)
    started[0, 0, 1] = started[0, 3, 1] = True
    odds, share = coalition_odds(b, started)
    assert odds[0, 2, 1] == pytest.approx(10.0 / 14.0)
    assert share[0, 2, 1] == pytest.approx(0.2)
    assert odds[0, 4, 1] == pytest.approx(8.0 / 12.0) and share[0, 4, 1] == 0.0  # no forces


def test_the_mesa_model_refuses_joining_for_the_spoils_and_runs_without_it(world):
    pytest.importorskip("mesa")
    from secdilemma.interop.mesa import SecurityDilemmaModel, within_scope

    spec = load_scenario(world, ["parameters.join_stakes=0.1", "events=[]"])
    with pytest.raises(InputError) as error:
        SecurityDilemmaModel(spec)
    assert error.value.field == "parameters.join_stakes"
    model = SecurityDilemmaModel(within_scope(spec))
    model.step()
    assert within_scope(spec).parameters.join_stakes == 0.0
