"""Global sensitivity analysis of a sweep's outcome: Sobol indices and Morris screening (SALib).

Each model evaluation is one point of a sweep: a whole vectorised ensemble
(:func:`secdilemma.experiments.spec.evaluate_point`), reduced to one outcome scalar such as
``p_spiral``. Every point uses the spec's seed (common random numbers), so an outcome's
differences between points come from the parameters, not from the draws; and the result does
not depend on how many workers evaluate the points or in what order.

Which parameters should drive the spiral? In the ``two-security-seekers`` world the
offense-defense balance β enters the spiral twice (docs/model.md): the structural capability
signal that an observer reads from any build is proportional to β (section 8,
``raw_ki = β ρ_ik ...``), so with postures hard to tell apart each side's arming reads as
threat; and the attack strength ``A_ij = β O_i ρ_ij`` sets the odds of winning a war (section 3)
and so the first-strike pressure in a crisis (section 10), which makes a given fear more
dangerous and arming more attractive (section 5.2). Distinguishability δ acts only through
the ``(1 - δ)`` share of defensive builds in the signal. Greed and charity of one state act on
that state's choices and readings alone. The balance should therefore rank among the top
drivers of ``p_spiral``; ``tests/test_sensitivity.py`` checks that it does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from secdilemma.errors import InputError
from secdilemma.experiments.extras import require
from secdilemma.experiments.spec import POINT_OUTCOMES, SweepSpec, evaluate_point

CONF_LEVEL = 0.95
RESAMPLES = 1000  # bootstrap resamples for the confidence intervals
SOBOL_COLUMNS = ("parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("parameter", "mu", "mu_star", "mu_star_conf", "sigma", "sigma_conf")


def problem_from_spec(spec: SweepSpec, source: str = "sweep spec") -> dict[str, Any]:
    """SALib's problem definition: one variable per ranged parameter (dotted path, low, high).

    Sobol and Morris sample a continuous box, so a parameter given as a list of ``values``
    cannot be part of it; fix it with ``set`` instead.
    """
    names, bounds = [], []
    for path, rng in spec.parameters.items():
        if rng.is_grid:
            raise InputError(
                source,
                f"parameters.{path}",
                rng.values,
                "sensitivity analysis needs a range (low, high), not values; "
                "fix this parameter with `set` or give it low and high",
            )
        names.append(path)
        bounds.append([float(rng.low), float(rng.high)])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _check_outcome(outcome: str, source: str) -> None:
    if outcome not in POINT_OUTCOMES:
        raise InputError(
            source, "outcome", outcome, f"unknown outcome; use one of {POINT_OUTCOMES}"
        )


def _analysis_rng(seed: int) -> np.random.Generator:
    # SALib's sobol.analyze tests `if seed:`, so seed 0 would silently give unseeded bootstrap
    # intervals; a Generator is always truthy and makes every seed reproducible.
    return np.random.default_rng(seed)


def _evaluate_row(task: tuple[SweepSpec, list[str], str, tuple[float, ...]]) -> float:
    # Module level, so that ProcessPoolExecutor can pickle it.
    spec, names, outcome, row = task
    result, _ = evaluate_point(spec, dict(zip(names, row, strict=True)), [outcome])
    return result[outcome]


def evaluate_design(
    spec: SweepSpec, outcome: str, names: Sequence[str], x: np.ndarray, workers: int = 1
) -> np.ndarray:
    """The outcome at each row of ``x`` (columns in the order of ``names``), one ensemble each.

    Rows go to ``workers`` processes; ``map`` keeps the input order, and every point uses the
    spec's seed, so the result is the same for any number of workers.
    """
    tasks = [(spec, list(names), outcome, tuple(float(v) for v in row)) for row in x]
    if workers <= 1 or len(tasks) <= 1:
        return np.array([_evaluate_row(t) for t in tasks], dtype=float)
    # Chunks amortise pickling the spec; a few chunks per worker keep the load balanced.
    chunk = max(1, len(tasks) // (4 * workers))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return np.fromiter(pool.map(_evaluate_row, tasks, chunksize=chunk), dtype=float)


def _check_outputs(y: np.ndarray, outcome: str, source: str) -> None:
    missing = int(np.count_nonzero(~np.isfinite(y)))
    if missing:
        raise InputError(
            source,
            "outcome",
            outcome,
            f"undefined at {missing} of {y.size} points (e.g. a mean over no wars); "
            "choose an outcome defined everywhere",
        )
    if np.ptp(y) == 0:
        raise InputError(
            source,
            "outcome",
            outcome,
            f"equals {y[0]:g} at every point, so no parameter explains any variance; "
            "widen the ranges, or raise steps or replicates",
        )


def _sobol_frame(problem: dict[str, Any], y: np.ndarray, seed: int) -> pd.DataFrame:
    sobol = require("SALib.analyze.sobol", "analysis", "secdilemma sensitivity", "Sobol indices")

    si = sobol.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL,
        seed=_analysis_rng(seed),
    )
    frame = pd.DataFrame({"parameter": problem["names"]})
    for key in SOBOL_COLUMNS[1:]:
        frame[key] = np.asarray(si[key], dtype=float)
    return frame


def _sobol_sample(problem: dict[str, Any], base_samples: int, seed: int) -> np.ndarray:
    sobol = require("SALib.sample.sobol", "analysis", "secdilemma sensitivity", "Sobol indices")

    if base_samples < 2:
        raise InputError("sobol", "base_samples", base_samples, "need at least 2 base samples")
    # Saltelli's scheme: N base rows plus N rows per parameter; N a power of 2 keeps the Sobol'
    # sequence balanced (SALib warns otherwise).
    return sobol.sample(problem, base_samples, calc_second_order=False, seed=seed)


def sobol_of(
    function: Callable[[np.ndarray], np.ndarray],
    problem: dict[str, Any],
    base_samples: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Sobol S1 and ST (with 95% bootstrap half-widths) of a vectorised ``function(x) -> y``.

    ``x`` has one row per evaluation, one column per variable of ``problem``; the function is
    called once with all ``base_samples * (num_vars + 2)`` rows.
    """
    x = _sobol_sample(problem, base_samples, seed)
    y = np.asarray(function(x), dtype=float).reshape(-1)
    _check_outputs(y, getattr(function, "__name__", "function"), "sobol")
    frame = _sobol_frame(problem, y, seed)
    frame.attrs.update(
        method="sobol", outcome=getattr(function, "__name__", "y"), evaluations=len(y)
    )
    return frame


