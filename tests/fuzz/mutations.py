"""Mutated bundled scenarios, and what ``secdilemma validate`` and a tiny run make of each.

``make_case(rng)`` takes one bundled scenario (shortened to 2 steps and 2 replicates, its
scheduled events and facts moved into them, so that the unmutated file runs) and applies one to
four mutations: keys dropped, duplicated or retyped; extreme numbers, NaN and infinity; deep
nesting; anchors, aliases and alias bombs; unknown ids and names; hostile ``catalog:`` paths;
YAML tags; broken YAML text; ``--set`` overrides of the same kinds. ``check_case`` writes the
case to a folder, runs ``secdilemma validate`` on it through typer's ``CliRunner``, and, if it
validates, loads it with the overrides and runs it (``--replicates 2 --steps 2``) through the
Python functions. The result is one of

* ``error``: exit status 2 (or an ``InputError``) and every line ``error: SOURCE: FIELD: ...``;
* ``run``: a clean run whose outcomes, trajectories and drawn parameters are all finite;
* ``traceback``: any other exception, or an error line without a named field;
* ``hang``: the case ran past its time limit (only where a limit is set: ``check_case(...,
  limit=10)``, by ``SIGALRM``);
* ``nan``: a run with NaN or infinity in its outputs.

tests/fuzz/test_fuzz_scenarios.py draws cases with hypothesis; tests/fuzz/campaign.py runs
thousands of them and counts the results.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import random
import re
import signal
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.engine.records.trajectories import PAIR_VARIABLES
from secdilemma.engine.summary import json_safe, summarize
from secdilemma.errors import InputError
from secdilemma.model.scenario import bundled_dir, bundled_names, load_scenario

KINDS = ("error", "run", "traceback", "hang", "nan")
TINY = ["replicates=2", "steps=2"]

# Numbers at and beyond the schema's bounds, and ones that break arithmetic.
EXTREME_NUMBERS: tuple[Any, ...] = (
    0,
    -0.0,
    -1,
    1,
    0.5,
    2,
    25,
    26,
    1000,
    1001,
    1e4,
    1e6,
    1e9,
    1e12,
    1e12 * (1 + 1e-12),
    1e15,
    1e300,
    1.7976931348623157e308,
    -1e308,
    1e-6,
    1e-12,
    1e-300,
    5e-324,
    -1e-300,
    2**31,
    2**63 - 1,
    2**63,
    2**64,
    10**30,
    -(10**30),
    10**99,
    math.nan,
    math.inf,
    -math.inf,
)
# Written into the text as they are: YAML 1.2 floats, overflows, tags, digits.
NUMBER_TEXTS = (
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "+.inf",
    "1e400",
    "-1e400",
    "1e-400",
    "1e-3",
    "2E5",
    "-.5",
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    "1:30",
    "9" * 400,
    "-" + "9" * 120,
    "9" * 99,
    "1" * 5000,
    "0." + "0" * 500 + "1",
    "1e308",
    "1.8e308",
    "!!float nan",
    "!!float abc",
    "!!int abc",
    "!!int 9999999999999999999999",
    "!!timestamp 2001-13-45",
    "!!binary bm90IGJhc2U2NA===",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object:os.system echo",
    "!foo bar",
    "!!str 1",
    "yes",
    "no",
    "null",
    "~",
    "",
    "2024-01-01",
)
ODD_STRINGS = (
    "",
    " ",
    "Z",
    "a",
    "A ",
    "wait",
    "invade",
    "build_arms ",
    "bayesain",
    "structral",
    "expected-utility",
    "uniform",
    "root:x:0:0:root:/root:/bin/bash",
    "[bold red]markup[/]",
    ":x: :thumbs_up:",
    "\x1b[31mred\x1b[0m",
    "line\nbreak",
    "é" * 3,
    "x" * 300,
    "A" * 20_000,
    "../../etc/passwd",
    "/etc/passwd",
)
CATALOG_PATHS = (
    "/etc/passwd",
    "/etc/hostname",
    "../../x.yaml",
    "../../../../../../etc/passwd",
    "/dev/zero",
    "/dev/stdin",
    "/proc/self/environ",
    ".",
    "..",
    "",
    "scenario.yaml",
    "missing.yaml",
    "extra.yaml",
    "extra.yml",
    "extra.txt",
    "sub/extra.yaml",
    "link.yaml",
    "bad_extra.yaml",
    "a\x00b.yaml",
    "x" * 5000 + ".yaml",
)
SCENARIO_KEYS = (
    "name",
    "description",
    "sources",
    "steps",
    "replicates",
    "seed",
    "world",
    "states",
    "relations",
    "beliefs",
    "events",
    "world_changes",
    "parameters",
    "catalog",
    "calibration",
    "record",
)
PARAMETER_NAMES = (
    "temperature",
    "security_weight",
    "foresight",
    "hubris_scale",
    "burden_reference",
    "cost_weight",
    "greed_weight",
    "capability_cap",
    "inference_temperature",
    "spiral_window",
    "default_distance",
    "richardson_grievance",
    "sanction_penalty",
    "tremble",
    "max_evidence",
    "costly_evidence",
    "choice",
    "nuclear_taboo",
    "escalation_rate",
    "emboldening",
    "supplier_share",
    "agreement_slack",
)
STATE_NUMBERS = (
    "offense",
    "defense",
    "deterrent",
    "wealth",
    "growth",
    "greed",
    "prudence",
    "hubris",
    "charity",
    "empathy",
    "credibility",
)
WORLD_NUMBERS = (
    "offense_defense_balance",
    "distinguishability",
    "observation_noise",
    "depreciation",
    "deterrent_half",
)
EXTRA_CATALOG = (
    "- id: flat_signal\n  domain: diplomatic\n  cost: 0.02\n  costly_signal: true\n"
    "  hostility: -0.5\n  escalation: -2\n"
)


@cache
def _tiny(name: str) -> str:
    """A bundled scenario as YAML text, cut to 2 steps and 2 replicates, every step that it
    names moved into them (so the unmutated file validates and runs). Events become single
    acts, and an actor keeps the first of its events that land in one step (a state takes one
    act a step)."""
    raw = yaml.safe_load((bundled_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    raw["steps"], raw["replicates"] = 2, 2
    kept, taken = [], set()
    for event in raw.get("events", []):
        event["step"] = min(event["step"], 1)
        event.pop("until", None)
        event.pop("every", None)
        if (event["actor"], event["step"]) not in taken:
            taken.add((event["actor"], event["step"]))
            kept.append(event)
    if "events" in raw:
        raw["events"] = kept
    for change in raw.get("world_changes", []):
        change["step"] = min(change["step"], 1)
    for fact in raw.get("record", []):
        fact["by_step"] = min(fact["by_step"], 1)
        fact["from_step"] = min(fact.get("from_step", 0), fact["by_step"])
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def base_raw(name: str) -> dict[str, Any]:
    return yaml.safe_load(_tiny(name))


@dataclass
class Case:
    """A scenario file's text, the files beside it, ``--set`` values, and what was done."""

    name: str
    text: str
    overrides: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)


