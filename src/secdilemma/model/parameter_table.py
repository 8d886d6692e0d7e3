"""The table of the model's constants in docs/model.md, section 13: each field of
:class:`~secdilemma.model.parameters.Parameters` with its default, range, unit, meaning and source
(``python docs/update_tables.py`` writes it)."""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from secdilemma.model.parameters import Parameters

COLUMNS = ("name", "default", "range", "unit", "meaning", "source")


def _number(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def value_range(field: FieldInfo) -> str:
    """The values the validator accepts, from the field's type and its ge/gt/le/lt bounds:
    ``[0, 1]``, ``(0, ∞)``, ``[2, ∞)``; a choice lists its values.

    >>> value_range(Parameters.model_fields["tremble"])
    '(0, 1)'
    """
    if get_origin(field.annotation) is Literal:
        return ", ".join(f"`{value}`" for value in get_args(field.annotation))
    low, high = "(-∞", "∞)"
    for bound in field.metadata:  # annotated_types' Ge, Gt, Le, Lt (or an Interval of them)
        if getattr(bound, "ge", None) is not None:
            low = f"[{_number(bound.ge)}"
        if getattr(bound, "gt", None) is not None:
            low = f"({_number(bound.gt)}"
        if getattr(bound, "le", None) is not None:
            high = f"{_number(bound.le)}]"
        if getattr(bound, "lt", None) is not None:
            high = f"{_number(bound.lt)})"
    return f"{low}, {high}"


def _default(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value}`"
    # Calibrated values carry every digit of the estimate; four significant digits say it.
    return f"{value:.4g}" if isinstance(value, float) and len(repr(value)) > 8 else repr(value)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def parameter_table() -> str:
    """The markdown table of every field of ``Parameters``, in field order: name, default,
    range, unit, meaning and source (docs/model.md section 13).

    >>> parameter_table().splitlines()[0]
    '| name | default | range | unit | meaning | source |'
    """
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        cells = (
            f"`{name}`",
            _default(field.default),
            value_range(field),
            extra.get("unit", ""),
            field.description or "",
            extra.get("source", ""),
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
