"""The CAMEO codebook and its mapping to the catalogue's acts.

The codebook is the ICEWS version (``data/icews_cameo-codes.csv``: name, Goldstein value,
description, usage notes, an example sentence per code) joined with the GDELT lookup tables
(``data/CAMEO.eventcodes.txt``), both bundled unchanged. ``data/cameo_acts.csv`` maps every
code of either to an act of the catalogue or to none, with the reasoning for rows that are not
obvious (docs/events.md).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from secdilemma.errors import InputError

DATA = resources.files("secdilemma.events") / "data"
NONE = "none"  # the mapping's word for "no act of the catalogue"


def _path(name: str) -> Path:
    return Path(str(DATA / name))


def _repair(text: str) -> str:
    """The ICEWS file's text read as Latin-1: its mojibake quotation marks (UTF-8 bytes of
    curly quotes, mangled) become plain apostrophes, and the codebook's editorial notes after
    an example ("Note: ...") are cut."""
    text = re.sub(r"[\x80-\xff]+", "'", text)
    return re.split(r"\s*Note:", text)[0].strip()


@cache
def codebook() -> pd.DataFrame:
    """One row per CAMEO code (a string: "010" is not "10"), indexed by code: ``name``,
    ``goldstein``, ``description``, ``usage_notes``, ``example`` (empty where the codebook has
    none) and ``root`` (the two-digit root code)."""
    icews = pd.read_csv(_path("icews_cameo-codes.csv"), encoding="latin-1", dtype=str)
    icews = icews.fillna("")
    table = pd.DataFrame(
        {
            "name": icews["name"].map(_repair),
            "goldstein": icews["goldstein"].astype(float),
            "description": icews["description"].map(_repair),
            "usage_notes": icews["usage_notes"].map(_repair),
            "example": icews["example"].map(_repair),
            "root": icews["root_code"],
        },
    )
    table.index = pd.Index(icews["code"], name="code")
    gdelt = pd.read_csv(_path("CAMEO.eventcodes.txt"), sep="\t", dtype=str)
    goldstein = pd.read_csv(_path("CAMEO.goldsteinscale.txt"), sep="\t", dtype=str)
    scores = dict(zip(goldstein["CAMEOEVENTCODE"], goldstein["GOLDSTEINSCALE"], strict=True))
    missing = gdelt[~gdelt["CAMEOEVENTCODE"].isin(table.index)]
    extra = pd.DataFrame(
        {
            "name": missing["EVENTDESCRIPTION"].to_numpy(),
            "goldstein": [float(scores[c]) for c in missing["CAMEOEVENTCODE"]],
            "description": "",
            "usage_notes": "",
            "example": "",
            "root": [c[:2] for c in missing["CAMEOEVENTCODE"]],
        },
        index=pd.Index(missing["CAMEOEVENTCODE"].to_numpy(), name="code"),
    )
    table = pd.concat([table, extra])
    table["example"] = table["example"].where(~table["example"].str.contains("NEED EXAMPLE"), "")
    return table


@cache
def mapping() -> dict[str, str | None]:
    """Each CAMEO code's act of the catalogue, or None where no act corresponds."""
    with _path("cameo_acts.csv").open(newline="", encoding="utf-8") as f:
        return {
            row["code"]: (None if row["act"] == NONE else row["act"]) for row in csv.DictReader(f)
        }


def normalise_code(value: object, source: str, field: str) -> str:
    """A CAMEO code as the codebook writes it. Event files often store codes as numbers, which
    loses the leading zero ("10" for "010"); a code not in the codebook as written is looked up
    with one leading zero added."""
    text = str(value).strip()
    if text.endswith(".0"):  # read as a float by a spreadsheet
        text = text[:-2]
    book = codebook().index
    if text in book:
        return text
    if text.isdigit() and f"0{text}" in book:
        return f"0{text}"
    raise InputError(source, field, value, "not a CAMEO code of the codebook")


def act_of(code: str) -> str | None:
    """The act the code maps to (None: no act)."""
    return mapping().get(code)
