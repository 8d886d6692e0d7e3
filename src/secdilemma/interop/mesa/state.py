"""What an agent reads from its model (:class:`AgentModel`), and a state's variables, its view
of the others, its relations and the military balance (:class:`StateBase`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import mesa

from secdilemma.interop.mesa.acts import Act
from secdilemma.interop.mesa.reading import Reading
from secdilemma.model.actions import DOMAINS
from secdilemma.model.scenario import LENSES, Parameters
from secdilemma.model.world import WorldState


@runtime_checkable
class AgentModel(Protocol):
    """What a state's agent reads from its model (``SecurityDilemmaModel`` provides it): the
    parameters, the agents of all states, the catalogue's acts, the world's constants, the
    random draws and the run's tallies."""

    p: Parameters
    offense_defense_balance: float
    distinguishability: float
    observation_noise: float
    depreciation: float
    deterrent_half: float
    national_false_rate: float  # noisy national intelligence's false alarms of cheating
    secret_visibility: float  # national means' chance of catching a secret build

    @property
    def states(self) -> Sequence[StateBase]:
        """Every state's agent, by index."""
        ...

    @property
    def self_acts(self) -> Sequence[Act]:
        """The catalogue's self-directed acts, in catalogue order."""
        ...

    @property
    def aimed_acts(self) -> Sequence[Act]:
        """The catalogue's acts aimed at another state, in catalogue order."""
        ...

    @property
    def wait(self) -> Act:
        """The act of doing nothing."""
        ...

    def uniform(self, purpose: str, *where: int) -> float:
        """A uniform draw on [0, 1), named by its purpose and the states it concerns."""
        ...

    def normal(self, purpose: str, *where: int) -> float:
        """A standard normal draw, named as ``uniform``'s."""
        ...

    def count(self, name: str, happened: bool) -> None:
        """Add one to the run's tally ``name`` if ``happened``."""
        ...


