"""Hostile or careless scenario input is refused with one clear error naming the file (or
``--set``), the field and the value: fast, without expanding what it should not, without
reading files outside the scenario's folder, and without printing a file's contents."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from secdilemma import InputError, ScenarioError, load_scenario
from secdilemma.model.scenario import apply_overrides, read_raw

ROOT = Path(__file__).parents[2]
BASE = "name: t\nsteps: 5\nstates: [{id: A}, {id: B}]\n"


@contextmanager
def deadline(seconds: float):
    """Fail (instead of hanging) if the block runs longer than ``seconds``."""

    def expire(_signum, _frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write(folder: Path, text: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def laughs(key: str = "bogus", levels: int = 9, width: int = 9) -> str:
    lines = [f"{key}:", '  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def problem_at(err: InputError, field: str) -> InputError:
    problems = err.problems if isinstance(err, ScenarioError) else [err]
    found = {p.field: p for p in problems}
    assert field in found, str(err)
    return found[field]


# --- the loader's limits ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["bogus", "description", "sources"])
def test_a_billion_laughs_is_refused_at_once(tmp_path, key):
    path = write(tmp_path, BASE + laughs(key))
    with deadline(5), pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "aliases expand the document" in message and "line " in info.value.field
    assert len(message) < 400


def test_an_alias_that_contains_itself_is_refused(tmp_path):
    path = write(tmp_path, BASE + "sources: &s [a, *s]\n")
    with deadline(5), pytest.raises(InputError) as info:
        load_scenario(path)
    assert "refers to a node that contains it" in str(info.value)


def test_anchors_and_aliases_within_bounds_still_work(scenario_dir):
    spec = load_scenario(scenario_dir / "statecraft" / "monitoring.yaml")
    assert spec.states[0].actions == spec.states[1].actions
    assert "build_arms" in spec.states[0].actions


@pytest.mark.parametrize(
    "value",
    ["[" * 1000 + "]" * 1000, "{a: " * 1000 + "1" + "}" * 1000, "[" * 40 + "]" * 40],
)
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path, value):
    path = write(tmp_path, BASE + f"description: {value}\n")
    with deadline(5), pytest.raises(InputError) as info:
        load_scenario(path)
    # ours, or (past 1,000 levels) LibYAML's own limit
    assert "nested deeper than" in str(info.value) or "nesting depth" in str(info.value)


def test_depth_brought_in_by_an_alias_counts(tmp_path):
    deep = "[" * 20 + "]" * 20
    path = write(tmp_path, BASE + f"x: &d {deep}\ny: [[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "nested deeper than" in str(info.value)


@pytest.mark.parametrize(
    "line",
    [
        "seed: " + "9" * 400,
        "parameters: {temperature: " + "9" * 400 + "}",
        "world: {depreciation: -" + "9" * 5000 + "}",
    ],
)
def test_a_400_digit_integer_is_refused(tmp_path, line):
    path = write(tmp_path, BASE + line + "\n")
    with deadline(5), pytest.raises(InputError) as info:
        load_scenario(path)
    assert "digits is too large" in str(info.value)
    assert len(str(info.value)) < 300


def test_a_huge_state_integer_is_refused_with_its_place(tmp_path):
    path = write(tmp_path, "name: t\nstates: [{id: A, greed: " + "9" * 400 + "}, {id: B}]\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == "line 2, column 25"


def test_large_integers_the_schema_bounds_are_named(tmp_path):
    path = write(tmp_path, BASE + "seed: " + "9" * 30 + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "less than or equal" in problem_at(info.value, "seed").problem


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    from secdilemma.model.safe_yaml import MAX_BYTES

    path = write(tmp_path, BASE + ("# padding\n" * (MAX_BYTES // 10 + 1)))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "larger than" in str(info.value)


def test_values_in_errors_are_bounded_and_never_expanded():
    from secdilemma.errors import bounded_repr

    shared: list = ["lol"] * 10
    for _ in range(30):  # 10**30 leaves if expanded
        shared = [shared] * 10
    cycle: list = [1]
    cycle.append(cycle)
    with deadline(2):
        for value in (shared, {"k" * 10**6: shared}, cycle, 10**5000, "x" * 10**7):
            text = bounded_repr(value)
            assert len(text) <= 80
    assert bounded_repr([1, "a", {"b": 2.5}]) == repr([1, "a", {"b": 2.5}])


# --- numbers: finite, bounded, YAML 1.2 ----------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "field", "words"),
    [
        ("states.A.greed={dist: uniform, low: .nan, high: 0.5}", "states[0].greed", "finite"),
        ("states.A.hubris={dist: normal, mean: 0.5, sd: .inf}", "states[0].hubris", "finite"),
        ("states.A.charity={dist: choice, values: [.nan]}", "states[0].charity", "finite"),
        ("parameters.temperature=.inf", "parameters.temperature", "finite"),
        ("parameters.security_weight=.inf", "parameters.security_weight", "finite"),
        ("parameters.security_weight=.nan", "parameters.security_weight", "finite"),
        ("relations=[{between: [A, B], distance: .inf}]", "relations[0].distance", "finite"),
        ("states.A.sensitivity={military: .nan}", "states[0].sensitivity.military", "finite"),
        ("world.offense_defense_balance=.inf", "world.offense_defense_balance", "finite"),
        ("parameters.foresight=1e9", "parameters.foresight", "less than or equal to 1000"),
        ("relations=[{between: [A, B], distance: 1e300}]", "relations[0].distance", "less"),
        ("states.A.offense=1e300", "states[0].offense", "must lie in"),
        ("states.A.hubris=1e9", "states[0].hubris", "must lie in"),
        ("parameters.hubris_scale=1e9", "parameters.hubris_scale", "less than or equal"),
        ("parameters.temperature=1e-300", "parameters.temperature", "greater than or equal"),
        ("states.A.sensitivity={military: 1e300}", "states[0].sensitivity", "must lie in"),
    ],
)
def test_nan_infinity_and_unbounded_values_are_refused(setting, field, words):
    with pytest.raises(ScenarioError) as info:
        load_scenario("two-security-seekers", [setting])
    assert words in problem_at(info.value, field).problem


def test_yaml_1_2_floats_are_numbers(tmp_path):
    path = write(
        tmp_path,
        "name: t\nstates: [{id: A, greed: 1e-3, hubris: 2E-1}, {id: B, charity: 5e-1}]\n"
        "parameters: {temperature: 1.0e-2, security_weight: -.5e1}\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    # the only problem is the negative weight, read as the number -5, not as text
    assert [p.field for p in info.value.problems] == ["parameters.security_weight"]
    assert info.value.problems[0].value == -5.0
    spec = load_scenario(path, ["parameters.security_weight=5e0", "parameters.cost_weight=1e-3"])
    assert spec.states[0].greed == 0.001 and spec.states[0].hubris == 0.2
    assert spec.states[1].charity == 0.5 and spec.parameters.temperature == 0.01
    assert spec.parameters.cost_weight == 0.001


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("states: [{id: A, greed: 1e400}, {id: B}]", "states[0].greed"),
        ("states: [{id: A}, {id: B}]\nparameters: {temperature: 1e400}", "parameters.temperature"),
        (
            "states: [{id: A}, {id: B}]\nworld: {observation_noise: -1E+999}",
            "world.observation_noise",
        ),
    ],
)
def test_a_float_that_overflows_is_refused_as_not_finite(tmp_path, line, field):
    path = write(tmp_path, f"name: t\n{line}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problem = problem_at(info.value, field)
    assert "finite" in problem.problem and "beyond the largest float" in problem.problem
    assert "1e400" in str(info.value) or "1E+999" in str(info.value)


def test_every_yaml_file_in_the_repository_reads_as_before():
    from secdilemma.model.safe_yaml import load_file

    paths = [
        *sorted((ROOT / "src" / "secdilemma").rglob("*.yaml")),
        *sorted((ROOT / "tests" / "scenarios").rglob("*.yaml")),
        *sorted((ROOT / "examples").rglob("*.yaml")),
    ]
    assert len(paths) > 20
    for path in paths:
        try:
            before = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:  # tests/scenarios/malformed.yaml
            with pytest.raises(InputError):
                load_file(path)
            continue
        assert load_file(path) == before, path


def test_defaults_are_unchanged():
    from secdilemma.model.parameters import CALIBRATED, Parameters

    spec = load_scenario("two-security-seekers")
    assert Parameters().foresight == 10
    assert Parameters().temperature == CALIBRATED["fitted"]["temperature"]
    assert spec.parameters == Parameters()


# --- catalogue paths ------------------------------------------------------------------------


def _catalog_scenario(folder: Path, catalog: str) -> Path:
    return write(
        folder, f"name: t\ncatalog: {catalog!r}\nstates: [{{id: A}}, {{id: B}}]\n", "s.yaml"
    )


FLAT = (
    "- {id: flat_signal, domain: diplomatic, cost: 0.02, costly_signal: true, "
    "hostility: -0.5, escalation: -2}\n"
)


@pytest.mark.parametrize("catalog", ["/etc/passwd", "../../x.yaml", "../outside.yaml"])
def test_a_catalog_outside_the_scenario_folder_is_refused(tmp_path, catalog):
    write(tmp_path, FLAT, "outside.yaml")
    write(tmp_path, FLAT, "x.yaml")
    path = _catalog_scenario(tmp_path / "a" / "b", catalog)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == "catalog"
    assert "scenario's folder" in info.value.problem
    assert "root:" not in str(info.value)


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    write(tmp_path, FLAT, "outside.yaml")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    with pytest.raises(InputError) as info:
        load_scenario(_catalog_scenario(tmp_path / "in", "link.yaml"))
    assert "scenario's folder" in info.value.problem


def test_a_catalog_in_the_folder_or_below_it_is_read(tmp_path):
    write(tmp_path, FLAT, "sub/flat.yaml")
    spec = load_scenario(_catalog_scenario(tmp_path, "sub/flat.yaml"))
    assert "flat_signal" in spec.action_catalog()
    absolute = load_scenario(_catalog_scenario(tmp_path, str(tmp_path / "sub" / "flat.yaml")))
    assert "flat_signal" in absolute.action_catalog()


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ("cost: .nan", "[0].cost"),
        ("self: {offense: .inf}", "[0].self.offense"),
        ("self: {wealth: 1e300}", "[0].self.wealth"),
        ("targeted: true, target: {defense: -5}", "[0].target.defense"),
        ("targeted: true, relation: {alliance: 1e9}", "[0].relation.alliance"),
    ],
)
def test_a_catalog_s_numbers_are_finite_and_bounded(tmp_path, entry, field):
    write(tmp_path, f"- {{id: surge, domain: military, escalation: 0, {entry}}}\n", "c.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(_catalog_scenario(tmp_path, "c.yaml"))
    problem_at(info.value, field)


def test_a_catalog_must_be_yaml(tmp_path):
    write(tmp_path, FLAT, "flat.txt")
    with pytest.raises(InputError) as info:
        load_scenario(_catalog_scenario(tmp_path, "flat.txt"))
    assert ".yaml" in info.value.problem


@pytest.mark.parametrize("text", ["secret-token-123\n", "{password: secret-token-123}\n"])
def test_a_catalog_file_s_contents_are_never_shown(tmp_path, text):
    write(tmp_path, text, "notes.yaml")
    with pytest.raises(InputError) as info:
        load_scenario(_catalog_scenario(tmp_path, "notes.yaml"))
    assert "secret-token" not in str(info.value)
    assert "expected a list of actions" in str(info.value)


def test_a_scenario_that_is_not_a_mapping_is_described_not_shown(tmp_path):
    path = write(tmp_path, "root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "root:x" not in str(info.value) and "mapping" in str(info.value)


# --- messages: suggestions, YAML syntax, --set ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "hint"),
    [
        ("states: [{id: A, gred: 0.1}, {id: B}]", "states[0].gred", "'greed'"),
        (
            "states: [{id: A}, {id: B}]\nparameters: {temperatur: 1}",
            "parameters.temperatur",
            "'temperature'",
        ),
        ("states: [{id: A}, {id: B}]\nwold: {}", "wold", "'world'"),
        (
            "states: [{id: A}, {id: B}]\nrelations: [{between: [A, BB]}]",
            "relations[0].between[1]",
            "'B'",
        ),
        (
            "states: [{id: A, actions: [biuld_arms]}, {id: B}]",
            "states[0].actions[0]",
            "'build_arms'",
        ),
        ("states: [{id: A, lens: bayesain}, {id: B}]", "states[0].lens", "'bayesian'"),
        (
            "states: [{id: A, greed: {dist: unifrom, low: 0, high: 1}}, {id: B}]",
            "states[0].greed",
            "'uniform'",
        ),
        (
            "states: [{id: A, greed: {dist: uniform, low: 0, hihg: 1}}, {id: B}]",
            "states[0].greed",
            "'high'",
        ),
        (
            "states: [{id: A}, {id: B}]\nparameters: {choice: sofmax}",
            "parameters.choice",
            "'softmax'",
        ),
    ],
)
def test_misspellings_get_a_suggestion(tmp_path, text, field, hint):
    path = write(tmp_path, f"name: t\n{text}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert f"did you mean {hint}" in problem_at(info.value, field).problem


def test_a_misspelt_bundled_name_gets_a_suggestion():
    with pytest.raises(InputError) as info:
        load_scenario("two-security-seeker")
    assert "did you mean 'two-security-seekers'" in str(info.value)


def test_a_yaml_syntax_error_has_no_stray_none(scenario_dir, tmp_path):
    path = write(tmp_path, "name: t\nstates: [{id: A}, {id: B}\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "None" not in message
    assert message.startswith(f"{path}: line 3, column 1: malformed YAML: ")
    assert "expected ',' or ']'" in message and "flow sequence at line 2, column 9" in message
    with pytest.raises(InputError) as info:
        load_scenario(scenario_dir / "malformed.yaml")
    assert "None" not in str(info.value)


def test_a_missing_key_shows_no_value(scenario_dir):
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_dir / "missing_key.yaml")
    assert any(
        line.endswith("name: required key is missing") for line in str(info.value).splitlines()
    )
    assert "None" not in str(info.value)


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("world.nonexistent=1", "world.nonexistent"),
        ("states.A.greed=1.3", "states[0].greed"),
        ("relations=5", "relations"),
        ("parameters.temperature=.inf", "parameters.temperature"),
        ("catalog=/etc/passwd", "catalog"),
    ],
)
def test_errors_in_a_set_value_name_set(setting, field):
    with pytest.raises(InputError) as info:
        load_scenario("two-security-seekers", [setting])
    problem = problem_at(info.value, field)
    assert problem.source == "--set", str(info.value)


def test_errors_in_the_file_still_name_the_file(scenario_dir):
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_dir / "bad_probability.yaml", ["world.distinguishability=2"])
    sources = {p.field: p.source for p in info.value.problems}
    assert sources["states[0].greed"].endswith("bad_probability.yaml")
    assert sources["world.distinguishability"] == "--set"


def test_a_set_value_that_is_not_yaml_names_set():
    with pytest.raises(InputError) as info:
        apply_overrides({"name": "x"}, ["name=[unclosed"], "x.yaml")
    assert info.value.source == "--set" and "not valid YAML" in info.value.problem


# --- the order: validation, then calibration -----------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        "relations=5",
        "states=5",
        "states=[5]",
        "states=[{id: RUS, offense: 1}]",
        "parameters=5",
        "relations=[{between: 5}]",
        "calibration.states=5",
        "calibration.year=1e400",
        "calibration.offense_share={RUS: .nan}",
        "calibration.states.RUS=[RUSS]",
    ],
)
def test_a_calibrated_scenario_is_validated_before_it_is_calibrated(setting):
    with pytest.raises(InputError) as info:
        load_scenario("nato-russia", [setting])
    assert info.value.source == "--set" or "calibration" in str(info.value), str(info.value)


def test_read_raw_refuses_a_list(tmp_path):
    with pytest.raises(InputError) as info:
        read_raw(write(tmp_path, "[1, 2, 3]\n"))
    assert "mapping" in str(info.value)