# --- tree mutations: on the mapping, before it is written as YAML ----------------------------


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a nested mapping/list."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            out.append((*prefix, n))
            out += _paths(value, (*prefix, n))
    return out


def _parent(raw: Any, path: tuple) -> Any:
    node = raw
    for part in path[:-1]:
        node = node[part]
    return node


def _ids(raw: dict) -> list[str]:
    return [s["id"] for s in _states(raw) if isinstance(s.get("id"), str)]


def _states(raw: dict) -> list[dict]:
    """The states that are mappings (a mutation may have made ``states`` anything)."""
    states = raw.get("states")
    return [s for s in states if isinstance(s, dict)] if isinstance(states, list) else []


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(EXTREME_NUMBERS)
    if roll < 0.55:
        return rng.choice(ODD_STRINGS)
    if roll < 0.65:
        return rng.choice([True, False, None])
    if roll < 0.75 or depth > 2:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.85:
        dist = rng.choice(["uniform", "normal", "beta", "choice", "gamma", "unifrom", None])
        keys = ["low", "high", "mean", "sd", "a", "b", "values", "p", "lo"]
        out: dict[str, Any] = {"dist": dist}
        for key in rng.sample(keys, rng.randint(0, 4)):
            out[key] = (
                [rng.choice(EXTREME_NUMBERS) for _ in range(rng.randint(0, 3))]
                if key in ("values", "p")
                else rng.choice(EXTREME_NUMBERS)
            )
        return out
    return {
        rng.choice([*SCENARIO_KEYS, "id", "greed", "gred", "x"]): _random_value(rng, depth + 1)
        for _ in range(rng.randint(0, 3))
    }


