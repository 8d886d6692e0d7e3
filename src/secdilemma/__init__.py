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

from secdilemma.analysis.compare import Comparison, compare
from secdilemma.engine import Ensemble, run_ensemble, simulate
from secdilemma.engine.summary import summarize
from secdilemma.errors import InputError, ScenarioError
from secdilemma.model.actions import Catalog, load_catalog
from secdilemma.model.scenario import Scenario, load_scenario

__version__ = "0.1.0"

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
