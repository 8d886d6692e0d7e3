"""Sobol indices and Morris screening: known answers on test functions, then the model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from secdilemma.errors import InputError
from secdilemma.experiments.sensitivity import (
    _elementary_effects,
    morris_of,
    morris_screening,
    plot_indices,
    problem_from_spec,
    ranking,
    sobol_indices,
    sobol_of,
)
from secdilemma.experiments.spec import SweepSpec

A, B = 7.0, 0.1
UNIT3 = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}
PI3 = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_exact() -> tuple[list[float], list[float]]:
    """The analytical first-order and total indices (Ishigami and Homma 1990)."""
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def linear(x: np.ndarray) -> np.ndarray:
    """Designed structure: x1 four times x2's slope, x3 inert."""
    return 4 * x[:, 0] + x[:, 1]


def test_ishigami_exact_values_are_the_published_ones():
    s1, st = ishigami_exact()
    assert s1 == pytest.approx([0.314, 0.442, 0.0], abs=5e-4)
    assert st == pytest.approx([0.558, 0.442, 0.244], abs=5e-4)


def test_sobol_recovers_the_ishigami_indices():
    frame = sobol_of(ishigami, PI3, 4096, seed=0)
    s1, st = ishigami_exact()
    # With N = 4096 (20 480 runs) the 95% bootstrap half-widths are at most ~0.045 (ST of x1),
    # so a tolerance of 0.05 is wider than the sampling error yet far narrower than the gaps
    # between the indices (a swapped or missing term fails it).
    assert (frame[["S1_conf", "ST_conf"]] < 0.05).all().all()
    assert frame["S1"].to_numpy() == pytest.approx(s1, abs=0.05)
    assert frame["ST"].to_numpy() == pytest.approx(st, abs=0.05)
    # x3 acts only through its interaction with x1: no first-order effect, a clear total one.
    assert frame.loc[2, "ST"] - frame.loc[2, "S1"] > 0.15
    assert frame.attrs["evaluations"] == 4096 * 5


def test_sobol_and_morris_rank_a_designed_function():
    sobol = sobol_of(linear, UNIT3, 1024, seed=1)
    # Var(4 x1) = 16/12 and Var(x2) = 1/12 of 17/12: additive, so S1 = ST.
    assert sobol["S1"].to_numpy() == pytest.approx([16 / 17, 1 / 17, 0.0], abs=0.05)
    assert sobol["ST"].to_numpy() == pytest.approx([16 / 17, 1 / 17, 0.0], abs=0.05)
    assert abs(sobol.loc[2, "ST"]) < 1e-9
    assert ranking(sobol) == ["x1", "x2", "x3"]

    morris = morris_of(linear, UNIT3, 10, levels=4, seed=1)
    # A linear function has one elementary effect per input: its slope times the range.
    assert morris["mu_star"].to_numpy() == pytest.approx([4.0, 1.0, 0.0])
    assert morris["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert ranking(morris) == ["x1", "x2", "x3"]


def test_elementary_effects_are_salibs():
    from SALib.analyze import morris as salib_morris
    from SALib.sample import morris as salib_sample

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[-3, 3], [0, 2], [5, 6]]}
    x = salib_sample.sample(problem, 30, num_levels=4, seed=3)
    y = np.sin(x[:, 0]) * x[:, 1] ** 2 + x[:, 2] * x[:, 0]
    si = salib_morris.analyze(problem, x, y, num_levels=4, seed=1)
    ee = _elementary_effects(problem, x, y)
    assert np.abs(ee).mean(axis=1) == pytest.approx(np.asarray(si["mu_star"]))
    assert ee.std(axis=1, ddof=1) == pytest.approx(np.asarray(si["sigma"]))
    frame = morris_of(lambda v: np.sin(v[:, 0]) * v[:, 1] ** 2, problem, 30, seed=3)
    assert (frame["sigma_conf"][:2] > 0).all()  # a nonlinear effect has an uncertain spread


def _spec(
    parameters: dict,
    replicates: int = 20,
    steps: int = 15,
    seed: int = 1,
    fixed: list[str] | None = None,
) -> SweepSpec:
    return SweepSpec(
        scenario="two-security-seekers",
        replicates=replicates,
        steps=steps,
        seed=seed,
        design="lhs",
        points=1,  # unused by sensitivity analysis, which draws its own design
        parameters=parameters,
        outcomes=["p_spiral"],
        set=fixed or [],
    )


