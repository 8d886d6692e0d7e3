"""The evidence layer: the Correlates of War record as tidy tables, the regularities the
literature reports computed from them, and the model judged against them (docs/evidence.md).

The engine never reads these data; this layer reads the engine's results and the record side
by side.
"""
