"""The bundled case scenarios: they validate, run, are documented, and take their capabilities
from the COW data through code."""

import json
from pathlib import Path

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
