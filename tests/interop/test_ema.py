"""The EMA Workbench adapter: experiments under both evaluators equal evaluate_point."""

from __future__ import annotations

import pickle
import sys
import warnings

import numpy as np
import pytest

from secdilemma.errors import InputError
from secdilemma.experiments.spec import SweepSpec, evaluate_point

pytest.importorskip("ema_workbench")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # optional front ends (ipyparallel) are not installed
    from ema_workbench import (
        CategoricalParameter,
        MultiprocessingEvaluator,
        RealParameter,
        SequentialEvaluator,
        perform_experiments,
    )

from secdilemma.interop.ema import ema_name, ema_names, make_ema_model, parameter_values  # noqa: E402

OUTCOMES = ["p_war", "p_spiral", "escalation_score_mean"]


def tiny_spec() -> SweepSpec:
    return SweepSpec(
        scenario="two-security-seekers",
        replicates=20,
        steps=15,
        seed=3,
        design="lhs",
        points=4,
        parameters={
            "world.offense_defense_balance": {"low": 0.5, "high": 3.0},
            "states.A.greed": {"low": 0.0, "high": 0.3},
            "states.A.lens": {"values": ["structural", "interpretive"]},
        },
        outcomes=OUTCOMES,
    )


def test_the_model_declares_the_spec():
    model = make_ema_model(tiny_spec(), levers=["states.A.greed"])
    uncertainties = {u.name: u for u in model.uncertainties}
    assert set(uncertainties) == {"world__offense_defense_balance", "states__A__lens"}
    assert isinstance(uncertainties["world__offense_defense_balance"], RealParameter)
    assert uncertainties["world__offense_defense_balance"].upper_bound == 3.0
    assert isinstance(uncertainties["states__A__lens"], CategoricalParameter)
    assert [lever.name for lever in model.levers] == ["states__A__greed"]
    assert [o.name for o in model.outcomes] == OUTCOMES
    assert ema_names(tiny_spec())["states__A__greed"] == "states.A.greed"
    # EMA's MultiprocessingEvaluator ships the model to its workers.
    clone = pickle.loads(pickle.dumps(model))
    assert clone.function is model.function


def test_names_are_identifiers():
    assert ema_name("world.offense_defense_balance") == "world__offense_defense_balance"
    assert ema_name("states.US-1.greed") == "states__US_1__greed"
    assert ema_name("0.x").isidentifier()


def test_bad_levers_and_clashing_names_are_refused():
    with pytest.raises(InputError, match="levers"):
        make_ema_model(tiny_spec(), levers=["world.nope"])
    spec = tiny_spec().model_copy(
        update={
            "parameters": {
                **tiny_spec().parameters,
                "states.A-1.greed": tiny_spec().parameters["states.A.greed"],
                "states.A_1.greed": tiny_spec().parameters["states.A.greed"],
            }
        }
    )
    with pytest.raises(InputError, match="already taken"):
        ema_names(spec)


@pytest.mark.parametrize("evaluator", [SequentialEvaluator, MultiprocessingEvaluator])
def test_experiments_equal_evaluate_point(evaluator):
    spec = tiny_spec()
    model = make_ema_model(spec)
    kwargs = {"n_processes": 2} if evaluator is MultiprocessingEvaluator else {}
    with evaluator(model, **kwargs) as ev:
        experiments, outcomes = perform_experiments(model, scenarios=4, evaluator=ev)
    assert len(experiments) == 4
    assert set(outcomes) == set(OUTCOMES)
    assert all(outcomes[o].shape == (4,) for o in OUTCOMES)
    # The experiments differ, so equality below is not one value matched four times.
    assert np.unique(outcomes["escalation_score_mean"]).size > 1
    for i, row in experiments.iterrows():
        values = parameter_values(model, row.to_dict())
        assert list(values) == list(spec.parameters)
        expected, _ = evaluate_point(spec, values)
        # Same seed, same parameters: the same ensemble, bit for bit.
        assert {o: outcomes[o][i] for o in OUTCOMES} == expected


def test_a_missing_extra_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import raises ImportError
    with pytest.raises(InputError, match=r"secdilemma\[ema\]"):
        make_ema_model(tiny_spec())
