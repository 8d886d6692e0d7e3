"""Statecraft: offense-defense, nuclear posture, alliances, agreements and monitoring, hotlines,
concessions, power shifts, economic and covert pressure.

Each test runs a scenario under tests/scenarios/statecraft from the command line with a fixed
seed and compares ensembles that differ only in the mechanism under test. Margins are several
standard errors of the compared rates (at most 0.5 / sqrt(R) each), so each would fail if the
mechanism were absent. Runs that share a seed differ only where the mechanism acts, so a
contrast between them can be far less noisy than that bound; where a margin relies on this, its
comment gives the measured standard error of the difference.
"""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app

HERE = Path(__file__).parents[1] / "scenarios" / "statecraft"
runner = CliRunner()


def invoke(out, name, *sets, acts=False):
    """Run a scenario from the command line; its summary, and with ``acts`` its acts table."""
    args = ["run", str(HERE / name), "--out", str(out), "--json", "--no-trajectories"]
    for item in sets:
        args += ["--set", item]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    if acts:
        return summary, pd.read_parquet(out / "events.parquet")
    return summary


@pytest.fixture
def run(tmp_path):
    def _run(name, *sets, acts=False):
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        return invoke(out, name, *sets, acts=acts)

    return _run


@pytest.fixture(scope="module")
def jervis_worlds(tmp_path_factory):
    """The four worlds, run once for the two tests that read them.

    Under the calibrated constants war between two security seekers in a defense-dominant
    world is rare at the scenario's observation noise (0.4: 8% of replicates), and the
    distinguishability of postures lowers it by only 0.017 (measured with 8000 replicates).
    Heavier noise (0.6), more misreading, makes those wars common enough (30-35%) to resolve
    the same effect with the test's 1000 replicates.
    """
    tmp = tmp_path_factory.mktemp("worlds")
    worlds = {}
    for offense, beta in (("offense", 3), ("defense", 0.5)):
        for distinct, d in (("indistinguishable", 0), ("distinguishable", 1)):
            worlds[offense, distinct] = invoke(
                tmp / f"{offense}-{distinct}",
                "four_worlds.yaml",
                f"world.offense_defense_balance={beta}",
                f"world.distinguishability={d}",
                "world.observation_noise=0.6",
            )
    return worlds


def threat(summary):
    """How much the two states fear each other at the end, on average."""
    return sum(summary["perceived_threat"].values()) / len(summary["perceived_threat"])


def test_jervis_four_worlds_order_war_and_spirals(jervis_worlds):
    worlds = jervis_worlds
    for (offense, distinct), summary in worlds.items():
        assert summary["jervis_world"] == {f"{offense}-dominant, {distinct}": 1.0}
    doubly_dangerous = worlds["offense", "indistinguishable"]
    doubly_safe = worlds["defense", "distinguishable"]
    mixed = [worlds["offense", "distinguishable"], worlds["defense", "indistinguishable"]]

    # The spiral, in the calibrated model, is carried by the threat each security seeker
    # reads into the other's arming: the spiral flag (both arming in most steps) is rare and
    # driven by choice noise, and no longer tells the defense-dominant worlds apart (the
    # strict xfail below). The four worlds share their seed, so each contrast is much less
    # noisy than its two rates: doubly safe against defense-dominant indistinguishable, the
    # closest, measures 0.052 (standard error 0.008) in p_war and 0.009 (0.0005) in threat;
    # doubly dangerous against offense-dominant distinguishable 0.12 (0.011) and 0.070 (0.002).
    def war(summary):
        return summary["p_war"]

    for value, top, bottom in ((war, 0.05, 0.02), (threat, 0.03, 0.004)):
        rates = [value(m) for m in mixed]
        assert value(doubly_dangerous) > max(rates) + top, (value.__name__, rates)
        assert value(doubly_safe) < min(rates) - bottom, (value.__name__, rates)
    # The wars there are the accidental wars of two security seekers.
    assert doubly_dangerous["p_accidental_war"] == doubly_dangerous["p_war"]


