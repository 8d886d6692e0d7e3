"""Each compiled kernel (the ``[fast]`` extra) against its NumPy twin, on the arguments of a real
call: how much the compiled form gains where the engine dispatches to it.

For every function that tests ``numba_enabled()`` (the dispatch points), a run of the workload
(``run_ensemble(spec, trajectories=False)``, one block) catches a deep copy of the arguments of
its first call in the middle step (for ``Streams.uniform``, of every draw in that step: a draw
costs little alone). The dispatching function is then called on those arguments with
``use_numba(False)`` and ``use_numba(True)`` in turn: a warm-up call of each form, then
``repeats`` rounds, each timing a batch of calls of one form and then the other (the order
alternating between rounds, the garbage collector off), so that a change in the shared
machine's speed falls on both alike. Each figure is the median over the rounds of the time per
call; the minimum, and the median of each round's ratio of the two forms, are kept as well.
The calls run with freed memory kept in the process (``secdilemma.numerics.heap``), as the
engine runs them: without it, whether a temporary array lands on fresh pages depends on what
the process did before, and some figures moved by a factor of two or more between runs. Both
forms' results on the caught arguments are compared to the bit.

A dispatching function that calls another one (``read_acts`` calls ``capability_signal``,
``war_parts`` calls ``foreseen_decline``) is timed with that one's result fixed, so that each
figure is one kernel's gain. ``two-security-seekers`` has structural observers only, which read
no likelihoods: the type likelihoods are caught at two states from the same scenario with both
states' lens set to ``bayesian``.

Two workloads: ``two-security-seekers`` (R = 1,000) and the synthetic world of 20 states
(``synthetic_world(20, seed=1)``, R = 200), T = 100 steps each. ``--quick`` runs tiny sizes as a
smoke test: its figures mean nothing.

    python -m benchmarks.kernels [--quick] [--repeats K] [--out PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

import numpy as np

from benchmarks.common import HERE, machine, row, warm_up, write_json
from secdilemma.engine import pipeline
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.mechanisms import apply, conflict, power_shift
from secdilemma.mechanisms.decision import (
    aimed,
    choice,
    options,
    pair_parts,
    sampling,
    self_directed,
    treaty,
    utility,
    vulnerability,
    war_parts,
)
from secdilemma.mechanisms.perception import lenses
from secdilemma.model.scenario import Scenario, load_scenario, parse_scenario
from secdilemma.model.synth import synthetic_world
from secdilemma.numerics.fast import numba_available, use_numba
from secdilemma.numerics.heap import retained_heap
from secdilemma.numerics.rng import Streams

RESULTS = HERE / "results_kernels.json"
SYNTH_SEED = 1
# A batch of calls of one form lasts at least this long, so that the timer's resolution and a
# call's fixed cost in the loop do not show.
BATCH_SECONDS = 0.005


class Kernel(NamedTuple):
    """A dispatch point: the function that tests ``numba_enabled()`` and where it lives, the
    module and name its caller looks it up by (to catch its arguments), and the dispatch
    points it calls itself (fixed while it is timed)."""

    name: str
    module: str
    function: Callable[..., Any]
    caller: Any
    attribute: str
    inner: tuple[tuple[Any, str], ...] = ()


KERNELS = [
    Kernel("received effects", "mechanisms/apply.py", apply.received_effects, apply,
           "received_effects"),
    Kernel("foreseen decline", "mechanisms/power_shift.py", power_shift.foreseen_decline,
           war_parts, "foreseen_decline"),
    Kernel("military balance", "mechanisms/conflict.py", conflict.military_balance, pipeline,
           "military_balance"),
    Kernel("actual security", "mechanisms/conflict.py", conflict.actual_security, pipeline,
           "actual_security"),
    Kernel("capability signal", "mechanisms/perception/lenses.py", lenses.capability_signal,
           lenses, "capability_signal"),
    Kernel("readings", "mechanisms/perception/lenses.py", lenses.read_acts, pipeline,
           "read_acts", ((lenses, "capability_signal"),)),
    Kernel("actor and pair parts", "mechanisms/decision/pair_parts.py",
           pair_parts.actor_and_pair_parts, utility, "actor_and_pair_parts"),
    Kernel("softmax draw", "mechanisms/decision/sampling.py", sampling.draw_softmax, choice,
           "draw_softmax"),
    Kernel("type likelihoods", "mechanisms/decision/sampling.py", sampling.softmax_likelihoods,
           choice, "softmax_likelihoods"),
    Kernel("self-directed acts", "mechanisms/decision/self_directed.py", self_directed.fill_self,
           utility, "fill_self"),
    Kernel("war parts", "mechanisms/decision/war_parts.py", war_parts.war_parts, utility,
           "war_parts", ((war_parts, "foreseen_decline"),)),
    Kernel("treaty breach", "mechanisms/decision/treaty.py", treaty.breach_costs, utility,
           "breach_costs"),
    Kernel("precondition masks", "mechanisms/decision/options.py", options.requirement_masks,
           choice, "requirement_masks"),
    Kernel("aimed acts", "mechanisms/decision/aimed.py", aimed.fill_aimed, utility,
           "fill_aimed"),
    Kernel("vulnerability", "mechanisms/decision/vulnerability.py", vulnerability.vulnerability,
           utility, "vulnerability"),
    Kernel("uniform draws", "numerics/rng.py", Streams.uniform, Streams, "uniform"),
]  # fmt: skip


def workloads(quick: bool) -> dict[str, dict[str, Any]]:
    """Each workload's scenario (R and T set), and the variant whose observers read intent."""
    two = (20, 6) if quick else (1000, 100)
    many = (4, 5, 6) if quick else (20, 200, 100)  # states, R, T
    sized = {"replicates": two[0], "steps": two[1]}
    bayesian = ["states.A.lens=bayesian", "states.B.lens=bayesian"]
    return {
        "two-security-seekers": {
            "scenario": load_scenario("two-security-seekers").model_copy(update=sized),
            "reading intent": load_scenario("two-security-seekers", bayesian).model_copy(
                update=sized
            ),
        },
        f"synthetic-{many[0]}": {
            "scenario": parse_scenario(
                synthetic_world(many[0], seed=SYNTH_SEED, replicates=many[1], steps=many[2]),
                f"synthetic-{many[0]}",
            ),
        },
    }


