"""The lab's run of the three readings against the same comparison called from Python.

The lab is served on a loopback port (uvicorn in a thread, as ``secdilemma serve`` runs it).
Its run is timed three ways, side by side with ``secdilemma.analysis.compare.compare`` on the
same scenario, replicates and seed (the alternative: what the lab does for the user):

- ``api``: start the run over HTTP and poll it until its results arrive (what the page does);
- ``page``: in Chromium (when Playwright and a chromium binary are installed), from the click
  on "Run" to the results shown, as the page itself times it.

    python -m benchmarks.lab [--quick] [--replicates 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from typing import Any

from benchmarks.common import machine, row, timed, warm_up

SCENARIO = "two-security-seekers"


def _api_run(url: str, replicates: int) -> dict[str, Any]:
    import httpx

    body = {
        "client": "benchmark-client",
        "source": {"bundled": SCENARIO},
        "replicates": replicates,
    }
    with httpx.Client(base_url=url) as http:
        job = http.post("/api/runs", json=body).json()
        while True:
            state = http.get(f"/api/runs/{job['id']}", params={"client": body["client"]}).json()
            if state["status"] != "running" and state["status"] != "queued":
                assert state["status"] == "done", state
                return state["result"]
            time.sleep(0.02)


def _page_seconds(url: str, replicates: int, repeats: int) -> float | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']")
        page.fill("#replicates", str(replicates))
        for _ in range(repeats):
            page.click("#run")
            page.wait_for_function(
                "document.querySelector('#status').textContent.startsWith('done')"
            )
            times.append(float(page.get_attribute("#status", "data-seconds")))
        browser.close()
    return sorted(times)[len(times) // 2]


def run(quick: bool = False, repeats: int | None = None, replicates: int | None = None):
    from secdilemma.analysis.compare import compare

    replicates = replicates or (20 if quick else 200)
    repeats = repeats or (1 if quick else 3)
    warm_up()
    direct_t, _ = timed(lambda: compare(SCENARIO, [f"replicates={replicates}"]), repeats)
    from secdilemma.web.app import serve_in_background

    lab = serve_in_background()
    url = lab.url
    try:
        _api_run(url, replicates)  # the server's first run warms its imports
        api_t, result = timed(lambda: _api_run(url, replicates), repeats)
        page_t = _page_seconds(url, replicates, repeats)
    finally:
        lab.stop()
    assert result["replicates"] == replicates
    workload = f"{SCENARIO}, R={replicates}, three readings"
    rows = [row("lab", f"{workload}, over HTTP", round(api_t, 4), "compare()", round(direct_t, 4))]
    if page_t is not None:
        rows.append(
            row(
                "lab", f"{workload}, in the page", round(page_t, 4), "compare()", round(direct_t, 4)
            )
        )
    return {
        "scenario": SCENARIO,
        "replicates": replicates,
        "repeats": repeats,
        "machine": machine(),
        "compare_s": round(direct_t, 4),
        "lab_api_s": round(api_t, 4),
        "lab_page_s": None if page_t is None else round(page_t, 4),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    report = run(args.quick, args.repeats, args.replicates)
    report.pop("rows")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
