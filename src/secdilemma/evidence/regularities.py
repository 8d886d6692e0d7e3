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

How hard out-of-sample prediction is (``era_shift``, ``lookup_scores``): the war share of each
group of dyads that an observer could form at onset, in the training years (onset before 1946)
and the test years, and the test-year scores of lookup tables fitted on the training years (a
dyad's predicted probability is the training share of its group). The score harness
(``score.py``) fits on the same years and scores on the same others, so these say what "better
than the base rate out of sample" asks of the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.scoring_rules import SPLIT_YEAR, brier, log_loss
from secdilemma.evidence.worlds import REPLICATES
from secdilemma.model.calibration import ECONOMIC, MILITARY
from secdilemma.model.cow import load_nmc

LEVEL = 0.95
# Capability-ratio bins (stronger : weaker CINC at onset): near parity, moderate superiority,
# preponderance (3:1, Bremer 1992's threshold) and overwhelming preponderance (10:1).
RATIO_BINS = (1.0, 1.5, 3.0, 10.0, np.inf)
RATIO_LABELS = (
    *(f"{a:g}-{b:g}" for a, b in zip(RATIO_BINS[:-2], RATIO_BINS[1:-1], strict=True)),
    f">={RATIO_BINS[-2]:g}",
)
WAR_CODINGS = {
    "war": "both sides at hostility 5, or a COW war between them begun within the dispute",
    "war_by_level": "both sides at MID hostility level 5",
    "war_by_cow": "a COW inter-state war between them begun within the dispute",
}
# Participants in the dispute by a dyad's onset year (lowest, highest, label): a bilateral
# dispute, a small coalition, a large one, and the scale of the world wars.
PARTICIPANT_BINS = ((2, 2, "2"), (3, 5, "3–5"), (6, 10, "6–10"), (11, np.inf, ">10"))
# The groupings of dyads at onset that ``era_shift`` and ``lookup_scores`` compare, each with
# its labels in the order the tables show them.
GROUPINGS = {
    "participants": [label for _, _, label in PARTICIPANT_BINS],
    "pact_between": ["pact between", "no pact between"],
    "arms_race": ["race under way", "no race"],
    "pair_history": ["first dispute", "a later dispute"],
    "originators": ["both originators", "a joiner"],
    "capability_ratio": [*RATIO_LABELS, "unknown"],
}
# What the tables call each grouping.
GROUPING_NAMES = {
    "participants": "participants by onset",
    "pact_between": "defence pact",
    "arms_race": "GRH arms race",
    "pair_history": "the pair's disputes",
    "originators": "originators",
    "capability_ratio": "capability ratio",
    "cross": "participants × pair's disputes × pact",
}
# The crossed lookup table: the three groupings that discriminate most in the training years.
CROSS = ("participants", "pair_history", "pact_between")
# A lookup group with fewer training dyads than this predicts the training base rate instead of
# its own share: the share of a handful of disputes is noise, and a group absent from the
# training years has no share at all.
MIN_TRAINING_DYADS = 20
# The score harness keeps the model's probabilities within [1/(2R), 1 - 1/(2R)] (R = 200
# replicates); the lookup tables are clipped alike, so that their log losses compare.
PROBABILITY_FLOOR = 1 / (2 * REPLICATES)


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
    binned = pd.cut(pd.Series(ratio), RATIO_BINS, right=False, labels=list(RATIO_LABELS))
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


def scored_rows(dyads: pd.DataFrame) -> np.ndarray:
    """Whether each dyad is one the score harness scores: both states have an NMC record in
    the onset year (2016 for later onsets) with a military and an economic component, which
    ``model.calibration.capabilities`` needs to build the dyad's world. The same rule without
    building the worlds (minutes), so that the tables below and the harness's base rate are
    computed on the same dyads."""
    nmc = load_nmc()
    complete = nmc[list(MILITARY)].notna().any(axis=1) & nmc[list(ECONOMIC)].notna().any(axis=1)
    known = set(zip(nmc.loc[complete, "ccode"], nmc.loc[complete, "year"], strict=True))
    year = np.minimum(dyads["onset"].to_numpy(), int(nmc["year"].max()))
    return np.array(
        [
            (a, y) in known and (b, y) in known
            for a, b, y in zip(dyads["ccode_a"], dyads["ccode_b"], year, strict=True)
        ],
        dtype=bool,
    )


def participants_at_onset(dyads: pd.DataFrame) -> pd.Series:
    """The number of states in each dyad's dispute by the dyad's onset year (a state on both
    sides counts twice; one that joined in the onset year counts). An observer at onset can
    count these; the dispute's final size is later information (a dispute that grew into a
    world war began small). Counted within ``dyads``, so pass the whole table."""
    sides = [
        dyads[["DispNum3", f"ccode_{s}", f"start_{s}"]]
        .set_axis(["DispNum3", "ccode", "start"], axis=1)
        .assign(side=s)
        for s in ("a", "b")
    ]
    states = pd.concat(sides).drop_duplicates(["DispNum3", "ccode", "side"])
    rows = dyads[["DispNum3", "onset"]].reset_index(names="row").merge(states, on="DispNum3")
    joined = rows[rows["start"] <= rows["onset"]]
    return joined.groupby("row").size().reindex(dyads.index, fill_value=0)


def _participant_bin(count: pd.Series) -> np.ndarray:
    labels = np.full(len(count), "", dtype=object)
    for low, high, label in PARTICIPANT_BINS:
        labels[((count >= low) & (count <= high)).to_numpy()] = label
    return labels


def onset_groups(dyads: pd.DataFrame) -> pd.DataFrame:
    """Each dyad's group under every grouping of ``GROUPINGS`` (one column of labels each).
    All are known in the onset year, so a predictor fitted on earlier years could use them."""
    both_originators = (dyads["originator_a"] == 1) & (dyads["originator_b"] == 1)
    return pd.DataFrame(
        {
            "participants": _participant_bin(participants_at_onset(dyads)),
            "pact_between": np.where(dyads["pact_between"], "pact between", "no pact between"),
            "arms_race": np.where(dyads["arms_race"], "race under way", "no race"),
            "pair_history": np.where(
                dyads["years_since_last"].isna(), "first dispute", "a later dispute"
            ),
            "originators": np.where(both_originators, "both originators", "a joiner"),
            "capability_ratio": ratio_group(dyads["cinc_ratio"]).to_numpy(),
        },
        index=dyads.index,
    )


def era_shift(
    dyads: pd.DataFrame, split: int = SPLIT_YEAR, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """The war share of each group at onset before ``split`` (training) and from it (test),
    with the ratio test / training: one row per grouping and group that has dyads. ``dyads``
    is the whole table (the groups are formed on it); ``rows``, a mask, the dyads counted
    (``scored_rows`` for the score harness's; all by default).

    Why: a predictor fitted on the training years can only predict a group's training share.
    Where the share falls in the test years within every group, no grouping of these
    attributes can carry the training years' level over to the test years."""
    groups, war, early = _eras(dyads, split, rows)
    table = []
    for grouping, labels in GROUPINGS.items():
        for label in labels:
            member = (groups[grouping] == label).to_numpy()
            if not member.any():
                continue
            train = share(war[early & member].sum(), (early & member).sum())
            test = share(war[~early & member].sum(), (~early & member).sum())
            ratio = (
                test["share"] / train["share"]
                if train["share"] and test["share"] is not None
                else np.nan
            )
            table.append(
                {
                    "grouping": grouping,
                    "group": label,
                    "train_dyads": train["dyads"],
                    "train_wars": train["wars"],
                    "train_share": _or_nan(train["share"]),
                    "test_dyads": test["dyads"],
                    "test_wars": test["wars"],
                    "test_share": _or_nan(test["share"]),
                    "test_over_train": ratio,
                }
            )
    return pd.DataFrame(table)


def _eras(
    dyads: pd.DataFrame, split: int, rows: np.ndarray | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The groups at onset (formed on the whole table), war, and whether in the training
    years, of the dyads in ``rows``."""
    keep = np.ones(len(dyads), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    groups = onset_groups(dyads)[keep]
    war = dyads["war"].astype(bool).to_numpy()[keep]
    early = (dyads["onset"] < split).to_numpy()[keep]
    return groups, war, early


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def lookup_predictions(
    train_labels: np.ndarray,
    train_war: np.ndarray,
    test_labels: np.ndarray,
    min_dyads: int = MIN_TRAINING_DYADS,
) -> np.ndarray:
    """Each test dyad's predicted probability of war: the training share of wars in its group,
    or the training base rate where its group had fewer than ``min_dyads`` training dyads
    (none at all included). Only the training rows are read for the shares."""
    train = pd.DataFrame(
        {"group": np.asarray(train_labels), "war": np.asarray(train_war, dtype=float)}
    )
    table = train.groupby("group")["war"].agg(["mean", "size"])
    shares = table.loc[table["size"] >= min_dyads, "mean"]
    base = float(train["war"].mean())
    return pd.Series(np.asarray(test_labels)).map(shares).fillna(base).to_numpy(dtype=float)


def _lookup_groups(
    dyads: pd.DataFrame, split: int, rows: np.ndarray | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``_eras`` with the labels of every lookup table: one group (the base rate), each
    grouping, and the cross of ``CROSS``."""
    groups, war, early = _eras(dyads, split, rows)
    labels = pd.DataFrame({"base rate": "all"}, index=groups.index)
    labels = labels.join(groups)
    labels["cross"] = groups[list(CROSS)].agg(" / ".join, axis=1)
    return labels, war, early


def lookup_predictors(
    dyads: pd.DataFrame,
    split: int = SPLIT_YEAR,
    rows: np.ndarray | None = None,
    min_dyads: int = MIN_TRAINING_DYADS,
) -> pd.DataFrame:
    """Each test-year dyad's probability of war (rows, indexed as ``dyads``) under every lookup
    table fitted on the training years (columns: ``base rate``, each grouping of
    ``GROUPINGS``, ``cross``), before clipping. ``dyads`` and ``rows`` as for ``era_shift``."""
    labels, war, early = _lookup_groups(dyads, split, rows)
    train, test = labels[early], labels[~early]
    return pd.DataFrame(
        {
            name: lookup_predictions(train[name], war[early], test[name], min_dyads)
            for name in labels.columns
        },
        index=test.index,
    )


def lookup_scores(
    dyads: pd.DataFrame,
    split: int = SPLIT_YEAR,
    rows: np.ndarray | None = None,
    min_dyads: int = MIN_TRAINING_DYADS,
) -> pd.DataFrame:
    """The test-year Brier score and log loss of the lookup tables of ``lookup_predictors``,
    fitted on the training years (onset before ``split``): the base rate; the training share of
    the dyad's group under each grouping of ``GROUPINGS``; and the same under the cross of
    ``CROSS`` (``lookup_predictions`` gives the fallback to the base rate). Last, as a
    reference and not a predictor, the constant that knows the test years' own war share: the
    best constant on those years, not out of sample.

    Why: the base rate scores well on the test years only by its level, and a model must beat
    it there; these say how far conditioning on what the record holds at onset gets a
    predictor fitted on the same years. Probabilities are clipped to ``PROBABILITY_FLOOR`` as
    the score harness clips the model's."""
    labels, war, early = _lookup_groups(dyads, split, rows)
    predictions = lookup_predictors(dyads, split, rows, min_dyads)
    y_test = war[~early].astype(float)
    table = []
    for name in labels.columns:
        counts = labels.loc[early, name].value_counts()
        fitted = counts.index[counts >= min_dyads]
        table.append(
            {
                "predictor": name,
                "out_of_sample": True,
                "groups": len(fitted),
                "test_dyads_on_base_rate": int((~labels.loc[~early, name].isin(fitted)).sum()),
                **_lookup_score(predictions[name].to_numpy(), y_test),
            }
        )
    oracle = np.full(len(y_test), y_test.mean())
    table.append(
        {
            "predictor": "test-year share (reference)",
            "out_of_sample": False,
            "groups": 1,
            "test_dyads_on_base_rate": 0,
            **_lookup_score(oracle, y_test),
        }
    )
    return pd.DataFrame(table)


def _lookup_score(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    p = np.clip(p, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    return {"mean_prediction": float(p.mean()), "brier": brier(p, y), "log_loss": log_loss(p, y)}


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


def era_table(dyads: pd.DataFrame | None = None, split: int = SPLIT_YEAR) -> dict[str, Any]:
    """``era_shift`` and ``lookup_scores`` on the dyads the score harness scores
    (``scored_rows``), so that the base rate here is the harness's, with the counts."""
    dyads = dispute_dyads() if dyads is None else dyads
    rows = scored_rows(dyads)
    early = (dyads["onset"] < split).to_numpy()
    war = dyads["war"].astype(bool).to_numpy()
    return {
        "dispute_dyads": int(len(dyads)),
        "split": split,
        "years": [int(dyads["onset"].min()), int(dyads["onset"].max())],
        "training": share(war[rows & early].sum(), (rows & early).sum()),
        "test": share(war[rows & ~early].sum(), (rows & ~early).sum()),
        "shift": era_shift(dyads, split, rows),
        "scores": lookup_scores(dyads, split, rows),
    }


def era_markdown(table: dict[str, Any]) -> str:
    """The two tables of ``era_table`` as docs/evidence.md shows them (generated)."""
    first, last, split = table["years"][0], table["years"][1], table["split"]
    train, test = table["training"], table["test"]
    parts = [
        f"Dispute dyads the score harness scores ({train['dyads'] + test['dyads']:,} of "
        f"{table['dispute_dyads']:,}): training years {first}–{split - 1}, "
        f"{train['wars']} wars in {train['dyads']:,} ({train['share']:.3f}); test years "
        f"{split}–{last}, {test['wars']} wars in {test['dyads']:,} ({test['share']:.3f}).",
        "",
        "**The war share by group at onset**, training years against test years:",
        "",
        "| grouping | group | training: wars / dyads | share | test: wars / dyads | share "
        "| test / training |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in table["shift"].itertuples():
        parts.append(
            f"| {GROUPING_NAMES[row.grouping]} | {row.group} | {row.train_wars} / "
            f"{row.train_dyads} | {_cell(row.train_share)} | {row.test_wars} / {row.test_dyads} "
            f"| {_cell(row.test_share)} | {_cell(row.test_over_train, '.2f')} |"
        )
    scores = table["scores"]
    fair = scores[scores["out_of_sample"]]
    best = {score: fair[score].min() for score in ("brier", "log_loss")}
    parts += [
        "",
        f"**Lookup tables fitted on {first}–{split - 1}, scored on {split}–{last}** (a dyad's "
        "probability is the training share of its group; a group of fewer than "
        f"{MIN_TRAINING_DYADS} training dyads gets the training base rate; probabilities within "
        f"[{PROBABILITY_FLOOR:.4f}, {1 - PROBABILITY_FLOOR:.4f}]; best out of sample in bold):",
        "",
        "| predictor | groups fitted | test dyads on the base rate | mean probability | Brier "
        "| log loss |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in scores.itertuples():
        if row.out_of_sample:
            name = GROUPING_NAMES.get(row.predictor, row.predictor)
            on_base = "all" if row.predictor == "base rate" else f"{row.test_dyads_on_base_rate}"
            cells = [
                f"**{row.brier:.3f}**" if row.brier == best["brier"] else f"{row.brier:.3f}",
                f"**{row.log_loss:.3f}**"
                if row.log_loss == best["log_loss"]
                else f"{row.log_loss:.3f}",
            ]
        else:
            name = "*reference, not out of sample:* the test years' own share"
            on_base = "–"
            cells = [f"{row.brier:.3f}", f"{row.log_loss:.3f}"]
        parts.append(
            f"| {name} | {row.groups} | {on_base} | {row.mean_prediction:.3f} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(parts) + "\n"


def _cell(value: float, spec: str = ".3f") -> str:
    return "n/a" if np.isnan(value) else format(value, spec)
