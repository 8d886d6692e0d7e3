"""The action catalogue: a data file of acts, turned into arrays the engine indexes by action."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from secdilemma.errors import InputError, Kind, ScenarioError
from secdilemma.model import safe_yaml
from secdilemma.model.messages import problems_from

DOMAINS = (
    "military",
    "nuclear",
    "alliance",
    "economic",
    "diplomatic",
    "cyber",
    "covert",
    "normative",
    "cultural",
    "societal",
    "force",
)
CAPABILITIES = ("offense", "defense", "deterrent", "wealth")
RELATIONS = (
    "alliance",
    "agreement",
    "hotline",
    "sanctions",
    "monitoring",
    "prospect",
    "dependence",
)
REQUIREMENTS = (
    "allied",
    "not_allied",
    "has_allies",
    "sanctioning",
    "not_sanctioning",
    "agreement",
    "no_agreement",
    "no_hotline",
    "nuclear",
    "friendly",
    "nuclear_option",
)
RIVERA_SCORES = (-2, 0, 4, 12, 28, 60)

Domain = Literal[
    "military",
    "nuclear",
    "alliance",
    "economic",
    "diplomatic",
    "cyber",
    "covert",
    "normative",
    "cultural",
    "societal",
    "force",
]
Capability = Literal["offense", "defense", "deterrent", "wealth"]
RelationKey = Literal[
    "alliance", "agreement", "hotline", "sanctions", "monitoring", "prospect", "dependence"
]
Requirement = Literal[
    "allied",
    "not_allied",
    "has_allies",
    "sanctioning",
    "not_sanctioning",
    "agreement",
    "no_agreement",
    "no_hotline",
    "nuclear",
    "friendly",
    "nuclear_option",
]


# An act's effect on a capability is a share of it per step, from -1 (all of it lost) to 1 (it
# doubles; the bundled acts lie within [-0.5, 0.1]); on a relation, a change of a level or a
# toggle, in [-1, 1].
Effect = Annotated[float, Field(ge=-1.0, le=1.0)]
RelationChange = Annotated[float, Field(ge=-1.0, le=1.0)]


class ActionSpec(BaseModel):
    """One catalogue entry, as written in ``catalog/actions.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    domain: Domain
    targeted: bool = False
    self_effects: dict[Capability, Effect] = Field(default_factory=dict, alias="self")
    target: dict[Capability, Effect] = Field(default_factory=dict)
    relation: dict[RelationKey, RelationChange] = Field(default_factory=dict)
    cost: float = Field(default=0.0, ge=0, le=1)
    visibility: float = Field(default=1.0, ge=0, le=1)
    covert: bool = False
    costly_signal: bool = False
    hostility: float = Field(default=0.0, ge=-1, le=1)
    third_party: float | None = Field(default=None, ge=-1, le=1)
    force: float = Field(default=0.0, ge=0, le=1)
    starts_war: bool = False
    nuclear_use: bool = False
    crisis: float = Field(default=0.0, ge=0, le=1)
    gain: float = Field(default=0.0, ge=0, le=1)
    stakes: float = Field(default=0.0, ge=0, le=1)
    cheap_talk: bool = False
    bogus: bool = False
    accommodation: bool = False
    bloc: bool = False
    leverage: float = Field(default=0.0, ge=0, le=1)
    requires: list[Requirement] = Field(default_factory=list)
    discredit: float = Field(default=0.0, ge=0, le=1)
    on_menu: bool = True
    escalation: Literal[-2, 0, 4, 12, 28, 60]
    named_in: Literal["walt", "critique", "both", "model"] = "model"
    description: str = ""


@dataclass(frozen=True)
class Catalog:
    """The catalogue as arrays over actions (index ``k``), ready for vectorised lookup."""

    specs: tuple[ActionSpec, ...]
    ids: tuple[str, ...]
    domain: np.ndarray  # (K,) int index into DOMAINS
    targeted: np.ndarray  # (K,) bool
    self_effect: np.ndarray  # (K, 4) over CAPABILITIES
    target_effect: np.ndarray  # (K, 4)
    relation_effect: np.ndarray  # (K, len(RELATIONS))
    cost: np.ndarray
    visibility: np.ndarray
    covert: np.ndarray
    costly_signal: np.ndarray
    hostility: np.ndarray
    third_party: np.ndarray
    force: np.ndarray
    starts_war: np.ndarray
    nuclear_use: np.ndarray
    crisis: np.ndarray
    gain: np.ndarray
    stakes: np.ndarray
    cheap_talk: np.ndarray
    bogus: np.ndarray
    accommodation: np.ndarray
    bloc: np.ndarray  # (K,) bool: an alliance change extends to the actor's allies
    leverage: np.ndarray  # (K,) share of the target's dependence on the actor cut off
    requires: np.ndarray  # (K, len(REQUIREMENTS)) bool
    discredit: np.ndarray  # (K,) share of the actor's credibility lost with each observer
    on_menu: np.ndarray  # (K,) bool: on every state's menu unless its scenario says otherwise
    escalation: np.ndarray

    # The derived index arrays below are read every step: computed once, read-only.

    @cached_property
    def builds_forces(self) -> np.ndarray:
        """(K,) acts whose cost grows with the actor's military burden."""
        return _read_only((self.self_effect[:, 0] > 0) | (self.self_effect[:, 1] > 0))

    @cached_property
    def raises_forces(self) -> np.ndarray:
        """(K,) acts an arms-control cap limits: they add to forces or to the deterrent."""
        return _read_only(self.builds_forces | (self.self_effect[:, 2] > 0))

    def cost_share(self, actions: np.ndarray, burden: np.ndarray, reference: float) -> np.ndarray:
        """Fraction of wealth an act costs: force builds cost more as forces outgrow wealth."""
        scale = np.where(self.builds_forces[actions], burden / reference, 1.0)
        return self.cost[actions] * scale

    @property
    def size(self) -> int:
        return len(self.ids)

    def index(self, action_id: str) -> int:
        return self.ids.index(action_id)

    def __contains__(self, action_id: object) -> bool:
        return action_id in self.ids

    @cached_property
    def self_directed(self) -> np.ndarray:
        return _read_only(np.flatnonzero(~self.targeted))

    @cached_property
    def aimed(self) -> np.ndarray:
        return _read_only(np.flatnonzero(self.targeted))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _default_path() -> Path:
    return Path(str(resources.files("secdilemma.model") / "actions.yaml"))


