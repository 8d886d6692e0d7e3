"""Sweeps: designs, executors that agree, a store that survives kill -9, failures, SQL."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.errors import InputError, ScenarioError
from secdilemma.experiments.spec import load_spec, make_design
from secdilemma.experiments.store import query, read_table
from secdilemma.experiments.sweep import Sweep, sweep_tables

runner = CliRunner()


def write_spec(tmp_path, **changes):
    spec = {
        "scenario": "two-security-seekers",
        "replicates": 30,
        "steps": 15,
        "seed": 42,
        "design": "lhs",
        "points": 8,
        "parameters": {
            "world.offense_defense_balance": {"low": 0.5, "high": 3},
            "world.distinguishability": {"low": 0, "high": 1},
            "states.A.greed": {"low": 0, "high": 1},
            "states.A.charity": {"low": 0, "high": 1},
        },
        "outcomes": ["p_war", "p_spiral", "p_tragic_spiral"],
    }
    spec.update(changes)
    path = tmp_path / f"spec{len(list(tmp_path.glob('spec*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def assert_same_tables(first, second):
    a, b = sweep_tables(first), sweep_tables(second)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_designs_cover_their_ranges(tmp_path):
    spec, _ = load_spec(write_spec(tmp_path, points=64))
    design = make_design(spec)
    assert len(design) == 64 and design.index.name == "point"
    for column in design:
        values = design[column].to_numpy(float)
        low, high = spec.parameters[column].low, spec.parameters[column].high
        assert low <= values.min() and values.max() <= high
        # Latin hypercube: one point in each of the 64 strata of every parameter.
        strata = np.floor((values - low) / (high - low) * 64).astype(int)
        assert sorted(strata) == list(range(64))
    grid, _ = load_spec(
        write_spec(
            tmp_path,
            design="grid",
            points=None,
            parameters={"states.A.greed": {"values": [0, 0.5]}, "seed": {"values": [1, 2, 3]}},
        )
    )
    assert len(make_design(grid)) == 6
    sobol, _ = load_spec(write_spec(tmp_path, design="sobol", points=16))
    assert len(make_design(sobol)) == 16


def test_spec_errors_name_the_field(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_spec(write_spec(tmp_path, outcomes=["p_peace"]))
    assert "unknown outcomes" in str(info.value) and "outcomes" in str(info.value)
    with pytest.raises(ScenarioError, match="low"):
        load_spec(write_spec(tmp_path, parameters={"states.A.greed": {"low": 1, "high": 0}}))
    with pytest.raises(InputError, match="states.Q.greed"):
        load_spec(write_spec(tmp_path, parameters={"states.Q.greed": {"low": 0, "high": 1}}))
    with pytest.raises(InputError, match="cannot read"):
        load_spec(tmp_path / "missing.yaml")


def test_executors_workers_and_chunking_give_identical_tables(tmp_path):
    spec, source = load_spec(write_spec(tmp_path))
    Sweep(spec, tmp_path / "pool").run(workers=2)
    Sweep(spec, tmp_path / "serial").run(workers=1, chunk_size=1)
    Sweep(spec, tmp_path / "dask").run(dask="local", workers=2, chunk_size=3)
    assert_same_tables(tmp_path / "pool", tmp_path / "serial")
    assert_same_tables(tmp_path / "pool", tmp_path / "dask")
    points = sweep_tables(tmp_path / "pool")["points"]
    assert list(points["point"]) == list(range(8))
    assert points["p_spiral"].between(0, 1).all()
    manifest = json.loads((tmp_path / "pool" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["points"]["done"] == 8
    assert manifest["seed_entropy"] == str(np.random.SeedSequence(42).entropy)
    assert manifest["spec"]["design"] == "lhs" and manifest["version"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """A Dask scheduler and two workers, each its own process, on loopback."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--no-dashboard",
                "--local-directory",
                str(tmp_path / f"w{k}"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )  # fmt: skip
        for k in range(2)
    ]
    from dask.distributed import Client

    deadline = time.monotonic() + 60
    while True:
        try:
            with Client(address, timeout=5) as client:
                if len(client.scheduler_info()["workers"]) >= 2:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("the Dask scheduler and workers did not start")
        time.sleep(0.5)
    yield address
    for process in [*workers, scheduler]:
        process.terminate()
    for process in [*workers, scheduler]:
        process.wait(timeout=30)