def sobol_indices(
    spec: SweepSpec,
    outcome: str,
    base_samples: int,
    workers: int = 1,
    *,
    source: str = "sweep spec",
) -> pd.DataFrame:
    """Sobol first-order (S1) and total (ST) indices of ``outcome`` over the spec's ranges.

    Costs ``base_samples * (parameters + 2)`` ensembles. Returns one row per parameter:
    ``parameter, S1, S1_conf, ST, ST_conf`` (conf: half-width of the 95% bootstrap interval).
    """
    _check_outcome(outcome, source)
    problem = problem_from_spec(spec, source)
    x = _sobol_sample(problem, base_samples, spec.seed)
    y = evaluate_design(spec, outcome, problem["names"], x, workers)
    _check_outputs(y, outcome, source)
    frame = _sobol_frame(problem, y, spec.seed)
    frame.attrs.update(
        method="sobol", outcome=outcome, evaluations=len(y), base_samples=base_samples
    )
    return frame


def _morris_sample(problem: dict[str, Any], trajectories: int, levels: int, seed: int):
    morris = require(
        "SALib.sample.morris", "analysis", "secdilemma sensitivity", "Morris screening"
    )

    if trajectories < 2:
        raise InputError("morris", "trajectories", trajectories, "need at least 2 trajectories")
    if levels < 2 or levels % 2:
        # An even number of levels makes the step (levels / (2 (levels - 1))) symmetric, so
        # every level is visited equally often (Morris 1991).
        raise InputError("morris", "levels", levels, "need an even number of levels >= 2")
    return morris.sample(problem, trajectories, num_levels=levels, seed=seed)


