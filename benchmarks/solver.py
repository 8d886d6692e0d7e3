"""How much the vectorised 2x2 solver gains over nashpy's support enumeration, game by game.

Both run in the same process on the same random games (continuous payoffs, so nondegenerate);
the equilibria found are checked to agree before any timing is reported.

    python -m benchmarks.solver [--quick] [--games 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import nashpy
import numpy as np

from benchmarks.common import machine, row, timed, write_json
from secdilemma.formal.games import equilibria, solve

RESULTS = Path(__file__).with_name("results_solver.json")


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


def run(
    quick: bool = False, repeats: int | None = None, games: int | None = None, seed: int = 2024
) -> dict[str, Any]:
    games = games or (200 if quick else 2000)
    repeats = repeats or (1 if quick else 5)
    rng = np.random.default_rng(seed)
    A = rng.uniform(-1, 1, size=(games, 2, 2))
    B = rng.uniform(-1, 1, size=(games, 2, 2))

    vector_t, _ = timed(lambda: solve(A, B), repeats)
    lists_t, found = timed(lambda: equilibria(A, B), repeats)
    nashpy_t, expected = timed(lambda: _nashpy(A, B), repeats)
    if not all(_same(f, e) for f, e in zip(found, expected, strict=True)):
        raise SystemExit("the vectorised solver and nashpy disagree")
    return {
        "games": games,
        "repeats": repeats,
        "seed": seed,
        "machine": machine(),
        "nashpy": nashpy.__version__,
        "vectorised_s": round(vector_t, 6),
        "vectorised_with_lists_s": round(lists_t, 6),
        "nashpy_support_enumeration_s": round(nashpy_t, 4),
        "speedup": round(nashpy_t / vector_t, 1),
        "speedup_with_lists": round(nashpy_t / lists_t, 1),
        "equilibria": sum(len(f) for f in found),
        "agree": True,
        "rows": [
            row(
                "solver",
                f"{games} random 2x2 games, all equilibria",
                round(vector_t, 6),
                "nashpy support enumeration",
                round(nashpy_t, 4),
            )
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--games", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    report = run(args.quick, args.repeats, args.games, args.seed)
    report.pop("rows")
    text = json.dumps(report, indent=2)
    print(text)
    if not args.quick:
        write_json(RESULTS, report)


if __name__ == "__main__":
    main()
