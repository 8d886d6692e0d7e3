"""The record's regularities: shares with Wilson intervals, the groups they compare, the war
share by group in the training and test years with the lookup tables fitted on the first, and
the figures in docs/evidence.md recomputed from the data."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.errors import InputError
from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.regularities import (
    GROUPINGS,
    PROBABILITY_FLOOR,
    arms_race_association,
    era_markdown,
    era_shift,
    era_table,
    evidence_table,
    lookup_predictions,
    lookup_predictors,
    lookup_scores,
    onset_groups,
    participants_at_onset,
    ratio_group,
    scored_rows,
    share,
)
from secdilemma.evidence.score import SPLIT_YEAR
from secdilemma.evidence.worlds import COLUMNS, dispute_world
from secdilemma.model.scenario import parse_scenario

SCRIPT = Path(__file__).parents[2] / "docs" / "update_tables.py"
_spec = importlib.util.spec_from_file_location("update_tables", SCRIPT)
update_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_tables)


@pytest.fixture(scope="module")
def dyads():
    return dispute_dyads()


def test_a_share_carries_its_wilson_interval():
    cell = share(5, 10)
    assert cell["share"] == 0.5
    assert cell["ci_low"] == pytest.approx(0.2366, abs=1e-4)
    assert cell["ci_high"] == pytest.approx(0.7634, abs=1e-4)
    assert share(0, 0)["share"] is None


def test_the_arms_race_groups_partition_the_dyads(dyads):
    table = arms_race_association(dyads)
    groups = ("arms_race", "rivals_other_years", "all_other_pairs")
    assert sum(table[g]["dyads"] for g in groups) == len(dyads)
    assert sum(table[g]["wars"] for g in groups) == int(dyads["war"].sum())


def test_the_capability_bins_cover_every_ratio():
    groups = ratio_group(np.array([1.0, 1.49, 1.5, 2.99, 3.0, 9.99, 10.0, 500.0, np.nan]))
    assert list(groups) == ["1-1.5", "1-1.5", "1.5-3", "1.5-3", "3-10", "3-10"] + [
        ">=10",
        ">=10",
        "unknown",
    ]


def test_disputes_during_an_arms_race_escalate_more_under_every_war_coding(dyads):
    # The record's association (Wallace 1979; Gibler, Rider and Hutchison 2005), as the data
    # give it: not a claim about the model.
    table = evidence_table(dyads)
    for cells in table["arms_race_by_war_coding"].values():
        assert cells["arms_race"]["share"] > cells["rivals_other_years"]["share"]
        assert cells["fisher_p"] < 0.01


def test_docs_evidence_figures_are_recomputed_from_the_data():
    text = update_tables.EVIDENCE_MD.read_text(encoding="utf-8")
    assert update_tables.updated_evidence(text) == text, (
        "docs/evidence.md's tables are out of date: run python docs/update_tables.py"
    )


def test_evidence_table_prints_the_shares_with_counts_as_json():
    result = CliRunner().invoke(app, ["evidence", "table", "--json"])
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    race = table["arms_race"]
    assert set(race) >= {"arms_race", "rivals_other_years", "all_other_pairs", "odds_ratio"}
    assert all(
        {"wars", "dyads", "share", "ci_low", "ci_high"} <= set(race[g])
        for g in race
        if g.startswith(("arms", "rivals", "all"))
    )
    assert table["capability_ratio"] and table["alliances"]


# How hard out-of-sample prediction is: the era shift within groups, and lookup tables.


def test_the_groups_of_each_grouping_partition_each_era(dyads):
    table = era_shift(dyads)
    early = dyads["onset"] < SPLIT_YEAR
    assert set(table["grouping"]) == set(GROUPINGS)
    for _, rows in table.groupby("grouping"):
        assert rows["train_dyads"].sum() == early.sum()
        assert rows["train_wars"].sum() == dyads.loc[early, "war"].sum()
        assert rows["test_dyads"].sum() == (~early).sum()
        assert rows["test_wars"].sum() == dyads.loc[~early, "war"].sum()


def test_a_group_share_is_recomputed_directly(dyads):
    table = era_shift(dyads)
    shares = table[["train_share", "test_share"]].to_numpy()
    assert ((shares >= 0) & (shares <= 1)).all()
    row = table[(table["grouping"] == "pact_between") & (table["group"] == "pact between")]
    allied = dyads[dyads["pact_between"] & (dyads["onset"] >= SPLIT_YEAR)]
    assert row["test_dyads"].item() == len(allied)
    assert row["test_share"].item() == pytest.approx(allied["war"].mean())
    assert row["test_over_train"].item() == pytest.approx(
        row["test_share"].item() / row["train_share"].item()
    )


def test_participants_are_counted_by_the_dyads_onset_year():
    # Dispute 1: A's state 2 and B's state 20 from 1900, B's state 30 joins in 1905.
    frame = pd.DataFrame(
        {
            "DispNum3": [1, 1],
            "ccode_a": [2, 2],
            "start_a": [1900, 1900],
            "ccode_b": [20, 30],
            "start_b": [1900, 1905],
            "onset": [1900, 1905],
        },
        index=[7, 3],
    )
    assert participants_at_onset(frame).to_dict() == {7: 2, 3: 3}


def test_participants_by_onset_never_exceed_the_disputes_size(dyads):
    at_onset = participants_at_onset(dyads)
    size = dyads.groupby("DispNum3")["ccode_a"].transform("nunique") + dyads.groupby("DispNum3")[
        "ccode_b"
    ].transform("nunique")
    assert (at_onset >= 2).all() and (at_onset <= size).all()
    assert set(onset_groups(dyads)["participants"]) == set(GROUPINGS["participants"])


def test_a_small_group_falls_back_to_the_training_base_rate():
    labels = np.array(["x"] * 30 + ["y"] * 5)
    war = np.array([1] * 15 + [0] * 15 + [1] * 5)
    p = lookup_predictions(labels, war, np.array(["x", "y", "z"]), min_dyads=20)
    assert p == pytest.approx([0.5, 20 / 35, 20 / 35])


def test_the_base_rate_scores_its_training_share(dyads):
    rows = scored_rows(dyads)
    scores = lookup_scores(dyads, rows=rows).set_index("predictor")
    early = (dyads["onset"] < SPLIT_YEAR).to_numpy()
    y = dyads["war"].to_numpy(dtype=float)
    base = y[rows & early].mean()
    y_test = y[rows & ~early]
    assert scores.loc["base rate", "brier"] == pytest.approx(np.mean((base - y_test) ** 2))
    assert scores.loc["base rate", "log_loss"] == pytest.approx(
        -np.mean(y_test * np.log(base) + (1 - y_test) * np.log(1 - base))
    )
    # The reference constant knows the test years' share: its Brier is s(1 - s).
    s = y_test.mean()
    assert scores.loc["test-year share (reference)", "brier"] == pytest.approx(s * (1 - s))
    assert not scores.loc["test-year share (reference)", "out_of_sample"]
    assert scores.drop(index="test-year share (reference)")["out_of_sample"].all()


def test_the_lookup_tables_read_only_the_training_years(dyads):
    before = lookup_predictors(dyads)
    later = dyads["onset"] >= SPLIT_YEAR
    flipped = dyads.assign(war=np.where(later, ~dyads["war"], dyads["war"]))
    pd.testing.assert_frame_equal(lookup_predictors(flipped), before)
    # ... and do read them: flipping the training years' outcomes changes every table.
    trained_on_flipped = lookup_predictors(
        dyads.assign(war=np.where(later, dyads["war"], ~dyads["war"]))
    )
    assert (trained_on_flipped != before).any().all()
    assert list(before.index) == list(dyads.index[later])


def test_lookup_probabilities_are_clipped_as_the_harness_clips_the_models():
    # A training group that always went to war would give a test dyad that did not a log loss
    # of infinity without the clip.
    frame = _synthetic_dyads(
        onset=[1900] * 40 + [1950] * 2, war=[True] * 20 + [False] * 20 + [False, True]
    )
    scores = lookup_scores(frame).set_index("predictor")
    assert np.isfinite(scores["log_loss"]).all()
    p = lookup_predictors(frame)["pact_between"]
    assert p.tolist() == [1.0, 0.0]
    assert scores.loc["pact_between", "log_loss"] == pytest.approx(
        -(np.log(PROBABILITY_FLOOR) + np.log(PROBABILITY_FLOOR)) / 2
    )


def _synthetic_dyads(onset: list[int], war: list[bool]) -> pd.DataFrame:
    """Bilateral disputes of one pair each; a defence pact between the pair in the dyads that
    became wars in the training years and in the test dyad that did not."""
    n = len(onset)
    pact = [w if o < SPLIT_YEAR else not w for o, w in zip(onset, war, strict=True)]
    return pd.DataFrame(
        {
            "DispNum3": range(n),
            "ccode_a": [2] * n,
            "ccode_b": [20] * n,
            "start_a": onset,
            "start_b": onset,
            "onset": onset,
            "war": war,
            "pact_between": pact,
            "arms_race": [False] * n,
            "years_since_last": [np.nan] + [1.0] * (n - 1),
            "originator_a": [1] * n,
            "originator_b": [1] * n,
            "cinc_ratio": [2.0] * n,
        }
    )


def test_scored_rows_are_the_dyads_the_harness_builds_worlds_for(dyads):
    # The rule without building the worlds, checked against building them: every dyad of 1941
    # (most of those without a world), and an even sample of the others.
    in_1941 = np.flatnonzero(dyads["onset"] == 1941)
    others = np.flatnonzero(dyads["onset"] != 1941)
    sample = np.concatenate([in_1941[::3], others[:: len(others) // 30]])
    records = dyads.iloc[sample][list(COLUMNS)].to_dict("records")
    built = []
    for row in records:
        try:
            parse_scenario(dispute_world(row, replicates=2), "dispute")
            built.append(True)
        except InputError:
            built.append(False)
    assert not all(built) and any(built)
    assert scored_rows(dyads.iloc[sample]).tolist() == built


def test_docs_era_tables_are_generated_from_the_code():
    text = update_tables.EVIDENCE_MD.read_text(encoding="utf-8")
    table = update_tables.generated(text, update_tables.ERA_BEGIN, update_tables.ERA_END)
    assert table == era_markdown(era_table()), (
        "docs/evidence.md's era tables are out of date: run python docs/update_tables.py"
    )
