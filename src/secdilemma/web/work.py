"""The runs the lab starts: a comparison of the readings, and the three analysis tools, each
reporting its progress as ``report(done, total)`` (which stops the run when it is cancelled).

Each returns what the page shows; the analyses return their report page's HTML body, the same
text ``secdilemma attribute``, ``audit`` and ``robust`` write into ``report.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from secdilemma.analysis.compare import READINGS, Comparison, compare
from secdilemma.engine.pipeline import block_size
from secdilemma.engine.summary import json_safe
from secdilemma.errors import InputError
from secdilemma.model.scenario import load_scenario

Report = Callable[[int, int], None]
Options = dict[str, Any]


def compare_run(
    scenario: str, overrides: list[str], replicates: int, report: Report
) -> tuple[dict[str, Any], Comparison]:
    """The readings side by side: the page's view and the ensembles (for replicates)."""
    from secdilemma.web.views import comparison_view

    settings = [*overrides, f"replicates={replicates}"]
    spec = load_scenario(scenario, settings)
    blocks = -(-replicates // block_size(spec, spec.action_catalog()))
    total, done = len(READINGS) * spec.steps * blocks, 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        report(done, total)

    report(0, total)
    comparison = compare(scenario, settings, progress=lambda reading: tick)
    return comparison_view(comparison), comparison


def warm_up() -> None:
    """A tiny comparison, for its imports and compiled kernels."""
    compare("two-security-seekers", ["replicates=2", "steps=2"])


def _text(options: Options, key: str, default: str | None = None) -> str | None:
    value = options.get(key, default)
    if value is None or value == "":
        return default
    return str(value)


def _step(options: Options) -> int:
    value = options.get("at", 0)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError("request", "options.at", value, "a step number") from None


def attribute_run(
    scenario: str, overrides: list[str], replicates: int, options: Options, report: Report
) -> dict[str, Any]:
    from secdilemma.analysis.attribution import attribute
    from secdilemma.report.attribution_page import body

    result = attribute(
        scenario,
        outcome=_text(options, "outcome", "war"),
        restraint=_text(options, "restraint", "wait"),
        overrides=overrides,
        replicates=replicates,
        progress=report,
    )
    payload = json_safe(result.as_dict())
    return {"html": body(payload), "payload": payload}


def check_audit(scenario: str, overrides: list[str], options: Options) -> None:
    """The audit's plan is checked before the run starts, so that a mistyped act is shown at
    once with its field."""
    from secdilemma.analysis.audit import check_plan

    actor, action = _text(options, "actor"), _text(options, "action")
    if actor is None or action is None:
        missing = "actor" if actor is None else "action"
        raise InputError("request", f"options.{missing}", None, "choose one")
    spec = load_scenario(scenario, overrides)
    check_plan(spec, actor, action, _text(options, "target"), _step(options))


def audit_run(
    scenario: str, overrides: list[str], replicates: int, options: Options, report: Report
) -> dict[str, Any]:
    from secdilemma.analysis.audit import audit
    from secdilemma.report.audit_page import body

    result = audit(
        scenario,
        actor=_text(options, "actor"),
        action=_text(options, "action"),
        target=_text(options, "target"),
        at=_step(options),
        replicates=replicates,
        overrides=overrides,
        progress=report,
    )
    payload = json_safe(result.as_dict())
    return {"html": body(payload), "payload": payload}


def check_robust(overrides: list[str]) -> None:
    """Robust policy spans the scenario's own worlds (its ranges, or the policy file's), so the
    page's settings would be silently ignored: refuse them instead."""
    if overrides:
        raise InputError(
            "request",
            "overrides",
            f"{len(overrides)} settings",
            "robust policy runs the scenario's own worlds: reset the controls first",
        )


def robust_run(scenario: str, policies: Path, folder: Path, report: Report) -> dict[str, Any]:
    """Every policy of the file in every world of ``scenario`` (as ``secdilemma robust``
    runs it), into the sweep store ``folder``."""
    from secdilemma.analysis.robust import robust
    from secdilemma.report.robust_page import body

    result = json_safe(robust(scenario, policies, folder, workers=1, progress=report))
    return {"html": body(result), "payload": result}
