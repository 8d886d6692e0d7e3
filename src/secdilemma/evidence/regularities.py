"""The regularities the literature reports, computed from the dispute dyads.

Each is a share of dispute dyads that became wars, by group, with the counts and a 95% Wilson
interval; ``evidence_table`` gathers them as ``secdilemma evidence table`` prints them.

* **Arms races** (Wallace 1979; Diehl 1983; Sample 1997; Gibler, Rider and Hutchison 2005):
  disputes during a GRH arms race between the two states, against disputes of the same rival
  pairs in other years and against all other pairs.
* **Capability ratio** (parity against preponderance; Organski and Kugler 1980, Bremer 1992):
  by the ratio of the stronger side's CINC to the weaker's at onset.
* **Alliances**: a defence pact between the two, a pact of either with a third state only, no
  pact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from secdilemma.evidence.dyads import dispute_dyads

LEVEL = 0.95
# Capability-ratio bins (stronger : weaker CINC at onset): near parity, moderate superiority,
# preponderance (3:1, Bremer 1992's threshold) and overwhelming preponderance (10:1).
RATIO_BINS = (1.0, 1.5, 3.0, 10.0, np.inf)
WAR_CODINGS = {
    "war": "both sides at hostility 5, or a COW war between them begun within the dispute",
    "war_by_level": "both sides at MID hostility level 5",
    "war_by_cow": "a COW inter-state war between them begun within the dispute",
}


def share(wars: int, dyads: int) -> dict[str, Any]:
    """``wars`` of ``dyads``, the share and its 95% Wilson interval."""
    wars, dyads = int(wars), int(dyads)
    if dyads == 0:
        return {"wars": 0, "dyads": 0, "share": None, "ci_low": None, "ci_high": None}
    low, high = stats.binomtest(wars, dyads).proportion_ci(LEVEL, method="wilson")
    return {
        "wars": wars,
        "dyads": dyads,
        "share": wars / dyads,
        "ci_low": float(low),
        "ci_high": float(high),
    }


def _by_group(war: pd.Series, groups: dict[str, pd.Series]) -> dict[str, dict[str, Any]]:
    return {name: share(war[mask].sum(), mask.sum()) for name, mask in groups.items()}


def arms_race_association(dyads: pd.DataFrame, outcome: str = "war") -> dict[str, Any]:
    """War shares during a GRH arms race, for the same rival pairs in other years, and for all
    other pairs; with Fisher's exact test of race against the same pairs' other years."""
    war = dyads[outcome].astype(bool)
    groups = {
        "arms_race": dyads["arms_race"],
        "rivals_other_years": dyads["grh_pair"] & ~dyads["arms_race"],
        "all_other_pairs": ~dyads["grh_pair"],
    }
    table = _by_group(war, groups)
    race, rest = table["arms_race"], table["rivals_other_years"]
    contingency = [
        [race["wars"], race["dyads"] - race["wars"]],
        [rest["wars"], rest["dyads"] - rest["wars"]],
    ]
    odds_ratio, p_value = stats.fisher_exact(contingency)
    return {**table, "odds_ratio": float(odds_ratio), "fisher_p": float(p_value)}


def ratio_group(ratio: pd.Series | np.ndarray) -> pd.Series:
    """The bin of each capability ratio (``"1-1.5"`` ... ``">=10"``; ``"unknown"`` without
    NMC data for one side)."""
    labels = [f"{a:g}-{b:g}" for a, b in zip(RATIO_BINS[:-2], RATIO_BINS[1:-1], strict=True)]
    labels.append(f">={RATIO_BINS[-2]:g}")
    binned = pd.cut(pd.Series(ratio), RATIO_BINS, right=False, labels=labels)
    return binned.astype(object).where(binned.notna(), "unknown")


def capability_pattern(dyads: pd.DataFrame, outcome: str = "war") -> dict[str, Any]:
    groups = ratio_group(dyads["cinc_ratio"])
    names = sorted(set(groups) - {"unknown"}, key=_bin_order)
    if (groups == "unknown").any():
        names.append("unknown")
    return _by_group(dyads[outcome].astype(bool), {g: groups == g for g in names})


def _bin_order(label: str) -> float:
    return float(label.lstrip(">=").split("-")[0])


def alliance_pattern(dyads: pd.DataFrame, outcome: str = "war") -> dict[str, Any]:
    third = (dyads["pact_third_a"] | dyads["pact_third_b"]) & ~dyads["pact_between"]
    groups = {
        "pact_between": dyads["pact_between"],
        "third_party_pact_only": third,
        "no_pact": ~dyads["pact_between"] & ~third,
    }
    return _by_group(dyads[outcome].astype(bool), groups)


def evidence_table(dyads: pd.DataFrame | None = None) -> dict[str, Any]:
    """Every regularity under the main war coding, and the arms-race association under each
    coding (its robustness)."""
    dyads = dispute_dyads() if dyads is None else dyads
    return {
        "dispute_dyads": int(len(dyads)),
        "disputes": int(dyads["DispNum3"].nunique()),
        "years": [int(dyads["onset"].min()), int(dyads["onset"].max())],
        "war_share": share(dyads["war"].sum(), len(dyads)),
        "arms_race": arms_race_association(dyads),
        "capability_ratio": capability_pattern(dyads),
        "alliances": alliance_pattern(dyads),
        "arms_race_by_war_coding": {
            coding: arms_race_association(dyads, coding) for coding in WAR_CODINGS
        },
        "war_codings": WAR_CODINGS,
    }


def _markdown_rows(cells: dict[str, Any]) -> list[str]:
    rows = []
    for name, cell in cells.items():
        if not isinstance(cell, dict) or "dyads" not in cell:
            continue
        if not cell["dyads"]:
            rows.append(f"| {name} | 0 | 0 | n/a | |")
            continue
        rows.append(
            f"| {name} | {cell['wars']} | {cell['dyads']} | {cell['share']:.3f} | "
            f"{cell['ci_low']:.3f}–{cell['ci_high']:.3f} |"
        )
    return rows


def evidence_markdown(table: dict[str, Any]) -> str:
    """The tables of ``evidence_table`` as docs/evidence.md shows them (generated)."""
    head = [
        "| group | wars | dispute dyads | share | 95% interval |",
        "| --- | --- | --- | --- | --- |",
    ]
    race = table["arms_race"]
    parts = [
        f"All dispute dyads: {table['war_share']['wars']} wars in {table['dispute_dyads']} "
        f"({table['war_share']['share']:.3f}), {table['disputes']} disputes, "
        f"{table['years'][0]}–{table['years'][1]}.",
        "",
        "**Arms races** (GRH), war coded as both sides at hostility 5 or a COW war:",
        "",
        *head,
        *_markdown_rows(race),
        "",
        f"Odds ratio of war, race against the same pairs' other years: {race['odds_ratio']:.2f} "
        f"(Fisher's exact p = {race['fisher_p']:.2g}).",
        "",
        "**The arms-race association under each war coding** (share of dispute dyads that "
        "became wars: during a race; the same rival pairs in other years; all other pairs):",
        "",
        "| war coding | race | rivals, other years | all other pairs | odds ratio | Fisher p |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for coding, cells in table["arms_race_by_war_coding"].items():
        shares = [
            f"{c['wars']}/{c['dyads']} = {c['share']:.3f}"
            for c in (cells["arms_race"], cells["rivals_other_years"], cells["all_other_pairs"])
        ]
        parts.append(
            f"| `{coding}` | "
            + " | ".join(shares)
            + f" | {cells['odds_ratio']:.2f} | {cells['fisher_p']:.2g} |"
        )
    parts += [
        "",
        "**Capability ratio** (stronger : weaker CINC at onset):",
        "",
        *head,
        *_markdown_rows(table["capability_ratio"]),
        "",
        "**Alliances** (COW defence pacts in force at onset):",
        "",
        *head,
        *_markdown_rows(table["alliances"]),
    ]
    return "\n".join(parts) + "\n"