def drop_key(raw: dict, rng: random.Random) -> str:
    paths = [p for p in _paths(raw) if isinstance(_parent(raw, p), dict)]
    path = rng.choice(paths)
    del _parent(raw, path)[path[-1]]
    return f"drop {path}"


def duplicate(raw: dict, rng: random.Random) -> str:
    paths = [p for p in _paths(raw) if isinstance(_parent(raw, p), list)]
    if not paths:
        return "duplicate nothing"
    path = rng.choice(paths)
    parent = _parent(raw, path)
    parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    return f"duplicate {path}"


def retype(raw: dict, rng: random.Random) -> str:
    path = rng.choice(_paths(raw))
    _parent(raw, path)[path[-1]] = value = _random_value(rng)
    return f"retype {path} = {value!r:.60}"


def extreme_number(raw: dict, rng: random.Random) -> str:
    """A number field (anywhere, or a chosen state, world or parameter field) set to an
    extreme value, or to a distribution with extreme parameters."""
    value = rng.choice(EXTREME_NUMBERS)
    where = rng.random()
    ids = _ids(raw)
    if where < 0.3 and ids:
        state = rng.choice(_states(raw))
        key = rng.choice(STATE_NUMBERS)
        if rng.random() < 0.3:
            value = {"dist": "normal", "mean": rng.choice([0.0, 0.5, 1.0]), "sd": value}
        state[key] = value
        return f"state {state.get('id')}.{key} = {value!r:.60}"
    if where < 0.45:
        raw.setdefault("world", {})
        key = rng.choice(WORLD_NUMBERS)
        raw["world"][key] = value
        return f"world.{key} = {value!r}"
    if where < 0.75:
        raw.setdefault("parameters", {})
        key = rng.choice(PARAMETER_NAMES)
        raw["parameters"][key] = value
        return f"parameters.{key} = {value!r}"
    if where < 0.85:
        rel = {"between": ids[:2], rng.choice(["distance", "trust", "monitoring"]): value}
        raw["relations"] = [rel]
        return f"relation {rel}"
    numeric = [
        p for p in _paths(raw) if isinstance(_parent(raw, p)[p[-1]], int | float) and p[0] != "name"
    ]
    if not numeric:
        return "no number"
    path = rng.choice(numeric)
    _parent(raw, path)[path[-1]] = value
    return f"number {path} = {value!r}"


def everything_at_the_bounds(raw: dict, rng: random.Random) -> str:
    """Several fields at once at the largest (or smallest) values the schema accepts."""
    highs = {
        "offense": 1e12,
        "defense": 1e12,
        "deterrent": 1e12,
        "wealth": rng.choice([1e12, 1e-12]),
        "hubris": 25.0,
        "growth": rng.choice([0.5, -0.5]),
        "greed": 1.0,
        "prudence": 1.0,
        "empathy": 1.0,
    }
    for state in _states(raw):
        if "calibration" not in raw:
            for key in rng.sample(list(highs), rng.randint(1, len(highs))):
                state[key] = highs[key] if rng.random() < 0.8 else rng.choice([0.0, 1e-12])
            state["sensitivity"] = {"military": 1000.0, "nuclear": 1000.0}
    raw["world"] = {
        "offense_defense_balance": rng.choice([1e3, 1e-12]),
        "observation_noise": rng.choice([1e3, 0.0]),
        "deterrent_half": rng.choice([1e12, 1e-12]),
        "depreciation": rng.choice([0.0, 1.0]),
        "distinguishability": rng.choice([0.0, 1.0]),
    }
    params = {
        "temperature": rng.choice([1e-6, 1e6]),
        "inference_temperature": rng.choice([1e-6, 1e6]),
        "security_weight": 1e4,
        "cost_weight": 1e4,
        "welfare_weight": 1e4,
        "backlash_weight": 1e4,
        "greed_weight": 1e4,
        "defeat_weight": 1e4,
        "nuclear_cost": 1e4,
        "nuclear_taboo": 1e4,
        "preventive_weight": 1e4,
        "hubris_scale": 25.0,
        "foresight": 1000,
        "burden_reference": rng.choice([1e-6, 1e6]),
        "threat_gain": 1e3,
        "capability_cap": 1e3,
        "max_evidence": 1e3,
        "costly_evidence": 1e3,
        "frame_weight": 1e3,
        "grievance_weight": 1e3,
        "talk_weight": 1e3,
        "violation_evidence": 1e3,
        "hostility_cost": 1e3,
        "emboldening": 1e3,
        "supplier_share": 1e3,
        "agreement_slack": 1e3,
        "sanction_penalty": 1.0,
        "default_distance": rng.choice([1e9, 0.0]),
        "richardson_reaction": 1e6,
        "richardson_fatigue": rng.choice([1e6, 0.0]),
        "richardson_grievance": rng.choice([1e12, -1e12]),
        "escalation_rate": 1e6,
        "alarm_threshold": rng.choice([1e6, 0.0]),
        "suspicion_threshold": rng.choice([1e6, 1e-300]),
        "tremble": rng.choice([1e-300, 0.999999]),
        "spiral_window": rng.choice([2, 100_000]),
    }
    raw["parameters"] = dict(rng.sample(sorted(params.items()), rng.randint(1, len(params))))
    ids = _ids(raw)
    if len(ids) >= 2 and rng.random() < 0.5:
        raw["relations"] = [
            {
                "between": ids[:2],
                "distance": rng.choice([1e9, 0.0]),
                "monitoring": 1.0,
                "agreement": True,
                "dependence": {ids[0]: 1.0},
            }
        ]
    return "everything at the bounds"


