"""Crashes and concurrent use never cost data: kills at random points, two writers, readers during a load.

Each run of ``linkgraph load`` here is a real process, killed with SIGKILL at
a delay drawn from a seeded generator; the store is then loaded again, and
every node and tie with every property must equal a clean load. The default
run kills a few loads per store; ``pytest -m slow`` kills many more. On the
embedded store, after every kill and before the rerun, a reader (``linkgraph
query`` and a read-only open from Python) must open the store and find it as it
was before the killed command or as that command leaves it, nothing between;
after the rerun nothing may be left beside the store but it and its lock.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from graph_model.schema import default_schema
from stores import open_store
from tests.conftest import EXAMPLE, REPO

PLANNER = EXAMPLE / "planner"
SOURCES = [str(EXAMPLE / "case.yaml"), str(PLANNER / "刘国具镇填报.xlsx"), str(PLANNER / "结对帮扶.csv")]
DECISIONS = ["--decisions", str(PLANNER / "decisions.csv")]
KILLS = {"default": 4, "slow": 30}
KILLED_AT: list[float] = []
EMBEDDED_COMMANDS = {
    # name: (the command's arguments, the state of the store it starts from)
    "load": (["load", *SOURCES, *DECISIONS], "case"),  # adds the planners' tables to a store
    "load --replace": (["load", *SOURCES, *DECISIONS, "--replace"], "roster"),  # writes a new file
    "roster": (["roster", "--county", "610828"], "empty"),  # a fresh store, through COPY
}
"""The commands killed on the embedded store, in turn."""


def linkgraph(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "linkgraph", *args], cwd=REPO, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def load(store: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkgraph", "load", *SOURCES, *DECISIONS, "--store", store, *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def snapshot(store: str) -> tuple[dict, dict]:
    """Every node's and tie's properties, load times left out (they differ between runs)."""
    def plain(props):
        return {**props, "provenance": [{**s, "loaded": None} for s in props.get("provenance", [])]}

    with open_store(store, read_only=True) as opened:
        graph = opened.export()
    return ({k: plain(n.props) for k, n in graph.nodes.items()}, {k: plain(t.props) for k, t in graph.ties.items()})


def kill_and_rerun(store: str, seed: int, kills: int, reset) -> None:
    reset()
    assert load(store).returncode == 0
    clean = snapshot(store)
    chance = random.Random(seed)
    for _ in range(kills):
        reset()
        process = linkgraph("load", *SOURCES, *DECISIONS, "--store", store)
        delay = chance.uniform(0.3, 3.0)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            KILLED_AT.append(delay)
        process.wait()
        rerun = load(store)
        assert rerun.returncode == 0, rerun.stderr
        assert snapshot(store) == clean, f"after a kill at {delay:.2f} s"
    log_kills("neo4j" if "://" in store else "embedded",
              f"{kills} loads started, {len(KILLED_AT)} killed mid-load (at {', '.join(f'{d:.2f}' for d in KILLED_AT)}"
              " s), the others had finished; every rerun equal to a clean load")


def log_kills(backend: str, text: str) -> None:
    """One line per backend in output/test-artifacts/kills.txt: what the last kill test did."""
    log = REPO / "output" / "test-artifacts" / "kills.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    lines = [line for line in (log.read_text(encoding="utf-8").splitlines() if log.exists() else [])
             if not line.startswith(f"{backend}:")]
    lines.append(f"{backend}: {text}")
    log.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    KILLED_AT.clear()


KILL_COUNTS = pytest.mark.parametrize("kills", [KILLS["default"], pytest.param(KILLS["slow"], marks=pytest.mark.slow)])
"""A few kills in the default run, many with ``pytest -m slow``."""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkgraph", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def embedded_states(folder) -> dict[str, str]:
    """Store files to start the killed commands from: empty (tables only), the example's case file, the roster."""
    from graph_model.records import GraphData

    states = {name: str(folder / f"{name}.lbug") for name in ("empty", "case", "roster")}
    with open_store(states["empty"], create=True) as store:
        store.write(GraphData())
    assert run("load", str(EXAMPLE / "case.yaml"), "--store", states["case"]).returncode == 0
    assert run("roster", "--county", "610828", "--store", states["roster"]).returncode == 0
    return states


def put(state: str, store) -> None:
    """The store folder holding nothing but a copy of the store file ``state``."""
    shutil.rmtree(store.parent, ignore_errors=True)
    store.parent.mkdir()
    shutil.copyfile(state, store)


def readable_after_a_kill(store) -> tuple[dict, dict]:
    """The store as a new ``linkgraph query`` process and a read-only open from Python find it (both must)."""
    import json

    query = run("query", "kind_counts", "--store", str(store), "--format", "json")
    assert query.returncode == 0, query.stderr
    found = snapshot(str(store))  # a read-only open from Python
    with open_store(str(store), read_only=True) as opened:
        stored = opened.counts()
    labels = default_schema().node_labels
    assert {row["kind"]: row["count"] for row in json.loads(query.stdout)} == {
        kind: n for kind, n in stored.items() if kind in labels and n}
    return found


