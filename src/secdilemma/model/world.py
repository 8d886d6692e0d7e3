"""The vectorised world: R independent replicates of N states as NumPy arrays.

Shapes: ``(R,)`` per replicate, ``(R, N)`` per state, ``(R, N, N)`` per ordered pair, where
``[r, i, j]`` is *i's* view of *j* (belief, threat, grievance, trust) or the relation i→j.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field

import numpy as np

from secdilemma.model.actions import DOMAINS, Catalog
from secdilemma.model.distributions import draw, field_range
from secdilemma.model.registry import LENS_REGISTRY, POLICY_REGISTRY
from secdilemma.model.scenario import Scenario, StateSpec, World
from secdilemma.numerics.rng import Stream, Streams

# Each field's range, read from the scenario schema that checks it (model/scenario.py); draws
# from a distribution are clipped to it. The order is the order of the draws: do not change it.
WORLD_FIELDS: dict[str, tuple[float, float]] = {
    name: astuple(field_range(World, name))
    for name in (
        "offense_defense_balance",
        "distinguishability",
        "observation_noise",
        "depreciation",
        "deterrent_half",
    )
}
STATE_FIELDS: dict[str, tuple[float, float]] = {
    name: astuple(field_range(StateSpec, name))
    for name in (
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
}


@dataclass
class WorldState:
    # per replicate (R,)
    offense_defense_balance: np.ndarray
    distinguishability: np.ndarray
    observation_noise: np.ndarray
    depreciation: np.ndarray
    deterrent_half: np.ndarray
    # per state (R, N)
    offense: np.ndarray
    defense: np.ndarray
    deterrent: np.ndarray
    wealth: np.ndarray
    growth: np.ndarray
    greed: np.ndarray
    prudence: np.ndarray
    hubris: np.ndarray
    charity: np.ndarray
    empathy: np.ndarray
    credibility: np.ndarray
    # per ordered pair (R, N, N): i's view of j
    belief_greedy: np.ndarray
    threat: np.ndarray
    threat_baseline: np.ndarray
    grievance: np.ndarray
    trust: np.ndarray
    read_hostility: np.ndarray  # the hostility i read into j's act last step
    frame_charity: np.ndarray  # i's charity toward j (interpretive frame; social learning)
    credibility_view: np.ndarray  # how far i believes j's word
    pending_bogus: np.ndarray  # bool: j gave i a false justification not yet revealed
    resolve_view: np.ndarray  # how resolute i thinks j is; concessions lower it
    # relations (R, N, N); symmetric except sanctions (i sanctions j), dependence (i depends
    # on j) and the caps (i's cap under its agreement with j)
    alliance: np.ndarray
    agreement: np.ndarray
    hotline: np.ndarray
    monitoring: np.ndarray
    false_alarm: np.ndarray  # the monitoring institution's false-alarm rate per step
    sanctions: np.ndarray
    prospect: np.ndarray  # bool: j has been promised membership of i's alliance (or i of j's)
    dependence: np.ndarray
    cap_forces: np.ndarray  # i's ceiling on offense + defense (inf where no agreement)
    cap_deterrent: np.ndarray
    # static (N, N) and (N,)
    reach: np.ndarray
    lens: np.ndarray
    nuclear_option: np.ndarray  # (N,) bool: may pursue nuclear weapons
    policy: np.ndarray
    sensitivity: np.ndarray  # (N, len(DOMAINS))
    menu: np.ndarray  # (N, K) bool: acts each state may choose
    ids: tuple[str, ...] = field(default=())
    # (N, 2): [low, high] of the charity each state chooses every step; NaN rows for states
    # whose charity is not a choice, and [-1, -1] for those that hold their starting charity
    # (``charity_start``). None when no state chooses.
    charity_choice: np.ndarray | None = None
    charity_start: np.ndarray | None = None  # (R, N, N) frame_charity at the start
    # (R, N, N): the belief that j is greedy that a plain Bayesian reading of the same acts
    # gives i, beside the framed one; kept only when some state chooses its charity, which it
    # chooses from this (mechanisms/interpretation.py).
    belief_evidence: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.offense.shape

    def military(self) -> np.ndarray:
        """Military base M = offense + defense, (R, N)."""
        return self.offense + self.defense

    def set_caps(self, signed: np.ndarray, slack: float) -> None:
        """Set each party's ceilings from its forces now, for pairs whose agreement ``signed``
        (R, N, N) just came into force."""
        forces = (self.military() * (1.0 + slack))[:, :, None]
        deterrent = (self.deterrent * (1.0 + slack))[:, :, None]
        self.cap_forces = np.where(signed, forces, self.cap_forces)
        self.cap_deterrent = np.where(signed, deterrent, self.cap_deterrent)

    def clear_caps(self) -> None:
        """Ceilings lapse with the agreement that set them."""
        self.cap_forces = np.where(self.agreement, self.cap_forces, np.inf)
        self.cap_deterrent = np.where(self.agreement, self.cap_deterrent, np.inf)


def linked(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """(R, I, K) boolean product: some j with ``first[r, i, j]`` and ``second[r, j, k]``.

    A batched matrix product of 0/1 counts (exact in floating point); O(N^3) per replicate, so
    callers skip it when ``second`` is empty, as it is on most steps."""
    if not second.any():
        return np.zeros(first.shape[:2] + second.shape[2:], dtype=bool)
    return (first.astype(np.float32) @ second.astype(np.float32)) > 0


def bloc_extension(alliance: np.ndarray, admitted: np.ndarray) -> np.ndarray:
    """(R, N, N): m gains j as an ally because its ally a admitted j (``admitted[r, a, j]``)."""
    extended = linked(alliance.transpose(0, 2, 1), admitted)
    extended = extended | extended.transpose(0, 2, 1)
    return extended & ~np.eye(alliance.shape[1], dtype=bool)


UNIT = (0.0, 1.0)
# Where a drawn value goes: ("world", field), ("state", n, field), or (kind, i, j) for a pair
# value of kind trust, monitoring, false_alarm, dependence, belief or charity.
Place = tuple


def parameter_specs(scenario: Scenario) -> list[tuple[Place, object, tuple[float, float]]]:
    """Every value of ``scenario`` drawn per replicate, in the order of the draws: where it
    goes, its value or distribution, and its range. The order fixes each value's place in the
    parameter stream (its draw is ``Stream.PARAMETERS`` at its ordinal): do not change it."""
    index = {sid: n for n, sid in enumerate(scenario.ids)}
    specs: list[tuple[Place, object, tuple[float, float]]] = [
        (("world", name), getattr(scenario.world, name), bounds)
        for name, bounds in WORLD_FIELDS.items()
    ]
    for n, spec in enumerate(scenario.states):
        specs += [(("state", n, name), getattr(spec, name), b) for name, b in STATE_FIELDS.items()]
    for rel in scenario.relations:
        a, b = index[rel.between[0]], index[rel.between[1]]
        specs += [(("trust", a, b), rel.trust, UNIT), (("monitoring", a, b), rel.monitoring, UNIT)]
        if rel.false_alarm is not None:
            specs.append((("false_alarm", a, b), rel.false_alarm, UNIT))
        for sid, share in rel.dependence.items():
            other = b if index[sid] == a else a
            specs.append((("dependence", index[sid], other), share, UNIT))
    for belief in scenario.beliefs:
        for of, about in belief.pairs():
            i, j = index[of], index[about]
            if belief.greedy is not None:
                specs.append((("belief", i, j), belief.greedy, UNIT))
            if belief.charity is not None:
                specs.append((("charity", i, j), belief.charity, UNIT))
    return specs


def draw_parameters(scenario: Scenario, streams: Streams) -> list[np.ndarray]:
    """The values of :func:`parameter_specs` drawn for ``streams``' replicates, (R,) each.
    Each replicate's draws come from its own stream, so the draws of a run sliced to a block
    of its replicates are the block's own draws, bit for bit: a run draws them once."""
    return [
        draw(value, streams.uniform(Stream.PARAMETERS, ordinal), *bounds)
        for ordinal, (_, value, bounds) in enumerate(parameter_specs(scenario))
    ]


