"""Correlates of War reference data: National Material Capabilities and the GRH arms races.

The package ships copies of the files (``secdilemma/data``, see PROVENANCE.md there) and reads
them unchanged; cleaning happens here:

* ``-9`` is missing;
* ``milex`` is in thousands of current British pounds up to 1913 and thousands of current US
  dollars from 1914, so a series may not mix the two unless converted. Conversion uses the gold
  parity of 1914, 4.8665 dollars to the pound (the mint par under the gold standard), which is
  a unit conversion, not a deflator.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from secdilemma.errors import InputError

UNIT_CHANGE_YEAR = 1914
USD_PER_GBP_PARITY = 4.8665
NMC_MISSING = -9
NMC_COLUMNS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")
Currency = Literal["native", "USD"]


def bundled(name: str) -> Path:
    return Path(str(resources.files("secdilemma.model") / "data" / name))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(str(path), "<file>", str(path), "no such data file") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(str(path), "<file>", str(path), f"not a readable CSV: {err}") from None


@lru_cache(maxsize=4)
def _nmc_cached(path: str) -> pd.DataFrame:
    frame = _read_csv(Path(path))
    missing = [c for c in ("stateabb", "ccode", "year", *NMC_COLUMNS) if c not in frame.columns]
    if missing:
        raise InputError(path, "<header>", missing, "missing NMC columns")
    for column in NMC_COLUMNS:
        frame[column] = frame[column].where(frame[column] != NMC_MISSING).astype(float)
    frame["milex_currency"] = np.where(frame["year"] < UNIT_CHANGE_YEAR, "GBP", "USD")
    return frame


def load_nmc(path: str | Path | None = None) -> pd.DataFrame:
    """The NMC table with missing values as NaN and a ``milex_currency`` column."""
    return _nmc_cached(str(path or bundled("NMC-60-abridged.csv"))).copy()


def load_grh(path: str | Path | None = None) -> pd.DataFrame:
    """The Gibler-Rider-Hutchison arms races: one row per race."""
    source = str(path or bundled("grh_arms_races.csv"))
    frame = _read_csv(Path(source))
    needed = ["race_id", "ccode1", "state1", "ccode2", "state2", "styear", "endyear"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(source, "<header>", missing, "missing GRH columns")
    return frame


def _state_codes(nmc: pd.DataFrame, states: Iterable[str | int], source: str) -> list[int]:
    """COW codes for state abbreviations (``FRN``) or codes (``220``)."""
    by_abb = dict(zip(nmc["stateabb"], nmc["ccode"], strict=False))
    known = set(nmc["ccode"])
    codes = []
    for state in states:
        text = str(state).strip()
        if text.isdigit() and int(text) in known:
            codes.append(int(text))
        elif text.upper() in by_abb:
            codes.append(int(by_abb[text.upper()]))
        else:
            abbreviations = [k for k in by_abb if isinstance(k, str)]
            close = difflib.get_close_matches(text.upper(), abbreviations, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(
                source, "state", state, f"unknown COW state abbreviation or code{hint}"
            )
    return codes


def milex(
    nmc: pd.DataFrame,
    states: Sequence[str | int],
    years: Iterable[int],
    currency: Currency = "native",
    source: str = "NMC",
) -> pd.DataFrame:
    """Military expenditure, in thousands, one column per state (by abbreviation), one row per
    year; NaN where the data are missing or the state did not exist.

    ``currency="native"`` keeps the file's units and refuses a range that crosses the 1914 unit
    change; ``"USD"`` converts pre-1914 pounds to dollars at the gold parity.
    """
    years = list(years)
    if not years:
        raise InputError(source, "years", years, "no years selected")
    if currency == "native" and min(years) < UNIT_CHANGE_YEAR <= max(years):
        raise InputError(
            source,
            "years",
            f"{min(years)}-{max(years)}",
            "milex is in pounds before 1914 and dollars from 1914; choose years on one side "
            "or convert to USD",
        )
    codes = _state_codes(nmc, states, source)
    rows = nmc[nmc["ccode"].isin(codes) & nmc["year"].isin(years)]
    table = rows.pivot_table(index="year", columns="ccode", values="milex", aggfunc="first")
    table = table.reindex(index=years, columns=codes)
    if currency == "USD":
        pounds = table.index < UNIT_CHANGE_YEAR
        table.loc[pounds] = table.loc[pounds] * USD_PER_GBP_PARITY
    abb = nmc.drop_duplicates("ccode").set_index("ccode")["stateabb"]
    table.columns = [abb[c] for c in codes]
    table.index.name = "year"
    return table


def bloc_milex(
    nmc: pd.DataFrame,
    blocs: Sequence[Sequence[str | int]],
    years: Iterable[int],
    currency: Currency = "native",
    source: str = "NMC",
) -> pd.DataFrame:
    """Summed military expenditure of each bloc (columns ``FRN+RUS``, ...); a bloc-year is
    missing if any member's is."""
    years = list(years)
    columns = {}
    for bloc in blocs:
        members = milex(nmc, bloc, years, currency, source)
        # min_count = every member: one missing member makes the bloc-year missing.
        columns["+".join(members.columns)] = members.sum(axis=1, min_count=len(members.columns))
    return pd.DataFrame(columns, index=pd.Index(years, name="year"))


def parse_years(text: str, source: str = "--years") -> range:
    """``1909-1913`` (inclusive) or a single year."""
    parts = text.split("-")
    try:
        first, last = (int(parts[0]), int(parts[-1]))
    except ValueError:
        raise InputError(source, "years", text, "expected YEAR or FIRST-LAST") from None
    if len(parts) > 2 or last < first:
        raise InputError(source, "years", text, "expected YEAR or FIRST-LAST, FIRST <= LAST")
    return range(first, last + 1)


@lru_cache(maxsize=4)
def _alliances_cached(path: str) -> pd.DataFrame:
    frame = _read_csv(Path(path))
    needed = ["ccode1", "ccode2", "dyad_st_year", "dyad_end_year", "defense", "entente"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(path, "<header>", missing, "missing COW alliance columns")
    return frame


def load_alliances(path: str | Path | None = None) -> pd.DataFrame:
    """COW Formal Alliances v4.1, one row per dyad (an empty end year: still in force in 2012)."""
    return _alliances_cached(str(path or bundled("alliance_v4.1_by_dyad.csv"))).copy()


ALLIANCE_DATA_END = 2012


def allied_in(
    alliances: pd.DataFrame, first: Sequence[int], second: Sequence[int], year: int, kind: str
) -> bool:
    """Whether every state of ``first`` has an alliance of ``kind`` (``defense`` or ``any``)
    in force with every state of ``second`` in ``year`` (capped at the data's last year)."""
    year = min(year, ALLIANCE_DATA_END)
    ends = alliances["dyad_end_year"].fillna(np.inf)
    live = (alliances["dyad_st_year"] <= year) & (ends >= year)
    if kind == "defense":
        live &= alliances["defense"] == 1
    pairs = set(zip(alliances.loc[live, "ccode1"], alliances.loc[live, "ccode2"], strict=True))
    return all((a, b) in pairs or (b, a) in pairs for a in first for b in second)


def state_codes(nmc: pd.DataFrame, states: Iterable[str | int], source: str) -> list[int]:
    """Public alias: COW codes for abbreviations or codes."""
    return _state_codes(nmc, states, source)
