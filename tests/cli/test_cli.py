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


# --- the output is checked before computing; the report's path is printed ----------------------


def _computing_refused(monkeypatch):
    import importlib

    def refuse(*_args, **_kwargs):
        raise AssertionError("computed before checking the output directory")

    # Where they are defined (the commands import them when they run) and, if the command
    # module holds them too, there. Every module is imported before any is patched, so that
    # none binds the refusing stand-in for good.
    targets = [
        (importlib.import_module(module), name)
        for module, name in (
            ("secdilemma.engine.pipeline", "run_ensemble"),
            ("secdilemma.analysis.compare", "compare"),
            ("secdilemma.cli.app", "run_ensemble"),
            ("secdilemma.cli.app", "compare"),
        )
    ]
    for module, name in targets:
        monkeypatch.setattr(module, name, refuse, raising=False)


def test_an_unwritable_out_fails_before_computing_with_one_error(tmp_path, monkeypatch):
    _computing_refused(monkeypatch)
    (tmp_path / "plain").write_text("a file, not a folder")
    target = tmp_path / "plain" / "out"
    for command in ("run", "compare"):
        result = runner.invoke(app, [command, "two-security-seekers", "--out", str(target)])
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --out: <directory>: "), lines
        assert str(target) in lines[0] and "Traceback" not in result.output
    assert (tmp_path / "plain").read_text() == "a file, not a folder"


def test_a_full_disk_fails_before_computing(tmp_path, monkeypatch):
    import errno
    import os

    _computing_refused(monkeypatch)

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    for command in ("run", "compare"):
        result = runner.invoke(app, [command, "two-security-seekers", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        assert "No space left on device" in result.output
        assert result.output.count("error:") == 1
    assert list(tmp_path.iterdir()) == []


def test_chunk_size_zero_is_refused(tmp_path):
    for command in ("run", "compare"):
        args = [command, "two-security-seekers", "--chunk-size", "0", "--out", str(tmp_path / "o")]
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "chunk-size" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_run_and_compare_end_by_printing_where_the_report_is(tmp_path):
    small = ["--replicates", "5", "--steps", "3"]
    for command in ("run", "compare"):
        out = tmp_path / command
        result = runner.invoke(app, [command, "two-security-seekers", *small, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert (out / "report.html").is_file()
        assert result.output.strip().splitlines()[-1] == f"report: {out / 'report.html'}"


def test_the_terminal_summary_leads_with_wars_the_scenario_does_not_schedule(tmp_path):
    # nato-russia schedules Crimea (a war) in 2014: every replicate has that war.
    args = ["run", "nato-russia", "--replicates", "20", "--out", str(tmp_path / "n")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "n" / "summary.json").read_text())
    assert summary["p_war"] == 1.0 and summary["p_war_unscheduled"] < 1.0
    text = " ".join(result.output.split())
    lead = "A war the scenario schedules happens in every replicate (20 of 20);"
    assert lead in text
    unscheduled = f"wars it does not schedule: {summary['p_war_unscheduled']:.3f}"
    assert unscheduled in text
    assert text.index(lead) < text.index("p(war")
    plain = runner.invoke(
        app, ["run", "two-security-seekers", "--replicates", "5", "--out", str(tmp_path / "t")]
    )
    assert plain.exit_code == 0 and "schedules" not in plain.output


# --- hostile and careless input: one clean error line, exit 2, never a traceback -------------


def _laughs() -> str:
    lines = ["bogus:", '  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 9):
        lines.append(f"  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "laughs": ("name: t\nstates: [{id: A}, {id: B}]\n" + _laughs(), "aliases expand"),
    "digits": ("name: t\nseed: " + "9" * 400 + "\nstates: [{id: A}, {id: B}]\n", "digits"),
    "nesting": ("name: t\nstates: [{id: A}, {id: B}]\nx: " + "[" * 1000 + "]" * 1000, "nest"),
    "nan": ("name: t\nstates: [{id: A, greed: {dist: uniform, low: .nan}}, {id: B}]\n", "finite"),
    "overflow": (
        "name: t\nstates: [{id: A}, {id: B}]\nparameters: {temperature: 1e400}\n",
        "1e400",
    ),
    "catalog": ("name: t\ncatalog: /etc/passwd\nstates: [{id: A}, {id: B}]\n", "scenario's folder"),
}


def test_hostile_files_give_one_error_and_exit_2(tmp_path):
    for name, (text, words) in HOSTILE.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        for args in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
            result = runner.invoke(app, args)
            assert result.exit_code == 2, (name, result.output, result.exception)
            assert "Traceback" not in result.output and words in result.output, name
            assert result.output.count("error:") == 1 and len(result.output) < 600, name
    assert not (tmp_path / "o").exists()


def test_set_of_the_wrong_shape_on_a_calibrated_scenario_exits_2(tmp_path):
    for setting in ("relations=5", "states=5"):
        result = _run(tmp_path, "nato-russia", "--set", setting)
        assert result.exit_code == 2, (setting, result.output, result.exception)
        field = setting.split("=")[0]
        assert f"error: --set: {field}: 5: " in result.output


def test_an_error_in_a_set_value_names_set(tmp_path):
    result = _run(tmp_path, "two-security-seekers", "--set", "world.nonexistent=1")
    assert result.exit_code == 2
    assert result.output.startswith("error: --set: world.nonexistent: 1: unknown key")


def test_error_text_is_printed_as_it_is(tmp_path):
    # Rich would read "[bold]" as markup and ":x:" as an emoji.
    (tmp_path / "extra.yaml").write_text(
        "- {id: 'root:x:0:0 [bold]b[/] :thumbs_up:', domain: military, escalation: 0}\n"
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: t\ncatalog: extra.yaml\nstates: [{id: A}, {id: B}]\n")
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert "'root:x:0:0 [bold]b[/] :thumbs_up:'" in result.output
    assert "❌" not in result.output and "👍" not in result.output


def test_a_misspelt_key_gets_a_suggestion_on_the_command_line(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: t\nstates: [{id: A, gred: 0.5}, {id: B}]\n")
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert "states[0].gred: 0.5: unknown key (did you mean 'greed'?)" in result.output


def test_a_lens_for_a_file_whose_states_are_not_a_list_is_a_named_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstates: 5\n")
    result = runner.invoke(
        app, ["run", str(bad), "--lens", "bayesian", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    assert "states" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
