"""Shared fixtures and the Hypothesis profile of the test suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import siei_xl as siei

# Enough examples to find the usual counter-examples, few enough to keep the whole suite
# within seconds; panels are built through pandas, so no per-example deadline.
settings.register_profile(
    "siei",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# On demand: pytest tests/test_properties.py --hypothesis-profile thorough
settings.register_profile("thorough", parent=settings.get_profile("siei"), max_examples=2000)
settings.load_profile("siei")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def example() -> siei.Panel:
    """The built-in illustrative panel (8 economies, 1995-2024, 2 indicators)."""
    return siei.example_panel()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write text to a CSV file in ``tmp_path`` and return its path."""

    def write(text: str, name: str = "data.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def example_csv(tmp_path: Path) -> Path:
    """The example panel written as a wide CSV file."""
    path = tmp_path / "example.csv"
    siei.example_frame().to_csv(path, index=False)
    return path