def _specs(entries: list[object], source: str) -> tuple[list[ActionSpec], list[InputError]]:
    """The entries that are valid acts, and a problem for each field of the others."""
    specs: list[ActionSpec] = []
    problems: list[InputError] = []
    for n, raw in enumerate(entries):
        try:
            specs.append(ActionSpec.model_validate(raw))
        except ValidationError as err:
            problems += problems_from(err, source, raw, ActionSpec, prefix=(n,))
    return specs, problems


def parse_catalog(entries: object, source: str) -> Catalog:
    """Validate raw catalogue entries and build the arrays; errors name the entry and field."""
    if not isinstance(entries, list) or not entries:
        # Described, not shown: the "catalogue" may be any file.
        raise ScenarioError(
            [InputError(source, "<root>", Kind(entries), "expected a list of actions")]
        )
    specs, problems = _specs(entries, source)
    seen: set[str] = set()
    for n, spec in enumerate(specs):
        if spec.id in seen:
            problems.append(InputError(source, f"[{n}].id", spec.id, "duplicate action id"))
        seen.add(spec.id)
        if spec.starts_war and not spec.targeted:
            problems.append(InputError(source, f"[{n}].starts_war", True, "a war needs a target"))
        if (spec.target or spec.relation or spec.leverage or spec.bloc) and not spec.targeted:
            problems.append(
                InputError(
                    source, f"[{n}].targeted", False, "target/relation effects need a target"
                )
            )
    if problems:
        raise ScenarioError(problems)
    if "wait" not in seen:
        raise ScenarioError([InputError(source, "id", None, "the catalogue needs a 'wait' action")])

    def column(get) -> np.ndarray:
        return np.array([get(s) for s in specs], dtype=float)

    def effects(get) -> np.ndarray:
        return np.array([[get(s).get(c, 0.0) for c in CAPABILITIES] for s in specs], dtype=float)

    return Catalog(
        specs=tuple(specs),
        ids=tuple(s.id for s in specs),
        domain=np.array([DOMAINS.index(s.domain) for s in specs]),
        targeted=np.array([s.targeted for s in specs]),
        self_effect=effects(lambda s: s.self_effects),
        target_effect=effects(lambda s: s.target),
        relation_effect=np.array(
            [[s.relation.get(r, 0.0) for r in RELATIONS] for s in specs], dtype=float
        ),
        cost=column(lambda s: s.cost),
        visibility=column(lambda s: s.visibility),
        covert=np.array([s.covert for s in specs]),
        costly_signal=np.array([s.costly_signal for s in specs]),
        hostility=column(lambda s: s.hostility),
        third_party=column(lambda s: s.hostility if s.third_party is None else s.third_party),
        force=column(lambda s: s.force),
        starts_war=np.array([s.starts_war for s in specs]),
        nuclear_use=np.array([s.nuclear_use for s in specs]),
        crisis=column(lambda s: s.crisis),
        gain=column(lambda s: s.gain),
        stakes=column(lambda s: s.stakes),
        cheap_talk=np.array([s.cheap_talk for s in specs]),
        bogus=np.array([s.bogus for s in specs]),
        accommodation=np.array([s.accommodation for s in specs]),
        bloc=np.array([s.bloc for s in specs]),
        leverage=column(lambda s: s.leverage),
        requires=np.array([[r in s.requires for r in REQUIREMENTS] for s in specs]),
        discredit=column(lambda s: s.discredit),
        on_menu=np.array([s.on_menu for s in specs]),
        escalation=column(lambda s: s.escalation),
    )


def load_catalog(path: str | Path | None = None, extra: str | Path | None = None) -> Catalog:
    """The bundled catalogue (or a user's own file), plus optional extra entries.

    Extra entries with an id already in the catalogue replace that entry; others are added.
    """
    base = _default_path() if path is None else Path(path)
    return _merged_catalog(str(base), None if extra is None else str(extra))


@lru_cache(maxsize=16)
def _merged_catalog(base: str, extra: str | None) -> Catalog:
    entries = _read_entries(Path(base))
    source = base
    if extra is not None:
        added = _read_entries(Path(extra))
        if not isinstance(added, list):
            raise ScenarioError(
                [InputError(extra, "<root>", Kind(added), "expected a list of actions")]
            )

        problems = _specs(added, extra)[1]  # numbered as in the file, not as merged
        if problems:
            raise ScenarioError(problems)

        def key(entry: object) -> str | None:
            named = isinstance(entry, dict) and isinstance(entry.get("id"), str)
            return entry["id"] if named else None  # type: ignore[index]

        replaced = {key(e): e for e in added if key(e) is not None}
        entries = [replaced.pop(key(e), e) for e in entries] + [
            e for e in added if key(e) is None or key(e) in replaced
        ]
        source = extra
    return parse_catalog(entries, source)


def _read_entries(path: Path) -> object:
    return safe_yaml.load_file(path, "catalogue")
