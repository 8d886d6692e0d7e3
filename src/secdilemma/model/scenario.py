"""Scenario files: the YAML schema, loading, ``--set`` overrides and cross-checks.

Every problem is reported as an :class:`~secdilemma.errors.InputError` naming the file, the field
path (``states[1].greed``) and the offending value. A problem in a value given by ``--set`` names
``--set`` as its source.

Nothing reads a scenario's values before they are checked: the file is read within the limits
of ``safe_yaml`` (size, nesting, aliases, numbers), the mapping is validated against the
schema, and only then does a ``calibration:`` block compute values from it (and the result is
validated again). A ``catalog:`` file must lie in the scenario's folder (or below it).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from secdilemma.errors import MAX_PROBLEMS, NO_VALUE, InputError, Kind, ScenarioError
from secdilemma.model import safe_yaml
from secdilemma.model.actions import Catalog, Domain, load_catalog
from secdilemma.model.distributions import (
    Balance,
    GrowthRate,
    Hubris,
    Noise,
    NonNegative,
    Positive,
    Probability,
)
from secdilemma.model.messages import did_you_mean, field_path, problems_from
from secdilemma.model.parameters import Parameters
from secdilemma.model.registry import LENS_REGISTRY, POLICY_REGISTRY

# A state's lens and policy are names in their registries (model/registry.py).
Lens = Annotated[str, AfterValidator(LENS_REGISTRY.check)]
Policy = Annotated[str, AfterValidator(POLICY_REGISTRY.check)]
LENSES: tuple[str, ...] = LENS_REGISTRY.names()


# Upper bounds of fields with no natural one (docs/scenarios.md): generous, and finite.
MAX_DISTANCE = 1e9
MAX_SENSITIVITY = 1000.0
MAX_SEED = 2**63 - 1  # the seed is stored as a 64-bit integer (runs.parquet)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, allow_inf_nan=False)


class World(_Strict):
    """Global conditions, the same for every state (each may be a distribution)."""

    offense_defense_balance: Balance = 1.0
    distinguishability: Probability = 0.5
    observation_noise: Noise = 0.0
    depreciation: Probability = 0.02
    deterrent_half: Positive = 1.0


class CharityChoice(_Strict):
    """A state that chooses its charity toward each other state every step, within
    [low, high], by the expected-utility rule of docs/model.md section 11 (its prudence weighs
    the spread of outcomes under doubt about the other's type); or, with ``hold``, keeps the
    charity it starts with toward each state."""

    low: float = Field(default=0.05, ge=0.0, le=1.0)
    high: float = Field(default=0.95, ge=0.0, le=1.0)
    # The comparator: the reading held where it starts for the whole run, unmoved by choice or
    # by social learning ("what choosing did" is the chosen run against this one).
    hold: bool = False

    @field_validator("high")
    @classmethod
    def _ordered(cls, high: float, info: Any) -> float:
        low = info.data.get("low")
        if low is not None and high < low:
            raise ValueError(f"high must be at least low ({low})")
        return high


class StateSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str | None = None
    offense: NonNegative = 1.0
    defense: NonNegative = 1.0
    deterrent: NonNegative = 0.0
    wealth: Positive = 1.0
    growth: GrowthRate = 0.02
    greed: Probability = 0.0
    prudence: Probability = 0.0
    hubris: Hubris = 0.0
    charity: Probability = 0.5
    # Charity as a choice: the state's reading of each other state is chosen every step, from
    # ``charity`` at the start (docs/model.md section 11).
    charity_choice: CharityChoice | None = None
    empathy: Probability = 0.0
    credibility: Probability = 1.0
    nuclear_option: bool = False
    lens: Lens = "structural"
    sensitivity: dict[Domain, float] = Field(default_factory=dict)
    policy: Policy = "expected_utility"
    actions: list[str] | None = None
    exclude_actions: list[str] = Field(default_factory=list)

    @field_validator("sensitivity")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for domain, weight in value.items():
            if not 0 <= weight <= MAX_SENSITIVITY:
                raise ValueError(
                    f"sensitivity to {domain!r} must lie in [0, {MAX_SENSITIVITY:g}], got {weight}"
                )
        return value


class Relation(_Strict):
    """A pair's starting relation. ``monitoring`` is the quality of mutual monitoring (it raises
    the detection of covert acts and violations and lowers the pair's observation noise);
    ``false_alarm`` the chance per step that the institution wrongly reports one (default
    ``parameters.monitoring_false_alarm``); ``dependence`` maps a state to its dependence on
    the other (the share of its economy a cut-off would cost it, as with energy imports);
    ``prospect`` means one side has been promised membership of the other's alliance."""

    between: tuple[str, str]
    distance: float | None = Field(default=None, ge=0, le=MAX_DISTANCE)
    trust: Probability = 0.5
    alliance: bool = False
    agreement: bool = False
    monitoring: Probability = 0.0
    false_alarm: Probability | None = None
    hotline: bool = False
    prospect: bool = False
    dependence: dict[str, Probability] = Field(default_factory=dict)


class Belief(_Strict):
    """What ``of`` thinks of ``about``: its prior that ``about`` is greedy, and optionally its
    charity toward ``about`` (otherwise its general charity). Either side may be a list of
    states: the entry then applies to every pair of distinct states from the two lists (each
    drawing its own value where it is a distribution)."""

    of: str | list[str]
    about: str | list[str]
    greedy: Probability | None = None
    charity: Probability | None = None

    def pairs(self) -> list[tuple[str, str]]:
        first = [self.of] if isinstance(self.of, str) else self.of
        second = [self.about] if isinstance(self.about, str) else self.about
        return [(a, b) for a in first for b in second if a != b]


class Event(_Strict):
    """A scheduled act: at ``step`` (and, with ``every``, every that many steps up to and
    including ``until``, default the last step) ``actor`` takes ``action``."""

    step: int = Field(ge=0)
    actor: str
    action: str
    target: str | None = None
    every: int | None = Field(default=None, ge=1)
    until: int | None = Field(default=None, ge=0)

    def steps(self, last: int) -> range:
        if self.every is None:
            return range(self.step, self.step + 1)
        end = last if self.until is None else min(self.until, last)
        return range(self.step, end + 1, self.every)


class RecordEvent(_Strict):
    """A fact of the historical record the ensemble can reproduce or not: ``actor`` starts a
    war of aggression against ``target`` between ``from_step`` and ``by_step`` (inclusive), or,
    with ``occurred: false``, does not (``target`` may be ``any``)."""

    description: str
    actor: str
    target: str
    occurred: bool = True
    from_step: int = Field(default=0, ge=0)
    by_step: int = Field(ge=0)


class WorldChange(_Strict):
    """A change to the world's conditions from ``step`` on (new technology, doctrine, sensors).
    Each given value replaces the current one and may be a distribution."""

    step: int = Field(ge=0)
    offense_defense_balance: Balance | None = None
    distinguishability: Probability | None = None
    observation_noise: Noise | None = None
    note: str = ""


class Scenario(_Strict):
    name: str
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    steps: int = Field(default=100, ge=1, le=100_000)
    start_year: int | None = None  # the calendar year of step 0, where a step is a year
    replicates: int = Field(default=1000, ge=1, le=10_000_000)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    world: World = Field(default_factory=World)
    states: list[StateSpec] = Field(min_length=2)
    relations: list[Relation] = Field(default_factory=list)
    beliefs: list[Belief] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    world_changes: list[WorldChange] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)
    catalog: str | None = None
    calibration: dict[str, Any] | None = None  # checked and applied by calibration.calibrate
    record: list[RecordEvent] = Field(default_factory=list)
    # Steps before it replay the record (events imported from event data, every other state
    # waiting); the model takes over from it (docs/events.md).
    history_until: int | None = Field(default=None, ge=1, le=100_000)

    def action_catalog(self) -> Catalog:
        """The bundled catalogue with this scenario's extra actions, if any."""
        return load_catalog(extra=self.catalog)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.states]


