"""Event data in: the CAMEO mapping covers the codebook, an ICEWS-layout file becomes a
scenario that validates and runs (with its unusable events reported, not dropped), a history
replays the record before the model takes over, bad files get named errors, and free text is
read offline or, optionally, by an endpoint whose replies are checked (recorded replies; no
network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from secdilemma import load_scenario, run_ensemble
from secdilemma.cli.app import app
from secdilemma.engine.summary import summarize
from secdilemma.errors import InputError
from secdilemma.events.cameo import act_of, codebook, mapping, normalise_code
from secdilemma.events.importer import aggregate, import_events, read_events, with_history
from secdilemma.model.actions import load_catalog
from secdilemma.model.scenario import parse_scenario, read_raw, resolve_path

HERE = Path(__file__).parent
ICEWS = HERE / "nato-russia-2003-2013.tsv"
REPLIES = HERE / "llm_replies"
DATA = Path(__file__).parents[2] / "src" / "secdilemma" / "events" / "data"


# --- the mapping -----------------------------------------------------------------------------


def test_every_code_of_the_bundled_codebooks_maps_to_an_act_or_to_none():
    icews = set(codebook().index)
    gdelt = set(
        line.split("\t")[0] for line in (DATA / "CAMEO.eventcodes.txt").read_text().splitlines()[1:]
    )
    assert len(icews) == 312 and gdelt <= icews and "1213" in icews
    assert set(mapping()) == icews
    catalog = load_catalog()
    acts = {a for a in mapping().values() if a is not None}
    assert acts <= set(catalog.ids) and "wait" not in acts
    # The mapping sends hostile codes to hostile acts: the mean Goldstein score of the codes of
    # acts with escalation 28 is far below that of acts with escalation -2.
    book = codebook()
    by_score = {}
    for code, act in mapping().items():
        if act is not None:
            score = int(catalog.escalation[catalog.index(act)])
            by_score.setdefault(score, []).append(book.loc[code, "goldstein"])
    assert max(by_score[28]) < 0 < min(by_score[-2])


def test_the_codebook_text_is_repaired_and_codes_keep_their_zeros():
    book = codebook()
    assert all(text.isascii() for text in book["example"]) and "NEED EXAMPLE" not in " ".join(
        book["example"]
    )
    assert act_of("190") == "targeted_strike" and act_of("010") is None
    assert normalise_code("42", "f", "x") == "042" and normalise_code("190.0", "f", "x") == "190"
    with pytest.raises(InputError, match="not a CAMEO code"):
        normalise_code("999", "f.csv", "row 2: CAMEO Code")


# --- import ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nato():
    return load_scenario("nato-russia")


def test_an_icews_file_becomes_events_and_what_is_not_used_is_reported(nato):
    imported = import_events(ICEWS, nato)
    assert imported.layout == "icews" and imported.read == 32
    # NATO is not a state of the case (a blank country falls back to the actor's name).
    assert imported.unmapped["actor not in the scenario"] == {"Iran": 1, "NATO": 1}
    assert imported.unmapped["outside the scenario's years"] == {"2002": 1}
    assert set(imported.unmapped["no act for the CAMEO code"]) == {"1246", "141", "173", "100"}
    counted = sum(sum(c.values()) for c in imported.unmapped.values())
    assert imported.used + counted == imported.read  # every event is used or accounted for
    slots = [(e["step"], e["actor"]) for e in imported.events]
    assert len(slots) == len(set(slots))  # one act per actor and step
    georgia = next(e for e in imported.events if e["step"] == 5 and e["actor"] == "RUS")
    # Four Russian events in 2008, all of escalation 28: the one that opens a war wins.
    assert (georgia["action"], georgia["target"]) == ("seize_territory", "GEO")
    names = import_events(ICEWS, nato, actors={"NATO": "USA"})
    assert names.unmapped["actor not in the scenario"] == {"Iran": 1}
    assert names.used == imported.used + 1  # the NATO row, mapped to the United States


def test_the_imported_scenario_validates_and_runs(nato, tmp_path):
    imported = import_events(ICEWS, nato)
    raw = with_history(read_raw(resolve_path("nato-russia")), imported.events, None, nato)
    spec = parse_scenario(raw, "imported")
    ens = run_ensemble(spec.model_copy(update={"replicates": 40}))
    assert summarize(ens)["replicates"] == 40


def test_a_history_replays_the_record_and_the_model_takes_over(nato):
    imported = import_events(ICEWS, nato)
    raw = with_history(read_raw(resolve_path("nato-russia")), imported.events, 11, nato)
    spec = parse_scenario(raw, "history")
    assert spec.history_until == 11
    last = spec.steps - 1
    slots = {(s, e.actor) for e in spec.events for s in e.steps(last) if s < 11}
    assert slots == {(s, sid) for s in range(11) for sid in spec.ids}  # no free choice before 11
    # The case's own timeline stays where the record has nothing for that state and year:
    # NATO's enlargement (2004) and Bucharest (2008) have no CAMEO code.
    own = {(e.step, e.actor, e.action) for e in nato.events if e.step < 11 and e.every is None}
    kept = {(e.step, e.actor, e.action) for e in spec.events}
    taken = {(e["step"], e["actor"]) for e in imported.events}
    assert {o for o in own if (o[0], o[1]) not in taken} <= kept
    assert (1, "USA", "enlarge_alliance") in kept
    ens = run_ensemble(spec.model_copy(update={"replicates": 60}))
    o = ens.outcomes
    wait = ens.catalog.index("wait")
    waits = {(e.step, spec.ids.index(e.actor)) for e in spec.events if e.action == "wait"}
    assert waits and all((o.actions[step, :, n] == wait).all() for step, n in waits)
    assert o.scheduled[:11].all()  # every act before 2014 is the record's
    # The record's 2008 Georgian war is now history in every replicate.
    assert summarize(ens)["record"][0]["share"] == 1.0
    # After it, the model chooses: acts differ between replicates.
    assert (o.actions[11:] != o.actions[11:, :1]).any()


def test_the_aggregation_rule():
    catalog = load_catalog()
    kept = [
        (3, "A", "public_criticism", "B"),
        (3, "A", "impose_sanctions", "B"),
        (3, "A", "impose_sanctions", "C"),
        (3, "A", "impose_sanctions", "C"),
        (3, "B", "trade_agreement", "A"),
        (4, "A", "targeted_strike", "B"),
        (4, "A", "invade", "B"),
    ]
    events = aggregate(kept, catalog)
    assert events == [
        {"step": 3, "actor": "A", "action": "impose_sanctions", "target": "C"},
        {"step": 3, "actor": "B", "action": "trade_agreement", "target": "A"},
        {"step": 4, "actor": "A", "action": "invade", "target": "B"},
    ]


def test_a_gdelt_file_with_iso_codes(nato, tmp_path):
    path = tmp_path / "gdelt.csv"
    path.write_text(
        "GLOBALEVENTID,SQLDATE,Actor1Code,Actor1CountryCode,Actor2CountryCode,EventCode\n"
        "1,20140301,RUSMIL,RUS,UKR,192\n"
        "2,20140302,USAGOV,USA,RUS,163\n"
        "3,20140302,UKRGOV,UKR,,042\n"
    )
    imported = import_events(path, nato)
    assert imported.layout == "gdelt"
    assert {(e["actor"], e["action"], e["target"]) for e in imported.events} == {
        ("RUS", "seize_territory", "UKR"),
        ("USA", "impose_sanctions", "RUS"),
    }
    assert imported.unmapped["target not in the scenario"] == {"(blank)": 1}


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("a,b\n1,2\n", "<columns>", "not an event file layout"),
        ("date,source,target,cameo\nsoon,RUS,UKR,190\n", "row 2: date", "not a date"),
        ("date,source,target,cameo\n2010-01-01,RUS,UKR,990\n", "row 2: cameo", "CAMEO"),
    ],
)
def test_bad_event_files_are_named(tmp_path, text, field, problem):
    path = tmp_path / "events.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_events(path)
    assert (err.value.source, err.value.field) == (str(path), field)
    assert problem in err.value.problem


def test_a_missing_file_and_a_scenario_without_years(tmp_path):
    with pytest.raises(InputError, match="no such event file"):
        read_events(tmp_path / "none.tsv")
    with pytest.raises(InputError, match="start_year"):
        import_events(ICEWS, load_scenario("two-security-seekers"))


# --- the command line --------------------------------------------------------------------------


def test_events_import_command_writes_a_valid_scenario_or_nothing(tmp_path):
    runner = CliRunner()
    out = tmp_path / "history.yaml"
    args = ["events", "import", str(ICEWS), "--scenario", "nato-russia", "--history", "11"]
    result = runner.invoke(app, [*args, "--actor", "NATO=USA", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == str(out) and report["unmapped"]["actor not in the scenario"]
    assert load_scenario(out).history_until == 11
    printed = runner.invoke(app, ["events", "import", str(ICEWS), "--scenario", "nato-russia"])
    assert printed.exit_code == 0 and "events:" in printed.stdout
    bad = tmp_path / "bad.yaml"
    failed = runner.invoke(app, [*args[:5], "--history", "99", "--out", str(bad)])
    assert failed.exit_code == 2 and "--history" in failed.output and not bad.exists()
    failed = runner.invoke(app, [*args, "--actor", "NATO"])
    assert failed.exit_code == 2 and "NAME=STATE_ID" in failed.output


def test_events_read_and_accuracy_commands():
    runner = CliRunner()
    text = "Russia masses troops on the Ukrainian border"
    result = runner.invoke(app, ["events", "read", text, "--scenario", "nato-russia", "--json"])
    assert result.exit_code == 0, result.output
    reading = json.loads(result.stdout)
    assert (reading["actor"], reading["target"]) == ("RUS", "UKR")
    assert reading["act"] in ("alert_forces", "forward_deploy", "military_exercise")
    accuracy = json.loads(runner.invoke(app, ["events", "accuracy", "--json"]).stdout)
    assert accuracy["held_out"] == 83


# --- the readers ---------------------------------------------------------------------------------


def test_the_offline_reader_on_held_out_codebook_sentences():
    """The figure docs/events.md reports; a floor far above chance (20 roots: 0.05; the most
    common root: 0.14) guards against a broken reader."""
    from secdilemma.events.reader import held_out_accuracy, split

    train, held = split()
    assert not set(train) & set(held) and len(train) + len(held) == 276
    result = held_out_accuracy()
    assert result["correct"] == sum(hits for hits, _ in result["by_root"].values())
    assert result["accuracy"] > 0.4
    docs = (Path(__file__).parents[2] / "docs" / "events.md").read_text()
    assert f"{result['correct']} of {result['held_out']}" in docs


def test_the_reader_keeps_the_words_that_separate_intent_demand_and_refusal():
    """CAMEO's roots turn on modal and negating words the usual stop list drops: 'will give'
    is intent (03), 'must' a demand (10), 'not' a refusal (12). Names and reporting verbs go."""
    from secdilemma.events.reader import _tokenizer

    tokens = _tokenizer()("France said it will not send troops and Germany must")
    assert {"will", "not", "must"} <= set(tokens)
    assert not {"france", "germani", "said", "it", "and"} & set(tokens)


class Recorded:
    """A response of the endpoint, as httpx gives it, from a recorded reply."""

    def __init__(self, name: str | None = None, error: Exception | None = None) -> None:
        self.reply = json.loads((REPLIES / f"{name}.json").read_text()) if name else None
        self.error = error
        self.requests = []

    def __call__(self, url, json=None, headers=None, timeout=None):  # noqa: A002
        self.requests.append((url, json))
        if self.error:
            raise self.error
        return self

    def raise_for_status(self):
        return None

    def json(self):
        return self.reply


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("unknown_act", "'mass_troops' is not in the catalogue"),
        ("prose", "not JSON"),
        ("no_target", "'invade' needs a target"),
        ("unknown_state", "'Atlantis' is not one of the states"),
    ],
)
def test_an_invalid_reply_falls_back_to_the_offline_reader(nato, reply, why):
    from secdilemma.events.llm import read_with_model

    text = "Russia masses troops on the Ukrainian border"
    reading = read_with_model(text, nato, endpoint="http://127.0.0.1:9/v1", post=Recorded(reply))
    assert reading.method == "offline" and why in reading.note


def test_a_valid_reply_is_used_and_the_request_lists_the_choices(nato):
    from secdilemma.events.llm import read_with_model

    post = Recorded("valid")
    text = "Russia masses troops on the Ukrainian border"
    reading = read_with_model(text, nato, endpoint="http://127.0.0.1:9/v1/", post=post)
    assert (reading.method, reading.actor, reading.act, reading.target) == (
        "llm",
        "RUS",
        "forward_deploy",
        "UKR",
    )
    ((url, body),) = post.requests
    assert url == "http://127.0.0.1:9/v1/chat/completions"
    assert "forward_deploy" in body["messages"][0]["content"] and text in str(body["messages"])
    fenced = read_with_model(text, nato, endpoint="http://x/v1", post=Recorded("fenced"))
    # A fenced reply is read; a self-directed act keeps no target.
    assert (fenced.method, fenced.actor, fenced.act, fenced.target) == (
        "llm",
        "RUS",
        "alert_forces",
        None,
    )


def test_no_endpoint_or_a_dead_one_falls_back_cleanly(nato, monkeypatch):
    from secdilemma.events.llm import ENDPOINT_VARIABLE, read_with_model

    monkeypatch.delenv(ENDPOINT_VARIABLE, raising=False)
    text = "Russia masses troops on the Ukrainian border"
    reading = read_with_model(text, nato)
    assert reading.method == "offline" and "no endpoint configured" in reading.note
    assert reading.actor == "RUS"
    dead = Recorded(error=ConnectionRefusedError("connection refused"))
    reading = read_with_model(text, nato, endpoint="http://127.0.0.1:9/v1", post=dead)
    assert reading.method == "offline" and "the endpoint failed" in reading.note
    result = CliRunner().invoke(app, ["events", "read", text, "--llm", "--json"])
    assert result.exit_code == 0 and "no endpoint configured" in json.loads(result.stdout)["note"]


def test_the_written_yaml_round_trips(nato, tmp_path):
    imported = import_events(ICEWS, nato)
    raw = with_history(read_raw(resolve_path("nato-russia")), imported.events, 11, nato)
    text = yaml.safe_dump(raw, sort_keys=False)
    assert parse_scenario(yaml.safe_load(text), "x").history_until == 11
