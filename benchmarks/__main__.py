"""Run every benchmark, print one table of ratios, and write ``benchmarks/results.json``.

    python -m benchmarks [--quick] [--only NAME ...] [--repeats K] [--out PATH]

Each benchmark measures secdilemma and the alternative a researcher would otherwise run side by
side, in this one process (or session), so the ratios hold on any machine; absolute times are
this machine's (recorded with the results). ``--quick`` runs tiny sizes as a smoke test: its
figures mean nothing. With ``--only``, the chosen benchmarks replace theirs in an existing
results file and the others are kept. A benchmark whose optional library is missing
(``[mesa]``, ``[axelrod]``, nashpy from ``[test]``, Numba from ``[fast]``, ``[web]``) is reported as
skipped.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import HERE, machine, write_json

# name: (module, what it compares, the optional libraries it needs)
BENCHMARKS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "mesa": ("benchmarks.mesa", "engine vs the Mesa reference model", ("mesa",)),
    "iterated": ("benchmarks.iterated", "round robin vs axelrod.Tournament", ("axelrod",)),
    "vectorisation": ("benchmarks.vectorisation", "one ensemble vs one replicate at a time", ()),
    "workloads": ("benchmarks.workloads", "193 states; a 100-point sweep", ()),
    "solver": ("benchmarks.solver", "2x2 solver vs nashpy", ("nashpy",)),
    "scaling": ("benchmarks.scaling", "time and memory against R, N, T", ()),
    "kernels": ("benchmarks.kernels", "compiled kernels vs their NumPy twins", ("numba",)),
    "lab": ("benchmarks.lab", "the lab's run vs compare()", ("fastapi", "uvicorn", "httpx")),
    "floor": ("benchmarks.floor", "the engine vs the memory-bandwidth floor", ()),
}


def _missing(libraries: tuple[str, ...]) -> list[str]:
    return [name for name in libraries if importlib.util.find_spec(name) is None]


def _table(rows: list[dict[str, Any]]) -> str:
    header = ("benchmark", "workload", "secdilemma", "alternative", "its value", "ratio")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r["benchmark"],
                r["workload"],
                f"{r['secdilemma']:.4g} {r['unit']}",
                r["alternative"] or "",
                "" if r["alternative_value"] is None else f"{r['alternative_value']:.4g}",
                "" if r["ratio"] is None else f"{r['ratio']:g}x",
            )
        )
    widths = [max(len(str(line[c])) for line in lines) for c in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True))
        for line in lines
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per timing (median)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or HERE / ("results_quick.json" if args.quick else "results.json")

    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "benchmarks": {}}
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for name, (module, what, needs) in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        missing = _missing(needs)
        if missing:
            results["benchmarks"][name] = {"skipped": f"not installed: {', '.join(missing)}"}
            print(f"{name}: skipped ({', '.join(missing)} not installed)", flush=True)
            continue
        print(f"{name}: {what} ...", flush=True)
        begun = time.perf_counter()
        result = importlib.import_module(module).run(quick=args.quick, repeats=args.repeats)
        result = dict(result)
        rows += result.pop("rows", [])
        result["benchmark_seconds"] = round(time.perf_counter() - begun, 1)
        results["benchmarks"][name] = result
        if name == "scaling" and not args.quick:
            from benchmarks.scaling import plot

            plot(result["scaling"], out.with_name("scaling.png"))
    results["seconds"] = round(time.perf_counter() - started, 1)
    if args.only and out.is_file():
        # Update the chosen benchmarks in the existing results; keep the others.
        earlier = json.loads(out.read_text())
        kept = [r for r in earlier.get("rows", []) if r["benchmark"] not in results["benchmarks"]]
        results["benchmarks"] = {**earlier.get("benchmarks", {}), **results["benchmarks"]}
        rows = kept + rows
    results["rows"] = rows
    floor = results["benchmarks"].get("floor", {})
    if "floor_fraction" in floor:
        results["floor_fraction"] = floor["floor_fraction"]
    print()
    print(_table(rows))
    write_json(out, results)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