def check_references(scenario: Scenario, catalog: Catalog, source: str) -> list[InputError]:
    """Cross-field checks pydantic cannot see: ids, actions, targets, steps."""
    problems: list[InputError] = []
    ids = scenario.ids
    if scenario.history_until is not None and scenario.history_until > scenario.steps:
        problems.append(
            InputError(
                source,
                "history_until",
                scenario.history_until,
                f"after the last step; the scenario has {scenario.steps} steps",
            )
        )
    seen: set[str] = set()
    for n, state in enumerate(scenario.states):
        if state.id in seen:
            problems.append(InputError(source, f"states[{n}].id", state.id, "duplicate state id"))
        seen.add(state.id)

    shown = str(ids) if len(ids) <= 20 else f"{ids[:20]} and {len(ids) - 20} more"

    def hint(word: str, choices: Sequence[str]) -> str:
        # Only for the problems an error shows: a file may hold a hundred thousand.
        return did_you_mean(word, choices) if len(problems) < MAX_PROBLEMS else ""

    def known(field: str, value: str) -> None:
        if value not in ids:
            problems.append(
                InputError(
                    source, field, value, f"unknown state id{hint(value, ids)}; known: {shown}"
                )
            )

    def unknown_action(field: str, action: str) -> InputError:
        return InputError(source, field, action, f"unknown action id{hint(action, catalog.ids)}")

    pairs: set[frozenset[str]] = set()
    for n, rel in enumerate(scenario.relations):
        a, b = rel.between
        known(f"relations[{n}].between[0]", a)
        known(f"relations[{n}].between[1]", b)
        if a == b:
            problems.append(
                InputError(source, f"relations[{n}].between", [a, b], "a relation needs two states")
            )
        elif frozenset((a, b)) in pairs:
            problems.append(
                InputError(source, f"relations[{n}].between", [a, b], "duplicate relation")
            )
        pairs.add(frozenset((a, b)))
        for state in rel.dependence:
            if state not in rel.between:
                problems.append(
                    InputError(
                        source,
                        f"relations[{n}].dependence.{state}",
                        state,
                        f"not one of the pair {list(rel.between)}",
                    )
                )
    for n, fact in enumerate(scenario.record):
        known(f"record[{n}].actor", fact.actor)
        if fact.target != "any":
            known(f"record[{n}].target", fact.target)
        if fact.from_step > fact.by_step:
            problems.append(
                InputError(source, f"record[{n}].from_step", fact.from_step, "after by_step")
            )
        if fact.by_step >= scenario.steps:
            problems.append(
                InputError(
                    source,
                    f"record[{n}].by_step",
                    fact.by_step,
                    f"after the last step ({scenario.steps - 1})",
                )
            )
    for n, change in enumerate(scenario.world_changes):
        if change.step >= scenario.steps:
            problems.append(
                InputError(
                    source,
                    f"world_changes[{n}].step",
                    change.step,
                    f"after the last step ({scenario.steps - 1})",
                )
            )
    for n, belief in enumerate(scenario.beliefs):
        for side in ("of", "about"):
            names = getattr(belief, side)
            for m, name in enumerate([names] if isinstance(names, str) else names):
                known(f"beliefs[{n}].{side}" + ("" if isinstance(names, str) else f"[{m}]"), name)
        if not belief.pairs():
            problems.append(
                InputError(
                    source, f"beliefs[{n}].about", belief.about, "only beliefs about oneself"
                )
            )
    for n, state in enumerate(scenario.states):
        for key in ("actions", "exclude_actions"):
            for m, action in enumerate(getattr(state, key) or []):
                if action not in catalog:
                    problems.append(unknown_action(f"states[{n}].{key}[{m}]", action))
                elif key == "exclude_actions" and action == "wait":
                    problems.append(
                        InputError(source, f"states[{n}].{key}[{m}]", action, "wait stays")
                    )
    for n, event in enumerate(scenario.events):
        known(f"events[{n}].actor", event.actor)
        if event.step >= scenario.steps:
            problems.append(
                InputError(
                    source,
                    f"events[{n}].step",
                    event.step,
                    f"after the last step ({scenario.steps - 1})",
                )
            )
        if event.until is not None and (event.every is None or event.until < event.step):
            problems.append(
                InputError(
                    source,
                    f"events[{n}].until",
                    event.until,
                    "needs 'every' and may not come before 'step'",
                )
            )
        if event.action not in catalog:
            problems.append(unknown_action(f"events[{n}].action", event.action))
            continue
        targeted = bool(catalog.targeted[catalog.index(event.action)])
        if targeted and event.target is None:
            problems.append(
                InputError(source, f"events[{n}].target", None, f"{event.action!r} needs a target")
            )
        elif not targeted and event.target is not None:
            problems.append(
                InputError(
                    source,
                    f"events[{n}].target",
                    event.target,
                    f"{event.action!r} is self-directed and takes no target",
                )
            )
        elif event.target is not None:
            known(f"events[{n}].target", event.target)
            if event.target == event.actor:
                problems.append(
                    InputError(source, f"events[{n}].target", event.target, "targets its actor")
                )
    problems += _overlapping_events(scenario, source)
    return problems


