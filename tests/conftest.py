from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture
def scenario_dir() -> Path:
    return HERE / "scenarios"
