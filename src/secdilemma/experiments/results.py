"""Write an ensemble's results to a directory, all or nothing.

Files go to a hidden sibling directory first; only when every file is complete is it renamed to
the requested name, so an error or an interrupt never leaves a half-written result behind. A
caller that adds files of its own (the command line adds ``report.html``) passes ``finish``,
which runs on the staging directory before it is published: this layer writes tables, not pages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
        "scenario": scenario.model_dump(mode="json"),
    }


def default_out_dir(name: str, seed: int, root: Path = Path("runs")) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return root / f"{name}-seed{seed}-{stamp}-{uuid.uuid4().hex[:6]}"


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _staging(out: Path) -> Path:
    if out.exists() and any(out.iterdir()):
        raise InputError("--out", "<directory>", str(out), "exists and is not empty")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def _publish(staging: Path, out: Path) -> None:
    if out.exists():
        out.rmdir()
    staging.rename(out)


def write_results(
    ens: Ensemble,
    out: Path,
    overrides: list[str],
    summary: dict[str, Any] | None = None,
    finish: Finish | None = None,
) -> Path:
    """Write one ensemble's tables, summary and manifest, then ``finish(directory)``; the
    directory appears complete or not at all."""
    out = Path(out)
    staging = _staging(out)
    try:
        _write_run(ens, staging, overrides, summary)
        if finish is not None:
            finish(staging)
        _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


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
    out = Path(out)
    staging = _staging(out)
    try:
        for reading, ens in comparison.ensembles.items():
            (staging / reading).mkdir()
            _write_run(ens, staging / reading, overrides, comparison.summaries[reading])
        _write_json(staging / "compare.json", json_safe(comparison.as_dict()))
        if finish is not None:
            finish(staging)
        _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
