"""A two-state world for each dispute dyad, built from the pair's attributes at onset.

The mapping (docs/evidence.md states the reasons):

* capabilities and a defence pact between the two come from the NMC and alliance data of the
  onset year, through the scenario ``calibration:`` block (``model/calibration.py``): wealth
  from the economic components of CINC, forces from the military ones, at the model's reference
  burden; side A (the side that began the dispute) is ``A``;
* motives are unknown: each state's greed is drawn per replicate from Beta(1, 3), whose mean is
  the observers' own prior that another state is greedy (``parameters.prior_greedy``, 0.25);
* the dispute opens with a display of force by A against B (``military_exercise``) at step 0;
* a GRH arms race under way at onset is a running build-up: both build arms at steps 0 and 1;
* distance is the model's default (the bundled data hold no contiguity or capitals), and a pact
  of either state with a third is left out (a two-state world has no third state);
* each step is a year; the model's probability that the dispute becomes a war is the share of
  replicates in which A and B fight within ``STEPS`` steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The dyad attributes a world is built from.
COLUMNS = ("DispNum3", "ccode_a", "ccode_b", "low", "high", "onset", "arms_race")

GREED = {"dist": "beta", "a": 1.0, "b": 3.0}
OPENING = "military_exercise"
BUILD_UP = "build_arms"
STEPS = 5
REPLICATES = 200


def dyad_seed(row: Mapping[str, Any]) -> int:
    """A seed of the dyad's own (dispute number and pair), so that a dyad's result does not
    depend on which others run beside it or on how many processes run them."""
    return int(row["DispNum3"]) * 1_000_000 + int(row["low"]) * 1_000 + int(row["high"])


def dispute_world(
    row: Mapping[str, Any],
    replicates: int = REPLICATES,
    steps: int = STEPS,
    lens: str = "structural",
    opening: bool = True,
    initiator_greed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The raw scenario (a mapping, as read from YAML) of one dispute dyad; without the
    ``opening`` display of force, the same pair in a quiet year (the calibration's peacetime
    target). ``initiator_greed`` is the distribution of side A's greed (by default ``GREED``,
    as B's): the calibration fits how much more greedy the side that began a dispute is."""
    onset = int(row["onset"])
    events = [{"step": 0, "actor": "A", "action": OPENING, "target": "B"}] if opening else []
    if bool(row["arms_race"]):
        events += [
            {"step": step, "actor": actor, "action": BUILD_UP}
            for step in (0, 1)
            for actor in ("A", "B")
            if not (step == 0 and actor == "A")  # A's step 0 is the opening display
        ]
    return {
        "name": f"dispute-{int(row['DispNum3'])}-{int(row['ccode_a'])}-{int(row['ccode_b'])}",
        "steps": steps,
        "replicates": replicates,
        "seed": dyad_seed(row),
        "states": [
            {"id": "A", "greed": dict(initiator_greed or GREED), "lens": lens},
            {"id": "B", "greed": dict(GREED), "lens": lens},
        ],
        "events": events,
        "calibration": {
            "year": min(onset, 2016),
            "states": {"A": [int(row["ccode_a"])], "B": [int(row["ccode_b"])]},
            "alliances": "defense",
        },
    }
