"""The COW conflict files as shipped, and the dispute-dyad table built from them: unchanged
copies, clean missing values, invariants of the table, known cases, and an independent
row-by-row recomputation of its war and arms-race flags."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import secdilemma
from secdilemma.evidence.conflict_data import load_mida, load_midb, load_wars, war_pairs
from secdilemma.evidence.dyads import dispute_dyads, participants
from secdilemma.model.cow import load_grh

PACKAGE = Path(secdilemma.__file__).parent


@pytest.fixture(scope="module")
def dyads():
    return dispute_dyads()


@pytest.mark.parametrize("folder", ["evidence/data", "model/data"])
def test_bundled_files_are_the_unchanged_copies_their_provenance_names(folder):
    provenance = (PACKAGE / folder / "PROVENANCE.md").read_text()
    rows = re.findall(r"\| `([^`]+\.csv)` \|.*\| `([0-9a-f]{64})` \|", provenance)
    assert len(rows) >= 3
    for name, digest in rows:
        assert hashlib.sha256((PACKAGE / folder / name).read_bytes()).hexdigest() == digest, name


def test_the_files_load_whole_with_missing_codes_as_missing():
    mida, midb, wars = load_mida(), load_midb(), load_wars()
    assert (len(mida), len(midb), len(wars)) == (2586, 6132, 337)
    assert wars["WarNum"].nunique() == 95  # the CR line endings split rows correctly
    assert mida["HostLev"].value_counts().to_dict() == {4: 1702, 3: 670, 2: 107, 5: 107}
    assert not (midb[["StYear", "EndYear", "HostLev"]] < 0).any().any()
    assert not (wars[["StartYear1", "EndYear1"]] < 0).any().any()
    assert midb["StYear"].notna().all() and wars["StartYear1"].notna().all()


def test_war_pairs_are_opponents_in_a_war():
    pairs = war_pairs()
    wars = load_wars()
    side = wars.set_index(["WarNum", "ccode"])["Side"]
    for _, row in pairs.sample(50, random_state=0).iterrows():
        low = side.loc[(row["WarNum"], row["ccode_low"])]
        high = side.loc[(row["WarNum"], row["ccode_high"])]
        # (a state that switched sides has both; the pair needs one side each)
        assert any(x != y for x in np.atleast_1d(low) for y in np.atleast_1d(high))


def test_each_dyad_is_a_pair_of_opponents_once_per_dispute(dyads):
    assert len(dyads) > 3000
    assert (dyads["ccode_a"] != dyads["ccode_b"]).all()
    assert not dyads.duplicated(["DispNum3", "low", "high"]).any()
    assert (dyads["onset"] == np.maximum(dyads["start_a"], dyads["start_b"])).all()
    level = (dyads["hostility_a"] == 5) & (dyads["hostility_b"] == 5)
    assert (dyads["war_by_level"] == level).all()
    assert (dyads["war"] == (dyads["war_by_level"] | dyads["war_by_cow"])).all()
    assert (dyads["cinc_ratio"].dropna() >= 1).all()
    assert not (dyads["arms_race"] & ~dyads["grh_pair"]).any()
    assert (dyads["years_since_last"].dropna() >= 0).all()


@pytest.mark.parametrize(
    "low, high, year, war, race",
    [
        (220, 255, 1870, True, False),  # France and Prussia: the Franco-Prussian War
        (255, 365, 1914, True, True),  # Germany and Russia in 1914, during their arms race
        (2, 365, 1962, False, False),  # the Cuban missile crisis: no war
    ],
)
def test_known_disputes_are_coded_as_the_record_has_them(dyads, low, high, year, war, race):
    rows = dyads[(dyads["low"] == low) & (dyads["high"] == high) & (dyads["onset"] == year)]
    assert len(rows) >= 1
    assert rows["war"].any() == war
    assert rows["arms_race"].any() == race


def test_war_and_arms_race_flags_agree_with_a_row_by_row_recomputation(dyads):
    # An independent, deliberately plain computation of the two flags for a sample of rows.
    people = participants()
    wars, grh, mida = war_pairs(), load_grh(), load_mida().set_index("DispNum3")
    sample = dyads.sample(300, random_state=1)
    for _, row in sample.iterrows():
        mine = people[people["DispNum3"] == row["DispNum3"]]
        a = mine[(mine["ccode"] == row["ccode_a"]) & (mine["SideA"] == 1)].iloc[0]
        b = mine[(mine["ccode"] == row["ccode_b"]) & (mine["SideA"] == 0)].iloc[0]
        onset = max(a["start"], b["start"])
        end = mida.loc[row["DispNum3"], "EndYear"]
        end = onset if pd.isna(end) else end
        pair = (min(a["ccode"], b["ccode"]), max(a["ccode"], b["ccode"]))
        cow = any(
            (w.ccode_low, w.ccode_high) == pair and onset <= w.start <= end
            for w in wars.itertuples()
        )
        level = a["hostility"] == 5 and b["hostility"] == 5
        race = any(
            {r.ccode1, r.ccode2} == set(pair) and r.styear <= onset <= r.endyear
            for r in grh.itertuples()
        )
        assert row["war"] == (cow or level), row["DispNum3"]
        assert row["arms_race"] == race, row["DispNum3"]
