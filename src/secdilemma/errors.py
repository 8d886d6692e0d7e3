"""Errors that name the file, the field and the value, so a user can fix the input at once."""

from __future__ import annotations

from typing import Any


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InputError(ValueError):
    """Bad input: a malformed scenario, an unknown id, an out-of-range value, a missing file."""

    def __init__(self, source: str, field: str, value: Any, problem: str) -> None:
        self.source = source
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{source}: {field}: {_show(value)}: {problem}")


class ScenarioError(InputError):
    """One or more problems in a scenario; ``problems`` holds each as an :class:`InputError`."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.source, first.field, first.value, first.problem)
        if len(problems) > 1:
            self.args = ("\n".join(str(p) for p in problems),)

    def __str__(self) -> str:
        return "\n".join(
            f"{p.source}: {p.field}: {_show(p.value)}: {p.problem}" for p in self.problems
        )
