"""Keeping freed memory on glibc's heap during a run changes where arrays live, not results."""

import pytest

from outcomes import assert_same_outcomes
from secdilemma.engine.pipeline import run_ensemble
from secdilemma.model.scenario import load_scenario
from secdilemma.numerics import heap


def test_runs_are_identical_with_and_without_the_retained_heap(monkeypatch):
    spec = load_scenario("two-security-seekers", ["replicates=50", "steps=30"])
    monkeypatch.setenv("SECDILEMMA_RETAIN_HEAP", "0")
    assert not heap.applies()
    plain = run_ensemble(spec).outcomes
    monkeypatch.delenv("SECDILEMMA_RETAIN_HEAP")
    assert_same_outcomes(plain, run_ensemble(spec).outcomes)


@pytest.mark.parametrize(
    "variable, value",
    [("MALLOC_TOP_PAD_", "1048576"), ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1")],
)
def test_a_users_own_allocator_settings_are_left_alone(monkeypatch, variable, value):
    monkeypatch.delenv("SECDILEMMA_RETAIN_HEAP", raising=False)
    monkeypatch.setenv(variable, value)
    assert not heap.applies()


def test_nested_runs_restore_the_allocator_once(monkeypatch):
    monkeypatch.delenv("SECDILEMMA_RETAIN_HEAP", raising=False)
    for name in heap._USER_TUNED + ("GLIBC_TUNABLES",):
        monkeypatch.delenv(name, raising=False)
    if not heap.applies():
        pytest.skip("not glibc")
    calls = []
    monkeypatch.setattr(heap, "_LIBC", _Recorder(calls))
    with heap.retained_heap():
        with heap.retained_heap():
            pass
        assert calls == [("mallopt", heap._M_MMAP_THRESHOLD), ("mallopt", heap._M_TRIM_THRESHOLD)]
    assert calls[-1] == ("malloc_trim", 0)
    assert len(calls) == 5


class _Recorder:
    def __init__(self, calls):
        self.calls = calls

    def mallopt(self, parameter, value):
        self.calls.append(("mallopt", parameter))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1
