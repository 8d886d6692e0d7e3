"""Counter-based random streams, one per replicate, all derived from one seed.

Each replicate ``r`` gets a 128-bit key from ``SeedSequence(seed).spawn``-style children
(``SeedSequence(entropy, spawn_key=(r,))``). A draw is a hash of (replicate key, stream tag,
step, element index), so it depends on nothing else: not on how many replicates run together,
how they are chunked, or on which worker. The hash is the SplitMix64 finaliser applied twice
(Steele, Lea & Flood 2014), a bijective mixer that passes BigCrush as a counter-mode generator.
"""

from __future__ import annotations

import enum
import math

import numpy as np
from scipy import special

from secdilemma.numerics.fast import compiled, numba_enabled

GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio: spreads counters apart
_GOLDEN = GOLDEN
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


class Stream(enum.IntEnum):
    """Named purposes of random draws; each has its own stream."""

    PARAMETERS = 1
    CHOICE = 2
    OBSERVE = 3
    NOISE = 4
    WAR = 5
    RETALIATION = 6
    CRISIS = 8
    REVEAL = 9
    WORLD_CHANGES = 10
    VERIFY = 11
    INCIDENT = 12
    INCIDENT_NOISE = 13
    ESCALATE = 14
    ALLY = 15
    PRIVATE_COST = 16


def mix(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser: a bijective mixer of uint64 values."""
    z = z ^ (z >> np.uint64(30))
    z = z * _M1
    z = z ^ (z >> np.uint64(27))
    z = z * _M2
    return z ^ (z >> np.uint64(31))


_mix = mix
_UNIT = 1.0 / 9007199254740992.0  # 2^-53: the top 53 bits of a draw make a double


_mix_one = compiled(mix)  # the kernel's scalar mixer


def _uniform_kernel(keys, salt, out):
    """``Streams.uniform``'s hashes in one pass (integer arithmetic: the same bits)."""
    rows, count = out.shape
    for r in range(rows):
        base = _mix_one(keys[r, 0] ^ salt)
        for c in range(count):
            bits = _mix_one(_mix_one(base + np.uint64(c) * _GOLDEN) ^ keys[r, 1])
            out[r, c] = (np.float64(bits >> np.uint64(11)) + 0.5) * _UNIT


_uniform_compiled = compiled(_uniform_kernel)


_MASK64 = (1 << 64) - 1


def _salt(tag: int, step: int) -> np.uint64:
    """``mix`` of the (tag, step) counter, in Python integers: the same value as ``mix`` on a
    uint64 array, at a fraction of the cost of NumPy on one element (it runs every draw)."""
    z = ((int(tag) & 0xFFFF) << 48) ^ (int(step) + 1)
    z ^= z >> 30
    z = (z * int(_M1)) & _MASK64
    z ^= z >> 27
    z = (z * int(_M2)) & _MASK64
    return np.uint64(z ^ (z >> 31))


def replicate_keys(seed: int, replicates: range) -> np.ndarray:
    """(R, 2) uint64 keys for the given global replicate indices."""
    root = np.random.SeedSequence(seed)
    keys = np.empty((len(replicates), 2), dtype=np.uint64)
    for row, r in enumerate(replicates):
        child = np.random.SeedSequence(root.entropy, spawn_key=(r,))
        keys[row] = child.generate_state(2, dtype=np.uint64)
    return keys


class Streams:
    """Random variates for a block of replicates; row ``n`` belongs to replicate ``start + n``."""

    def __init__(self, seed: int, replicates: range) -> None:
        self.seed = seed
        self.replicates = replicates
        self.keys = replicate_keys(seed, replicates)

    @classmethod
    def from_keys(cls, keys: np.ndarray) -> Streams:
        """Streams for rows keyed by given ``(n, 2)`` uint64 keys (e.g. one per match of a
        tournament) rather than by replicate index."""
        streams = cls.__new__(cls)
        streams.seed = None
        streams.replicates = range(len(keys))
        streams.keys = np.asarray(keys, dtype=np.uint64)
        return streams

    @property
    def size(self) -> int:
        return len(self.replicates)

    def uniform(self, stream: Stream | int, step: int, shape: tuple[int, ...] = ()) -> np.ndarray:
        """Uniform variates on the open interval (0, 1), shape ``(R, *shape)``."""
        count = math.prod(shape)
        salt = _salt(stream, step)
        # compiled: 3.5x at 2 states, 12.7x at 20 (python -m benchmarks --only kernels)
        if numba_enabled():
            u = np.empty((self.size, count))
            _uniform_compiled(self.keys, salt, u)
        else:
            with np.errstate(over="ignore"):
                base = _mix(self.keys[:, 0] ^ salt)
                index = np.arange(count, dtype=np.uint64) * _GOLDEN
                bits = _mix(base[:, None] + index[None, :])
                bits = _mix(bits ^ self.keys[:, 1:2])
            u = ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * _UNIT
        return u.reshape((self.size, *shape))

    def normal(self, stream: Stream | int, step: int, shape: tuple[int, ...] = ()) -> np.ndarray:
        return special.ndtri(self.uniform(stream, step, shape))

    def normal_at(
        self, stream: Stream | int, step: int, shape: tuple[int, ...], where: np.ndarray
    ) -> np.ndarray:
        """``normal(stream, step, shape)[where]``, transforming only the uniforms at ``where``
        ((R, *shape) bool): each variate depends on its own uniform alone."""
        return special.ndtri(self.uniform(stream, step, shape)[where])
