"""The formal core of the security dilemma: classic models as pure, vectorised functions.

* :mod:`~secdilemma.formal.richardson`: Richardson's arms-race equations, their solution,
  stability and least-squares fits to expenditure series (Richardson 1960).
* :mod:`~secdilemma.formal.jervis`: the 2x2 security game from its primitives or from the
  offense-defense balance and distinguishability; classification; the four worlds (Jervis 1978).
* :mod:`~secdilemma.formal.games`: equilibria of many 2x2 games at once.
* :mod:`~secdilemma.formal.iterated`: the iterated security game as a vectorised tournament.
* :mod:`~secdilemma.formal.kydd`: trust, reassurance and costly signals (Kydd 1997, 2000, 2005).
* :mod:`~secdilemma.formal.fearon`: the bargaining range and the commitment problem (Fearon 1995).

docs/formal.md states each model with its equations, assumptions and sources.
"""
