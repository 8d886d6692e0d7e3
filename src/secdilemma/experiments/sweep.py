"""Sweeps: many parameter points, each a vectorised ensemble, on any executor, into a store
that loses nothing.

Points are chunked into tasks; a task runs its points one after another in a worker, writes its
own Parquet part files (atomically, see ``store``) and returns only a small report. The runner
takes any ``concurrent.futures.Executor``: a local process pool by default, or Dask
(``Client.get_executor()``) on a ``LocalCluster`` or an existing scheduler. Because every point
uses the sweep's seed and parts are keyed by point, the tables do not depend on the executor,
the number of workers or the chunk size.

Resume: the manifest and the part files on disk say which points are done or failed; running
the same spec into the same directory again runs only the rest. A point that raises is retried
once in its task, then recorded as failed with its error; a task whose worker dies is
resubmitted once, then its points are recorded as failed.

Workers end with the sweep: a pool worker asks the kernel (Linux ``prctl(PR_SET_PDEATHSIG)``)
to be killed when its parent dies, and watches its parent from a thread as well (every
platform), so a sweep killed with ``kill -9`` leaves no orphans computing on. Dask's local
workers do the same by themselves (distributed's nanny closes a pipe they watch).
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from secdilemma import __version__
from secdilemma.errors import InputError
from secdilemma.experiments.extras import require
from secdilemma.experiments.results import git_hash, process_running
from secdilemma.experiments.spec import SweepSpec, evaluate_point_tables, make_design
from secdilemma.experiments.store import read_table, unfinished_parts, write_json, write_part

Progress = Callable[[int, int], None]  # (points finished so far, total)


@dataclass(frozen=True)
class Task:
    points: tuple[int, ...]

    @property
    def name(self) -> str:
        return f"part-{self.points[0]:06d}-{self.points[-1]:06d}"


def run_task(spec_json: str, directory: str, points: list[int], rows: list[dict]) -> dict:
    """Evaluate a task's points in a worker; write their parts; report done and failed."""
    spec = SweepSpec.model_validate_json(spec_json)
    point_rows, replicate_frames, step_frames, failed = [], [], [], {}
    for point, values in zip(points, rows, strict=True):
        error = None
        for _attempt in range(2):  # a point that raises is retried once
            try:
                outcomes, replicates, steps = evaluate_point_tables(spec, values)
                error = None
                break
            except Exception:  # noqa: BLE001 - any error of a point is recorded, not raised
                error = traceback.format_exc(limit=3)
        if error is not None:
            failed[point] = error.strip().splitlines()[-1]
            continue
        point_rows.append({"point": point, **values, **outcomes})
        replicates.insert(0, "point", point)
        replicate_frames.append(replicates)
        if steps is not None:
            steps.insert(0, "point", point)
            step_frames.append(steps)
    if point_rows:
        name = f"part-{points[0]:06d}-{points[-1]:06d}"
        # Replicates first: a points part marks its points done, so it is written last.
        write_part(Path(directory), "replicates", name, pd.concat(replicate_frames))
        if step_frames:
            write_part(Path(directory), "trajectories", name, pd.concat(step_frames))
        write_part(Path(directory), "points", name, pd.DataFrame(point_rows))
    return {"done": [r["point"] for r in point_rows], "failed": failed}


def _done_on_disk(directory: Path) -> set[int]:
    folder = directory / "points"
    done: set[int] = set()
    for part in folder.glob("part-*.parquet") if folder.is_dir() else []:
        done.update(pq.read_table(part, columns=["point"]).column("point").to_pylist())
    return done


def default_chunk_size(spec: SweepSpec, n_points: int, workers: int) -> int:
    """Enough work per task (about 20,000 replicate-steps, a second or so) but at least four
    tasks per worker where there are enough points."""
    steps = spec.steps or 100
    by_work = math.ceil(20_000 / max(spec.replicates * steps, 1))
    by_balance = math.ceil(n_points / max(4 * workers, 1))
    return max(1, min(by_work, by_balance))


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5


def _parent_alive(parent: int, sweep: int) -> bool:
    # Re-parented (POSIX): the process that started this one is gone; or the sweep is.
    return os.getppid() == parent and process_running(sweep)


def _watch_parent(parent: int, sweep: int) -> None:
    while _parent_alive(parent, sweep):
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # at once: what a killed task left is removed when the sweep resumes


