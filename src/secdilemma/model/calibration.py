"""Starting capabilities and alliances from Correlates of War data, through code.

A scenario's ``calibration:`` block maps each scenario state to one or more COW states and names
a year. Then, from the National Material Capabilities of that year (``secdilemma.model.cow``):

* military share ``μ_i`` = the mean of the state's shares of world military expenditure and of
  world military personnel (the two military components of CINC);
* economic share ``ε_i`` = the mean of its shares of world iron and steel, energy consumption,
  total and urban population (the four other CINC components);
* wealth ``W_i = scale * ε_i / max_j ε_j`` (the largest economy among the scenario's states gets
  ``scale``);
* forces ``M_i = k μ_i`` with k set so that the scenario's total burden ``Σ M / Σ W`` equals
  ``burden`` (default ``parameters.burden_reference``): states that spend more of their economy
  on arms than the others carry a heavier burden in the model too;
* ``offense_i = s_i M_i`` and ``defense_i = (1 - s_i) M_i``, with the offense share ``s_i`` a
  stated assumption of the scenario (NMC does not record posture);
* growth, if asked, is the yearly growth of energy consumption over the ``growth_years`` before
  the year (an industrial-output proxy available for every state-year), clipped to ±10%;
* alliances: a pair is allied if every COW state of one has an alliance of the chosen kind in
  force with every COW state of the other that year (COW alliance data end in 2012; later years
  use 2012). A scenario may set aside named COW alliances (``exclude_alliances``, by
  ``version4id``), stating why on its page.

A scenario state built from several COW states (the Baltic states) sums their components.
docs/scenarios.md documents the block; each scenario's page states its assumptions.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from secdilemma.errors import InputError, ScenarioError
from secdilemma.model.cow import allied_in, load_alliances, load_nmc, state_codes
from secdilemma.model.distributions import MAX_AMOUNT
from secdilemma.model.messages import problems_from

ECONOMIC = ("irst", "pec", "tpop", "upop")
MILITARY = ("milex", "milper")
HAND_SET = ("offense", "defense", "wealth")


class Calibration(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    source: Literal["nmc"] = "nmc"
    year: int = Field(ge=1816, le=2016)
    states: dict[str, list[str | int]] = Field(min_length=1)
    offense_share: dict[str, float] = Field(default_factory=dict)
    default_offense_share: float = Field(default=0.5, ge=0, le=1)
    scale: float = Field(default=100.0, gt=0, le=MAX_AMOUNT)
    burden: float | None = Field(default=None, gt=0, le=1000.0)
    growth: bool = False
    growth_years: int = Field(default=10, ge=1, le=50)
    alliances: Literal["defense", "any", "none"] = "defense"
    # COW alliances (by version4id) a scenario sets aside, each with a reason on its page.
    exclude_alliances: list[int] = Field(default_factory=list)


def _shares(nmc: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each state's share of the world total of every CINC component in ``year``."""
    rows = nmc[nmc["year"] == year].set_index("ccode")
    columns = [*MILITARY, *ECONOMIC]
    return rows[columns] / rows[columns].sum(skipna=True)


def capabilities(calibration: Calibration, burden: float, source: str) -> pd.DataFrame:
    """One row per scenario state: military and economic shares, offense, defense, wealth,
    and growth where asked."""
    nmc = load_nmc()
    shares = _shares(nmc, calibration.year)
    rows = {}
    for sid, members in calibration.states.items():
        field = f"calibration.states.{sid}"
        codes = _codes(nmc, members, source, field)
        missing = [c for c in codes if c not in shares.index]
        if missing:
            raise InputError(source, field, members, f"no NMC record in {calibration.year}")
        summed = shares.loc[codes].sum(min_count=1)
        military = summed[list(MILITARY)].mean(skipna=True)
        economic = summed[list(ECONOMIC)].mean(skipna=True)
        if not (np.isfinite(military) and np.isfinite(economic)):
            raise InputError(source, field, members, f"NMC data missing in {calibration.year}")
        row = {"military_share": military, "economic_share": economic}
        if calibration.growth:
            row["growth"] = _energy_growth(nmc, codes, calibration, source, field)
        rows[sid] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["wealth"] = calibration.scale * table.economic_share / table.economic_share.max()
    k = burden * table.wealth.sum() / table.military_share.sum()
    forces = k * table.military_share
    share = pd.Series(
        {sid: calibration.offense_share.get(sid, calibration.default_offense_share) for sid in rows}
    )
    table["offense"] = share * forces
    table["defense"] = (1.0 - share) * forces
    return table


