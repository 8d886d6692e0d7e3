"""The quick start: the light commands start without the heavy libraries, the base install runs
the README's first command, and plain ``pytest`` runs the quick tier while CI runs every tier.

Each check of what a command imports runs in a fresh interpreter: this process has imported
everything already.
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# What the light commands must not load: the extras' libraries and the slow parts of the base.
HEAVY = (
    "dask",
    "distributed",
    "duckdb",
    "SALib",
    "matplotlib",
    "scipy.stats",
    "statsmodels",
    "ema_workbench",
    "mesa",
    "axelrod",
)
# --help and scenarios read YAML only: not the engine, nor pandas and SciPy.
LISTING = HEAVY + ("secdilemma.engine", "pandas", "pyarrow", "scipy", "numba")
# The libraries the extras bring (pyproject's optional dependencies), as imported.
EXTRA_MODULES = (
    "dask",
    "distributed",
    "duckdb",
    "SALib",
    "statsmodels",
    "ema_workbench",
    "mesa",
    "axelrod",
    "numba",
)


def _python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _loaded_after(args: list[str]) -> list[str]:
    """The modules of LISTING that running ``secdilemma ARGS`` loads."""
    code = f"""
import json, sys
from secdilemma.cli import app
try:
    app({args!r})
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps([m for m in {LISTING!r} if m in sys.modules]))
"""
    done = _python(code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [["--help"], ["scenarios"], ["actions"], ["validate", "nato-russia"]],
    ids=["help", "scenarios", "actions", "validate"],
)
def test_the_light_commands_load_no_heavy_library(args):
    loaded = _loaded_after(args)
    assert [m for m in loaded if m in HEAVY] == []
    if args[0] in ("--help", "scenarios"):
        assert loaded == []


def test_importing_the_package_or_the_command_line_loads_nothing_heavy():
    code = f"""
import json, sys
import secdilemma, secdilemma.cli.app, secdilemma.model.scenario, secdilemma.experiments.spec
print(json.dumps([m for m in {LISTING!r} if m in sys.modules]))
"""
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_public_api_is_still_there():
    import secdilemma

    for name in secdilemma.__all__:
        assert getattr(secdilemma, name) is not None, name
    from secdilemma import compare, load_scenario, run_ensemble, summarize

    assert callable(compare) and callable(load_scenario)
    assert callable(run_ensemble) and callable(summarize)
    assert set(secdilemma.__all__) <= set(dir(secdilemma))
    with pytest.raises(AttributeError, match="no_such_name"):
        secdilemma.no_such_name  # noqa: B018


def test_the_readme_first_command_needs_no_extra(tmp_path):
    # The extras' libraries made unimportable, as in a base install: compare runs the three
    # readings and writes the results and report.html, loading none of them.
    out = tmp_path / "compare"
    code = f"""
import json, sys
for name in {EXTRA_MODULES!r}:
    sys.modules[name] = None
from secdilemma.cli import app
try:
    app(["compare", "nato-russia", "--replicates", "4", "--out", {str(out)!r}, "--json"])
except SystemExit as exit:
    assert not exit.code, exit.code
"""
    done = _python(code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == {"structural", "interpretive", "bayesian"}
    assert (out / "report.html").is_file()


def test_the_base_install_leaves_the_heavy_libraries_to_extras():
    project = PYPROJECT["project"]
    base = " ".join(project["dependencies"]).lower()
    heavy = ("dask", "duckdb", "salib", "statsmodels", "ema_workbench", "mesa", "numba")
    for library in (*heavy, "fastapi", "uvicorn", "plotly", "playwright"):
        assert library not in base, library
    extras = project["optional-dependencies"]
    assert any(d.startswith("dask[distributed]") for d in extras["scale"])
    assert {d.split(">")[0] for d in extras["analysis"]} == {"duckdb", "SALib"}
    # [browser] is test tooling (Playwright), not a feature.
    everything = {e for e in extras if e not in ("all", "test", "axelrod", "browser")}
    (spec,) = extras["all"]
    assert spec.startswith("secdilemma[")
    assert set(spec[len("secdilemma[") : -1].split(",")) == everything
    # CI installs every extra the tests exercise.
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    full = ".[" + ",".join(["test", "axelrod", "ema", "mesa", "fast", "evidence"]) + ","
    assert full + "scale,analysis,web,browser]" in ci


def test_plain_pytest_runs_the_quick_tier():
    options = PYPROJECT["tool"]["pytest"]["ini_options"]
    addopts = options["addopts"]
    assert addopts[addopts.index("-m") + 1] == "not slow and not browser and not fuzz"
    registered = {line.split(":")[0] for line in options["markers"]}
    assert {"slow", "browser", "fuzz"} <= registered


@pytest.mark.parametrize(
    ("quick", "rest", "status"),
    [(0, 0, 0), (5, 0, 1), (0, 5, 1), (1, 0, 1), (0, 2, 2), (1, 2, 1)],
)
def test_ci_runs_every_tier_and_fails_on_an_empty_one(tmp_path, quick, rest, status):
    # .ci/run's test step, from "status=0" on, with a stand-in pytest that records its
    # arguments and exits with the code given for its tier.
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    step = script[script.index("\nstatus=0\n") :]
    fake = tmp_path / "pytest"
    fake.write_text(
        '#!/usr/bin/env bash\necho "[$*]" >> "$CALLS"\n'
        f'if [ "$#" -eq 0 ]; then exit {quick}; else exit {rest}; fi\n'
    )
    fake.chmod(0o755)
    calls = tmp_path / "calls"
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "CALLS": str(calls)}
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + step], env=env, capture_output=True, text=True
    )
    assert done.returncode == status, done.stderr
    assert calls.read_text().splitlines() == ["[]", "[-m slow or browser or fuzz]"]
    assert ("collected no tests" in done.stderr) == (5 in (quick, rest))
