"""The tables of a run's page built from summary.json: the headline rows beside the summary
sentences, and the Tables section (per state, per directed pair, per pair, the rest)."""

from __future__ import annotations

from typing import Any

from secdilemma.report.load import Run
from secdilemma.report.markup import caption, esc, generic, table
from secdilemma.report.text import (
    arrow,
    binomial_interval,
    count,
    is_num,
    num,
    record_facts,
    scheduled_sentence,
)

MAX_TABLE_PAIRS = 30  # rows of the per-pair tables


def interval_text(share: Any, replicates: int) -> str:
    lo, hi = binomial_interval(count(share, replicates), replicates)
    return f"{lo:.3f}\u2013{hi:.3f}"


def war_rate_rows(run: Run) -> list[tuple[str, Any]]:
    """The war rate and its interval; where the scenario schedules a war that happened, the
    rate of the wars it does not schedule comes first, and the war rate says it counts it."""
    s, R = run.summary, run.replicates
    rows = [
        ("war rate", (num(s["p_war"]), {"data-key": "p_war"})),
        (
            "95% interval of the war rate",
            (interval_text(s["p_war"], R), {"data-key": "p_war_ci"}),
        ),
    ]
    if scheduled_sentence(run) is None or not is_num(s.get("p_war_unscheduled")):
        return rows
    p = s["p_war_unscheduled"]
    return [
        (UNSCHEDULED, (num(p), {"data-key": "p_war_unscheduled"})),
        (
            f"95% interval of the {UNSCHEDULED}",
            (interval_text(p, R), {"data-key": "p_war_unscheduled_ci"}),
        ),
        ("war rate, the scheduled war included", rows[0][1]),
        ("95% interval of that war rate", rows[1][1]),
    ]


def first_war_rows(run: Run) -> list[tuple[str, Any]]:
    mean = run.summary["first_war_step_mean"]
    rows = [("mean step of the first war", (num(mean, 1), {"data-key": "first_war_step_mean"}))]
    if run.start_year is not None:
        year = run.start_year + mean if is_num(mean) else None
        rows.append(
            ("mean year of the first war", (num(year, 1), {"data-key": "first_war_year_mean"}))
        )
    return rows


def headline_rows(run: Run) -> list[tuple[str, Any]]:
    s = run.summary
    rates = war_rate_rows(run)
    shown = {cell[1]["data-key"] for _, cell in rates}
    return [
        *rates,
        *(
            (OPTIONAL_RATES[k], (num(s[k]), {"data-key": k}))
            for k in OPTIONAL_RATES
            if k in s and k not in shown
        ),
        *first_war_rows(run),
        ("spiral rate", (num(s["p_spiral"]), {"data-key": "p_spiral"})),
        ("tragic spiral rate", (num(s["p_tragic_spiral"]), {"data-key": "p_tragic_spiral"})),
        (
            "escalation score per step",
            (num(s.get("escalation_score_mean"), 2), {"data-key": "escalation_score_mean"}),
        ),
    ]


UNSCHEDULED = "rate of wars the scenario does not schedule"
# Rates shown beside the war rate when the summary has them (newer summaries do).
OPTIONAL_RATES = {
    "p_war_unscheduled": UNSCHEDULED,
    "p_accidental_war": "accidental war rate",
    "p_war_on_tenfold": "first war begun on a state ten times stronger",
}
# Scalars of the summary that the header or the headline table already show.
SHOWN_ELSEWHERE = {
    *OPTIONAL_RATES,
    "scenario",
    "replicates",
    "steps",
    "seed",
    "start_year",
    "p_war",
    "first_war_step_mean",
    "p_spiral",
    "p_tragic_spiral",
    "escalation_score_mean",
}
STATE_COLUMNS = {
    "security_change": "security change",
    "arms_change": "arms change",
    "wealth_change": "wealth change",
    "first_war_initiator": "started the first war",
    "aggressor": "waged a war of aggression",
}
DIRECTED_COLUMNS = {
    "perceived_threat": "perceived threat",
    "belief_greedy": "belief greedy",
    "misperception_belief": "belief gap",
    "misperception_threat": "threat gap",
    "attribution_asymmetry": "attribution gap",
    "trust_end": "trust",
}
PAIR_COLUMNS = {
    "p_war_pair": "war rate",
    "p_spiral_pair": "spiral rate",
    "alliance_end": "allied at end",
    "agreement_end": "agreement at end",
}


