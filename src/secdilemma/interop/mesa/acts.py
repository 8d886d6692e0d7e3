"""The action catalogue as plain Python objects, one per act, for per-agent code."""

from __future__ import annotations

from dataclasses import dataclass

from secdilemma.model.actions import Catalog


@dataclass(frozen=True, slots=True)
class Act:
    """One catalogue entry with its numbers as Python floats (docs/model.md, section 4)."""

    index: int
    id: str
    domain: str
    targeted: bool
    # additions to the actor: offense and defense in units of its forces, deterrent in units
    # of the deterrent half, wealth as a share of its wealth
    self_offense: float
    self_defense: float
    self_deterrent: float
    self_wealth: float
    # changes to the target, as shares of its current values
    target_offense: float
    target_defense: float
    target_deterrent: float
    target_wealth: float
    relation: dict[str, float]
    cost: float
    visibility: float
    covert: bool
    costly_signal: bool
    hostility: float
    third_party: float
    force: float
    starts_war: bool
    nuclear_use: bool
    crisis: float
    gain: float
    stakes: float
    cheap_talk: bool
    bogus: bool
    accommodation: bool
    bloc: bool
    leverage: float
    requires: tuple[str, ...]
    escalation: float

    @property
    def builds_forces(self) -> bool:
        return self.self_offense > 0 or self.self_defense > 0

    @property
    def raises_forces(self) -> bool:
        """An arms-control cap limits the act: it adds to forces or to the deterrent."""
        return self.builds_forces or self.self_deterrent > 0

    @property
    def forms_alliance(self) -> float:
        """The alliance the act adds (0 or 1; leaving an alliance adds none)."""
        return max(self.relation.get("alliance", 0.0), 0.0)

    def cost_share(self, burden: float, reference: float) -> float:
        """Share of wealth spent: force builds cost more as forces outgrow the economy."""
        if self.builds_forces:
            return self.cost * (burden / reference)
        return self.cost


def acts_of(catalog: Catalog) -> list[Act]:
    """Every act of ``catalog``, in catalogue order (so ``acts[k].index == k``)."""
    acts = []
    for k, spec in enumerate(catalog.specs):
        own, target = spec.self_effects, spec.target
        acts.append(
            Act(
                index=k,
                id=spec.id,
                domain=spec.domain,
                targeted=spec.targeted,
                self_offense=float(own.get("offense", 0.0)),
                self_defense=float(own.get("defense", 0.0)),
                self_deterrent=float(own.get("deterrent", 0.0)),
                self_wealth=float(own.get("wealth", 0.0)),
                target_offense=float(target.get("offense", 0.0)),
                target_defense=float(target.get("defense", 0.0)),
                target_deterrent=float(target.get("deterrent", 0.0)),
                target_wealth=float(target.get("wealth", 0.0)),
                relation={key: float(value) for key, value in spec.relation.items()},
                cost=float(spec.cost),
                visibility=float(spec.visibility),
                covert=spec.covert,
                costly_signal=spec.costly_signal,
                hostility=float(spec.hostility),
                third_party=float(spec.hostility if spec.third_party is None else spec.third_party),
                force=float(spec.force),
                starts_war=spec.starts_war,
                nuclear_use=spec.nuclear_use,
                crisis=float(spec.crisis),
                gain=float(spec.gain),
                stakes=float(spec.stakes),
                cheap_talk=spec.cheap_talk,
                bogus=spec.bogus,
                accommodation=spec.accommodation,
                bloc=spec.bloc,
                leverage=float(spec.leverage),
                requires=tuple(spec.requires),
                escalation=float(spec.escalation),
            )
        )
    return acts
