"""Scenario discovery with PRIM: a box planted in a synthetic sweep store is found again."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from secdilemma.errors import InputError
from secdilemma.experiments import store

pytest.importorskip("ema_workbench")

from secdilemma.experiments.discovery import choose_box, discover  # noqa: E402

X1, X2, X3 = "world.offense_defense_balance", "world.distinguishability", "states.A.greed"


def planted_store(directory, n: int = 2000, seed: int = 0):
    """Uniform points; p_war is high exactly where x1 in [0.6, 1] and x2 in [0, 0.3]."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    inside = (x[:, 0] >= 0.6) & (x[:, 1] <= 0.3)
    # The outcome varies within each side of the threshold, as a sweep's would.
    p_war = np.where(inside, 0.7, 0.1) + 0.2 * rng.random(n)
    frame = pd.DataFrame(
        {"point": np.arange(n), X1: x[:, 0], X2: x[:, 1], X3: x[:, 2], "p_war": p_war}
    )
    frame["p_spiral"] = 1 - frame["p_war"]
    store.write_part(directory, "points", "part-00000", frame.iloc[: n // 2])
    store.write_part(directory, "points", "part-00001", frame.iloc[n // 2 :])
    (directory / "manifest.json").write_text("{}\n", encoding="utf-8")
    return directory


def _check_box(result: dict) -> None:
    lims = result["limits"]
    assert lims[X1]["restricted"] and lims[X2]["restricted"] and not lims[X3]["restricted"]
    # Box edges sit on sample points, a few peels (5% of the points each) from the truth.
    assert lims[X1]["low"] == pytest.approx(0.6, abs=0.03)
    assert lims[X1]["high"] == pytest.approx(1.0, abs=0.03)
    assert lims[X2]["low"] == pytest.approx(0.0, abs=0.03)
    assert lims[X2]["high"] == pytest.approx(0.3, abs=0.03)
    assert result["coverage"] >= 0.9 and result["density"] >= 0.9
    assert result["mass"] == pytest.approx(0.4 * 0.3, abs=0.03)
    # Quasi-p values: each restricted side is far beyond chance (Bryant and Lempert 2010).
    assert lims[X1]["qp"][0] < 1e-6 and lims[X2]["qp"][1] < 1e-6


def test_prim_finds_the_planted_box(tmp_path):
    result = discover(planted_store(tmp_path), "p_war", 0.5)
    assert result["points"] == 2000 and result["undefined"] == 0
    assert result["cases_of_interest"] == pytest.approx(2000 * 0.12, rel=0.15)
    _check_box(result)
    trade = pd.DataFrame(result["tradeoff"])
    # Peeling trades coverage for density; the first box is every point.
    assert trade.loc[0, "coverage"] == 1.0 and trade.loc[0, "mass"] == 1.0
    assert trade["density"].iloc[-1] > trade["density"].iloc[0]
    assert result["box"] == choose_box(trade, 0.8)


def test_below_threshold_finds_the_same_box(tmp_path):
    result = discover(planted_store(tmp_path), "p_spiral", 0.5, above=False)
    _check_box(result)


def test_undefined_outcomes_are_left_out_and_counted(tmp_path):
    planted_store(tmp_path)
    frame = store.read_table(tmp_path, "points")
    frame.loc[:9, "p_war"] = np.nan
    store.write_part(tmp_path, "points", "part-00000", frame)
    (tmp_path / "points" / "part-00001.parquet").unlink()
    result = discover(tmp_path, "p_war", 0.5)
    assert result["undefined"] == 10 and result["points"] == 1990
    _check_box(result)


def test_choose_box_prefers_coverage_then_density():
    trade = pd.DataFrame(
        {"coverage": [1.0, 1.0, 0.9, 0.5], "density": [0.2, 0.85, 0.95, 1.0], "mass": 0.1}
    )
    assert choose_box(trade, 0.8) == 1
    assert choose_box(trade, 0.9) == 2
    assert choose_box(trade.iloc[:2], 0.9) == 1  # none dense enough: the densest


def test_bad_input_names_the_field(tmp_path):
    with pytest.raises(InputError, match="no such sweep directory"):
        discover(tmp_path / "missing", "p_war", 0.5)
    planted_store(tmp_path)
    with pytest.raises(InputError) as err:
        discover(tmp_path, "p_nuclear_use", 0.5)
    assert err.value.field == "outcome" and "p_war" in err.value.problem
    with pytest.raises(InputError) as err:
        discover(tmp_path, "p_war", 2.0)
    assert err.value.field == "threshold" and "0 of 2000" in err.value.problem
    with pytest.raises(InputError, match="box"):
        discover(tmp_path, "p_war", 0.5, box=10_000)


def test_a_missing_extra_says_how_to_install(tmp_path, monkeypatch):
    # None makes the import raise ImportError; every level, so no cached submodule stands in.
    for name in ("ema_workbench", "ema_workbench.analysis", "ema_workbench.analysis.prim"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(InputError, match=r"secdilemma\[ema\]"):
        discover(planted_store(tmp_path), "p_war", 0.5)


def test_an_unreachable_density_gives_the_densest_box_and_says_so(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((1000, 2))
    inside = (x[:, 0] >= 0.6) & (x[:, 1] <= 0.3)
    # Within the box only 60% of points are cases of interest: no box is 99% dense.
    hit = np.where(inside, rng.random(1000) < 0.6, rng.random(1000) < 0.02)
    frame = pd.DataFrame({"point": np.arange(1000), X1: x[:, 0], X2: x[:, 1]})
    frame["p_war"] = np.where(hit, 0.9, 0.1)
    store.write_part(tmp_path, "points", "part-00000", frame)
    result = discover(tmp_path, "p_war", 0.5, threshold_density=0.99)
    trade = pd.DataFrame(result["tradeoff"])
    # The whole trade-off comes back (not PRIM's one-box "dump box"), and the pick is its densest.
    assert len(trade) > 5 and not result["meets_density"]
    assert result["density"] == trade["density"].max() < 0.99
    assert result["limits"][X1]["restricted"] and result["limits"][X2]["restricted"]
    assert discover(tmp_path, "p_war", 0.5, threshold_density=0.5)["meets_density"]