def catch_calls(spec: Scenario, kernels: list[Kernel]) -> dict[str, list[tuple]]:
    """Deep copies of the arguments of each kernel's first call in the run's middle step (of
    every call in it, for the uniform draws), from one run of ``spec`` in one block."""
    middle = spec.steps // 2
    now = {"step": -1}
    caught: dict[str, list[tuple]] = {k.name: [] for k in kernels}
    decide = pipeline.decide

    def step_marker(*args):
        now["step"] = args[5]  # decide(w, b, space, p, streams, step, scheduled)
        return decide(*args)

    def catcher(kernel: Kernel) -> Callable[..., Any]:
        original = getattr(kernel.caller, kernel.attribute)
        every = kernel.function is Streams.uniform  # every draw of the step

        def catch(*args):
            keep = now["step"] == middle and (every or not caught[kernel.name])
            if every:  # (self, stream, step, shape): a draw of the step, not of the set-up
                keep = keep and args[2] == middle
            if keep:
                caught[kernel.name].append(copy.deepcopy(args))
            return original(*args)

        return catch

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(pipeline, "decide", step_marker))
        for kernel in kernels:
            stack.enter_context(mock.patch.object(kernel.caller, kernel.attribute, catcher(kernel)))
        run_ensemble(spec, chunk_size=spec.replicates, trajectories=False)
    return caught


@contextlib.contextmanager
def fixed_inner(kernel: Kernel, calls: list[tuple]) -> Iterator[None]:
    """While timing ``kernel``, the dispatch points it calls return what they returned for
    these arguments (NumPy forms: the same bits as the compiled ones)."""
    with contextlib.ExitStack() as stack:
        for module, name in kernel.inner:
            original, results = getattr(module, name), []

            def remember(*args, _original=original, _results=results):
                _results.append(_original(*args))
                return _results[-1]

            with mock.patch.object(module, name, remember), use_numba(False):
                for args in calls:
                    kernel.function(*args)
            stack.enter_context(mock.patch.object(module, name, _replay(results)))
        yield


def _replay(results: list[Any]) -> Callable[..., Any]:
    """A function returning ``results`` in turn, over and over."""
    position = {"next": 0}

    def replay(*args):
        value = results[position["next"] % len(results)]
        position["next"] += 1
        return value

    return replay


def _same(a: Any, b: Any, notes: set[str]) -> bool:
    """Whether two results are equal to the bit (arrays, tuples, named tuples, dataclasses).
    Arrays of different types are compared by value, and the difference noted in ``notes``."""
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype:
            notes.add(f"the NumPy form gave {a.dtype} where the compiled one gave {b.dtype}")
            return a.shape == b.shape and bool(np.array_equal(a, b))
        return a.shape == b.shape and a.tobytes() == b.tobytes()
    if dataclasses.is_dataclass(a):
        fields = dataclasses.fields(a)
        return all(_same(getattr(a, f.name), getattr(b, f.name), notes) for f in fields)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y, notes) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _outputs(kernel: Kernel, calls: list[tuple], compiled: bool) -> list[Any]:
    """Each call's result, or for the functions that fill their first two arguments (the
    utilities' ``base`` and ``gain``) what they wrote there."""
    found = []
    with use_numba(compiled), fixed_inner(kernel, calls):
        for args in calls:
            args = copy.deepcopy(args)
            result = kernel.function(*args)
            found.append((args[0], args[1]) if result is None else result)
    return found


def _batch(function: Callable[..., Any], calls: list[tuple], n: int, compiled: bool) -> float:
    """Seconds per pass over ``calls``, from ``n`` passes in one form."""
    with use_numba(compiled):
        start = time.perf_counter()
        for _ in range(n):
            for args in calls:
                function(*args)
        return (time.perf_counter() - start) / n


