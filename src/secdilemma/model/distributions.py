"""Scenario numbers that may be distributions, drawn once per replicate.

A field written as a plain number is the same in every replicate; a field written as
``{dist: ...}`` is drawn per replicate from a uniform variate supplied by the caller, so the
draw depends only on the replicate's own random stream (and not on how replicates are chunked).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError
from scipy import special


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float
    high: float

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + u * (self.high - self.low)


class Normal(_Dist):
    dist: Literal["normal"]
    mean: float
    sd: float = Field(ge=0)

    def support(self) -> tuple[float, float]:
        return self.mean, self.mean  # the tails are clipped to the field's range

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.mean + self.sd * special.ndtri(u)


class Beta(_Dist):
    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)

    def support(self) -> tuple[float, float]:
        return 0.0, 1.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return special.betaincinv(self.a, self.b, u)


class Choice(_Dist):
    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    p: list[float] | None = None

    def model_post_init(self, _context: Any) -> None:
        if self.p is not None:
            if len(self.p) != len(self.values):
                raise ValueError("'p' must have one probability per value")
            if any(x < 0 for x in self.p) or not math.isclose(sum(self.p), 1.0, abs_tol=1e-9):
                raise ValueError("'p' must be non-negative and sum to 1")

    def support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        n = len(self.values)
        p = np.full(n, 1.0 / n) if self.p is None else np.asarray(self.p)
        edges = np.cumsum(p)
        edges[-1] = 1.0
        return np.asarray(self.values)[np.searchsorted(edges, u, side="right").clip(0, n - 1)]


Distribution = Uniform | Normal | Beta | Choice
_BY_NAME: dict[str, type[_Dist]] = {
    "uniform": Uniform,
    "normal": Normal,
    "beta": Beta,
    "choice": Choice,
}


def _parse_number(value: Any) -> float | Distribution:
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return float(value)
    if isinstance(value, dict):
        kind = value.get("dist")
        if kind not in _BY_NAME:
            raise ValueError(f"unknown distribution {kind!r}; use one of {sorted(_BY_NAME)}")
        try:
            return _BY_NAME[kind].model_validate(value)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"distribution {kind!r}: {where}: {first['msg']}") from None
    if isinstance(value, _Dist):
        return value
    raise ValueError("expected a number or a distribution such as {dist: uniform, low, high}")


def _bounded(low: float, high: float):
    def check(value: float | Distribution) -> float | Distribution:
        lo, hi = (value, value) if isinstance(value, float) else value.support()
        if isinstance(value, Uniform) and value.high < value.low:
            raise ValueError("uniform needs low <= high")
        if lo < low or hi > high:
            raise ValueError(f"must lie in [{low:g}, {high:g}]")
        return value

    return AfterValidator(check)


Number = Annotated[Any, PlainValidator(_parse_number)]
Probability = Annotated[Any, PlainValidator(_parse_number), _bounded(0.0, 1.0)]
NonNegative = Annotated[Any, PlainValidator(_parse_number), _bounded(0.0, math.inf)]
Positive = Annotated[Any, PlainValidator(_parse_number), _bounded(1e-12, math.inf)]
GrowthRate = Annotated[Any, PlainValidator(_parse_number), _bounded(-0.5, 0.5)]


def draw(value: float | Distribution, u: np.ndarray, low: float, high: float) -> np.ndarray:
    """Turn a scenario number into per-replicate values, clipped to the field's range."""
    if isinstance(value, float):
        return np.full(u.shape, value)
    return np.clip(value.ppf(u), low, high)
