"""The COW conflict files as the package ships them (``evidence/data``), read and cleaned.

* MID 4.01: one row per dispute (``mida``), one per participant spell (``midb``);
* Inter-State War 4.0 (``wars``): one row per participant; the file has old-Mac CR line
  endings, which the CSV reader takes as line ends.

Missing values (``-9`` unknown, ``-8`` not applicable) become NaN in the numeric columns that
carry them; nothing else is changed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from secdilemma.errors import InputError

MISSING = (-9, -8)
MIDA_FILE, MIDB_FILE, WAR_FILE = "MIDA_4.01.csv", "MIDB_4.01.csv", "Inter-StateWarData_v4.0.csv"
MIDA_COLUMNS = ("DispNum3", "StYear", "EndYear", "HostLev", "Fatality", "Outcome")
MIDB_COLUMNS = ("DispNum3", "ccode", "StAbb", "StYear", "EndYear", "SideA", "HostLev", "Orig")
WAR_COLUMNS = ("WarNum", "WarName", "ccode", "Side", "StartYear1", "EndYear1", "Initiator")
HOSTILITY_WAR = 5  # MID hostility level 5: interstate war


def bundled(name: str) -> Path:
    return Path(str(resources.files("secdilemma.evidence") / "data" / name))


def _read(path: Path, columns: tuple[str, ...], missing_in: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(str(path), "<file>", str(path), "no such data file") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(str(path), "<file>", str(path), f"not a readable CSV: {err}") from None
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise InputError(str(path), "<header>", absent, "missing columns")
    for column in missing_in:
        values = frame[column].astype(float)
        frame[column] = values.where(~values.isin(MISSING), np.nan)
    return frame


@lru_cache(maxsize=2)
def _mida(path: str) -> pd.DataFrame:
    return _read(Path(path), MIDA_COLUMNS, ("StYear", "EndYear", "HostLev", "Fatality"))


@lru_cache(maxsize=2)
def _midb(path: str) -> pd.DataFrame:
    return _read(Path(path), MIDB_COLUMNS, ("StYear", "EndYear", "HostLev"))


@lru_cache(maxsize=2)
def _wars(path: str) -> pd.DataFrame:
    return _read(Path(path), WAR_COLUMNS, ("StartYear1", "EndYear1"))


def load_mida(path: str | Path | None = None) -> pd.DataFrame:
    """MID 4.01 disputes: one row per dispute."""
    return _mida(str(path or bundled(MIDA_FILE))).copy()


def load_midb(path: str | Path | None = None) -> pd.DataFrame:
    """MID 4.01 participants: one row per participant spell (a state may have several)."""
    return _midb(str(path or bundled(MIDB_FILE))).copy()


def load_wars(path: str | Path | None = None) -> pd.DataFrame:
    """Inter-State War 4.0: one row per participant."""
    return _wars(str(path or bundled(WAR_FILE))).copy()


def war_pairs(wars: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pair of states on opposite sides of a COW inter-state war, with the war's number
    and the later of the two states' entry years (``start``): columns ``ccode_low``,
    ``ccode_high`` (the pair in code order), ``WarNum``, ``start``."""
    wars = load_wars() if wars is None else wars
    side = wars.groupby(["WarNum", "ccode", "Side"], as_index=False)["StartYear1"].min()
    one, two = side[side["Side"] == 1], side[side["Side"] == 2]
    pairs = one.merge(two, on="WarNum", suffixes=("_1", "_2"))
    pairs = pairs[pairs["ccode_1"] != pairs["ccode_2"]]
    return pd.DataFrame(
        {
            "ccode_low": np.minimum(pairs["ccode_1"], pairs["ccode_2"]).to_numpy(),
            "ccode_high": np.maximum(pairs["ccode_1"], pairs["ccode_2"]).to_numpy(),
            "WarNum": pairs["WarNum"].to_numpy(),
            "start": np.maximum(pairs["StartYear1_1"], pairs["StartYear1_2"]).to_numpy(),
        }
    )
