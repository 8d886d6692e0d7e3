"""The calibrated defaults: the estimates of ``secdilemma calibrate`` (its two stages) on the
training years, shipped as data (``model/data/calibrated.json``), and where each fitted
constant's default comes from. ``model/parameters.py`` reads them; the model never imports
the evidence layer that writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CALIBRATION_FILE = Path(__file__).parent / "data" / "calibrated.json"
CALIBRATED: dict[str, Any] = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))


def _stage_of(name: str) -> tuple[dict[str, Any], str] | None:
    """The calibration stage that fitted ``name`` and its command: the decisions' constants on
    two-state worlds, or joining wars on worlds of every participant (``joining``)."""
    joining = CALIBRATED.get("joining", {})
    for stage, command in (
        (CALIBRATED, "secdilemma calibrate"),
        (joining, "secdilemma calibrate --stage joining"),
    ):
        if name in stage.get("fitted", {}):
            return stage, command
    return None


def calibrated(name: str, hand_set: float) -> float:
    """The calibrated value of ``name`` where the calibration fitted it, else ``hand_set``."""
    found = _stage_of(name)
    return hand_set if found is None else float(found[0]["fitted"][name])


def source_of(name: str, hand_set: str) -> str:
    """Where the default of ``name`` comes from: the calibration, with its 68% interval, or
    ``hand_set`` (the mechanism's source where the value is the project's choice)."""
    found = _stage_of(name)
    if found is None:
        return hand_set
    stage, command = found
    low, high = stage["interval_68"][name]
    return (
        f"calibrated on COW disputes {stage['training_years']} (`{command}`, "
        f"docs/evidence.md); 68% interval {low:.3g}-{high:.3g}"
    )
