"""The sweep results store: Parquet part files that appear only when complete, a manifest, and
DuckDB SQL over the tables in place.

Layout of a sweep directory::

    manifest.json            the spec, package version, root seed entropy, point status
    design.parquet           every point's parameters (point, one column per dotted path)
    points/part-*.parquet    one row per finished point: point, parameters, outcomes
    replicates/part-*.parquet one row per replicate of each finished point
    trajectories/part-*.parquet  tidy per-step values (only with ``trajectories: true``)

A part file is written under a hidden temporary name and renamed when complete, so a reader (or
a resumed sweep) never sees half a file. A task writes its points part last: it marks the task's
points finished, and the other tables' parts of the same name count only with it (a task killed
between its parts leaves parts that are not read, and a resumed sweep removes them). The
tables are the union of their finished parts.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from secdilemma.errors import InputError
from secdilemma.experiments.extras import require

TABLES = ("points", "replicates", "trajectories")


def fsync_path(path: str | Path, directory: bool = False) -> None:
    """Flush a file, or a folder's entries, to the disk."""
    if directory and os.name == "nt":  # Windows cannot open a folder to sync it
        return
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_synced(partial: Path, final: Path) -> None:
    """Rename a complete file into place: its bytes on disk first, the rename after."""
    fsync_path(partial)
    os.replace(partial, final)
    fsync_path(final.parent, directory=True)


def write_part(directory: Path, table: str, name: str, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as ``directory/table/name.parquet``, atomically and durably."""
    folder = Path(directory) / table
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        fsync_path(folder.parent, directory=True)  # the new folder's own entry
    final = folder / f"{name}.parquet"
    partial = folder / f".{name}.{uuid.uuid4().hex[:8]}.partial"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), partial)
    _replace_synced(partial, final)
    return final


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Replace a JSON file atomically and durably."""
    partial = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.partial"
    partial.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    _replace_synced(partial, path)


def finished_parts(directory: str | Path, table: str) -> list[Path]:
    """The parts of ``table`` whose task finished: every points part, and the other tables'
    parts that have the points part of the same name."""
    folder = Path(directory) / table
    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    points = Path(directory) / "points"
    return parts if table == "points" else [p for p in parts if (points / p.name).is_file()]


def unfinished_parts(directory: str | Path) -> list[Path]:
    """What killed tasks left: parts without their points part, and half-written files."""
    root = Path(directory)
    kept = {p for table in TABLES for p in finished_parts(root, table)}
    parts = [p for table in TABLES for p in (root / table).glob("part-*.parquet")]
    return [p for p in parts if p not in kept] + list(root.rglob(".*.partial"))


def read_table(directory: str | Path, table: str = "points") -> pd.DataFrame:
    """A store table as one DataFrame, sorted by point (and replicate)."""
    folder = Path(directory) / table
    parts = finished_parts(directory, table)
    if not parts:
        raise InputError(str(folder), table, str(directory), "no finished points in this store")
    frame = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    order = ("point", "replicate", "run_id", "t", "i", "j", "variable")
    keys = [k for k in order if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def query(directory: str | Path, sql: str) -> pd.DataFrame:
    """Run DuckDB SQL over a store; the tables ``points``, ``replicates`` and ``design`` are views
    over the Parquet files in place."""
    duckdb = require("duckdb", "analysis", "secdilemma query", "SQL over a sweep store")
    root = Path(directory)
    if not (root / "manifest.json").is_file():
        raise InputError(str(root), "<directory>", str(root), "not a sweep directory")
    con = duckdb.connect()
    try:
        for table in TABLES:
            parts = finished_parts(root, table)
            if parts:
                files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts)
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{files}])")
        if (root / "design.parquet").is_file():
            path = str(root / "design.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW design AS SELECT * FROM read_parquet('{path}')")
        try:
            return con.execute(sql).df()
        except duckdb.Error as err:
            raise InputError("query", "sql", sql, str(err).splitlines()[0]) from None
    finally:
        con.close()
