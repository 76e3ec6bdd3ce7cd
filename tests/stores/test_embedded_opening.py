"""What opening the embedded store costs a question asked as one command (issue 22 item 3): LadybugDB imported
without ``asyncio`` (its ``AsyncConnection`` still works), a page cache sized by the file for one question, and
the index of names asked about only when a name is looked up. Real LadybugDB, real processes; no clocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from stores import open_store
from stores.embedded import BUFFER_POOL_MB, LADYBUG_OWN_POOL, SMALL_STORE_BYTES, _reading_pool
from tests.conftest import REPO

ASYNC_QUESTION = """
import json, sys
import stores.embedded
imported_by_the_store = "asyncio" in sys.modules
import ladybug
db = ladybug.Database(sys.argv[1])

async def ask():
    connection = ladybug.AsyncConnection(db)
    answer = await connection.execute("RETURN 41 + 1 AS n")
    return answer.get_all()

import asyncio
print(json.dumps({"imported_by_the_store": imported_by_the_store, "rows": asyncio.run(ask())}))
"""


def test_ladybug_comes_without_asyncio_and_its_async_connection_still_answers(tmp_path):
    done = subprocess.run([sys.executable, "-c", ASYNC_QUESTION, str(tmp_path / "a.lbug")], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported_by_the_store": False, "rows": [[42]]}


def test_a_process_that_has_asyncio_imports_ladybug_as_it_is():
    code = ("import asyncio, sys; import stores.embedded, ladybug.async_connection as ac; "
            "print(ac.asyncio is sys.modules['asyncio'] is asyncio)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_a_name_of_asyncio_read_while_the_stand_in_is_in_place_is_the_real_one():
    """``from asyncio import …`` during LadybugDB's import (a later LadybugDB may do it) gets the real name; it
    recursed without end while the stand-in was what ``sys.modules`` held."""
    code = ("import sys; from stores.embedded import _AsyncioOnUse; "
            "sys.modules['asyncio'] = _AsyncioOnUse('asyncio'); from asyncio import CancelledError; "
            "import asyncio.exceptions as e; print(CancelledError is e.CancelledError)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr[-300:]


def _sparse(path, size: int):
    """A file of ``size`` bytes that takes no disk (only its size is read)."""
    with open(path, "wb") as file:
        file.truncate(size)
    return path


def test_the_page_cache_for_reading_follows_the_file(tmp_path):
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    small = _sparse(tmp_path / "small.lbug", SMALL_STORE_BYTES)
    large = _sparse(tmp_path / "large.lbug", SMALL_STORE_BYTES + 1)
    huge = _sparse(tmp_path / "huge.lbug", int(LADYBUG_OWN_POOL * memory / 2))
    for one_question in (False, True):
        assert _reading_pool(small, one_question) == BUFFER_POOL_MB * 2**20
        assert _reading_pool(huge, one_question) == 0  # LadybugDB's own (for one question: twice the file reaches it)
    assert _reading_pool(large, one_question=True) == 2 * (SMALL_STORE_BYTES + 1) + BUFFER_POOL_MB * 2**20
    assert _reading_pool(large) == 0  # many questions, an export: LadybugDB's own


@pytest.fixture(scope="module")
def jia_file(tmp_path_factory, jia):
    path = tmp_path_factory.mktemp("opening") / "jia.lbug"
    with open_store(str(path), create=True) as store:
        store.write(jia.graph)
    return path


def test_a_reader_asks_the_index_of_names_only_for_a_name(jia_file):
    with open_store(str(jia_file), read_only=True) as store:
        by_id = store.run_named("shortest_paths", {"from": "610828103224", "to": "jia:cattle_farm"})
        counted = store.run_named("kind_counts")
        assert store._name_index is None  # not asked: no name was looked up
        by_name = store.run_named("shortest_paths", {"from": "核桃树墕村", "to": "联村合作社养牛场"})
        assert store._name_index is True
    assert by_id == by_name and by_id
    assert {row["kind"]: row["count"] for row in counted}["Village"] == 334
