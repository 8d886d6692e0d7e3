"""Scenario discovery: which region of a sweep's parameter space produces an outcome of
interest? PRIM (Friedman and Fisher 1999) from the EMA Workbench, as Bryant and Lempert (2010)
use it.

The cases of interest are a sweep's points whose outcome lies above (or below) a threshold.
PRIM peels the box of all points a little at a time, always where the share of cases of
interest inside grows most, then pastes back what it can. Each box along that path trades
coverage (the share of all cases of interest inside the box) for density (the share of the
box's points that are cases of interest).

The EMA Workbench is an optional extra (``pip install 'secdilemma[ema]'``), imported only here.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.errors import InputError
from secdilemma.experiments.extras import require
from secdilemma.experiments.spec import WORLD, known_outcome
from secdilemma.experiments.store import read_table


def import_prim():
    """The EMA Workbench's PRIM module, or an InputError saying how to install it."""
    with warnings.catch_warnings():
        # The workbench warns on import about optional front ends (altair, ipyparallel) that
        # scenario discovery does not use.
        warnings.simplefilter("ignore")
        return require("ema_workbench.analysis.prim", "ema", "discover", "scenario discovery")


def parameter_columns(directory: Path, points: pd.DataFrame) -> list[str]:
    """The sweep's parameters, in design order.

    ``design.parquet`` or the manifest's spec names them where present; otherwise every column
    of the points table that is neither ``point`` nor a known outcome.
    """
    design = directory / "design.parquet"
    names: list[str] | None = None
    if design.is_file():
        import pyarrow.parquet as pq

        names = [c for c in pq.read_schema(design).names if c != "point"]
    else:
        try:
            manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
            names = list(manifest["spec"]["parameters"])
        except (OSError, ValueError, KeyError, TypeError):
            names = None
    if names is None:
        names = [c for c in points.columns if c != "point" and not known_outcome(c)]
    # A variant's row of the design is an index, not a quantity.
    return [n for n in names if n in points.columns and n != WORLD]


def _numeric(column: pd.Series) -> pd.Series:
    # PRIM peels float columns as intervals and anything else as categories; a grid parameter
    # stored as objects but holding numbers is a quantity, so treat it as one.
    converted = pd.to_numeric(column, errors="coerce")
    if converted.notna().all():
        return converted.astype(float)
    return column.astype(str)


