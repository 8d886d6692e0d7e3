"""Take the screenshots of docs/lab.md from a running lab.

    python docs/update_lab_screenshots.py

Needs the ``[web]`` and ``[browser]`` extras and a chromium binary. The lab is served on a free
loopback port; every view is the real page after a real run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from secdilemma.web.app import serve_in_background

OUT = Path(__file__).parent / "lab"
BROKEN = b"name: broken\nstates:\n  - {id: A, greed: 2}\n  - {id: B, hubris: -1}\n"


def _done(page, status: str = "#status") -> None:
    page.wait_for_function(
        f"!/^(starting|running)/.test(document.querySelector('{status}').textContent)",
        timeout=300_000,
    )
    if not page.inner_text(status).startswith("done"):
        raise SystemExit(f"the run did not finish: {page.inner_text(status)}")
    page.wait_for_timeout(400)  # plotly's transitions


def main() -> None:
    OUT.mkdir(exist_ok=True)
    lab = serve_in_background()
    url = lab.url
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']")
        page.select_option("#scenario", "nato-russia")
        page.wait_for_function("document.querySelector('#title').textContent === 'nato-russia'")
        page.fill("#replicates", "500")
        page.click("#run")
        _done(page)
        page.screenshot(path=OUT / "readings.png")
        page.locator("#replicate-pane").scroll_into_view_if_needed()
        page.fill("#rep-k", "7")
        page.dispatch_event("#rep-k", "change")
        page.wait_for_function(
            "document.querySelector('#rep-summary').textContent.startsWith('Replicate 7 ')"
        )
        page.evaluate(
            "() => { const s = document.querySelector('#rep-step'); s.value = 11;"
            " s.dispatchEvent(new Event('input')); }"
        )
        page.wait_for_timeout(400)
        page.locator("#replicate-pane").screenshot(path=OUT / "replicate.png")
        page.select_option("#scenario", "two-security-seekers")
        page.wait_for_function(
            "document.querySelector('#title').textContent === 'two-security-seekers'"
        )
        page.click("[data-tab='audit']")
        form = page.locator("#tab-audit")
        form.locator("select[name='action']").select_option("build_offensive_forces")
        form.locator("input[name='replicates']").fill("200")
        form.locator("button[type='submit']").click()
        _done(page, "#analysis-status")
        page.locator("#analyses").screenshot(path=OUT / "audit.png")
        page.set_input_files(
            "#upload", files=[{"name": "broken.yaml", "mimeType": "text/yaml", "buffer": BROKEN}]
        )
        page.wait_for_selector("#errors:not([hidden])")
        page.screenshot(path=OUT / "error.png", clip={"x": 0, "y": 0, "width": 1400, "height": 260})
        browser.close()
    lab.stop()
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))} in {OUT}")


if __name__ == "__main__":
    main()
