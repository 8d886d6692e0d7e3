"""The recorder's units: each keeps one group of outcomes over a run and hands its arrays to
:class:`~secdilemma.engine.outcomes.Outcomes` at the end.

Every unit has ``record(step)``, called once a step with what the step produced
(:class:`~secdilemma.engine.records.step.Step`), and ``finish(w, security)``, which returns its
outcome fields by name.
"""
