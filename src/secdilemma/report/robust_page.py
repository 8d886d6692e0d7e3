"""The page of a robust-policy directory (``secdilemma robust``): every policy in every
world, the regret table and figure, the choice under each rule and where each policy fails,
from ``robust.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secdilemma.experiments.results import ROBUST_NAME
from secdilemma.report.figures import regret_plot
from secdilemma.report.load import read_result
from secdilemma.report.markup import caption, esc, img, page, section, table
from secdilemma.report.run_page import REPORT_NAME, write_atomic
from secdilemma.report.text import num

REQUIRED = ("scenario", "policies", "worlds", "outcomes", "regret", "choice", "objective")


def body(payload: dict[str, Any]) -> str:
    objective = payload["objective"]
    outcome = objective["outcome"]
    head = (
        f"<h1>Robust policy: {esc(payload['scenario'])}</h1>"
        f'<p class="description">Every policy in every state of the world, with one seed '
        f"({payload['seed']}) for all, {payload['replicates']} replicates a cell. The objective: "
        f"{esc(outcome)}, to {esc(objective['goal'])}"
        + (
            ""
            if objective.get("threshold") is None
            else f"; a world is satisfactory at {num(objective['threshold'])} or better"
        )
        + ".</p>"
    )
    worlds = payload["worlds"]
    names = [k for k in worlds[0] if k != "world"] if worlds else []
    world_table = table(
        ["world", *names], [[str(w["world"]), *(num(w[n]) for n in names)] for w in worlds]
    )
    values = {(r["policy"], r["world"]): r for r in payload["outcomes"]}
    outcome_table = table(
        ["policy", *(str(w["world"]) for w in worlds)],
        [
            [p, *(num(values[(p, w["world"])][outcome]) for w in worlds)]
            for p in payload["policies"]
        ],
    )
    rules = table(
        ("rule", "chosen policy"), [(rule, policy) for rule, policy in payload["choice"].items()]
    )
    scores = table(
        ["policy", *payload["scores"]],
        [
            [p, *(num(payload["scores"][rule][p]) for rule in payload["scores"])]
            for p in payload["policies"]
        ],
    )
    policies = table(
        ("policy", "description", "overrides"),
        [
            (p, entry["description"], "; ".join(entry["overrides"]))
            for p, entry in payload["policies"].items()
        ],
    )
    sections = [
        head,
        section(
            "regret",
            "Regret",
            img(regret_plot(payload), "regret by policy and world")
            + caption(
                "Regret: how much worse a policy does in a world than the best policy there. "
                "Right: each policy's largest regret; the minimax-regret choice in red."
            ),
        ),
        section(
            "choice",
            "The choice under each rule",
            rules
            + caption(
                "Scores: minimax_regret and maximin are the largest regret and the worst loss "
                "(the objective, negated when it is maximised); mean is the mean loss; "
                "satisficing is the share of worlds meeting the threshold."
            )
            + scores,
        ),
        section("outcomes", f"{outcome} by policy and world", outcome_table),
        section("worlds", "The states of the world", world_table),
        section("policies", "The policies", policies),
    ]
    fails = payload.get("failures")
    if fails:
        rows = [
            (
                p,
                f"{e['worlds_failed']} of {e['worlds']}",
                e.get("fails_when") or e.get("note") or "",
            )
            for p, e in fails.items()
        ]
        sections.append(
            section(
                "failures", "Where each policy fails", table(("policy", "fails in", "when"), rows)
            )
        )
    return "".join(sections)


def write_robust_report(directory: Path) -> Path:
    """Write ``report.html`` in a robust-policy directory from its ``robust.json``."""
    payload = read_result(directory, ROBUST_NAME, REQUIRED, "robust")
    text = page(f"{payload['scenario']}: robust policy", body(payload))
    return write_atomic(Path(directory) / REPORT_NAME, text)
