"""Fixtures of the extraction tests: the Jia County roster, the example article and the test texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_model.schema import default_schema
from loaders.roster import load_roster

REPO = Path(__file__).resolve().parents[3]
ROSTER = REPO / "examples" / "jia_county" / "nbs_roster_610828.csv"
ARTICLE = REPO / "examples" / "jia_county" / "article_2024-01-18.txt"
TEXTS = REPO / "tests" / "data" / "extract"


@pytest.fixture(scope="session")
def roster_units():
    return list(load_roster(ROSTER, default_schema()).nodes.values())


@pytest.fixture
def tie_model(monkeypatch):
    """Set the trained tie model for one test (a path, or ``none`` for the rules alone), reopened after it."""
    from loaders.extract import learned

    def use(model) -> None:
        monkeypatch.setenv(learned.TIES_MODEL_ENV, str(model))
        learned.ties_tagger.cache_clear()
    yield use
    monkeypatch.undo()
    learned.ties_tagger.cache_clear()


@pytest.fixture
def rules_alone(tie_model):
    """Draft with the rules alone, as before the trained tie model (the strata ``same``/``earlier``)."""
    tie_model("none")
