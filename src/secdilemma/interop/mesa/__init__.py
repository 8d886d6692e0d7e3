"""The engine's model written in Mesa (3.3): one agent per state, per-agent Python.

This is the model of ``secdilemma.engine.simulate`` (docs/model.md) as a researcher would write
it with Mesa, the field's standard agent-based framework: a :class:`StateAgent` per state holding
its own variables as floats and its view of each other state (belief that it is greedy, threat,
grievance, trust, charity toward it, credibility, resolve) and its relations (allies,
agreements and their caps, hotlines, sanctions, monitoring, dependence) as dicts and sets keyed
by the other state's index; a :class:`SecurityDilemmaModel` that steps the agents' phases with
``AgentSet.do``/``shuffle_do`` and records with a ``mesa.DataCollector``. It serves as the
reference the vectorised engine is benchmarked against (``benchmarks/mesa.py``) and as the
``[mesa]`` facade::

    from secdilemma.interop.mesa import SecurityDilemmaModel, run_replicates

    model = SecurityDilemmaModel("two-security-seekers", replicate=0)
    while model.running:
        model.step()
    model.datacollector.get_model_vars_dataframe()  # war, spiral, mean_threat, arms per step
    model.outcomes()  # this replicate's outcomes, as secdilemma.engine.records defines them

    mesa.batch_run(SecurityDilemmaModel, {"scenario": "two-security-seekers",
                                          "replicate": range(10)}, max_steps=100)
    run_replicates("two-security-seekers", 100)  # per-replicate arrays, p_war, p_spiral

**The step** runs the engine's pipeline in its order: the balance is measured; every state
decides on the same world (simultaneous moves: nothing applies until all have chosen); the
acts apply (own changes and effects on targets at once, then relations: toggles where a
clearing act wins, bloc enlargement, breaches of caps, new caps); each state observes the
others' acts and reads them through its lens; agreements are verified; crises, incidents and
wars (of aggression, provoked, inadvertent, allies joining) are resolved and third parties
balance against aggressors; states learn; the economy grows; the step is recorded.

**What it covers**: every mechanism of the expected-utility pipeline, which is all that is
active in ``two-security-seekers`` and in ``secdilemma.model.synth`` worlds, with the full action
catalogue: the military balance, alliances and their committed defence, secure second strikes;
expected utility with vulnerability slopes, conquest (a prize concave in relative wealth), breach
costs, lens-aware empathy, prudence, hubris, nuclear and crisis terms, leverage and emboldening,
war utility with the preventive motive (foreseen growth and promised memberships), the war's
intensity, each state's private cost of war and the stakes a defeat gives up; requirement masks
and menus; softmax (sampled by inverting its CDF with one uniform, as ``random.choices`` does) or
argmax choice, and the tremble-and-temperature type likelihoods; apply with costs, target effects,
cut-offs, sanctions, dependence, prospects, blocs, caps and breaches; observation with
visibility, monitoring and noise; the structural, Bayesian and interpretive lenses (frames,
charity, grievance, cheap talk, bogus justifications, concessions, costly signals);
verification with national and institutional false alarms; incidents, alarms and inadvertent
escalation with hotlines; targets striking back at acts of force as their odds allow; wars with
stakes, wealth costs by intensity, trade cut by war, nuclear attacks and retaliation;
balancing against aggression; learning of grievance, trust, charity and resolve, revealed lies;
growth, sanctions' drag and depreciation; the spiral indicator, tragic spirals, war counts by
cause and the scenario's historical ``record`` facts. Parameter distributions, ``beliefs``,
``relations``, per-state ``actions``/``exclude_actions``, a scenario's extra ``catalog`` and its
``calibration`` (applied when the scenario is loaded) work as in the engine, because the world
starts from ``secdilemma.model.world.initial_world`` for the one replicate.

**What it does not cover**: scheduled ``events``, ``world_changes``, the baseline policies
(``richardson``, ``reciprocity``, ``offensive_realist``, ``scripted``) and joining wars for the
spoils (``join_stakes`` above 0 in a world of more than two states; :func:`within_scope` turns
it off, as the benchmark and the tests do for both models). A scenario with any of them raises
:class:`secdilemma.errors.InputError` naming the field. Of the engine's recorded
outcomes it keeps those listed under **Outcomes** below; it does not record the first war's
step, initiator and winner, initiator losses, aggressors, accidental wars, the attribution,
false-alarm and miss tallies, or trajectories of pair variables (its DataCollector records
``war`` and ``spiral`` this step, ``mean_threat`` and ``arms`` per step, and each state's
``offense``, ``defense`` and ``wealth``).

**Randomness**: replicate r of a scenario with seed s starts from the engine's own draws for
replicate r (the same drawn greed, charity, ..., and the private costs of war, drawn once per
replicate), and its dynamics draw from ``numpy.random.default_rng(SeedSequence(s,
spawn_key=(r,)))``, given to ``mesa.Model(rng=)`` (and Mesa's ``random``, which Mesa seeds from
it). These draws cannot be the engine's, so the two agree in distribution. Every one goes
through ``SecurityDilemmaModel.uniform`` or ``normal``, named by purpose and states, which lets
``tests/interop/test_mesa_model.py`` feed the model the engine's own streams: it then reproduces
the engine's runs act for act, wars and all, with states equal to rounding (the engine stores
utilities in single precision; this model computes in double).

**Outcomes** (``SecurityDilemmaModel.outcomes``, ``run_replicates``) follow
``secdilemma.engine.records``: ``war`` is any war or nuclear attack in the run (``p_war`` the share
of replicates with one, as ``secdilemma.engine.summary.summarize``); ``spiral`` is any pair meeting
the bias-corrected spiral condition at some step t >= 2 (``p_spiral``); ``tragic_spiral`` a spiral
between two security seekers that left neither safer; also ``n_wars`` and wars by cause,
``nuclear_use``, security, arms and wealth at the start and the end, final threat, belief and trust,
incidents, violations (detected, falsely reported), lies revealed, the mean escalation score, acts
taken and the ``record`` facts reproduced.

Importing Mesa (3.3) calls ``multiprocessing.set_start_method("spawn", force=True)`` (in
``mesa.batchrunner``); this package puts back the start method that was in force before, so
importing it does not change how a sweep's process pool starts its workers.
"""

import multiprocessing

_start_method = multiprocessing.get_start_method(allow_none=True)

from secdilemma.interop.mesa.acts import Act, acts_of  # noqa: E402
from secdilemma.interop.mesa.agent import Reading, StateAgent  # noqa: E402
from secdilemma.interop.mesa.model import (  # noqa: E402
    SecurityDilemmaModel,
    check_supported,
    within_scope,
)
from secdilemma.interop.mesa.runs import run_replicates  # noqa: E402

multiprocessing.set_start_method(_start_method, force=True)

__all__ = [
    "Act",
    "Reading",
    "SecurityDilemmaModel",
    "StateAgent",
    "acts_of",
    "check_supported",
    "run_replicates",
    "within_scope",
]
