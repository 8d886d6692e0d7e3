"""Results directories: checked before computing, made durable before they are published, and
no staging folder a killed writer left behind is kept forever."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import secdilemma.experiments.results as results
from secdilemma import load_scenario, run_ensemble
from secdilemma.errors import InputError
from secdilemma.experiments.store import write_json, write_part


@pytest.fixture(scope="module")
def ensemble():
    return run_ensemble(load_scenario("two-security-seekers", ["replicates=5", "steps=3"]))


# --- the output is checked before anything is computed -----------------------------------------


def test_a_path_under_a_file_is_refused_with_one_error(tmp_path):
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(InputError) as info:
        results.check_output_dir(tmp_path / "plain" / "run")
    err = info.value
    assert err.source == "--out" and err.value == str(tmp_path / "plain" / "run")
    assert "cannot" in err.problem


def test_a_non_empty_directory_or_a_file_is_refused(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        results.check_output_dir(tmp_path / "full")
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        results.check_output_dir(tmp_path / "f")
    results.check_output_dir(tmp_path / "new" / "deeper" / "run")  # parents can be created
    (tmp_path / "empty").mkdir()
    results.check_output_dir(tmp_path / "empty")  # an empty directory is used as it is


@pytest.mark.parametrize(
    ("failing", "code", "words"),
    [("fsync", errno.ENOSPC, "No space left"), ("open", errno.EROFS, "Read-only file system")],
)
def test_a_full_or_read_only_disk_is_found(tmp_path, monkeypatch, failing, code, words):
    real = getattr(os, failing)

    def refuse(*args, **kwargs):
        # Only the probe in tmp_path fails, as a full or read-only file system would.
        if failing == "open" and str(tmp_path) not in str(args[0]):
            return real(*args, **kwargs)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, failing, refuse)
    with pytest.raises(InputError, match=words) as info:
        results.check_output_dir(tmp_path / "run")
    assert info.value.source == "--out"
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []  # the probe left nothing behind


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_directory_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write"):
            results.check_output_dir(locked / "run")
    finally:
        locked.chmod(0o700)


# --- durable before published ------------------------------------------------------------------


def _watch_syncs(monkeypatch) -> list[tuple[str, str]]:
    """Record, in order, each fsync (the real path of its descriptor) and each rename."""
    log: list[tuple[str, str]] = []
    fsync, rename, replace = os.fsync, os.rename, os.replace

    def synced(fd):
        log.append(("fsync", os.path.realpath(os.readlink(f"/proc/self/fd/{fd}"))))
        return fsync(fd)

    def renaming(real):
        def renamed(src, dst, *args, **kwargs):
            paths = (os.path.realpath(src), os.path.realpath(dst))
            log.append(("rename", " -> ".join(paths)))
            return real(src, dst, *args, **kwargs)

        return renamed

    monkeypatch.setattr(os, "fsync", synced)
    monkeypatch.setattr(os, "rename", renaming(rename))
    monkeypatch.setattr(os, "replace", renaming(replace))
    return log


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name descriptors")
def test_every_file_and_the_folder_are_fsynced_before_the_rename(tmp_path, ensemble, monkeypatch):
    log = _watch_syncs(monkeypatch)

    def finish(directory: Path) -> None:
        (directory / "extra").mkdir()
        (directory / "extra" / "page.html").write_text("<p>a page</p>")

    out = results.write_results(ensemble, tmp_path / "run", [], finish=finish)
    renames = [n for n, (kind, what) in enumerate(log) if kind == "rename" and "partial" in what]
    publish = renames[0]
    staging = log[publish][1].split(" -> ")[0]
    before = {what for kind, what in log[:publish] if kind == "fsync"}
    written = [p.relative_to(out) for p in out.rglob("*") if p.is_file()]
    assert len(written) >= 6
    for path in written:
        assert os.path.join(staging, path) in before, path
    assert staging in before and os.path.join(staging, "extra") in before
    # and the rename itself is made durable: the parent is synced after it
    assert ("fsync", os.path.realpath(tmp_path)) in log[publish + 1 :]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name descriptors")
def test_store_parts_and_manifests_are_fsynced_before_their_rename(tmp_path, monkeypatch):
    import pandas as pd

    log = _watch_syncs(monkeypatch)
    write_part(tmp_path, "points", "part-000000-000000", pd.DataFrame({"point": [0]}))
    write_json(tmp_path / "manifest.json", {"status": "running"})
    renames = [n for n, (kind, _) in enumerate(log) if kind == "rename"]
    assert len(renames) == 2
    for n in renames:
        source = log[n][1].split(" -> ")[0]
        assert ("fsync", source) in log[:n], log
        assert ("fsync", os.path.dirname(source)) in log[n + 1 :], log  # the rename is durable


# --- stale staging folders ---------------------------------------------------------------------

HANG = """
import sys, time
from pathlib import Path
from secdilemma import load_scenario, run_ensemble
from secdilemma.experiments.results import write_results
ens = run_ensemble(load_scenario("two-security-seekers", ["replicates=3", "steps=2"]))
def hang(directory):
    Path(sys.argv[2]).write_text(str(directory))
    time.sleep(120)
