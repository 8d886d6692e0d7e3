"""The benchmarks run (a smoke test: no timing is asserted), and the synthetic worlds load."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.model.scenario import load_scenario

ROOT = Path(__file__).parent.parent
runner = CliRunner()


def test_scaling_benchmark_quick_mode_writes_its_report(tmp_path):
    out = tmp_path / "scaling.json"
    command = [sys.executable, "-m", "benchmarks.scaling", "--quick", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    for axis in ("replicates", "steps", "states"):
        runs = report["scaling"][axis]["runs"]
        assert len(runs) == 3 and all(r["seconds"] > 0 and r["peak_mib"] > 0 for r in runs)
        assert [r[axis] for r in runs] == sorted(r[axis] for r in runs)


def test_the_harness_prints_a_table_and_writes_results_with_the_machine(tmp_path):
    out = tmp_path / "results.json"
    only = ["--only", "vectorisation", "--only", "workloads"]
    command = [sys.executable, "-m", "benchmarks", "--quick", *only, "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["quick"] and report["machine"]["cores"] >= 1
    assert set(report["benchmarks"]) == {"vectorisation", "workloads"}
    workloads = report["benchmarks"]["workloads"]
    assert workloads["large_world"]["states"] == 193 and workloads["large_world"]["peak_mib"] > 0
    assert workloads["sweep"]["points"] == 4
    rows = report["rows"]
    assert {r["benchmark"] for r in rows} == {"vectorisation", "workloads"}
    # Each ratio is computed from the two figures measured in the same run.
    for r in rows:
        assert r["ratio"] == round(r["alternative_value"] / r["secdilemma"], 1)
    assert "ratio" in done.stdout and "one replicate at a time" in done.stdout


def test_synth_writes_a_world_of_n_states(tmp_path):
    out = tmp_path / "world.yaml"
    result = runner.invoke(app, ["synth", "--states", "12", "--out", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    spec = load_scenario(out)
    assert len(spec.states) == 12 and spec.replicates == 100
    again = tmp_path / "again.yaml"
    runner.invoke(app, ["synth", "--states", "12", "--out", str(again), "--seed", "3"])
    assert out.read_text() == again.read_text()  # one seed, one world
    bad = runner.invoke(app, ["synth", "--states", "5", "--out", str(tmp_path / "no" / "x.yaml")])
    assert bad.exit_code == 2 and "cannot write" in bad.output


def test_a_memory_budget_bounds_a_large_worlds_peak_and_changes_no_result():
    import tracemalloc

    import numpy as np

    from secdilemma.engine.pipeline import block_size, run_ensemble
    from secdilemma.model.scenario import parse_scenario
    from secdilemma.model.synth import synthetic_world

    spec = parse_scenario(synthetic_world(30, seed=2, replicates=40, steps=3), "synthetic")
    budget = 60 * 2**20
    assert 1 < block_size(spec, spec.action_catalog(), budget) < 40
    tracemalloc.start()
    bounded = run_ensemble(spec, trajectories=False, memory_budget=budget)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    whole = run_ensemble(spec, trajectories=False, memory_budget=2**40)
    assert peak < 2 * budget  # the estimate holds to within a factor of two
    assert np.array_equal(bounded.outcomes.actions, whole.outcomes.actions)
    assert np.array_equal(bounded.outcomes.security_end, whole.outcomes.security_end)


def test_the_kernels_benchmark_times_every_dispatch_point_in_both_forms(tmp_path):
    import pytest

    from secdilemma.numerics.fast import numba_available

    if not numba_available():
        pytest.skip("no numba")
    out = tmp_path / "results.json"
    only = ["--only", "kernels"]
    command = [sys.executable, "-m", "benchmarks", "--quick", *only, "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    workloads = list(report["benchmarks"]["kernels"]["workloads"].values())
    assert len(workloads) == 2  # two states and a synthetic world
    names = set(workloads[0]["kernels"])
    for entry in workloads:
        assert set(entry["kernels"]) == names
        for kernel in entry["kernels"].values():
            # Caught in a real run, the same bits from both forms, both timed.
            assert kernel["calls"] >= 1 and kernel["identical"]
            assert kernel["numpy_us"] > 0 and kernel["compiled_us"] > 0
    # Every module that dispatches to a compiled kernel is benchmarked.
    source = ROOT / "src" / "secdilemma"
    dispatching = {
        path.relative_to(source).as_posix()
        for path in source.rglob("*.py")
        if "numba_enabled()" in path.read_text() and path.name != "fast.py"
    }
    assert dispatching == {kernel["module"] for kernel in workloads[0]["kernels"].values()}
    rows = report["rows"]
    assert len(rows) == 2 * len(names)
    for r in rows:
        assert r["ratio"] == round(r["alternative_value"] / r["secdilemma"], 1)
