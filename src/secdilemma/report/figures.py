"""The plots of both pages as PNG ``data:`` URIs: matplotlib Figure objects on the Agg canvas
(no pyplot, so no global state)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import MaxNLocator

from secdilemma.report.load import BAND, Run

MAX_STATES_PLOTTED = 8  # more lines than this make the arms plot unreadable
MAX_EDGES = 30  # arrows per network panel
DPI = 100
COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
READING_COLORS = {"structural": "#1f77b4", "interpretive": "#d62728", "bayesian": "#2ca02c"}


def _figure(width: float, height: float, **kwargs: Any) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _points(run: Run) -> np.ndarray:
    """The x of the trajectory points t = 0 .. T (the state before step t): years where the
    scenario has them (the point of a year is its start), else steps."""
    return np.arange(run.steps + 1) + (run.start_year or 0)


def _steps(run: Run) -> np.ndarray:
    """The x of the steps 0 .. T-1: years where the scenario has them, else steps."""
    return np.arange(run.steps) + (run.start_year or 0)


def _time_axis(ax: Any, run: Run, points: bool = False, what: str = "") -> None:
    """Whole steps or years on the x axis; ``points``: trajectory points (starts of years).
    Where the scenario replays a history, a dashed line marks where the model takes over."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if run.history_until:
        x = run.history_until + (run.start_year or 0)
        ax.axvline(x, color="0.35", linestyle="--", linewidth=1)
        ax.annotate(
            "history | model",
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="bottom",
            fontsize=7,
            color="0.35",
        )
    if run.start_year is None:
        ax.set_xlabel(f"step{what}")
    else:
        ax.set_xlabel(f"year{what}" + (" (values at its start)" if points else ""))


def _band(ax: Any, x: np.ndarray, q: np.ndarray, color: str, label: str) -> None:
    ax.fill_between(x, q[0], q[2], color=color, alpha=0.18, linewidth=0)
    ax.plot(x, q[1], color=color, linewidth=1.8, label=label)


def _arms_order(arms_bands: Sequence[np.ndarray], limit: int) -> list[int]:
    """States with the largest median arms at the end (summed over readings), largest first."""
    final = np.nansum([np.nan_to_num(b[1, -1], nan=-np.inf) for b in arms_bands], axis=0)
    return [int(n) for n in np.argsort(-final, kind="stable")[:limit]]


def _log_scale(values: np.ndarray) -> bool:
    # Arms of great and small powers differ by orders of magnitude; a log axis keeps both.
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 0 and positive.max() / positive.min() > 30


def _arms_axes(ax: Any, run: Run, states: Sequence[int], log: bool, legend: bool = True) -> None:
    tr = run.trajectories
    assert tr is not None
    x = _points(run)
    for c, n in enumerate(states):
        _band(ax, x, tr.arms[:, :, n], COLORS[c % len(COLORS)], run.ids[n])
    if log:
        ax.set_yscale("log")
    _time_axis(ax, run, points=True)
    ax.set_ylabel("offense + defense")
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=8, loc="best")


def arms_plot(run: Run) -> tuple[str, list[int], bool]:
    tr = run.trajectories
    assert tr is not None
    states = _arms_order([tr.arms], MAX_STATES_PLOTTED)
    log = _log_scale(tr.arms[:, :, states])
    fig = _figure(9, 4.2)
    _arms_axes(fig.add_subplot(), run, states, log)
    return _png(fig), states, log