SMALL = {
    "world.offense_defense_balance": {"low": 0.5, "high": 3.0},
    "world.distinguishability": {"low": 0.0, "high": 1.0},
}


def test_grid_parameters_and_unknown_outcomes_are_refused():
    spec = _spec({**SMALL, "states.A.lens": {"values": ["structural", "bayesian"]}})
    with pytest.raises(InputError) as err:
        problem_from_spec(spec)
    assert err.value.field == "parameters.states.A.lens"
    with pytest.raises(InputError, match="parameters.states.A.lens"):
        morris_screening(spec, "p_spiral", 4)
    with pytest.raises(InputError) as err:
        sobol_indices(_spec(SMALL), "p_spiralz", 4)
    assert err.value.field == "outcome" and err.value.value == "p_spiralz"


def test_an_outcome_that_never_varies_is_refused():
    # Two steps are too few for any spiral: no variance to apportion.
    with pytest.raises(InputError, match="at every point"):
        morris_screening(_spec(SMALL, steps=2), "p_spiral", 2)


def test_workers_do_not_change_the_indices(tmp_path):
    spec = _spec(SMALL)
    one = morris_screening(spec, "escalation_score_mean", 3, workers=1)
    two = morris_screening(spec, "escalation_score_mean", 3, workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert one["mu_star"].gt(0).any()
    plot = plot_indices(one, tmp_path / "morris.png")
    assert plot.stat().st_size > 1000
    sobol = sobol_of(linear, UNIT3, 64, seed=0)
    assert plot_indices(sobol, tmp_path / "sobol.svg").read_text().startswith("<?xml")


# The security-dilemma world of the model test: the balance and distinguishability of the
# world, and one state's greed and charity.
JERVIS = {
    "world.offense_defense_balance": {"low": 0.5, "high": 3.0},
    "world.distinguishability": {"low": 0.0, "high": 1.0},
    "states.A.greed": {"low": 0.0, "high": 0.3},
    "states.A.charity": {"low": 0.0, "high": 1.0},
}
BALANCE = "world.offense_defense_balance"
# The dilemma's own choice, to arm or to wait: the states may only build. With the full menu under
# the calibrated constants (temperature 0.021, security_weight ~1) they choose nearly at random,
# and no point of these ranges spirals (p_spiral 0 at all 100 points of the Morris design).
ARMING = [
    f"states.{s}.actions=[build_arms, build_offensive_forces, build_defensive_forces]" for s in "AB"
]


def _check_balance_drives_the_spiral(frame: pd.DataFrame, key: str, conf: str) -> None:
    """The offense-defense balance is a top-two driver of p_spiral, clear of the minor ones.

    Why (docs/model.md): the structural capability signal an observer reads from any build is
    proportional to the balance β (section 8), so arming reads as threat; and β scales the
    attack strength and so the odds of winning (section 3) and the first-strike pressure of a
    crisis (section 10). Greed 0-0.3 of one state moves little in 40 steps, and charity enters
    only interpretive readings, which these structural observers do not use (section 8).
    """
    ranked = ranking(frame)
    assert BALANCE in ranked[:2], frame
    row = frame.set_index("parameter")
    # Not only the ranking: the balance's lower bound clears the minor drivers' upper bounds.
    for minor in ("states.A.greed", "states.A.charity"):
        assert (
            row.loc[BALANCE, key] - row.loc[BALANCE, conf]
            > row.loc[minor, key] + row.loc[minor, conf]
        ), frame
    assert row.loc["states.A.charity", key] == 0.0  # a structural lens ignores charity


def test_the_balance_drives_the_spiral_morris():
    spec = _spec(JERVIS, replicates=60, steps=40, seed=1, fixed=ARMING)
    frame = morris_screening(spec, "p_spiral", trajectories=20, workers=2)
    _check_balance_drives_the_spiral(frame, "mu_star", "mu_star_conf")
    row = frame.set_index("parameter")
    # Jervis (1978): offense dominance worsens the dilemma, distinguishable postures ease it.
    assert row.loc[BALANCE, "mu"] > 0
    assert row.loc["world.distinguishability", "mu"] < 0


@pytest.mark.slow
def test_the_balance_drives_the_spiral_sobol():
    spec = _spec(JERVIS, replicates=60, steps=40, seed=1, fixed=ARMING)
    frame = sobol_indices(spec, "p_spiral", base_samples=64, workers=2)
    _check_balance_drives_the_spiral(frame, "ST", "ST_conf")
