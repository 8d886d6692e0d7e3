"""The record's regularities: shares with Wilson intervals, the groups they compare, and the
figures in docs/evidence.md recomputed from the data."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.regularities import (
    arms_race_association,
    evidence_table,
    ratio_group,
    share,
)

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
