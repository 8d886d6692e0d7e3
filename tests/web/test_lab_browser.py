"""The lab in a browser: Playwright drives Debian's Chromium against a lab served on a free
loopback port, with every request that leaves the lab's own origin blocked and recorded (the
page must work with no network), and the ``secdilemma serve`` command itself refusing
connections from other hosts by default."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import closing

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)"),
]
# Chromium kept off the network: every request but to the loopback (which Chromium never
# sends through a proxy) goes to a dead proxy, and no name resolves but localhost.
OFFLINE = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# The command line, as an installed console script runs it.
SECDILEMMA = [sys.executable, "-c", "from secdilemma.cli import app; app()"]
BROKEN = b"name: broken\nstates:\n  - {id: A, greed: 2}\n  - {id: B}\n"


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url():
    from secdilemma.web.app import serve_in_background

    lab = serve_in_background()
    yield lab.url
    lab.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab_url):
    """A fresh tab on the lab; requests that leave the lab's origin are blocked and kept in
    ``page.outside``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.outside = []

    def guard(route):
        if route.request.url.startswith(lab_url):
            route.continue_()
        else:
            tab.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab.errors = []
    tab.on("pageerror", lambda err: tab.errors.append(str(err)))
    tab.goto(lab_url)
    tab.wait_for_selector("body[data-ready='1']", timeout=20_000)
    yield tab
    context.close()


def _run(page) -> dict[str, float]:
    """Click run, wait for the results: the war share per reading."""
    page.click("#run")
    page.wait_for_function(
        "document.querySelector('#status').textContent.startsWith('done')", timeout=60_000
    )
    cells = page.query_selector_all("#readings td[data-measure='war']")
    return {c.get_attribute("data-reading"): float(c.get_attribute("data-value")) for c in cells}


def _set_slider(page, path: str, value: str) -> None:
    page.locator(f"input[type='range'][data-path='{path}']").fill(value)
    box = page.locator(f"input[type='number'][data-path='{path}']")
    assert box.input_value() == value  # the number box follows the slider
    shown = f"{path.split('.')[-1]}: {value}"
    page.wait_for_function(f"document.querySelector('#yaml').textContent.includes({shown!r})")


def test_the_lab_loads_with_no_network_and_a_slider_moves_the_readings(page):
    assert page.evaluate("typeof Plotly") == "object"  # served by the lab, not a CDN
    before = _run(page)
    assert set(before) == {"structural", "interpretive", "bayesian"}
    _set_slider(page, "states.A.greed", "1")
    assert page.locator(".control.changed").count() == 1
    after = _run(page)
    # A greedy A makes war far likelier under every reading (about 0.01 against 0.75 at 200
    # replicates, across seeds; tests/web/test_app.py checks the margin over seeds).
    for reading in before:
        assert after[reading] > before[reading] + 0.3
    assert page.locator("#trajectories .main-svg").count() > 0  # the plot was drawn
    assert page.outside == [] and page.errors == []


def test_a_bad_upload_shows_the_named_error_and_nothing_runs(page):
    page.set_input_files(
        "#upload", files=[{"name": "broken.yaml", "mimeType": "text/yaml", "buffer": BROKEN}]
    )
    page.wait_for_selector("#errors:not([hidden])")
    error = page.inner_text("#errors")
    assert "broken.yaml" in error and "states[0].greed" in error and "2" in error
    assert page.is_disabled("#run")
    assert page.locator("#controls fieldset").count() == 0


def test_an_uploaded_scenario_runs(page):
    good = BROKEN.replace(b"greed: 2", b"greed: 0.9").replace(b"name: broken", b"name: mine")
    page.set_input_files(
        "#upload", files=[{"name": "mine.yaml", "mimeType": "text/yaml", "buffer": good}]
    )
    page.wait_for_function("document.querySelector('#title').textContent === 'mine'")
    assert page.is_hidden("#errors")
    rates = _run(page)
    assert all(0 <= p <= 1 for p in rates.values())


def test_one_replicate_can_be_stepped_through(page):
    _run(page)
    page.wait_for_function("document.querySelector('#rep-summary').textContent.length > 0")
    assert page.inner_text("#rep-summary").startswith("Replicate 0 of 200")
    page.evaluate(
        "() => { const s = document.querySelector('#rep-step'); s.value = 40;"
        " s.dispatchEvent(new Event('input')); }"
    )
    assert page.inner_text("#rep-when") == "step 40"
    past = page.locator("#rep-timeline li.past").count()
    future = page.locator("#rep-timeline li.future").count()
    assert past > 0 and future > 0  # acts before step 40 and after it
    threat = page.locator("#rep-now tr[data-pair='A->B'] td").first.inner_text()
    assert 0 <= float(threat) <= 1
    # Somewhere in the run an observer read an act: the readings column shows it.
    read = []
    for step in range(0, 100, 5):
        page.evaluate(
            f"() => {{ const s = document.querySelector('#rep-step'); s.value = {step};"
            " s.dispatchEvent(new Event('input')); }"
        )
        read += [c for c in page.locator("#rep-now td.reading").all_inner_texts() if c != "–"]
    assert read and all(-1 <= float(c) <= 1 for c in read)
    page.click("#rep-next")
    page.wait_for_function(
        "document.querySelector('#rep-summary').textContent.startsWith('Replicate 1 ')"
    )


def test_an_analysis_runs_from_its_panel(page):
    page.select_option("#scenario", "greedy-vs-security-seeker")
    page.wait_for_function(
        "document.querySelector('#title').textContent === 'greedy-vs-security-seeker'"
    )
    page.fill("#tab-attribute input[name='replicates']", "20")
    page.click("#tab-attribute button[type='submit']")
    page.wait_for_function(
        "document.querySelector('#analysis-status').textContent.startsWith('done')",
        timeout=120_000,
    )
    assert "Who started it" in page.inner_text("#analysis-result")
    assert page.outside == []


def _other_address() -> str | None:
    """An IPv4 address of this machine that is not the loopback, if it has one: the address
    its default route leaves from (a UDP socket's connect sends nothing)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as s:
        try:
            s.connect(("192.0.2.123", 9))  # TEST-NET-1: only the route is looked up
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith(("127.", "0.")) else address


def test_serve_binds_to_the_loopback_only_by_default(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [*SECDILEMMA, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with closing(socket.socket()) as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("secdilemma serve did not start")
        other = _other_address()
        if other is None:
            pytest.skip("this machine has no address but the loopback")
        with closing(socket.socket()) as s, pytest.raises(ConnectionRefusedError):
            s.settimeout(5)
            s.connect((other, port))
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_warns_when_asked_to_serve_the_network():
    out = subprocess.run(
        [*SECDILEMMA, "serve", "no-such-scenario", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "warning: serving on 0.0.0.0" in out.stderr
    assert "no-such-scenario" in out.stderr
