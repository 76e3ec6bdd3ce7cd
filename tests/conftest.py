"""Shared fixtures: the schema, the Jia County example, and a store of each kind.

The ``store`` fixture runs a test once on the embedded store and once on the
local Neo4j test server (``LINKGRAPH_TEST_NEO4J_URI``, started by
``scripts/test``). Never point it at a database you care about: it deletes
everything in it. Without a server the Neo4j cases skip, except under
``CI=true``, where a skipped Neo4j or browser test fails the run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from pathlib import Path

import pytest

from graph_model.records import GraphData
from graph_model.schema import default_schema
from loaders import load_sources

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jia_county"
IN_CI = os.environ.get("CI", "").lower() == "true"
GUARDED_MARKERS = ("neo4j", "browser")
CHROMIUM = os.environ.get("LINKGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def unavailable(reason: str) -> None:
    """Skip for a missing service, or fail under CI, where every test must run."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def schema():
    return default_schema()


@pytest.fixture(scope="session")
def jia():
    """The Jia County example as loaded from its sources (roster and case file)."""
    return load_sources([EXAMPLE / "case.yaml"])


@contextlib.contextmanager
def quick_password_hashes():
    """Password hashes made within it are argon2id at its lowest cost (one pass over 8 KiB, not three over 64 MiB).

    For the accounts of tests that sign in dozens of times to check what a role, a session or a form reaches: a
    login checks the password against the stored hash at the cost written in that hash (nearly a second of wall
    time per login on a busy machine), so accounts made within it sign in quickly everywhere after. The hash, the
    check, the throttle and the sessions are the product's own; only the cost of these accounts differs. Tests of
    the hashing itself and of the throttle make their accounts at the real cost.
    """
    from argon2 import PasswordHasher, profiles

    from linkgraph import accounts

    cheapest = dataclasses.replace(profiles.RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=8, parallelism=1)
    accounts.dummy_hash.cache_clear()  # the unknown names' hash is made at this cost here, and at the real one after
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_HASHER", PasswordHasher.from_parameters(cheapest))
        yield
    accounts.dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, via Playwright), started once for every browser test of the run: each test
    opens its own context or page in it, which shares no cookies, storage or cache with another's."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def neo4j_uri():
    uri = os.environ.get("LINKGRAPH_TEST_NEO4J_URI")
    if not uri or not os.environ.get("NEO4J_PASSWORD"):
        unavailable("no test Neo4j: set LINKGRAPH_TEST_NEO4J_URI and NEO4J_PASSWORD (scripts/test does)")
    return uri


def _open(kind: str, tmp_path: Path, schema, request):
    from stores import open_store
    from stores.base import StoreError

    if kind == "embedded":
        return open_store(str(tmp_path / "graph.lbug"), schema, create=True)
    uri = request.getfixturevalue("neo4j_uri")
    try:
        store = open_store(uri, schema)
    except StoreError as err:
        unavailable(str(err))
    store.write(GraphData(), replace=True)
    return store


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path, schema):
    """An empty store; the test runs on each backend."""
    with _open(request.param, tmp_path, schema, request) as opened:
        yield opened


@pytest.fixture(scope="module")
def _jia_stores():
    """kind → [the module's store holding the example, its counts once written]."""
    opened: dict[str, list] = {}
    yield opened
    for store, _ in opened.values():
        store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def jia_read_store(request, _jia_stores, tmp_path_factory, schema, jia):
    """The Jia County example on each backend, for a test that only reads it: written once per module (writing it
    for each test was most of such tests' time), and on Neo4j again whenever its counts are no longer the
    example's (another test, or any other writer, used the one test database since)."""
    if request.param not in _jia_stores:
        _jia_stores[request.param] = [_open(request.param, tmp_path_factory.mktemp("jia"), schema, request), None]
    opened, counts = _jia_stores[request.param]
    if counts is None or (request.param == "neo4j" and opened.counts() != counts):
        if counts is not None:
            opened.write(GraphData(), replace=True)
        opened.write(jia.graph)
        _jia_stores[request.param][1] = opened.counts()
    return opened


@pytest.fixture(scope="session")
def private_neo4j(tmp_path_factory, jia, schema):
    """A second Neo4j server, seeded with the example by neo4j-admin import before its first start
    (tests/private_neo4j.py), for the tests of scripts/neo4j and of the import; stopped at the end of the run."""
    from tests.private_neo4j import run_script, start_private_server

    server = start_private_server(tmp_path_factory.mktemp("private-neo4j"), jia, schema)
    try:
        yield server
    finally:
        run_script(server.env, "stop")


@pytest.fixture
def neo4j_store(request, tmp_path, schema):
    with _open("neo4j", tmp_path, schema, request) as opened:
        yield opened


@pytest.fixture
def embedded_store(request, tmp_path, schema):
    with _open("embedded", tmp_path, schema, request) as opened:
        yield opened


_guarded_skips: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and any(m in report.keywords for m in GUARDED_MARKERS):
        _guarded_skips.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _guarded_skips:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if IN_CI and _guarded_skips:
        terminalreporter.write_line(
            f"CI=true: {len(_guarded_skips)} Neo4j/browser test(s) were skipped, which fails the run: "
            + ", ".join(_guarded_skips[:5]),
            red=True,
        )
