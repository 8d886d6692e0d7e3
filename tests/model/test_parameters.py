"""Every model parameter is described where it is defined, and docs/model.md's table of them is
generated from those descriptions (docs/update_tables.py)."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from secdilemma.model.parameter_table import parameter_table
from secdilemma.model.parameters import Parameters

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "update_tables.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("update_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_tables = _load_script()


def _rows(table: str) -> dict[str, dict[str, str]]:
    """The table's rows by parameter name, each a dict of its cells by column."""
    lines = table.strip().splitlines()
    columns = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        assert len(cells) == len(columns), line
        row = dict(zip(columns, cells, strict=True))
        rows[row["name"].strip("`")] = row
    return rows


def test_docs_table_is_generated_from_the_fields():
    text = update_tables.MODEL_MD.read_text(encoding="utf-8")
    assert update_tables.generated(text) == parameter_table(), (
        "docs/model.md's parameter table (section 13) is out of date: "
        "run python docs/update_tables.py"
    )


def test_table_sits_in_section_13():
    text = update_tables.MODEL_MD.read_text(encoding="utf-8")
    section = text[text.index("## 13. Parameters") : text.index("## 14. Sources")]
    assert update_tables.BEGIN in section and update_tables.END in section


@pytest.mark.parametrize("name", list(Parameters.model_fields))
def test_every_field_has_description_unit_and_source(name):
    field = Parameters.model_fields[name]
    extra = field.json_schema_extra
    assert isinstance(extra, dict), f"{name}: json_schema_extra must give unit and source"
    for what, text in (
        ("description", field.description),
        ("unit", extra.get("unit")),
        ("source", extra.get("source")),
    ):
        assert isinstance(text, str) and text.strip(), f"{name} has no {what}"
    assert set(extra) == {"unit", "source"}, name


def test_table_lists_every_field_in_order_with_its_default():
    rows = _rows(parameter_table())
    assert list(rows) == list(Parameters.model_fields)
    defaults = Parameters()
    for name, row in rows.items():
        value = getattr(defaults, name)
        shown = row["default"].strip("`")
        # A calibrated value is shown to four significant digits.
        assert (
            (shown == value)
            if isinstance(value, str)
            else (float(shown) == pytest.approx(value, rel=1e-3))
        ), name
        field = Parameters.model_fields[name]
        assert row["meaning"] == " ".join(field.description.split()), name
        assert row["unit"] == field.json_schema_extra["unit"], name
        assert row["source"] == field.json_schema_extra["source"], name


@pytest.mark.parametrize(
    "name, shown",
    [
        ("trust_gain", "[0, 1]"),
        ("temperature", "[1e-06, 1e+06]"),
        ("tremble", "(0, 1)"),
        ("incident_severity", "[-1, 1]"),
        ("costly_evidence", "[1, 1000]"),
        ("spiral_window", "[2, 100000]"),
        ("foresight", "[0, 1000]"),
        ("richardson_grievance", "[-1e+12, 1e+12]"),
        ("choice", "`softmax`, `argmax`"),
    ],
)
def test_range_examples(name, shown):
    assert _rows(parameter_table())[name]["range"] == shown


def _accepts(name: str, value) -> bool:
    try:
        Parameters(**{name: value})
    except ValidationError:
        return False
    return True


def _parse_range(shown: str) -> tuple[float, bool, float, bool]:
    match = re.fullmatch(r"([\[(])(-∞|-?[\d.e+-]+), (∞|-?[\d.e+-]+)([\])])", shown)
    assert match, f"unreadable range {shown!r}"
    low = -math.inf if match[2] == "-∞" else float(match[2])
    high = math.inf if match[3] == "∞" else float(match[3])
    return low, match[1] == "[", high, match[4] == "]"


@pytest.mark.parametrize(
    "name", [n for n, f in Parameters.model_fields.items() if f.annotation in (int, float)]
)
def test_ranges_match_what_the_validator_accepts(name):
    """The range the table shows is the one a scenario is checked against: each finite bound is
    accepted exactly when the table says it is closed, and a value beyond it is refused."""
    shown = _rows(parameter_table())[name]["range"]
    low, low_closed, high, high_closed = _parse_range(shown)
    integer = Parameters.model_fields[name].annotation is int
    default = Parameters.model_fields[name].default
    assert low <= default <= high, name
    for bound, closed, sign in ((low, low_closed, -1), (high, high_closed, 1)):
        if math.isinf(bound):
            assert _accepts(name, math.copysign(1e9, bound)), f"{name} refuses {bound}"
            continue
        step = 1 if integer else max(1e-6, abs(bound) * 1e-9)  # a step a float can take
        beyond = sign * step
        bound = int(bound) if integer else bound
        assert _accepts(name, bound) == closed, f"{name}: the bound {bound} of {shown}"
        assert not _accepts(name, bound + beyond), f"{name} accepts a value outside {shown}"


def test_check_detects_a_modified_table(tmp_path, capsys):
    text = update_tables.MODEL_MD.read_text(encoding="utf-8")
    doc = tmp_path / "model.md"
    modified = text.replace("| `trust_gain` | 0.02 |", "| `trust_gain` | 0.03 |")
    assert modified != text
    doc.write_text(modified, encoding="utf-8")
    assert update_tables.main(["--check"], path=doc) == 1
    assert "run python docs/update_tables.py" in capsys.readouterr().out
    assert doc.read_text(encoding="utf-8") == modified  # --check writes nothing
    assert update_tables.main([], path=doc) == 0
    assert doc.read_text(encoding="utf-8") == text
    assert update_tables.main(["--check"], path=doc) == 0


def test_update_keeps_the_text_around_the_table(tmp_path):
    begin, end = update_tables.BEGIN, update_tables.END
    doc = tmp_path / "model.md"
    doc.write_text(f"before\n\n{begin}\n| stale |\n{end}\n\nafter\n", encoding="utf-8")
    assert update_tables.main([], path=doc) == 0
    assert doc.read_text(encoding="utf-8") == (
        f"before\n\n{begin}\n{parameter_table()}{end}\n\nafter\n"
    )


def test_missing_markers_are_an_error(tmp_path):
    doc = tmp_path / "model.md"
    doc.write_text("## 13. Parameters\n\n| name |\n", encoding="utf-8")
    assert update_tables.main(["--check"], path=doc) == 2


@pytest.mark.parametrize(
    "name", [n for n, f in Parameters.model_fields.items() if f.annotation in (int, float)]
)
def test_every_number_has_a_finite_range_and_refuses_nan_and_infinity(name):
    low, _, high, _ = _parse_range(_rows(parameter_table())[name]["range"])
    assert math.isfinite(low) and math.isfinite(high), name
    if Parameters.model_fields[name].annotation is float:
        for value in (math.nan, math.inf, -math.inf):
            assert not _accepts(name, value), f"{name} accepts {value}"
