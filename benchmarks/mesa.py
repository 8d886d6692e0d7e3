"""The vectorised engine against the Mesa reference model (``secdilemma.interop.mesa``): seconds
per replicate-step of the same model, side by side in this process.

Two workloads:

- ``two-security-seekers``: the bundled scenario (2 states); the engine runs R = 1,000
  replicates of T = 100 steps in one ensemble (one block).
- ``synthetic-20``: ``secdilemma.model.synth.synthetic_world(20, seed=1)``, 20 states with mixed
  lenses; the engine runs R = 1,000, T = 100.

The engine is timed with its compiled kernels (the ``[fast]`` extra, when Numba is installed)
and without them (NumPy only), in blocks of ``engine.block_size``. The Mesa model runs one
replicate at a time, as Mesa does, so it is timed on a subset of replicates (20 and 10 of
them, T = 100). Both times include building the world, and the Mesa
model collects its DataCollector's reporters every step, as a Mesa user's model does. The
repeats are interleaved (engine, engine without Numba, Mesa; then again), so that a change in
the machine's speed during the run (a shared machine's neighbours) falls on all three alike.
Each figure is the median over ``repeats`` runs; the ratio is Mesa's median over the engine's,
and the per-repeat ratios are kept as well.
``--quick`` runs tiny sizes as a smoke test: its figures mean nothing.

    python -m benchmarks.mesa [--quick] [--repeats K] [--out PATH]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.common import HERE, machine, row, warm_up, write_json
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.interop.mesa import SecurityDilemmaModel, within_scope
from secdilemma.model.scenario import Scenario, load_scenario, parse_scenario
from secdilemma.model.synth import synthetic_world
from secdilemma.numerics.fast import numba_enabled, use_numba

RESULTS = HERE / "results_mesa.json"
SYNTH_SEED = 1


def workloads(quick: bool) -> dict[str, dict[str, Any]]:
    """Each workload's scenario, the engine's R and T, and the Mesa model's replicates."""
    if quick:
        sizes = {"two-security-seekers": (20, 5, 2), "synthetic-20": (10, 3, 1)}
    else:
        sizes = {"two-security-seekers": (1000, 100, 20), "synthetic-20": (1000, 100, 10)}
    specs = {
        "two-security-seekers": load_scenario("two-security-seekers"),
        # Both models run without joining wars for the spoils, which the Mesa model lacks.
        "synthetic-20": within_scope(
            parse_scenario(synthetic_world(20, seed=SYNTH_SEED), "synthetic-20")
        ),
    }
    return {
        name: {
            "scenario": specs[name],
            "states": len(specs[name].states),
            "engine_replicates": R,
            "steps": T,
            "mesa_replicates": R_mesa,
        }
        for name, (R, T, R_mesa) in sizes.items()
    }


def engine_seconds(spec: Scenario, replicates: int, steps: int) -> float:
    spec = spec.model_copy(update={"replicates": replicates, "steps": steps})
    start = time.perf_counter()
    run_ensemble(spec, trajectories=False)
    return time.perf_counter() - start


def mesa_seconds(spec: Scenario, replicates: int, steps: int) -> float:
    spec = spec.model_copy(update={"steps": steps})
    start = time.perf_counter()
    for r in range(replicates):
        model = SecurityDilemmaModel(spec, replicate=r)
        while model.running:
            model.step()
    return time.perf_counter() - start


def run(quick: bool = False, repeats: int | None = None) -> dict[str, Any]:
    """Time both implementations on each workload; JSON-serialisable results and summary rows."""
    warm_up()
    repeats = repeats or (1 if quick else 3)
    results: dict[str, Any] = {"machine": machine(), "quick": quick, "repeats": repeats}
    rows = []
    for name, load in workloads(quick).items():
        spec, R, T, R_mesa = (
            load["scenario"],
            load["engine_replicates"],
            load["steps"],
            load["mesa_replicates"],
        )
        engine, numpy_only, mesa = [], [], []
        for _ in range(repeats):
            engine.append(engine_seconds(spec, R, T) / (R * T))
            with use_numba(False):
                numpy_only.append(engine_seconds(spec, R, T) / (R * T))
            mesa.append(mesa_seconds(spec, R_mesa, T) / (R_mesa * T))
        engine_median, mesa_median = statistics.median(engine), statistics.median(mesa)
        numpy_median = statistics.median(numpy_only)
        ratio = mesa_median / engine_median
        results[name] = {
            "states": load["states"],
            "steps": T,
            "engine_replicates": R,
            "mesa_replicates": R_mesa,
            "engine_s_per_replicate_step": engine_median,
            "mesa_s_per_replicate_step": mesa_median,
            "ratio": round(ratio, 1),
            "engine_numpy_only_s_per_replicate_step": numpy_median,
            "ratio_numpy_only": round(mesa_median / numpy_median, 1),
            "ratio_per_repeat": [round(m / e, 1) for m, e in zip(mesa, engine, strict=True)],
            "engine_repeats": engine,
            "engine_numpy_only_repeats": numpy_only,
            "mesa_repeats": mesa,
        }
        rows.append(
            row(
                "mesa",
                f"{name}, R={R}, T={T} (s per replicate-step)",
                engine_median,
                f"Mesa model ({R_mesa} replicate{'' if R_mesa == 1 else 's'})",
                mesa_median,
                note=f"median of {repeats}; kernels: {'numba' if numba_enabled() else 'numpy'}",
            )
        )
        if numba_enabled():
            rows.append(
                row(
                    "mesa",
                    f"{name}, NumPy only (s per replicate-step)",
                    numpy_median,
                    f"Mesa model ({R_mesa} replicate{'' if R_mesa == 1 else 's'})",
                    mesa_median,
                    note="the engine without the [fast] extra",
                )
            )
        print(
            f"{name}: engine {engine_median:.3g} s (NumPy only {numpy_median:.3g} s), "
            f"Mesa {mesa_median:.3g} s per replicate-step, ratio {ratio:.1f}",
            flush=True,
        )
    results["rows"] = rows
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.mesa", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per timing (median)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"where to write the JSON (default {RESULTS.name}, or results_mesa_quick.json "
        "with --quick)",
    )
    args = parser.parse_args()
    results = run(args.quick, args.repeats)
    out = args.out or (HERE / "results_mesa_quick.json" if args.quick else RESULTS)
    write_json(out, results)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
