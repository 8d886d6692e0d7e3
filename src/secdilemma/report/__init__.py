"""A self-contained HTML report of a results directory, or of a comparison of readings.

``write_report`` reads what ``secdilemma run`` wrote (``manifest.json``, ``summary.json``,
``runs.parquet``, ``events.parquet`` and, when present, ``trajectories.parquet``) and writes
``report.html`` beside them. ``write_compare_report`` does the same for a ``compare`` directory
(``compare.json`` with one complete run directory per reading), putting the readings side by side.

The page has no scripts and loads nothing: the CSS is inline and every plot is a PNG in a
``data:`` URI, so the file can be mailed, archived or opened offline. Every sentence of the text
is built from the numbers of the run. Bands are the 10-90% range across replicates, computed
over whole arrays; the trajectories are streamed in record batches so that a run with many
states does not need the whole tidy table in memory, and per-pair plots and tables are capped
to the pairs with the highest mean final perceived threat.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
import uuid
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import MaxNLocator
from scipy import stats

from secdilemma import __version__
from secdilemma.errors import InputError

REPORT_NAME = "report.html"
NUMERIC = re.compile(r"^(n/a|[-+]?\d[\d.e+\-\u2013%]*)?$")
BAND = (0.1, 0.5, 0.9)  # lower edge, median, upper edge of the ensemble band
MAX_STATES_PLOTTED = 8  # more lines than this make the arms plot unreadable
MAX_PAIRS_PLOTTED = 6  # directed pairs per threat/belief figure (N states give N(N-1) pairs)
MAX_PAIRS_COMPARED = 4  # pairs overlaid in one panel of the comparison
MAX_EDGES = 30  # arrows per network panel
MAX_TABLE_PAIRS = 30  # rows of the per-pair tables
MAX_STATES_NARRATED = 6  # above this, the text names only the extremes
MAX_STATES_COMPARED = 10  # state rows per measure in the comparison table
ESCALATION_THRESHOLD = 12  # Rivera et al. (2024): 12 is non-violent escalation
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
SUMMARY_REQUIRED = (
    "p_war",
    "p_spiral",
    "p_tragic_spiral",
    "first_war_step_mean",
    "first_war_initiator",
    "security_change",
    "arms_change",
    "perceived_threat",
    "belief_greedy",
    "misperception_belief",
    "misperception_threat",
)
NO_TRAJECTORY_PLOTS = "arms over time, perceived threat, belief greedy and the threat network"


# --------------------------------------------------------------------------------------------
# Reading the files. Every failure becomes an InputError that names the file.


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _check_dir(directory: Path) -> Path:
    directory = Path(directory)
    if not directory.exists():
        raise InputError(str(directory), "<directory>", str(directory), "directory not found")
    if not directory.is_dir():
        raise InputError(str(directory), "<directory>", str(directory), "not a directory")
    return directory


def _missing(path: Path) -> InputError:
    return InputError(
        str(path), "<file>", path.name, "file not found (not a results directory of secdilemma?)"
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _missing(path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(str(path), "<file>", path.name, f"cannot read: {_one_line(err)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            str(path), "<json>", f"line {err.lineno}", f"not valid JSON: {err.msg}"
        ) from None
    if not isinstance(data, dict):
        raise InputError(str(path), "<json>", type(data).__name__, "expected a JSON object")
    return data


def _parquet(path: Path, columns: Sequence[str]) -> pq.ParquetFile:
    if not path.is_file():
        raise _missing(path)
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as err:
        raise InputError(
            str(path), "<file>", path.name, f"not a readable Parquet file: {_one_line(err)}"
        ) from None
    names = pf.schema_arrow.names
    for column in columns:
        if column not in names:
            raise InputError(str(path), column, None, "column missing")
    return pf


def _read_table(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    pf = _parquet(path, columns)
    try:
        return pf.read(columns=list(columns)).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise InputError(str(path), "<file>", path.name, f"cannot read: {_one_line(err)}") from None


def _codes(column: pa.Array, names: Sequence[str]) -> np.ndarray:
    """Positions in ``names`` of a (dictionary-encoded) string column: -1 for null, -2 unknown.

    The dictionary is mapped once, so the cost does not grow with the number of rows.
    """
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    pos = {name: n for n, name in enumerate(names)}
    lut = np.array([pos.get(v, -2) for v in column.dictionary.to_pylist()] + [-1], dtype=np.int64)
    indices = pc.fill_null(column.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return lut[indices]


@dataclass
class _Trajectories:
    arms: np.ndarray  # (3, T + 1, N) band of offense + defense
    pairs: list[tuple[int, int]]  # the directed pairs kept, (i, j) state positions
    threat: np.ndarray  # (3, T + 1, K) band per kept pair
    belief: np.ndarray  # (3, T + 1, K)
    network_steps: list[int]
    network: np.ndarray  # (S, N, N) mean threat over replicates at the network steps


@dataclass
class _Run:
    directory: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    ids: list[str]
    names: dict[str, str]
    lenses: dict[str, str]
    replicates: int
    steps: int
    first_war_step: np.ndarray  # (R,) -1 where there was no war
    first_war_initiator: pd.Series  # (R,) state id or None
    escalation: np.ndarray  # (T, R) per-step escalation score
    first_escalators: dict[str, float]  # per state, share of replicates in which it went first
    no_escalation_share: float  # share of replicates in which no chosen act reached the threshold
    escalation_ties: bool
    trajectories: _Trajectories | None
    trajectories_note: str | None
    trajectories_pairs: list[tuple[int, int]]  # the directed pairs asked for


def _read_manifest(directory: Path) -> tuple[dict[str, Any], list[str], dict[str, str], dict]:
    path = directory / "manifest.json"
    manifest = _read_json(path)
    for key in ("replicates", "steps", "scenario"):
        if key not in manifest:
            raise InputError(str(path), key, None, "missing from the manifest")
    scenario = manifest["scenario"]
    states = scenario.get("states") if isinstance(scenario, dict) else None
    if not isinstance(states, list) or not states:
        raise InputError(str(path), "scenario.states", states, "expected a list of states")
    ids, names, lenses = [], {}, {}
    for n, state in enumerate(states):
        if not isinstance(state, dict) or "id" not in state:
            raise InputError(str(path), f"scenario.states.{n}.id", None, "missing")
        sid = str(state["id"])
        ids.append(sid)
        names[sid] = str(state.get("name") or sid)
        lenses[sid] = str(state.get("lens", ""))
    return manifest, ids, names, lenses


def _check_summary(summary: dict[str, Any], source: str) -> dict[str, Any]:
    for key in SUMMARY_REQUIRED:
        if key not in summary:
            raise InputError(source, key, None, "missing from the summary")
    return summary


def _state_positions(ids: Sequence[str]) -> dict[str, int]:
    return {sid: n for n, sid in enumerate(ids)}


def _top_pairs(
    summaries: Iterable[dict[str, Any]], ids: Sequence[str], limit: int
) -> list[tuple[int, int]]:
    """The directed pairs with the highest mean final perceived threat (averaged over readings).

    The ranking comes from summary.json, so the pairs are known before the trajectories are
    streamed and only their rows need to be kept per replicate.
    """
    pos = _state_positions(ids)
    scores: dict[tuple[int, int], list[float]] = {}
    for summary in summaries:
        for key, value in (summary.get("perceived_threat") or {}).items():
            i, _, j = key.partition("->")
            if i in pos and j in pos and i != j and isinstance(value, int | float):
                scores.setdefault((pos[i], pos[j]), []).append(float(value))
    ranked = sorted(scores, key=lambda p: (-float(np.mean(scores[p])), p))
    return ranked[:limit]


def _network_steps(steps: int) -> list[int]:
    return sorted({0, steps // 2, steps})


def _read_trajectories(
    path: Path, ids: Sequence[str], replicates: int, steps: int, pairs: list[tuple[int, int]]
) -> tuple[_Trajectories | None, str | None]:
    if not path.exists():
        return None, "trajectories.parquet is missing"
    columns = ("run_id", "t", "i", "j", "variable", "value")
    pf = _parquet(path, columns)
    if pf.metadata.num_rows == 0:
        return None, "trajectories.parquet is empty (the run was made with --no-trajectories)"
    T1, R, N, K = steps + 1, replicates, len(ids), len(pairs)
    variables = ("offense", "defense", "threat", "belief_greedy")
    # Dense arrays indexed [t, replicate, ...]: the tidy rows are scattered into them batch by
    # batch, and the bands are then one nanquantile over the replicate axis.
    offense = np.full((T1, R, N), np.nan, dtype=np.float32)
    defense = np.full((T1, R, N), np.nan, dtype=np.float32)
    threat = np.full((T1, R, K), np.nan, dtype=np.float32)
    belief = np.full((T1, R, K), np.nan, dtype=np.float32)
    slot_of_pair = np.full((N + 1, N + 1), -1, dtype=np.int64)  # row/col N takes the -1 codes
    for k, (i, j) in enumerate(pairs):
        slot_of_pair[i, j] = k
    net_steps = _network_steps(steps)
    slot_of_step = np.full(T1, -1, dtype=np.int64)
    slot_of_step[net_steps] = np.arange(len(net_steps))
    net_sum = np.zeros(len(net_steps) * N * N)
    net_count = np.zeros(len(net_steps) * N * N)
    try:
        batches = pf.iter_batches(batch_size=1 << 20, columns=list(columns))
        for batch in batches:
            var = _codes(batch.column("variable"), variables)
            keep = var >= 0
            if not keep.any():
                continue
            var = var[keep]
            r = batch.column("run_id").to_numpy(zero_copy_only=False)[keep].astype(np.int64)
            t = batch.column("t").to_numpy(zero_copy_only=False)[keep].astype(np.int64)
            i = _codes(batch.column("i"), ids)[keep]
            j = _codes(batch.column("j"), ids)[keep]
            value = batch.column("value").to_numpy(zero_copy_only=False)[keep]
            _check_codes(path, r, t, i, j, R, steps, ids)
            for code, target in ((0, offense), (1, defense)):
                m = var == code
                target[t[m], r[m], i[m]] = value[m]
            m = (var == 2) & (i >= 0) & (j >= 0)
            slot = slot_of_step[t[m]]
            s = slot >= 0
            flat = (slot[s] * N + i[m][s]) * N + j[m][s]
            net_sum += np.bincount(flat, weights=value[m][s], minlength=net_sum.size)
            net_count += np.bincount(flat, minlength=net_count.size)
            for code, target in ((2, threat), (3, belief)):
                m = var == code
                k = slot_of_pair[i[m], j[m]]
                s = k >= 0
                target[t[m][s], r[m][s], k[s]] = value[m][s]
    except (OSError, pa.ArrowException) as err:
        raise InputError(str(path), "<file>", path.name, f"cannot read: {_one_line(err)}") from None
    with np.errstate(invalid="ignore", divide="ignore"):
        network = (net_sum / net_count).reshape(len(net_steps), N, N)
    return (
        _Trajectories(
            arms=_bands(offense + defense),
            pairs=pairs,
            threat=_bands(threat),
            belief=_bands(belief),
            network_steps=net_steps,
            network=network,
        ),
        None,
    )


def _check_codes(
    path: Path,
    r: np.ndarray,
    t: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    replicates: int,
    steps: int,
    ids: Sequence[str],
) -> None:
    if r.size and (r.min() < 0 or r.max() >= replicates):
        raise InputError(str(path), "run_id", int(r.max()), "outside the manifest's replicates")
    if t.size and (t.min() < 0 or t.max() > steps):
        raise InputError(str(path), "t", int(t.max()), "outside the manifest's steps")
    if (i == -2).any() or (j == -2).any():
        raise InputError(str(path), "i/j", None, f"a state not in manifest.json ({list(ids)})")


def _bands(values: np.ndarray) -> np.ndarray:
    """(3, T, ...) quantiles over axis 1 (replicates); NaN where no replicate has a value."""
    if values.size == 0:
        return np.empty((3, values.shape[0], *values.shape[2:]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are expected, kept NaN
        return np.nanquantile(values.astype(np.float64), BAND, axis=1)


def _load_run(
    directory: Path,
    summary: dict[str, Any] | None = None,
    pairs: list[tuple[int, int]] | None = None,
) -> _Run:
    directory = _check_dir(directory)
    manifest, ids, names, lenses = _read_manifest(directory)
    summary_path = directory / "summary.json"
    if summary is None:
        summary = _read_json(summary_path)
    _check_summary(summary, str(summary_path))
    R, T = int(manifest["replicates"]), int(manifest["steps"])
    runs_path = directory / "runs.parquet"
    runs = _read_table(runs_path, ("war", "first_war_step", "first_war_initiator"))
    if len(runs) != R:
        raise InputError(str(runs_path), "<rows>", len(runs), f"expected {R} replicates")
    events_path = directory / "events.parquet"
    events = _read_table(events_path, ("run_id", "t", "actor", "scheduled", "escalation"))
    run_id = events["run_id"].to_numpy(dtype=np.int64)
    t = events["t"].to_numpy(dtype=np.int64)
    if len(events) and (run_id.max() >= R or t.max() >= T or run_id.min() < 0 or t.min() < 0):
        raise InputError(str(events_path), "run_id/t", None, "outside the manifest's run")
    # Per-step score of each replicate: the sum of the scores of its acts that step (waiting
    # scores 0 and is not written), so steps without acts count as 0.
    escalation = np.bincount(
        t * R + run_id, weights=events["escalation"].to_numpy(dtype=float), minlength=T * R
    ).reshape(T, R)
    first, none_share, ties = _first_escalators(events, ids, R)
    if pairs is None:
        pairs = _top_pairs([summary], ids, MAX_PAIRS_PLOTTED)
    trajectories, note = _read_trajectories(directory / "trajectories.parquet", ids, R, T, pairs)
    return _Run(
        directory=directory,
        manifest=manifest,
        summary=summary,
        ids=ids,
        names=names,
        lenses=lenses,
        replicates=R,
        steps=T,
        first_war_step=np.where(
            runs["war"].to_numpy(dtype=bool), runs["first_war_step"].to_numpy(dtype=np.int64), -1
        ),
        first_war_initiator=runs["first_war_initiator"],
        escalation=escalation,
        first_escalators=first,
        no_escalation_share=none_share,
        escalation_ties=ties,
        trajectories=trajectories,
        trajectories_note=note,
        trajectories_pairs=pairs,
    )


def _first_escalators(
    events: pd.DataFrame, ids: Sequence[str], replicates: int
) -> tuple[dict[str, float], float, bool]:
    """Who first chose an act scoring at least ESCALATION_THRESHOLD, per replicate.

    Scheduled acts are left out: they are the scenario's record, the same under every reading,
    so they say nothing about who the model makes escalate.
    """
    chosen = events.loc[
        ~events["scheduled"].to_numpy(dtype=bool)
        & (events["escalation"].to_numpy(dtype=float) >= ESCALATION_THRESHOLD),
        ["run_id", "t", "actor"],
    ]
    if chosen.empty:
        return {sid: 0.0 for sid in ids}, 1.0, False
    first_t = chosen.groupby("run_id")["t"].transform("min")
    firsts = chosen.loc[chosen["t"] == first_t, ["run_id", "actor"]].astype(str).drop_duplicates()
    counts = firsts["actor"].value_counts()
    shares = {sid: float(counts.get(sid, 0)) / replicates for sid in ids}
    none_share = 1.0 - firsts["run_id"].nunique() / replicates
    return shares, none_share, bool(firsts["run_id"].duplicated().any())


# --------------------------------------------------------------------------------------------
# Numbers and words.


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _is_num(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _count(share: Any, replicates: int) -> int:
    # Shares in the summary are means of booleans over the replicates, so this is exact.
    return int(round(float(share) * replicates)) if _is_num(share) else 0


def binomial_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (exact) interval for a binomial proportion."""
    if trials <= 0:
        return math.nan, math.nan
    alpha = 1.0 - level
    lo = stats.beta.ppf(alpha / 2, successes, trials - successes + 1) if successes > 0 else 0.0
    hi = (
        stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)
        if successes < trials
        else 1.0
    )
    return float(lo), float(hi)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _label(run: _Run, sid: str) -> str:
    name = run.names.get(sid, sid)
    return sid if name == sid else f"{name} ({sid})"