@pytest.mark.xfail(
    reason="calibrated model: distinguishability no longer lowers the spiral rate in a "
    "defense-dominant world (1000 replicates: 0.024 distinguishable against 0.024 "
    "indistinguishable, standard error of the difference 0.004; 4000 replicates: 0.021 "
    "against 0.023); the threat carries the ordering instead "
    "(test_jervis_four_worlds_order_war_and_spirals)",
    strict=True,
)
def test_jervis_four_worlds_order_the_spiral_flag(jervis_worlds):
    worlds = jervis_worlds
    doubly_dangerous = worlds["offense", "indistinguishable"]
    doubly_safe = worlds["defense", "distinguishable"]
    mixed = [worlds["offense", "distinguishable"], worlds["defense", "indistinguishable"]]
    rates = [m["p_spiral"] for m in mixed]
    # One to two standard errors of each difference (0.007, 0.004): a margin any real ordering
    # would clear. The offense-dominant worlds still order (0.074 against 0.053); the
    # defense-dominant ones do not.
    assert doubly_dangerous["p_spiral"] > max(rates) + 0.01, rates
    assert doubly_safe["p_spiral"] < min(rates) - 0.01, rates


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
    # made once suspicion has set in. An open break ends the agreement, so a replicate has at
    # most one and violations_mean is the share of agreements broken: 0.34 blind (standard
    # error 0.024) against none watched. The calibrated states arm less, so fewer break it
    # than the half this margin once asked for.
    assert blind["violation_detection_share"] == 1.0
    assert watched["violations_mean"] < blind["violations_mean"] - 0.2
    # False alarms are reported: more of them, per step under the agreement, when blind.
    assert blind["verification_false_alarm_rate"] > 2 * watched["verification_false_alarm_rate"]
    assert watched["verification_false_alarms_mean"] > 0
    # Suspicion is the threat each reads into the other (0.44 blind against 0.13 watched,
    # standard error 0.009): spirals are rare under the calibrated constants (0.01 blind).
    assert threat(watched) < threat(blind) - 0.2, (threat(watched), threat(blind))
    assert watched["agreement_end"]["A-B"] > blind["agreement_end"]["A-B"] + 0.2


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
    # Calm is the seeker's fear of A: 0.004 with the concessions against 0.16 without
    # (standard error 0.008). Under the calibrated constants a security seeker seldom fights
    # here at all (5% of replicates without concessions), so its war rate falls by only 0.01.
    calmed, fearful = seeker["perceived_threat"]["B->A"], seeker_bare["perceived_threat"]["B->A"]
    assert calmed < fearful - 0.1, (calmed, fearful)
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
    # Measured 0.049 (standard error 0.006) and 0.149 (0.012); their difference 0.100
    # (0.014). In the scenario's world R's odds against U are about even (preventive.yaml).
    assert humble > 0.025, humble
    assert proud > humble + 0.05, (proud, humble)


BUILDS = ["build_arms", "build_offensive_forces", "build_defensive_forces"]


def test_third_parties_balance_against_an_aggressor(run):
    war, war_acts = run("balancing.yaml", acts=True)
    peace, peace_acts = run("balancing.yaml", "events=[]", acts=True)
    assert war["aggressor"]["A"] == 1.0 and peace["aggressor"]["A"] == 0.0
    third = ("C", "D")

    def arming(s, acts):
        """Build acts per third party and replicate: their arming, counted at the source.

        Their arms_change no longer shows it: under the calibrated constants a build adds a
        few percent to forces that fall by some 45% over the run, and C and D lose forces in
        the war they join beside B.
        """
        builds = acts["actor"].isin(third) & acts["action"].isin(BUILDS)
        return builds.sum() / (len(third) * s["replicates"])

    def alignment(s):
        """Allied with the victim B rather than the aggressor A, plus trust in B over A."""
        allied = sum(s["alliance_end"][f"B-{m}"] - s["alliance_end"][f"A-{m}"] for m in third)
        trust = sum(s["trust_end"][f"{m}->B"] - s["trust_end"][f"{m}->A"] for m in third)
        return allied / 2, trust / 2

    # 1.60 builds against 1.32 (standard error of the difference 0.023: the two runs share
    # their seed and are the same world until A invades at step 5). Without the rally of
    # third parties against the aggressor (parameters.rally=0) the difference is 0.10.
    armed_war, armed_peace = arming(war, war_acts), arming(peace, peace_acts)
    assert armed_war > armed_peace + 0.15, (armed_war, armed_peace)
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
