"""Numbers and words: number formatting, the binomial interval and the sentences of a run's
summary, all built from the run's numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from secdilemma.report.load import ESCALATION_THRESHOLD, Run

MAX_STATES_NARRATED = 6  # above this, the text names only the extremes


def num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def is_num(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def count(share: Any, replicates: int) -> int:
    # Shares in the summary are means of booleans over the replicates, so this is exact.
    return int(round(float(share) * replicates)) if is_num(share) else 0


def binomial_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (exact) interval for a binomial proportion."""
    if trials <= 0:
        return math.nan, math.nan
    alpha = 1.0 - level
    lo = stats.beta.ppf(alpha / 2, successes, trials - successes + 1) if successes > 0 else 0.0
    hi = (
        stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)
        if successes < trials
        else 1.0
    )
    return float(lo), float(hi)


def _label(run: Run, sid: str) -> str:
    name = run.names.get(sid, sid)
    return sid if name == sid else f"{name} ({sid})"


def arrow(key: str) -> str:
    return key.replace("->", "\u2192")


def list_words(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def moment(run: Run, step: int) -> str:
    """A step as the reader knows it: its year where the scenario has years, else its number."""
    return str(run.start_year + step) if run.start_year is not None else f"step {step}"


def when(run: Run, step: int) -> str:
    """``in 2014`` where the scenario has years, else ``at step 11``."""
    return f"in {moment(run, step)}" if run.start_year is not None else f"at step {step}"


def _interval(k: int, trials: int) -> str:
    lo, hi = binomial_interval(k, trials)
    return f"95% interval {lo:.3f}\u2013{hi:.3f}, Clopper\u2013Pearson"


def _event_words(run: Run, event: dict[str, Any]) -> str:
    target = event.get("target")
    text = f"{event.get('actor')} {event.get('action')}" + (f" against {target}" if target else "")
    step = event.get("step")
    if not isinstance(step, int):
        return text
    if event.get("every"):
        until = event.get("until")
        last = f" to {moment(run, until)}" if isinstance(until, int) else ""
        return f"{text} every {plural(int(event['every']), 'step')} from {moment(run, step)}{last}"
    return text + f" {when(run, step)}" + (f" (step {step})" if run.start_year is not None else "")


def scheduled_sentence(run: Run) -> str | None:
    """Where the scenario schedules a war: that it happens (in every replicate, as a rule), and
    the rate of the wars it does not schedule, which is what the model says."""
    if not run.scheduled_wars or run.scheduled_war_replicates == 0:
        return None  # none scheduled, or none within the steps run
    s, R, n = run.summary, run.replicates, run.scheduled_war_replicates
    where = f"every replicate ({n} of {R})" if n == R else f"{n} of {R} replicates"
    which = list_words([_event_words(run, e) for e in run.scheduled_wars])
    lead = f"A war the scenario schedules happens in {where}: {which}"
    p = s.get("p_war_unscheduled")
    if not is_num(p):
        return f"{lead}; this summary has no rate of the wars it does not schedule."
    k = count(p, R)
    return (
        f"{lead}; wars it does not schedule: {k} of {R} replicates, rate {num(p)} "
        f"({_interval(k, R)})."
    )


def _war_sentences(run: Run) -> list[str]:
    s, R = run.summary, run.replicates
    p = s["p_war"]
    k = count(p, R)
    interval = _interval(k, R)
    lead = scheduled_sentence(run)
    if k == 0:
        return [f"No replicate had a war: 0 of {R} (war rate {num(p)}; {interval})."]
    if lead is None:
        out = [f"War broke out in {k} of {R} replicates: war rate {num(p)} ({interval})."]
    else:
        out = [
            lead,
            f"Counting the scheduled war, war broke out in {k} of {R} replicates: war rate "
            f"{num(p)} ({interval}).",
        ]
    steps = run.first_war_step[run.first_war_step >= 0]
    if steps.size == 0:  # runs.parquet disagrees with the summary; say only what is known
        return out
    among = "Among the replicates with a war" + (", the scheduled war included" if lead else "")
    if run.start_year is None:
        out.append(
            f"{among}, the first war began at step {num(s['first_war_step_mean'], 1)} on "
            f"average (median {np.median(steps):g}, earliest {steps.min()}, latest "
            f"{steps.max()}; the steps run from 0 to {run.steps - 1})."
        )
    else:
        y0, mean = run.start_year, s["first_war_step_mean"]
        out.append(
            f"{among}, the first war began in {num(y0 + mean if is_num(mean) else None, 1)} on "
            f"average (step {num(mean, 1)}; median {y0 + np.median(steps):g}, earliest "
            f"{y0 + steps.min()}, latest {y0 + steps.max()}; steps 0 to {run.steps - 1} are the "
            f"years {y0} to {y0 + run.steps - 1})."
        )
    initiators = run.first_war_initiator[run.first_war_step >= 0].dropna().astype(str)
    counts = initiators.value_counts()
    started = [
        f"{_label(run, sid)} in {plural(int(n), 'replicate')} ({n / k:.1%})"
        for sid, n in counts.items()
    ]
    never = [_label(run, sid) for sid in run.ids if sid not in counts.index]
    text = f"The first war was started by {list_words(started)}."
    if never and len(never) <= MAX_STATES_NARRATED:
        text += f" {list_words(never)} never started the first war."
    elif never:
        text += f" The other {len(never)} states never started the first war."
    out.append(text)
    causes = s.get("wars_by_cause") or {}
    named = [f"{cause} {num(v)}" for cause, v in causes.items() if is_num(v) and v > 0]
    if named:
        out.append(f"Wars per replicate by how they began (mean): {', '.join(named)}.")
    return out


def _spiral_sentence(run: Run) -> str:
    s, R = run.summary, run.replicates
    k, kt = count(s["p_spiral"], R), count(s["p_tragic_spiral"], R)
    return (
        f"A spiral (two states both arming while each perceives a rising threat from the other) "
        f"occurred in {k} of {R} replicates ({num(s['p_spiral'])}); a tragic spiral (between "
        f"security seekers, leaving neither more secure) in {kt} ({num(s['p_tragic_spiral'])})."
    )


def _escalation_sentences(run: Run) -> list[str]:
    out = []
    mean = run.summary.get("escalation_score_mean")
    if is_num(mean):
        out.append(
            f"The escalation score (the sum of the Rivera et al. 2024 scores of all acts in a "
            f"step) averaged {num(mean, 2)} per step over steps and replicates."
        )
    firsts = sorted(
        ((v, sid) for sid, v in run.first_escalators.items() if v > 0), key=lambda x: -x[0]
    )
    rule = (
        f"Counting only acts the states chose (not scheduled ones) that score "
        f"{ESCALATION_THRESHOLD} or more (non-violent escalation or worse)"
    )
    if not firsts:
        out.append(f"{rule}, no state escalated in any replicate.")
        return out
    shown = firsts[:MAX_STATES_NARRATED]
    parts = [f"{_label(run, sid)} in {share:.1%}" for share, sid in shown]
    text = f"{rule}, the first to escalate was {list_words(parts)} of the replicates"
    if len(firsts) > len(shown):
        text += f" (and {len(firsts) - len(shown)} other states less often)"
    text += f"; no state escalated that far in {run.no_escalation_share:.1%}."
    if run.escalation_ties:
        text += " States that first escalated in the same step each count."
    out.append(text)
    return out


def _change_words(value: Any, relative: bool) -> str:
    if not is_num(value):
        return "has no value"
    if relative:
        if abs(value) < 0.0005:
            return "did not change on average"
        return f"{'grew' if value > 0 else 'shrank'} by {abs(value):.1%}"
    if abs(value) < 0.0005:
        return "did not change on average"
    return f"{'rose' if value > 0 else 'fell'} by {abs(value):.3f}"


def _state_sentences(run: Run) -> list[str]:
    security, arms = run.summary["security_change"], run.summary["arms_change"]
    if len(run.ids) <= MAX_STATES_NARRATED:
        return [
            f"{_label(run, sid)}: actual security {_change_words(security.get(sid), False)} "
            f"(mean of end minus start); arms (offense plus defense) "
            f"{_change_words(arms.get(sid), True)} (mean of end over start)."
            for sid in run.ids
        ]
    out = []
    for title, values, relative in (
        ("Actual security", security, False),
        ("Arms (offense plus defense)", arms, True),
    ):
        known = sorted(
            ((float(v), sid) for sid, v in values.items() if is_num(v)), key=lambda x: x[0]
        )
        if not known:
            continue
        (low, low_id), (high, high_id) = known[0], known[-1]
        out.append(
            f"{title} of {_label(run, high_id)} {_change_words(high, relative)}, the most "
            f"of {len(known)} states; that of {_label(run, low_id)} "
            f"{_change_words(low, relative)}, the least."
        )
    return out


def _gap_sentences(run: Run) -> list[str]:
    out = []
    for key, what in (
        ("misperception_belief", "belief that the other is greedy"),
        ("misperception_threat", "perceived threat"),
    ):
        gaps = [(k, float(v)) for k, v in run.summary[key].items() if is_num(v)]
        gaps.sort(key=lambda kv: (-abs(kv[1]), kv[0]))
        if not gaps:
            continue
        if abs(gaps[0][1]) < 0.0005:
            out.append(f"No pair's final {what} differs from the other's true greed on average.")
            continue
        parts = []
        for pair, gap in gaps[:3]:
            if abs(gap) < 0.0005:
                break
            i, _, j = pair.partition("->")
            verb = "overrates" if gap > 0 else "underrates"
            parts.append(f"{arrow(pair)} {gap:+.3f} ({i} {verb} {j})")
        out.append(
            f"Largest gaps between final {what} and the other's true greed (mean over "
            f"replicates): {'; '.join(parts)}."
        )
    return out


def _record_sentence(run: Run) -> list[str]:
    facts = record_facts(run.summary.get("record"))
    if not facts:
        return []
    parts = [f"\u201c{d}\u201d in {v:.1%}" for d, v in facts if is_num(v)]
    if not parts:
        return []
    return [f"Facts of the historical record reproduced (share of replicates): {'; '.join(parts)}."]


def narrative(run: Run) -> list[str]:
    return [
        *_war_sentences(run),
        _spiral_sentence(run),
        *_escalation_sentences(run),
        *_state_sentences(run),
        *_gap_sentences(run),
        *_record_sentence(run),
    ]


def record_facts(value: Any) -> list[tuple[str, Any]] | None:
    """(description, share) of a list of record facts, or None if it is not one."""
    if not isinstance(value, list) or not all(
        isinstance(f, dict) and "description" in f and "share" in f for f in value
    ):
        return None
    return [(str(f["description"]), f["share"]) for f in value]