def _overlapping_events(scenario: Scenario, source: str) -> list[InputError]:
    """Two events of one actor in one step: a state takes one act a step, and its scheduled
    act replaces its choice, so one of the two would be lost without a word."""
    problems: list[InputError] = []
    owner: dict[str, np.ndarray] = {}
    for n, event in enumerate(scenario.events):
        if event.step >= scenario.steps or len(problems) >= MAX_PROBLEMS:
            continue  # reported above, or enough said
        steps = owner.setdefault(event.actor, np.full(scenario.steps, -1, dtype=np.int64))
        last = scenario.steps - 1 if event.until is None else min(event.until, scenario.steps - 1)
        span = slice(event.step, last + 1, event.every or scenario.steps)
        taken = steps[span]
        clash = np.flatnonzero(taken >= 0)
        if clash.size:
            step = event.step + int(clash[0]) * (event.every or 0)
            other = int(taken[clash[0]])
            problems.append(
                InputError(
                    source,
                    f"events[{n}].step",
                    event.step,
                    f"{event.actor} already takes events[{other}]'s act "
                    f"({scenario.events[other].action}) at step {step}: a state takes one act "
                    "a step, so schedule one of them in another step",
                )
            )
        steps[span] = np.where(taken >= 0, taken, n)
    return problems


