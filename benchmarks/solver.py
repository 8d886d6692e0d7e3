"""How much the vectorised 2x2 solver gains over nashpy's support enumeration, game by game.

Both run in the same process on the same random games (continuous payoffs, so nondegenerate);
the equilibria found are checked to agree before any timing is reported.

    python -m benchmarks.solver [--games 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import nashpy
import numpy as np

from secdilemma.formal.games import equilibria, solve

RESULTS = Path(__file__).with_name("results_solver.json")


def _time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _nashpy(A: np.ndarray, B: np.ndarray) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    return [list(nashpy.Game(a, b).support_enumeration()) for a, b in zip(A, B, strict=True)]


def _same(found, expected, tolerance: float = 1e-9) -> bool:
    """The two lists of equilibria of one game hold the same profiles, each matched once."""
    unused = [np.concatenate(eq) for eq in expected]
    for eq in found:
        profile = np.concatenate(eq)
        hits = [k for k, other in enumerate(unused) if np.allclose(profile, other, atol=tolerance)]
        if not hits:
            return False
        del unused[hits[0]]
    return not unused


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    A = rng.uniform(-1, 1, size=(args.games, 2, 2))
    B = rng.uniform(-1, 1, size=(args.games, 2, 2))

    vector_t, _ = _time(lambda: solve(A, B), args.repeats)
    lists_t, found = _time(lambda: equilibria(A, B), args.repeats)
    nashpy_t, expected = _time(lambda: _nashpy(A, B), args.repeats)
    if not all(_same(f, e) for f, e in zip(found, expected, strict=True)):
        raise SystemExit("the vectorised solver and nashpy disagree")
    report = {
        "games": args.games,
        "repeats": args.repeats,
        "seed": args.seed,
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
        "numpy": np.__version__,
        "nashpy": nashpy.__version__,
        "vectorised_s": round(vector_t, 6),
        "vectorised_with_lists_s": round(lists_t, 6),
        "nashpy_support_enumeration_s": round(nashpy_t, 4),
        "speedup": round(nashpy_t / vector_t, 1),
        "speedup_with_lists": round(nashpy_t / lists_t, 1),
        "equilibria": sum(len(f) for f in found),
        "agree": True,
    }
    text = json.dumps(report, indent=2)
    print(text)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()
