"""The lab's controls, read from the scenario schema: one per world setting and per state's
disposition, lens and frame, with the range the schema enforces and the current value.

A control changes the scenario by a ``dotted.path=value`` override, the same string the
command line's ``--set`` takes, so the page, the CLI and the YAML it shows cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from secdilemma.model.actions import DOMAINS
from secdilemma.model.distributions import field_range
from secdilemma.model.scenario import LENSES, MAX_SENSITIVITY, Scenario, StateSpec, World

WORLD_FIELDS = (
    "offense_defense_balance",
    "distinguishability",
    "observation_noise",
    "depreciation",
    "deterrent_half",
)
# The page's order of a state's fields (model.world.STATE_FIELDS holds the same names in the
# order of the draws): its dispositions (motive and temperament) first, then its capabilities.
STATE_FIELDS = (
    "greed",
    "prudence",
    "hubris",
    "charity",
    "empathy",
    "credibility",
    "offense",
    "defense",
    "deterrent",
    "wealth",
    "growth",
)

# The sliders' travel where the schema's range is far wider than any case uses (capabilities
# up to 1e12): the number box beside each slider still takes the schema's whole range.
_SLIDER_SPANS = {
    "offense_defense_balance": (0.1, 5.0),
    "observation_noise": (0.0, 1.0),
    "deterrent_half": (0.1, 10.0),
    "hubris": (0.0, 3.0),
    "growth": (-0.1, 0.1),
}
_AMOUNTS = {"offense", "defense", "deterrent", "wealth"}


@dataclass(frozen=True)
class Control:
    """One input of the page: the override path it writes, its bounds and its value."""

    path: str  # the override's dotted path, e.g. states.RUS.greed
    group: str  # "world" or a state's id
    label: str
    kind: str  # "number" or "choice"
    value: Any
    low: float | None = None  # the schema's bounds
    high: float | None = None
    slider_low: float | None = None  # the slider's travel, within the bounds
    slider_high: float | None = None
    choices: tuple[str, ...] = ()
    drawn: str | None = None  # the distribution the value is drawn from, if any
    fixed: str | None = None  # why the value cannot be set here (the calibration sets it)


def _describe(value: Any) -> str:
    fields = value.model_dump()
    kind = fields.pop("dist")
    return f"{kind}(" + ", ".join(f"{k}={v:g}" for k, v in fields.items()) + ")"


def _number(path: str, group: str, name: str, value: Any, low: float, high: float) -> Control:
    drawn = None
    if not isinstance(value, float):  # a distribution: the slider starts at its median
        drawn = _describe(value)
        value = float(np.clip(value.ppf(np.array([0.5]))[0], low, high))
    s_low, s_high = _SLIDER_SPANS.get(name, (low, high))
    if name in _AMOUNTS or name == "sensitivity":
        s_low, s_high = 0.0, max(10.0 if name != "sensitivity" else 3.0, 4 * value)
    s_low, s_high = max(low, min(s_low, value)), min(high, max(s_high, value))
    return Control(path, group, name, "number", value, low, high, s_low, s_high, drawn=drawn)


def scenario_controls(scenario: Scenario) -> list[Control]:
    """Every control of ``scenario``: the world's settings, then each state's. A value that
    the scenario's ``calibration:`` block computes from the COW data is shown, fixed."""
    from secdilemma.model.calibration import calibrated_fields

    calibrated = calibrated_fields(scenario.calibration)
    controls = []
    for name in WORLD_FIELDS:
        r = field_range(World, name)
        value = getattr(scenario.world, name)
        controls.append(_number(f"world.{name}", "world", name, value, r.low, r.high))
    for state in scenario.states:
        sid = state.id
        for name in STATE_FIELDS:
            r = field_range(StateSpec, name)
            path = f"states.{sid}.{name}"
            control = _number(path, sid, name, getattr(state, name), r.low, r.high)
            if path in calibrated:
                control = replace(control, fixed="set from the COW data by the calibration block")
            controls.append(control)
        controls.append(
            Control(f"states.{sid}.lens", sid, "lens", "choice", state.lens, choices=LENSES)
        )
        for domain in DOMAINS:
            weight = float(state.sensitivity.get(domain, 0.0))
            control = _number(
                f"states.{sid}.sensitivity.{domain}",
                sid,
                "sensitivity",
                weight,
                0.0,
                MAX_SENSITIVITY,
            )
            controls.append(replace(control, label=f"sensitivity: {domain}"))
    return controls


def controls_json(scenario: Scenario) -> list[dict[str, Any]]:
    return [asdict(c) for c in scenario_controls(scenario)]