def unknown_id(raw: dict, rng: random.Random) -> str:
    """A misspelt or unknown state, action, lens, policy or distribution name."""
    ids = _ids(raw)
    victim = rng.choice(ids) if ids else "A"
    wrong = rng.choice([victim + "x", victim.lower(), victim[:-1], "ZZZ", "", "any", 5, None])
    spot = rng.randrange(7)
    states = _states(raw)
    if spot == 0:
        raw["events"] = [{"step": 0, "actor": wrong, "action": "build_arms"}]
    elif spot == 1:
        raw["relations"] = [{"between": [victim, wrong]}]
    elif spot == 2:
        raw["beliefs"] = [{"of": wrong, "about": victim, "greedy": 0.5}]
    elif spot == 3 and states:
        rng.choice(states)["actions"] = [rng.choice(["biuld_arms", "invade", "nuke", "wait"])]
    elif spot == 4 and states:
        rng.choice(states)["lens"] = rng.choice(["bayesain", "Bayesian", "marxist"])
    elif spot == 5 and states:
        rng.choice(states)["policy"] = rng.choice(["richardsn", "tit_for_tat", ""])
    else:
        raw["record"] = [{"description": "x", "actor": wrong, "target": victim, "by_step": 1}]
    return f"unknown id {wrong!r} at {spot}"


def misspelt_key(raw: dict, rng: random.Random) -> str:
    paths = [p for p in _paths(raw) if isinstance(p[-1], str)]
    path = rng.choice(paths)
    parent = _parent(raw, path)
    key = path[-1]
    wrong = rng.choice([key[:-1], key + "s", key.upper(), key.replace("_", "-"), "x" + key])
    parent[wrong] = parent.pop(key)
    return f"misspell {path} as {wrong!r}"


def catalog_path(raw: dict, rng: random.Random, files: dict[str, str]) -> str:
    raw["catalog"] = path = rng.choice(CATALOG_PATHS)
    files["extra.yaml"] = files["extra.yml"] = files["extra.txt"] = EXTRA_CATALOG
    files["sub/extra.yaml"] = EXTRA_CATALOG
    files["bad_extra.yaml"] = rng.choice(
        [
            "- {id: x, domain: military, escalation: 5}\n",
            "- {id: [a], domain: military}\n",
            "{a: 1}\n",
            "root:x:0:0:root\n",
            "- !!python/name:os.system\n",
            "- &a [*a]\n",
            "- {id: wait, domain: military, escalation: 0, cost: .nan}\n",
        ]
    )
    files["@link.yaml"] = "/etc/passwd"  # a symbolic link to it
    return f"catalog {path!r:.60}"


def calibration(raw: dict, rng: random.Random) -> str:
    ids = _ids(raw) or ["A"]
    block = {
        "year": rng.choice([1815, 1816, 2003, 2016, 2017, 10**30, "2003", 2003.5]),
        "states": {
            rng.choice(ids): rng.choice(
                [["USA"], ["US"], ["XXX"], [2], [10**30], "USA", [], [None]]
            ),
            **({"ZZZ": ["RUS"]} if rng.random() < 0.2 else {}),
        },
    }
    if rng.random() < 0.3:
        block[rng.choice(["offense_share", "scale", "burden", "growth", "alliances"])] = rng.choice(
            EXTREME_NUMBERS + ({ids[0]: math.nan}, "defence", True)
        )
    raw["calibration"] = block
    return f"calibration {block!r:.80}"