write_results(ens, Path(sys.argv[1]), [], finish=hang)
"""


def _writer_stuck_in_staging(out: Path, flag: Path) -> tuple[subprocess.Popen, Path]:
    """A process writing ``out``, stopped while its staging folder exists."""
    process = subprocess.Popen(
        [sys.executable, "-c", HANG, str(out), str(flag)], start_new_session=True
    )
    deadline = time.monotonic() + 120
    while not flag.exists() or not flag.read_text():
        assert process.poll() is None, "the writer ended before it staged anything"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return process, Path(flag.read_text())


def test_a_killed_writers_staging_folder_is_removed_by_the_next_run(tmp_path, ensemble):
    killed, killed_staging = _writer_stuck_in_staging(tmp_path / "a", tmp_path / "a.flag")
    live, live_staging = _writer_stuck_in_staging(tmp_path / "b", tmp_path / "b.flag")
    try:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        assert killed_staging.is_dir() and killed_staging.parent == tmp_path
        assert killed_staging.name.startswith(".a.partial-")
        # Something that only looks like staging, and is not a folder, is left alone.
        (tmp_path / ".c.partial-not-a-folder").write_text("mine")
        results.write_results(ensemble, tmp_path / "c", [])
        assert not killed_staging.exists()  # its writer is dead: removed
        assert live_staging.is_dir()  # another live process's: kept
        assert (tmp_path / ".c.partial-not-a-folder").is_file()
    finally:
        os.killpg(live.pid, signal.SIGKILL)
        live.wait()
    # The check made before computing removes it too, now that its writer is dead.
    results.check_output_dir(tmp_path / "d")
    assert not live_staging.exists()
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == [".c.partial-not-a-folder"]
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["replicates"] == 5


# --- start_year -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("nato-russia", 2003),
        ("iran-gulf", 2002),
        ("china-asia", 2008),
        ("cold-war-after-cuba", 1963),
        ("pre-1914", 1907),
    ],
)
def test_the_case_scenarios_know_the_year_of_step_0(name, year):
    assert load_scenario(name, ["replicates=1"]).start_year == year


def test_the_year_of_step_0_reaches_summary_and_manifest(tmp_path):
    ens = run_ensemble(load_scenario("pre-1914", ["replicates=3"]))
    out = results.write_results(ens, tmp_path / "run", [])
    assert json.loads((out / "summary.json").read_text())["start_year"] == 1907
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["start_year"] == 1907
    plain = run_ensemble(load_scenario("two-security-seekers", ["replicates=3", "steps=2"]))
    other = results.write_results(plain, tmp_path / "plain", [])
    assert json.loads((other / "summary.json").read_text())["start_year"] is None