def _codes(nmc: pd.DataFrame, members: list[str | int], source: str, field: str) -> list[int]:
    """``state_codes``, its error naming the scenario field."""
    try:
        return state_codes(nmc, members, source)
    except InputError as err:
        raise InputError(source, field, err.value, err.problem) from None


def _energy_growth(nmc, codes, calibration, source, field) -> float:
    first = calibration.year - calibration.growth_years
    rows = nmc[nmc["ccode"].isin(codes) & nmc["year"].isin([first, calibration.year])]
    energy = rows.groupby("year")["pec"].sum(min_count=len(codes))
    if len(energy) < 2 or not np.all(np.isfinite(energy.to_numpy())) or energy.min() <= 0:
        raise InputError(
            source,
            field,
            codes,
            f"no energy consumption for growth over {first}-{calibration.year}",
        )
    rate = (energy.loc[calibration.year] / energy.loc[first]) ** (1.0 / calibration.growth_years)
    return float(np.clip(rate - 1.0, -0.1, 0.1))


def calibrated_fields(block: dict[str, Any] | None) -> set[str]:
    """The state fields (``states.ID.name``) a valid ``calibration:`` block sets, which a
    scenario (or an override) may not also set."""
    if block is None:
        return set()
    calibration = Calibration.model_validate(block)
    names = (*HAND_SET, *(["growth"] if calibration.growth else []))
    return {f"states.{sid}.{name}" for sid in calibration.states for name in names}


def calibrate(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Fill a raw scenario's states and relations from its ``calibration:`` block (if any).

    Values the calibration sets may not also be given by hand: that is reported as an error
    naming the field. The block itself is kept, so the manifest records how values were made.
    """
    block = raw.get("calibration")
    if block is None:
        return raw
    try:
        calibration = Calibration.model_validate(block)
    except ValidationError as err:
        problems = problems_from(err, source, block, Calibration, prefix=("calibration",))
        raise ScenarioError(problems) from None
    out = copy.deepcopy(raw)
    states = out.get("states") or []
    ids = [s.get("id") for s in states if isinstance(s, dict)]
    for sid in [*calibration.states, *calibration.offense_share]:
        if sid not in ids:
            raise InputError(source, f"calibration.states.{sid}", sid, f"not a state; known: {ids}")
    for sid, value in calibration.offense_share.items():
        if not 0 <= value <= 1:
            raise InputError(source, f"calibration.offense_share.{sid}", value, "must be in [0, 1]")
    burden = calibration.burden or (out.get("parameters") or {}).get("burden_reference", 0.2)
    table = capabilities(calibration, float(burden), source)
    for n, state in enumerate(states):
        sid = state.get("id")
        if sid not in table.index:
            continue
        for name in (*HAND_SET, *(["growth"] if calibration.growth else [])):
            if name in state:
                raise InputError(
                    source, f"states[{n}].{name}", state[name], "set by the calibration block too"
                )
            state[name] = round(float(table.loc[sid, name]), 6)
    if calibration.alliances != "none":
        _calibrate_alliances(out, calibration, source)
    return out


def _calibrate_alliances(out: dict[str, Any], calibration: Calibration, source: str) -> None:
    nmc = load_nmc()
    alliances = load_alliances()
    alliances = alliances[~alliances["version4id"].isin(calibration.exclude_alliances)]
    codes = {
        sid: _codes(nmc, m, source, f"calibration.states.{sid}")
        for sid, m in calibration.states.items()
    }
    relations = out.setdefault("relations", [])
    by_pair = {}
    for n, rel in enumerate(relations):
        if isinstance(rel, dict) and isinstance(rel.get("between"), list | tuple):
            by_pair[frozenset(rel["between"])] = (n, rel)
    sids = list(codes)
    for a_pos, a in enumerate(sids):
        for b in sids[a_pos + 1 :]:
            allied = allied_in(
                alliances, codes[a], codes[b], calibration.year, calibration.alliances
            )
            entry = by_pair.get(frozenset((a, b)))
            if entry is not None and "alliance" in entry[1]:
                raise InputError(
                    source,
                    f"relations[{entry[0]}].alliance",
                    entry[1]["alliance"],
                    "set by the calibration block too",
                )
            if entry is not None:
                entry[1]["alliance"] = allied
            elif allied:
                relations.append({"between": [a, b], "alliance": True})
