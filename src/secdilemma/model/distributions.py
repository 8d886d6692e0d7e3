"""Scenario numbers that may be distributions, drawn once per replicate.

A field written as a plain number is the same in every replicate; a field written as
``{dist: ...}`` is drawn per replicate from a uniform variate supplied by the caller, so the
draw depends only on the replicate's own random stream (and not on how replicates are chunked).

Every number must be finite (NaN and infinity are refused, in a distribution's parameters too),
and every field has a finite range (:func:`bounded`), so no draw can overflow the engine's
arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from secdilemma.model.messages import did_you_mean, not_finite


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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
        from scipy import special  # here: importing SciPy takes a tenth of a second

        return self.mean + self.sd * special.ndtri(u)


class Beta(_Dist):
    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)

    def support(self) -> tuple[float, float]:
        return 0.0, 1.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special

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
        try:
            number = float(value)
        except OverflowError:
            raise ValueError("must be a finite number (too large for a float)") from None
        if not math.isfinite(number):
            raise ValueError(not_finite(value))
        return number
    if isinstance(value, dict):
        kind = value.get("dist")
        if not isinstance(kind, str) or kind not in _BY_NAME:
            hint = did_you_mean(kind, _BY_NAME)
            raise ValueError(
                f"unknown distribution {_short(kind)}{hint}; use one of {sorted(_BY_NAME)}"
            )
        try:
            return _BY_NAME[kind].model_validate(value)
        except ValidationError as err:
            # An unknown key first: it explains the missing one ("hihg" for "high").
            errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
            first = errors[0]
            where = ".".join(str(p) for p in first["loc"])
            message = first["msg"]
            if first["type"] == "extra_forbidden":
                fields = list(_BY_NAME[kind].model_fields)
                message = "unknown key" + (
                    did_you_mean(first["loc"][-1], fields) or f"; use {', '.join(fields)}"
                )
            elif first["type"] == "finite_number":
                message = not_finite(first.get("input"))
            raise ValueError(f"distribution {kind!r}: {where}: {message}") from None
    if isinstance(value, _Dist):
        return value
    raise ValueError("expected a number or a distribution such as {dist: uniform, low, high}")


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str | int | float | None) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _bounded(low: float, high: float):
    def check(value: float | Distribution) -> float | Distribution:
        lo, hi = (value, value) if isinstance(value, float) else value.support()
        if isinstance(value, Uniform) and value.high < value.low:
            raise ValueError("uniform needs low <= high")
        if lo < low or hi > high:
            raise ValueError(f"must lie in [{low:g}, {high:g}]")
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class Range:
    """The closed range a bounded field's values must lie in, kept in the field's metadata so
    that forms (the lab's sliders) read the same bounds the schema enforces."""

    low: float
    high: float


def bounded(low: float, high: float) -> Any:
    """A scenario number (or distribution) whose values must lie in [low, high]; draws are
    clipped to the same range (``draw``)."""
    return Annotated[Any, PlainValidator(_parse_number), _bounded(low, high), Range(low, high)]


def field_range(model: type[BaseModel], name: str) -> Range | None:
    """The :class:`Range` of ``model``'s field ``name``, or None for an unbounded field."""
    return next((m for m in model.model_fields[name].metadata if isinstance(m, Range)), None)


# The finite upper bounds of fields that have no natural one: generous (far beyond any case),
# and low enough that the engine's arithmetic stays finite (docs/scenarios.md lists them).
MAX_AMOUNT = 1e12  # capabilities, wealth, the deterrent half-point (any consistent unit)
MAX_BALANCE = 1e3  # the offense-defense balance
MAX_NOISE = 1e3  # the sd of observation noise
MAX_HUBRIS = 25.0  # log-odds
MIN_POSITIVE = 1e-12

Number = Annotated[Any, PlainValidator(_parse_number)]
Probability = bounded(0.0, 1.0)
NonNegative = bounded(0.0, MAX_AMOUNT)
Positive = bounded(MIN_POSITIVE, MAX_AMOUNT)
GrowthRate = bounded(-0.5, 0.5)
Balance = bounded(MIN_POSITIVE, MAX_BALANCE)
Noise = bounded(0.0, MAX_NOISE)
Hubris = bounded(0.0, MAX_HUBRIS)


def draw(value: float | Distribution, u: np.ndarray, low: float, high: float) -> np.ndarray:
    """Turn a scenario number into per-replicate values, clipped to the field's range."""
    if isinstance(value, float):
        return np.full(u.shape, value)
    return np.clip(value.ppf(u), low, high)
