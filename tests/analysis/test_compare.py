"""The three readings side by side (``secdilemma compare``): the same world and seed under each
lens, written as one run directory per reading, and differing the way the model says they
should."""

import json

import numpy as np
from typer.testing import CliRunner

from secdilemma.cli.app import app

runner = CliRunner()


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
