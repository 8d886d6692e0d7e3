"""The engine: the step pipeline over a vectorised world, the recorder and the summary."""

from secdilemma.engine.pipeline import Ensemble, block_size, run_ensemble, simulate

__all__ = ["Ensemble", "block_size", "run_ensemble", "simulate"]
