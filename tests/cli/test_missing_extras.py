"""A command that needs a library of a missing extra prints one error naming the extra to install
and exits with status 2; the library is imported only by the commands that need it.

A missing library is simulated with ``sys.modules[name] = None`` (its import then raises
ImportError), at every level so that no cached submodule stands in for it.
"""

import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.errors import InputError
from secdilemma.experiments.extras import install_hint, require

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "examples" / "sweep-jervis.yaml")
runner = CliRunner()


def hide(monkeypatch, *names: str) -> None:
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)


def one_line_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_require_imports_or_names_the_extra(monkeypatch):
    assert require("json", "analysis", "secdilemma query", "SQL").__name__ == "json"
    hide(monkeypatch, "duckdb")
    with pytest.raises(InputError) as err:
        require("duckdb", "analysis", "secdilemma query", "SQL over a sweep store")
    assert str(err.value) == (
        "secdilemma query: SQL over a sweep store: 'duckdb': not installed: "
        "pip install 'secdilemma[analysis]'"
    )
    assert isinstance(err.value.__cause__, ImportError)
    assert install_hint("scale") == "pip install 'secdilemma[scale]'"


def test_query_without_duckdb_names_the_analysis_extra(monkeypatch, tmp_path):
    hide(monkeypatch, "duckdb")
    result = runner.invoke(app, ["query", str(tmp_path), "SELECT 1"])
    one_line_error(result, "duckdb", "pip install 'secdilemma[analysis]'")


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_without_salib_names_the_analysis_extra(monkeypatch, method):
    hide(
        monkeypatch,
        "SALib",
        "SALib.sample",
        "SALib.sample.sobol",
        "SALib.sample.morris",
        "SALib.analyze",
        "SALib.analyze.sobol",
        "SALib.analyze.morris",
    )
    # The sample is drawn before any ensemble runs: the error comes at once.
    result = runner.invoke(app, ["sensitivity", SPEC, "--method", method])
    one_line_error(result, "SALib", "pip install 'secdilemma[analysis]'")


def test_sweep_on_dask_without_dask_names_the_scale_extra(monkeypatch, tmp_path):
    hide(monkeypatch, "dask", "dask.distributed", "distributed")
    result = runner.invoke(
        app, ["sweep", SPEC, "--out", str(tmp_path / "sweep"), "--dask", "local"]
    )
    one_line_error(result, "--dask", "pip install 'secdilemma[scale]'")


def test_the_evidence_baseline_without_statsmodels_names_the_evidence_extra(monkeypatch):
    from secdilemma.evidence.score import logistic_baseline

    hide(monkeypatch, "statsmodels", "statsmodels.api")
    frame = pd.DataFrame()
    with pytest.raises(InputError, match=r"pip install 'secdilemma\[evidence\]'"):
        logistic_baseline(frame, frame)
