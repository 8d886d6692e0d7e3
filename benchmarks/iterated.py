"""How much the vectorised iterated-game engine gains over ``axelrod.Tournament``.

The workload is the performance issue's: a round robin of 20 strategies (every pair, each also
against itself), 200 turns, 20 repetitions, on one Prisoner's Dilemma, played by
:func:`secdilemma.formal.iterated.tournament` and by ``axelrod.Tournament`` in this process.
All 20 strategies are deterministic and copy axelrod's of the same name, and there is no noise,
so each strategy's total score in each repetition, and the payoff matrix, must equal axelrod's
exactly (checked; the normalised scores, which each side averages in its own order, are
compared to the last bit and their largest difference reported).

What each side does:

- secdilemma plays all 4,200 matches (210 pairings x 20 repetitions) in one batch, turn by turn
  (a loop over 200 turns and, within a turn, over the 20 strategies, each moving all its seats
  at once), then builds its tables (the interactions ``DataFrame`` among them). It has no
  parallel mode and always runs in one process.
- axelrod plays one ``Match`` per pairing and calls its ``play()`` once per repetition. The
  match is deterministic, so its cache holds the moves after the first repetition: each
  pairing's 200 turns are played once, not 20 times. Each repetition still computes the
  match's statistics and writes them to a CSV file, from which the ``ResultSet`` is built with
  dask; all of this is in ``axelrod_s``, and ``axelrod_matches_only_s`` is the time without the
  ``ResultSet``.
- "1 process" is ``play(processes=None)``: in axelrod 4.14 ``processes=1`` starts
  ``cpu_count()`` workers (``Tournament._n_workers``). "2 processes" is ``play(processes=2)``:
  two worker processes, started afresh by each ``play()`` with the ``spawn`` method (so each
  imports axelrod, and PyTorch with it), and dask with two workers for the ``ResultSet``. It is
  compared with secdilemma's one process.

A second, noisy workload has the same shape with noise 0.05: 18 of the deterministic strategies
plus Random and Generous Tit For Tat (stochastic), so neither side can reuse a match. Its scores
agree with axelrod's only in distribution: the largest difference of mean normalised scores is
reported, not checked.

Each figure is the median of ``--repeats`` rounds (5 by default), a round timing every
contender once in turn, so that a change in the machine's load falls on all of them alike.

    python -m benchmarks.iterated [--quick] [--repeats 5] [--out PATH]

``--quick`` (a smoke test: 50 turns, 2 repetitions, one timing each, no 2-process run) writes
``results_iterated_quick.json`` unless ``--out`` is given, so the full results are kept.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import axelrod
import numpy as np

from benchmarks.common import HERE, machine, row, write_json
from secdilemma.formal import iterated as it
from secdilemma.formal.axelrod_adapter import axelrod_class
from secdilemma.formal.jervis import SecurityGame

GAME = SecurityGame.from_primitives(3, 2, 5, 1)  # R=3, S=-2, T=5, P=-1: a Prisoner's Dilemma
SEED = 1
NOISE = 0.05


# The engine's deterministic copies of axelrod strategies that the workload leaves out, to
# make 20.
LEFT_OUT = {
    "Prober 2",
    "Prober 3",
    "Hard Prober",
    "Forgiving Tit For Tat",
    "Original Gradual",
    "Punisher",
    "Hard Tit For 2 Tats",
}


def deterministic_pairs() -> list[tuple[it.Strategy, Any]]:
    """The 20 deterministic strategies of the workload, each with axelrod's class."""
    field = [s for s in it.axelrod_strategies(extended=True) if not s.stochastic]
    return [(s, axelrod_class(s)) for s in field if s.name not in LEFT_OUT]


def noisy_pairs() -> list[tuple[it.Strategy, Any]]:
    """18 deterministic strategies and two stochastic ones, 20 in all."""
    R, S, T, P = GAME.as_rstp()
    # axelrod's GTFT() fixes its generosity from its own default game; give both the same value.
    generosity = min(1 - (T - R) / (R - S), (R - P) / (T - P))
    return [
        *deterministic_pairs()[:18],
        (it.GTFT(generosity), lambda: axelrod.GTFT(p=generosity)),
        (it.Random(0.5), lambda: axelrod.Random(0.5)),
    ]


def _axelrod_game() -> Any:
    R, S, T, P = GAME.as_rstp()
    return axelrod.Game(r=R, s=S, t=T, p=P)


