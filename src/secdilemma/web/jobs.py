"""The lab's runs, off the request thread: each browser tab (a client) submits runs, polls
them, and may cancel them; a run whose tab stops polling is cancelled.

A run is a function of one argument, ``report(done, total)``, which it calls as it goes; when
the run has been cancelled, ``report`` raises :class:`Cancelled`, so the engine stops at its
next step. Finished runs are kept, newest first, up to a bound per client and in all.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

Report = Callable[[int, int], None]
Work = Callable[[Report], Any]

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = {DONE, FAILED, CANCELLED}


class Cancelled(Exception):
    """Raised inside a run when its client cancelled it or went away."""


class Busy(Exception):
    """The client already has as many unfinished runs as it may."""


@dataclass
class Job:
    id: str
    client: str
    kind: str
    status: str = QUEUED
    done: int = 0
    total: int = 0
    error: str | None = None
    result: Any = None
    seen: float = field(default_factory=time.monotonic)  # the client's last poll
    started: float | None = None
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def state(self) -> dict[str, Any]:
        progress = self.done / self.total if self.total else 0.0
        elapsed = None
        if self.started is not None:
            elapsed = (self.finished or time.monotonic()) - self.started
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": min(1.0, progress),
            "error": self.error,
            "seconds": elapsed,
        }


class Jobs:
    """The runs of every client, run by ``workers`` threads.

    ``patience``: seconds without a poll after which an unfinished run is cancelled (its tab
    was closed without saying so); ``per_client``: unfinished runs a client may have;
    ``keep``: finished runs kept in all (the oldest are dropped first).
    """

    def __init__(
        self, workers: int = 2, patience: float = 20.0, per_client: int = 4, keep: int = 8
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-run")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.patience, self.per_client, self.keep = patience, per_client, keep

    def submit(self, client: str, kind: str, work: Work) -> Job:
        self.reap()
        with self._lock:
            open_runs = [
                j for j in self._jobs.values() if j.client == client and j.status not in FINISHED
            ]
            if len(open_runs) >= self.per_client:
                raise Busy(f"{len(open_runs)} runs of this page are unfinished; cancel one")
            job = Job(uuid.uuid4().hex, client, kind)
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Work) -> None:
        if job.cancel.is_set():
            job.status, job.finished = CANCELLED, time.monotonic()
            return
        job.status, job.started = RUNNING, time.monotonic()

        def report(done: int, total: int) -> None:
            if job.cancel.is_set():
                raise Cancelled
            job.done, job.total = done, total

        try:
            job.result = work(report)
            job.status = DONE
        except Cancelled:
            job.status = CANCELLED
        except Exception as err:  # shown in the page, one line: the run, not the server, failed
            job.status, job.error = FAILED, str(err) or type(err).__name__
        finally:
            job.finished = time.monotonic()

    def get(self, job_id: str, client: str | None = None) -> Job | None:
        """The run ``job_id`` (of ``client``, when given); a poll counts as the client's sign
        of life."""
        job = self._jobs.get(job_id)
        if job is None or (client is not None and job.client != client):
            return None
        job.seen = time.monotonic()
        return job

    def cancel(self, job_id: str, client: str | None = None) -> Job | None:
        job = self._jobs.get(job_id)
        if job is None or (client is not None and job.client != client):
            return None
        job.cancel.set()
        if job.status == QUEUED:
            job.status = CANCELLED
        return job

    def close_client(self, client: str) -> int:
        """Cancel every unfinished run of ``client`` (its tab was closed): how many."""
        jobs = [
            j for j in list(self._jobs.values()) if j.client == client and j.status not in FINISHED
        ]
        for job in jobs:
            self.cancel(job.id)
        return len(jobs)

    def reap(self) -> None:
        """Cancel the unfinished runs nobody polls; drop the oldest finished runs."""
        now = time.monotonic()
        with self._lock:
            for job in self._jobs.values():
                if job.status not in FINISHED and now - job.seen > self.patience:
                    job.cancel.set()
            finished = sorted(
                (j for j in self._jobs.values() if j.status in FINISHED),
                key=lambda j: j.finished or 0.0,
            )
            for job in finished[: max(0, len(finished) - self.keep)]:
                del self._jobs[job.id]

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
