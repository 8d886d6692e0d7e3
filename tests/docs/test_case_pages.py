"""The bundled cases' pages show what the model gives today (``docs/update_cases.py``)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "tests" / "baseline"))
from baseline_cases import BASELINE, platform_key  # noqa: E402

_spec = importlib.util.spec_from_file_location("update_cases", ROOT / "docs" / "update_cases.py")
update_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_cases)


@pytest.mark.slow
@pytest.mark.parametrize("case", update_cases.CASES)
def test_each_case_page_shows_the_models_figures(case):
    # The shares are counts of replicates: the same on the platform the baseline was recorded
    # on; elsewhere a replicate may fall the other way (tests/baseline/baseline_cases.py).
    if json.loads(BASELINE.read_text())["platform"] != platform_key():
        pytest.skip("the figures are promised on the baseline's platform")
    page = ROOT / "docs" / "scenarios" / f"{case}.md"
    assert update_cases.main(["--check", case]) == 0, (
        f"{page} is stale: python docs/update_cases.py"
    )


def test_every_bundled_case_has_a_page_with_the_markers():
    for case in update_cases.CASES:
        text = (ROOT / "docs" / "scenarios" / f"{case}.md").read_text()
        assert text.count(update_cases.BEGIN) == 1 and text.count(update_cases.END) == 1, case


@pytest.mark.slow
@pytest.mark.parametrize("case", update_cases.CASES)
def test_no_state_starts_its_first_war_on_a_state_ten_times_stronger(case):
    """Small states do not start wars on powers many times their size (calibration issue):
    at most 5% of replicates in any bundled case under any reading, unless scheduled."""
    from secdilemma.analysis.compare import compare

    readings = compare(case, ["replicates=400"], trajectories=False).summaries
    rates = {reading: s["p_war_on_tenfold"] for reading, s in readings.items()}
    assert max(rates.values()) <= 0.05, rates