def shared_references(raw: dict, rng: random.Random) -> str:
    """The same list or mapping in two places (written with an anchor and an alias)."""
    states = _states(raw)
    menu = ["build_arms", "reassurance_statement", "wait"]
    for state in states:
        state["actions"] = menu
    if len(states) >= 2 and rng.random() < 0.5:
        shared = {"dist": "uniform", "low": 0.0, "high": 0.5}
        states[0]["greed"] = states[1]["greed"] = shared
    return "shared references"


def _bounds(field: Any) -> tuple[float, float]:
    low, high = -1e12, 1e12
    for bound in field.metadata:
        low = bound.ge if getattr(bound, "ge", None) is not None else low
        low = bound.gt if getattr(bound, "gt", None) is not None else low
        high = bound.le if getattr(bound, "le", None) is not None else high
        high = bound.lt if getattr(bound, "lt", None) is not None else high
    return low, high


def _within(rng: random.Random, low: float, high: float, integer: bool = False) -> Any:
    """A value in [low, high]: an end, the middle, or drawn (log-uniformly for wide ranges)."""
    roll = rng.random()
    if roll < 0.3:
        value = rng.choice([low, high])
    elif roll < 0.5 or high - low <= 10 or low < 0:
        value = rng.uniform(low, high)
    else:
        value = math.exp(rng.uniform(math.log(max(low, 1e-12)), math.log(high)))
    value = min(max(value, low), high)
    if integer:
        return int(min(max(round(value), math.ceil(low)), math.floor(high)))
    return value


STATE_RANGES = {
    "offense": (0.0, 1e12),
    "defense": (0.0, 1e12),
    "deterrent": (0.0, 1e12),
    "wealth": (1e-12, 1e12),
    "growth": (-0.5, 0.5),
    "greed": (0.0, 1.0),
    "prudence": (0.0, 1.0),
    "hubris": (0.0, 25.0),
    "charity": (0.0, 1.0),
    "empathy": (0.0, 1.0),
    "credibility": (0.0, 1.0),
}
WORLD_RANGES = {
    "offense_defense_balance": (1e-12, 1e3),
    "distinguishability": (0.0, 1.0),
    "observation_noise": (0.0, 1e3),
    "depreciation": (0.0, 1.0),
    "deterrent_half": (1e-12, 1e12),
}


def valid_values(raw: dict, rng: random.Random) -> str:
    """Values the schema accepts, many at the ends of their ranges, some as distributions:
    the run must stay finite."""
    from secdilemma.model.parameters import Parameters

    changed = []
    states = _states(raw)
    calibrated = {"offense", "defense", "wealth", "growth"} if "calibration" in raw else set()
    for state in rng.sample(states, rng.randint(0, len(states))):
        for key in rng.sample(sorted(STATE_RANGES), rng.randint(1, 5)):
            if key in calibrated:
                continue
            low, high = STATE_RANGES[key]
            value: Any = _within(rng, low, high)
            if rng.random() < 0.2:
                a, b = sorted((_within(rng, low, high), _within(rng, low, high)))
                value = rng.choice(
                    [
                        {"dist": "uniform", "low": a, "high": b},
                        {"dist": "normal", "mean": a, "sd": _within(rng, 0.0, 1e12)},
                        {"dist": "choice", "values": [a, b]},
                    ]
                    + (
                        [{"dist": "beta", "a": _within(rng, 1e-3, 1e3), "b": 2.0}]
                        if high == 1
                        else []
                    )
                )
            state[key] = value
            changed.append(key)
        if rng.random() < 0.2:
            state["sensitivity"] = {"military": _within(rng, 0.0, 1000.0)}
    world = raw.setdefault("world", {})
    if isinstance(world, dict):
        for key in rng.sample(sorted(WORLD_RANGES), rng.randint(0, 3)):
            world[key] = _within(rng, *WORLD_RANGES[key])
            changed.append(key)
    params = raw.setdefault("parameters", {})
    if isinstance(params, dict):
        fields = Parameters.model_fields
        for key in rng.sample(sorted(fields), rng.randint(0, 12)):
            field = fields[key]
            if field.annotation is str or key == "choice":
                params[key] = rng.choice(["softmax", "argmax"])
                continue
            low, high = _bounds(field)
            if key == "tremble":
                low, high = 1e-9, 1 - 1e-9
            params[key] = _within(rng, low, high, field.annotation is int)
            changed.append(key)
    ids = _ids(raw)
    if len(ids) >= 2 and rng.random() < 0.3:
        a, b = rng.sample(ids, 2)
        raw["relations"] = [
            rel
            for rel in (raw["relations"] if isinstance(raw.get("relations"), list) else [])
            if not (isinstance(rel, dict) and set(map(str, rel.get("between", []))) == {a, b})
        ] + [
            {
                "between": [a, b],
                "distance": _within(rng, 0.0, 1e9),
                "trust": _within(rng, 0.0, 1.0),
                "monitoring": _within(rng, 0.0, 1.0),
                "alliance": rng.random() < 0.5,
                "agreement": rng.random() < 0.5,
                "hotline": rng.random() < 0.5,
                "dependence": {a: _within(rng, 0.0, 1.0)},
            }
        ]
    return f"valid values ({len(changed)})"


