"""Decide: each state picks one act (and a target) from the catalogue."""

from secdilemma.decision.choice import Choice, decide
from secdilemma.decision.options import OptionSpace

__all__ = ["Choice", "OptionSpace", "decide"]
