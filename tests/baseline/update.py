"""Regenerate the regression baseline and print what changed.

    python tests/baseline/update.py           # rewrite baseline.json, list the changes
    python tests/baseline/update.py --check   # list the changes, write nothing (exit 1 if any)

A deliberate change of the model's behaviour is then one reviewed commit: the code and the
baseline it moves, with this script's list of moved outcomes in the message.
"""

from __future__ import annotations

import argparse
import json
import sys

from baseline_cases import BASELINE, CASES, REPLICATES, forms, moved, platform_key, record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report changes, write nothing")
    args = parser.parse_args()
    old = json.loads(BASELINE.read_text()) if BASELINE.exists() else {"cases": {}}
    cases, changes = {}, 0
    for case in CASES:
        runs = [record(case, compiled) for compiled in forms()]
        if any(run != runs[0] for run in runs[1:]):
            print(f"{case}: the compiled and NumPy forms differ; fix that first", file=sys.stderr)
            return 2
        cases[case] = runs[0]
        before = old["cases"].get(case)
        if before is None:
            print(f"{case}: new")
            changes += 1
            continue
        lines = moved(before["summary"], runs[0]["summary"])
        bits = before["outcomes_sha256"] != runs[0]["outcomes_sha256"]
        if lines or bits:
            changes += 1
            print(f"{case}: {len(lines)} summary values moved" + (", outcome bits differ" * bits))
            for line in lines:
                print(f"    {line}")
    for case in set(old["cases"]) - set(cases):
        print(f"{case}: removed")
        changes += 1
    if args.check:
        return 1 if changes else 0
    payload = {"platform": platform_key(), "replicates": REPLICATES, "cases": cases}
    BASELINE.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    print(f"wrote {BASELINE} ({len(cases)} cases, {changes} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
