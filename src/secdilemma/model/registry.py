"""Registries: the one list of lenses and the one list of decision policies that the scenario
schema, the engine, the command line and the docs all read.

A registry maps a name to an :class:`Entry` with a stable integer code (the order of
registration: the world state stores codes in arrays), a one-line description, and, for
policies, the implementation: a function, or a ``"module:function"`` reference that the engine
resolves when a state uses the policy. The built-in policies are registered at the end of this
module by reference to ``mechanisms/decision/policies.py``, so the scenario schema knows their
names without importing the engine; a user's policy is one more call to
:func:`register_policy` (docs/extending.md)::

    >>> from secdilemma.model.registry import LENS_REGISTRY, POLICY_REGISTRY
    >>> LENS_REGISTRY.names()
    ('structural', 'bayesian', 'interpretive')
    >>> POLICY_REGISTRY.code("expected_utility")
    0
    >>> POLICY_REGISTRY.check("tit_for_tat")
    Traceback (most recent call last):
    ...
    ValueError: unknown policy 'tit_for_tat'; use one of ['expected_utility', 'richardson', \
'reciprocity', 'offensive_realist', 'scripted']

Lenses are registered here, not by plugins: each lens's arithmetic is part of the vectorised
readings (``mechanisms/perception/lenses.py``) and of the compiled kernels, so a new lens means
new code there as well as an entry; the registry keeps its name, code and meaning in one place.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    name: str
    code: int
    description: str
    implementation: Callable[..., Any] | str | None = None

    def rule(self) -> Callable[..., Any] | None:
        """The implementation, importing a ``"module:function"`` reference on first use."""
        if isinstance(self.implementation, str):
            module, _, function = self.implementation.partition(":")
            return getattr(importlib.import_module(module), function)
        return self.implementation


class Registry:
    """Named entries with stable codes, in the order they were registered."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def register(
        self,
        name: str,
        description: str,
        implementation: Callable[..., Any] | str | None = None,
    ) -> Entry:
        if not name.isidentifier():
            raise ValueError(f"a {self.kind} name must be an identifier, got {name!r}")
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        entry = Entry(name, len(self._entries), description, implementation)
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove the last entry registered (codes of the others must not change)."""
        if list(self._entries)[-1:] != [name]:
            raise ValueError(f"only the last {self.kind} registered can be removed, not {name!r}")
        del self._entries[name]

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries.values())

    def __getitem__(self, name: str) -> Entry:
        return self._entries[self.check(name)]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def code(self, name: str) -> int:
        return self[name].code

    def check(self, name: str) -> str:
        """``name`` if registered; otherwise a ValueError listing the registered names (the
        scenario schema reports it with the file, field and value)."""
        if name not in self._entries:
            close = difflib.get_close_matches(str(name), list(self._entries), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"unknown {self.kind} {name!r}{hint}; use one of {list(self._entries)}"
            )
        return name


def registry_table(registry: Registry) -> str:
    """The markdown table of a registry's entries, in code order (docs/model.md reads it).

    >>> print(registry_table(LENS_REGISTRY).splitlines()[2][:38])
    | `structural` | 0 | reads capability:
    """
    lines = [f"| {registry.kind} | code | meaning |", "| --- | --- | --- |"]
    for entry in registry.entries():
        lines.append(f"| `{entry.name}` | {entry.code} | {entry.description} |")
    return "\n".join(lines) + "\n"


LENS_REGISTRY = Registry("lens")
LENS_REGISTRY.register(
    "structural",
    "reads capability: threat from offensive potential, the offense-defense balance, "
    "distinguishability, reach and relative weakness (Walt, Jervis)",
)
LENS_REGISTRY.register(
    "bayesian",
    "updates the belief that the actor is greedy by the act's likelihood under each type, "
    "taking intent at face value where no model likelihood exists (Glaser, Kydd)",
)
LENS_REGISTRY.register(
    "interpretive",
    "the Bayesian update read through the observer's frame: grievance, sensitivity by domain, "
    "and charity, which social learning moves (Herz, via the critique)",
)

POLICY_REGISTRY = Registry("policy")


def register_policy(
    name: str, description: str, implementation: Callable[..., Any] | str | None = None
) -> Entry:
    """Add a decision policy. ``implementation(w, b, space, p)`` returns an ``(R, N)`` array of
    option indices for every state (the engine uses the columns of the states on this policy);
    ``None`` means the expected-utility choice; a ``"module:function"`` string is imported when
    a state first uses the policy."""
    return POLICY_REGISTRY.register(name, description, implementation)


_RULES = "secdilemma.mechanisms.decision.policies"
register_policy(
    "expected_utility",
    "the decision model: softmax or argmax over each act's expected utility (docs/model.md 5)",
)
register_policy(
    "richardson",
    "arm when a * y - m * x + g > 0 against the most threatening rival (Richardson 1960)",
    f"{_RULES}:richardson",
)
register_policy(
    "reciprocity",
    "tit for tat: arm after a hostile reading, reassure the friendliest after a friendly one",
    f"{_RULES}:reciprocity",
)
register_policy(
    "offensive_realist",
    "invade the most beatable state when the odds exceed realist_war_threshold, else build "
    "offensive forces (Mearsheimer)",
    f"{_RULES}:offensive_realist",
)
register_policy(
    "scripted", "only the scenario's scheduled events; otherwise wait", f"{_RULES}:scripted"
)
