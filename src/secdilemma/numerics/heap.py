"""Keep freed memory in the process while the engine runs (glibc's allocator, Linux).

Every step allocates and frees the same few hundred temporary arrays. By default glibc gives
large freed blocks straight back to the kernel (``munmap``, or trimming the heap), so the next
step's arrays land on fresh pages, which the kernel must map and zero first: about a third of
the engine's time at 2 and 20 states (docs/performance.md, "Memory reuse"). While a run is in
progress, ``retained_heap`` asks glibc to serve arrays of up to 32 MiB from its heap and not to
trim it; when the last run in the process ends it restores glibc's default thresholds and
returns the free memory with ``malloc_trim``. Results do not change: only where arrays live.

It does nothing on other C libraries or systems, when ``SECDILEMMA_RETAIN_HEAP=0``, or when the
user tunes glibc's allocator themselves (a ``MALLOC_*_`` variable or ``GLIBC_TUNABLES``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import threading
from collections.abc import Iterator

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
_DEFAULT_THRESHOLD = 128 * 1024  # glibc's default for both
_MMAP_THRESHOLD = 32 * 2**20  # the largest glibc accepts on 64-bit systems
_TRIM_THRESHOLD = 2**31 - 1  # mallopt takes a C int
_USER_TUNED = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)

_lock = threading.Lock()
_active = [0]


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both must exist
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()


def applies() -> bool:
    """Whether ``retained_heap`` tunes the allocator in this process."""
    if _LIBC is None or os.environ.get("SECDILEMMA_RETAIN_HEAP", "1") == "0":
        return False
    tuned = any(name in os.environ for name in _USER_TUNED)
    return not (tuned or "malloc" in os.environ.get("GLIBC_TUNABLES", ""))


@contextlib.contextmanager
def retained_heap() -> Iterator[None]:
    """Serve and keep the engine's temporary arrays on glibc's heap for the enclosed code.

    Nested and concurrent uses (threads) share one setting; the last to leave restores it."""
    if not applies():
        yield
        return
    with _lock:
        _active[0] += 1
        if _active[0] == 1:
            _LIBC.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
            _LIBC.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    try:
        yield
    finally:
        with _lock:
            _active[0] -= 1
            if _active[0] == 0:
                _LIBC.mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD)
                _LIBC.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_THRESHOLD)
                _LIBC.malloc_trim(0)
