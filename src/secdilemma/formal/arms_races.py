"""Richardson fits to real expenditure: blocs from the COW NMC data, and every arms race in
the Gibler-Rider-Hutchison (2005) list.

GRH races are short (3 to 9 years), and each reaction equation has three coefficients, so a fit
needs more years than most races last. Each race is therefore fitted over a window that starts
``lead`` years before the race (default 3: the run-up in which the two were already reacting to
each other) and ends with it; the window is reported with the fit, and ``lead=0`` fits the race
years alone. A race whose window has fewer than ``min_obs`` usable year-to-year changes is
reported as having too little data, with the count. Windows that cross 1914 are converted to US
dollars at the gold parity (``secdilemma.model.cow``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from secdilemma.formal.richardson import (
    AdditiveFit,
    ReactionFit,
    fit_additive,
    fit_reactions,
    is_stable_discrete,
)
from secdilemma.model.cow import UNIT_CHANGE_YEAR, Currency, bloc_milex, milex

FITTED = "fitted"
TOO_LITTLE_DATA = "too little milex data"


def fit_blocs(
    nmc: pd.DataFrame,
    blocs: Sequence[Sequence[str | int]],
    years: Sequence[int],
    at: str = "mid",
) -> tuple[pd.DataFrame, AdditiveFit, ReactionFit | None]:
    """Two blocs' summed milex (millions of the series' currency), the additive fit, and the
    pairwise reaction fit where there are enough years (else None)."""
    if len(blocs) != 2:
        raise ValueError(f"need exactly two blocs, got {len(blocs)}")
    series = bloc_milex(nmc, blocs, years) / 1000.0
    x, y = series.iloc[:, 0].to_numpy(), series.iloc[:, 1].to_numpy()
    additive = fit_additive(x, y, at=at)
    try:
        pairwise = fit_reactions(x, y)
    except ValueError:
        pairwise = None
    return series, additive, pairwise


def fit_grh_races(
    nmc: pd.DataFrame, grh: pd.DataFrame, lead: int = 3, min_obs: int = 5
) -> pd.DataFrame:
    """One row per GRH race: its window, usable changes, status and (where fitted) the
    reaction coefficients, stability and the largest eigenvalue."""
    rows = []
    for race in grh.itertuples(index=False):
        first, last = int(race.styear) - lead, int(race.endyear)
        years = range(first, last + 1)
        currency: Currency = "USD" if first < UNIT_CHANGE_YEAR <= last else "native"
        pair = milex(nmc, [race.ccode1, race.ccode2], years, currency, source="GRH") / 1000.0
        x, y = pair.iloc[:, 0].to_numpy(), pair.iloc[:, 1].to_numpy()
        usable = int(np.sum(np.isfinite(x[:-1] + x[1:] + y[:-1] + y[1:])))
        row = {
            "race_id": race.race_id,
            "state1": race.state1,
            "state2": race.state2,
            "styear": race.styear,
            "endyear": race.endyear,
            "window": f"{first}-{last}",
            "currency": "USD" if currency == "USD" or first >= UNIT_CHANGE_YEAR else "GBP",
            "usable_changes": usable,
        }
        if usable < min_obs:
            rows.append({**row, "status": f"{TOO_LITTLE_DATA} ({usable} of {min_obs} changes)"})
            continue
        result = fit_reactions(x, y, min_obs=min_obs)
        fit = result.as_dict()
        m = result.model
        fit["richardson_signs"] = bool(m.a >= 0 and m.b >= 0 and m.m > 0 and m.n > 0)
        fit["stable_discrete"] = bool(is_stable_discrete(m))
        rows.append({**row, "status": FITTED, **fit})
    return pd.DataFrame(rows)


def unstable_share(
    fits: pd.DataFrame, richardson_signs_only: bool = False, discrete: bool = False
) -> float:
    """Share of the fitted races (not of all races) whose fit is unstable; optionally only
    among fits with Richardson's signs (``a, b >= 0``, ``m, n > 0``), and by the stability of
    the yearly map rather than of the continuous system."""
    fitted = fits[fits["status"] == FITTED]
    if richardson_signs_only:
        fitted = fitted[fitted["richardson_signs"].astype(bool)]
    column = "stable_discrete" if discrete else "stable"
    return float((~fitted[column].astype(bool)).mean()) if len(fitted) else float("nan")
