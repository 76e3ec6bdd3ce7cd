"""What a killed writer leaves beside an embedded store, and who finishes or removes it.

The leftovers are made for real: a LadybugDB writer process killed with SIGKILL in the middle of a checkpoint
(its ``.shadow`` and ``.wal.checkpoint`` files are there), and a WAL whose last commit was cut off.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import stores.embedded as embedded
from stores import open_store
from stores.connection import StoreSpecError
from tests.conftest import EXAMPLE, REPO

WRITER = """
import sys, ladybug
database = ladybug.Database(sys.argv[1])
connection = ladybug.Connection(database)
print("open", flush=True)
first = 0
while True:  # new industries, then a checkpoint, for ever
    connection.execute("UNWIND range($a, $b) AS i CREATE (:Industry {id: 'x' + string(i), name: 'x', source: 's'})",
                       {"a": first, "b": first + 20000})
    first += 20001
    connection.execute("CHECKPOINT")
"""


@pytest.fixture
def jia_store(tmp_path, jia, schema) -> Path:
    path = tmp_path / "g.lbug"
    with open_store(path, schema, create=True) as store:
        store.write(jia.graph)
    return path


def killed_in_a_checkpoint(path: Path) -> None:
    """Kill a writer of ``path`` the moment its checkpoint has begun (its ``.shadow`` file is there)."""
    for _ in range(20):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "open"
        deadline = time.monotonic() + 60
        while not Path(f"{path}.shadow").exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        if Path(f"{path}.shadow").exists():
            return
    pytest.fail("no kill landed in a checkpoint in 20 tries")


def refused_read_only(path: Path) -> str:
    """What LadybugDB itself says when ``path`` is opened read-only (in a process of its own)."""
    opened = subprocess.run([sys.executable, "-c", f"import ladybug; ladybug.Database({str(path)!r}, read_only=True)"],
                            capture_output=True, text=True, timeout=120)
    assert opened.returncode != 0
    return opened.stderr.strip().splitlines()[-1]


def kind_counts(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkgraph", "query", "kind_counts", "--store", str(path),
                           "--format", "json"], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_a_reader_finishes_a_checkpoint_a_kill_cut_off(jia_store):
    killed_in_a_checkpoint(jia_store)
    assert "checkpoint recovery is pending" in refused_read_only(jia_store)
    answer = kind_counts(jia_store)
    assert answer.returncode == 0, answer.stderr
    assert '"Village",\n    "count": 334' in answer.stdout
    assert not embedded._side_files(jia_store)
    with open_store(jia_store, read_only=True) as store:
        assert store.counts()["Industry"] > 6  # the killed writer's commits before its checkpoint are kept


CUT_WRITER = """
import os, sys, ladybug
connection = ladybug.Connection(ladybug.Database(sys.argv[1]))
for name in ("kept", "cut"):  # two commits in place, as an ad hoc write makes them
    connection.execute(f"CREATE (:Industry {{id: 'industry:{name}', name: '{name}', source: 's'}})")
os._exit(0)  # dies without closing: the WAL stays
"""


def test_a_wal_whose_last_commit_was_cut_off_is_replayed_up_to_it(jia_store):
    subprocess.run([sys.executable, "-c", CUT_WRITER, str(jia_store)], check=True, timeout=120)
    wal = Path(f"{jia_store}.wal")
    os.truncate(wal, wal.stat().st_size - 20)  # the last commit's record cut short, as a kill leaves it
    assert "WAL file is corrupted" in refused_read_only(jia_store)
    answer = kind_counts(jia_store)
    assert answer.returncode == 0, answer.stderr
    assert not embedded._side_files(jia_store)
    with open_store(jia_store, read_only=True) as store:
        ids = set(store.export().nodes)
    assert "industry:kept" in ids and "industry:cut" not in ids


def test_a_reader_waits_while_a_writer_holds_the_lock_then_finishes_the_checkpoint(jia_store):
    killed_in_a_checkpoint(jia_store)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom pathlib import Path\nfrom stores.embedded import WriterLock\n"
        f"lock = WriterLock(Path({str(jia_store)!r}))\nlock.acquire()\nprint('holding', flush=True)\n"
        "sys.stdin.readline()\nlock.release()\nprint('released', flush=True)")],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    reader = subprocess.Popen([sys.executable, "-m", "linkgraph", "query", "kind_counts", "--store", str(jia_store)],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert reader.poll() is None  # waiting for the writer, not failed
    assert embedded._side_files(jia_store)  # and it did not recover the store under the writer's feet
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    holder.wait(60)
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    assert "Village" in out and not embedded._side_files(jia_store)


def test_the_next_writer_finishes_a_checkpoint_a_kill_cut_off(jia_store, jia, schema):
    killed_in_a_checkpoint(jia_store)
    with open_store(jia_store, schema) as store:
        assert store.write(jia.graph).plan.rows == 0
        assert store.counts()["Village"] == 334
    assert not embedded._side_files(jia_store)


def special_file(kind: str, path: Path) -> Path:
    """``/dev/null``, or a folder, a FIFO or a Unix socket made at ``path``."""
    if kind == "device":
        return Path(os.devnull)
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        with socket.socket(socket.AF_UNIX) as bound:
            bound.bind(str(path))  # the socket file stays
    return path


@pytest.mark.parametrize("kind", ["device", "folder", "fifo", "socket"])
def test_a_store_path_that_is_no_regular_file_is_refused_at_once(tmp_path, kind):
    path = special_file(kind, tmp_path / "store")
    words = {"device": "是设备 / not a store file: /dev/null is a device", "folder": "是目录", "fifo": "是命名管道",
             "socket": "是套接字"}[kind]
    for read_only, create in ((True, False), (False, True)):
        with pytest.raises(StoreSpecError, match=f"^不是数据库文件: {path} {words}"):
            open_store(path, read_only=read_only, create=create)
    for command in (["query", "kind_counts"], ["load", str(EXAMPLE / "case.yaml")]):
        run = subprocess.run([sys.executable, "-m", "linkgraph", *command, "--store", str(path)], cwd=REPO,
                             capture_output=True, text=True, timeout=120)  # a FIFO must not hang
        assert run.returncode == 2 and run.stderr.count("\n") == 1 and f"not a store file: {path}" in run.stderr
    assert not Path(f"{path}.lock").exists()


def test_the_next_writer_removes_only_what_killed_writers_of_its_store_left(jia_store, schema):
    folder = jia_store.parent
    ours = [folder / "g.lbug.building-123", folder / "g.lbug.building-123.wal", folder / "g.lbug.building-77.shadow",
            folder / "g.lbug.building-123.parquet" / "Village--0.parquet", folder / "linkgraph-ab_3x9qz" / "T-0.parquet"]
    theirs = [folder / "g.lbug.building-notes.txt", folder / "other.lbug.building-5", folder / "g.lbug.bak",
              folder / "linkgraph-notes" / "a.parquet", folder / "linkgraph-ab_3x9qy" / "read me.txt"]
    for path in ours + theirs:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x")
    with open_store(jia_store, schema, read_only=True):
        pass  # a reader removes nothing
    assert all(path.exists() for path in ours + theirs)
    with open_store(jia_store, schema):
        pass
    assert not any(path.exists() for path in ours) and not (folder / "g.lbug.building-123.parquet").exists()
    assert all(path.exists() for path in theirs)
    assert not (folder / "linkgraph-ab_3x9qz").exists()
