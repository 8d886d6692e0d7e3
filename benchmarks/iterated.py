"""How much the vectorised iterated-game engine gains over ``axelrod.Tournament``.

Both play the same round robin (every pair, each strategy also against itself) on the same game
in the same process. axelrod runs serially (``processes=None``: in axelrod 4.14,
``processes=1`` starts ``cpu_count()`` worker processes, see ``Tournament._n_workers``). Its
time includes building the ``ResultSet`` (with dask), as ours includes building the tables;
``axelrod_matches_s`` is its time to play and write the matches only.

Two tournaments: the deterministic strategies without noise, where the per-strategy mean
scores must agree with axelrod's (checked), and the same plus Random and GTFT with noise, where
they agree only in distribution (the largest difference is reported, not checked). Without noise
axelrod plays each deterministic pairing once and reuses it for later repetitions (its match
cache); with noise it cannot.

    python -m benchmarks.iterated [--quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import axelrod
import numpy as np

from secdilemma.formal import iterated as it
from secdilemma.formal.jervis import SecurityGame

RESULTS = Path(__file__).with_name("results_iterated.json")

GAME = SecurityGame.from_primitives(3, 2, 5, 1)  # R=3, S=-2, T=5, P=-1: a Prisoner's Dilemma


def _pairs() -> list[tuple[it.Strategy, object]]:
    """The engine's strategies and axelrod players of the same definition."""
    R, S, T, P = GAME.as_rstp()
    generosity = min(1 - (T - R) / (R - S), (R - P) / (T - P))
    return [
        (it.Cooperator(), axelrod.Cooperator()),
        (it.Defector(), axelrod.Defector()),
        (it.TitForTat(), axelrod.TitForTat()),
        (it.Grudger(), axelrod.Grudger()),
        (it.TitForTwoTats(), axelrod.TitFor2Tats()),
        (it.TwoTitsForTat(), axelrod.TwoTitsForTat()),
        (it.HardTitForTat(), axelrod.HardTitForTat()),
        (it.SuspiciousTitForTat(), axelrod.SuspiciousTitForTat()),
        (it.AntiTitForTat(), axelrod.AntiTitForTat()),
        (it.Alternator(), axelrod.Alternator()),
        (it.WinStayLoseShift(), axelrod.WinStayLoseShift()),
        (it.CyclerCCD(), axelrod.CyclerCCD()),
        (it.Bully(), axelrod.Bully()),
        # axelrod's GTFT() fixes its generosity from its default game; pass the same value.
        (it.GTFT(generosity), axelrod.GTFT(p=generosity)),
        (it.Random(0.5), axelrod.Random(0.5)),
    ]


def _time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _axelrod_matches_only(players, game, turns, repetitions, noise, seed) -> None:
    handle, path = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        axelrod.Tournament(
            players, game=game, turns=turns, repetitions=repetitions, noise=noise, seed=seed
        ).play(build_results=False, filename=path, progress_bar=False)
    finally:
        os.remove(path)


def _compare(pairs, turns: int, repetitions: int, noise: float, repeats: int, seed: int) -> dict:
    ours = [o for o, _ in pairs]
    theirs = [t for _, t in pairs]
    R, S, T, P = GAME.as_rstp()
    game = axelrod.Game(r=R, s=S, t=T, p=P)
    args = dict(turns=turns, repetitions=repetitions, noise=noise, seed=seed)

    ours_t, result = _time(lambda: it.tournament(ours, GAME, **args), repeats)
    theirs_t, reference = _time(
        lambda: axelrod.Tournament(theirs, game=game, **args).play(progress_bar=False), repeats
    )
    matches_t, _ = _time(lambda: _axelrod_matches_only(theirs, game, **args), repeats)
    mean_ours = result.normalised_scores.mean(axis=1)
    mean_theirs = np.mean(reference.normalised_scores, axis=1)
    return {
        "strategies": [s.name for s in ours],
        "noise": noise,
        "matches": len(result.interactions) // 2,
        "secdilemma_s": round(ours_t, 4),
        "axelrod_s": round(theirs_t, 4),
        "axelrod_matches_s": round(matches_t, 4),
        "speedup": round(theirs_t / ours_t, 1),
        "speedup_matches_only": round(matches_t / ours_t, 1),
        "max_abs_mean_score_difference": float(np.max(np.abs(mean_ours - mean_theirs))),
        "mean_scores_secdilemma": dict(zip(result.names, mean_ours.round(6).tolist(), strict=True)),
        "mean_scores_axelrod": dict(zip(result.names, mean_theirs.round(6).tolist(), strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="50 turns, 2 repetitions")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    turns, repetitions = (50, 2) if args.quick else (200, 5)
    pairs = _pairs()
    deterministic = [(o, t) for o, t in pairs if not o.stochastic]

    exact = _compare(deterministic, turns, repetitions, 0.0, args.repeats, args.seed)
    if exact["max_abs_mean_score_difference"] > 1e-12:
        raise SystemExit("deterministic mean scores differ from axelrod's")
    noisy = _compare(pairs, turns, repetitions, args.noise, args.repeats, args.seed)
    report = {
        "game": dict(zip("RSTP", GAME.as_rstp(), strict=True)),
        "turns": turns,
        "repetitions": repetitions,
        "repeats": args.repeats,
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
        "axelrod": axelrod.__version__,
        "deterministic": exact,
        "noisy": noisy,
    }
    text = json.dumps(report, indent=2)
    print(text)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()