def _axelrod_tournament(
    players: list[Any], turns: int, repetitions: int, noise: float, processes: int | None
) -> Any:
    tournament = axelrod.Tournament(
        players, game=_axelrod_game(), turns=turns, repetitions=repetitions, noise=noise, seed=SEED
    )
    return tournament.play(progress_bar=False, processes=processes)


def _axelrod_matches_only(players: list[Any], turns: int, repetitions: int, noise: float) -> None:
    handle, path = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        tournament = axelrod.Tournament(
            players,
            game=_axelrod_game(),
            turns=turns,
            repetitions=repetitions,
            noise=noise,
            seed=SEED,
        )
        tournament.play(build_results=False, filename=path, progress_bar=False)
    finally:
        os.remove(path)


def _exactness(ours: it.TournamentResult, theirs: Any) -> dict[str, Any]:
    normalised = np.asarray(theirs.normalised_scores, dtype=float)
    return {
        "scores_equal": bool(np.array_equal(ours.scores, np.asarray(theirs.scores, dtype=float))),
        "payoff_matrix_equal": bool(
            np.array_equal(ours.payoff_matrix, np.asarray(theirs.payoff_matrix, dtype=float))
        ),
        "ranking_equal": [ours.names[i] for i in ours.ranking] == list(theirs.ranked_names),
        "normalised_scores_equal": bool(np.array_equal(ours.normalised_scores, normalised)),
        "max_abs_normalised_score_difference": float(
            np.max(np.abs(ours.normalised_scores - normalised))
        ),
    }


def _mean_scores(names: list[str], normalised: Any) -> dict[str, float]:
    means = np.mean(np.asarray(normalised, dtype=float), axis=1)
    return dict(zip(names, means.round(6).tolist(), strict=True))


def _workload(names: list[str], turns: int, repetitions: int, noise: float) -> dict[str, Any]:
    n = len(names)
    return {
        "strategies": names,
        "n_strategies": n,
        "turns": turns,
        "repetitions": repetitions,
        "matches": n * (n + 1) // 2 * repetitions,
        "noise": noise,
        "game": dict(zip("RSTP", GAME.as_rstp(), strict=True)),
        "seed": SEED,
    }


