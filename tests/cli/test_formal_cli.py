"""The formal models' commands: JSON results, plots, and clear errors."""

import json

import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, list(args))
    return result, (
        json.loads(result.stdout) if "--json" in args and result.exit_code == 0 else None
    )


def test_kydd_command_reports_threshold_signalling_and_the_spiral(tmp_path):
    plot = tmp_path / "trust.png"
    result, data = invoke(
        "kydd",
        "--prior",
        "0.7",
        "--cost-untrustworthy",
        "3",
        "--moves",
        "CDDD",
        "--json",
        "--plot",
        str(plot),
    )
    assert result.exit_code == 0, result.output
    assert data["minimum_trust"] == pytest.approx(0.5) and data["cooperation_sustained"]
    # A cost the untrustworthy type would not pay separates; the same cost for both does not.
    assert data["signalling"] == "separating" and data["flat_cost_signalling"] == "pooling"
    # Three defections drive trust below the threshold: the spiral.
    assert data["trust_path"][0] == 0.7 and data["trust_path"][-1] < 0.5
    assert not data["cooperation_after_moves"]
    assert plot.stat().st_size > 1000
    bad, _ = invoke("kydd", "--dc-untrustworthy", "1")
    assert bad.exit_code == 2 and "DC_U > CC" in bad.output
    for option, value in (("--p-trustworthy", "1.5"), ("--cost-trustworthy", "-1")):
        wrong, _ = invoke("kydd", option, value)
        assert wrong.exit_code == 2 and option in wrong.output


def test_fearon_command_reports_the_range_and_preventive_war(tmp_path):
    result, data = invoke("fearon", "--p", "0.5", "--cost-a", "0.1", "--cost-b", "0.1", "--json")
    assert result.exit_code == 0, result.output
    assert (data["range_low"], data["range_high"]) == pytest.approx((0.4, 0.6))
    averse, wide = invoke("fearon", "--risk-attitude", "0.5", "--json")
    assert wide["range_low"] < 0.4 and wide["range_high"] > 0.6 and wide["deal_exists"]
    _, acceptant = invoke("fearon", "--risk-attitude", "3", "--json")
    assert not acceptant["deal_exists"] and acceptant["range_low"] > acceptant["range_high"]
    shift, war = invoke(
        "fearon", "--p", "0.3", "--p-next", "0.9", "--discount", "0.9", "--cost-b", "0.5", "--json"
    )
    assert war["preventive_war"] and war["war_value_now"] > war["peace_value_now"]
    plot = tmp_path / "range.png"
    shown, _ = invoke("fearon", "--plot", str(plot))
    assert shown.exit_code == 0 and plot.stat().st_size > 1000
    bad, _ = invoke("fearon", "--p", "1.5")
    assert bad.exit_code == 2 and "p must lie in [0, 1]" in bad.output


def test_richardson_command_solves_a_model_and_rejects_bad_input(tmp_path):
    plot = tmp_path / "race.png"
    result, data = invoke(
        "richardson", "--coefficients", "0.9,0.2,1,0.9,0.2,1", "--json", "--plot", str(plot)
    )
    assert result.exit_code == 0, result.output
    assert data["outcome"] == "runaway race" and not data["stable"]
    assert data["max_eigenvalue"] == pytest.approx(0.7)
    assert plot.stat().st_size > 1000
    both, _ = invoke("richardson", "--nmc", "--grh")
    assert both.exit_code == 2 and "exactly one" in both.output
    crossing, _ = invoke(
        "richardson", "--nmc", "--bloc", "UKG", "--bloc", "GMY", "--years", "1912-1915"
    )
    assert crossing.exit_code == 2 and "pounds before 1914" in crossing.output
    unknown, _ = invoke("richardson", "--nmc", "--bloc", "XXX", "--bloc", "GMY")
    assert unknown.exit_code == 2 and "XXX" in unknown.output
    one_year, _ = invoke("richardson", "--nmc", "--bloc", "FRN", "--bloc", "GMY", "--years", "1913")
    assert one_year.exit_code == 2 and "usable year-to-year changes" in one_year.output
    unwritable, _ = invoke("richardson", "--grh", "--out", str(tmp_path / "no" / "such.csv"))
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.output


def test_tournament_command_ranks_strategies_reproducibly(tmp_path):
    args = ("tournament", "--turns", "50", "--repetitions", "3", "--noise", "0.05", "--json")
    first, data = invoke(*args, "--seed", "4")
    again, same = invoke(*args, "--seed", "4")
    assert first.exit_code == 0, first.output
    assert data == same  # one seed, one result
    names = [row["name"] for row in data["ranking"]]
    assert {"Tit For Tat", "Defector", "Cooperator"} <= set(names)
    assert data["game"] == "Prisoner's Dilemma"  # the offense-dominant, indistinguishable world
    # There, unconditional cooperation is exploited; where postures can be told apart
    # (Harmony), defection only costs.
    assert names.index("Defector") < names.index("Cooperator")
    _, harmony = invoke(*args, "--seed", "4", "--distinguishability", "1")
    assert harmony["game"] == "Harmony"
    ranked = [row["name"] for row in harmony["ranking"]]
    assert ranked.index("Cooperator") < ranked.index("Defector")
    plot = tmp_path / "t.png"
    shown, _ = invoke("tournament", "--turns", "20", "--repetitions", "2", "--plot", str(plot))
    assert shown.exit_code == 0 and plot.stat().st_size > 1000


def test_jervis_command_reports_the_equilibria():
    _, hunt = invoke("jervis", "--balance", "0.5", "--distinguishability", "0", "--json")
    assert hunt["game"] == "Stag Hunt" and hunt["pure_equilibria"] == ["CC", "DD"]
    assert hunt["mixed_equilibrium"]["p_cooperate_row"] == pytest.approx(hunt["threshold"])
    _, dilemma = invoke("jervis", "--balance", "3", "--distinguishability", "0", "--json")
    assert dilemma["pure_equilibria"] == ["DD"] and dilemma["mixed_equilibrium"] is None