def parse_scenario(
    raw: Any, source: str, catalog: Catalog | None = None, overridden: Sequence[str] = ()
) -> Scenario:
    """Validate a raw mapping (as read from YAML) into a :class:`Scenario`.

    ``overridden`` lists the fields (``states[0].greed``) that ``--set`` gave: a problem in
    one of them, or below it, names ``--set`` as its source instead of ``source``."""
    try:
        return _parse(raw, source, catalog)
    except ScenarioError as err:
        raise ScenarioError([_blame(p, source, overridden) for p in err.problems]) from None
    except InputError as err:
        raise _blame(err, source, overridden) from None


def _blame(problem: InputError, source: str, overridden: Sequence[str]) -> InputError:
    """``problem`` with ``--set`` as its source if it lies in a field ``--set`` gave."""
    if problem.source != source or not any(
        problem.field == field or problem.field.startswith((f"{field}.", f"{field}["))
        for field in overridden
    ):
        return problem
    return InputError("--set", problem.field, problem.value, problem.problem)


def _validated(raw: dict[str, Any], source: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, source, raw, Scenario)) from None


def _parse(raw: Any, source: str, catalog: Catalog | None) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(
            [InputError(source, "<root>", Kind(raw), "a scenario must be a mapping of keys")]
        )
    # Every value is checked before anything uses one: the calibration reads states,
    # relations and parameters, so it runs on a mapping that has passed the schema.
    scenario = _validated(raw, source)
    if raw.get("calibration") is not None:
        # Imported here: the COW tables need pandas, which listing scenarios does not.
        from secdilemma.model.calibration import calibrate

        raw = calibrate(raw, source)
        scenario = _validated(raw, source)
    if scenario.catalog is not None:
        extra = catalog_path(scenario.catalog, source)
        scenario = scenario.model_copy(update={"catalog": str(extra)})
    if catalog is None:
        catalog = scenario.action_catalog()
    problems = check_references(scenario, catalog, source)
    if problems:
        raise ScenarioError(problems)
    return scenario


def catalog_path(name: str, source: str) -> Path:
    """The scenario's ``catalog:`` file: a ``.yaml`` (or ``.yml``) file in the scenario's folder
    or below it (or in the package's own folder), by a path relative to the scenario file or
    an absolute one. Any other path is an error, which never shows the file's contents."""

    def refuse(problem: str) -> InputError:
        return InputError(source, "catalog", name, problem)

    if "\x00" in name:
        raise refuse("not a path")
    folder = Path(source).parent
    try:
        path = Path(name)
        resolved = (path if path.is_absolute() else folder / path).resolve()
        roots = [folder.resolve(), Path(str(resources.files("secdilemma.model"))).resolve()]
        inside = any(resolved.is_relative_to(root) for root in roots)
        is_file = resolved.is_file()
    except (OSError, ValueError, RuntimeError) as err:
        raise refuse(f"not a usable path ({type(err).__name__})") from None
    if not inside:
        raise refuse("a catalogue must be a file in the scenario's folder or below it")
    if resolved.suffix not in (".yaml", ".yml"):
        raise refuse("a catalogue must be a .yaml or .yml file")
    if not is_file:
        raise refuse("no such catalogue file")
    return resolved


def bundled_dir() -> Path:
    return Path(str(resources.files("secdilemma.model") / "scenarios"))


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def resolve_path(name_or_path: str | Path) -> Path:
    """A bundled scenario's name, or a path to a YAML file."""
    text = str(name_or_path)
    try:
        candidate = Path(name_or_path)
        suffix, is_file = candidate.suffix, candidate.is_file()
    except (OSError, ValueError):
        raise InputError(text, "<file>", text, "not a usable path") from None
    if suffix in (".yaml", ".yml") or is_file:
        if not is_file:
            raise InputError(str(candidate), "<file>", str(candidate), "no such scenario file")
        return candidate
    names = bundled_names()
    if text in names:
        return bundled_dir() / f"{text}.yaml"
    raise InputError(
        text,
        "<scenario>",
        text,
        f"neither a file nor a bundled scenario{did_you_mean(text, names)}; "
        f"bundled: {', '.join(names)}",
    )


