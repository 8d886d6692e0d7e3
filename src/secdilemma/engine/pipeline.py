"""The step pipeline over a vectorised world: decide, apply, observe, interpret, conflict,
learn, record. One call simulates a block of replicates; blocks join into an ensemble with
results that do not depend on how the replicates were split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from threadpoolctl import threadpool_limits

from secdilemma.engine.outcomes import Outcomes
from secdilemma.engine.recorder import Recorder
from secdilemma.engine.records.step import Step
from secdilemma.mechanisms.agreements import learn_from_verification, verify
from secdilemma.mechanisms.alliances import allies_join, balance_against_aggression
from secdilemma.mechanisms.apply import advance_economy, apply_actions
from secdilemma.mechanisms.conflict import (
    Balance,
    Outbreak,
    actual_security,
    hubristic,
    military_balance,
    resolve_wars,
)
from secdilemma.mechanisms.crisis import Crisis, escalate
from secdilemma.mechanisms.decision import Choice, OptionSpace, decide
from secdilemma.mechanisms.decision.vulnerability import vulnerability
from secdilemma.mechanisms.intervention import join_for_spoils
from secdilemma.mechanisms.learning import learn
from secdilemma.mechanisms.perception.lenses import interpret, read_acts
from secdilemma.mechanisms.perception.observe import observe
from secdilemma.model.actions import Catalog
from secdilemma.model.scenario import Parameters, Scenario
from secdilemma.model.world import WorldState, draw_parameters, initial_world, world_change_schedule
from secdilemma.numerics.heap import retained_heap
from secdilemma.numerics.rng import Stream, Streams

Progress = Callable[[int], None]

# Outcome arrays whose replicate axis is the second one (time comes first).
_TIME_FIRST = {"escalation", "actions", "targets", "scheduled", "state_traj", "pair_traj"}


@dataclass
class Ensemble:
    """One scenario's replicates, run: the scenario and catalogue they ran with, the values
    drawn for each replicate (``drawn``: distributions' draws by field, ``(R, ...)``), and
    ``outcomes`` (:class:`~secdilemma.engine.outcomes.Outcomes`: every outcome array,
    replicate axis first, or time first for the per-step ones).

    >>> from secdilemma import load_scenario, run_ensemble
    >>> ens = run_ensemble(load_scenario("two-security-seekers", ["replicates=40", "steps=10"]))
    >>> ens.ids, ens.outcomes.war.shape, ens.outcomes.actions.shape
    (['A', 'B'], (40,), (10, 40, 2))
    """

    scenario: Scenario
    catalog: Catalog
    replicates: range
    drawn: dict[str, np.ndarray]
    outcomes: Outcomes

    @property
    def ids(self) -> list[str]:
        return self.scenario.ids


def _scheduled_options(scenario: Scenario, space: OptionSpace) -> dict[int, list[tuple[int, int]]]:
    index = {sid: n for n, sid in enumerate(scenario.ids)}
    by_step: dict[int, list[tuple[int, int]]] = {}
    for event in scenario.events:
        k = space.catalog.index(event.action)
        target = None if event.target is None else index[event.target]
        option = space.option_of(k, target)
        for step in event.steps(scenario.steps - 1):
            by_step.setdefault(step, []).append((index[event.actor], option))
    return by_step


def _outbreak(
    w: WorldState,
    bal: Balance,
    choice: Choice,
    cat: Catalog,
    crisis: Crisis,
    p: Parameters,
    streams: Streams,
    step: int,
) -> tuple[Outbreak, np.ndarray, np.ndarray, np.ndarray]:
    """This step's wars by cause, with the force and the stakes each side commits and the
    initiator's chance of winning each."""
    N = w.shape[1]
    aim = choice.aim
    a = choice.action
    deliberate = aim & cat.starts_war[a][:, :, None]
    # An act of force may provoke the target into striking back: a war it initiates, at the
    # act's crisis rate where the target expects to hold its own, less in proportion to its
    # (hubristic) odds below even (a state that cannot win swallows the insult; Fearon 1995).
    # Most steps no state takes an act with a crisis rate: the odds are then not needed (the
    # draw is keyed by step, so skipping nothing else moves no other draw).
    rate = cat.crisis[a][:, :, None]
    if rate.any():
        odds = hubristic(bal.win, w.hubris, p.hubris_scale).transpose(0, 2, 1)  # [actor, target]
        strikes_back = rate * np.minimum(2.0 * odds, 1.0)
    else:
        strikes_back = np.zeros((1, 1, 1))
    provoked = aim & (streams.uniform(Stream.CRISIS, step, (N, N)) < strikes_back)
    provoked = provoked.transpose(0, 2, 1) & ~deliberate
    fighting = deliberate | provoked
    inadvertent = crisis.escalated & ~fighting & ~fighting.transpose(0, 2, 1)
    started = fighting | inadvertent
    joined = allies_join(w, started, p, streams, step) & ~started
    # Third states may join a war on its victim for a share of the spoils (bandwagoning).
    spoils = join_for_spoils(w, bal, choice.vulnerability, started, joined, streams, p)
    outbreak = Outbreak(deliberate, provoked, inadvertent, joined, spoils.joins)
    chosen_force = cat.force[a][:, :, None] * aim
    joiner = joined | spoils.joins
    force = np.where(deliberate, chosen_force, np.where(joiner, p.ally_force, p.crisis_force))
    stakes = np.where(deliberate, cat.stakes[a][:, :, None] * aim, p.crisis_stakes)
    stakes = np.where(joined, 0.0, np.where(spoils.joins, spoils.stakes, stakes))
    # A joiner for the spoils fights at the coalition's odds (intervention.coalition_odds).
    odds = np.where(spoils.joins, spoils.odds, bal.win) if spoils.joins.any() else bal.win
    return outbreak, force, stakes, odds


def simulate(
    scenario: Scenario,
    replicates: range,
    catalog: Catalog | None = None,
    trajectories: bool = True,
    progress: Progress | None = None,
    draws: list[np.ndarray] | None = None,
) -> tuple[dict[str, np.ndarray], Outcomes]:
    """Run replicates ``replicates`` (global indices) of ``scenario`` for all its steps.
    ``draws``: these replicates' parameter draws (``world.draw_parameters``), where the run
    made them already.

    BLAS runs on one thread meanwhile: the engine's few matrix products (``world.linked``) are
    small, and parallelism comes from worker processes (sweeps, counterfactuals), whose BLAS
    threads would otherwise contend for the same cores (a product of 0.4 ms took 312 ms on a
    loaded two-core machine; docs/performance.md)."""
    with retained_heap(), threadpool_limits(limits=1, user_api="blas"):
        return _simulate_block(scenario, replicates, catalog, trajectories, progress, draws)


def _simulate_block(
    scenario: Scenario,
    replicates: range,
    catalog: Catalog | None,
    trajectories: bool,
    progress: Progress | None,
    draws: list[np.ndarray] | None,
) -> tuple[dict[str, np.ndarray], Outcomes]:
    cat = catalog or scenario.action_catalog()
    p = scenario.parameters
    streams = Streams(scenario.seed, replicates)
    w, drawn = initial_world(scenario, streams, cat, draws)
    N = w.shape[1]
    space = OptionSpace(cat, N)
    schedule = _scheduled_options(scenario, space)
    changes = world_change_schedule(scenario, streams)

    bal = military_balance(w, p)
    security = actual_security(bal)
    index = {sid: n for n, sid in enumerate(scenario.ids)}
    facts = [
        (index[f.actor], index.get(f.target, -1), f.from_step, f.by_step) for f in scenario.record
    ]
    recorder = Recorder(
        w, security, 1 - vulnerability(w, bal).V, scenario.steps, p, cat, trajectories, facts
    )
    for t in range(scenario.steps):
        if t in changes:
            for name, values in changes[t]:
                setattr(w, name, values)
            bal = military_balance(w, p)
        choice = decide(w, bal, space, p, streams, t, schedule.get(t, []))
        offense_before, defense_before = w.offense.copy(), w.defense.copy()
        bound = w.agreement.copy()
        applied = apply_actions(w, choice, cat, p)
        seen = observe(w, choice, cat, streams, t)
        reading = read_acts(w, choice, seen, cat, p, offense_before, defense_before)
        interpret(w, reading, seen, p, choice.modelled)
        verification = verify(w, bound, choice, applied, seen, cat, p, streams, t)
        learn_from_verification(w, verification, p)

        bal = military_balance(w, p)
        crisis = escalate(w, bal, reading, p, streams, t)
        outbreak, force, stakes, odds = _outbreak(w, bal, choice, cat, crisis, p, streams, t)
        nuclear = choice.aim & cat.nuclear_use[choice.action][:, :, None]
        wars = resolve_wars(
            w, bal, outbreak.started, force, stakes, nuclear, p, streams, t, odds=odds
        )
        balance_against_aggression(w, outbreak.deliberate, reading, p)
        revealed = learn(w, reading, choice, applied.armed, cat, p, streams, t)
        advance_economy(w, p)

        bal = military_balance(w, p)
        security = actual_security(bal)
        perceived = 1 - choice.vulnerability.V
        recorder.record(
            Step(
                t,
                w,
                choice,
                applied.armed,
                reading,
                revealed,
                outbreak,
                wars,
                nuclear,
                crisis,
                verification,
                security,
                perceived,
            )
        )
        if progress is not None:
            progress(1)
    return drawn, recorder.finish(w, security)


def _join(parts: list[Outcomes]) -> Outcomes:
    joined = {}
    for f in fields(Outcomes):
        values = [getattr(part, f.name) for part in parts]
        if values[0] is None:
            joined[f.name] = None
        else:
            joined[f.name] = np.concatenate(values, axis=1 if f.name in _TIME_FIRST else 0)
    return Outcomes(**joined)


# Peak bytes of one step per replicate and per element of an (N, options) array: the decision
# step holds a few single-precision utility arrays and masks of that shape at once (41 bytes,
# measured with tracemalloc for N = 20-193; docs/performance.md), with a margin.
_BYTES_PER_OPTION = 44
# The decision step passes over (R, N, options) arrays a few times; blocks of at most this many
# elements (16 MiB per single-precision array) keep them near the processor's cache. Smaller
# blocks pay a block's fixed cost per step more often, larger ones leave the cache: at 20 to 193
# states this size was within about 5% of the best block measured (docs/performance.md). It changes
# no result.
_OPTIONS_PER_BLOCK = 2**22


def block_size(scenario: Scenario, catalog: Catalog, memory_budget: float = 2 * 2**30) -> int:
    """Replicates per block: as many as keep a block's peak memory near ``memory_budget`` bytes
    and its option arrays near the cache."""
    N = len(scenario.states)
    options = N * OptionSpace(catalog, N).size
    fits = min(memory_budget // (_BYTES_PER_OPTION * options), _OPTIONS_PER_BLOCK // options)
    return max(1, min(scenario.replicates, int(fits)))


def run_ensemble(
    scenario: Scenario,
    catalog: Catalog | None = None,
    chunk_size: int | None = None,
    trajectories: bool = True,
    progress: Progress | None = None,
    memory_budget: float = 2 * 2**30,
    workers: int = 1,
) -> Ensemble:
    """All of a scenario's replicates, in blocks of ``chunk_size`` (default: ``block_size``,
    one block for small worlds). Results do not depend on the blocks: each replicate's draws
    come from its own stream of the scenario's seed.

    ``catalog`` replaces the scenario's own catalogue; ``trajectories`` keeps per-step state
    and pair variables (memory grows with steps x states^2); ``progress(n)`` is called after
    each step of each block (with ``workers`` > 1, with a block's steps when it ends).
    ``workers`` > 1 runs the blocks in that many processes, each holding one block at a time;
    the results are joined in block order, so they are the same bits as on one.

    >>> from secdilemma import load_scenario, run_ensemble
    >>> spec = load_scenario("two-security-seekers", ["replicates=60", "steps=30"])
    >>> whole, blocks = run_ensemble(spec), run_ensemble(spec, chunk_size=7)
    >>> bool((whole.outcomes.actions == blocks.outcomes.actions).all())
    True
    """
    cat = catalog or scenario.action_catalog()
    R = scenario.replicates
    size = (
        block_size(scenario, cat, memory_budget) if not chunk_size else max(1, min(chunk_size, R))
    )
    # The parameters are drawn once for the run and sliced per block (the same bits: each
    # replicate draws from its own stream): a 193-state world makes about 4,000 draws, and a
    # block there holds two replicates.
    draws = draw_parameters(scenario, Streams(scenario.seed, range(R))) if size < R else None
    blocks = [range(start, min(start + size, R)) for start in range(0, R, size)]

    def rows(block: range) -> list[np.ndarray] | None:
        return None if draws is None else [v[block.start : block.stop].copy() for v in draws]

    if workers > 1 and len(blocks) > 1:
        parts = _blocks_in_processes(scenario, blocks, rows, cat, trajectories, progress, workers)
    else:
        parts = [simulate(scenario, b, cat, trajectories, progress, rows(b)) for b in blocks]
    drawn = {k: np.concatenate([d[k] for d, _ in parts]) for k in parts[0][0]}
    return Ensemble(scenario, cat, range(R), drawn, _join([o for _, o in parts]))


def _blocks_in_processes(
    scenario: Scenario,
    blocks: list[range],
    rows: Callable[[range], list[np.ndarray] | None],
    catalog: Catalog,
    trajectories: bool,
    progress: Progress | None,
    workers: int,
) -> list[tuple[dict[str, np.ndarray], Outcomes]]:
    """``simulate`` for each block in a pool of ``workers`` processes, in block order. At most
    two blocks per worker are in flight, so the parent holds few blocks' draws at once; an
    interruption cancels what has not started."""
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    results: dict[int, tuple[dict[str, np.ndarray], Outcomes]] = {}
    queue = iter(enumerate(blocks))
    pool = ProcessPoolExecutor(max_workers=min(workers, len(blocks)))
    try:
        pending: dict[Future, int] = {}

        def submit_next() -> None:
            job = next(queue, None)
            if job is not None:
                n, block = job
                args = (scenario, block, catalog, trajectories, None, rows(block))
                pending[pool.submit(simulate, *args)] = n

        for _ in range(2 * workers):
            submit_next()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results[pending.pop(future)] = future.result()
                if progress is not None:
                    progress(scenario.steps)
                submit_next()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[n] for n in range(len(blocks))]