def _arrow(key: str) -> str:
    return key.replace("->", "\u2192")


def _list_words(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _war_sentences(run: _Run) -> list[str]:
    s, R = run.summary, run.replicates
    p = s["p_war"]
    k = _count(p, R)
    lo, hi = binomial_interval(k, R)
    interval = f"95% interval {lo:.3f}\u2013{hi:.3f}, Clopper\u2013Pearson"
    if k == 0:
        return [f"No replicate had a war: 0 of {R} (war rate {_num(p)}; {interval})."]
    out = [f"War broke out in {k} of {R} replicates: war rate {_num(p)} ({interval})."]
    steps = run.first_war_step[run.first_war_step >= 0]
    if steps.size == 0:  # runs.parquet disagrees with the summary; say only what is known
        return out
    out.append(
        f"Among the replicates with a war, the first war began at step "
        f"{_num(s['first_war_step_mean'], 1)} on average (median {np.median(steps):g}, earliest "
        f"{steps.min()}, latest {steps.max()}; the steps run from 0 to {run.steps - 1})."
    )
    initiators = run.first_war_initiator[run.first_war_step >= 0].dropna().astype(str)
    counts = initiators.value_counts()
    started = [
        f"{_label(run, sid)} in {_plural(int(n), 'replicate')} ({n / k:.1%})"
        for sid, n in counts.items()
    ]
    never = [_label(run, sid) for sid in run.ids if sid not in counts.index]
    text = f"The first war was started by {_list_words(started)}."
    if never and len(never) <= MAX_STATES_NARRATED:
        text += f" {_list_words(never)} never started the first war."
    elif never:
        text += f" The other {len(never)} states never started the first war."
    out.append(text)
    causes = s.get("wars_by_cause") or {}
    named = [f"{cause} {_num(v)}" for cause, v in causes.items() if _is_num(v) and v > 0]
    if named:
        out.append(f"Wars per replicate by how they began (mean): {', '.join(named)}.")
    return out


def _spiral_sentence(run: _Run) -> str:
    s, R = run.summary, run.replicates
    k, kt = _count(s["p_spiral"], R), _count(s["p_tragic_spiral"], R)
    return (
        f"A spiral (two states both arming while each perceives a rising threat from the other) "
        f"occurred in {k} of {R} replicates ({_num(s['p_spiral'])}); a tragic spiral (between "
        f"security seekers, leaving neither more secure) in {kt} ({_num(s['p_tragic_spiral'])})."
    )


def _escalation_sentences(run: _Run) -> list[str]:
    out = []
    mean = run.summary.get("escalation_score_mean")
    if _is_num(mean):
        out.append(
            f"The escalation score (the sum of the Rivera et al. 2024 scores of all acts in a "
            f"step) averaged {_num(mean, 2)} per step over steps and replicates."
        )
    firsts = sorted(
        ((v, sid) for sid, v in run.first_escalators.items() if v > 0), key=lambda x: -x[0]
    )
    rule = (
        f"Counting only acts the states chose (not scheduled ones) that score "
        f"{ESCALATION_THRESHOLD} or more (non-violent escalation or worse)"
    )
    if not firsts:
        out.append(f"{rule}, no state escalated in any replicate.")
        return out
    shown = firsts[:MAX_STATES_NARRATED]
    parts = [f"{_label(run, sid)} in {share:.1%}" for share, sid in shown]
    text = f"{rule}, the first to escalate was {_list_words(parts)} of the replicates"
    if len(firsts) > len(shown):
        text += f" (and {len(firsts) - len(shown)} other states less often)"
    text += f"; no state escalated that far in {run.no_escalation_share:.1%}."
    if run.escalation_ties:
        text += " States that first escalated in the same step each count."
    out.append(text)
    return out


def _change_words(value: Any, relative: bool) -> str:
    if not _is_num(value):
        return "has no value"
    if relative:
        if abs(value) < 0.0005:
            return "did not change on average"
        return f"{'grew' if value > 0 else 'shrank'} by {abs(value):.1%}"
    if abs(value) < 0.0005:
        return "did not change on average"
    return f"{'rose' if value > 0 else 'fell'} by {abs(value):.3f}"


def _state_sentences(run: _Run) -> list[str]:
    security, arms = run.summary["security_change"], run.summary["arms_change"]
    if len(run.ids) <= MAX_STATES_NARRATED:
        return [
            f"{_label(run, sid)}: actual security {_change_words(security.get(sid), False)} "
            f"(mean of end minus start); arms (offense plus defense) "
            f"{_change_words(arms.get(sid), True)} (mean of end over start)."
            for sid in run.ids
        ]
    out = []
    for title, values, relative in (
        ("Actual security", security, False),
        ("Arms (offense plus defense)", arms, True),
    ):
        known = sorted(
            ((float(v), sid) for sid, v in values.items() if _is_num(v)), key=lambda x: x[0]
        )
        if not known:
            continue
        (low, low_id), (high, high_id) = known[0], known[-1]
        out.append(
            f"{title} of {_label(run, high_id)} {_change_words(high, relative)}, the most "
            f"of {len(known)} states; that of {_label(run, low_id)} "
            f"{_change_words(low, relative)}, the least."
        )
    return out


def _gap_sentences(run: _Run) -> list[str]:
    out = []
    for key, what in (
        ("misperception_belief", "belief that the other is greedy"),
        ("misperception_threat", "perceived threat"),
    ):
        gaps = [(k, float(v)) for k, v in run.summary[key].items() if _is_num(v)]
        gaps.sort(key=lambda kv: (-abs(kv[1]), kv[0]))
        if not gaps:
            continue
        if abs(gaps[0][1]) < 0.0005:
            out.append(f"No pair's final {what} differs from the other's true greed on average.")
            continue
        parts = []
        for pair, gap in gaps[:3]:
            if abs(gap) < 0.0005:
                break
            i, _, j = pair.partition("->")
            verb = "overrates" if gap > 0 else "underrates"
            parts.append(f"{_arrow(pair)} {gap:+.3f} ({i} {verb} {j})")
        out.append(
            f"Largest gaps between final {what} and the other's true greed (mean over "
            f"replicates): {'; '.join(parts)}."
        )
    return out


def _record_sentence(run: _Run) -> list[str]:
    facts = _facts(run.summary.get("record"))
    if not facts:
        return []
    parts = [f"\u201c{d}\u201d in {v:.1%}" for d, v in facts if _is_num(v)]
    if not parts:
        return []
    return [f"Facts of the historical record reproduced (share of replicates): {'; '.join(parts)}."]


def _narrative(run: _Run) -> list[str]:
    return [
        *_war_sentences(run),
        _spiral_sentence(run),
        *_escalation_sentences(run),
        *_state_sentences(run),
        *_gap_sentences(run),
        *_record_sentence(run),
    ]


# --------------------------------------------------------------------------------------------
# Plots: matplotlib Figure objects on the Agg canvas (no pyplot, so no global state).


def _figure(width: float, height: float, **kwargs: Any) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _steps_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    ax.set_xlabel("step")


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


def _arms_axes(ax: Any, run: _Run, states: Sequence[int], log: bool, legend: bool = True) -> None:
    tr = run.trajectories
    assert tr is not None
    x = np.arange(run.steps + 1)
    for c, n in enumerate(states):
        _band(ax, x, tr.arms[:, :, n], COLORS[c % len(COLORS)], run.ids[n])
    if log:
        ax.set_yscale("log")
    _steps_axis(ax)
    ax.set_ylabel("offense + defense")
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=8, loc="best")


