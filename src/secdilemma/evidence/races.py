"""Arms races found in the record by the project's own detector, scored against GRH's list.

The detector is the engine's spiral rule (``engine/records/spirals.py``) applied to annual
data, the documented variant: a state *arms* in a year when its military indicator grew by at
least ``threshold`` over the year before; a pair is *racing* in a year when the bias-corrected
exponentially weighted share of years in which each armed, over a window of ``window`` years,
is above one half for both (the engine's ``spiral_window`` rule; the engine's second condition,
rising perceived threat, has no counterpart in the capability data and is left out).

Two indicators, each unit-free: military personnel (``milper``: no currency, no inflation), and
military expenditure (``milex``) growth, never across 1913-1914, when NMC's unit changes from
pounds to dollars. Nominal expenditure growth includes inflation, which is the reason to prefer
personnel and to report both.

Scored against the GRH races (Gibler, Rider and Hutchison 2005), within a universe of pairs: ``grh``
(the pairs that ever had a GRH race) or ``rivals`` (pairs with at least ``RIVAL_DISPUTES`` dispute
dyads, a proxy for rivalry, with the GRH pairs added). Year by year: precision is the share of
detected racing pair-years inside a GRH race, recall the share of GRH race pair-years detected (a
detected year within ``tolerance`` years of a race counts as right for precision; recall counts the
race's own years). Race by race: a GRH race is found when the detector marks a year within
``tolerance`` years of it; an episode (a run of racing years) is right when it overlaps a GRH race
within the tolerance; the onset error is the first detected year minus GRH's start year.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.model.cow import UNIT_CHANGE_YEAR, load_grh, load_nmc

THRESHOLD = 0.08  # yearly growth that counts as arming
WINDOW = 3  # years in the detector's window (GRH races last 2-8 years, median 3)
TOLERANCE = 1  # years either side of a GRH race within which a detection counts as found
RIVAL_DISPUTES = 3
INDICATORS = ("milper", "milex")


def arming(nmc: pd.DataFrame, indicator: str, threshold: float) -> pd.DataFrame:
    """(years x states) bool: the state's ``indicator`` grew by at least ``threshold``; NaN
    where the growth is unknown (missing data, or milex across the change of unit)."""
    values = nmc.pivot_table(index="year", columns="ccode", values=indicator, aggfunc="first")
    values = values.reindex(range(values.index.min(), values.index.max() + 1))
    growth = values / values.shift(1) - 1.0
    if indicator == "milex":
        growth.loc[UNIT_CHANGE_YEAR] = np.nan
    growth = growth.where(values.shift(1) > 0)
    return (growth >= threshold).astype(float).where(growth.notna())


def racing(arms_i: np.ndarray, arms_j: np.ndarray, window: int) -> np.ndarray:
    """(T, P) bool: each pair racing in each year, by the engine's spiral rule on arming
    (unknown years count as not arming)."""
    alpha = 2.0 / (window + 1.0)
    ema_i = np.zeros(arms_i.shape[1])
    ema_j = np.zeros(arms_i.shape[1])
    active = np.zeros(arms_i.shape, dtype=bool)
    for t in range(arms_i.shape[0]):  # years: a loop over time, vectorised over pairs
        ema_i = (1 - alpha) * ema_i + alpha * np.nan_to_num(arms_i[t])
        ema_j = (1 - alpha) * ema_j + alpha * np.nan_to_num(arms_j[t])
        if t >= 2:
            weight = 1.0 - (1.0 - alpha) ** (t + 1)
            active[t] = (ema_i / weight > 0.5) & (ema_j / weight > 0.5)
    return active


def universe(name: str) -> list[tuple[int, int]]:
    """The pairs scanned, in code order."""
    grh = load_grh()
    pairs = set(
        zip(
            np.minimum(grh["ccode1"], grh["ccode2"]),
            np.maximum(grh["ccode1"], grh["ccode2"]),
            strict=True,
        )
    )
    if name == "grh":
        return sorted((int(a), int(b)) for a, b in pairs)
    if name == "rivals":
        counts = dispute_dyads().groupby(["low", "high"]).size()
        rivals = {pair for pair, n in counts.items() if n >= RIVAL_DISPUTES}
        return sorted((int(a), int(b)) for a, b in rivals | pairs)
    raise ValueError(f"unknown universe {name!r}; use 'grh' or 'rivals'")


def _episodes(active: np.ndarray, years: np.ndarray) -> list[tuple[int, int, int]]:
    """(pair index, first year, last year) of each run of racing years."""
    padded = np.zeros((active.shape[0] + 2, active.shape[1]), dtype=np.int8)
    padded[1:-1] = active
    change = np.diff(padded, axis=0)
    starts = np.argwhere(change == 1)
    ends = np.argwhere(change == -1)
    starts = starts[np.lexsort((starts[:, 0], starts[:, 1]))]
    ends = ends[np.lexsort((ends[:, 0], ends[:, 1]))]
    return [
        (int(p), int(years[s]), int(years[e - 1]))
        for (s, p), (e, _) in zip(starts, ends, strict=True)
    ]


def score_detector(
    indicator: str = "milper",
    pairs: str = "rivals",
    threshold: float = THRESHOLD,
    window: int = WINDOW,
    tolerance: int = TOLERANCE,
) -> dict[str, Any]:
    """Precision, recall and onset error of the detector against the GRH races."""
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; use one of {list(INDICATORS)}")
    scanned = universe(pairs)
    arms = arming(load_nmc(), indicator, threshold)
    years = arms.index.to_numpy()
    present = [(a, b) for a, b in scanned if a in arms.columns and b in arms.columns]
    arms_i = arms[[a for a, _ in present]].to_numpy()
    arms_j = arms[[b for _, b in present]].to_numpy()
    active = racing(arms_i, arms_j, window)
    known = ~np.isnan(arms_i) & ~np.isnan(arms_j)

    grh = load_grh()
    column = {pair: n for n, pair in enumerate(present)}
    in_race = np.zeros_like(active)
    near_race = np.zeros_like(active)
    races = []
    for race in grh.itertuples():  # 71 races
        pair = (min(race.ccode1, race.ccode2), max(race.ccode1, race.ccode2))
        if pair not in column:
            continue
        p = column[pair]
        span = (years >= race.styear) & (years <= race.endyear)
        near = (years >= race.styear - tolerance) & (years <= race.endyear + tolerance)
        in_race[span, p] = True
        near_race[near, p] = True
        hits = years[near & active[:, p]]
        races.append(
            {
                "race_id": int(race.race_id),
                "pair": list(pair),
                "years": [int(race.styear), int(race.endyear)],
                "data": bool(known[span, p].any()),
                "found": bool(hits.size),
                "onset_error": int(hits[0] - race.styear) if hits.size else None,
            }
        )
    detected = int(active.sum())
    race_years = int((in_race & known).sum())
    episodes = _episodes(active, years)
    right = [e for e in episodes if near_race[(years >= e[1]) & (years <= e[2]), e[0]].any()]
    with_data = [r for r in races if r["data"]]
    errors = np.array([r["onset_error"] for r in with_data if r["found"]], dtype=float)
    return {
        "indicator": indicator,
        "pairs": pairs,
        "threshold": threshold,
        "window": window,
        "tolerance": tolerance,
        "pairs_scanned": len(present),
        "pair_years_with_data": int(known.sum()),
        "racing_pair_years": detected,
        "grh_race_pair_years": race_years,
        "year_precision": _ratio((active & near_race).sum(), detected),
        "year_recall": _ratio((active & in_race).sum(), race_years),
        "grh_races": len(races),
        "grh_races_with_data": len(with_data),
        "races_found": sum(r["found"] for r in with_data),
        "race_recall": _ratio(sum(r["found"] for r in with_data), len(with_data)),
        "episodes": len(episodes),
        "episodes_matching_a_race": len(right),
        "episode_precision": _ratio(len(right), len(episodes)),
        "onset_error_mean": float(errors.mean()) if errors.size else None,
        "onset_error_median": float(np.median(errors)) if errors.size else None,
        "onset_error_mean_absolute": float(np.abs(errors).mean()) if errors.size else None,
        "races": races,
    }


def _ratio(part: int, whole: int) -> float | None:
    return float(part) / whole if whole else None


def detector_table() -> dict[str, Any]:
    """The detector scored with each indicator in each universe, at the documented settings,
    and its sensitivity to the threshold and the window (rivals universe)."""
    main = {
        f"{indicator}/{pairs}": _without_races(score_detector(indicator, pairs))
        for indicator in INDICATORS
        for pairs in ("rivals", "grh")
    }
    sensitivity = [
        _without_races(score_detector(indicator, "rivals", threshold, window))
        for indicator in INDICATORS
        for threshold in (0.05, 0.08, 0.12)
        for window in (2, 3, 5)
    ]
    return {"settings": main, "sensitivity": sensitivity}


def _without_races(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "races"}


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def races_markdown(table: dict[str, Any]) -> str:
    """``detector_table`` as docs/evidence.md shows it (generated)."""
    lines = [
        "| indicator / pairs | pairs | racing pair-years | year precision | year recall | "
        "GRH races found | race recall | episodes | episode precision | onset error "
        "(median, mean abs.) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in table["settings"].items():
        lines.append(
            f"| {name} | {r['pairs_scanned']} | {r['racing_pair_years']} | "
            f"{_cell(r['year_precision'])} | {_cell(r['year_recall'])} | "
            f"{r['races_found']} of {r['grh_races_with_data']} | {_cell(r['race_recall'])} | "
            f"{r['episodes']} | {_cell(r['episode_precision'])} | "
            f"{_cell(r['onset_error_median'])}, {_cell(r['onset_error_mean_absolute'])} |"
        )
    lines += [
        "",
        "Sensitivity (rival pairs): year precision / year recall / race recall by threshold "
        "and window.",
        "",
        "| indicator | threshold | window 2 | window 3 | window 5 |",
        "| --- | --- | --- | --- | --- |",
    ]
    by_setting = {(r["indicator"], r["threshold"], r["window"]): r for r in table["sensitivity"]}
    for indicator, threshold in dict.fromkeys((i, t) for i, t, _ in by_setting):
        cells = [
            " / ".join(
                _cell(by_setting[(indicator, threshold, w)][k])
                for k in ("year_precision", "year_recall", "race_recall")
            )
            for w in (2, 3, 5)
        ]
        lines.append(f"| {indicator} | {threshold:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
