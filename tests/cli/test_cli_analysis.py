"""The ``sensitivity`` and ``discover`` commands: tables, JSON, plots, and one-line errors."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
import typer
import yaml
from typer.testing import CliRunner

from secdilemma.cli import analysis as cli_analysis
from secdilemma.experiments import store

# The commands on an app of their own: cli.py registers them too, but these tests must not
# depend on which other commands exist.
app = typer.Typer()
cli_analysis.register(app)
runner = CliRunner()

PARAMETERS = {
    "world.offense_defense_balance": {"low": 0.5, "high": 3.0},
    "world.distinguishability": {"low": 0.0, "high": 1.0},
}


def write_spec(tmp_path, **changes) -> str:
    spec = {
        "scenario": "two-security-seekers",
        "replicates": 20,
        "steps": 15,
        "seed": 1,
        "design": "lhs",
        "points": 4,
        "parameters": PARAMETERS,
        "outcomes": ["p_spiral", "escalation_score_mean"],
        **changes,
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return str(path)


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("method", "samples", "evaluations", "key"),
    [("sobol", 4, 4 * (2 + 2), "ST"), ("morris", 3, 3 * (2 + 1), "mu_star")],
)
def test_sensitivity_json_and_plot(tmp_path, method, samples, evaluations, key):
    plot = tmp_path / f"{method}.png"
    args = ["sensitivity", write_spec(tmp_path), "--outcome", "escalation_score_mean"]
    args += ["--method", method, "--samples", str(samples), "--plot", str(plot), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == method and data["evaluations"] == evaluations
    assert [row["parameter"] for row in data["indices"]] == list(PARAMETERS)
    assert all(key in row and f"{key}_conf" in row for row in data["indices"])
    assert sorted(data["ranking"]) == sorted(PARAMETERS)
    assert plot.stat().st_size > 1000


def test_sensitivity_table(tmp_path):
    args = ["sensitivity", write_spec(tmp_path), "--method", "morris", "--samples", "2"]
    result = runner.invoke(app, [*args, "--outcome", "escalation_score_mean"])
    assert result.exit_code == 0, result.output
    assert "morris sensitivity of escalation_score_mean" in result.stdout
    assert "world.offense_defense_balance" in result.stdout and "±" in result.stdout


def test_sensitivity_bad_input(tmp_path):
    spec = write_spec(tmp_path)
    one_line_error(
        runner.invoke(app, ["sensitivity", spec, "--outcome", "p_peace"]), "outcome", "p_peace"
    )
    one_line_error(runner.invoke(app, ["sensitivity", spec, "--method", "fast"]), "fast")
    one_line_error(
        runner.invoke(app, ["sensitivity", str(tmp_path / "nope.yaml")]), "nope.yaml", "cannot read"
    )
    grid = write_spec(
        tmp_path, parameters={**PARAMETERS, "states.A.lens": {"values": ["structural", "bayesian"]}}
    )
    one_line_error(
        runner.invoke(app, ["sensitivity", grid, "--samples", "2"]),
        "spec.yaml",
        "parameters.states.A.lens",
        "low, high",
    )


def planted_store(directory) -> str:
    rng = np.random.default_rng(2)
    x = rng.random((1000, 2))
    p_war = np.where((x[:, 0] >= 0.6) & (x[:, 1] <= 0.3), 0.9, 0.1)
    frame = pd.DataFrame({"point": np.arange(1000), "world.a": x[:, 0], "world.b": x[:, 1]})
    frame["p_war"] = p_war
    store.write_part(directory, "points", "part-00000", frame)
    (directory / "manifest.json").write_text("{}\n", encoding="utf-8")
    return str(directory)


def test_discover_json_and_table(tmp_path):
    pytest.importorskip("ema_workbench")
    root = planted_store(tmp_path)
    result = runner.invoke(app, ["discover", root, "--outcome", "p_war", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["limits"]["world.a"]["low"] == pytest.approx(0.6, abs=0.05)
    assert data["limits"]["world.b"]["high"] == pytest.approx(0.3, abs=0.05)
    assert data["coverage"] >= 0.9 and data["density"] >= 0.9
    table = runner.invoke(app, ["discover", root, "--threshold", "0.5"])
    assert table.exit_code == 0, table.output
    assert "coverage" in table.stdout and "world.a" in table.stdout
    below = runner.invoke(app, ["discover", root, "--threshold", "0.5", "--below", "--json"])
    assert json.loads(below.stdout)["cases_of_interest"] == 1000 - data["cases_of_interest"]


def test_discover_bad_input(tmp_path, monkeypatch):
    pytest.importorskip("ema_workbench")
    one_line_error(
        runner.invoke(app, ["discover", str(tmp_path / "missing")]), "missing", "no such"
    )
    root = planted_store(tmp_path)
    one_line_error(
        runner.invoke(app, ["discover", root, "--outcome", "p_spiral"]), "outcome", "p_spiral"
    )
    one_line_error(runner.invoke(app, ["discover", root, "--threshold", "5"]), "threshold")
    # Every level, so that a cached submodule cannot stand in for the missing package.
    for name in ("ema_workbench", "ema_workbench.analysis", "ema_workbench.analysis.prim"):
        monkeypatch.setitem(sys.modules, name, None)
    one_line_error(runner.invoke(app, ["discover", root]), "secdilemma[ema]")
