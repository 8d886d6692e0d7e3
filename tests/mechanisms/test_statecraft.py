"""Statecraft: offense-defense, nuclear posture, alliances, agreements and monitoring, hotlines,
concessions, power shifts, economic and covert pressure.

Each test runs a scenario under tests/scenarios/statecraft from the command line with a fixed
seed and compares ensembles that differ only in the mechanism under test. Margins are several
standard errors of the compared rates (at most 0.5 / sqrt(R) each), so each would fail if the
mechanism were absent.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app

HERE = Path(__file__).parents[1] / "scenarios" / "statecraft"
runner = CliRunner()


@pytest.fixture
def run(tmp_path):
    def _run(name, *sets):
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        args = ["run", str(HERE / name), "--out", str(out), "--json", "--no-trajectories"]
        for item in sets:
            args += ["--set", item]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return _run


def test_jervis_four_worlds_order_war_and_spirals(run):
    worlds = {}
    for offense, beta in (("offense", 3), ("defense", 0.5)):
        for distinct, d in (("indistinguishable", 0), ("distinguishable", 1)):
            summary = run(
                "four_worlds.yaml",
                f"world.offense_defense_balance={beta}",
                f"world.distinguishability={d}",
            )
            label = f"{offense}-dominant, {distinct}"
            assert summary["jervis_world"] == {label: 1.0}
            worlds[offense, distinct] = summary
    doubly_dangerous = worlds["offense", "indistinguishable"]
    doubly_safe = worlds["defense", "distinguishable"]
    mixed = [worlds["offense", "distinguishable"], worlds["defense", "indistinguishable"]]
    # 1000 replicates: a standard error of at most 0.016 per rate.
    for outcome, margin in (("p_war", 0.02), ("p_spiral", 0.05)):
        rates = [m[outcome] for m in mixed]
        assert doubly_dangerous[outcome] > max(rates) + margin, (outcome, worlds)
        assert doubly_safe[outcome] < min(rates) - margin, (outcome, worlds)
    # The wars there are the accidental wars of two security seekers.
    assert doubly_dangerous["p_accidental_war"] == doubly_dangerous["p_war"]


MUTUAL = ["states.A.deterrent=5", "states.B.deterrent=5"]


def eroding(action):
    return f"events=[{{step: 0, every: 1, actor: A, action: {action}, target: B}}]"


def test_secure_second_strikes_stabilise_and_eroding_them_destabilises(run):
    bare = run("nuclear.yaml")["p_war"]
    mutual = run("nuclear.yaml", *MUTUAL)["p_war"]
    assert mutual < bare - 0.4, (mutual, bare)
    for action in ("build_counterforce", "strategic_asw", "build_missile_defense"):
        eroded = run("nuclear.yaml", *MUTUAL, eroding(action))
        assert eroded["p_war"] > mutual + 0.15, (action, eroded["p_war"], mutual)
        # The wars that follow can go nuclear: first-strike incentives on both sides.
        assert eroded["p_nuclear_use"] > 0.1, action


def test_a_nuclear_strike_is_catastrophic_for_both_sides(run):
    retaliated = run("nuclear_strike.yaml")
    unanswered = run("nuclear_strike.yaml", "states.B.deterrent=0")
    assert retaliated["p_nuclear_use"] == 1.0
    for summary in (retaliated, unanswered):
        assert summary["arms_change"]["B"] < -0.4
        assert summary["wealth_change"]["B"] < -0.4
    # B's secure second strike makes the attack ruinous for A as well.
    assert retaliated["wealth_change"]["A"] < unanswered["wealth_change"]["A"] - 0.3


def test_monitoring_detects_violations_and_calms_suspicion_between_compliant_states(run):
    detected = [
        run("violation.yaml", f"relations.A-B.monitoring={m}")["violation_detection_share"]
        for m in (0.0, 0.5, 0.9)
    ]
    assert detected[0] < 0.3 and detected[1] > detected[0] + 0.2
    assert detected[2] > detected[1] + 0.2, detected

    blind = run("monitoring.yaml", "relations.A-B.monitoring=0")
    watched = run("monitoring.yaml", "relations.A-B.monitoring=0.9")
    # Neither cheats in secret: the only violations are open breaks, which the partner sees,
    # made once suspicion has set in.
    assert blind["violation_detection_share"] == 1.0
    assert watched["violations_mean"] < blind["violations_mean"] - 0.5
    # False alarms are reported: more of them, per step under the agreement, when blind.
    assert blind["verification_false_alarm_rate"] > 2 * watched["verification_false_alarm_rate"]
    assert watched["verification_false_alarms_mean"] > 0
    assert watched["p_spiral"] < blind["p_spiral"] - 0.4, (watched["p_spiral"], blind["p_spiral"])
    assert watched["agreement_end"]["A-B"] > blind["agreement_end"]["A-B"] + 0.5


def test_a_hotline_prevents_accidental_wars(run):
    without = run("hotline.yaml", "relations.A-B.hotline=false")
    with_line = run("hotline.yaml", "relations.A-B.hotline=true")
    assert without["p_accidental_war"] > 0.5
    assert with_line["p_accidental_war"] < without["p_accidental_war"] - 0.2
    # The hotline defuses crises; it does not stop the incidents themselves.
    assert with_line["incidents_mean"] == without["incidents_mean"]


def test_concessions_calm_a_security_seeker_and_embolden_a_greedy_state(run):
    no_concessions = "events=[]"
    seeker = run("accommodation.yaml", "states.B.greed=0")
    seeker_bare = run("accommodation.yaml", "states.B.greed=0", no_concessions)
    assert seeker["p_war"] < seeker_bare["p_war"] - 0.05, (seeker["p_war"], seeker_bare["p_war"])
    greedy = run("accommodation.yaml", "states.B.greed=0.25")
    greedy_bare = run("accommodation.yaml", "states.B.greed=0.25", no_concessions)
    assert greedy["p_war"] > greedy_bare["p_war"] + 0.1, (greedy["p_war"], greedy_bare["p_war"])
    assert greedy["aggressor"]["B"] > greedy_bare["aggressor"]["B"] + 0.2
    # It is the lowered estimate of A's resolve that emboldens B, not the gains alone.
    unmoved = run("accommodation.yaml", "states.B.greed=0.25", "parameters.emboldening=0")
    assert unmoved["aggressor"]["B"] < greedy_bare["aggressor"]["B"]


def test_a_foreseen_power_shift_gives_a_preventive_motive_that_hubris_amplifies(run):
    def initiated(hubris, prospect):
        summary = run(
            "preventive.yaml", f"states.R.hubris={hubris}", f"relations.U-W.prospect={prospect}"
        )
        return summary["aggressor"]["R"]

    humble = initiated(0, "true") - initiated(0, "false")
    proud = initiated(2, "true") - initiated(2, "false")
    assert humble > 0.1, humble
    assert proud > humble + 0.3, (proud, humble)


def test_third_parties_balance_against_an_aggressor(run):
    war = run("balancing.yaml")
    peace = run("balancing.yaml", "events=[]")
    assert war["aggressor"]["A"] == 1.0 and peace["aggressor"]["A"] == 0.0
    third = ("C", "D")

    def arms(s):
        return sum(s["arms_change"][m] for m in third) / 2

    def alignment(s):
        """Allied with the victim B rather than the aggressor A, plus trust in B over A."""
        allied = sum(s["alliance_end"][f"B-{m}"] - s["alliance_end"][f"A-{m}"] for m in third)
        trust = sum(s["trust_end"][f"{m}->B"] - s["trust_end"][f"{m}->A"] for m in third)
        return allied / 2, trust / 2

    assert arms(war) > arms(peace) + 0.2, (arms(war), arms(peace))
    allied_war, trust_war = alignment(war)
    allied_peace, trust_peace = alignment(peace)
    assert allied_war > allied_peace + 0.2, (allied_war, allied_peace)
    assert trust_war > trust_peace + 0.2, (trust_war, trust_peace)
    # Allies of the victim joined its war.
    assert war["wars_by_cause"]["joined"] > 0.3


def test_enlargement_extends_the_bloc_and_is_read_through_each_lens(run):
    read = {}
    for lens in ("structural", "bayesian", "interpretive"):
        summary = run("enlargement.yaml", f"states.R.lens={lens}")
        # Admitting U makes it the ally of every member: P as well as W.
        assert summary["alliance_end"]["U-W"] == 1.0 and summary["alliance_end"]["P-U"] == 1.0
        read[lens] = summary["perceived_threat"]["R->W"]
    untouched = run("enlargement.yaml", "events=[]")["perceived_threat"]["R->W"]
    # Capability alone: U adds little, so the structural reading barely moves; the Bayesian
    # reads the acts' intent toward third parties; the interpretive frame adds R's
    # sensitivity to alliance moves.
    assert untouched < read["structural"] < untouched + 0.05
    assert read["bayesian"] > untouched + 0.04
    assert read["interpretive"] > read["bayesian"] + 0.04, read


def test_energy_dependence_makes_conflict_costly_and_gives_the_supplier_a_lever(run):
    def wealth(dependence, *sets):
        summary = run("interdependence.yaml", f"relations.G-S.dependence.G={dependence}", *sets)
        return summary["wealth_change"]

    # The cut-off costs the buyer its dependence share, and the supplier the lost sales.
    assert wealth(0.0) == {"G": 0.0, "S": 0.0}
    cut = wealth(0.3)
    assert cut["G"] == pytest.approx(-0.3) and cut["S"] == pytest.approx(-0.15)
    war = "events=[{step: 3, actor: G, action: invade, target: S}]"
    independent, dependent = wealth(0.0, war), wealth(0.3, war)
    for state in ("G", "S"):
        assert dependent[state] < independent[state] - 0.1


def test_sanctions_and_covert_attacks_hurt_and_read_as_hostile_when_detected(run):
    pressured = run("pressure.yaml", "relations.A-B.monitoring=0")
    watched = run("pressure.yaml", "relations.A-B.monitoring=1")
    calm = run("pressure.yaml", "events=[]")
    assert pressured["wealth_change"]["B"] < calm["wealth_change"]["B"] - 0.5
    assert calm["perceived_threat"]["B->A"] == 0.25
    # The sanctions are public; the cyberattacks count only when B detects them.
    assert pressured["perceived_threat"]["B->A"] > 0.5
    assert watched["perceived_threat"]["B->A"] > pressured["perceived_threat"]["B->A"] + 0.2


def test_world_changes_reach_another_of_jervis_worlds_mid_run(run):
    offense = ["world.offense_defense_balance=3", "world.distinguishability=0"]
    direct = run("four_worlds.yaml", *offense, "replicates=200")
    change = "world_changes=[{step: 0, offense_defense_balance: 3, distinguishability: 0}]"
    changed = run("four_worlds.yaml", change, "replicates=200")
    # A change at step 0 is the same world: identical results from the same seed.
    for key in ("p_war", "p_spiral", "arms_change", "wars_by_cause"):
        assert changed[key] == direct[key], key
    late = "world_changes=[{step: 30, offense_defense_balance: 3, distinguishability: 0}]"
    defense = ["world.offense_defense_balance=0.5", "world.distinguishability=1"]
    stays_safe = run("four_worlds.yaml", *defense, "replicates=200")
    turns = run("four_worlds.yaml", *defense, late, "replicates=200")
    assert turns["p_war"] > stays_safe["p_war"] + 0.1
    assert turns["first_war_step_mean"] > 30
