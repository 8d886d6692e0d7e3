"""The command line: run, validate, actions, scenarios; errors exit non-zero and write nothing."""

import json

from typer.testing import CliRunner

from secdilemma.cli.app import app

runner = CliRunner()
SUMMARY_KEYS = {
    "p_war",
    "p_war_pair",
    "p_spiral",
    "p_tragic_spiral",
    "security_change",
    "arms_change",
    "belief_greedy",
    "perceived_threat",
    "escalation_score_mean",
    "acts",
}


def _run(tmp_path, *args):
    return runner.invoke(app, ["run", *args, "--out", str(tmp_path / "out"), "--json"])


def test_run_json_has_every_key_and_writes_all_files(tmp_path):
    result = _run(tmp_path, "two-security-seekers", "--replicates", "40", "--steps", "20")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert SUMMARY_KEYS <= summary.keys()
    assert set(summary["p_war_pair"]) == {"A-B"}
    assert set(summary["belief_greedy"]) == {"A->B", "B->A"}
    assert set(summary["security_change"]) == {"A", "B"}
    assert 0.0 <= summary["p_war"] <= 1.0
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == {
        "runs.parquet",
        "trajectories.parquet",
        "events.parquet",
        "summary.json",
        "manifest.json",
        "report.html",
    }
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["replicates"] == 40
    assert manifest["scenario"]["states"][0]["id"] == "A"


def test_run_twice_gives_byte_identical_summary(tmp_path):
    args = ["two-security-seekers", "--replicates", "60", "--steps", "30", "--seed", "3"]
    first = runner.invoke(app, ["run", *args, "--out", str(tmp_path / "a"), "--json"])
    second = runner.invoke(app, ["run", *args, "--out", str(tmp_path / "b"), "--json"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()


def test_set_and_lens_change_the_run(tmp_path):
    base = ["two-security-seekers", "--replicates", "50", "--steps", "30"]
    plain = json.loads(_run(tmp_path / "p", *base).stdout)
    bayes = _run(tmp_path / "b", *base, "--lens", "bayesian")
    assert bayes.exit_code == 0, bayes.output
    offense = _run(tmp_path / "o", *base, "--set", "world.offense_defense_balance=3")
    assert json.loads(offense.stdout)["arms_change"] != plain["arms_change"]
    manifest = json.loads((tmp_path / "b" / "out" / "manifest.json").read_text())
    assert {s["lens"] for s in manifest["scenario"]["states"]} == {"bayesian"}


def test_bad_scenario_exits_nonzero_and_leaves_nothing(tmp_path, scenario_dir):
    result = runner.invoke(
        app, ["run", str(scenario_dir / "bad_probability.yaml"), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "states[0].greed" in result.output and "1.3" in result.output
    assert not (tmp_path / "x").exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_set_value_exits_nonzero(tmp_path):
    result = runner.invoke(
        app,
        [
            "run",
            "two-security-seekers",
            "--set",
            "world.distinguishability=2",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code == 2
    assert "world.distinguishability" in result.output
    assert not (tmp_path / "x").exists()


def test_unknown_lens_is_rejected(tmp_path):
    result = _run(tmp_path, "two-security-seekers", "--lens", "marxist")
    assert result.exit_code == 2 and "marxist" in result.output


def test_validate(scenario_dir):
    ok = runner.invoke(app, ["validate", "nato-russia"])
    assert ok.exit_code == 0 and "ok" in ok.output
    bad = runner.invoke(app, ["validate", str(scenario_dir / "unknown_action.yaml")])
    assert bad.exit_code == 2
    assert "events[0].action" in bad.output and "launch_charm_offensive" in bad.output


def test_listings():
    acts = runner.invoke(app, ["actions"])
    assert acts.exit_code == 0 and "norms_advocacy" in acts.output
    scen = runner.invoke(app, ["scenarios"])
    assert scen.exit_code == 0
    for name in ("two-security-seekers", "greedy-vs-security-seeker", "nato-russia"):
        assert name in scen.output


def test_an_error_while_writing_leaves_no_directory(tmp_path, monkeypatch):
    import secdilemma.experiments.results as results

    def broken(_ens):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "events_table", broken)
    result = runner.invoke(
        app,
        [
            "run",
            "two-security-seekers",
            "--replicates",
            "5",
            "--steps",
            "3",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []  # neither the result nor its staging directory


def test_refuses_to_overwrite_a_non_empty_directory(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = _run(tmp_path, "two-security-seekers", "--replicates", "5", "--steps", "3")
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