def kill_one(name: str, start: str, store, delay: float, before: tuple, after: tuple) -> tuple[bool, list[str]]:
    """Run ``name`` on a copy of ``start``, SIGKILL it after ``delay`` s (unless it ended), check that readers
    find the store before or after it, run it again; whether it was killed and what it had left beside the store."""
    args = EMBEDDED_COMMANDS[name][0]
    put(start, store)
    process = linkgraph(*args, "--store", str(store))
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
        KILLED_AT.append(delay)
    process.wait()
    left = [p.name for p in store.parent.iterdir()  # (a command that ended before its kill has written the audit log)
            if p.name not in ("g.lbug", "g.lbug.lock", "g.lbug.audit.jsonl")]
    assert all(n.startswith("g.lbug.building-") for n in left), left  # the store file itself was never half written
    found = readable_after_a_kill(store)
    assert found in (before, after), f"{name} killed at {delay:.2f} s: neither before nor after"
    rerun = run(*args, "--store", str(store))
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(str(store)) == after, f"{name} killed at {delay:.2f} s"
    tidy = sorted(p.name for p in store.parent.iterdir() if p.name != "g.lbug.audit.jsonl")  # (the loads' audit log stays)
    assert tidy == ["g.lbug", "g.lbug.lock"]
    return killed, left


@KILL_COUNTS
def test_kills_during_embedded_loads_leave_a_store_readers_open(tmp_path, kills):
    states = embedded_states(tmp_path / "states")
    store = tmp_path / "kill" / "g.lbug"
    before, after, lasts = {}, {}, {}
    for name, (args, start) in EMBEDDED_COMMANDS.items():  # what each command starts from, and makes (unkilled)
        put(states[start], store)
        before[name] = snapshot(str(store))
        started = time.monotonic()
        done = run(*args, "--store", str(store))
        lasts[name] = time.monotonic() - started  # only to spread the kills over the command's run
        assert done.returncode == 0, done.stderr
        after[name] = snapshot(str(store))
        assert after[name] != before[name]
    chance = random.Random(1)
    left, killed, started = [], Counter(), 0
    while sum(killed.values()) < kills:  # commands that end before their kill do not count
        assert started < 3 * kills, f"only {sum(killed.values())} of {started} commands were killed mid-run"
        name = list(EMBEDDED_COMMANDS)[started % len(EMBEDDED_COMMANDS)]
        was_killed, leftovers = kill_one(name, states[EMBEDDED_COMMANDS[name][1]], store,
                                         chance.uniform(0.3, 0.9) * lasts[name], before[name], after[name])
        killed[name] += was_killed
        if not was_killed:  # it ran quicker than its first run (caches warm, a quieter machine): kill sooner
            lasts[name] /= 2
        left.extend(leftovers)
        started += 1
    log_kills("embedded", f"{started} commands started ({', '.join(EMBEDDED_COMMANDS)} in turn), "
              f"{len(KILLED_AT)} killed mid-run (at {', '.join(f'{d:.2f}' for d in KILLED_AT)} s; "
              f"{', '.join(f'{n}: {c}' for n, c in killed.items())}), the others had finished; after each, "
              f"linkgraph query and a read-only open found the store as before or after the command; "
              f"{len(left)} leftovers of killed writers ({', '.join(sorted(set(left))) or 'none'}) removed by the "
              "rerun; every rerun equal to a clean run")


@pytest.mark.neo4j
@KILL_COUNTS
def test_kills_during_neo4j_loads_never_cost_data(neo4j_store, neo4j_uri, kills):
    from graph_model.records import GraphData

    kill_and_rerun(neo4j_uri, seed=2, kills=kills, reset=lambda: neo4j_store.write(GraphData(), replace=True))


def test_a_second_writer_waits_and_readers_see_the_store_as_it_was(tmp_path):
    store = str(tmp_path / "g.lbug")
    assert load(store).returncode == 0
    before = snapshot(store)
    # the holder keeps the store until told to let go (not for a time: a busy machine may take seconds to start
    # the next process)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom stores import open_store\n"
        f"store = open_store({store!r})\nprint('holding', flush=True)\nsys.stdin.readline()\nstore.close()")],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    impatient = subprocess.run([sys.executable, "-m", "linkgraph", "load", *SOURCES, *DECISIONS, "--store", store],
                               cwd=REPO, capture_output=True, text=True, env={**os.environ, "LINKGRAPH_LOCK_TIMEOUT": "0.5"})
    assert impatient.returncode == 1
    assert f"is being written by process {holder.pid}" in impatient.stderr and "LINKGRAPH_LOCK_TIMEOUT" in impatient.stderr
    assert "Traceback" not in impatient.stderr
    reader = subprocess.run([sys.executable, "-m", "linkgraph", "query", "kind_counts", "--store", store, "--format", "json"],
                            cwd=REPO, capture_output=True, text=True)
    assert reader.returncode == 0 and '"Village"' in reader.stdout
    patient = linkgraph("load", *SOURCES, *DECISIONS, "--store", store)  # waits for the holder, then loads
    holder.communicate("let go\n", timeout=120)
    _, patient_err = patient.communicate(timeout=300)
    assert patient.returncode == 0, patient_err
    assert snapshot(store) == before


def test_a_killed_writer_frees_the_store(tmp_path):
    store = str(tmp_path / "g.lbug")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import time\nfrom stores import open_store\n"
        f"store = open_store({store!r}, create=True)\nprint('holding', flush=True)\ntime.sleep(60)")],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert load(store).returncode == 0
