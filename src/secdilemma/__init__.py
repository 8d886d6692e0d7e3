"""secdilemma: simulate and analyse the security dilemma, in its structural and interpretive
readings, over vectorised ensembles of worlds.

The public API::

    from secdilemma import load_scenario, run_ensemble, summarize, compare

    ens = run_ensemble(load_scenario("two-security-seekers", ["replicates=200"]))
    summarize(ens)["p_spiral"]
    compare("nato-russia", ["replicates=100"]).summaries["interpretive"]["p_war"]

Each layer is a folder (docs/architecture.md): ``model`` (scenarios, the catalogue, the world),
``mechanisms``, ``engine``, ``experiments``, ``analysis``, ``report``, ``cli``, ``formal``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from secdilemma.errors import InputError, ScenarioError

if TYPE_CHECKING:
    from secdilemma.analysis.compare import Comparison, compare
    from secdilemma.engine import Ensemble, run_ensemble, simulate
    from secdilemma.engine.summary import summarize
    from secdilemma.model.actions import Catalog, load_catalog
    from secdilemma.model.scenario import Scenario, load_scenario

__version__ = "0.1.0"

# The API is imported on first use (PEP 562), so that ``import secdilemma.cli`` or
# ``secdilemma.model.scenario`` does not load the engine, pandas and SciPy for a command that
# only lists scenarios.
_LAZY = {
    "Comparison": "secdilemma.analysis.compare",
    "compare": "secdilemma.analysis.compare",
    "Ensemble": "secdilemma.engine",
    "run_ensemble": "secdilemma.engine",
    "simulate": "secdilemma.engine",
    "summarize": "secdilemma.engine.summary",
    "Catalog": "secdilemma.model.actions",
    "load_catalog": "secdilemma.model.actions",
    "Scenario": "secdilemma.model.scenario",
    "load_scenario": "secdilemma.model.scenario",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'secdilemma' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"__version__"})


__all__ = [
    "Catalog",
    "Comparison",
    "Ensemble",
    "InputError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_catalog",
    "load_scenario",
    "run_ensemble",
    "simulate",
    "summarize",
]
