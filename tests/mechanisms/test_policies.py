"""Decision policies come from one registry: the schema, the engine and the docs read it, and
a policy added through it runs end to end without touching the package's modules."""

import numpy as np
import pytest

from secdilemma import load_scenario, run_ensemble
from secdilemma.errors import InputError
from secdilemma.mechanisms.decision.policies import option
from secdilemma.model.registry import LENS_REGISTRY, POLICY_REGISTRY, register_policy
from secdilemma.model.scenario import LENSES


@pytest.fixture
def always_arm():
    """A user's policy: arm every step, whatever happens."""

    def rule(w, b, space, p):
        return np.full(w.shape, option(space, "build_arms"))

    entry = register_policy("always_arm", "arm every step", rule)
    yield entry
    POLICY_REGISTRY.unregister("always_arm")


def test_a_policy_added_through_the_registry_runs_end_to_end(always_arm):
    spec = load_scenario(
        "two-security-seekers", ["replicates=30", "steps=20", "states.A.policy=always_arm"]
    )
    ens = run_ensemble(spec, trajectories=False)
    build_arms = spec.action_catalog().index("build_arms")
    acts = ens.outcomes.actions  # (T, R, N)
    assert (acts[:, :, 0] == build_arms).all()  # A follows its rule in every replicate and step
    assert (acts[:, :, 1] != build_arms).any()  # B still decides by expected utility
    assert always_arm.code == len(POLICY_REGISTRY.names()) - 1


def test_an_unknown_policy_or_lens_is_named_with_the_known_ones():
    with pytest.raises(InputError, match=r"states\[0\]\.policy.*always_arm.*richardson"):
        load_scenario("two-security-seekers", ["states.A.policy=always_arm"])
    with pytest.raises(InputError, match=r"states\[1\]\.lens.*marxist.*interpretive"):
        load_scenario("two-security-seekers", ["states.B.lens=marxist"])


def test_the_built_in_policies_keep_their_codes_and_each_has_a_rule_but_the_model():
    assert POLICY_REGISTRY.names()[:5] == (
        "expected_utility",
        "richardson",
        "reciprocity",
        "offensive_realist",
        "scripted",
    )
    rules = {entry.name: entry.rule() for entry in POLICY_REGISTRY.entries()}
    assert rules["expected_utility"] is None
    assert all(callable(rules[name]) for name in POLICY_REGISTRY.names()[1:5])
    assert LENSES == LENS_REGISTRY.names() == ("structural", "bayesian", "interpretive")


def test_a_registry_refuses_duplicates_and_removes_only_its_last_entry(always_arm):
    with pytest.raises(ValueError, match="already registered"):
        register_policy("always_arm", "again")
    with pytest.raises(ValueError, match="only the last"):
        POLICY_REGISTRY.unregister("richardson")
    with pytest.raises(ValueError, match="identifier"):
        register_policy("always arm", "a name with a space")


def test_the_schema_knows_the_built_in_policies_without_importing_the_engine():
    # A fresh interpreter that loads only the scenario schema accepts every built-in policy
    # name: the names live in the model layer's registry, the rules are imported on use.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from secdilemma.model.scenario import load_scenario\n"
        "spec = load_scenario('two-security-seekers', ['states.A.policy=richardson'])\n"
        "assert spec.states[0].policy == 'richardson'\n"
        "assert 'secdilemma.mechanisms.decision.policies' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
