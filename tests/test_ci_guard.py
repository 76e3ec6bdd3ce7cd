"""Under CI=true a skipped Neo4j or browser test fails the run; elsewhere it only skips."""

import pytest

from tests.conftest import REPO

pytest_plugins = ["pytester"]

INNER = """
import pytest

@pytest.mark.neo4j
def test_needs_a_server():
    pytest.skip("no server here")

def test_plain():
    pass
"""


@pytest.fixture
def inner(pytester, monkeypatch):
    pytester.makeconftest("from tests.conftest import pytest_runtest_logreport, pytest_sessionfinish, "
                          "pytest_terminal_summary\n")
    pytester.makeini("[pytest]\nmarkers =\n    neo4j: x\n    browser: x\n")
    pytester.makepyfile(test_inner=INNER)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return pytester


def test_skips_fail_the_run_in_ci(inner, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 1
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*CI=true: 1 Neo4j/browser test(s) were skipped, which fails the run*"])


def test_skips_only_skip_elsewhere(inner, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0
    result.assert_outcomes(passed=1, skipped=1)
