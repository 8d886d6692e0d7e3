"""The catalogue holds every act the two essays name, with valid fields."""

import pytest

from secdilemma.errors import ScenarioError
from secdilemma.model.actions import RIVERA_SCORES, load_catalog, parse_catalog

REQUIRED = """wait build_arms build_offensive_forces build_defensive_forces alert_forces
forward_deploy military_exercise build_second_strike build_counterforce build_missile_defense
strategic_asw develop_nuclear_latency nuclear_disarmament form_alliance enlarge_alliance
declare_future_membership organize_coalition_against renew_alignment leave_alliance
supply_offensive_weapons supply_defensive_weapons impose_sanctions lift_sanctions trade_agreement
deepen_energy_dependence cyberattack assassination support_proxy attack_shipping
election_interference threaten_regime_change public_criticism reassurance_statement explain_policy
bogus_justification establish_hotline arms_control_agreement violate_agreement
withdraw_from_agreement create_monitoring_institution high_level_visit accommodate
unilateral_restraint change_status_quo invest_higher_education cultural_diplomacy
youth_fitness_programme esports_recruitment norms_advocacy military_intervention blockade
targeted_strike seize_territory invade nuclear_strike""".split()


def test_every_named_act_is_present():
    cat = load_catalog()
    missing = [a for a in REQUIRED if a not in cat]
    assert missing == []


def test_fields_are_sane():
    cat = load_catalog()
    assert set(cat.escalation) <= set(RIVERA_SCORES)
    assert ((cat.visibility >= 0) & (cat.visibility <= 1)).all()
    assert cat.covert[cat.index("cyberattack")] and not cat.covert[cat.index("build_arms")]
    assert cat.costly_signal[cat.index("unilateral_restraint")]
    assert cat.starts_war[cat.index("invade")] and cat.targeted[cat.index("invade")]
    assert cat.escalation[cat.index("nuclear_strike")] == 60


def test_bad_catalogue_entries_are_named():
    with pytest.raises(ScenarioError) as info:
        parse_catalog(
            [
                {"id": "wait", "domain": "diplomatic", "escalation": 0},
                {"id": "x", "domain": "magic", "escalation": 5},
            ],
            "mine.yaml",
        )
    fields = {p.field for p in info.value.problems}
    assert {"[1].domain", "[1].escalation"} <= fields