def test_an_existing_dask_scheduler_with_two_workers_gives_the_same_tables(tmp_path, dask_cluster):
    path = write_spec(tmp_path)
    spec, _ = load_spec(path)
    Sweep(spec, tmp_path / "pool").run(workers=2)
    args = ["sweep", str(path), "--out", str(tmp_path / "remote"), "--dask", dask_cluster]
    result = runner.invoke(app, [*args, "--chunk-size", "2"])
    assert result.exit_code == 0, result.output
    assert_same_tables(tmp_path / "pool", tmp_path / "remote")
    manifest = json.loads((tmp_path / "remote" / "manifest.json").read_text())
    assert manifest["executor"] == f"dask:{dask_cluster}"


@pytest.mark.slow
def test_the_200_point_latin_hypercube_agrees_on_every_executor(tmp_path, dask_cluster):
    """The issue's sweep: 200 LHS points over the balance, distinguishability, greed and
    charity, 200 replicates each (20 steps keep it to minutes on 2 cores)."""
    path = write_spec(tmp_path, points=200, replicates=200, steps=20)
    spec, _ = load_spec(path)
    Sweep(spec, tmp_path / "pool").run(workers=2)
    Sweep(spec, tmp_path / "local").run(dask="local", workers=2)
    Sweep(spec, tmp_path / "remote").run(dask=dask_cluster)
    assert_same_tables(tmp_path / "pool", tmp_path / "local")
    assert_same_tables(tmp_path / "pool", tmp_path / "remote")
    assert len(sweep_tables(tmp_path / "pool")["replicates"]) == 200 * 200


def test_a_sweep_killed_with_sigkill_resumes_to_the_same_tables(tmp_path):
    path = write_spec(tmp_path, points=24, replicates=80, steps=40)
    spec, _ = load_spec(path)
    Sweep(spec, tmp_path / "whole").run(workers=1, chunk_size=1)
    killed = tmp_path / "killed"
    command = [sys.executable, "-m", "secdilemma.cli.app", "sweep", str(path), "--out", str(killed),
               "--workers", "1", "--chunk-size", "1"]  # fmt: skip
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((killed / "points").glob("part-*.parquet"))) < 5:
        assert process.poll() is None, "the sweep finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list((killed / "points").glob("part-*.parquet")))
    assert 5 <= finished < 24
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "running"
    before = {p: p.stat().st_mtime_ns for p in (killed / "points").glob("part-*.parquet")}
    result = runner.invoke(app, ["sweep", str(path), "--out", str(killed), "--workers", "1"])
    assert result.exit_code == 0, result.output
    # Finished points were not redone: their part files are untouched.
    for part, stamp in before.items():
        assert part.stat().st_mtime_ns == stamp
    assert_same_tables(tmp_path / "whole", killed)
    assert json.loads((killed / "manifest.json").read_text())["status"] == "complete"


def test_parts_a_killed_task_left_are_not_read_and_are_redone_on_resume(tmp_path):
    # A task writes its replicates part first and its points part last; killed in between, it
    # leaves replicates without points. Those are not read, and a resume with other chunks
    # (so other part names) redoes the points without counting them twice.
    import shutil

    path = write_spec(tmp_path, points=8)
    spec, _ = load_spec(path)
    Sweep(spec, tmp_path / "whole").run(workers=1, chunk_size=1)
    shutil.copytree(tmp_path / "whole", tmp_path / "killed")
    for point in (3, 5):
        (tmp_path / "killed" / "points" / f"part-{point:06d}-{point:06d}.parquet").unlink()
    replicates = read_table(tmp_path / "killed", "replicates")
    assert set(replicates["point"]) == {0, 1, 2, 4, 6, 7}
    assert set(query(tmp_path / "killed", "SELECT DISTINCT point FROM replicates")["point"]) == {
        0, 1, 2, 4, 6, 7
    }  # fmt: skip
    Sweep(spec, tmp_path / "killed").run(workers=1, chunk_size=2)
    assert (tmp_path / "killed" / "points" / "part-000003-000005.parquet").is_file()
    assert not (tmp_path / "killed" / "replicates" / "part-000003-000003.parquet").exists()
    assert_same_tables(tmp_path / "whole", tmp_path / "killed")


def test_a_point_that_raises_is_recorded_and_the_sweep_completes(tmp_path):
    path = write_spec(
        tmp_path,
        design="grid",
        points=None,
        parameters={"states.A.greed": {"values": [0.2, 1.5, 0.6]}},
    )
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1  # finished, but with a failure to report
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert list(manifest["points"]["failed"]) == ["1"]
    assert "greed" in manifest["points"]["failed"]["1"]
    assert list(sweep_tables(tmp_path / "s")["points"]["point"]) == [0, 2]
    # The same spec into another directory's manifest is refused.
    other = write_spec(tmp_path, points=4)
    again = runner.invoke(app, ["sweep", str(other), "--out", str(tmp_path / "s")])
    assert again.exit_code == 2 and "different sweep" in again.output