def time_kernel(kernel: Kernel, calls: list[tuple], repeats: int) -> dict[str, Any]:
    """Both forms on the same arguments, interleaved: the median and minimum µs per pass."""
    times: dict[bool, list[float]] = {False: [], True: []}
    with retained_heap(), fixed_inner(kernel, calls):
        passes = {}
        for compiled in (False, True):
            once = _batch(kernel.function, calls, 1, compiled)  # the warm-up call
            once = min(once, _batch(kernel.function, calls, 1, compiled))
            passes[compiled] = max(1, math.ceil(BATCH_SECONDS / max(once, 1e-9)))
        enabled = gc.isenabled()
        gc.disable()
        try:
            for n in range(repeats):
                for compiled in (False, True) if n % 2 == 0 else (True, False):
                    seconds = _batch(kernel.function, calls, passes[compiled], compiled)
                    times[compiled].append(seconds)
        finally:
            if enabled:
                gc.enable()
    numpy_us = statistics.median(times[False]) * 1e6
    compiled_us = statistics.median(times[True]) * 1e6
    return {
        "numpy_us": round(numpy_us, 2),
        "compiled_us": round(compiled_us, 2),
        "speedup": round(numpy_us / compiled_us, 2),
        "numpy_min_us": round(min(times[False]) * 1e6, 2),
        "compiled_min_us": round(min(times[True]) * 1e6, 2),
        "speedup_of_minima": round(min(times[False]) / min(times[True]), 2),
        # each round's two batches ran back to back: their ratio is the least moved by a
        # change in the machine's load between rounds
        "speedup_per_round": round(
            statistics.median(a / b for a, b in zip(times[False], times[True], strict=True)), 2
        ),
        "calls_per_batch": {"numpy": passes[False], "compiled": passes[True]},
    }


def _shapes(calls: list[tuple], replicates: int) -> str:
    """The shape of the largest array over replicates that the caught call reads (among its
    arguments and their fields), as a check on what was timed; for the draws, each one's."""
    if isinstance(calls[0][0], Streams):
        return f"R={calls[0][0].size}, draws of " + ", ".join(str(c[3]) for c in calls)
    arrays = []
    for value in calls[0]:
        if dataclasses.is_dataclass(value):
            arrays += [getattr(value, f.name) for f in dataclasses.fields(value)]
        elif isinstance(value, tuple):
            arrays += list(value)
        else:
            arrays.append(value)
    over = [a for a in arrays if isinstance(a, np.ndarray) and replicates in a.shape]
    largest = max(over, key=np.size)
    return "x".join(map(str, largest.shape))


def run(quick: bool = False, repeats: int | None = None) -> dict[str, Any]:
    if not numba_available():
        raise SystemExit("the kernels benchmark needs Numba (the [fast] extra)")
    warm_up()
    repeats = repeats or (3 if quick else 41)
    report: dict[str, Any] = {"repeats": repeats, "machine": machine(), "workloads": {}}
    rows = []
    for label, specs in workloads(quick).items():
        spec = specs["scenario"]
        with use_numba(True):
            caught = catch_calls(spec, KERNELS)
            missing = [k for k in KERNELS if not caught[k.name]]
            if missing and "reading intent" in specs:
                caught.update(catch_calls(specs["reading intent"], missing))
        entry: dict[str, Any] = {
            "states": len(spec.states),
            "replicates": spec.replicates,
            "steps": spec.steps,
            "caught_at_step": spec.steps // 2,
            "kernels": {},
        }
        for kernel in KERNELS:
            calls = caught[kernel.name]
            if not calls:
                entry["kernels"][kernel.name] = {"module": kernel.module, "skipped": "not called"}
                continue
            notes: set[str] = set()
            numpy_form, compiled_form = (_outputs(kernel, calls, c) for c in (False, True))
            identical = _same(numpy_form, compiled_form, notes)
            if not identical:
                raise SystemExit(f"{kernel.name}: the two forms differ on the caught arguments")
            timed = time_kernel(kernel, calls, repeats)
            entry["kernels"][kernel.name] = {
                "module": kernel.module,
                "calls": len(calls),
                "arguments": _shapes(calls, spec.replicates),
                "identical": identical,
                **({"note": "; ".join(sorted(notes))} if notes else {}),
                **timed,
            }
            print(
                f"  {label}: {kernel.name}: NumPy {timed['numpy_us']:.1f} µs, compiled "
                f"{timed['compiled_us']:.1f} µs, {timed['speedup']:.2f}x",
                flush=True,
            )
            rows.append(
                row(
                    "kernels",
                    f"{kernel.name}, {label}, R={spec.replicates}",
                    timed["compiled_us"],
                    "its NumPy form",
                    timed["numpy_us"],
                    unit="µs",
                )
            )
        report["workloads"][label] = entry
    report["rows"] = rows
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = run(args.quick, args.repeats)
    write_json(args.out, report)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
