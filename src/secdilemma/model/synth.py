"""Synthetic worlds of N states, for benchmarks and scaling studies.

States sit at random points of a unit square (distance in map units: the project's cases put
neighbours 0.1-0.5 apart); capabilities and wealth are lognormal, as the spread of real
capabilities is (a few large states, many small ones); greed is a uniform range over which the
ensemble runs; lenses are mixed. Everything is drawn from one seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from secdilemma.model.scenario import LENSES


def synthetic_world(
    states: int, seed: int = 0, replicates: int = 100, steps: int = 100
) -> dict[str, Any]:
    """A raw scenario (a mapping, as read from YAML) with ``states`` states."""
    if states < 2:
        raise ValueError("a world needs at least two states")
    rng = np.random.default_rng(seed)
    position = rng.random((states, 2)) * np.sqrt(states) * 0.5
    size = rng.lognormal(0.0, 1.0, states)
    ids = [f"S{n:03d}" for n in range(states)]
    world_states = [
        {
            "id": sid,
            "offense": round(float(0.5 * size[n]), 4),
            "defense": round(float(0.5 * size[n]), 4),
            "wealth": round(float(5.0 * size[n] * rng.lognormal(0.0, 0.3)), 4),
            "greed": {"dist": "uniform", "low": 0.0, "high": round(float(rng.random() * 0.5), 3)},
            "charity": round(float(rng.uniform(0.2, 0.8)), 3),
            "lens": LENSES[int(rng.integers(len(LENSES)))],
        }
        for n, sid in enumerate(ids)
    ]
    distance = np.linalg.norm(position[:, None] - position[None], axis=2)
    # Only near neighbours get an explicit distance; the rest take the default distance.
    relations = [
        {"between": [ids[i], ids[j]], "distance": round(float(distance[i, j]), 4)}
        for i in range(states)
        for j in range(i + 1, states)
        if distance[i, j] < 1.0
    ]
    return {
        "name": f"synthetic-{states}",
        "description": f"A synthetic world of {states} states (seed {seed}).",
        "sources": ["secdilemma.model.synth: lognormal capabilities, random positions."],
        "steps": steps,
        "replicates": replicates,
        "seed": seed,
        "world": {
            "offense_defense_balance": 1.2,
            "distinguishability": 0.4,
            "observation_noise": 0.1,
        },
        "states": world_states,
        "relations": relations,
        "parameters": {"default_distance": 2.0},
    }