def test_query_answers_sql_over_the_store(tmp_path):
    spec, _ = load_spec(write_spec(tmp_path))
    Sweep(spec, tmp_path / "s").run(workers=1)
    points = sweep_tables(tmp_path / "s")["points"]
    answer = query(tmp_path / "s", "SELECT count(*) AS n, avg(p_spiral) AS s FROM points")
    assert answer.loc[0, "n"] == 8 and answer.loc[0, "s"] == pytest.approx(points.p_spiral.mean())
    joined = query(
        tmp_path / "s",
        "SELECT point, avg(CAST(spiral AS DOUBLE)) AS s FROM replicates"
        " GROUP BY point ORDER BY point",
    )
    assert np.allclose(joined["s"], points["p_spiral"])
    out = tmp_path / "q.csv"
    result = runner.invoke(
        app, ["query", str(tmp_path / "s"), "SELECT * FROM design", "--csv", str(out)]
    )
    assert result.exit_code == 0 and len(pd.read_csv(out)) == 8
    bad = runner.invoke(app, ["query", str(tmp_path / "s"), "SELECT nope FROM points"])
    assert bad.exit_code == 2 and "nope" in bad.output
    missing = runner.invoke(app, ["query", str(tmp_path / "none"), "SELECT 1"])
    assert missing.exit_code == 2 and "not a sweep directory" in missing.output
    assert Path(tmp_path / "s" / "design.parquet").is_file()


def test_the_documented_example_spec_and_query_work(tmp_path):
    root = Path(__file__).parents[2]
    spec, _ = load_spec(root / "examples" / "sweep-jervis.yaml")
    assert spec.points == 60 and spec.design == "lhs"
    small = spec.model_copy(update={"points": 4, "replicates": 10, "steps": 10})
    Sweep(small, tmp_path / "s").run(workers=1)
    documented = (
        'SELECT round("world.offense_defense_balance") AS balance, count(*) AS points, '
        "avg(p_spiral) AS spiral, avg(p_war) AS war FROM points GROUP BY 1 ORDER BY 1"
    )
    assert query(tmp_path / "s", documented)["points"].sum() == 4
    assert (
        "secdilemma sweep examples/sweep-jervis.yaml"
        in (root / "docs" / "experiments.md").read_text()
    )


def test_trajectories_are_stored_when_asked(tmp_path):
    spec, _ = load_spec(write_spec(tmp_path, points=3, replicates=5, steps=6, trajectories=True))
    Sweep(spec, tmp_path / "s").run(workers=1)
    steps = read_table(tmp_path / "s", "trajectories")
    assert set(steps["point"]) == {0, 1, 2} and steps["t"].max() == 6
    threat = query(
        tmp_path / "s",
        "SELECT point, avg(value) AS v FROM trajectories WHERE variable = 'threat' GROUP BY point",
    )
    assert len(threat) == 3 and threat["v"].between(0, 1).all()


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads processes from /proc")
@pytest.mark.parametrize("executor", [[], ["--dask", "local"]], ids=["pool", "dask-local"])
def test_a_sweep_killed_with_sigkill_leaves_no_workers_running(tmp_path, executor):
    # Only the main process is killed (as the OOM killer or `kill -9 PID` would): its workers
    # must notice and end, not keep computing as orphans.
    path = write_spec(tmp_path, points=2000, replicates=80, steps=40)
    out = tmp_path / "s"
    command = [sys.executable, "-m", "secdilemma.cli.app", "sweep", str(path), "--out", str(out),
               "--workers", "2", "--chunk-size", "1", *executor]  # fmt: skip
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "points").glob("part-*.parquet"))) < 2:
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        workers = _descendants(process.pid)
        assert len(workers) >= 2
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = sorted(pid for pid in workers if _running(pid))
        assert left == [], f"workers still running after their parent was killed: {left}"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever this test started, if left
        except ProcessLookupError:
            pass
        process.wait()


WATCHED = """
import sys, time
from secdilemma.experiments.sweep import end_with_parent
sys.platform = "elsewhere"  # no prctl: the watching thread alone must end this process
end_with_parent(int(sys.argv[1]))
print("ready", flush=True)
time.sleep(120)
"""
PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid())])
print(child.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads processes from /proc")
def test_without_prctl_the_watching_thread_ends_a_worker_whose_parent_died():
    process = subprocess.Popen(
        [sys.executable, "-c", PARENT, WATCHED],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        worker = int(process.stdout.readline())
        assert process.stdout.readline().strip() == "ready"
        assert _running(worker)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(worker)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