def extreme_catalog(raw: dict, rng: random.Random, files: dict[str, str]) -> str:
    """A catalogue of acts whose effects lie at the ends of what the schema accepts, on the
    states' menus."""
    effect = {
        k: rng.choice([-1.0, 1.0, 0.0]) for k in ("offense", "defense", "deterrent", "wealth")
    }
    acts = [
        {
            "id": "surge",
            "domain": "military",
            "self": effect,
            "cost": rng.choice([0.0, 1.0]),
            "hostility": rng.choice([-1.0, 1.0]),
            "escalation": 60,
        },
        {
            "id": "strike",
            "domain": rng.choice(["military", "cyber", "covert"]),
            "targeted": True,
            "target": dict(effect),
            "relation": {
                k: rng.choice([-1.0, 1.0]) for k in ("alliance", "monitoring", "dependence")
            },
            "force": 1.0,
            "starts_war": rng.random() < 0.5,
            "stakes": 1.0,
            "gain": 1.0,
            "leverage": 1.0,
            "covert": rng.random() < 0.5,
            "visibility": rng.choice([0.0, 1.0]),
            "escalation": 60,
        },
    ]
    files["extreme.yaml"] = yaml.safe_dump(acts, sort_keys=False)
    raw["catalog"] = "extreme.yaml"
    for state in _states(raw):
        state["actions"] = ["surge", "strike"]
        state.pop("exclude_actions", None)
    return "extreme catalogue"


TREE_MUTATIONS = (
    valid_values,
    drop_key,
    duplicate,
    retype,
    extreme_number,
    everything_at_the_bounds,
    unknown_id,
    misspelt_key,
    shared_references,
    calibration,
)


# --- text mutations: on the YAML text -------------------------------------------------------


