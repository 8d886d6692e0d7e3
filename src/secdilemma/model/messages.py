"""pydantic's validation errors as :class:`~secdilemma.errors.InputError`: the field's path,
the value as written, and a problem in the scenario's words (with "did you mean ...?" for a
misspelt key, id or name)."""

from __future__ import annotations

import difflib
import math
import re
import types
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from secdilemma.errors import MAX_PROBLEMS, NO_VALUE, InputError, bounded_repr
from secdilemma.model.safe_yaml import Overflow

_ABSENT = object()
_PLAIN = re.compile(r"^[A-Za-z0-9_-]+$")


def did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to ``word``, or ``""``."""
    if not isinstance(word, str) or len(word) > 200:
        return ""
    options = [str(c) for c in choices]
    close = difflib.get_close_matches(word, options, n=2, cutoff=0.6)
    if not close:
        close = [c for c in options if c.lower() == word.lower()][:1]
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def field_path(loc: tuple[Any, ...]) -> str:
    """``states[1].greed`` from pydantic's location ``("states", 1, "greed")``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "[key]" or str(part).startswith(("function-", "tagged-union")):
            continue  # pydantic's marks: a dict's key, a validator, a union's member
        elif isinstance(part, str) and _PLAIN.match(part):
            text += ("." if text else "") + part
        else:  # a key with spaces, colons, brackets: quoted, so the path reads unambiguously
            text += f"[{bounded_repr(part, 60)}]"
    return text or "<root>"


def _value_at(raw: Any, loc: tuple[Any, ...]) -> Any:
    node = raw
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return _ABSENT
    return node


def _expand(annotation: Any) -> list[Any]:
    """The types an annotation may hold: Annotated, Optional and unions unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _expand(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _expand(arg)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at ``loc`` (inside ``model``) may have, by the schema."""
    current: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for annotation in (t for c in current for t in _expand(c)):
            origin, args = get_origin(annotation), get_args(annotation)
            if _is_model(annotation) and isinstance(part, str):
                for name, field in annotation.model_fields.items():
                    if part in (name, field.alias):
                        following.append(field.annotation)
            elif origin in (list, tuple) and isinstance(part, int) and args:
                following.append(args[part] if origin is tuple and part < len(args) else args[0])
            elif origin is dict and args:
                following.append(args[1])
        current = following
    keys: list[str] = []
    for annotation in (t for c in current for t in _expand(c)):
        if _is_model(annotation):
            keys += [field.alias or name for name, field in annotation.model_fields.items()]
        elif get_origin(annotation) is dict and get_origin(get_args(annotation)[0]) is Literal:
            keys += [str(k) for k in get_args(get_args(annotation)[0])]
    return keys


def _unknown_key(key: Any, allowed: list[str]) -> str:
    hint = did_you_mean(key, allowed)
    if hint:
        return "unknown key" + hint
    if 0 < len(allowed) <= 30:
        return "unknown key; the keys here are " + ", ".join(allowed)
    return "unknown key"


def not_finite(value: Any) -> str:
    """The problem with a NaN or an infinity."""
    if isinstance(value, Overflow):
        return f"must be a finite number ({value.text} is beyond the largest float, about 1.8e308)"
    return "must be a finite number, not NaN or infinity"


def problems_from(
    err: ValidationError,
    source: str,
    raw: Any,
    model: type[BaseModel],
    prefix: tuple[Any, ...] = (),
) -> list[InputError]:
    """One :class:`InputError` per error of ``model``'s validation of ``raw``; ``prefix`` is the
    location of ``raw`` in the scenario (``("calibration",)``)."""
    problems: list[InputError] = []
    for e in err.errors():
        if len(problems) >= MAX_PROBLEMS:  # counted, not shown: no need for words or hints
            problems.append(InputError(source, field_path(prefix + tuple(e["loc"])), NO_VALUE, ""))
            continue
        loc = tuple(e["loc"])
        kind = e["type"]
        value = _value_at(raw, loc)
        if value is _ABSENT:
            value = e.get("input", NO_VALUE)
        problem = str(e["msg"]).removeprefix("Value error, ")
        if kind == "missing":
            value, problem = NO_VALUE, "required key is missing"
        elif kind == "extra_forbidden":
            problem = _unknown_key(loc[-1], keys_at(model, loc[:-1]))
        elif kind == "finite_number" or (
            isinstance(value, float) and not math.isfinite(value) and kind.startswith("float")
        ):
            problem = not_finite(value)
        elif kind == "literal_error":
            expected = [
                part.strip().strip("'")
                for part in str((e.get("ctx") or {}).get("expected", ""))
                .replace(" or ", ",")
                .split(",")
            ]
            problem += did_you_mean(e.get("input"), expected)
        problems.append(InputError(source, field_path(prefix + loc), value, problem))
    return problems