class StateBase(mesa.Agent):
    """A state's variables and relations, and its part in the military balance. Its own
    variables are floats; its view of each other state j, and its relations with j, are dicts
    keyed by j's index (``model.states[j]``). :class:`StateAgent` adds its phases of the step."""

    model: AgentModel

    def __init__(self, model: AgentModel, world: WorldState, index: int) -> None:
        super().__init__(model)
        n = index
        N = world.shape[1]
        self.index = n
        self.state_id = world.ids[n]
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
        ):
            setattr(self, name, float(getattr(world, name)[0, n]))
        self.lens = LENSES[int(world.lens[n])]
        # Its private cost of war, a factor on what defeat and fighting cost it in its war
        # utility (mean 1); the model sets it from the replicate's draw.
        self.cost_factor = 1.0
        self.nuclear_option = bool(world.nuclear_option[n])
        self.sensitivity = {
            domain: float(weight)
            for domain, weight in zip(DOMAINS, world.sensitivity[n], strict=True)
            if weight != 0.0
        }
        self.menu = frozenset(int(k) for k in range(world.menu.shape[1]) if world.menu[n, k])

        others = [j for j in range(N) if j != n]

        def view(array) -> dict[int, float]:
            return {j: float(array[0, n, j]) for j in others}

        def related(array) -> set[int]:
            return {j for j in others if array[0, n, j]}

        self.belief_greedy = view(world.belief_greedy)
        self.threat = view(world.threat)
        self.threat_baseline = view(world.threat_baseline)
        self.grievance = view(world.grievance)
        self.trust = view(world.trust)
        self.read_hostility = view(world.read_hostility)
        self.frame_charity = view(world.frame_charity)
        self.credibility_view = view(world.credibility_view)
        self.resolve_view = view(world.resolve_view)
        self.pending_bogus = related(world.pending_bogus)  # j lied to this state, unrevealed
        self.reach = {j: float(world.reach[n, j]) for j in others}
        self.allies = related(world.alliance)
        self.agreements = related(world.agreement)
        self.hotlines = related(world.hotline)
        self.prospects = related(world.prospect)
        self.sanctioning = related(world.sanctions)  # states this one sanctions
        self.monitoring = view(world.monitoring)
        self.false_alarm = view(world.false_alarm)
        self.dependence = view(world.dependence)  # this state's dependence on j
        self.cap_forces = {j: float(world.cap_forces[0, n, j]) for j in self.agreements}
        self.cap_deterrent = {j: float(world.cap_deterrent[0, n, j]) for j in self.agreements}

        # The military balance as last measured (SecurityDilemmaModel.measure_balance).
        self.defense_total = 0.0
        self.secure = 0.0
        self.odds: dict[int, float] = {}  # chance that this state defeats j if it attacks
        self.future_allies: set[int] = set()
        self.future_defense = 0.0

        # This step's act and what follows from it.
        self.act: Act = model.wait
        self.target: int | None = None
        self.likelihood_greedy = 1.0
        self.likelihood_seeker = 1.0
        self.perceived_security = 1.0
        self.armed = 0.0
        self.offense_before = self.offense
        self.defense_before = self.defense
        self.bound: set[int] = set()  # agreement partners at the start of the step
        self.breached: set[int] = set()  # partners whose caps this state broke openly
        self.readings: dict[int, Reading] = {}  # acts of others this state saw this step
        self.strikes: set[int] = set()  # states it strikes first in a crisis this step
        self._reset_received()

    def _reset_received(self) -> None:
        self.received_offense = self.received_defense = 0.0
        self.received_deterrent = self.received_wealth = 0.0
        self.trade_cut = 0.0  # wealth lost because suppliers cut this state off
        self.revenue_lost = 0.0  # revenue lost by cutting off buyers

    # --- the balance ---------------------------------------------------------------------

    @property
    def military(self) -> float:
        return self.offense + self.defense

    def own_defense(self) -> float:
        return self.defense + self.model.p.offense_defends * self.offense

    def measure_defense(self) -> None:
        """Own defence plus the committed, reach-weighted share of the allies' own defence."""
        states = self.model.states
        allied = sum(states[j].own_defense() * states[j].reach[self.index] for j in self.allies)
        self.defense_total = self.own_defense() + self.model.p.alliance_commitment * allied
        self.secure = self.deterrent / (self.deterrent + self.model.deterrent_half)

    def measure_odds(self) -> None:
        """The chance of defeating each other state, after every state measured its defence."""
        beta = self.model.offense_defense_balance
        self.odds = {}
        for j, reach in self.reach.items():
            if j in self.allies:
                self.odds[j] = 0.0
                continue
            attack = beta * self.offense * reach
            total = attack + self.model.states[j].defense_total
            self.odds[j] = attack / total if total > 0 else 0.0

    def security(self) -> float:
        """1 - the largest chance that some state defeats this one, second strike counted."""
        i = self.index
        worst = max(other.odds[i] for other in self.model.states if other is not self)
        return 1.0 - max(worst, 0.0) * (1.0 - self.secure)

    def is_nuclear(self) -> bool:
        return self.deterrent >= self.model.p.nuclear_threshold * self.model.deterrent_half

    def foresee(self) -> None:
        """Allies once every promised member joined its promiser's bloc, and the defence this
        state will have ``foresight`` steps ahead (the preventive motive, model.md 5.2)."""
        states, p = self.model.states, self.model.p
        future = self.allies | self.prospects
        for a in self.allies:
            future |= states[a].prospects
        for a in self.prospects:
            future |= states[a].allies
        future.discard(self.index)
        self.future_allies = future
        support = sum(
            states[m].own_defense() * states[m].growth_ahead * states[m].reach[self.index]
            for m in future
        )
        self.future_defense = (
            self.own_defense() * self.growth_ahead + p.alliance_commitment * support
        )

    @property
    def growth_ahead(self) -> float:
        return (1.0 + self.growth) ** self.model.p.foresight

    # --- this step's act -----------------------------------------------------------------

    def intent_toward(self, j: int) -> float:
        """The intent of this state's act toward j, as it rates the act itself."""
        if self.target is None or self.target == j:
            return self.act.hostility
        return self.act.third_party
