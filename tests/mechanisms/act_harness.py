"""A probe into real engine runs, for the act contracts (test_act_contracts.py).

``trace`` runs ``engine.pipeline.simulate`` on a scenario given as a dict and records what each
phase of each step received and returned, with copies of the parts of the world the contracts
read (``WATCH``) just before and just after the phase. Nothing of the engine is replaced: the
probe wraps the phase functions the pipeline calls (``apply_actions``, ``observe``,
``read_acts``, ``interpret``, ``resolve_wars``, ``learn``, ``advance_economy``) and hands their
results back to it unchanged. Two optional hooks change the run itself, and say so where they
are used: ``prepare`` edits the starting world (for relations a scenario cannot state, such as
sanctions in force), and ``choice_hook`` edits the decision phase's ``Choice`` (to feed the
lenses a known likelihood ratio).

The contracts also build twins of an act: the same catalogue entry with one field put back to
its default (``twin_catalog``), so that a field's effect is the difference between two runs
that differ in that field alone.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from unittest import mock

import numpy as np
from pydantic_core import PydanticUndefined

from secdilemma.engine import pipeline
from secdilemma.engine.outcomes import Outcomes
from secdilemma.model.actions import ActionSpec, Catalog, load_catalog, parse_catalog
from secdilemma.model.scenario import Scenario, parse_scenario
from secdilemma.model.world import WorldState

# The phases recorded, each with the world's variables copied before and after it (a copy of
# the whole world around every phase of every run would hold gigabytes; a contract that reads
# a variable not listed here fails with an AttributeError that names it).
_CAPABILITIES = ("offense", "defense", "deterrent", "wealth")
_RELATIONS = ("alliance", "agreement", "hotline", "sanctions", "monitoring", "prospect")
WATCH: dict[str, tuple[str, ...]] = {
    "apply_actions": (
        *_CAPABILITIES,
        *_RELATIONS,
        "dependence",
        "cap_forces",
        "cap_deterrent",
        "distinguishability",
        "offense_defense_balance",
        "deterrent_half",
    ),
    "observe": (),
    "read_acts": (),
    "interpret": ("threat", "belief_greedy", "pending_bogus"),
    "resolve_wars": (*_CAPABILITIES, "deterrent_half"),
    "learn": ("belief_greedy", "threat", "credibility_view", "resolve_view", "frame_charity"),
    "advance_economy": ("wealth", "sanctions"),
}


@dataclass(frozen=True)
class Call:
    """One call of a phase: its arguments after the world, its result, and the watched
    variables of the world before and after it."""

    args: tuple[Any, ...]
    result: Any
    before: SimpleNamespace
    after: SimpleNamespace


@dataclass
class Trace:
    scenario: Scenario
    catalog: Catalog
    outcomes: Outcomes
    calls: dict[str, list[Call]] = field(default_factory=dict)

    def phase(self, name: str, step: int = 0) -> Call:
        return self.calls[name][step]


def _snapshot(w: WorldState, names: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(**{name: np.array(getattr(w, name), copy=True) for name in names})


def _recording(name: str, real: Callable[..., Any], calls: dict[str, list[Call]]):
    def wrapper(w, *args, **kwargs):  # every phase takes the world first
        before = _snapshot(w, WATCH[name])
        result = real(w, *args, **kwargs)
        after = _snapshot(w, WATCH[name])
        calls.setdefault(name, []).append(Call(args, result, before, after))
        return result

    return wrapper


def trace(
    raw: dict[str, Any],
    catalog: Catalog | None = None,
    prepare: Callable[[WorldState], None] | None = None,
    choice_hook: Callable[[Any], Any] | None = None,
) -> Trace:
    """Run the scenario ``raw`` (every replicate, one block) and record its phases."""
    cat = catalog or load_catalog()
    scenario = parse_scenario(raw, raw["name"], cat)
    calls: dict[str, list[Call]] = {}
    with ExitStack() as stack:
        for name in WATCH:
            real = getattr(pipeline, name)
            stack.enter_context(mock.patch.object(pipeline, name, _recording(name, real, calls)))
        if prepare is not None:
            real_initial = pipeline.initial_world

            def prepared(*args, **kwargs):
                w, drawn = real_initial(*args, **kwargs)
                prepare(w)
                return w, drawn

            stack.enter_context(mock.patch.object(pipeline, "initial_world", prepared))
        if choice_hook is not None:
            real_decide = pipeline.decide
            stack.enter_context(
                mock.patch.object(
                    pipeline, "decide", lambda *a, **k: choice_hook(real_decide(*a, **k))
                )
            )
        _, outcomes = pipeline.simulate(
            scenario, range(scenario.replicates), cat, trajectories=False
        )
    return Trace(scenario, cat, outcomes, calls)


# --- the catalogue's fields ---------------------------------------------------------------


def yaml_name(attribute: str) -> str:
    """A field's name in actions.yaml (``self_effects`` is written ``self``)."""
    return ActionSpec.model_fields[attribute].alias or attribute


def field_defaults() -> dict[str, Any]:
    """Each catalogue field (by its YAML name) and its default; required fields map to
    ``PydanticUndefined``."""
    defaults = {}
    for attribute, info in ActionSpec.model_fields.items():
        value = (
            PydanticUndefined if info.is_required() else info.get_default(call_default_factory=True)
        )
        defaults[yaml_name(attribute)] = value
    return defaults


def fields_set(spec: ActionSpec) -> list[str]:
    """The fields (YAML names) an act sets away from their defaults, required ones included."""
    entry = spec.model_dump(by_alias=True)
    return [
        name
        for name, default in field_defaults().items()
        if default is PydanticUndefined or entry[name] != default
    ]


def twin_catalog(act: str, **changes: Any) -> Catalog:
    """The bundled catalogue with ``act`` changed as given (a field's default, for a twin that
    lacks what the field does)."""
    entries = []
    for spec in load_catalog().specs:
        entry = spec.model_dump(by_alias=True)
        if spec.id == act:
            entry.update(changes)
        entries.append(entry)
    return parse_catalog(entries, f"twin of {act}: {changes}")


def default_of(name: str) -> Any:
    return field_defaults()[name]


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)