def read_raw(path: Path) -> dict[str, Any]:
    """A scenario file's mapping, read within ``safe_yaml``'s limits (not yet validated)."""
    source = str(path)
    raw = safe_yaml.load_file(path, "scenario")
    if raw is None:
        raise InputError(source, "<root>", NO_VALUE, "the file is empty")
    if not isinstance(raw, dict):
        raise InputError(source, "<root>", Kind(raw), "a scenario must be a mapping of keys")
    return raw


def apply_overrides(raw: dict[str, Any], overrides: list[str], source: str) -> dict[str, Any]:
    """Apply ``dotted.path=value`` settings; list entries are addressed by id (or index)."""
    return _apply_overrides(raw, overrides, source)[0]


def _apply_overrides(
    raw: dict[str, Any], overrides: list[str], source: str
) -> tuple[dict[str, Any], list[str]]:
    """The settings applied, and the field each one set (``states[0].greed``)."""
    out = copy.deepcopy(raw)
    fields = []
    for item in overrides:
        if "=" not in item:
            raise InputError("--set", item, NO_VALUE, "expected dotted.path=value")
        path, text = item.split("=", 1)
        try:
            value = safe_yaml.load_text(text, "--set")
        except InputError as err:
            problem = f"the value is not valid YAML: {err.problem} ({err.field})"
            raise InputError("--set", path, text, problem) from None
        parts = path.strip().split(".")
        node: Any = out
        loc: list[str | int] = []
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if isinstance(node, list):
                node_index = _list_index(node, part)
                if node_index is None:
                    where = ".".join(parts[:depth])
                    known = _entry_names(node)
                    hint = did_you_mean(part, known)
                    raise InputError("--set", path, value, f"no entry {part!r} in {where}{hint}")
                loc.append(node_index)
                if last:
                    node[node_index] = value
                else:
                    node = node[node_index]
            elif isinstance(node, dict):
                loc.append(part)
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if part in _LISTS else {})
            else:
                raise InputError(
                    "--set", path, value, f"{'.'.join(parts[:depth])} is not a section"
                )
        fields.append(field_path(tuple(loc)))
    return out, fields


def _entry_names(items: list[Any]) -> list[str]:
    """How ``--set`` may name the entries of a list: ids, ``A-B`` pairs, ``of-about``."""
    names = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("id"), str):
            names.append(item["id"])
        between = item.get("between")
        if isinstance(between, list | tuple) and len(between) == 2:
            names.append("-".join(map(str, between)))
    return names


_LISTS = {"states", "relations", "beliefs", "events", "world_changes", "sources", "record"}


def _list_index(items: list[Any], key: str) -> int | None:
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if item.get("id") == key:
            return n
        between = item.get("between")
        if (
            isinstance(between, list | tuple)
            and "-" in key
            and set(key.split("-", 1)) == set(map(str, between))
        ):
            return n
        if "of" in item and "-" in key and key.split("-", 1) == [item.get("of"), item.get("about")]:
            return n
    if key.isdigit() and int(key) < len(items):
        return int(key)
    return None


def load_scenario(
    name_or_path: str | Path,
    overrides: list[str] | None = None,
    catalog: Catalog | None = None,
) -> Scenario:
    """Load, override and validate a scenario by bundled name or path.

    ``overrides`` are ``dotted.path=value`` strings, as the command line's ``--set`` takes
    them; a state or relation is named by its id. Every problem is one error naming the file,
    the field and the value:

    >>> from secdilemma import load_scenario
    >>> spec = load_scenario("two-security-seekers", ["replicates=50", "states.A.greed=0.8"])
    >>> spec.replicates, spec.ids, spec.states[0].greed
    (50, ['A', 'B'], 0.8)
    >>> load_scenario("two-security-seekers", ["states.A.greed=1.3"])
    Traceback (most recent call last):
    ...
    secdilemma.errors.ScenarioError: --set: states[0].greed: 1.3: must lie in [0, 1]
    """
    path = resolve_path(name_or_path)
    raw, overridden = _apply_overrides(read_raw(path), overrides or [], str(path))
    return parse_scenario(raw, str(path), catalog, overridden)
