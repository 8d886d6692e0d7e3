"""An EMA Workbench adapter (Kwakkel 2017): a sweep spec as an ``ema_workbench.Model``.

One EMA experiment is one point of the sweep: a whole vectorised ensemble of the spec's
replicates, reduced to the spec's outcome scalars by :func:`secdilemma.experiments.spec.
evaluate_point`. Every experiment uses the spec's seed (common random numbers), so an
experiment's outcomes equal ``evaluate_point`` at the same parameter values, under any EMA
evaluator.

EMA names must be Python identifiers, and dotted paths are not: ``world.offense_defense_balance``
becomes ``world__offense_defense_balance`` (see :func:`ema_names`); the model keeps the mapping
(EMA name -> path) as its constant ``secdilemma_paths``, and :func:`parameter_values` turns a row
of EMA's experiments table back into paths. The EMA Workbench is an optional extra
(``pip install 'secdilemma[ema]'``), imported only here.
"""

from __future__ import annotations

import keyword
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from secdilemma.errors import InputError
from secdilemma.experiments.extras import require
from secdilemma.experiments.spec import SweepSpec, evaluate_point, load_spec

SPEC_CONSTANT = "secdilemma_spec"
PATHS_CONSTANT = "secdilemma_paths"
FIXED_CONSTANT = "secdilemma_fixed"


def _workbench():
    with warnings.catch_warnings():
        # The workbench warns on import about optional evaluators (ipyparallel) unused here.
        warnings.simplefilter("ignore")
        return require("ema_workbench", "ema", "ema", "the EMA adapter")


def ema_name(path: str) -> str:
    """An identifier for a dotted path: ``.`` becomes ``__``, other non-word characters ``_``."""
    name = re.sub(r"\W", "_", path.replace(".", "__"))
    if not name.isidentifier() or keyword.iskeyword(name):
        name = f"p_{name}"
    return name


def ema_names(spec: SweepSpec) -> dict[str, str]:
    """EMA name -> dotted path for each of the spec's parameters (one-to-one, else an error)."""
    mapping: dict[str, str] = {}
    for path in spec.parameters:
        name = ema_name(path)
        if name in mapping or name in (SPEC_CONSTANT, PATHS_CONSTANT, FIXED_CONSTANT):
            raise InputError(
                "ema",
                f"parameters.{path}",
                path,
                f"maps to the EMA name {name!r}, which is already taken"
                + (f" by {mapping[name]!r}" if name in mapping else ""),
            )
        mapping[name] = path
    return mapping


def run_point(
    secdilemma_spec: dict[str, Any],
    secdilemma_paths: dict[str, str],
    secdilemma_fixed: dict[str, Any],
    **parameters: Any,
) -> dict[str, float]:
    """The EMA model function: one ensemble at the sampled parameters, its outcome scalars.

    A module-level function, so that EMA's MultiprocessingEvaluator can pickle the model. EMA
    passes uncertainties, levers and the model's constants as keyword arguments; the spec
    travels as a plain dict constant.
    """
    spec = SweepSpec.model_validate(secdilemma_spec)
    # The spec's parameter order, so that the overrides match evaluate_point's exactly.
    values = {
        path: (_plain(parameters[name]) if name in parameters else secdilemma_fixed[path])
        for name, path in secdilemma_paths.items()
    }
    result, _ = evaluate_point(spec, values)
    return result


def _plain(value: Any) -> Any:
    # EMA hands sampled floats over as numpy scalars; a plain value writes the same override.
    return value.item() if hasattr(value, "item") else value


def make_ema_model(
    spec_or_path: SweepSpec | str | Path,
    name: str = "secdilemma",
    levers: Iterable[str] = (),
):
    """An ``ema_workbench.Model`` for a sweep spec (or the path of one).

    Ranged parameters become ``RealParameter``\\ s, parameters with ``values``
    ``CategoricalParameter``\\ s (one value: fixed, not sampled). Paths listed in ``levers``
    are declared as levers instead of uncertainties. Each of the spec's outcomes becomes a
    ``ScalarOutcome``.
    """
    ema = _workbench()
    if isinstance(spec_or_path, SweepSpec):
        spec, source = spec_or_path, "sweep spec"
    else:
        spec, source = load_spec(spec_or_path)
    if not name.isalnum():
        raise InputError(source, "name", name, "an EMA model name must be alphanumeric")
    lever_paths = list(levers)
    unknown = [p for p in lever_paths if p not in spec.parameters]
    if unknown:
        raise InputError(
            source,
            "levers",
            unknown,
            f"not parameters of the spec; use some of {list(spec.parameters)}",
        )
    mapping = ema_names(spec)
    uncertainties, lever_list, fixed = [], [], {}
    for ename, path in mapping.items():
        rng = spec.parameters[path]
        if rng.is_grid and len(rng.values) == 1:
            fixed[path] = rng.values[0]
            continue
        if rng.is_grid:
            parameter = ema.CategoricalParameter(ename, list(rng.values))
        else:
            parameter = ema.RealParameter(ename, float(rng.low), float(rng.high))
        (lever_list if path in lever_paths else uncertainties).append(parameter)
    model = ema.Model(name, function=run_point)
    model.uncertainties = uncertainties
    model.levers = lever_list
    model.outcomes = [ema.ScalarOutcome(o) for o in spec.outcomes]
    model.constants = [
        ema.Constant(SPEC_CONSTANT, spec.model_dump(mode="json")),
        ema.Constant(PATHS_CONSTANT, dict(mapping)),
        ema.Constant(FIXED_CONSTANT, fixed),
    ]
    return model


def parameter_values(model, row: dict[str, Any]) -> dict[str, Any]:
    """Dotted path -> value for one row of EMA's experiments table (for ``evaluate_point``)."""
    constants = {c.name: c.value for c in model.constants}
    paths: dict[str, str] = constants[PATHS_CONSTANT]
    fixed: dict[str, Any] = constants[FIXED_CONSTANT]
    return {
        path: (_plain(row[name]) if name in row else fixed[path]) for name, path in paths.items()
    }
