"""A fuzz campaign: mutated bundled scenarios through ``secdilemma validate`` and a tiny run.

    python tests/fuzz/campaign.py --cases 10000            # seed 0
    python tests/fuzz/campaign.py --cases 500 --seed 7 --show 5

Each case is ``tests/fuzz/mutations.make_case`` with its own ``random.Random(seed, case)``,
checked in this process (no subprocess) with a per-case time limit (``--limit``, 10 s, by
SIGALRM). The campaign prints the counts of clean errors, clean runs, tracebacks, hangs and
NaN outputs, and the cases of the last three kinds (each replays with ``--only N``). It exits
with status 1 if there is any.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for fuzz.mutations

from fuzz.mutations import KINDS, check_case, make_case, warm_up  # noqa: E402

LABELS = {
    "error": "clean errors",
    "run": "clean runs",
    "traceback": "tracebacks",
    "hang": "hangs",
    "nan": "NaN outputs",
}


def case_rng(seed: int, n: int) -> random.Random:
    return random.Random(f"{seed}:{n}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--show", type=int, default=10, help="bad cases to print in full")
    parser.add_argument("--only", type=int, default=None, help="replay one case")
    args = parser.parse_args(argv)
    numbers = [args.only] if args.only is not None else range(args.cases)
    counts: collections.Counter[str] = collections.Counter({kind: 0 for kind in KINDS})
    bad = []
    slowest = (0.0, -1)
    with tempfile.TemporaryDirectory() as root:
        warm_up(Path(root))  # compiles the kernels, untimed
        start = time.perf_counter()
        for n in numbers:
            case = make_case(case_rng(args.seed, n))
            folder = Path(root) / str(n)
            folder.mkdir()
            began = time.perf_counter()
            outcome = check_case(case, folder, limit=args.limit)
            slowest = max(slowest, (time.perf_counter() - began, n))
            counts[outcome.kind] += 1
            if outcome.kind not in ("error", "run"):
                bad.append((n, case, outcome))
            done = sum(counts.values())
            if done % 1000 == 0:
                print(f"  {done} cases, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - start
    total = sum(counts.values())
    each = 1000 * elapsed / max(total, 1)
    print(f"{total} cases (seed {args.seed}) in {elapsed:.1f} s ({each:.0f} ms a case)")
    for kind in KINDS:
        print(f"  {LABELS[kind]:>13}: {counts[kind]}")
    print(f"  slowest case: {slowest[1]} ({slowest[0]:.2f} s)")
    for n, case, outcome in bad[: args.show]:
        print(f"\n--- case {n}: {outcome.kind} ({case.name}: {case.steps}, --set {case.overrides})")
        print(outcome.detail)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
