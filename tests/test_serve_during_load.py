"""``linkgraph serve`` answers from the last committed store while loads run beside it, also killed ones.

Real processes only: ``linkgraph serve --port 0`` (uvicorn on 127.0.0.1, a free port), and beside it one
writer after the other into the store it serves, switching it between two states (the county's roster alone,
written anew by ``linkgraph roster --replace``, then the example's case file and planners' tables added by
``linkgraph load``), most killed with SIGKILL at a point drawn from a seeded generator. Client threads meanwhile ask for the map, a node's page and a saved query; every
answer must be a 200 showing one of the two states whole.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.serve_load import serving
from tests.conftest import EXAMPLE, REPO

PLANNER = EXAMPLE / "planner"
STATES = {  # the two states the loads switch the store between
    "roster": ["roster", "--county", "610828", "--replace"],
    "full": ["load", str(EXAMPLE / "case.yaml"), str(PLANNER / "刘国具镇填报.xlsx"), str(PLANNER / "结对帮扶.csv"),
             "--decisions", str(PLANNER / "decisions.csv")],
}
NODE = "610828105236"  # a village, in both states
ROUTES = ("/map", f"/nodes/{NODE}", "/queries/kind_counts?format=csv")
LOADS = 6  # all but every third killed
REQUESTS = 300
CLIENTS = 2


def linkgraph(*args: str, store: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "linkgraph", *args, "--store", str(store)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def loaded(state: str, store: Path) -> None:
    process = linkgraph(*STATES[state], store=store)
    assert process.wait(300) == 0, process.stderr.read()


def fetch(connection: http.client.HTTPConnection, route: str) -> tuple[int, str]:
    connection.request("GET", route)
    answer = connection.getresponse()
    return answer.status, answer.read().decode("utf-8")


def map_size(page: str) -> tuple[int, int]:
    """Nodes and ties of the graph a map page carries."""
    data = json.loads(re.search(r'id="linkgraph-data">(.*?)</script>', page, re.S).group(1))
    return len(data["nodes"]["id"]), len(data["edges"]["from"])


def node_name(page: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip()


def digest(route: str, page: str):
    """What must be the same in every answer of one state: the map's size, the node's name, the query's CSV."""
    if route == "/map":
        return map_size(page)
    if route.startswith("/nodes/"):
        return node_name(page)
    return page


@dataclass
class Seen:
    answers: list[tuple[str, int, str | None]] = field(default_factory=list)  # route, status, digest or error
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, route: str, status: int, found) -> None:
        with self.lock:
            self.answers.append((route, status, found))

    def __len__(self) -> int:
        return len(self.answers)


def ask(url: str, seen: Seen, done: threading.Event, seed: int) -> None:
    """Requests, in a shuffled order, until the loads are done and ``REQUESTS`` answers are in."""
    port = int(url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    order = random.Random(seed)
    try:
        while not (done.is_set() and len(seen) >= REQUESTS):
            route = order.choice(ROUTES)
            try:
                status, page = fetch(connection, route)
                seen.add(route, status, digest(route, page) if status == 200 else page[:300])
            except (OSError, http.client.HTTPException, AttributeError, ValueError) as err:
                seen.add(route, 0, repr(err))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    finally:
        connection.close()


def load_beside(store: Path, seed: int, killed: list[float]) -> None:
    """``LOADS`` loads switching the store between the two states; all but every third killed at a random point
    of its run (the first load, never killed, says how long a load takes on this machine: a fixed delay killed
    none on a quick one). Should every load still finish first, more are killed sooner and sooner, so that at
    least one is killed: how fast the machine is decides where, not whether."""
    chance = random.Random(seed)
    span = 0.0
    for turn in range(LOADS + 12):
        if turn >= LOADS and killed:
            break
        state = list(STATES)[turn % 2]
        began = time.monotonic()
        process = linkgraph(*STATES[state], store=store)
        if turn % 3 or turn >= LOADS:
            delay = chance.uniform(0.1, 0.9) * span / 2 ** max(0, turn - LOADS)
            time.sleep(delay)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed.append(delay)
        process.wait(300)
        if turn == 0:
            span = time.monotonic() - began
    tidy = linkgraph(*STATES[list(STATES)[turn % 2]], store=store)  # a last load, not killed, removes leftovers
    assert tidy.wait(300) == 0, tidy.stderr.read()


def answers(url: str) -> dict[str, object]:
    """The digest of each route's answer now (all must be 200)."""
    connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=120)
    found = {}
    for route in ROUTES:
        status, page = fetch(connection, route)
        assert status == 200, page[:300]
        found[route] = digest(route, page)
    connection.close()
    return found


def test_serve_answers_every_request_from_a_whole_state_while_loads_run_and_are_killed(tmp_path):
    store = tmp_path / "store" / "g.lbug"
    store.parent.mkdir()
    loaded("full", store)
    with serving(store, tmp_path) as server:
        full = answers(server.url)
        loaded("roster", store)
        roster = answers(server.url)
        assert full["/map"] != roster["/map"] and roster[f"/nodes/{NODE}"] == full[f"/nodes/{NODE}"]
        seen, done, killed = Seen(), threading.Event(), []
        clients = [threading.Thread(target=ask, args=(server.url, seen, done, n), daemon=True) for n in range(CLIENTS)]
        started = time.monotonic()
        for client in clients:
            client.start()
        load_beside(store, seed=3, killed=killed)
        during = len(seen)
        done.set()
        for client in clients:
            client.join(600)
        seconds = time.monotonic() - started
        trace = server.traces()
    wrong = [(route, status, found) for route, status, found in seen.answers
             if status != 200 or found not in (full[route], roster[route])]
    report = (f"{len(seen)} requests ({during} while {LOADS} loads ran, {len(killed)} of them killed at "
              f"{', '.join(f'{d:.2f}' for d in killed)} s) in {seconds:.1f} s; {len(wrong)} not 200 or not a whole "
              "state")
    artifact = REPO / "output" / "test-artifacts" / "serve_during_load.txt"
    artifact.parent.mkdir(parents=True, exist_ok=True)
    artifact.write_text(report + "\n", encoding="utf-8")
    assert not wrong, f"{report}: {wrong[:5]}"
    assert during >= CLIENTS and killed, report
    assert not trace, trace[:10]
    # the last load tidied up (the audit log of the loads stays beside the store)
    assert sorted(p.name for p in store.parent.iterdir()) == ["g.lbug", "g.lbug.audit.jsonl", "g.lbug.lock"]