def summary_tables(run: Run) -> str:
    s, ids = run.summary, run.ids
    idset = set(ids)
    directed = {f"{a}->{b}" for a in ids for b in ids if a != b}
    unordered = {"-".join(sorted((a, b))) for a in ids for b in ids if a != b}
    # Known keys get readable names; any other per-state or per-pair key the summary grows
    # later still lands in the right table under its own name.
    state_cols, directed_cols, pair_cols, others, scalars, lists = {}, {}, {}, {}, {}, {}
    for key, value in s.items():
        if isinstance(value, dict):
            keys = set(value)
            if key in STATE_COLUMNS or (keys and keys <= idset):
                state_cols[key] = STATE_COLUMNS.get(key, key)
            elif key in DIRECTED_COLUMNS or (keys and keys <= directed):
                directed_cols[key] = DIRECTED_COLUMNS.get(key, key)
            elif key in PAIR_COLUMNS or (keys and keys <= unordered):
                pair_cols[key] = PAIR_COLUMNS.get(key, key)
            else:
                others[key] = value
        elif isinstance(value, list):
            lists[key] = value
        elif key not in SHOWN_ELSEWHERE:
            scalars[key] = value
    parts = ["<h3>Per state</h3>"]
    parts.append(
        table(
            ("state", "name", *state_cols.values()),
            [
                (
                    sid,
                    run.names[sid],
                    *((num((s[k] or {}).get(sid)), {"data-key": f"{k}.{sid}"}) for k in state_cols),
                )
                for sid in ids
            ],
        )
    )
    parts.append(
        caption(
            "Changes are means over replicates: security end minus start; arms (offense plus "
            "defense) and wealth end over start minus one. 'Started the first war' and 'waged a "
            "war of aggression' are shares of all replicates."
        )
    )
    ranked = sorted(
        directed,
        key=lambda k: (-(v if is_num(v := s["perceived_threat"].get(k)) else -1.0), k),
    )
    shown = ranked[:MAX_TABLE_PAIRS]
    parts.append("<h3>Per directed pair (i \u2192 j: how i sees j)</h3>")
    parts.append(
        table(
            ("pair", *directed_cols.values()),
            [
                (
                    arrow(pair),
                    *(
                        (num((s[k] or {}).get(pair)), {"data-key": f"{k}.{pair}"})
                        for k in directed_cols
                    ),
                )
                for pair in shown
            ],
        )
    )
    pairs_note = (
        "Final values, means over replicates. Gaps are i's final belief (or perceived threat) "
        "minus j's true greed; the attribution gap is i's reading of j's acts minus j's own "
        "rating of them."
    )
    if len(ranked) > len(shown):
        pairs_note += (
            f" Showing the {len(shown)} of {len(ranked)} pairs with the highest perceived threat."
        )
    parts.append(caption(pairs_note))
    if pair_cols:
        pairs = sorted(
            unordered,
            key=lambda k: (-(v if is_num(v := (s.get("p_war_pair") or {}).get(k)) else -1.0), k),
        )
        shown_pairs = pairs[:MAX_TABLE_PAIRS]
        parts.append("<h3>Per pair</h3>")
        parts.append(
            table(
                ("pair", *pair_cols.values()),
                [
                    (
                        pair,
                        *(
                            (num((s[k] or {}).get(pair)), {"data-key": f"{k}.{pair}"})
                            for k in pair_cols
                        ),
                    )
                    for pair in shown_pairs
                ],
            )
        )
        if len(pairs) > len(shown_pairs):
            parts.append(
                caption(
                    f"Showing the {len(shown_pairs)} of {len(pairs)} pairs with the highest "
                    "war rate."
                )
            )
    for key, value in others.items():
        rows = sorted(value.items(), key=lambda kv: -kv[1] if is_num(kv[1]) else 0.0)
        parts.append(f"<h3>{esc(key)}</h3>")
        parts.append(
            table((key, "value"), [(k, (num(v), {"data-key": f"{key}.{k}"})) for k, v in rows])
        )
    for key, value in lists.items():
        facts = record_facts(value)
        if key == "record" and facts:
            parts.append("<h3>Historical record</h3>")
            parts.append(
                table(
                    ("fact", "share of replicates reproducing it"),
                    [(d, (num(v), {"data-key": f"record.{n}"})) for n, (d, v) in enumerate(facts)],
                )
            )
        elif value:
            parts.append(f"<h3>{esc(key)}</h3>" + generic(value))
    parts.append("<h3>Other measures</h3>")
    parts.append(
        table(
            ("measure", "value"),
            [(k, (num(v), {"data-key": k})) for k, v in scalars.items()],
        )
    )
    return "".join(parts)
