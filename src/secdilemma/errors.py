"""Errors that name the file, the field and the value, so a user can fix the input at once."""

from __future__ import annotations

from typing import Any

SHOWN = 80  # characters of a value shown in an error
MAX_PROBLEMS = 50  # problems listed in one error; the rest are counted


class _NoValue:
    """The value of an error that has none to show (a missing key, a YAML syntax error)."""

    def __repr__(self) -> str:
        return "<no value>"


NO_VALUE: Any = _NoValue()


class Kind:
    """Stands for a value that must not be shown, only described (a file's whole contents)."""

    def __init__(self, value: Any) -> None:
        if isinstance(value, str):
            self.text = f"<text of {len(value)} characters>"
        elif isinstance(value, list | tuple):
            self.text = f"<a list of {len(value)} entries>"
        elif isinstance(value, dict):
            self.text = f"<a mapping of {len(value)} keys>"
        else:
            self.text = f"<{type(value).__name__}>"

    def __repr__(self) -> str:
        return self.text


def bounded_repr(value: Any, limit: int = SHOWN) -> str:
    """``repr(value)`` cut to ``limit`` characters, built only as far as it is shown: a huge or
    deeply nested structure (a YAML alias bomb, a 400-digit number, a self-containing list) is
    never expanded in full."""
    parts: list[str] = []
    size = 0

    def emit(text: str) -> bool:
        nonlocal size
        parts.append(text)
        size += len(text)
        return size <= limit

    def walk(item: Any, depth: int, seen: frozenset[int]) -> bool:
        if size > limit:
            return False
        if isinstance(item, str):
            return emit(repr(item[: limit + 1]) if len(item) > limit else repr(item))
        if item is None or isinstance(item, bool | float | _NoValue | Kind):
            return emit(repr(item))
        if isinstance(item, int):
            if item.bit_length() > 256:  # repr would build (or refuse) thousands of digits
                return emit(f"<an integer of about {int(item.bit_length() * 0.30103)} digits>")
            return emit(repr(item))
        if isinstance(item, dict | list | tuple | set | frozenset):
            if id(item) in seen or depth > 20:
                return emit("...")
            inner = seen | {id(item)}
            if isinstance(item, dict):
                opening, closing = "{", "}"
            elif isinstance(item, list):
                opening, closing = "[", "]"
            elif isinstance(item, tuple):
                opening, closing = "(", ")"
            else:
                opening, closing = "{", "}"
            if not emit(opening):
                return False
            for n, entry in enumerate(item.items() if isinstance(item, dict) else item):
                if n and not emit(", "):
                    return False
                if isinstance(item, dict):
                    key, entry = entry
                    if not walk(key, depth + 1, inner) or not emit(": "):
                        return False
                if not walk(entry, depth + 1, inner):
                    return False
            return emit(closing)
        try:
            text = repr(item)
        except Exception:  # noqa: BLE001 - a value that cannot show itself is described
            text = f"<{type(item).__name__}>"
        return emit(text[: limit + 1])

    walk(value, 0, frozenset())
    text = "".join(parts)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_line(source: str, field: str, value: Any, problem: str) -> str:
    """``SOURCE: FIELD: VALUE: problem``, each part bounded (the value left out when there is
    none): a key or a message quoting the input may be as long as the input."""
    head = f"{_cut(source, 300)}: {_cut(field, 200)}"
    if value is not NO_VALUE:
        head += f": {bounded_repr(value)}"
    return f"{head}: {_cut(problem, 500)}"


class InputError(ValueError):
    """Bad input: a malformed scenario, an unknown id, an out-of-range value, a missing file."""

    def __init__(self, source: str, field: str, value: Any, problem: str) -> None:
        self.source = source
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(error_line(source, field, value, problem))

    def __reduce__(self):
        # Raised in a worker process, it must come back through pickle whole.
        return (type(self), (self.source, self.field, self.value, self.problem))


class ScenarioError(InputError):
    """One or more problems in a scenario; ``problems`` holds each as an :class:`InputError`."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.source, first.field, first.value, first.problem)
        if len(problems) > 1:
            self.args = (str(self),)

    def __reduce__(self):
        return (type(self), (self.problems,))

    def __str__(self) -> str:
        lines = [
            error_line(p.source, p.field, p.value, p.problem) for p in self.problems[:MAX_PROBLEMS]
        ]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"... and {len(self.problems) - MAX_PROBLEMS} more problems")
        return "\n".join(lines)
