"""Optional compiled kernels (the ``[fast]`` extra): whether Numba is there and in use.

Every compiled kernel has a NumPy form with the same arithmetic in the same order; the engine
uses the compiled one when Numba is installed, unless ``use_numba(False)`` says otherwise (the
tests run both). ``SECDILEMMA_NUMBA=0`` in the environment turns them off for a whole process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

try:
    import numba
except ImportError:  # the NumPy forms serve
    numba = None

_state = {"numba": numba is not None and os.environ.get("SECDILEMMA_NUMBA", "1") != "0"}


def numba_available() -> bool:
    return numba is not None


def numba_enabled() -> bool:
    return _state["numba"]


@contextlib.contextmanager
def use_numba(enabled: bool) -> Iterator[None]:
    """Run the enclosed code with the compiled kernels on or off (on only if Numba is there)."""
    before = _state["numba"]
    _state["numba"] = enabled and numba is not None
    try:
        yield
    finally:
        _state["numba"] = before


def compiled(function, inline: bool = False):
    """``numba.njit`` with an on-disk cache, or None without Numba. An ``inline`` function is
    compiled into each kernel that calls it, which saves a call where it is called often."""
    if numba is None:
        return None
    return numba.njit(cache=True, nogil=True, inline="always" if inline else "never")(function)