def _arms_plot(run: _Run) -> tuple[str, list[int], bool]:
    tr = run.trajectories
    assert tr is not None
    states = _arms_order([tr.arms], MAX_STATES_PLOTTED)
    log = _log_scale(tr.arms[:, :, states])
    fig = _figure(9, 4.2)
    _arms_axes(fig.add_subplot(), run, states, log)
    return _png(fig), states, log


def _pair_grid(run: _Run, which: str, ylabel: str) -> str:
    tr = run.trajectories
    assert tr is not None
    bands = tr.threat if which == "threat" else tr.belief
    K = len(tr.pairs)
    cols = min(3, K)
    rows = -(-K // cols)
    fig = _figure(3.4 * cols + 0.6, 2.6 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    x = np.arange(run.steps + 1)
    for k, (i, j) in enumerate(tr.pairs):
        ax = axes.flat[k]
        _band(ax, x, bands[:, :, k], COLORS[k % len(COLORS)], "")
        ax.set_title(f"{run.ids[i]} \u2192 {run.ids[j]}", fontsize=10)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.flat[K:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        _steps_axis(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    return _png(fig)


def _circle(n: int) -> np.ndarray:
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    return np.column_stack([np.cos(angle), np.sin(angle)])


def _network_plot(run: _Run) -> tuple[str, int]:
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
        when = " (start)" if step == 0 else " (end)" if step == run.steps else ""
        ax.set_title(f"t = {step}{when}", fontsize=10)
        ax.set_xlim(-1.3, 1.3)
        ax.set_ylim(-1.3, 1.3)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.colorbar(mappable, ax=list(axes), shrink=0.8, label="mean perceived threat")
    return _png(fig), edges_shown


def _war_share_by_step(first_war_step: np.ndarray, steps: int) -> np.ndarray:
    """Share of replicates in which a war has begun by each step (wars last one step here)."""
    began = np.bincount(first_war_step[first_war_step >= 0], minlength=steps)[:steps]
    return np.cumsum(began) / first_war_step.size


def _war_plot(run: _Run) -> str:
    steps = run.first_war_step[run.first_war_step >= 0]
    fig = _figure(10, 3.6)
    left, right = fig.subplots(1, 2)
    left.hist(steps, bins=np.arange(run.steps + 1) - 0.5, color="#d62728", alpha=0.8)
    _steps_axis(left)
    left.set_xlabel("step of the first war")
    left.set_ylabel("replicates")
    left.set_xlim(-0.5, run.steps - 0.5)
    left.grid(alpha=0.3)
    right.step(
        np.arange(run.steps),
        _war_share_by_step(run.first_war_step, run.steps),
        where="post",
        color="#d62728",
    )
    _steps_axis(right)
    right.set_ylabel("share of replicates with a war so far")
    right.set_ylim(0, None)
    right.grid(alpha=0.3)
    return _png(fig)


def _escalation_axes(ax: Any, run: _Run, color: str, label: str) -> None:
    x = np.arange(run.steps)
    q = np.quantile(run.escalation, [BAND[0], BAND[2]], axis=1)
    ax.fill_between(x, q[0], q[1], color=color, alpha=0.18, linewidth=0)
    ax.plot(x, run.escalation.mean(axis=1), color=color, linewidth=1.8, label=label)
    _steps_axis(ax)
    ax.set_ylabel("escalation score per step")
    ax.grid(alpha=0.3)


def _escalation_plot(run: _Run) -> str:
    fig = _figure(9, 3.6)
    ax = fig.add_subplot()
    _escalation_axes(ax, run, "#9467bd", "mean")
    ax.legend(fontsize=8)
    return _png(fig)


# --------------------------------------------------------------------------------------------
# HTML.

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:1120px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.45;background:#fff}
h1{margin:.2em 0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.88em}
th,td{border:1px solid #d8d8d8;padding:.22em .55em;text-align:right;vertical-align:top}
th{text-align:left}
th:first-child,td:first-child,td.text{text-align:left}
thead th{background:#f2f4f7}
img{max-width:100%;height:auto;display:block;margin:.4em 0}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:.4em .9em}
.caption{color:#555;font-size:.9em;margin-top:0}
.description{color:#444}
nav{font-size:.9em;margin:1em 0}nav a{margin-right:.9em}
ul.narrative li{margin:.25em 0}
footer{margin-top:3em;color:#777;font-size:.85em}
"""


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str | None = None) -> str:
    """Cells are HTML already (escaped text or a <td>-less fragment); header cells are text."""
    out = [f"<table{f' class={chr(34)}{cls}{chr(34)}' if cls else ''}><thead><tr>"]
    out += [f"<th>{_esc(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(_cell(c) for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _cell(cell: Any) -> str:
    text, attrs = cell if isinstance(cell, tuple) else (cell, {})  # (text, {attribute: value})
    extra = "".join(f' {k}="{_esc(v)}"' for k, v in attrs.items())
    if not NUMERIC.match(str(text)):
        extra += ' class="text"'  # numbers align right, words left
    return f"<td{extra}>{_esc(text)}</td>"


def _img(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{_esc(alt)}">'


def _note(text: str) -> str:
    return f'<p class="note">{_esc(text)}</p>'


def _caption(text: str) -> str:
    return f'<p class="caption">{_esc(text)}</p>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_esc(title)}</h2>{body}</section>'


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}"
        f"<footer>Written by secdilemma {_esc(__version__)} (secdilemma report). "
        "Self-contained: no scripts, no external files; plots are embedded PNG images."
        "</footer></body></html>\n"
    )


def _header(run: _Run) -> str:
    m, scenario = run.manifest, run.manifest["scenario"]
    name = scenario.get("name") or run.summary.get("scenario") or run.directory.name
    description = " ".join(str(scenario.get("description") or "").split())
    rows = [
        ("replicates", m.get("replicates")),
        ("steps", m.get("steps")),
        ("seed", m.get("seed")),
        ("version", m.get("version")),
        ("git commit", m.get("git_hash")),
        ("created", m.get("created")),
        ("overrides", " ".join(m.get("overrides") or []) or "none"),
    ]
    meta = _table(
        ("run", "value"),
        [(k, (_num(v) if v is not None else "n/a", {"data-key": k})) for k, v in rows],
        "meta",
    )
    states = _table(
        ("id", "name", "lens", "policy"),
        [
            (s.get("id", ""), s.get("name", ""), s.get("lens", ""), s.get("policy", ""))
            for s in scenario.get("states", [])
        ],
    )
    return (
        f"<header><h1>{_esc(name)}</h1>"
        f'<p class="description">{_esc(description)}</p>{meta}'
        f"<details><summary>{_plural(len(run.ids), 'state')}</summary>{states}</details>"
        "</header>"
    )


def _headline_rows(run: _Run) -> list[tuple[str, Any]]:
    s, R = run.summary, run.replicates
    lo, hi = binomial_interval(_count(s["p_war"], R), R)
    return [
        ("war rate", (_num(s["p_war"]), {"data-key": "p_war"})),
        ("95% interval of the war rate", (f"{lo:.3f}\u2013{hi:.3f}", {"data-key": "p_war_ci"})),
        *([(OPTIONAL_RATES[k], (_num(s[k]), {"data-key": k})) for k in OPTIONAL_RATES if k in s]),
        (
            "mean step of the first war",
            (_num(s["first_war_step_mean"], 1), {"data-key": "first_war_step_mean"}),
        ),
        ("spiral rate", (_num(s["p_spiral"]), {"data-key": "p_spiral"})),
        ("tragic spiral rate", (_num(s["p_tragic_spiral"]), {"data-key": "p_tragic_spiral"})),
        (
            "escalation score per step",
            (_num(s.get("escalation_score_mean"), 2), {"data-key": "escalation_score_mean"}),
        ),
    ]


# Rates shown beside the war rate when the summary has them (newer summaries do).
OPTIONAL_RATES = {
    "p_war_unscheduled": "rate of wars not scheduled by the scenario",
    "p_accidental_war": "accidental war rate",
}
# Scalars of the summary that the header or the headline table already show.
SHOWN_ELSEWHERE = {
    *OPTIONAL_RATES,
    "scenario",
    "replicates",
    "steps",
    "seed",
    "p_war",
    "first_war_step_mean",
    "p_spiral",
    "p_tragic_spiral",
    "escalation_score_mean",
}
STATE_COLUMNS = {
    "security_change": "security change",
    "arms_change": "arms change",
    "wealth_change": "wealth change",
    "first_war_initiator": "started the first war",
    "aggressor": "waged a war of aggression",
}
DIRECTED_COLUMNS = {
    "perceived_threat": "perceived threat",
    "belief_greedy": "belief greedy",
    "misperception_belief": "belief gap",
    "misperception_threat": "threat gap",
    "attribution_asymmetry": "attribution gap",
    "trust_end": "trust",
}
PAIR_COLUMNS = {
    "p_war_pair": "war rate",
    "p_spiral_pair": "spiral rate",
    "alliance_end": "allied at end",
    "agreement_end": "agreement at end",
}


def _summary_tables(run: _Run) -> str:
    s, ids = run.summary, run.ids
    idset = set(ids)
    directed = {f"{a}->{b}" for a in ids for b in ids if a != b}
    unordered = {"-".join(sorted((a, b))) for a in ids for b in ids if a != b}
    # Known keys get readable names; any other per-state or per-pair key the summary grows
    # later still lands in the right table under its own name.
    state_cols, directed_cols, pair_cols, others, scalars, lists = {}, {}, {}, {}, {}, {}
    for key, value in s.items():
        if isinstance(value, dict):
            keys = set(value)
            if key in STATE_COLUMNS or (keys and keys <= idset):
                state_cols[key] = STATE_COLUMNS.get(key, key)
            elif key in DIRECTED_COLUMNS or (keys and keys <= directed):
                directed_cols[key] = DIRECTED_COLUMNS.get(key, key)
            elif key in PAIR_COLUMNS or (keys and keys <= unordered):
                pair_cols[key] = PAIR_COLUMNS.get(key, key)
            else:
                others[key] = value
        elif isinstance(value, list):
            lists[key] = value
        elif key not in SHOWN_ELSEWHERE:
            scalars[key] = value
    parts = ["<h3>Per state</h3>"]
    parts.append(
        _table(
            ("state", "name", *state_cols.values()),
            [
                (
                    sid,
                    run.names[sid],
                    *(
                        (_num((s[k] or {}).get(sid)), {"data-key": f"{k}.{sid}"})
                        for k in state_cols
                    ),
                )
                for sid in ids
            ],
        )
    )
    parts.append(
        _caption(
            "Changes are means over replicates: security end minus start; arms (offense plus "
            "defense) and wealth end over start minus one. 'Started the first war' and 'waged a "
            "war of aggression' are shares of all replicates."
        )
    )
    ranked = sorted(
        directed,
        key=lambda k: (-(v if _is_num(v := s["perceived_threat"].get(k)) else -1.0), k),
    )
    shown = ranked[:MAX_TABLE_PAIRS]
    parts.append("<h3>Per directed pair (i \u2192 j: how i sees j)</h3>")
    parts.append(
        _table(
            ("pair", *directed_cols.values()),
            [
                (
                    _arrow(pair),
                    *(
                        (_num((s[k] or {}).get(pair)), {"data-key": f"{k}.{pair}"})
                        for k in directed_cols
                    ),
                )
                for pair in shown
            ],
        )
    )
    note = (
        "Final values, means over replicates. Gaps are i's final belief (or perceived threat) "
        "minus j's true greed; the attribution gap is i's reading of j's acts minus j's own "
        "rating of them."
    )
    if len(ranked) > len(shown):
        note += (
            f" Showing the {len(shown)} of {len(ranked)} pairs with the highest perceived threat."
        )
    parts.append(_caption(note))
    if pair_cols:
        pairs = sorted(
            unordered,
            key=lambda k: (-(v if _is_num(v := (s.get("p_war_pair") or {}).get(k)) else -1.0), k),
        )
        shown_pairs = pairs[:MAX_TABLE_PAIRS]
        parts.append("<h3>Per pair</h3>")
        parts.append(
            _table(
                ("pair", *pair_cols.values()),
                [
                    (
                        pair,
                        *(
                            (_num((s[k] or {}).get(pair)), {"data-key": f"{k}.{pair}"})
                            for k in pair_cols
                        ),
                    )
                    for pair in shown_pairs
                ],
            )
        )
        if len(pairs) > len(shown_pairs):
            parts.append(
                _caption(
                    f"Showing the {len(shown_pairs)} of {len(pairs)} pairs with the highest "
                    "war rate."
                )
            )
    for key, value in others.items():
        rows = sorted(value.items(), key=lambda kv: -kv[1] if _is_num(kv[1]) else 0.0)
        parts.append(f"<h3>{_esc(key)}</h3>")
        parts.append(
            _table((key, "value"), [(k, (_num(v), {"data-key": f"{key}.{k}"})) for k, v in rows])
        )
    for key, value in lists.items():
        facts = _facts(value)
        if key == "record" and facts:
            parts.append("<h3>Historical record</h3>")
            parts.append(
                _table(
                    ("fact", "share of replicates reproducing it"),
                    [(d, (_num(v), {"data-key": f"record.{n}"})) for n, (d, v) in enumerate(facts)],
                )
            )
        elif value:
            parts.append(f"<h3>{_esc(key)}</h3>" + _generic(value))
    parts.append("<h3>Other measures</h3>")
    parts.append(
        _table(
            ("measure", "value"),
            [(k, (_num(v), {"data-key": k})) for k, v in scalars.items()],
        )
    )
    return "".join(parts)


def _trajectory_sections(run: _Run) -> list[str]:
    tr = run.trajectories
    if tr is None:
        note = _note(
            f"Not available: {run.trajectories_note}, so these plots cannot be drawn: "
            f"{NO_TRAJECTORY_PLOTS}. Run the scenario again without --no-trajectories to get them."
        )
        return [
            _section("arms", "Arms over time", note),
            _section("threat", "Perceived threat", note),
            _section("belief", "Belief that the other is greedy", note),
            _section("network", "Threat network", note),
        ]
    N = len(run.ids)
    uri, states, log = _arms_plot(run)
    arms_caption = (
        "Median (line) and 10\u201390% band across replicates of each state's offense plus defense."
    )
    if len(states) < N:
        arms_caption += (
            f" Showing the {len(states)} of {N} states with the largest median at the end."
        )
    if log:
        arms_caption += " Log scale: the states' arms differ by orders of magnitude."
    sections = [
        _section("arms", "Arms over time", _img(uri, "arms over time") + _caption(arms_caption))
    ]
    n_directed = N * (N - 1)
    chosen = (
        f"the {len(tr.pairs)} of {n_directed} directed pairs with the highest mean final "
        "perceived threat"
        if len(tr.pairs) < n_directed
        else "every directed pair"
    )
    for anchor, title, which, ylabel in (
        ("threat", "Perceived threat", "threat", "perceived threat"),
        ("belief", "Belief that the other is greedy", "belief", "belief greedy"),
    ):
        if not tr.pairs:
            sections.append(_section(anchor, title, _note("No pairs: the scenario has one state.")))
            continue
        body = _img(_pair_grid(run, which, ylabel), title) + _caption(
            f"i \u2192 j is i's {ylabel} of j: median and 10\u201390% band across replicates, "
            f"for {chosen}."
        )
        sections.append(_section(anchor, title, body))
    if N == 1:
        sections.append(
            _section("network", "Threat network", _note("No pairs: the scenario has one state."))
        )
    else:
        uri, edges = _network_plot(run)
        cap = (
            "States on a circle; an arrow i \u2192 j is i's perceived threat from j, mean over "
            "replicates, wider and darker when higher (one colour scale, 0 to 1, for all panels)."
        )
        if edges < n_directed:
            cap += f" At most the {MAX_EDGES} strongest of the {n_directed} arrows per panel."
        sections.append(
            _section("network", "Threat network", _img(uri, "threat network") + _caption(cap))
        )
    return sections


def _war_section(run: _Run) -> str:
    if not (run.first_war_step >= 0).any():
        return _section(
            "war-timing",
            "War timing",
            _note(f"No replicate had a war in {run.steps} steps, so there is no timing to plot."),
        )
    body = _img(_war_plot(run), "war timing") + _caption(
        "Left: the step of the first war in the replicates with a war. Right: the share of all "
        "replicates in which a war has begun by each step (wars here are events of one step, so "
        "this is the cumulative share, not the share at war)."
    )
    return _section("war-timing", "War timing", body)


def _escalation_section(run: _Run) -> str:
    body = _img(_escalation_plot(run), "escalation over time") + _caption(
        "Mean across replicates (line) and 10\u201390% band of the per-step escalation score, "
        "the sum of the Rivera et al. (2024) scores of the acts taken in that step (from "
        "events.parquet)."
    )
    return _section("escalation", "Escalation over time", body)


def _sources(run: _Run) -> str:
    sources = run.manifest["scenario"].get("sources") or []
    if not sources:
        return ""
    items = "".join(f"<li>{_esc(s)}</li>" for s in sources)
    return _section("sources", "Scenario sources", f"<ul>{items}</ul>")


NAV = (
    ("summary", "Summary"),
    ("arms", "Arms"),
    ("threat", "Threat"),
    ("belief", "Belief"),
    ("network", "Network"),
    ("war-timing", "War timing"),
    ("escalation", "Escalation"),
    ("tables", "Tables"),
)


def _run_body(run: _Run) -> str:
    nav = "<nav>" + "".join(f'<a href="#{a}">{_esc(t)}</a>' for a, t in NAV) + "</nav>"
    notes = ""
    if run.trajectories is None:
        notes = _note(
            f"Some plots are unavailable ({NO_TRAJECTORY_PLOTS}): {run.trajectories_note}."
        )
    summary = (
        '<ul class="narrative">'
        + "".join(f"<li>{_esc(sentence)}</li>" for sentence in _narrative(run))
        + "</ul>"
        + _table(("measure", "value"), _headline_rows(run), "headline")
    )
    return "".join(
        [
            _header(run),
            nav,
            notes,
            _section("summary", "Summary", summary),
            *_trajectory_sections(run),
            _war_section(run),
            _escalation_section(run),
            _section("tables", "Tables", _summary_tables(run)),
            _sources(run),
        ]
    )


def _write_atomic(path: Path, text: str) -> Path:
    """Write via a temporary file in the same directory and rename it into place, so a reader
    sees the old report or the new one, never a partial file."""
    # open(..., "x") rather than mkstemp: the file gets the usual umask mode, not 0600.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise InputError(
                str(path), "<file>", path.name, f"cannot write: {_one_line(err)}"
            ) from None
        raise
    return path


def write_report(directory: Path) -> Path:
    """Write ``report.html`` in a results directory from the files in it; return its path.

    Raises :class:`~secdilemma.errors.InputError` naming the file when the directory or a
    required file (manifest.json, summary.json, runs.parquet, events.parquet) is missing or
    unreadable. A missing or empty trajectories.parquet is not an error: the report says which
    plots are unavailable.
    """
    return _write_run_report(_load_run(Path(directory)))


def _write_run_report(run: _Run) -> Path:
    name = run.manifest["scenario"].get("name") or run.directory.name
    page = _page(f"{name}: secdilemma report", _run_body(run))
    return _write_atomic(run.directory / REPORT_NAME, page)


# --------------------------------------------------------------------------------------------
# Comparison of readings.


def _compared_states(runs: dict[str, _Run]) -> list[str]:
    """All states when few; else those most often first to war or to escalate, over readings."""
    ids = next(iter(runs.values())).ids
    if len(ids) <= MAX_STATES_COMPARED:
        return list(ids)
    score = {
        sid: sum(
            float(r.summary["first_war_initiator"].get(sid) or 0.0)
            + r.first_escalators.get(sid, 0.0)
            for r in runs.values()
        )
        for sid in ids
    }
    ranked = sorted(ids, key=lambda sid: -score[sid])[:MAX_STATES_COMPARED]
    return [sid for sid in ids if sid in ranked]


def _reading_table(runs: dict[str, _Run], pairs: list[tuple[int, int]]) -> str:
    names = list(runs)
    ids = next(iter(runs.values())).ids
    states = _compared_states(runs)

    def row(label: str, key: str, fn: Any) -> tuple:
        return (label, *((fn(r), {"data-reading": n, "data-key": key}) for n, r in runs.items()))

    def interval(r: _Run) -> str:
        lo, hi = binomial_interval(_count(r.summary["p_war"], r.replicates), r.replicates)
        return f"{lo:.3f}\u2013{hi:.3f}"

    rows = [
        row("replicates", "replicates", lambda r: str(r.replicates)),
        row("war rate", "p_war", lambda r: _num(r.summary["p_war"])),
        row("95% interval of the war rate", "p_war_ci", interval),
        row(
            "mean step of the first war",
            "first_war_step_mean",
            lambda r: _num(r.summary["first_war_step_mean"], 1),
        ),
        *(
            row(label, key, lambda r, key=key: _num(r.summary.get(key)))
            for key, label in OPTIONAL_RATES.items()
            if all(key in r.summary for r in runs.values())
        ),
        row("spiral rate", "p_spiral", lambda r: _num(r.summary["p_spiral"])),
        row("tragic spiral rate", "p_tragic_spiral", lambda r: _num(r.summary["p_tragic_spiral"])),
        row(
            "escalation score per step",
            "escalation_score_mean",
            lambda r: _num(r.summary.get("escalation_score_mean"), 2),
        ),
    ]
    per_state = (
        ("first_war_initiator", "started the first war", lambda r, k, sid: r.summary[k].get(sid)),
        (
            "first_escalator",
            f"escalated first (chosen acts \u2265 {ESCALATION_THRESHOLD})",
            lambda r, k, sid: r.first_escalators.get(sid),
        ),
        ("security_change", "security change", lambda r, k, sid: r.summary[k].get(sid)),
        ("arms_change", "arms change", lambda r, k, sid: r.summary[k].get(sid)),
    )
    for key, label, get in per_state:
        for sid in states:
            rows.append(
                row(
                    f"{sid} {label}",
                    f"{key}.{sid}",
                    lambda r, sid=sid, key=key, get=get: _num(get(r, key, sid)),
                )
            )
    for key, label in (
        ("misperception_belief", "belief gap"),
        ("misperception_threat", "threat gap"),
    ):
        for i, j in pairs:
            pair = f"{ids[i]}->{ids[j]}"
            rows.append(
                row(
                    f"{_arrow(pair)} {label}",
                    f"{key}.{pair}",
                    lambda r, pair=pair, key=key: _num(r.summary[key].get(pair)),
                )
            )
    table = _table(("measure", *names), rows, "readings")
    if len(states) < len(ids):
        table += _caption(
            f"Showing the {len(states)} of {len(ids)} states most often first to war or to "
            "escalate, over the readings."
        )
    n_directed = len(ids) * (len(ids) - 1)
    if len(pairs) < n_directed:
        table += _caption(
            f"Gaps for the {len(pairs)} of {n_directed} directed pairs with the highest mean "
            "final perceived threat over the readings."
        )
    return table


def _generic(value: Any) -> str:
    """Render a list from compare.json whose exact shape belongs to the compare command."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns: list[str] = []
        for item in value:
            columns += [k for k in item if k not in columns]
        return _table(
            columns,
            [
                tuple(
                    _num(item.get(c))
                    if not isinstance(item.get(c), dict | list)
                    else json.dumps(item.get(c))
                    for c in columns
                )
                for item in value
            ],
        )
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_esc(_num(v))}</li>" for v in value) + "</ul>"
    if isinstance(value, dict):
        return _table(("key", "value"), [(k, _num(v)) for k, v in value.items()])
    return f"<pre>{_esc(json.dumps(value, indent=2))}</pre>"


def _facts(value: Any) -> list[tuple[str, Any]] | None:
    """(description, share) of a list of record facts, or None if it is not one."""
    if not isinstance(value, list) or not all(
        isinstance(f, dict) and "description" in f and "share" in f for f in value
    ):
        return None
    return [(str(f["description"]), f["share"]) for f in value]


def _record_section(record: Any, readings: Sequence[str]) -> str:
    """compare.json's ``record``: per reading, the share of replicates reproducing each fact."""
    per_reading = {r: _facts(record.get(r)) for r in readings} if isinstance(record, dict) else None
    if per_reading is None or any(v is None for v in per_reading.values()):
        return _generic(record)  # a shape this module does not know: show it as it is
    facts = list(dict.fromkeys(d for v in per_reading.values() for d, _ in v))
    if not facts:
        return _note("The scenario lists no facts of the historical record.")
    shares = {r: dict(v) for r, v in per_reading.items()}
    rows = [
        (
            fact,
            *(
                (_num(shares[r].get(fact)), {"data-reading": r, "data-key": f"record.{n}"})
                for r in readings
            ),
        )
        for n, fact in enumerate(facts)
    ]
    return _table(("fact of the record", *readings), rows) + _caption(
        "Share of replicates that reproduce each fact of the historical record, per reading."
    )


def _turning_section(rows: Any, readings: Sequence[str]) -> str:
    """compare.json's ``turning_parameters``: per parameter, its effect on each outcome under
    each reading (dicts keyed by reading), one table row per parameter and outcome."""
    known = isinstance(rows, list) and all(isinstance(r, dict) and "parameter" in r for r in rows)
    if not known:
        return _generic(rows)
    if not rows:
        return _note("compare.json lists no turning parameters.")
    table_rows = []
    for row in rows:
        effects = [
            (k, v) for k, v in row.items() if isinstance(v, dict) and set(v) <= set(readings) and v
        ]
        scalars = {
            k: v
            for k, v in row.items()
            if k != "parameter" and not isinstance(v, dict | list) and not k.startswith("size_")
        }
        extra = ", ".join(f"{k} {_num(v)}" for k, v in scalars.items())
        for n, (key, values) in enumerate(effects or [("", {})]):
            table_rows.append(
                (
                    str(row["parameter"]) if n == 0 else "",
                    key.removeprefix("effect_on_"),
                    *(_num(values.get(r)) for r in readings),
                    extra if n == 0 else "",
                )
            )
    return _table(("parameter", "effect on", *readings, "overall"), table_rows) + _caption(
        "As listed in compare.json, in its order: the drawn parameters on which the readings' "
        "conclusions turn, with each parameter's effect on each outcome under each reading."
    )


def _extremes(values: dict[str, float], what: str, digits: int = 3) -> str:
    # Compare as printed, so that two readings shown with the same number count as a tie.
    shown = {name: _num(v, digits) for name, v in values.items()}
    top, bottom = max(values.values()), min(values.values())
    if len(set(shown.values())) == 1:
        return f"The {what} is {shown[next(iter(shown))]} under every reading."
    high = [n for n in values if shown[n] == _num(top, digits)]
    low = [n for n in values if shown[n] == _num(bottom, digits)]

    def under(names: list[str]) -> str:
        return f"the {_list_words(names)} reading{'s' if len(names) > 1 else ''}"

    return (
        f"The {what} is highest under {under(high)} ({_num(top, digits)}) and lowest "
        f"under {under(low)} ({_num(bottom, digits)})."
    )


def _compare_sentences(runs: dict[str, _Run]) -> list[str]:
    out = []
    for key, what, digits in (
        ("p_war", "war rate", 3),
        ("first_war_step_mean", "mean step of the first war", 1),
        ("p_spiral", "spiral rate", 3),
        ("p_tragic_spiral", "tragic spiral rate", 3),
    ):
        values = {n: float(r.summary[key]) for n, r in runs.items() if _is_num(r.summary[key])}
        if values:
            out.append(_extremes(values, what, digits))
    leaders = {}
    for name, run in runs.items():
        shares = {sid: v for sid, v in run.first_escalators.items() if v > 0}
        if shares:
            top = max(shares, key=shares.get)
            leaders[name] = f"{top} ({shares[top]:.1%} of replicates) under the {name} reading"
    if leaders:
        out.append(
            f"Most often first to escalate (chosen acts scoring {ESCALATION_THRESHOLD} or more): "
            f"{_list_words(list(leaders.values()))}."
        )
    return out


def _compare_plots(runs: dict[str, _Run]) -> str:
    with_traj = {n: r for n, r in runs.items() if r.trajectories is not None}
    parts = []
    missing = [n for n in runs if n not in with_traj]
    if missing:
        parts.append(
            _note(
                f"No trajectories for {', '.join(missing)}, so the arms, threat and belief "
                f"panels leave {'it' if len(missing) == 1 else 'them'} out."
            )
        )
    if with_traj:
        first = next(iter(with_traj.values()))
        states = _arms_order([r.trajectories.arms for r in with_traj.values()], MAX_STATES_PLOTTED)
        log = _log_scale(
            np.concatenate([r.trajectories.arms[:, :, states].ravel() for r in with_traj.values()])
        )
        fig = _figure(4.0 * len(with_traj) + 0.5, 3.8)
        axes = fig.subplots(1, len(with_traj), squeeze=False, sharey=True)[0]
        for k, (ax, (name, run)) in enumerate(zip(axes, with_traj.items(), strict=True)):
            _arms_axes(ax, run, states, log, legend=k == 0)
            ax.set_title(name)
        parts.append("<h3>Arms</h3>" + _img(_png(fig), "arms by reading"))
        parts.append(
            _caption(
                "Offense plus defense per state: median and 10\u201390% band across replicates"
                + (
                    f", the {len(states)} states with the largest arms"
                    if len(states) < len(first.ids)
                    else ""
                )
                + (", log scale" if log else "")
                + "."
            )
        )
        pairs = first.trajectories.pairs[:MAX_PAIRS_COMPARED]
        for which, title in (
            ("threat", "Perceived threat"),
            ("belief", "Belief that the other is greedy"),
        ):
            if not pairs:
                break
            fig = _figure(4.0 * len(with_traj) + 0.5, 3.6)
            axes = fig.subplots(1, len(with_traj), squeeze=False, sharey=True)[0]
            for ax, (name, run) in zip(axes, with_traj.items(), strict=True):
                bands = run.trajectories.threat if which == "threat" else run.trajectories.belief
                for k, (i, j) in enumerate(pairs):
                    _band(
                        ax,
                        np.arange(run.steps + 1),
                        bands[:, :, k],
                        COLORS[k % len(COLORS)],
                        f"{run.ids[i]} \u2192 {run.ids[j]}",
                    )
                ax.set_title(name)
                ax.set_ylim(0, 1)
                _steps_axis(ax)
                ax.grid(alpha=0.3)
            axes[0].set_ylabel(title.lower())
            axes[0].legend(fontsize=8)
            parts.append(f"<h3>{_esc(title)}</h3>" + _img(_png(fig), f"{title} by reading"))
        if pairs:
            parts.append(
                _caption(
                    f"Median and 10\u201390% band across replicates for the {len(pairs)} directed "
                    "pairs with the highest mean final perceived threat over the readings."
                )
            )
    fig = _figure(10, 3.6)
    left, right = fig.subplots(1, 2)
    for name, run in runs.items():
        color = READING_COLORS.get(name, COLORS[len(left.lines) % len(COLORS)])
        _escalation_axes(left, run, color, name)
        right.step(
            np.arange(run.steps),
            _war_share_by_step(run.first_war_step, run.steps),
            where="post",
            color=color,
            label=name,
        )
    left.legend(fontsize=8)
    _steps_axis(right)
    right.set_ylabel("share of replicates with a war so far")
    right.set_ylim(0, None)
    right.grid(alpha=0.3)
    right.legend(fontsize=8)
    parts.append("<h3>Escalation and war</h3>" + _img(_png(fig), "escalation and war by reading"))
    parts.append(
        _caption(
            "Left: mean per-step escalation score with its 10\u201390% band across replicates. "
            "Right: the share of replicates in which a war has begun by each step."
        )
    )
    return "".join(parts)


def write_compare_report(directory: Path) -> Path:
    """Write ``report.html`` at the top of a compare directory and one in each reading's run
    directory; return the top one's path.

    The directory holds ``compare.json`` (``scenario``, ``readings``: reading -> summary,
    optionally ``turning_parameters`` and ``record``) and a run directory per reading.
    """
    directory = _check_dir(Path(directory))
    compare_path = directory / "compare.json"
    compare = _read_json(compare_path)
    readings = compare.get("readings")
    if not isinstance(readings, dict) or not readings:
        raise InputError(str(compare_path), "readings", readings, "expected reading -> summary")
    ids: list[str] | None = None
    for name, summary in readings.items():
        if not isinstance(summary, dict):
            raise InputError(str(compare_path), f"readings.{name}", summary, "expected a summary")
        _check_summary(summary, f"{compare_path}: readings.{name}")
        manifest_path = _check_dir(directory / name) / "manifest.json"
        these = _read_manifest(directory / name)[1]
        if ids is not None and these != ids:
            raise InputError(str(manifest_path), "scenario.states", these, f"expected {ids}")
        ids = these
    assert ids is not None
    # One set of pairs for every reading, so that the panels side by side show the same pairs.
    pairs = _top_pairs(readings.values(), ids, MAX_PAIRS_PLOTTED)
    runs: dict[str, _Run] = {}
    for name, summary in readings.items():
        own = _load_run(directory / name)
        _write_run_report(own)
        if own.summary == summary and own.trajectories_pairs == pairs:
            runs[name] = own  # nothing differs: skip reading the files a second time
        else:
            runs[name] = _load_run(directory / name, summary=summary, pairs=pairs)
    first = next(iter(runs.values()))
    names = list(runs)
    scenario = compare.get("scenario") or first.manifest["scenario"].get("name")
    links = "".join(
        f'<li><a href="{_esc(name)}/{REPORT_NAME}">{_esc(name)}</a>: '
        f"{_esc(' '.join(sorted(set(r.lenses.values()))))} lens; "
        f"{r.replicates} replicates, {r.steps} steps, seed {_esc(r.manifest.get('seed'))}</li>"
        for name, r in runs.items()
    )
    description = " ".join(str(first.manifest["scenario"].get("description") or "").split())
    body = [
        f"<header><h1>{_esc(scenario)}: {len(runs)} readings compared</h1>",
        f'<p class="description">{_esc(description)}</p>',
        f"<p>Each reading's own report:</p><ul>{links}</ul></header>",
        _section(
            "readings",
            "Readings side by side",
            '<ul class="narrative">'
            + "".join(f"<li>{_esc(s)}</li>" for s in _compare_sentences(runs))
            + "</ul>"
            + _table_note()
            + _reading_table(runs, pairs[:MAX_PAIRS_PLOTTED]),
        ),
    ]
    if "record" in compare:
        body.append(
            _section("record", "The historical record", _record_section(compare["record"], names))
        )
    if "turning_parameters" in compare:
        body.append(
            _section(
                "turning-parameters",
                "Turning parameters",
                _turning_section(compare["turning_parameters"], names),
            )
        )
    body.append(_section("plots", "Plots by reading", _compare_plots(runs)))
    return _write_atomic(
        directory / REPORT_NAME, _page(f"{scenario}: readings compared", "".join(body))
    )


def _table_note() -> str:
    return _caption(
        "Shares are of all replicates. Changes are means: security end minus start, arms end over "
        "start minus one. Gaps are the final belief (or perceived threat) minus the other's true "
        f"greed. 'Escalated first' counts chosen acts scoring {ESCALATION_THRESHOLD} or more on "
        "the Rivera et al. (2024) scale; states first escalating in the same step each count."
    )