def _bomb(rng: random.Random) -> str:
    levels, width = rng.randint(2, 12), rng.randint(2, 12)
    lines = ['  l0: &l0 ["lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"  l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]")
    return "\n".join(lines)


def text_insert(text: str, rng: random.Random) -> tuple[str, str]:
    """A top-level key with hostile YAML: an alias bomb, deep nesting, odd numbers, tags."""
    key = rng.choice([*SCENARIO_KEYS, "bogus", "descriptoin", "world", "parameters"])
    kind = rng.randrange(7)
    if kind == 0:
        block = f"{key}:\n{_bomb(rng)}\n"
    elif kind == 1:
        depth = rng.choice([10, 31, 32, 33, 100, 1000, 5000])
        opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
        block = f"{key}: {opener * depth}1{closer * depth}\n"
    elif kind == 2:
        depth = rng.choice([20, 40, 200])
        block = "".join(f"{'  ' * n}k{n}:\n" for n in range(depth)) + "  " * depth + "x: 1\n"
        block = f"{key}:\n" + "".join("  " + line + "\n" for line in block.splitlines())
    elif kind == 3:
        block = f"{key}: {rng.choice(NUMBER_TEXTS)}\n"
    elif kind == 4:
        block = f"{key}: &self [1, *self]\n" if rng.random() < 0.5 else f"{key}: *nowhere\n"
    elif kind == 5:
        block = f"{key}: &a 1\n{key}x: &a 2\n"  # a duplicate anchor
    else:
        block = f"{key}: !!python/object/apply:os.system ['echo hi']\n"
    where = rng.choice(["start", "end"])
    return (block + text if where == "start" else text + block), f"insert {kind} under {key}"


def text_number(text: str, rng: random.Random) -> tuple[str, str]:
    """A number in the text replaced by an odd one (YAML 1.2 forms, overflow, tags, NaN)."""
    numbers = list(re.finditer(r"(?<=: )-?[0-9][0-9.]*(?=[,}\n])", text))
    if not numbers:
        return text, "no number in the text"
    match = rng.choice(numbers)
    new = rng.choice(NUMBER_TEXTS)
    return text[: match.start()] + new + text[match.end() :], f"number -> {new[:40]!r}"


def text_break(text: str, rng: random.Random) -> tuple[str, str]:
    """Broken YAML: a cut, a stray character, a lost indent, a tab, a duplicated line."""
    kind = rng.randrange(6)
    spot = rng.randrange(len(text) + 1)
    if kind == 0:
        return text[:spot], "truncated"
    if kind == 1:
        char = rng.choice(list(":[]{}\"'&*!%@`|>#-?,\t") + ["\x00", "\x07", "\ufeff", "\u2028"])
        return text[:spot] + char + text[spot:], f"stray {char!r}"
    lines = text.splitlines(keepends=True)
    n = rng.randrange(len(lines))
    if kind == 2:
        lines[n] = lines[n].lstrip(" ")
    elif kind == 3:
        lines[n] = "\t" + lines[n]
    elif kind == 4:
        lines.insert(n, lines[n])
    else:
        lines[n] = " " * rng.randint(1, 5) + lines[n]
    return "".join(lines), f"line {n} broken ({kind})"


TEXT_MUTATIONS = (text_insert, text_number, text_break)


# --- overrides ---------------------------------------------------------------------------------


def overrides(raw: dict, rng: random.Random) -> list[str]:
    ids = _ids(raw) or ["A"]
    state = rng.choice(ids)
    value = rng.choice([*NUMBER_TEXTS[:20], "5", "[]", "{}", "x", "[1, [2]]", "{dist: normal}"])
    choices = [
        "relations=5",
        "states=5",
        "states={}",
        "world=[]",
        "world.nonexistent=1",
        f"states.{state}.greed={value}",
        f"states.{state}.gred=0.5",
        f"states.{state}x.greed=0.5",
        f"states.{state}.greed.x=1",
        f"parameters.{rng.choice(PARAMETER_NAMES)}={value}",
        f"world.{rng.choice(WORLD_NUMBERS)}={value}",
        "parameters.foresight=1e9",
        f"catalog={rng.choice(CATALOG_PATHS[:8])}",
        f"calibration.year={value}",
        f"relations.{ids[0]}-{ids[-1]}.trust={value}",
        f"events=[{{step: 0, actor: {state}, action: invade}}]",
        "seed=" + "9" * 30,
        "steps=0",
        "noequals",
        "=1",
        ".=1",
        "name=[unclosed",
        f"states.{state}.lens=bayesain",
        f"states.0.sensitivity={{military: {value}}}",
    ]
    return rng.sample(choices, rng.randint(1, 3))


def make_case(rng: random.Random) -> Case:
    name = rng.choice(bundled_names())
    raw = base_raw(name)
    files: dict[str, str] = {}
    steps: list[str] = []
    if rng.random() < 0.35:  # values the schema accepts: the run must stay finite
        steps.append(valid_values(raw, rng))
        if rng.random() < 0.3:
            steps.append(shared_references(raw, rng))
        if rng.random() < 0.2:
            steps.append(extreme_catalog(raw, rng, files))
        text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
        return Case(name, text, [], files, steps)
    for _ in range(rng.randint(1, 3)):
        mutation = rng.choice(TREE_MUTATIONS + (catalog_path,))
        try:
            if mutation is catalog_path:
                steps.append(catalog_path(raw, rng, files))
            else:
                steps.append(mutation(raw, rng))
        except (IndexError, KeyError, TypeError, ValueError) as err:
            steps.append(f"{mutation.__name__} skipped ({type(err).__name__})")
    try:
        text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError):
        text = _tiny(name)
    if rng.random() < 0.45:
        text, step = rng.choice(TEXT_MUTATIONS)(text, rng)
        steps.append(step)
    sets = overrides(raw, rng) if rng.random() < 0.3 else []
    return Case(name, text, sets, files, steps)


