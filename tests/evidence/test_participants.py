"""Each dispute as one world of its participants at onset (``evidence.participants``)."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.evidence import participants as P
from secdilemma.evidence.dyads import dispute_dyads
from secdilemma.evidence.regularities import participants_at_onset
from secdilemma.model.scenario import parse_scenario


@pytest.fixture(scope="module")
def dyads():
    return dispute_dyads()


def _states(rows):
    return pd.DataFrame(rows, columns=["DispNum3", "ccode", "start", "originator", "side"])


def test_members_are_the_states_in_by_the_year_each_on_the_side_it_joined_first():
    states = _states(
        [
            (1, 2, 1900, 1, "a"),
            (1, 200, 1900, 1, "b"),
            (1, 220, 1902, 0, "b"),  # joins later
            (1, 300, 1901, 0, "b"),
            (1, 300, 1903, 0, "a"),  # switches sides later
        ]
    )
    assert [m.ccode for m in P.members_by(states, 1900)] == [2, 200]
    later = P.members_by(states, 1903)
    assert {(m.ccode, m.side) for m in later} == {(2, "a"), (200, "b"), (220, "b"), (300, "b")}
    assert [m.originator for m in later if m.ccode in (2, 220)] == [True, False]


def test_openings_pair_initiators_with_targets_in_turn():
    a1, a2, a3 = (P.Member(c, "a", True) for c in (2, 20, 200))
    b1, b2 = P.Member(365, "b", True), P.Member(710, "b", True)
    joiner = P.Member(740, "b", False)
    assert P.openings([a1, a2, a3, b1, b2, joiner]) == [
        ("s2", "s365"),
        ("s20", "s710"),
        ("s200", "s365"),
    ]
    # No originator on side B: the side's members are the targets; none on side A: no opening.
    assert P.openings([a1, joiner]) == [("s2", "s740")]
    assert P.openings([P.Member(2, "a", False), b1]) == []


def test_a_world_holds_the_disputes_states_by_onset_with_their_pacts(dyads):
    # The dispute that grew most after its first onset: its first world holds only the states
    # in by then, as many as participants_at_onset counts (a state on both sides once).
    counts = participants_at_onset(dyads)
    growth = counts.groupby(dyads["DispNum3"]).agg(lambda c: c.max() - c.min())
    rows = dyads[dyads["DispNum3"] == growth.idxmax()]
    first = rows[rows["onset"] == rows["onset"].min()]
    worlds = P.dispute_worlds(first, dyads)
    assert len(worlds) == 1
    world = worlds[0]
    size = len(world.members) + len(world.left_out)
    assert size <= counts[first.index].max()
    assert size < counts[rows.index].max()  # later joiners are not in the first world
    raw = P.participant_world(world, replicates=4)
    assert raw["calibration"]["alliances"] == "defense"
    assert set(raw["calibration"]["states"]) == {m.sid for m in world.members}
    spec = parse_scenario(raw, "test")
    assert len(spec.states) == len(world.members)
    initiators = {m.sid for m in world.members if m.side == "a" and m.originator}
    assert {e.actor for e in spec.events if e.action == "military_exercise"} == initiators


def test_the_probabilities_do_not_depend_on_the_workers(dyads):
    sample = dyads[dyads["onset"].between(1912, 1914)].head(40)
    one = P.model_probabilities(sample, dyads, replicates=12, workers=1)
    two = P.model_probabilities(sample, dyads, replicates=12, workers=2)
    assert np.array_equal(one, two, equal_nan=True)
    assert np.isfinite(one).sum() >= 30
    assert ((one >= 0) & (one <= 1))[np.isfinite(one)].all()


def test_an_unknown_harness_is_refused_with_its_value():
    result = CliRunner().invoke(app, ["evidence", "score", "--quick", "--harness", "triads"])
    assert result.exit_code != 0
    assert "triads" in result.output and "harness" in result.output


@pytest.mark.slow
def test_evidence_score_quick_with_participant_worlds_reports_the_groups():
    args = ["evidence", "score", "--quick", "--harness", "participants", "--replicates", "8"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["harness"] == "participants"
    assert scores["participant_worlds"]["members_max"] > 2
    groups = {(g["era"], g["group"]) for g in scores["groups_at_onset"]}
    assert ("before 1946", "a joiner") in groups and ("from 1946", "first dispute") in groups
    assert scores["dyads_scored"] + scores["dyads_without_world"] == 160
