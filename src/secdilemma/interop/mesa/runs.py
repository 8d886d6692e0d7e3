"""Run replicates of the Mesa model one by one and gather their outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from secdilemma.interop.mesa.model import SecurityDilemmaModel, as_scenario, check_supported
from secdilemma.model.scenario import Scenario


def run_replicates(
    scenario: Scenario | str | Path,
    replicates: int | Iterable[int],
    steps: int | None = None,
    seed: int | None = None,
    model_class: type[SecurityDilemmaModel] = SecurityDilemmaModel,
) -> dict[str, Any]:
    """Run replicates ``range(replicates)`` (or the given replicate indices) of ``scenario``
    for ``steps`` steps (default: the scenario's).

    Returns per-replicate outcomes as arrays with the replicate axis first, in the definitions
    of ``secdilemma.engine.outcomes.Outcomes`` (``war``, ``spiral``, ``tragic_spiral``, ``n_wars``,
    ``wars_deliberate`` ..., ``security_start``/``_end``, ``arms_start``/``_end``,
    ``threat_end``, ``belief_end`` ...), ``acts`` (act id -> count per replicate), and the
    shares ``p_war``, ``p_spiral`` and ``p_tragic_spiral`` as
    ``secdilemma.engine.summary.summarize`` computes them. ``model_class`` may be a subclass
    of :class:`SecurityDilemmaModel`.
    """
    spec = as_scenario(scenario)
    check_supported(spec)
    indices = list(range(replicates)) if isinstance(replicates, int) else list(replicates)
    if not indices:
        raise ValueError("no replicates to run")
    rows = []
    for r in indices:
        model = model_class(spec, replicate=r, seed=seed, steps=steps)
        while model.running:
            model.step()
        rows.append(model.outcomes())
    out: dict[str, Any] = {
        "scenario": spec.name,
        "replicates": np.asarray(indices),
        "steps": steps or spec.steps,
        "seed": spec.seed if seed is None else seed,
    }
    for key in rows[0]:
        if key != "acts":
            out[key] = np.asarray([row[key] for row in rows])
    names = sorted({name for row in rows for name in row["acts"]})
    out["acts"] = {name: np.asarray([row["acts"].get(name, 0) for row in rows]) for name in names}
    for key in ("war", "spiral", "tragic_spiral"):
        out[f"p_{key}"] = float(np.mean(out[key]))
    return out