# --- checking a case ---------------------------------------------------------------------------


class CaseTimeout(BaseException):
    """Raised by SIGALRM when a case runs past its limit (a BaseException: no ``except
    Exception`` in the code under test can swallow it)."""


@dataclass
class Outcome:
    kind: str
    detail: str = ""


def named_error_lines(text: str) -> str | None:
    """``None`` if every line is ``error: SOURCE: FIELD: ...`` (or counts further problems),
    else the first line that is not."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "<no output>"
    for line in lines:
        if line.startswith("... and ") and line.endswith(" more problems"):
            continue
        parts = line.removeprefix("error: ").split(": ")
        if not line.startswith("error: ") or len(parts) < 3 or not parts[1].strip():
            return line
    return None


def non_finite(ens: Any) -> list[str]:
    """The outputs of a run that hold NaN or infinity (where they should not)."""
    bad = []
    attribution = PAIR_VARIABLES.index("attribution")
    for item in dataclasses.fields(ens.outcomes):
        value = getattr(ens.outcomes, item.name)
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            continue
        if item.name == "pair_traj":  # attribution is NaN where nothing was seen, by design
            if np.isinf(value[..., attribution]).any():
                bad.append("pair_traj.attribution")
            value = np.delete(value, attribution, axis=-1)
        if not np.isfinite(value).all():
            bad.append(item.name)
    for key, value in ens.drawn.items():
        if not np.isfinite(np.asarray(value, dtype=float)).all():
            bad.append(f"drawn {key}")
    return bad


def _write(case: Case, folder: Path) -> Path:
    for name, text in case.files.items():
        if name.startswith("@"):
            link = folder / name[1:]
            if not link.exists():
                link.symlink_to(text)
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    path = folder / "scenario.yaml"
    path.write_text(case.text, encoding="utf-8")
    return path


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise CaseTimeout


_runner = CliRunner()


def check_case(case: Case, folder: Path, limit: float | None = None) -> Outcome:
    """Validate the case with ``secdilemma validate`` and, if it passes, run it tiny."""
    path = _write(case, folder)
    previous = None
    if limit is not None:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return _check(case, path)
    except CaseTimeout:
        return Outcome("hang", f"over {limit} s")
    finally:
        if limit is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def warm_up(folder: Path) -> None:
    """Run each bundled scenario once, untimed: the first run in a process compiles the
    kernels (Numba), which is no part of a case's time."""
    for name in bundled_names():
        case_folder = folder / f"warm-{name}"
        case_folder.mkdir(exist_ok=True)
        outcome = check_case(Case(name, _tiny(name)), case_folder)
        assert outcome.kind == "run", (name, outcome)


def _check(case: Case, path: Path) -> Outcome:
    result = _runner.invoke(app, ["validate", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text = "".join(traceback.format_exception(result.exception))
        return Outcome("traceback", f"validate: {text[-2000:]}")
    if "Traceback" in result.output:
        return Outcome("traceback", f"validate printed a traceback: {result.output[-2000:]}")
    if result.exit_code == 2:
        bad = named_error_lines(result.output)
        if bad is not None:
            return Outcome("traceback", f"validate: an error without a named field: {bad!r}")
        return Outcome("error", result.output.splitlines()[0])
    if result.exit_code != 0:
        return Outcome("traceback", f"validate exited {result.exit_code}: {result.output}")
    try:
        spec = load_scenario(path, [*case.overrides, *TINY])
    except InputError as err:
        bad = named_error_lines("\n".join(f"error: {line}" for line in str(err).splitlines()))
        if bad is not None:
            return Outcome("traceback", f"run: an error without a named field: {bad!r}")
        return Outcome("error", str(err).splitlines()[0])
    except Exception:  # noqa: BLE001 - the point: any other exception is a defect
        return Outcome("traceback", f"run (load): {traceback.format_exc()[-2000:]}")
    try:
        ens = run_ensemble(spec)
        summary = summarize(ens)
        json.dumps(json_safe(summary), allow_nan=False)
    except Exception:  # noqa: BLE001
        return Outcome("traceback", f"run: {traceback.format_exc()[-2000:]}")
    bad = non_finite(ens)
    if bad:
        return Outcome("nan", ", ".join(bad))
    return Outcome("run", f"{len(spec.states)} states")
