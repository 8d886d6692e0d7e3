"""Richardson's arms race: solution, stability, classification, fits to COW NMC data."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp
from typer.testing import CliRunner

from secdilemma.cli.app import app
from secdilemma.errors import InputError
from secdilemma.formal.arms_races import FITTED, TOO_LITTLE_DATA, fit_grh_races, unstable_share
from secdilemma.formal.richardson import (
    BALANCED,
    DISARMAMENT,
    NO_EQUILIBRIUM,
    ONE_SIDED,
    RUNAWAY_RACE,
    STABLE_EQUILIBRIUM,
    Richardson,
    classify,
    eigenvalues,
    equilibrium,
    fit_additive,
    fit_reactions,
    is_stable,
    simulate_discrete,
    solve,
)
from secdilemma.model.cow import USD_PER_GBP_PARITY, bloc_milex, load_grh, load_nmc, milex

runner = CliRunner()


def random_systems(count, seed, grievance=(-1, 1)):
    rng = np.random.default_rng(seed)
    a, m, b, n = rng.uniform(0.01, 2.0, (4, count))
    g, h = rng.uniform(*grievance, (2, count))
    return Richardson.of(a, m, g, b, n, h)


def test_stability_agrees_with_the_largest_eigenvalue():
    model = random_systems(5000, seed=1)
    largest = np.linalg.eigvals(model.matrix).real.max(axis=-1)
    assert np.array_equal(is_stable(model), largest < 0)
    # Richardson's form of the condition, for positive fatigue coefficients.
    assert np.array_equal(is_stable(model), model.m * model.n > model.a * model.b)
    assert 0.2 < is_stable(model).mean() < 0.8  # both kinds occur in the sample
    ours = np.sort_complex(eigenvalues(model))
    assert np.allclose(ours, np.sort_complex(np.linalg.eigvals(model.matrix)))


def test_equilibrium_zeroes_both_rates():
    model = random_systems(1000, seed=2)
    star = equilibrium(model)
    rates = (model.matrix @ star[..., None])[..., 0] + model.forcing
    assert np.allclose(rates, 0.0, atol=1e-9)
    assert np.isnan(equilibrium(Richardson.of(1, 1, 1, 1, 1, 1))).all()  # mn = ab: singular


def test_closed_form_solution_matches_numerical_integration():
    model = random_systems(20, seed=3)
    start = np.random.default_rng(4).uniform(0, 5, (20, 2))
    times = np.linspace(0, 3, 7)
    closed = solve(model, start, times)
    for k in range(20):
        K, f = model.matrix[k], model.forcing[k]
        numeric = solve_ivp(
            lambda _, z, K=K, f=f: K @ z + f, (0, 3), start[k], t_eval=times, rtol=1e-10, atol=1e-10
        )
        assert np.allclose(closed[k], numeric.y.T, rtol=1e-6, atol=1e-6)
    # The difference form converges to the same path as its step shrinks.
    path = simulate_discrete(model, start, steps=3000, dt=0.001)
    assert np.allclose(path[:, -1], closed[:, -1], rtol=1e-2, atol=1e-2)


def test_classification_follows_richardson_and_the_simulated_path():
    assert classify(Richardson.of(0.2, 0.9, 1, 0.2, 0.9, 1)) == STABLE_EQUILIBRIUM
    assert classify(Richardson.of(0.9, 0.2, 1, 0.9, 0.2, 1)) == RUNAWAY_RACE
    # Negative grievances in a stable system: the equilibrium lies below zero.
    assert classify(Richardson.of(0.2, 0.9, -1, 0.2, 0.9, -1)) == DISARMAMENT
    # Unstable with negative grievances: which side of the equilibrium one starts decides.
    unstable = Richardson.of(0.9, 0.2, -1, 0.9, 0.2, -1)
    assert classify(unstable, [0.5, 0.5]) == DISARMAMENT
    assert classify(unstable, [2.0, 2.0]) == RUNAWAY_RACE
    assert classify(unstable, equilibrium(unstable)) == BALANCED  # at rest, unstably
    # A stable system whose equilibrium has one state below zero: that one disarms.
    assert classify(Richardson.of(0.1, 1, 2, 0.1, 1, -1)) == ONE_SIDED
    assert classify(Richardson.of(1, 1, 0, 1, 1, 0), [2.0, 1.0]) == NO_EQUILIBRIUM
    # On random unstable systems, a runaway race is one whose total arms keep growing once the
    # stable mode has died out; disarmament, one whose arms keep falling.
    model = random_systems(2000, seed=5)
    start = np.random.default_rng(6).uniform(0, 3, (2000, 2))
    labels = classify(model, start)
    late = solve(model, start, [50.0, 60.0]).sum(axis=-1)
    growing = late[:, 1] > late[:, 0]
    unstable = ~is_stable(model)
    assert np.all(growing[unstable] == (labels[unstable] == RUNAWAY_RACE))
    assert set(labels[unstable]) == {RUNAWAY_RACE, DISARMAMENT}


def test_least_squares_recovers_known_reactions():
    truth = Richardson.of(0.3, 0.5, 2.0, 0.4, 0.2, 1.0)
    path = simulate_discrete(truth, [5.0, 3.0], steps=12)
    fit = fit_reactions(path[:, 0], path[:, 1])
    for name in ("a", "m", "g", "b", "n", "h"):
        assert getattr(fit.model, name) == pytest.approx(float(getattr(truth, name)), abs=1e-8)
    assert fit.r2_x == pytest.approx(1.0) and fit.n == 12
    with pytest.raises(ValueError, match="usable"):
        fit_reactions([1.0, 2.0, np.nan, 4.0], [1.0, 2.0, 3.0, 4.0])


def test_nmc_loader_minds_missing_values_and_the_1914_unit_change():
    nmc = load_nmc()
    assert not (nmc[["milex", "milper", "cinc"]] == -9).any().any()
    assert nmc["milex"].isna().sum() == 2217  # the rows coded -9
    with pytest.raises(InputError, match="pounds before 1914"):
        milex(nmc, ["UKG"], range(1912, 1916))
    usd = milex(nmc, ["UKG"], range(1913, 1915), currency="USD")
    assert usd.loc[1913, "UKG"] == pytest.approx(67734 * USD_PER_GBP_PARITY)
    assert usd.loc[1914, "UKG"] == 1678843
    with pytest.raises(InputError, match="unknown COW state"):
        milex(nmc, ["XYZ"], range(1900, 1905))
    blocs = bloc_milex(nmc, [["FRN", "RUS"], ["GMY", 300]], range(1909, 1914))
    assert list(blocs.columns) == ["FRN+RUS", "GMY+AUH"]
    assert blocs.loc[1913, "FRN+RUS"] == 66706 + 85391


def test_pre_1914_blocs_reproduce_richardsons_unstable_race_from_the_command_line():
    args = ["richardson", "--nmc", "--bloc", "FRN,RUS", "--bloc", "GMY,AUH"]
    result = runner.invoke(app, [*args, "--years", "1909-1913", "--json"])
    assert result.exit_code == 0, result.output
    fit = json.loads(result.stdout)
    assert fit["slope"] > 0  # an unstable race, as Richardson found
    assert abs(fit["zero_point"] - 194) / 194 < 0.10  # Richardson's £194 million
    assert fit["currency"] == "GBP" and fit["n"] == 4 and fit["r2"] > 0.9
    assert set(fit["pairwise"]) >= {"a", "m", "g", "b", "n", "h", "stable"}
    text = runner.invoke(app, [*args, "--years", "1909-1913"])
    assert text.exit_code == 0 and "zero point" in text.stdout


def test_every_grh_race_is_fitted_or_reported_as_short_of_data():
    fits = fit_grh_races(load_nmc(), load_grh())
    assert len(fits) == 71 and fits["race_id"].is_unique
    fitted = fits["status"] == FITTED
    short = fits["status"].str.startswith(TOO_LITTLE_DATA)
    assert (fitted | short).all() and short.any() and fitted.sum() > 50
    assert fits.loc[fitted, ["a", "m", "b", "n"]].notna().all().all()
    # One race refitted independently: France and Germany, 1910-1918, in dollars at parity.
    race = fits.set_index("race_id").loc[5]
    pair = milex(load_nmc(), ["FRN", "GMY"], range(1910, 1919), currency="USD") / 1000.0
    x, y = pair["FRN"].to_numpy(), pair["GMY"].to_numpy()
    design = np.column_stack([y[:-1], x[:-1], np.ones(8)])
    (a, minus_m, g), *_ = np.linalg.lstsq(design, np.diff(x), rcond=None)
    assert (race["a"], race["m"], race["g"]) == pytest.approx((a, -minus_m, g))
    assert race["window"] == "1910-1918" and race["currency"] == "USD"
    share = unstable_share(fits)
    signed = unstable_share(fits, richardson_signs_only=True)
    assert 0 < share < 1 and 0 < signed <= 1
    result = runner.invoke(app, ["richardson", "--grh", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["races"] == 71 and report["fitted"] == int(fitted.sum())
    assert report["unstable_share"] == pytest.approx(share)
    assert report["unstable_share_richardson_signs"] == pytest.approx(signed)
    assert len(report["too_little_data"]) == int(short.sum())


def test_additive_form_on_synthetic_series():
    s = 100.0 * 1.1 ** np.arange(6) - 50.0  # Δs = 0.1 (s + 50): slope 0.1, zero point -50
    fit = fit_additive(s / 2, s / 2, at="start")
    assert fit.slope == pytest.approx(0.1) and fit.zero_point == pytest.approx(-50.0)
    frame = pd.DataFrame({"x": s / 2, "y": s / 2})
    assert fit_additive(frame.x, frame.y, at="mid").slope > 0
