"""The step pipeline has no Python loop over replicates, states or pairs.

Every ``for`` loop (and comprehension) in the modules a step runs through is listed here with
what it iterates over; a new loop fails this test until someone checks that it does not grow
with the world and adds it.
"""

import ast
from pathlib import Path

import secdilemma

ROOT = Path(secdilemma.__file__).parent
# Every module a step runs through: all the mechanisms, the recorder and its units, and the
# summation order the kernels follow. A new module in these folders is checked without being
# listed.
STEP_MODULES = sorted(
    path.relative_to(ROOT).as_posix()
    for pattern in ("mechanisms/**/*.py", "engine/records/*.py", "engine/recorder.py")
    for path in ROOT.glob(pattern)
) + ["numerics/sums.py"]
ALLOWED = {
    # the registered policies, the scheduled events, the requirements (once, at import)
    "mechanisms/decision/choice.py": {
        "POLICY_REGISTRY.entries()",
        "scheduled",
        "enumerate(REQUIREMENTS)",
    },
    # the catalogue's precondition signatures, the preconditions of one
    "mechanisms/decision/options.py": {
        "self_signatures",
        "aimed_signatures",
        "needs",
        "enumerate(kinds)",
    },
    # the recorder's units (a fixed few), the names of recorded variables, war causes, tallies
    "engine/recorder.py": {"self.units"},
    "engine/records/trajectories.py": {
        "enumerate((w.offense",
        "enumerate(\n            (\n                w.threat",
    },
    "engine/records/wars.py": {"self.by_cause.items()", "CAUSES", "enumerate(self.facts)"},
    "engine/records/tallies.py": {"names", "self.counts"},
    # the catalogue's aimed acts: each adds only the terms it has, over all replicates and
    # pairs at once (its cost grows with the catalogue, not with the world)
    # (the option arrays and the parts handed to the kernel are a fixed few)
    "mechanisms/decision/aimed.py": {
        "range(Ka)",
        "(t.offense, t.defense, t.forces)",
        "(base, gain, needed)",
        "parts",
    },
    # the fields of the parts' named tuples
    "mechanisms/decision/pair_parts.py": {"ActorParts._fields", "PairParts._fields"},
    # module-level constants: relation kinds, lens names; the four capabilities
    "mechanisms/apply.py": {"enumerate(RELATIONS)", "_REL.items()", "range(k)"},
    "mechanisms/perception/lenses.py": {
        '("structural", "bayesian"',
        "_REAL_FIELDS",
        "_FLAG_FIELDS",
    },
}


def _loops(path: Path):
    """What each Python loop iterates over; loops inside ``*_kernel`` functions are compiled by
    Numba (secdilemma.numerics.fast) and are not Python loops."""
    tree = ast.parse(path.read_text())
    source = path.read_text()
    kernels = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_kernel")
    ]
    compiled = {id(inner) for kernel in kernels for inner in ast.walk(kernel)}
    for node in ast.walk(tree):
        if id(node) in compiled:
            continue
        if isinstance(node, ast.For):
            yield ast.get_source_segment(source, node.iter)
        elif isinstance(node, ast.comprehension):
            yield ast.get_source_segment(source, node.iter)


def test_no_loop_over_replicates_states_or_pairs_in_a_step():
    unexpected = []
    for module in STEP_MODULES:
        allowed = ALLOWED.get(module, set())
        for iterated in _loops(ROOT / module):
            if not any(iterated.startswith(prefix) for prefix in allowed):
                unexpected.append(f"{module}: for ... in {iterated}")
    assert unexpected == []