def pair_grid(run: Run, which: str, ylabel: str) -> str:
    tr = run.trajectories
    assert tr is not None
    bands = tr.threat if which == "threat" else tr.belief
    K = len(tr.pairs)
    cols = min(3, K)
    rows = -(-K // cols)
    fig = _figure(3.4 * cols + 0.6, 2.6 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    x = _points(run)
    for k, (i, j) in enumerate(tr.pairs):
        ax = axes.flat[k]
        _band(ax, x, bands[:, :, k], COLORS[k % len(COLORS)], "")
        ax.set_title(f"{run.ids[i]} \u2192 {run.ids[j]}", fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.flat[K:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        _time_axis(ax, run, points=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    return _png(fig)


def _circle(n: int) -> np.ndarray:
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    return np.column_stack([np.cos(angle), np.sin(angle)])


def network_plot(run: Run) -> tuple[str, int]:
    tr = run.trajectories
    assert tr is not None
    N, S = len(run.ids), len(tr.network_steps)
    pos = _circle(N)
    cmap = Normalize(vmin=0.0, vmax=1.0)  # threat is a probability: one scale for every panel
    mappable = ScalarMappable(norm=cmap, cmap="inferno_r")
    fig = _figure(3.6 * S + 0.8, 3.9)
    axes = fig.subplots(1, S, squeeze=False)[0]
    small = N <= 12
    edges_shown = 0
    for ax, step, matrix in zip(axes, tr.network_steps, tr.network, strict=True):
        values = np.where(np.eye(N, dtype=bool), np.nan, matrix)
        order = np.argsort(-np.nan_to_num(values, nan=-1.0), axis=None, kind="stable")
        flat = values.ravel()[order]
        order = order[np.isfinite(flat)][:MAX_EDGES]
        edges_shown = max(edges_shown, order.size)
        touched = set()
        for i, j in zip(*np.unravel_index(order, (N, N)), strict=True):
            v = values[i, j]
            touched.update((int(i), int(j)))
            ax.add_patch(
                FancyArrowPatch(
                    pos[i],
                    pos[j],
                    arrowstyle="-|>",
                    connectionstyle="arc3,rad=0.18",  # so i->j and j->i do not overlap
                    mutation_scale=8 + 10 * v,
                    linewidth=0.6 + 4.0 * v,
                    color=mappable.to_rgba(v),
                    shrinkA=14 if small else 4,
                    shrinkB=14 if small else 4,
                    zorder=1,
                )
            )
        ax.scatter(
            pos[:, 0],
            pos[:, 1],
            s=520 if small else 30,
            color="#dde6f0",
            edgecolor="#345",
            zorder=2,
        )
        for n, sid in enumerate(run.ids):
            if small or n in touched:
                ax.annotate(
                    sid, pos[n], ha="center", va="center", fontsize=9 if small else 6, zorder=3
                )
        ax.set_title(_network_title(run, step), fontsize=10)
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.colorbar(mappable, ax=list(axes), shrink=0.8, label="mean perceived threat")
    return _png(fig), edges_shown


def _network_title(run: Run, step: int) -> str:
    if run.start_year is None:
        when = " (start)" if step == 0 else " (end)" if step == run.steps else ""
        return f"t = {step}{when}"
    if step == run.steps:  # the state after the last step: the end of the last year
        return f"end of {run.start_year + step - 1}"
    return f"start of {run.start_year + step}"


def _war_share_by_step(first_war_step: np.ndarray, steps: int) -> np.ndarray:
    """Share of replicates in which a war has begun by each step (wars last one step here)."""
    began = np.bincount(first_war_step[first_war_step >= 0], minlength=steps)[:steps]
    return np.cumsum(began) / first_war_step.size


def war_plot(run: Run) -> str:
    steps = run.first_war_step[run.first_war_step >= 0]
    fig = _figure(10, 3.6)
    left, right = fig.subplots(1, 2)
    offset = run.start_year or 0
    edges = np.arange(run.steps + 1) - 0.5 + offset
    left.hist(steps + offset, bins=edges, color="#d62728", alpha=0.8)
    _time_axis(left, run, what=" of the first war")
    left.set_ylabel("replicates")
    left.set_xlim(edges[0], edges[-1])
    left.grid(alpha=0.3)
    right.step(
        _steps(run),
        _war_share_by_step(run.first_war_step, run.steps),
        where="post",
        color="#d62728",
    )
    _time_axis(right, run)
    right.set_ylabel("share of replicates with a war so far")
    right.set_ylim(0, None)
    right.grid(alpha=0.3)
    return _png(fig)


def _escalation_axes(ax: Any, run: Run, color: str, label: str) -> None:
    x = _steps(run)
    q = np.quantile(run.escalation, [BAND[0], BAND[2]], axis=1)
    ax.fill_between(x, q[0], q[1], color=color, alpha=0.18, linewidth=0)
    ax.plot(x, run.escalation.mean(axis=1), color=color, linewidth=1.8, label=label)
    _time_axis(ax, run)
    ax.set_ylabel("escalation score per step")
    ax.grid(alpha=0.3)


def escalation_plot(run: Run) -> str:
    fig = _figure(9, 3.6)
    ax = fig.add_subplot()
    _escalation_axes(ax, run, "#9467bd", "mean")
    ax.legend(fontsize=8)
    return _png(fig)


def compare_arms_plot(runs: dict[str, Run]) -> tuple[str, list[int], bool]:
    """Arms panels side by side, one per reading (every run has trajectories)."""
    states = _arms_order([r.trajectories.arms for r in runs.values()], MAX_STATES_PLOTTED)
    log = _log_scale(
        np.concatenate([r.trajectories.arms[:, :, states].ravel() for r in runs.values()])
    )
    fig = _figure(4.0 * len(runs) + 0.5, 3.8)
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)[0]
    for k, (ax, (name, run)) in enumerate(zip(axes, runs.items(), strict=True)):
        _arms_axes(ax, run, states, log, legend=k == 0)
        ax.set_title(name)
    return _png(fig), states, log


def compare_pair_plot(
    runs: dict[str, Run], pairs: Sequence[tuple[int, int]], which: str, ylabel: str
) -> str:
    """Threat or belief panels side by side, one per reading, the pairs overlaid in each."""
    fig = _figure(4.0 * len(runs) + 0.5, 3.6)
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)[0]
    for ax, (name, run) in zip(axes, runs.items(), strict=True):
        bands = run.trajectories.threat if which == "threat" else run.trajectories.belief
        for k, (i, j) in enumerate(pairs):
            _band(
                ax,
                _points(run),
                bands[:, :, k],
                COLORS[k % len(COLORS)],
                f"{run.ids[i]} \u2192 {run.ids[j]}",
            )
        ax.set_title(name)
        ax.set_ylim(0, 1)
        _time_axis(ax, run, points=True)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    return _png(fig)


def compare_timing_plot(runs: dict[str, Run]) -> str:
    """Escalation (left) and the share of replicates with a war so far (right), per reading."""
    fig = _figure(10, 3.6)
    left, right = fig.subplots(1, 2)
    for name, run in runs.items():
        color = READING_COLORS.get(name, COLORS[len(left.lines) % len(COLORS)])
        _escalation_axes(left, run, color, name)
        right.step(
            _steps(run),
            _war_share_by_step(run.first_war_step, run.steps),
            where="post",
            color=color,
            label=name,
        )
    left.legend(fontsize=8)
    _time_axis(right, next(iter(runs.values())))
    right.set_ylabel("share of replicates with a war so far")
    right.set_ylim(0, None)
    right.grid(alpha=0.3)
    right.legend(fontsize=8)
    return _png(fig)


def attribution_plot(payload: dict[str, Any]) -> str:
    """Each actor's Shapley value under each reading (bars, 95% intervals) and the effect of
    restraining it alone (diamonds), from ``attribution.json``."""
    readings = list(payload["readings"])
    actors = list(next(iter(payload["by_actor"].values())))
    fig = _figure(7.0, 0.9 + 0.45 * len(actors) * max(1, len(readings)) ** 0.5)
    ax = fig.add_subplot()
    height = 0.8 / max(1, len(readings))
    y = np.arange(len(actors))
    for k, reading in enumerate(readings):
        rows = [payload["by_actor"][reading][a] for a in actors]
        at = y - 0.4 + height * (k + 0.5)
        color = READING_COLORS.get(reading, COLORS[k % len(COLORS)])
        shapley = np.array([r["shapley"] for r in rows], dtype=float)
        se = np.array([r["se"] if r["se"] is not None else 0.0 for r in rows], dtype=float)
        ax.barh(at, shapley, height, xerr=1.96 * se, color=color, alpha=0.8, label=reading)
        alone = np.array([r["alone"] for r in rows], dtype=float)
        ax.plot(alone, at, "D", color="black", markersize=3.5)
    ax.axvline(0.0, color="#888", linewidth=0.8)
    ax.set_yticks(y, actors)
    ax.invert_yaxis()
    ax.set_xlabel(
        f"contribution to P({payload['outcome']['label']}) (Shapley value; diamond: alone)"
    )
    ax.legend(loc="best", fontsize="small")
    return _png(fig)


def audit_plot(payload: dict[str, Any]) -> str:
    """Left: each observer's change in perceived threat under its own lens and under each of
    the three; right: the variants, provocation against the share of the gain kept."""
    fig = _figure(10.0, 4.2)
    left, right = fig.subplots(1, 2)
    observers = list(payload["readings"])
    y = np.arange(len(observers))
    rows = [payload["readings"][o] for o in observers]
    height = 0.8 / 4
    own = np.array([r["threat"]["mean"] for r in rows], dtype=float)
    left.barh(y - 0.3, own, height, color="#444", label="own lens")
    for k, reading in enumerate(("structural", "interpretive", "bayesian")):
        values = np.array([r["under"][reading] for r in rows], dtype=float)
        left.barh(
            y - 0.1 + height * k, values, height, color=READING_COLORS[reading], label=reading
        )
    left.axvline(0.0, color="#888", linewidth=0.8)
    left.set_yticks(y, observers)
    left.invert_yaxis()
    left.set_xlabel("change in perceived threat (all others)")
    left.legend(loc="best", fontsize="small")
    act = payload["consequences"]["provocation"]["mean"]
    kept = [v for v in payload["variants"] if v["gain_kept"] is not None]
    if kept:
        right.scatter(
            [v["provocation"]["mean"] for v in kept],
            [v["gain_kept"] for v in kept],
            s=14,
            color="#1f77b4",
            label="variants",
        )
    right.scatter([act], [1.0], marker="*", s=120, color="#d62728", label="the act")
    rec = payload.get("recommendation")
    if rec is not None:
        best = next(v for v in payload["variants"] if v["label"] == rec["label"])
        right.scatter(
            [best["provocation"]["mean"]],
            [best["gain_kept"]],
            marker="o",
            s=90,
            facecolors="none",
            edgecolors="black",
            label="recommended",
        )
    right.axhline(payload["keep"], color="#888", linewidth=0.8, linestyle="--")
    right.set_xlabel("provocation (mean change in others' threat)")
    right.set_ylabel("share of the act's security gain kept")
    right.legend(loc="best", fontsize="small")
    return _png(fig)


def regret_plot(payload: dict[str, Any]) -> str:
    """Regret of each policy (rows) in each world (columns) as a heat map, beside each
    policy's largest regret."""
    policies = list(payload["policies"])
    matrix = np.array([payload["regret"][p]["by_world"] for p in policies], dtype=float)
    fig = _figure(10.0, 1.2 + 0.45 * len(policies))
    heat, bars = fig.subplots(1, 2, width_ratios=[3, 1])
    shown = heat.imshow(matrix, aspect="auto", cmap="Reds", vmin=0.0)
    heat.set_yticks(np.arange(len(policies)), policies)
    heat.set_xlabel("state of the world (see the table of worlds)")
    heat.set_title(f"regret in {payload['objective']['outcome']}")
    fig.colorbar(shown, ax=heat, fraction=0.04)
    worst = matrix.max(axis=1)
    chosen = payload["choice"].get("minimax_regret")
    colors = ["#d62728" if p == chosen else "#888" for p in policies]
    bars.barh(np.arange(len(policies)), worst, color=colors)
    bars.set_yticks(np.arange(len(policies)), [])
    bars.invert_yaxis()
    bars.set_xlabel("largest regret")
    return _png(fig)