def end_with_parent(sweep: int) -> None:
    """A pool worker's initializer: end this worker when its parent (the sweep's process
    ``sweep``, or the fork server that started the worker for it) dies, however it dies.

    On Linux the kernel kills the worker with SIGKILL when its parent ends
    (``prctl(PR_SET_PDEATHSIG)``, through ctypes); on every platform a daemon thread checks the
    parent every half second, which also catches a parent that died before the request."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread does it
            pass
    if not _parent_alive(parent, sweep):
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent, sweep), name="end-with-parent", daemon=True
    ).start()


@contextmanager
def make_executor(dask: str | None, workers: int) -> Iterator[Executor]:
    """A local process pool, a Dask LocalCluster (``dask="local"``), or an existing Dask
    scheduler (``dask="tcp://host:port"``)."""
    if dask is None:
        # Its workers end with this process, however it ends (end_with_parent).
        with ProcessPoolExecutor(
            max_workers=workers, initializer=end_with_parent, initargs=(os.getpid(),)
        ) as pool:
            yield pool
        return
    distributed = require("dask.distributed", "scale", "secdilemma sweep --dask", "a Dask cluster")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    if dask == "local":
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client.get_executor()
        return
    if not dask.startswith(("tcp://", "tls://", "ws://", "inproc://")):
        raise InputError("--dask", "--dask", dask, "expected 'local' or a scheduler address")
    try:
        client = Client(dask, timeout=10)
    except (OSError, TimeoutError) as err:
        raise InputError("--dask", "--dask", dask, f"cannot reach the scheduler: {err}") from None
    with client:
        yield client.get_executor()


class Sweep:
    """One sweep into one directory: its design, manifest and the points still to run."""

    def __init__(self, spec: SweepSpec, directory: str | Path, source: str = "spec") -> None:
        self.spec = spec
        self.directory = Path(directory)
        self.source = source
        self.design = make_design(spec)
        self.manifest_path = self.directory / "manifest.json"

    def manifest(self, done: set[int], failed: dict[int, str], executor: str) -> dict[str, Any]:
        n = len(self.design)
        status = "complete" if len(done) + len(failed) == n else "running"
        return {
            "package": "secdilemma",
            "version": __version__,
            "git_hash": git_hash(),
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "spec": self.spec.model_dump(mode="json"),
            "seed_entropy": str(np.random.SeedSequence(self.spec.seed).entropy),
            "executor": executor,
            "status": status,
            "points": {
                "total": n,
                "done": len(done),
                "failed": {str(k): v for k, v in sorted(failed.items())},
                "pending": n - len(done) - len(failed),
            },
        }

    def prepare(self) -> tuple[set[int], dict[int, str]]:
        """Create the directory, or check that it holds this same sweep; what is finished."""
        self.directory.mkdir(parents=True, exist_ok=True)
        failed: dict[int, str] = {}
        if self.manifest_path.is_file():
            import json

            old = json.loads(self.manifest_path.read_text())
            if old.get("spec") != self.spec.model_dump(mode="json"):
                raise InputError(
                    str(self.manifest_path),
                    "spec",
                    self.source,
                    "this directory holds a different sweep; choose another --out",
                )
            failed = {int(k): v for k, v in old["points"]["failed"].items()}
        elif any(self.directory.iterdir()):
            raise InputError("--out", "<directory>", str(self.directory), "exists and is not empty")
        for stale in unfinished_parts(self.directory):
            stale.unlink()  # what a killed task left: its points will run again
        design = self.design.copy()
        design.insert(0, "point", design.index)
        write_part(self.directory, ".", "design", design.astype({"point": "int64"}))
        done = _done_on_disk(self.directory)
        return done, {k: v for k, v in failed.items() if k not in done}

    def run(
        self,
        dask: str | None = None,
        workers: int = 2,
        chunk_size: int | None = None,
        retry_failed: bool = False,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        done, failed = self.prepare()
        if retry_failed:
            failed = {}
        executor_name = "process-pool" if dask is None else f"dask:{dask}"
        pending = [p for p in self.design.index if p not in done and p not in failed]
        size = chunk_size or default_chunk_size(self.spec, len(pending), workers)
        tasks = [Task(tuple(pending[k : k + size])) for k in range(0, len(pending), size)]
        write_json(self.manifest_path, self.manifest(done, failed, executor_name))
        total = len(self.design)
        if progress:
            progress(len(done) + len(failed), total)
        spec_json = self.spec.model_dump_json()
        attempts = {task: 0 for task in tasks}
        while tasks:
            broken = False
            with make_executor(dask, workers) as executor:
                futures: dict[Future, Task] = {
                    executor.submit(
                        run_task,
                        spec_json,
                        str(self.directory),
                        list(task.points),
                        [self._values(p) for p in task.points],
                    ): task
                    for task in tasks
                }
                retry: list[Task] = []
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        report = future.result()
                    except BrokenProcessPool:
                        broken = True
                        attempts[task] += 1
                        (retry if attempts[task] < 2 else []).append(task)
                        if attempts[task] >= 2:
                            failed.update({p: "the worker died twice" for p in task.points})
                        continue
                    except Exception as err:  # noqa: BLE001 - a lost task is retried, not fatal
                        attempts[task] += 1
                        if attempts[task] < 2:
                            retry.append(task)
                        else:
                            failed.update({p: f"{type(err).__name__}: {err}" for p in task.points})
                        continue
                    done.update(report["done"])
                    failed.update({int(k): v for k, v in report["failed"].items()})
                    write_json(self.manifest_path, self.manifest(done, failed, executor_name))
                    if progress:
                        progress(len(done) + len(failed), total)
                if broken:
                    # A dead worker breaks the whole pool: everything unfinished is resubmitted.
                    finished = done | set(failed)
                    retry = [
                        t for t in tasks if not set(t.points) <= finished and t not in retry
                    ] + retry
                tasks = [
                    t for t in dict.fromkeys(retry) if not set(t.points) <= (done | set(failed))
                ]
        manifest = self.manifest(done, failed, executor_name)
        write_json(self.manifest_path, manifest)
        return manifest

    def _values(self, point: int) -> dict[str, Any]:
        row = self.design.loc[point]
        return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


def sweep_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """The finished tables of a sweep, each sorted by point (and replicate)."""
    return {name: read_table(directory, name) for name in ("points", "replicates")}
