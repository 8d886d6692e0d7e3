"""secdilemma: simulate and analyse the security dilemma, in its structural and interpretive
readings, over vectorised ensembles of worlds."""

from secdilemma.engine.pipeline import Ensemble, run_ensemble, simulate
from secdilemma.errors import InputError, ScenarioError
from secdilemma.model.actions import Catalog, load_catalog
from secdilemma.model.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "Ensemble",
    "InputError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_catalog",
    "load_scenario",
    "run_ensemble",
    "simulate",
]
