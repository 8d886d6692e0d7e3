"""Reading YAML written by users: bounded, and with YAML 1.2's numbers.

Every scenario, ``--set`` value and catalogue file goes through :func:`load_text` or
:func:`load_file`, which refuse, before any value is built or shown:

* a file over :data:`MAX_BYTES`;
* nesting deeper than :data:`MAX_DEPTH` levels (counting what aliases bring in);
* aliases that add more than :data:`MAX_ALIAS_NODES` nodes to the document (the "billion
  laughs"), or that refer to a node containing them;
* integers of more than :data:`MAX_DIGITS` digits.

Anchors and aliases themselves are allowed (``actions: &menu [...]`` then ``actions: *menu``).
Numbers follow YAML 1.2 as well as 1.1: ``1e-3``, ``2E5`` and ``-.5`` are floats (PyYAML's
YAML 1.1 resolver reads them as text). A float beyond the largest double (``1e400``) becomes an
:class:`Overflow`, an infinity that shows as it was written, which the schema refuses as not
finite. Each problem is an :class:`~secdilemma.errors.InputError` naming the line and column.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import Node
from yaml.resolver import Resolver

from secdilemma.errors import NO_VALUE, InputError

MAX_BYTES = 2 * 2**20  # 2 MiB: a synthetic world of some 4,500 states; read in seconds
MAX_DEPTH = 32
MAX_ALIAS_NODES = 100_000
MAX_DIGITS = 100

# YAML 1.2's float: a mantissa with or without a dot, with an exponent whose sign is optional;
# forms with a dot and no exponent are YAML 1.1 floats already.
_FLOAT_12 = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")


class Overflow(float):
    """A YAML float too large for a double: infinite, shown as the text that was written."""

    text: str

    def __new__(cls, value: float, text: str) -> Overflow:
        made = super().__new__(cls, value)
        made.text = text
        return made

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __reduce__(self) -> tuple[type[Overflow], tuple[float, str]]:  # copies, pickles
        return (Overflow, (float(self), self.text))


class _Refused(yaml.MarkedYAMLError):
    """A limit of this module, at a place in the text."""

    def __init__(self, mark: Any, problem: str, value: Any = NO_VALUE) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.value = value


class _Size:
    """A composed node's size once aliases are expanded, and its height."""

    __slots__ = ("height", "nodes")

    def __init__(self, nodes: int, height: int) -> None:
        self.nodes = nodes
        self.height = height


class _Bounded:
    """What the loaders add to PyYAML's safe loading: composition that counts what aliases
    expand to and how deep the nesting goes, and numbers within bounds."""

    def _start(self) -> None:
        self._sizes: dict[int, _Size] = {}
        self._heights: list[int] = []  # the tallest child so far of each node being composed
        self._expanded = 0  # nodes, aliases expanded
        self._literal = 0  # nodes as written

    def compose_document(self) -> Node:
        self._sizes.clear()
        self._expanded = self._literal = 0
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise _Refused(
                    event.start_mark,
                    f"the alias *{event.anchor} refers to a node that contains it",
                    f"*{event.anchor}",
                )
            self._expanded += size.nodes
            if self._expanded - self._literal > MAX_ALIAS_NODES:
                raise _Refused(
                    event.start_mark,
                    f"aliases expand the document by more than {MAX_ALIAS_NODES:,} nodes",
                    f"*{event.anchor}",
                )
            if len(self._heights) + size.height > MAX_DEPTH:
                raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
            self._child(size.height)
            return node
        mark = self.peek_event().start_mark
        if len(self._heights) >= MAX_DEPTH:
            raise _Refused(mark, f"nested deeper than {MAX_DEPTH} levels")
        before = self._expanded
        self._expanded += 1
        self._literal += 1
        self._heights.append(0)
        node = super().compose_node(parent, index)
        height = self._heights.pop() + 1
        self._sizes[id(node)] = _Size(self._expanded - before, height)
        self._child(height)
        return node

    def _child(self, height: int) -> None:
        if self._heights:
            self._heights[-1] = max(self._heights[-1], height)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as err:
            # e.g. !!timestamp 2001-13-45, !!int abc
            raise _Refused(node.start_mark, f"cannot read this value: {err}", NO_VALUE) from None

    def construct_yaml_int(self, node: Node) -> int:
        text = self.construct_scalar(node)
        digits = len(text.replace("_", "").lstrip("+-"))
        if digits > MAX_DIGITS:
            raise _Refused(
                node.start_mark,
                f"an integer of {digits} digits is too large (at most {MAX_DIGITS} digits)",
                text,
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Node) -> float:
        text = self.construct_scalar(node)
        value = super().construct_yaml_float(node)
        if math.isinf(value) and "inf" not in text.lower():
            return Overflow(value, text)
        return value


class _PyLoader(_Bounded, yaml.SafeLoader):
    """PyYAML's safe loader, in Python throughout."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start()


try:  # LibYAML's parser: the text read three times as fast
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without LibYAML
    CParser = None

if CParser is not None:

    class _CLoader(_Bounded, Composer, CParser, SafeConstructor, Resolver):
        """LibYAML's parser with PyYAML's composer (here, where it is counted), constructor and
        resolver: ``yaml.CSafeLoader`` composes in C, out of reach of the counting."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)
            self._start()


LOADERS: tuple[type, ...] = (_PyLoader,) if CParser is None else (_CLoader, _PyLoader)
for _loader in LOADERS:
    _loader.add_constructor("tag:yaml.org,2002:int", _Bounded.construct_yaml_int)
    _loader.add_constructor("tag:yaml.org,2002:float", _Bounded.construct_yaml_float)
    _loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+.0123456789"))
_Loader = LOADERS[0]


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "<yaml>"


def load_text(text: str, source: str) -> Any:
    """The value of a YAML document, within this module's limits; every problem an
    :class:`InputError` naming ``source`` and the line and column."""
    if len(text) > MAX_BYTES:
        raise InputError(source, "<file>", NO_VALUE, f"larger than {MAX_BYTES // 2**20} MiB")
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as err:
        raise InputError(source, _where(err.problem_mark), err.value, err.problem) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "unreadable"
        if err.context and err.problem:
            problem += f" ({err.context} at {_where(err.context_mark)})"
        raise InputError(source, _where(mark), NO_VALUE, f"malformed YAML: {problem}") from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        char = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        problem = f"{err.reason} (character {char} at position {err.position})"
        raise InputError(source, "<yaml>", NO_VALUE, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as err:
        raise InputError(source, "<yaml>", NO_VALUE, f"malformed YAML: {err}") from None
    except RecursionError:  # not reached within MAX_DEPTH; kept as a last guard
        raise InputError(source, "<yaml>", NO_VALUE, "nested too deeply") from None


def load_file(path: Path, what: str = "file") -> Any:
    """The value of a YAML file, refusing one over :data:`MAX_BYTES` before reading it."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        problem = f"cannot read the {what}: {err.strerror}"
        raise InputError(source, "<file>", NO_VALUE, problem) from None
    if len(data) > MAX_BYTES:
        raise InputError(source, "<file>", NO_VALUE, f"larger than {MAX_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(source, "<file>", NO_VALUE, "not UTF-8 text") from None
    return load_text(text, source)
