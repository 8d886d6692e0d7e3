"""Bad scenario files give one clear error naming file, field and value."""

import pytest

from secdilemma import InputError, ScenarioError, load_scenario
from secdilemma.model.scenario import apply_overrides


@pytest.mark.parametrize(
    ("name", "field", "value", "words"),
    [
        ("unknown_state.yaml", "relations[0].between[1]", "Z", "unknown state id"),
        ("unknown_action.yaml", "events[0].action", "launch_charm_offensive", "unknown action"),
        ("bad_probability.yaml", "states[0].greed", 1.3, "[0, 1]"),
        ("missing_key.yaml", "name", None, "required key is missing"),
        ("bad_distribution.yaml", "states[0].charity", None, "[0, 1]"),
    ],
)
def test_named_errors(scenario_dir, name, field, value, words):
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_dir / name)
    problems = {p.field: p for p in info.value.problems}
    assert field in problems, str(info.value)
    problem = problems[field]
    assert problem.source.endswith(name)
    if value is not None:
        assert problem.value == value
    assert words in problem.problem
    assert name in str(info.value) and field in str(info.value)


def test_missing_states_reported_with_name(scenario_dir):
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_dir / "missing_key.yaml")
    assert {"name", "states"} <= {p.field for p in info.value.problems}


def test_unknown_distribution_named(scenario_dir):
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_dir / "bad_distribution.yaml")
    problem = next(p for p in info.value.problems if p.field == "states[1].greed")
    assert "unknown distribution 'gamma'" in problem.problem


def test_malformed_yaml_names_line(scenario_dir):
    with pytest.raises(InputError) as info:
        load_scenario(scenario_dir / "malformed.yaml")
    assert "malformed.yaml" in str(info.value)
    assert "line" in info.value.field
    assert "malformed YAML" in info.value.problem


def test_missing_file():
    with pytest.raises(InputError) as info:
        load_scenario("no/such/scenario.yaml")
    assert "no such scenario file" in str(info.value)


def test_a_directory_named_like_a_bundled_scenario_does_not_hide_it(tmp_path, monkeypatch):
    # e.g. the output directory of an earlier run in the working directory
    (tmp_path / "two-security-seekers").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_scenario("two-security-seekers").name == "two-security-seekers"


def test_unknown_bundled_name_lists_the_bundled_ones():
    with pytest.raises(InputError) as info:
        load_scenario("atlantis")
    assert "two-security-seekers" in str(info.value)


def test_set_on_unknown_state_is_named():
    raw = {"name": "x", "states": [{"id": "A"}, {"id": "B"}]}
    with pytest.raises(InputError) as info:
        apply_overrides(raw, ["states.Q.greed=0.5"], "x.yaml")
    assert "states.Q.greed" in str(info.value)


def test_set_reaches_states_by_id_and_world():
    raw = {"name": "x", "states": [{"id": "A"}, {"id": "B"}]}
    out = apply_overrides(raw, ["states.B.greed=0.8", "world.offense_defense_balance=2"], "x")
    assert out["states"][1]["greed"] == 0.8
    assert out["world"]["offense_defense_balance"] == 2
    assert "greed" not in raw["states"][1]  # the original is untouched


def test_event_target_rules(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\nsteps: 5\nstates: [{id: A}, {id: B}]\n"
        "events:\n  - {step: 1, actor: A, action: invade}\n"
        "  - {step: 9, actor: A, action: build_arms, target: B}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    fields = {p.field: p.problem for p in info.value.problems}
    assert "needs a target" in fields["events[0].target"]
    assert "after the last step" in fields["events[1].step"]
    assert "takes no target" in fields["events[1].target"]


def test_two_events_of_one_actor_in_one_step_are_an_error_naming_both(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\nsteps: 12\nstates: [{id: A}, {id: B}]\n"
        "events:\n  - {step: 0, every: 3, actor: A, action: build_arms}\n"
        "  - {step: 2, actor: B, action: build_arms}\n"  # another actor: fine
        "  - {step: 4, actor: A, action: alert_forces}\n"  # between A's builds: fine
        "  - {step: 1, every: 4, actor: A, action: military_exercise, target: B}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.field == "events[3].step" and problem.value == 1
    # Steps 1, 5, 9: 9 is A's build (0, 3, 6, 9); 5 is free; the clash named is the first.
    assert "events[0]" in problem.problem and "build_arms" in problem.problem
    assert "at step 9" in problem.problem and "one act a step" in problem.problem


def test_every_bundled_scenario_schedules_one_act_a_state_a_step():
    from secdilemma.model.scenario import bundled_names

    for name in bundled_names():
        load_scenario(name)  # raises on a clash


@pytest.mark.parametrize(
    ("sets", "field", "words"),
    [
        (
            ["world_changes=[{step: 99, offense_defense_balance: 2}]"],
            "world_changes[0].step",
            "after the last step",
        ),
        (
            ["world_changes=[{step: 1, distinguishability: 1.5}]"],
            "world_changes[0].distinguishability",
            "[0, 1]",
        ),
        (
            ["relations=[{between: [A, B], dependence: {C: 0.2}}]"],
            "relations[0].dependence.C",
            "not one of the pair",
        ),
        (["relations=[{between: [A, B], false_alarm: 2}]"], "relations[0].false_alarm", "[0, 1]"),
        (
            ["events=[{step: 5, until: 3, every: 1, actor: A, action: wait}]"],
            "events[0].until",
            "may not come before",
        ),
        (
            ["events=[{step: 5, until: 8, actor: A, action: wait}]"],
            "events[0].until",
            "needs 'every'",
        ),
    ],
)
def test_statecraft_fields_are_checked(sets, field, words):
    with pytest.raises(ScenarioError) as info:
        load_scenario("two-security-seekers", ["steps=20", *sets])
    problems = {p.field: p for p in info.value.problems}
    assert field in problems, str(info.value)
    assert words in problems[field].problem
