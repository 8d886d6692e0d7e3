"""The regression baseline: every bundled scenario and a 12-state synthetic world, run small,
give the outcomes recorded in ``baseline.json``, with the compiled kernels and without.

A failure names each case and each summary value that moved. If the change was meant,
``python tests/baseline/update.py`` rewrites the baseline and prints the same list for the
commit message.
"""

import json

import pytest
from baseline_cases import BASELINE, CASES, flatten, forms, moved, platform_key, record

from secdilemma import load_scenario, run_ensemble, summarize

EXPECTED = json.loads(BASELINE.read_text())


def test_the_baseline_covers_every_case():
    assert set(EXPECTED["cases"]) == set(CASES)


@pytest.mark.parametrize("compiled", forms(), ids=lambda c: "compiled" if c else "numpy")
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_case_gives_its_recorded_outcomes(case, compiled):
    expected = EXPECTED["cases"][case]
    found = record(case, compiled)
    lines = moved(expected["summary"], found["summary"])
    assert not lines, f"{case}: {len(lines)} summary values moved\n" + "\n".join(lines)
    if EXPECTED["platform"] == platform_key():  # bits are promised on one platform only
        assert found["outcomes_sha256"] == expected["outcomes_sha256"], (
            f"{case}: summary values within tolerance, but outcome arrays differ in their bits"
        )


def test_the_comparison_names_what_moved():
    # The check itself: a value moved beyond the tolerance is named, one within it is not.
    expected = {"p_war": 0.25, "acts.wait": 10, "jervis_world.A-B": "offense-dominant"}
    assert moved(expected, dict(expected)) == []
    assert moved(expected, {**expected, "p_war": 0.25 * (1 + 1e-12)}) == []
    assert moved(expected, {**expected, "p_war": 0.26}) == ["p_war: 0.25 -> 0.26"]
    assert moved(expected, {**expected, "jervis_world.A-B": "x"}) == [
        "jervis_world.A-B: offense-dominant -> x"
    ]
    assert moved(expected, {"p_war": 0.25}) == [
        "acts.wait: 10 -> <absent>",
        "jervis_world.A-B: offense-dominant -> <absent>",
    ]


def test_a_five_percent_change_of_one_constant_moves_the_recorded_outcomes():
    # The tolerance is far below what a change of a model constant does: trust_gain 0.02 ->
    # 0.021 moves a two-state run's final trust well beyond it.
    overrides = ["replicates=100", "parameters.trust_gain=0.021"]
    ens = run_ensemble(load_scenario("two-security-seekers", overrides), trajectories=False)
    summary = flatten(json.loads(json.dumps(summarize(ens))))
    lines = moved(EXPECTED["cases"]["two-security-seekers"]["summary"], summary)
    assert any(line.startswith("trust_end.A->B") for line in lines), lines