def _interleaved(
    timings: dict[str, Callable[[], Any]], repeats: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """The median seconds of each call over ``repeats`` rounds, each round calling every one
    once, so that a change in the machine's load falls on all alike; and each one's last
    result."""
    seconds: dict[str, list[float]] = {name: [] for name in timings}
    results: dict[str, Any] = {}
    for _ in range(max(1, repeats)):
        for name, call in timings.items():
            start = time.perf_counter()
            results[name] = call()
            seconds[name].append(time.perf_counter() - start)
            # axelrod does not wait for its worker processes to exit; wait here, untimed, so
            # that they do not share the CPUs with the next timing.
            for child in multiprocessing.active_children():
                child.join()
    return {name: round(statistics.median(s), 5) for name, s in seconds.items()}, results


def run(quick: bool = False, repeats: int | None = None) -> dict[str, Any]:
    """Time both sides on the workload (the median of ``repeats`` runs each) and check that
    the deterministic scores agree; the figures, as a JSON-serialisable dict."""
    repeats = repeats or (1 if quick else 5)
    turns, repetitions = (50, 2) if quick else (200, 20)
    size = f"{turns} turns, {repetitions} repetitions"
    two_processes = not quick and (os.cpu_count() or 1) >= 2

    pairs = deterministic_pairs()
    ours = [o for o, _ in pairs]
    names = [s.name for s in ours]
    timings: dict[str, Callable[[], Any]] = {
        "secdilemma": lambda: it.tournament(ours, GAME, turns, repetitions, seed=SEED),
        "axelrod": lambda: _axelrod_tournament(
            [cls() for _, cls in pairs], turns, repetitions, 0.0, None
        ),
        "axelrod_matches_only": lambda: _axelrod_matches_only(
            [cls() for _, cls in pairs], turns, repetitions, 0.0
        ),
    }
    if two_processes:
        timings["axelrod_2"] = lambda: _axelrod_tournament(
            [cls() for _, cls in pairs], turns, repetitions, 0.0, 2
        )
    seconds, results = _interleaved(timings, repeats)
    ours_s, result, reference = seconds["secdilemma"], results["secdilemma"], results["axelrod"]

    exact = _exactness(result, reference)
    exact["matched"] = exact["scores_equal"] and exact["payoff_matrix_equal"]
    one = {
        "secdilemma_processes": 1,
        "axelrod_processes": 1,
        "secdilemma_s": ours_s,
        "axelrod_s": seconds["axelrod"],
        "ratio": round(seconds["axelrod"] / ours_s, 1),
        "axelrod_matches_only_s": seconds["axelrod_matches_only"],
        "ratio_matches_only": round(seconds["axelrod_matches_only"] / ours_s, 1),
    }
    note = "scores equal axelrod's" if exact["matched"] else "SCORES DIFFER"
    rows = [
        row(
            "iterated",
            f"20 deterministic strategies, {size}, 1 process each",
            ours_s,
            "axelrod.Tournament",
            seconds["axelrod"],
            note=note,
        )
    ]
    two: dict[str, Any] | None = None
    if two_processes:
        two = {
            "secdilemma_processes": 1,
            "axelrod_processes": 2,
            "secdilemma_s": ours_s,
            "axelrod_s": seconds["axelrod_2"],
            "ratio": round(seconds["axelrod_2"] / ours_s, 1),
            "scores_equal": bool(
                np.array_equal(result.scores, np.asarray(results["axelrod_2"].scores, dtype=float))
            ),
        }
        exact["matched"] = exact["matched"] and two["scores_equal"]
        rows.append(
            row(
                "iterated",
                f"the same, {size}, axelrod on 2 processes, secdilemma on 1",
                ours_s,
                "axelrod.Tournament(processes=2)",
                seconds["axelrod_2"],
            )
        )

    noisy = noisy_pairs()
    noisy_ours = [o for o, _ in noisy]
    noisy_names = [s.name for s in noisy_ours]
    noisy_seconds, noisy_results = _interleaved(
        {
            "secdilemma": lambda: it.tournament(
                noisy_ours, GAME, turns, repetitions, noise=NOISE, seed=SEED
            ),
            "axelrod": lambda: _axelrod_tournament(
                [make() for _, make in noisy], turns, repetitions, NOISE, None
            ),
        },
        repeats,
    )
    ours_means = np.mean(noisy_results["secdilemma"].normalised_scores, axis=1)
    theirs_means = np.mean(np.asarray(noisy_results["axelrod"].normalised_scores), axis=1)
    rows.append(
        row(
            "iterated",
            f"18 deterministic + Random + GTFT, noise {NOISE}, {size}, 1 process each",
            noisy_seconds["secdilemma"],
            "axelrod.Tournament",
            noisy_seconds["axelrod"],
        )
    )

    return {
        "machine": machine(),
        "axelrod": axelrod.__version__,
        "quick": quick,
        "repeats": repeats,
        "workload": _workload(names, turns, repetitions, 0.0),
        "one_process": one,
        "two_processes": two,
        "exact": exact,
        "mean_normalised_scores": {
            "secdilemma": _mean_scores(names, result.normalised_scores),
            "axelrod": _mean_scores(names, reference.normalised_scores),
        },
        "noisy": {
            "workload": _workload(noisy_names, turns, repetitions, NOISE),
            "secdilemma_s": noisy_seconds["secdilemma"],
            "axelrod_s": noisy_seconds["axelrod"],
            "ratio": round(noisy_seconds["axelrod"] / noisy_seconds["secdilemma"], 1),
            "max_abs_mean_normalised_score_difference": round(
                float(np.max(np.abs(ours_means - theirs_means))), 6
            ),
            "mean_normalised_scores": {
                "secdilemma": _mean_scores(
                    noisy_names, noisy_results["secdilemma"].normalised_scores
                ),
                "axelrod": _mean_scores(noisy_names, noisy_results["axelrod"].normalised_scores),
            },
        },
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="50 turns, 2 repetitions: a smoke test"
    )
    parser.add_argument("--repeats", type=int, default=None, help="timings per figure (median)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    args = parser.parse_args()
    report = run(args.quick, args.repeats)
    report.pop("rows")
    print(json.dumps({k: report[k] for k in ("one_process", "two_processes", "exact")}, indent=2))
    name = "results_iterated_quick.json" if args.quick else "results_iterated.json"
    write_json(args.out or HERE / name, report)
    if not report["exact"]["matched"]:
        raise SystemExit("deterministic scores differ from axelrod's")


if __name__ == "__main__":
    main()
