"""The page of an audit directory (``secdilemma audit``): how a planned act is read, what
follows, gentler variants and the actor's blind spot, from ``audit.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secdilemma.experiments.results import AUDIT_NAME
from secdilemma.report.figures import audit_plot
from secdilemma.report.load import read_result
from secdilemma.report.markup import caption, esc, img, note, page, section, table
from secdilemma.report.run_page import REPORT_NAME, write_atomic
from secdilemma.report.text import num

REQUIRED = ("scenario", "actor", "action", "readings", "consequences", "variants", "blind_spot")


def _pm(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "n/a"
    return f"{num(entry.get('mean'), 4)} ± {num(entry.get('se'), 4)}"


def body(payload: dict[str, Any]) -> str:
    act = payload["action"] + (f" at {payload['target']}" if payload["target"] else "")
    when = f"step {payload['at']}" + (f" ({payload['year']})" if payload["year"] else "")
    head = (
        f"<h1>Perception audit: {esc(payload['actor'])} {esc(act)}, {esc(when)}</h1>"
        f'<p class="description">Scenario {esc(payload["scenario"])}. The act against waiting '
        f"that step, with the same random draws ({payload['replicates']} paired replicates); "
        "figures are means ± one standard error of the paired differences. Threat is an "
        "observer's perceived threat of all other states together, right after the step.</p>"
    )
    readings = table(
        (
            "observer",
            "lens",
            "threat",
            "10-90%",
            "of the actor",
            "belief",
            "seen",
            "as structural",
            "as interpretive",
            "as Bayesian",
        ),
        [
            (
                o,
                e["lens"],
                _pm(e["threat"]),
                " to ".join(num(q, 4) for q in e.get("threat_spread", [])),
                _pm(e["threat_of_actor"]),
                _pm(e["belief"]),
                num(e["seen"], 2),
                *(num(e["under"][r], 4) for r in ("structural", "interpretive", "bayesian")),
            )
            for o, e in payload["readings"].items()
        ],
    )
    c = payload["consequences"]
    follows = table(
        ("measure", "change"),
        [
            ("a war not scheduled", _pm(c["war"])),
            ("a spiral", _pm(c["spiral"])),
            (f"{payload['beneficiary']}'s security at the end", _pm(c["gain"])),
            ("provocation", _pm(c["provocation"])),
            *((f"threat at the end, {row['pair']}", _pm(row)) for row in c["threat_end"]),
        ],
    )
    variants = table(
        ("variant", "gain kept", "provocation", "provocation avoided", "war"),
        [
            (
                v["label"],
                num(v["gain_kept"], 2)
                + ("" if v.get("gain_kept_se") is None else f" ± {num(v['gain_kept_se'], 2)}"),
                _pm(v["provocation"]),
                num(v["provocation_avoided"], 2),
                _pm(v["war"]),
            )
            for v in payload["variants"]
        ],
    )
    rec = payload["recommendation"]
    skipped = payload.get("companions_skipped")
    if skipped:
        variants += note(
            f"No combinations with an explanation, reassurance, hotline or monitoring: {skipped}."
        )
    advice = (
        note("No variant keeps enough of the gain with less provocation.")
        if rec is None
        else caption(
            f"Recommended: {rec['label']}: it keeps {num(rec['gain_kept'], 2)} of the act's "
            f"security gain and avoids {num(rec['provocation_avoided'], 2)} of its provocation."
        )
    )
    blind = table(
        ("observer", "read beyond the actor's rating", "unforeseen (times 1 - empathy)"),
        [
            (o, _pm(e["read_beyond_rating"]), _pm(e["unforeseen"]))
            for o, e in payload["blind_spot"].items()
        ],
    )
    return "".join(
        [
            head,
            section(
                "readings",
                "How each state reads it",
                img(audit_plot(payload), "readings and variants")
                + caption(
                    "Left: each observer's change in perceived threat, under its own lens and "
                    "frame and with every state given each lens. Right: the variants, by "
                    "provocation and share of the gain kept; the dashed line is the share a "
                    "recommendation must keep."
                )
                + readings,
            ),
            section("consequences", "What follows", follows),
            section("variants", "Gentler variants", advice + variants),
            section("blind-spot", "The actor's blind spot", blind),
        ]
    )


def write_audit_report(directory: Path) -> Path:
    """Write ``report.html`` in an audit directory from its ``audit.json``."""
    payload = read_result(directory, AUDIT_NAME, REQUIRED, "an audit")
    text = page(f"{payload['scenario']}: perception audit", body(payload))
    return write_atomic(Path(directory) / REPORT_NAME, text)
