"""Decide: each state picks one act (and a target) from the catalogue."""

from secdilemma.mechanisms.decision.choice import Choice, decide
from secdilemma.mechanisms.decision.options import OptionSpace

__all__ = ["Choice", "OptionSpace", "decide"]
