"""Reading a results directory into a :class:`Run` (manifest, summary, runs, events and the
streamed trajectories); every failure is an InputError that names the file."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from secdilemma.errors import NO_VALUE, InputError

BAND = (0.1, 0.5, 0.9)  # lower edge, median, upper edge of the ensemble band
MAX_PAIRS_PLOTTED = 6  # directed pairs per threat/belief figure (N states give N(N-1) pairs)
ESCALATION_THRESHOLD = 12  # Rivera et al. (2024): 12 is non-violent escalation
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


def one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def check_dir(directory: Path) -> Path:
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


def read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _missing(path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(str(path), "<file>", path.name, f"cannot read: {one_line(err)}") from None
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
            str(path), "<file>", path.name, f"not a readable Parquet file: {one_line(err)}"
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
        raise InputError(str(path), "<file>", path.name, f"cannot read: {one_line(err)}") from None


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
class Run:
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
    start_year: int | None = None  # the calendar year of step 0, where the scenario has years
    history_until: int | None = None  # steps before it replay the record (imported events)
    scheduled_wars: list[dict[str, Any]] = field(default_factory=list)  # events opening a war
    scheduled_war_replicates: int = 0  # replicates in which a scheduled event opened a war


def read_manifest(directory: Path) -> tuple[dict[str, Any], list[str], dict[str, str], dict]:
    path = directory / "manifest.json"
    manifest = read_json(path)
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


def check_summary(summary: dict[str, Any], source: str) -> dict[str, Any]:
    for key in SUMMARY_REQUIRED:
        if key not in summary:
            raise InputError(source, key, None, "missing from the summary")
    return summary


def _state_positions(ids: Sequence[str]) -> dict[str, int]:
    return {sid: n for n, sid in enumerate(ids)}


def top_pairs(
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
        raise InputError(str(path), "<file>", path.name, f"cannot read: {one_line(err)}") from None
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


def load_run(
    directory: Path,
    summary: dict[str, Any] | None = None,
    pairs: list[tuple[int, int]] | None = None,
) -> Run:
    directory = check_dir(directory)
    manifest, ids, names, lenses = read_manifest(directory)
    summary_path = directory / "summary.json"
    if summary is None:
        summary = read_json(summary_path)
    check_summary(summary, str(summary_path))
    R, T = int(manifest["replicates"]), int(manifest["steps"])
    runs_path = directory / "runs.parquet"
    runs = _read_table(runs_path, ("war", "first_war_step", "first_war_initiator"))
    if len(runs) != R:
        raise InputError(str(runs_path), "<rows>", len(runs), f"expected {R} replicates")
    events_path = directory / "events.parquet"
    events = _read_table(events_path, ("run_id", "t", "actor", "action", "scheduled", "escalation"))
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
        pairs = top_pairs([summary], ids, MAX_PAIRS_PLOTTED)
    trajectories, note = _read_trajectories(directory / "trajectories.parquet", ids, R, T, pairs)
    wars = scheduled_wars(manifest)
    acts = {str(w.get("action")) for w in wars}
    opened = events["scheduled"].to_numpy(dtype=bool) & events["action"].astype(str).isin(acts)
    return Run(
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
        start_year=start_year(summary, manifest),
        history_until=(manifest.get("scenario") or {}).get("history_until"),
        scheduled_wars=wars,
        scheduled_war_replicates=int(events.loc[opened, "run_id"].nunique()),
    )


def start_year(summary: dict[str, Any], manifest: dict[str, Any]) -> int | None:
    """The year of step 0: summary.json's ``start_year``, else the manifest's scenario's."""
    for value in (summary.get("start_year"), (manifest.get("scenario") or {}).get("start_year")):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def scheduled_wars(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario's scheduled events that open a war: the manifest's ``scheduled_wars``, or,
    in a manifest written before it had them, the scenario's events whose act starts a war in
    the bundled catalogue."""
    listed = manifest.get("scheduled_wars")
    if isinstance(listed, list):
        return [w for w in listed if isinstance(w, dict) and "action" in w]
    events = (manifest.get("scenario") or {}).get("events") or []
    try:
        from secdilemma.model.actions import load_catalog

        catalog = load_catalog()
    except Exception:  # noqa: BLE001 - without the catalogue, no event is known to be a war
        return []
    war_acts = {a for a, war in zip(catalog.ids, catalog.starts_war, strict=True) if war}
    return [e for e in events if isinstance(e, dict) and e.get("action") in war_acts]


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


def read_result(directory: Path, name: str, required: Sequence[str], what: str) -> dict[str, Any]:
    """The JSON result ``name`` of an analysis directory (attribution, audit, robust), with
    its ``required`` keys; an InputError naming the file and the first missing key otherwise."""
    directory = check_dir(Path(directory))
    payload = read_json(directory / name)
    missing = [k for k in required if k not in payload]
    if missing:
        raise InputError(str(directory / name), missing[0], NO_VALUE, f"missing: not {what}")
    return payload
