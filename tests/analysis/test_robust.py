"""Robust policy (``secdilemma robust``): every policy in every state of the world on the
sweep runner, and the choice under minimax regret, maximin, satisficing and the mean.

The world: D, a security seeker, beside O, whose greed is the uncertainty; D accommodates O or
deters it by arming (``tests/scenarios/robust``). The objective is D's wealth at the end.
"""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from secdilemma.analysis.robust import load_policies, robust
from secdilemma.cli.app import app
from secdilemma.errors import InputError, ScenarioError

HERE = Path(__file__).parents[1] / "scenarios" / "robust"
RIVAL, POLICIES = str(HERE / "rival.yaml"), HERE / "policies.yaml"
runner = CliRunner()


def _policy_file(tmp_path, greed_values, replicates=60, **changes):
    raw = yaml.safe_load(POLICIES.read_text())
    raw["worlds"]["parameters"]["states.O.greed"]["values"] = greed_values
    raw["replicates"] = replicates
    raw.update(changes)
    path = tmp_path / f"policies-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _by_hand(result):
    """Minimax regret from the outcome table, computed without the module's rules."""
    outcome = result["objective"]["outcome"]
    cells = {(r["policy"], r["world"]): r[outcome] for r in result["outcomes"]}
    policies = list(result["policies"])
    worlds = sorted({w for _, w in cells})
    best = {w: max(cells[(p, w)] for p in policies) for w in worlds}  # maximised
    worst_regret = {p: max(best[w] - cells[(p, w)] for w in worlds) for p in policies}
    return min(policies, key=lambda p: (worst_regret[p], policies.index(p))), worst_regret


def test_the_minimax_regret_choice_changes_with_the_range_of_motives(tmp_path):
    """Accommodating O keeps D's wealth when O seeks only security, and loses it to wars when
    O is greedy; arming costs wealth either way. Over a range of security seekers minimax
    regret picks accommodation, over a range of greedy states deterrence."""
    seekers = robust(RIVAL, _policy_file(tmp_path, [0.0, 0.2]), tmp_path / "seekers", workers=1)
    greedy = robust(RIVAL, _policy_file(tmp_path, [0.6, 1.0]), tmp_path / "greedy", workers=1)
    for result in (seekers, greedy):
        chosen, worst = _by_hand(result)
        assert result["choice"]["minimax_regret"] == chosen
        for policy, regret in worst.items():
            assert result["regret"][policy]["max"] == pytest.approx(regret, abs=1e-12)
    assert seekers["choice"]["minimax_regret"] == "accommodate"
    assert greedy["choice"]["minimax_regret"] == "deter"


def test_every_number_of_the_regret_table_is_reproduced_by_secdilemma_run(tmp_path):
    policies = _policy_file(tmp_path, [0.0, 0.8], replicates=40)
    result = robust(RIVAL, policies, tmp_path / "robust", workers=1)
    outcome = result["objective"]["outcome"]
    ran = {}
    for policy, entry in result["policies"].items():
        for world in result["worlds"]:
            sets = [*entry["overrides"], f"states.O.greed={world['states.O.greed']}"]
            args = ["run", RIVAL, "--replicates", "40", "--seed", str(result["seed"]), "--json"]
            args += ["--no-trajectories", "--out", str(tmp_path / f"run-{policy}-{world['world']}")]
            for item in sets:
                args += ["--set", item]
            done = runner.invoke(app, args)
            assert done.exit_code == 0, done.output
            summary = json.loads(done.stdout)
            ran[(policy, world["world"])] = summary["wealth_change"]["D"]
    for row in result["outcomes"]:
        assert row[outcome] == ran[(row["policy"], row["world"])]
    for policy in result["policies"]:
        regrets = [
            max(ran[(q, w["world"])] for q in result["policies"]) - ran[(policy, w["world"])]
            for w in result["worlds"]
        ]
        assert result["regret"][policy]["by_world"] == pytest.approx(regrets, abs=0)


def test_the_rules_can_disagree_and_prim_says_where_a_policy_fails(tmp_path):
    pytest.importorskip("ema_workbench")
    values = [0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0]
    result = robust(RIVAL, _policy_file(tmp_path, values), tmp_path / "all", workers=1)
    assert result["choice"]["minimax_regret"] == "accommodate"
    assert result["choice"]["maximin"] == "deter"
    assert result["rules_disagree"]
    # Accommodation keeps D's losses within the threshold only where O is (nearly) a security
    # seeker; PRIM's box of its failures lies at the greedy end.
    failed = result["failures"]["accommodate"]
    assert 0 < failed["worlds_failed"] < failed["worlds"]
    greed = failed["box"]["limits"]["states.O.greed"]
    assert greed["restricted"] and greed["low"] > 0.1


def test_a_run_into_the_same_directory_resumes_and_gives_the_same_result(tmp_path):
    policies = _policy_file(tmp_path, [0.0, 0.5, 1.0], replicates=30)
    first = robust(RIVAL, policies, tmp_path / "store", workers=1)
    part = sorted((tmp_path / "store" / "points").glob("part-*.parquet"))[-1]
    part.unlink()  # as if the run had been killed before this task finished
    again = robust(RIVAL, policies, tmp_path / "store", workers=1)
    assert again["outcomes"] == first["outcomes"] and again["choice"] == first["choice"]


def test_the_documented_example_policy_file_loads_against_its_scenario():
    example = Path(__file__).parents[2] / "examples" / "robust-nato-russia.yaml"
    spec, compiled = load_policies(example, "nato-russia")
    assert len(compiled) >= 5 and spec.objective.outcome == "p_war_unscheduled"
    assert compiled["record"] == []  # the scenario itself


def test_policies_compile_to_overrides_and_bad_files_name_the_field(tmp_path):
    spec, compiled = load_policies(POLICIES, RIVAL)
    assert compiled["deter"][0].startswith("events=")
    assert "states.D.actions=[build_arms]" in compiled["deter"]
    bad = yaml.safe_load(POLICIES.read_text())
    bad["policies"][1]["events"] = [{"step": 0, "actor": "D", "action": "charm"}]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(InputError) as err:
        load_policies(path, RIVAL)
    assert str(path) in str(err.value) and "policies[1]" in str(err.value)
    assert "charm" in str(err.value)
    bad = yaml.safe_load(POLICIES.read_text())
    bad["policies"][0]["tactics"] = "bluff"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ScenarioError) as err:
        load_policies(path, RIVAL)
    assert "policies.0.tactics" in str(err.value)


def test_robust_command_writes_json_with_the_documented_keys_and_a_report(tmp_path):
    out = tmp_path / "cmd"
    policies = _policy_file(tmp_path, [0.0, 1.0], replicates=20)
    args = ["robust", RIVAL, "--policies", str(policies), "--out", str(out), "--json"]
    done = runner.invoke(app, [*args, "--workers", "1"])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.stdout)
    for key in ("policies", "worlds", "outcomes", "regret", "choice"):
        assert key in payload
    assert set(payload["choice"]) == {"minimax_regret", "maximin", "mean", "satisficing"}
    assert json.loads((out / "robust.json").read_text()) == payload
    assert "data:image/png;base64," in (out / "report.html").read_text()
    (out / "report.html").unlink()
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    missing = runner.invoke(app, ["robust", RIVAL, "--policies", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "none.yaml" in missing.output
