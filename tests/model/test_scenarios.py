"""The bundled case scenarios: they validate, run, are documented, take their capabilities from
the COW data through code, and the three readings differ the way the model says they should."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.model.cow import bundled
from secdilemma.model.scenario import bundled_names, load_scenario, read_raw, resolve_path

runner = CliRunner()
DOCS = Path(__file__).parents[2] / "docs" / "scenarios"
CASES = ["nato-russia", "iran-gulf", "china-asia", "cold-war-after-cuba", "pre-1914"]


def test_every_bundled_scenario_is_documented_and_sourced():
    assert set(CASES) <= set(bundled_names())
    for name in bundled_names():
        page = (DOCS / f"{name}.md").read_text()
        assert f"secdilemma run {name}" in page and "took **" in page
        for source in load_scenario(name).sources:
            assert source in page
    for name in CASES:
        spec = load_scenario(name)
        assert spec.replicates >= 1000 and spec.sources and spec.record
        page = (DOCS / f"{name}.md").read_text()
        assert f"secdilemma run {name}" in page and "## Sources" in page
        assert "took **" in page  # the measured time and the command that measured it
        for source in spec.sources:
            assert source in page


@pytest.mark.parametrize("name", CASES)
def test_each_case_runs(name, tmp_path):
    out = tmp_path / name
    args = ["run", name, "--replicates", "40", "--out", str(out), "--json", "--no-trajectories"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["replicates"] == 40 and len(summary["record"]) == len(
        read_raw(resolve_path(name))["record"]
    )
    assert (out / "report.html").is_file()


def _nmc_shares(year: int) -> pd.DataFrame:
    """Recomputed independently: each component's world share in ``year``, -9 as missing."""
    nmc = pd.read_csv(bundled("NMC-60-abridged.csv"))
    rows = nmc[nmc.year == year].set_index("stateabb")
    parts = ["milex", "milper", "irst", "pec", "tpop", "upop"]
    values = rows[parts].where(rows[parts] != -9)
    return values / values.sum()


@pytest.mark.parametrize("name", CASES)
def test_starting_capabilities_come_from_the_nmc_file(name):
    raw = read_raw(resolve_path(name))
    calibration = raw["calibration"]
    spec = load_scenario(name)
    shares = _nmc_shares(calibration["year"])
    military, economic = {}, {}
    for sid, members in calibration["states"].items():
        block = shares.loc[members].sum(min_count=1)
        military[sid] = block[["milex", "milper"]].mean()
        economic[sid] = block[["irst", "pec", "tpop", "upop"]].mean()
    military, economic = pd.Series(military), pd.Series(economic)
    wealth = 100.0 * economic / economic.max()
    forces = spec.parameters.burden_reference * wealth.sum() / military.sum() * military
    states = {s.id: s for s in spec.states}
    for sid in calibration["states"]:
        share = calibration.get("offense_share", {}).get(
            sid, calibration.get("default_offense_share", 0.5)
        )
        assert states[sid].wealth == pytest.approx(wealth[sid], abs=1e-5)
        assert states[sid].offense == pytest.approx(share * forces[sid], abs=1e-5)
        assert states[sid].defense == pytest.approx((1 - share) * forces[sid], abs=1e-5)
    # And a change in the data year changes them: nothing is entered by hand.
    moved = load_scenario(name, [f"calibration.year={calibration['year'] + 1}"])
    assert any(a.offense != b.offense for a, b in zip(spec.states, moved.states, strict=True))


def test_calibration_conflicts_and_bad_states_are_named():
    from secdilemma.errors import InputError, ScenarioError

    with pytest.raises(InputError, match="set by the calibration block too"):
        load_scenario("nato-russia", ["states.RUS.offense=5"])
    with pytest.raises(InputError, match="unknown COW state"):
        load_scenario("nato-russia", ["calibration.states.RUS=[XXX]"])
    with pytest.raises(ScenarioError, match="calibration.year"):
        load_scenario("nato-russia", ["calibration.year=2030"])


def test_compare_prints_three_readings_with_the_run_keys(tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", "nato-russia", "--replicates", "150", "--out", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    readings = json.loads(result.stdout)
    assert set(readings) == {"structural", "interpretive", "bayesian"}
    run = runner.invoke(
        app, ["run", "nato-russia", "--replicates", "20", "--json", "--out", str(tmp_path / "r")]
    )
    run_keys = set(json.loads(run.stdout))
    for summary in readings.values():
        assert set(summary) == run_keys
    # Each reading's summary is the one written in its own run directory.
    for reading, summary in readings.items():
        saved = json.loads((out / reading / "summary.json").read_text())
        assert saved == summary
        assert (out / reading / "report.html").is_file()
    stored = json.loads((out / "compare.json").read_text())
    assert stored["turning_parameters"] and (out / "report.html").is_file()
    # The readings differ as the model says: a structural observer reads noisy capability as
    # threat and stumbles into accidental wars; a Bayesian one discounts the noise.
    accidental = {r: s["p_accidental_war"] for r, s in readings.items()}
    assert accidental["structural"] > accidental["bayesian"] + 0.3, accidental
    # Russia's greed moves the interpretive reading's war rate, not the structural one's.
    greed = next(r for r in stored["turning_parameters"] if r["parameter"] == "RUS.greed")
    assert greed["effect_on_war"]["interpretive"] > greed["effect_on_war"]["structural"] + 0.05


def test_compare_tables_change_when_the_world_changes(tmp_path):
    def accidental(*sets: str) -> tuple[float, str]:
        out = tmp_path / f"c{len(list(tmp_path.iterdir()))}"
        args = ["compare", "nato-russia", "--replicates", "100", "--out", str(out), "--json"]
        for item in sets:
            args += ["--set", item]
        result = runner.invoke(app, [*args, "--no-trajectories"])
        assert result.exit_code == 0, result.output
        table = (out / "report.html").read_text()
        return json.loads(result.stdout)["structural"]["p_accidental_war"], table

    alarmed, alarmed_report = accidental()
    # Crises that rarely escalate: the structural reading's accidental wars fall, and the report
    # written from the run says so.
    calm, calm_report = accidental("parameters.escalation_rate=0.05")
    assert calm < alarmed - 0.2, (calm, alarmed)
    assert alarmed_report != calm_report
    assert f"{calm:.3f}" in calm_report and f"{alarmed:.3f}" in alarmed_report
    assert np.isfinite(calm)
