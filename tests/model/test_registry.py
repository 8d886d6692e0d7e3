"""docs/model.md lists the registered lenses and policies as the registries hold them."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "docs" / "update_tables.py"
_spec = importlib.util.spec_from_file_location("update_tables", SCRIPT)
update_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_tables)


@pytest.mark.parametrize("begin, end, render", update_tables.REGISTRY_TABLES)
def test_docs_list_each_registry_as_it_is(begin, end, render):
    text = update_tables.MODEL_MD.read_text(encoding="utf-8")
    assert begin in text and end in text, f"docs/model.md lacks the table {begin}"
    assert update_tables.generated(text, begin, end) == render(), (
        "a registry table in docs/model.md is out of date: run python docs/update_tables.py"
    )


def test_a_policy_registered_later_makes_the_docs_out_of_date(tmp_path):
    from secdilemma.model.registry import POLICY_REGISTRY, register_policy

    doc = tmp_path / "model.md"
    doc.write_text(update_tables.MODEL_MD.read_text(encoding="utf-8"), encoding="utf-8")
    register_policy("probe", "a policy the docs do not list")
    try:
        assert update_tables.main(["--check"], path=doc) == 1
    finally:
        POLICY_REGISTRY.unregister("probe")
    assert update_tables.main(["--check"], path=doc) == 0