def initial_world(
    scenario: Scenario,
    streams: Streams,
    catalog: Catalog,
    draws: list[np.ndarray] | None = None,
) -> tuple[WorldState, dict[str, np.ndarray]]:
    """Build the starting world and return the per-replicate drawn parameters by column name.
    ``draws`` are the block's values of :func:`draw_parameters` where the run drew them already
    (``engine.pipeline.run_ensemble``); without them the world draws its own."""
    R, N = streams.size, len(scenario.states)
    ids = tuple(scenario.ids)
    index = {sid: n for n, sid in enumerate(ids)}
    specs = parameter_specs(scenario)
    values = draw_parameters(scenario, streams) if draws is None else draws
    drawn: dict[str, np.ndarray] = {}
    world = {}
    per_state = {name: np.empty((R, N)) for name in STATE_FIELDS}
    pair_draws = []
    for (place, _, _), value in zip(specs, values, strict=True):
        if place[0] == "world":
            world[place[1]] = drawn[f"world.{place[1]}"] = value
        elif place[0] == "state":
            n, name = place[1:]
            per_state[name][:, n] = value
            drawn[f"{ids[n]}.{name}"] = per_state[name][:, n]
        else:
            pair_draws.append((place, value))

    p = scenario.parameters
    reach = np.full((N, N), 1.0 / (1.0 + p.default_distance))
    trust = np.full((R, N, N), 0.5)
    monitoring = np.zeros((R, N, N))
    false_alarm = np.full((R, N, N), scenario.parameters.monitoring_false_alarm)
    alliance = np.zeros((R, N, N), dtype=bool)
    agreement = np.zeros((R, N, N), dtype=bool)
    hotline = np.zeros((R, N, N), dtype=bool)
    prospect = np.zeros((R, N, N), dtype=bool)
    dependence = np.zeros((R, N, N))
    for rel in scenario.relations:
        a, b = index[rel.between[0]], index[rel.between[1]]
        if rel.distance is not None:
            reach[a, b] = reach[b, a] = 1.0 / (1.0 + rel.distance)
        alliance[:, a, b] = alliance[:, b, a] = rel.alliance
        agreement[:, a, b] = agreement[:, b, a] = rel.agreement
        hotline[:, a, b] = hotline[:, b, a] = rel.hotline
        prospect[:, a, b] = prospect[:, b, a] = rel.prospect
    np.fill_diagonal(reach, 0.0)

    belief = np.full((R, N, N), p.prior_greedy)
    frame_charity = np.repeat(per_state["charity"][:, :, None], N, axis=2)
    symmetric = {"trust": trust, "monitoring": monitoring, "false_alarm": false_alarm}
    directed = {"dependence": dependence, "belief": belief, "charity": frame_charity}
    for (kind, i, j), value in pair_draws:
        if kind in symmetric:
            symmetric[kind][:, i, j] = symmetric[kind][:, j, i] = value
        else:
            directed[kind][:, i, j] = value
    eye = np.eye(N, dtype=bool)
    belief[:, eye] = 0.0
    trust[:, eye] = 1.0
    # A state starts out as threatened as it believes the other greedy: the prior is its
    # reading of the other's intent before any act has been seen.
    threat = belief.copy()

    sensitivity = np.zeros((N, len(DOMAINS)))
    for n, spec in enumerate(scenario.states):
        for domain, weight in spec.sensitivity.items():
            sensitivity[n, DOMAINS.index(domain)] = weight

    menu = np.repeat(catalog.on_menu[None, :], N, axis=0)
    for n, spec in enumerate(scenario.states):
        if spec.actions is not None:
            menu[n] = False
            menu[n, [catalog.index(a) for a in [*spec.actions, "wait"]]] = True
        menu[n, [catalog.index(a) for a in spec.exclude_actions]] = False

    state = WorldState(
        **world,
        **per_state,
        belief_greedy=belief,
        threat=threat,
        threat_baseline=threat.copy(),
        grievance=np.zeros((R, N, N)),
        trust=trust,
        read_hostility=np.zeros((R, N, N)),
        frame_charity=frame_charity,
        credibility_view=np.repeat(per_state["credibility"][:, None, :], N, axis=1),
        pending_bogus=np.zeros((R, N, N), dtype=bool),
        resolve_view=np.ones((R, N, N)),
        alliance=alliance,
        agreement=agreement,
        hotline=hotline,
        monitoring=monitoring,
        false_alarm=false_alarm,
        sanctions=np.zeros((R, N, N), dtype=bool),
        prospect=prospect,
        dependence=dependence,
        cap_forces=np.full((R, N, N), np.inf),
        cap_deterrent=np.full((R, N, N), np.inf),
        reach=reach,
        lens=np.array([LENS_REGISTRY.code(s.lens) for s in scenario.states]),
        nuclear_option=np.array([s.nuclear_option for s in scenario.states], dtype=bool),
        policy=np.array([POLICY_REGISTRY.code(s.policy) for s in scenario.states]),
        sensitivity=sensitivity,
        menu=menu,
        ids=ids,
        charity_choice=(choice := _charity_choice(scenario)),
        charity_start=None if choice is None else frame_charity.copy(),
        belief_evidence=None if choice is None else belief.copy(),
    )
    state.set_caps(agreement, p.agreement_slack)
    return state, drawn


def _charity_choice(scenario: Scenario) -> np.ndarray | None:
    if not any(s.charity_choice for s in scenario.states):
        return None
    bounds = np.full((len(scenario.states), 2), np.nan)
    for n, spec in enumerate(scenario.states):
        if spec.charity_choice is not None:
            held = spec.charity_choice.hold
            bounds[n] = (
                (-1.0, -1.0) if held else (spec.charity_choice.low, spec.charity_choice.high)
            )
    return bounds


def world_change_schedule(
    scenario: Scenario, streams: Streams
) -> dict[int, list[tuple[str, np.ndarray]]]:
    """The scenario's world changes, drawn per replicate: step -> [(field, values (R,))]."""
    schedule: dict[int, list[tuple[str, np.ndarray]]] = {}
    ordinal = 0
    for change in scenario.world_changes:
        for name, bounds in WORLD_FIELDS.items():
            value = getattr(change, name, None)
            if value is None:
                continue
            u = streams.uniform(Stream.WORLD_CHANGES, ordinal)
            ordinal += 1
            schedule.setdefault(change.step, []).append((name, draw(value, u, *bounds)))
    return schedule