def _elementary_effects(problem: dict[str, Any], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementary effects, shape (num_vars, trajectories), on the unit scale of each range.

    Within a trajectory consecutive rows differ in one variable; this is SALib's own
    definition (``analyze.morris``), recomputed because SALib does not return the effects and
    sigma's interval is bootstrapped from them.
    """
    d = problem["num_vars"]
    span = np.array([hi - lo for lo, hi in problem["bounds"]])
    xs = x.reshape(-1, d + 1, d) / span
    ys = y.reshape(-1, d + 1)
    dx = np.diff(xs, axis=1)  # (r, d, d): one nonzero entry per step
    moved = np.argmax(np.abs(dx), axis=2)  # which variable each step moves
    step = np.take_along_axis(dx, moved[..., None], axis=2)[..., 0]
    ee = np.empty((d, ys.shape[0]))
    rows = np.arange(ys.shape[0])[:, None]
    ee[moved, rows] = np.diff(ys, axis=1) / step
    return ee


def _morris_frame(
    problem: dict[str, Any], x: np.ndarray, y: np.ndarray, levels: int, seed: int
) -> pd.DataFrame:
    from scipy.stats import norm

    morris = require(
        "SALib.analyze.morris", "analysis", "secdilemma sensitivity", "Morris screening"
    )

    si = morris.analyze(
        problem,
        x,
        y,
        num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL,
        num_levels=levels,
        seed=_analysis_rng(seed),
    )
    ee = _elementary_effects(problem, x, y)
    # SALib gives no interval for sigma: bootstrap it the way SALib does mu_star's (normal
    # half-width from the spread over resampled trajectories).
    rng = np.random.default_rng([seed, 1])
    pick = rng.integers(ee.shape[1], size=(RESAMPLES, ee.shape[1]))
    sigma_boot = ee[:, pick].std(axis=2, ddof=1)
    z = norm.ppf(0.5 + CONF_LEVEL / 2)
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": np.asarray(si["mu"], dtype=float),
            "mu_star": np.asarray(si["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
            "sigma": np.asarray(si["sigma"], dtype=float),
            "sigma_conf": z * sigma_boot.std(axis=1, ddof=1),
        }
    )


def morris_of(
    function: Callable[[np.ndarray], np.ndarray],
    problem: dict[str, Any],
    trajectories: int,
    levels: int = 4,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris screening (mu, mu_star, sigma with 95% half-widths) of ``function(x) -> y``."""
    x = _morris_sample(problem, trajectories, levels, seed)
    y = np.asarray(function(x), dtype=float).reshape(-1)
    _check_outputs(y, getattr(function, "__name__", "function"), "morris")
    frame = _morris_frame(problem, x, y, levels, seed)
    frame.attrs.update(
        method="morris", outcome=getattr(function, "__name__", "y"), evaluations=len(y)
    )
    return frame


def morris_screening(
    spec: SweepSpec,
    outcome: str,
    trajectories: int,
    levels: int = 4,
    workers: int = 1,
    *,
    source: str = "sweep spec",
) -> pd.DataFrame:
    """Morris elementary-effects screening of ``outcome`` over the spec's ranges.

    Costs ``trajectories * (parameters + 1)`` ensembles. Returns one row per parameter:
    ``parameter, mu, mu_star, mu_star_conf, sigma, sigma_conf``; effects are per full range of
    each parameter, in the outcome's units.
    """
    _check_outcome(outcome, source)
    problem = problem_from_spec(spec, source)
    x = _morris_sample(problem, trajectories, levels, spec.seed)
    y = evaluate_design(spec, outcome, problem["names"], x, workers)
    _check_outputs(y, outcome, source)
    frame = _morris_frame(problem, x, y, levels, spec.seed)
    frame.attrs.update(
        method="morris", outcome=outcome, evaluations=len(y), trajectories=trajectories
    )
    return frame


def ranking(frame: pd.DataFrame) -> list[str]:
    """Parameters from the strongest driver down: by ST (Sobol) or mu_star (Morris)."""
    key = "ST" if "ST" in frame.columns else "mu_star"
    return list(frame.sort_values(key, ascending=False, kind="stable")["parameter"])


def plot_indices(frame: pd.DataFrame, path: str | Path) -> Path:
    """Bar plot of Sobol (S1, ST) or Morris (mu_star, sigma) indices with 95% error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if "ST" in frame.columns:
        bars = [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")]
        ylabel = "Sobol index (share of variance)"
    else:
        bars = [("mu_star", "mu_star_conf", "μ*"), ("sigma", "sigma_conf", "σ")]
        ylabel = "elementary effect (outcome per full range)"
    names = list(frame["parameter"])
    pos = np.arange(len(names))
    width = 0.8 / len(bars)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(names) + 2), 4))
    for k, (col, conf, label) in enumerate(bars):
        ax.bar(
            pos + (k - (len(bars) - 1) / 2) * width,
            frame[col],
            width,
            yerr=frame[conf],
            capsize=3,
            label=label,
        )
    ax.set_xticks(pos, names, rotation=20, ha="right")
    ax.set_ylabel(ylabel)
    ax.axhline(0, color="black", linewidth=0.6)
    outcome = frame.attrs.get("outcome", "")
    method = frame.attrs.get("method", "")
    ax.set_title(f"{method.capitalize()} sensitivity of {outcome} (95% intervals)".strip())
    ax.legend()
    target = Path(path)
    try:
        fig.savefig(target, bbox_inches="tight", dpi=150)
    except (OSError, ValueError) as err:
        raise InputError("--plot", "--plot", str(target), f"cannot save the plot: {err}") from None
    finally:
        plt.close(fig)
    return target


def as_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The indices as JSON-safe records (non-finite numbers as None)."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append(
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
        )
    return out
