"""Write an ensemble's results to a directory, all or nothing.

Files go to a hidden sibling directory first; only when every file is complete, and every file
and folder in it has been fsynced, is it renamed to the requested name, so an error, an
interrupt or a power cut never leaves a half-written result behind. A caller that adds files of
its own (the command line adds ``report.html``) passes ``finish``, which runs on the staging
directory before it is published: this layer writes tables, not pages.

The staging directory's name holds the writer's host and process id
(``.NAME.partial-HOST-PID-RANDOM``), so that a writer that was killed (``kill -9``, the OOM
killer) does not leave it behind forever: the next write into the same folder, or
:func:`check_output_dir`, removes the staging directories of this host whose process no longer
runs. Another live process's, another host's (a shared file system) and those of older
versions (without a process id) are left alone.

:func:`check_output_dir` is for callers that compute before they write: it checks, before the
computation, that the directory can be created and written (a probe file is written and
fsynced beside it), so that a read-only or full disk is one error at the start, not a
traceback at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from secdilemma import __version__
from secdilemma.engine.pipeline import Ensemble
from secdilemma.engine.summary import (
    events_table,
    json_safe,
    runs_table,
    summarize,
    trajectories_table,
)
from secdilemma.errors import InputError
from secdilemma.experiments.store import fsync_path

if TYPE_CHECKING:
    import pandas as pd

Finish = Callable[[Path], object]  # writes its own files into a complete results directory


def git_hash() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def manifest(ens: Ensemble, overrides: list[str]) -> dict[str, Any]:
    scenario = ens.scenario
    return {
        "package": "secdilemma",
        "version": __version__,
        "git_hash": git_hash(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": scenario.seed,
        "seed_entropy": str(np.random.SeedSequence(scenario.seed).entropy),
        "replicate_streams": "SeedSequence(entropy, spawn_key=(replicate,))",
        "replicates": scenario.replicates,
        "steps": scenario.steps,
        "overrides": overrides,
        "scheduled_wars": scheduled_wars(ens),
        "scenario": scenario.model_dump(mode="json"),
    }


def scheduled_wars(ens: Ensemble) -> list[dict[str, Any]]:
    """The scenario's scheduled events whose act starts a war (in the run's catalogue): they
    happen in every replicate, so a war rate that counts them says nothing about the model."""
    catalog = ens.catalog
    return [
        event.model_dump(mode="json", exclude_none=True)
        for event in ens.scenario.events
        if catalog.starts_war[catalog.index(event.action)]
    ]


def scheduled_war_share(ens: Ensemble) -> float:
    """The share of replicates in which a scheduled event started a war act."""
    o = ens.outcomes
    war_act = np.asarray(ens.catalog.starts_war)[o.actions] & o.scheduled  # (T, R, N)
    return float(war_act.any(axis=(0, 2)).mean()) if war_act.size else 0.0


def default_out_dir(name: str, seed: int, root: Path = Path("runs")) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return root / f"{name}-seed{seed}-{stamp}-{uuid.uuid4().hex[:6]}"


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")


ATTRIBUTION_NAME = "attribution.json"  # what `secdilemma attribute` writes
AUDIT_NAME = "audit.json"  # what `secdilemma audit` writes
ROBUST_NAME = "robust.json"  # what `secdilemma robust` writes beside its sweep store

PROBE_BYTES = 64 * 1024  # what the probe writes: enough to need data blocks on any disk
_STAGING = re.compile(r"^\..+\.partial-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[0-9a-f]{8}$")


def _host() -> str:
    """This host, as a fixed-width tag for staging names (hostnames may hold dots or dashes)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def process_running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie counts as running; so does one we may not
    signal). Where this cannot be known, it is taken to run."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would terminate it there: ask the kernel instead
        return _windows_process_running(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, though it is not ours to signal
        return True
    return True


def _windows_process_running(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove the staging directories in ``parent`` that writers on this host left when they
    were killed (their process no longer runs); return them. Those of a live process, of
    another host, of another user, and any without a process id in their name are kept."""
    removed: list[Path] = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return removed
    host = _host()
    for entry in entries:
        found = _STAGING.match(entry.name)
        if found is None or found["host"] != host or process_running(int(found["pid"])):
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        if not entry.is_dir() or entry.is_symlink():
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed.append(entry)
    return removed


def _cannot(out: Path, what: str, err: OSError) -> InputError:
    reason = err.strerror or " ".join(str(err).split()) or type(err).__name__
    return InputError("--out", "<directory>", str(out), f"cannot {what}: {reason}")


def _check_empty(out: Path) -> None:
    if out.is_dir():
        if any(out.iterdir()):
            raise InputError("--out", "<directory>", str(out), "exists and is not empty")
    elif out.exists() or out.is_symlink():
        raise InputError("--out", "<directory>", str(out), "exists and is not a directory")


def check_output_dir(out: Path) -> Path:
    """Check, before computing, that the results directory ``out`` can be written: it is absent
    or an empty directory, its parent can be created, and a file written there reaches the disk
    (a probe file, fsynced, then removed). Stale staging directories of killed writers in the
    parent are removed on the way. Raises :class:`InputError` (``--out``, ``<directory>``, the
    path, the problem) otherwise; creates nothing but missing parents."""
    out = Path(out)
    try:
        _check_empty(out)
    except OSError as err:
        raise _cannot(out, "read it", err) from None
    parent = out.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _cannot(out, f"create {parent}", err) from None
    remove_stale_staging(parent)
    probe = parent / f".{out.name}.probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        _write_probe(probe)
    except OSError as err:
        for folder in created:  # what this check made, deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        raise _cannot(out, f"write in {parent}", err) from None
    return out


def _write_probe(probe: Path) -> None:
    """Write PROBE_BYTES to a new file and fsync it (a full disk fails here), then remove it."""
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(bytes(PROBE_BYTES))
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
        probe.unlink()


def sync_tree(root: Path) -> None:
    """fsync every file under ``root``, then every folder, deepest first (``root`` last)."""
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fsync_path(os.path.join(folder, name))
        fsync_path(folder, directory=True)


def _staging(out: Path) -> Path:
    _check_empty(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out.parent)
        tag = f"{_host()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        staging = out.parent / f".{out.name}.partial-{tag}"
        staging.mkdir()
    except OSError as err:
        raise _cannot(out, f"write in {out.parent}", err) from None
    return staging


def _publish(staging: Path, out: Path) -> None:
    sync_tree(staging)  # every byte on disk before the name says the directory is complete
    if out.exists():
        out.rmdir()
    os.rename(staging, out)
    fsync_path(out.parent, directory=True)  # and the rename itself


def _written(out: Path, action: Callable[[], object]) -> None:
    """Run ``action``; an OSError (a full, read-only or failing disk) becomes one InputError."""
    try:
        action()
    except OSError as err:
        raise _cannot(out, "write the results", err) from err


def _published(out: Path, write: Callable[[Path], object], finish: Finish | None) -> Path:
    """Run ``write(staging)`` in a staging directory beside ``out``, then ``finish(staging)``,
    then rename it to ``out``: the directory appears complete or not at all."""
    out = Path(out)
    staging = _staging(out)
    try:
        _written(out, lambda: write(staging))
        if finish is not None:
            finish(staging)
        _written(out, lambda: _publish(staging, out))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def write_results(
    ens: Ensemble,
    out: Path,
    overrides: list[str],
    summary: dict[str, Any] | None = None,
    finish: Finish | None = None,
) -> Path:
    """Write one ensemble's tables, summary and manifest, then ``finish(directory)``; the
    directory appears complete or not at all."""
    return _published(out, lambda staging: _write_run(ens, staging, overrides, summary), finish)


def _write_run(
    ens: Ensemble, directory: Path, overrides: list[str], summary: dict[str, Any] | None
) -> None:
    for name, table in (
        ("runs", runs_table(ens)),
        ("trajectories", trajectories_table(ens)),
        ("events", events_table(ens)),
    ):
        pq.write_table(
            pa.Table.from_pandas(table, preserve_index=False), directory / f"{name}.parquet"
        )
    _write_json(directory / "summary.json", summary or summarize(ens))
    _write_json(directory / "manifest.json", manifest(ens, overrides))


def write_comparison(
    comparison, out: Path, overrides: list[str], finish: Finish | None = None
) -> Path:
    """A compare directory: one complete run directory per reading and ``compare.json``, then
    ``finish(directory)``."""

    def write(staging: Path) -> None:
        for reading, ens in comparison.ensembles.items():
            (staging / reading).mkdir()
            _write_run(ens, staging / reading, overrides, comparison.summaries[reading])
        _write_json(staging / "compare.json", json_safe(comparison.as_dict()))

    return _published(out, write, finish)


def write_attribution(
    payload: dict[str, Any],
    out: Path,
    per_replicate: pd.DataFrame | None = None,
    finish: Finish | None = None,
) -> Path:
    """An attribution directory: ``attribution.json`` (``analysis.attribution``), the
    per-replicate values as ``attribution_replicates.parquet``, then ``finish(directory)``;
    published whole or not at all, like a run."""

    def write(staging: Path) -> None:
        _write_json(staging / ATTRIBUTION_NAME, json_safe(payload))
        if per_replicate is not None:
            table = pa.Table.from_pandas(per_replicate, preserve_index=False)
            pq.write_table(table, staging / "attribution_replicates.parquet")

    return _published(out, write, finish)


def write_audit(payload: dict[str, Any], out: Path, finish: Finish | None = None) -> Path:
    """An audit directory: ``audit.json`` (``analysis.audit``), then ``finish(directory)``;
    published whole or not at all, like a run."""
    return _published(
        out, lambda staging: _write_json(staging / AUDIT_NAME, json_safe(payload)), finish
    )


def write_robust(payload: dict[str, Any], directory: Path) -> Path:
    """``robust.json`` in a robust-policy sweep directory, written whole (a temporary file
    renamed into place) after the sweep's points are all in the store."""
    directory = Path(directory)
    tmp = directory / f".{ROBUST_NAME}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        _write_json(tmp, json_safe(payload))
        os.replace(tmp, directory / ROBUST_NAME)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise _cannot(directory, "write robust.json", err) from None
    return directory / ROBUST_NAME