def _finite(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def choose_box(trajectory: pd.DataFrame, threshold_density: float) -> int:
    """The box PRIM's trade-off offers best: the highest coverage among the boxes that reach
    ``threshold_density``, the densest of those on a tie; the densest box if none reaches it.
    """
    ok = trajectory[trajectory["density"] >= threshold_density]
    pool = ok if len(ok) else trajectory
    order = pool.sort_values(["coverage", "density"], ascending=False, kind="stable")
    if not len(ok):
        order = pool.sort_values(["density", "coverage"], ascending=False, kind="stable")
    return int(order.index[0])


def discover(
    directory: str | Path,
    outcome: str,
    threshold: float,
    above: bool = True,
    peel_alpha: float = 0.05,
    threshold_density: float = 0.8,
    box: int | None = None,
    mass_min: float = 0.05,
) -> dict[str, Any]:
    """Run PRIM on a sweep store's points: parameters (x) vs ``outcome > threshold`` (y).

    With ``above=False`` the cases of interest are ``outcome < threshold``. Points where the
    outcome is undefined (NaN) are left out and counted. ``box`` picks an index on the
    peeling trajectory; by default :func:`choose_box` picks one. Returns the box's limits per
    parameter (``restricted`` where PRIM narrowed it, with Bryant and Lempert's quasi-p value
    of each restricted side), its coverage, density and mass, and the whole trade-off.
    """
    import_prim()  # a missing extra is reported before the store is read
    root = Path(directory)
    if not root.is_dir():
        raise InputError(str(root), "<directory>", str(root), "no such sweep directory")
    if not 0 < peel_alpha < 1:
        raise InputError("discover", "peel_alpha", peel_alpha, "must lie in (0, 1)")
    if not 0 < threshold_density <= 1:
        raise InputError("discover", "threshold_density", threshold_density, "must lie in (0, 1]")
    points = read_table(root, "points")
    if outcome not in points.columns:
        recorded = [c for c in points.columns if known_outcome(c)]
        raise InputError(
            str(root), "outcome", outcome, f"not recorded in this sweep; recorded: {recorded}"
        )
    names = parameter_columns(root, points)
    if not names:
        raise InputError(str(root), "parameters", None, "the points table has no parameters")
    values = pd.to_numeric(points[outcome], errors="coerce").to_numpy(dtype=float)
    defined = np.isfinite(values)
    x = pd.DataFrame({n: _numeric(points.loc[defined, n]) for n in names}).reset_index(drop=True)
    y = (values[defined] > threshold) if above else (values[defined] < threshold)
    side = ">" if above else "<"
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise InputError(
            str(root),
            "threshold",
            threshold,
            f"{hits} of {len(y)} points have {outcome} {side} {threshold}; PRIM needs both "
            "cases of interest and others",
        )
    found = prim_box(x, y, peel_alpha, threshold_density, box, mass_min)
    return {
        "directory": str(root),
        "outcome": outcome,
        "threshold": float(threshold),
        "above": bool(above),
        "points": int(len(y)),
        "undefined": int((~defined).sum()),
        "cases_of_interest": hits,
        "threshold_density": float(threshold_density),
        "peel_alpha": float(peel_alpha),
        **found,
    }


def prim_box(
    x: pd.DataFrame,
    y: np.ndarray,
    peel_alpha: float = 0.05,
    threshold_density: float = 0.8,
    box: int | None = None,
    mass_min: float = 0.05,
) -> dict[str, Any]:
    """PRIM (the EMA Workbench's) on parameters ``x`` and cases of interest ``y`` (bool): the
    chosen box's limits per parameter, its coverage, density and mass, and the trade-off."""
    prim = import_prim()
    names = list(x.columns)
    with warnings.catch_warnings():
        # ema_workbench 2.5 calls DataFrame.drop(inplace=True), deprecated by pandas 3.1; the
        # call still works, and the warning is not the user's to act on.
        warnings.filterwarnings("ignore", message="The inplace keyword", category=Warning)
        # With a binary y, any threshold in (0, 1] marks the same cases of interest; PRIM
        # also compares the final box's density with it and swaps the whole trade-off for a
        # bare "dump box" below it. A tiny one keeps the trade-off, and choose_box applies
        # threshold_density instead.
        engine = prim.Prim(
            x,
            y.astype(int),
            threshold=1e-9,
            peel_alpha=peel_alpha,
            mass_min=mass_min,
        )
        found = engine.find_box()
    trajectory = found.peeling_trajectory.reset_index(drop=True)
    if box is None:
        index = choose_box(trajectory, threshold_density)
    elif -len(trajectory) <= box < len(trajectory):
        index = box % len(trajectory)
    else:
        raise InputError(
            "discover", "box", box, f"the trade-off has boxes 0 to {len(trajectory) - 1}"
        )
    found.select(index)
    lims = found.box_lims[index]
    initial = engine.box_init
    qp = found.qp[index]
    limits: dict[str, Any] = {}
    for n in names:
        if pd.api.types.is_numeric_dtype(x[n]):
            low, high = float(lims[n].iloc[0]), float(lims[n].iloc[1])
            restricted = low > float(initial[n].iloc[0]) or high < float(initial[n].iloc[1])
            entry: dict[str, Any] = {"low": low, "high": high, "restricted": restricted}
        else:
            kept = sorted(str(v) for v in lims[n].iloc[0])
            restricted = len(kept) < len(initial[n].iloc[0])
            entry = {"values": kept, "restricted": restricted}
        if n in qp:
            # -1 is PRIM's mark for a side that was not restricted.
            entry["qp"] = [None if v is None or v < 0 else float(v) for v in qp[n]]
        limits[n] = entry
    row = trajectory.loc[index]
    return {
        "box": index,
        "meets_density": bool(trajectory.loc[index, "density"] >= threshold_density),
        "coverage": float(row["coverage"]),
        "density": float(row["density"]),
        "mass": float(row["mass"]),
        "mean": float(row["mean"]),
        "res_dim": int(row["res_dim"]),
        "limits": limits,
        "tradeoff": [
            {k: _finite(v) for k, v in r.items()}
            for r in trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]]
            .astype({"id": int, "res_dim": int, "n": int, "k": int})
            .to_dict(orient="records")
        ],
    }
