"""The lab's server, through its HTTP API (FastAPI's test client; no browser): the controls
come from the schema, bad input is refused with file, field and value and runs nothing, runs
happen off the request thread and belong to their tab, cancel and closed tabs stop them, and
requests are bounded. The page itself is tested in a browser in test_lab_browser.py."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from secdilemma.cli.serve import is_loopback  # noqa: E402
from secdilemma.model.scenario import load_scenario  # noqa: E402
from secdilemma.web.app import MAX_BODY, create_app  # noqa: E402
from secdilemma.web.jobs import CANCELLED, DONE, Jobs  # noqa: E402

TWO = {"bundled": "two-security-seekers"}
HOST = {"base_url": "http://127.0.0.1"}


@pytest.fixture(scope="module")
def lab():
    with TestClient(create_app(), **HOST) as client:
        yield client


def _run(lab, client_id, source=TWO, overrides=(), replicates=100, kind="compare", **options):
    reply = lab.post(
        "/api/runs",
        json={
            "client": client_id,
            "source": source,
            "overrides": list(overrides),
            "replicates": replicates,
            "kind": kind,
            "options": options,
        },
    )
    return reply


def _wait(lab, client_id, job_id, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = lab.get(f"/api/runs/{job_id}", params={"client": client_id}).json()
        if state["status"] in ("done", "failed", "cancelled"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"run {job_id} did not finish in {timeout} s")


# --- the scenario and its controls ---------------------------------------------------------


def test_controls_carry_the_schema_ranges_and_every_one_is_a_valid_override(lab):
    view = lab.post("/api/scenario", json={"source": {"bundled": "nato-russia"}}).json()
    assert view["ok"] and view["ids"][0] in view["yaml"]
    controls = {c["path"]: c for c in view["controls"]}
    greed = controls["states.RUS.greed"]
    assert (greed["low"], greed["high"]) == (0.0, 1.0)
    assert greed["drawn"].startswith("uniform")  # drawn in the case: the slider starts mid-range
    assert greed["slider_low"] <= greed["value"] <= greed["slider_high"]
    assert sorted(controls["states.RUS.lens"]["choices"]) == [
        "bayesian",
        "interpretive",
        "structural",
    ]
    assert controls["world.offense_defense_balance"]["low"] > 0
    # Each control's own value, written back as an override, is a valid scenario.
    assert controls["states.RUS.offense"]["fixed"]  # computed from the COW data
    overrides = [f"{c['path']}={c['value']}" for c in view["controls"] if not c["fixed"]]
    spec = load_scenario("nato-russia", overrides)
    russia = spec.states[spec.ids.index("RUS")]
    assert russia.greed == greed["value"]  # the slider fixes what was drawn
    assert spec.world.distinguishability == controls["world.distinguishability"]["value"]


def test_an_override_shows_in_the_yaml_and_a_bad_one_is_named(lab):
    ok = lab.post("/api/scenario", json={"source": TWO, "overrides": ["states.A.greed=0.7"]}).json()
    assert "greed: 0.7" in ok["yaml"]
    bad = lab.post("/api/scenario", json={"source": TWO, "overrides": ["states.A.greed=1.7"]})
    assert bad.status_code == 422
    (error,) = bad.json()["errors"]
    assert (error["field"], error["value"]) == ("states[0].greed", "1.7")


def test_a_bad_upload_is_named_and_runs_nothing(lab):
    text = "name: broken\nstates:\n  - {id: A, greed: 2}\n  - {id: B, hubris: .nan}\n"
    source = {"yaml": text, "filename": "broken.yaml"}
    reply = lab.post("/api/scenario", json={"source": source})
    assert reply.status_code == 422
    errors = reply.json()["errors"]
    fields = {e["field"]: e for e in errors}
    assert fields["states[0].greed"]["file"] == "broken.yaml"  # the upload's name, not a path
    assert fields["states[0].greed"]["value"] == "2"
    assert "states[1].hubris" in fields
    run = _run(lab, "tab-bad-upload", source=source)
    assert run.status_code == 422 and not run.json()["ok"]
    assert not [j for j in lab.app.state.jobs._jobs.values() if j.client == "tab-bad-upload"]


def test_hostile_yaml_and_unknown_sources_are_refused(lab):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    reply = lab.post("/api/scenario", json={"source": {"yaml": bomb, "filename": "bomb.yaml"}})
    assert reply.status_code == 422 and reply.json()["errors"][0]["file"] == "bomb.yaml"
    # The page may name bundled scenarios only, not files on the server.
    reply = lab.post("/api/scenario", json={"source": {"bundled": "/etc/passwd"}})
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["field"] == "source.bundled"


# --- runs ----------------------------------------------------------------------------------


def test_a_comparison_runs_and_its_replicates_can_be_stepped_through(lab):
    started = _run(lab, "tab-first-run", overrides=["states.A.greed=1"], replicates=120).json()
    state = _wait(lab, "tab-first-run", started["id"])
    assert state["status"] == DONE, state
    result = state["result"]
    assert set(result["readings"]) == {"structural", "interpretive", "bayesian"}
    war = result["readings"]["structural"]["rates"]["war"]
    assert war["low"] <= war["p"] <= war["high"] and war["n"] == 120
    threat = result["readings"]["bayesian"]["trajectories"]["threat"][result["pairs"][0]]
    assert len(threat["mean"]) == result["steps"] + 1
    replicate = lab.get(
        f"/api/runs/{started['id']}/replicate/3",
        params={"client": "tab-first-run", "reading": "bayesian"},
    ).json()
    assert replicate["replicate"] == 3 and len(replicate["threat"]["A->B"]) == result["steps"] + 1
    assert all(0 <= a["step"] < result["steps"] for a in replicate["acts"])
    assert replicate["war"] == bool(replicate["wars"])
    readings = [r for r in replicate["reading"]["A->B"] if r is not None]
    assert len(replicate["reading"]["A->B"]) == result["steps"] and readings
    missing = lab.get(
        f"/api/runs/{started['id']}/replicate/999", params={"client": "tab-first-run"}
    )
    assert missing.status_code == 404


def test_the_settings_change_the_results_as_the_mechanism_says(lab):
    """A greedy state A makes war far likelier under every reading (an ensemble property: the
    margin is many standard errors at 150 replicates, across seeds)."""
    rates = {}
    for greed in (0, 1):
        for seed in (3, 4):
            job = _run(
                lab,
                "tab-dose",
                overrides=[f"states.A.greed={greed}", f"seed={seed}"],
                replicates=150,
            ).json()
            result = _wait(lab, "tab-dose", job["id"])["result"]
            for reading, r in result["readings"].items():
                rates[greed, seed, reading] = r["rates"]["war"]["p"]
    for seed in (3, 4):
        for reading in ("structural", "interpretive", "bayesian"):
            assert rates[1, seed, reading] > rates[0, seed, reading] + 0.3


def test_each_tab_sees_its_own_runs(lab):
    one = _run(lab, "tab-first", replicates=60).json()
    two = _run(
        lab, "tab-second", source={"bundled": "greedy-vs-security-seeker"}, replicates=60
    ).json()
    first, second = _wait(lab, "tab-first", one["id"]), _wait(lab, "tab-second", two["id"])
    assert first["result"]["scenario"] == "two-security-seekers"
    assert second["result"]["scenario"] == "greedy-vs-security-seeker"
    # A tab cannot poll, cancel or step through another tab's run.
    assert lab.get(f"/api/runs/{one['id']}", params={"client": "tab-second"}).status_code == 404
    assert (
        lab.post(f"/api/runs/{one['id']}/cancel", params={"client": "tab-second"}).status_code
        == 404
    )
    other = lab.get(f"/api/runs/{one['id']}/replicate/0", params={"client": "tab-second"})
    assert other.status_code == 404


def test_cancel_and_a_closed_tab_stop_their_runs(lab):
    big = {"bundled": "nato-russia"}
    job = _run(lab, "tab-cancel", source=big, replicates=4000).json()
    lab.post(f"/api/runs/{job['id']}/cancel", params={"client": "tab-cancel"})
    assert _wait(lab, "tab-cancel", job["id"], timeout=30)["status"] == CANCELLED
    job = _run(lab, "tab-closed", source=big, replicates=4000).json()
    assert lab.post("/api/clients/tab-closed/close").json()["cancelled"] == 1
    assert _wait(lab, "tab-closed", job["id"], timeout=30)["status"] == CANCELLED
    assert lab.post("/api/clients/tab-closed/close").json()["cancelled"] == 0  # none left


def test_a_run_nobody_polls_is_cancelled():
    jobs = Jobs(workers=1, patience=0.2)
    seen = []

    def work(report):
        for n in range(400):
            report(n, 400)
            time.sleep(0.01)
        seen.append("finished")

    job = jobs.submit("gone", "compare", work)
    deadline = time.monotonic() + 10
    while job.status != CANCELLED and time.monotonic() < deadline:
        time.sleep(0.1)
        jobs.reap()  # the server's reaper thread does this every two seconds
    assert job.status == CANCELLED and not seen
    jobs.shutdown()


def test_a_page_has_a_bounded_number_of_unfinished_runs():
    jobs = Jobs(workers=1, per_client=2)
    release = []

    def work(report):
        while not release:
            report(0, 1)
            time.sleep(0.01)

    for _ in range(2):
        jobs.submit("busy", "compare", work)
    from secdilemma.web.jobs import Busy

    with pytest.raises(Busy):
        jobs.submit("busy", "compare", work)
    jobs.submit("another tab", "compare", lambda report: None)  # other tabs are not held up
    release.append(True)
    jobs.shutdown()


# --- the analyses ----------------------------------------------------------------------------


def test_the_analyses_run_from_the_lab_and_check_their_input_first(lab):
    job = _run(
        lab,
        "tab-attr",
        source={"bundled": "greedy-vs-security-seeker"},
        replicates=40,
        kind="attribute",
        outcome="war",
    ).json()
    state = _wait(lab, "tab-attr", job["id"])
    assert state["status"] == DONE, state
    assert "Who started it" in state["result"]["html"]
    assert state["result"]["payload"]["outcome"]["label"]
    bad = _run(lab, "tab-audit", kind="audit", actor="A", action="no_such_act", target="B")
    assert bad.status_code == 422
    assert "no_such_act" in bad.json()["errors"][0]["value"]
    robust = _run(
        lab, "tab-robust", kind="robust", overrides=["states.A.greed=1"], policies="policies: []"
    )
    assert robust.status_code == 422 and robust.json()["errors"][0]["field"] == "overrides"


# --- bounds and hosts --------------------------------------------------------------------------


def test_requests_are_bounded(lab):
    huge = lab.post(
        "/api/scenario",
        content=b'{"source": {"yaml": "' + b"x" * (MAX_BODY + 10) + b'"}}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    too_many = _run(lab, "tab-bounds", replicates=10**6)
    assert too_many.status_code == 422
    heavy = _run(lab, "tab-bounds", overrides=["steps=100000"], replicates=5000)
    assert heavy.status_code == 422 and heavy.json()["errors"][0]["field"] == "replicates"


def test_only_the_loopback_names_are_served_by_default():
    with TestClient(create_app(), base_url="http://evil.example") as client:
        assert client.get("/api/scenarios").status_code == 400
    with TestClient(create_app(), base_url="http://localhost") as client:
        assert client.get("/api/scenarios").status_code == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_the_page_and_its_scripts_come_from_the_server(lab):
    page = lab.get("/").text
    assert "/static/plotly.min.js" in page and "http://" not in page and "https://" not in page
    plotly = lab.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert lab.get("/static/lab.js").status_code == 200
    assert lab.get("/static/../app.py").status_code == 404


def test_an_uploaded_history_is_marked_in_the_view(lab):
    """A scenario whose first steps replay imported events (docs/events.md) tells the page
    where the model takes over."""
    from pathlib import Path

    import yaml

    from secdilemma.events.importer import import_events, with_history
    from secdilemma.model.scenario import read_raw, resolve_path

    nato = load_scenario("nato-russia")
    events = Path(__file__).parents[1] / "events" / "nato-russia-2003-2013.tsv"
    raw = with_history(
        read_raw(resolve_path("nato-russia")), import_events(events, nato).events, 11, nato
    )
    source = {"yaml": yaml.safe_dump(raw, sort_keys=False), "filename": "history.yaml"}
    job = _run(lab, "tab-history", source=source, replicates=30).json()
    state = _wait(lab, "tab-history", job["id"])
    assert state["status"] == DONE, state
    assert state["result"]["history_until"] == 11
    replicate = lab.get(
        f"/api/runs/{job['id']}/replicate/0", params={"client": "tab-history"}
    ).json()
    assert replicate["history_until"] == 11
    assert all(a["scheduled"] for a in replicate["acts"] if a["step"] < 11)
