"""Property: whatever is done to a bundled scenario, ``secdilemma validate`` and a tiny run end
in a clean error (exit status 2, every line naming its source and field) or a clean run with
finite outputs, never a traceback, a hang or a NaN.

The mutations are in tests/fuzz/mutations.py; hypothesis drives their random choices, so a
failing case shrinks and replays. The default run tries a few hundred cases; the ``slow`` (and
``fuzz``) one a few thousand; ``python tests/fuzz/campaign.py --cases 10000`` runs a campaign
and counts.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.mutations import Case, check_case, make_case, warm_up

LIMIT = 10.0  # seconds per case: more is a hang


@pytest.fixture(scope="module", autouse=True)
def _compiled(tmp_path_factory):
    """The kernels compiled before any case is timed."""
    warm_up(tmp_path_factory.mktemp("warm"))


def _check(rng: random.Random) -> None:
    case = make_case(rng)
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_case(case, Path(folder), limit=LIMIT)
    assert outcome.kind in ("error", "run"), (
        f"{outcome.kind}: {case.name} after {case.steps}, --set {case.overrides}\n"
        f"{outcome.detail}\n--- the file ---\n{case.text[:3000]}"
    )


_SETTINGS = dict(
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure is not a matter of luck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    database=None,  # nothing written into the working tree
)


@settings(max_examples=300, **_SETTINGS)
@given(st.randoms(use_true_random=False))
def test_mutated_scenarios_fail_cleanly_or_run_finite(rng):
    _check(rng)


@pytest.mark.slow
@pytest.mark.fuzz
@settings(max_examples=3000, **{**_SETTINGS, "derandomize": False})
@given(st.randoms(use_true_random=False))
def test_mutated_scenarios_fail_cleanly_or_run_finite_many(rng):
    _check(rng)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("name: t\nstates: [{id: A}, {id: B}]\nsteps: 2\nreplicates: 2\n", "run"),
        ("name: t\nstates: [{id: A, greed: .nan}, {id: B}]\n", "error"),
        ("name: t\nstates: [{id: A}, {id: B}\n", "error"),
        ("name: t\nstates: [{id: A}, {id: B}]\nx: " + "[" * 2000 + "]" * 2000 + "\n", "error"),
    ],
)
def test_the_checker_tells_runs_from_errors(tmp_path, text, kind):
    assert check_case(Case("t", text), tmp_path, limit=LIMIT).kind == kind


def test_the_checker_catches_a_traceback(tmp_path, monkeypatch):
    import secdilemma.model.scenario as scenario

    def broken(*_args, **_kwargs):
        raise TypeError("'int' object is not iterable")

    monkeypatch.setattr(scenario, "_parse", broken)
    text = "name: t\nstates: [{id: A}, {id: B}]\n"
    assert check_case(Case("t", text), tmp_path, limit=LIMIT).kind == "traceback"


def test_the_checker_catches_a_hang(tmp_path, monkeypatch):
    import time

    import secdilemma.model.scenario as scenario

    def slow(*_args, **_kwargs):
        time.sleep(5)

    monkeypatch.setattr(scenario, "_parse", slow)
    text = "name: t\nstates: [{id: A}, {id: B}]\n"
    assert check_case(Case("t", text), tmp_path, limit=0.5).kind == "hang"


def test_the_checker_catches_a_nan(tmp_path, monkeypatch):
    import numpy as np

    import fuzz.mutations as mutations

    real = mutations.run_ensemble

    def poisoned(spec):
        ens = real(spec)
        ens.outcomes.threat_end[...] = np.nan
        return ens

    monkeypatch.setattr(mutations, "run_ensemble", poisoned)
    text = "name: t\nstates: [{id: A}, {id: B}]\nsteps: 2\nreplicates: 2\n"
    assert check_case(Case("t", text), tmp_path, limit=LIMIT).kind == "nan"
