#!/usr/bin/env python3
"""``linkgraph serve`` under concurrent load on the loopback: every saved query, the map, the report and
node pages at once, with hostile requests mixed in; counts errors, throughput, latency and the server's memory.

The server is the real command (``python -m linkgraph serve --port 0``) in a subprocess, over an embedded
store: by default one built from the Jia County example in a temporary folder, or ``--store PATH``, e.g. 陕西省
(``python benchmarks/synth.py --province 61 --out shaanxi``, ``linkgraph roster --province 61 --store sx.lbug``,
``linkgraph load shaanxi/*.csv --store sx.lbug``). The requests are planned from the store itself
(:func:`plan_requests`): every query of ``queries/catalog.yaml`` with its example parameters (a parameter
that names a node the store does not have gets a node of the right kind from the store instead) as HTML,
CSV and Excel; the index, the query list, the map page (it carries its scripts and data inline, so it has no
assets to fetch), the report and each of its files, name searches and node pages; and :data:`HOSTILE`, paths
and parameters an attacker would try, each of which must get its 4xx.

One sequential warm-up round sends each planned request once (the server builds its map and report on
first use; that round is timed apart); then ``--clients`` threads, each with its own keep-alive connection
(``http.client``), share shuffled rounds of the plan, until ``--requests`` are sent or ``--seconds`` have
passed. An error is: a connection error or timeout, a status other than the one expected (200 for a valid
request, the listed 4xx for a hostile one), a body with a Python stack trace, a text answer that differs
from the first answer to the same request (a race), or a stack trace in the server's own log. The exit code
is 1 if there was any. ``--write BENCHMARKS.md`` replaces the ``## Serve under load`` section only.

Usage:
    python benchmarks/serve_load.py [--store PATH] [--clients 8] [--requests 2000] [--seconds 120]
                                    [--repeat 3] [--write BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import random
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import quote, urlencode, urlsplit

if TYPE_CHECKING:
    from graph_model.records import GraphData

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "examples" / "jia_county" / "case.yaml"
RESULTS = REPO / "benchmarks" / "results"
LINKGRAPH = [sys.executable, "-m", "linkgraph"]
SECTION = "## Serve under load"
END = "<!-- benchmarks/serve_load.py: end of section -->"
TRACE = ("Traceback", 'File "')  # what a Python stack trace leaves in a body or a log
FORMATS = ("html", "csv", "xlsx")
NODE_PAGES = 24  # node pages in the plan (a seeded sample of the store's nodes)
SEARCHES = 6  # name searches in the plan


@dataclass(frozen=True)
class Probe:
    """One planned request and the status it must get."""

    group: str  # route group the figures are given for
    target: str  # path and query, percent-encoded as sent
    expected: int = 200
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def hostile(self) -> bool:
        return self.group == "hostile"


def _hostile(target: str, expected: int, method: str = "GET", **headers: str) -> Probe:
    return Probe("hostile", target, expected, method, tuple(headers.items()))


HUGE = "x" * 60_000  # a parameter of 60 kB (the request line stays under what the HTTP parser accepts)
# Paths and parameters an attacker would try; each must get exactly this 4xx and no stack trace.
HOSTILE = [
    _hostile("/nodes/nope", 404),
    _hostile("/queries/nope", 404),
    _hostile("/queries/" + quote("../../etc/passwd", safe=""), 404),
    _hostile("/report/nope.csv", 404),
    _hostile("/report/..%2F..%2F..%2Fetc%2Fpasswd", 404),
    _hostile("/report/..%2f..%2fetc%2fpasswd", 404),
    _hostile("/report/%2e%2e/%2e%2e/etc/passwd", 404),
    _hostile("/nodes/..%2F..%2Fetc%2Fpasswd", 404),
    _hostile("/static/../../etc/passwd", 404),
    _hostile("/%00", 404),
    _hostile("/nodes/%ED%A0%80", 404),  # a lone surrogate, UTF-8 encoded
    _hostile("/nodes/%FF%FE", 404),  # not UTF-8
    _hostile("/nodes/" + "x" * 5000, 404),
    _hostile("/queries/ego_network?org=x&hops=9", 400),
    _hostile("/queries/ego_network?org=x&hops=abc", 400),
    _hostile("/queries/ego_network?org=x&hops=-1", 400),
    _hostile("/queries/ego_network?org=x&hops=99999999999999999999999999", 400),
    _hostile("/queries/ego_network?hops=1&org=%FF%FE", 400),
    _hostile("/queries/ego_network?hops=1&org=%00", 400),
    _hostile("/queries/ego_network?hops=1&org=" + HUGE, 400),
    _hostile("/queries/shortest_paths?from=%F0%9F%92%A9&to=%E2%80%AE%EF%BF%BF", 400),
    _hostile("/queries/network_as_of?date=notadate", 400),
    _hostile("/queries/network_as_of?date=2021-13-45", 400),
    _hostile("/queries/changes_between?since=2022&until=%27%20OR%201%3D1%20--", 400),
    _hostile("/queries/ties_started_in?year=1e308", 400),
    _hostile("/queries/joint_org_members?format=csv", 400),  # a required parameter missing
    _hostile("/queries/joint_org_members?format=csv&org=MATCH%20(n)%20DETACH%20DELETE%20n", 400),
    _hostile("/queries/kind_counts?format=pdf", 400),
    _hostile("/queries/kind_counts?format=..%2F..%2Fetc%2Fpasswd", 400),
    _hostile("/queries/kind_counts?nonsense=1", 400),
    _hostile("/queries/kind_counts?format=csv&nonsense=1", 400),
    _hostile("/", 405, "POST"),
    _hostile("/queries/kind_counts", 405, "DELETE"),
    _hostile("/map", 405, "PUT"),
    _hostile("/", 400, Host="attacker.example"),
    _hostile("/map", 400, Host="127.0.0.1.attacker.example"),
]


# ---------------------------------------------------------------- the plan

def _names_one(graph: GraphData, kind: str, value: Any) -> bool:
    """Whether ``value`` names exactly one node of ``kind`` (``any``: of any kind) in ``graph``, by id, name
    or alias (a name two nodes share is refused by the store as ambiguous)."""
    named = [node for node in graph.nodes.values()
             if kind in ("any", node.kind) and value in (node.id, node.name, *(node.props.get("aliases") or []))]
    return len(named) == 1


def query_parameters(graph: GraphData, rng: random.Random) -> dict[str, dict[str, Any]]:
    """Each saved query's example parameters; one that does not name exactly one node of ``graph`` gets the
    id of a node of that kind with ties instead, so that every request is valid for this store."""
    from queries.catalog import default_catalog

    tied = {end for tie in graph.ties.values() for end in (tie.source_id, tie.target_id)}
    by_kind: dict[str, list[str]] = {}
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        if node.id in tied:
            by_kind.setdefault(node.kind, []).append(node.id)
            by_kind.setdefault("any", []).append(node.id)
    chosen = {}
    for name, query in default_catalog().items():
        values = {}
        for param in query.params:
            value = param.example
            if param.refers_to and not _names_one(graph, param.refers_to, value) and by_kind.get(param.refers_to):
                value = rng.choice(by_kind[param.refers_to])
            if value is not None:
                values[param.name] = value
        chosen[name] = values
    return chosen


def plan_requests(graph: GraphData, seed: int = 1) -> list[Probe]:
    """The valid requests for the store whose graph is ``graph`` (each is expected to answer 200)."""
    rng = random.Random(seed)
    probes = [Probe("index", "/"), Probe("queries", "/queries"), Probe("map", "/map"),
              Probe("report", "/report/"), Probe("report", "/report", 307)]
    for name, values in query_parameters(graph, rng).items():
        for output in FORMATS:
            params = {**values, "run": 1} if output == "html" else {**values, "format": output}
            probes.append(Probe(f"query {output}", f"/queries/{name}?{urlencode(params)}"))
    ids = sorted(graph.nodes)
    for node_id in rng.sample(ids, min(NODE_PAGES, len(ids))):
        probes.append(Probe("node", "/nodes/" + quote(node_id, safe="")))
    for node_id in rng.sample(ids, min(SEARCHES, len(ids))):
        probes.append(Probe("search", "/nodes?" + urlencode({"q": graph.nodes[node_id].name[:2]})))
    return probes


def schedule(probes: list[Probe], total: int, seed: int = 1) -> list[Probe]:
    """``total`` requests: shuffled rounds of ``probes`` (each round sends every probe once)."""
    rng = random.Random(seed)
    out: list[Probe] = []
    while len(out) < total:
        batch = list(probes)
        rng.shuffle(batch)
        out.extend(batch)
    return out[:total]


# ---------------------------------------------------------------- the server

@dataclass
class Server:
    """A running ``linkgraph serve`` subprocess."""

    url: str
    process: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        return urlsplit(self.url).port

    def peak_rss_mb(self) -> float | None:
        """The process's peak resident memory so far (Linux ``VmHWM``), in MB."""
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None

    def traces(self) -> list[str]:
        """Lines of the server's log that belong to a stack trace."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if line.lstrip().startswith(TRACE)]


@contextlib.contextmanager
def serving(store: str | Path, work: Path, *, start_timeout: float = 300) -> Iterator[Server]:
    """``linkgraph serve --store STORE --port 0`` in a subprocess; yields it once its socket listens (it has read
    the store by then); stops it with SIGTERM (uvicorn shuts down as on Ctrl+C; SIGINT is ignored by commands
    a non-interactive shell starts in the background)."""
    log = work / "serve.log"
    with open(log, "wb") as errors:
        process = subprocess.Popen([*LINKGRAPH, "serve", "--store", str(store), "--port", "0",
                                    "--cache", str(work / "cache"), "--title", "serve_load"],
                                   stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8")
    try:
        url = _announced_url(process, log, start_timeout)
        yield Server(url.rstrip("/"), process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()


def _announced_url(process: subprocess.Popen, log: Path, timeout: float) -> str:
    """The ``http://127.0.0.1:PORT/`` the server prints once its socket listens."""
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.extend(re.findall(r"http://127\.0\.0\.1:\d+/",
                                                                      process.stdout.readline())), daemon=True)
    reader.start()
    reader.join(timeout)
    if not found:
        process.kill()
        raise RuntimeError(f"linkgraph serve did not start within {timeout:.0f} s: "
                           f"{log.read_text(encoding='utf-8', errors='replace')[-2000:]}")
    return found[0]


# ---------------------------------------------------------------- the load

@dataclass
class Outcome:
    probe: Probe
    status: int | None  # None: no answer (connection error or timeout)
    seconds: float
    error: str | None = None


@dataclass
class Run:
    """What one run of the load saw."""

    outcomes: list[Outcome]
    seconds: float
    planned: int
    answers: dict[Probe, str] = field(default_factory=dict)  # digest of the first text answer to each probe

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def throughput(self) -> float:
        return len(self.outcomes) / self.seconds if self.seconds else 0.0

    def groups(self) -> dict[str, list[float]]:
        """Latencies in seconds by route group."""
        found: dict[str, list[float]] = {}
        for outcome in self.outcomes:
            found.setdefault(outcome.probe.group, []).append(outcome.seconds)
        return found


def request(connection: http.client.HTTPConnection, probe: Probe) -> tuple[int, str, bytes]:
    """Send ``probe`` on ``connection``; ``(status, content type, body)``."""
    connection.request(probe.method, probe.target, headers=dict(probe.headers))
    answer = connection.getresponse()
    body = answer.read()
    if answer.will_close:
        connection.close()
    return answer.status, answer.getheader("Content-Type", ""), body


def judge(probe: Probe, status: int, content_type: str, body: bytes, first: dict[Probe, str],
          lock: threading.Lock) -> str | None:
    """Why this answer is wrong, or None."""
    if status != probe.expected:
        return f"status {status}, expected {probe.expected}"
    text = body.decode("utf-8", "replace")
    if any(mark in text for mark in TRACE):
        return "stack trace in the body"
    if status == 200 and not body:
        return "empty body"
    if status == 200 and content_type.startswith(("text/", "application/xml")):  # (a workbook holds its time)
        digest = hashlib.sha256(body).hexdigest()
        with lock:
            if first.setdefault(probe, digest) != digest:
                return "answer differs from the first answer to the same request"
    return None


def run_load(url: str, requests: list[Probe], *, clients: int, seconds: float, timeout: float = 60,
             answers: dict[Probe, str] | None = None) -> Run:
    """Send ``requests`` from ``clients`` threads (one keep-alive connection each) until all are sent or
    ``seconds`` have passed; every answer is judged (:func:`judge`)."""
    parts = urlsplit(url)
    answers = {} if answers is None else answers
    lock = threading.Lock()
    queue = iter(requests)
    outcomes: list[Outcome] = []
    start = time.perf_counter()
    deadline = start + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    probe = next(queue, None)
                if probe is None:
                    return
                began = time.perf_counter()
                try:
                    status, content_type, body = request(connection, probe)
                    error = judge(probe, status, content_type, body, answers, lock)
                except (OSError, http.client.HTTPException) as err:
                    status, error = None, f"{type(err).__name__}: {err}"
                    connection.close()
                with lock:
                    outcomes.append(Outcome(probe, status, time.perf_counter() - began, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + timeout + 5)
    return Run(outcomes, time.perf_counter() - start, len(requests), answers)


def report_probes(url: str, timeout: float) -> list[Probe]:
    """Requests for the files the report page lists (``The same folder holds a.csv, b.csv: …``); the first
    request for the report makes the server write it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        page = request(connection, Probe("report", "/report/"))[2].decode("utf-8")
    finally:
        connection.close()
    found = re.search(r"The same folder holds (.+?):", page)
    return [Probe("report", "/report/" + quote(name)) for name in (found.group(1).split(", ") if found else [])]


# ---------------------------------------------------------------- figures

def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list: the smallest value with ``share`` of the values at or below it."""
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def latency_rows(run: Run) -> list[list[str]]:
    """Per route group: requests, p50, p90, p99, max (milliseconds), and a total row."""
    def row(name: str, values: list[float]) -> list[str]:
        ordered = sorted(values)
        return [name, f"{len(ordered):,}", *(f"{percentile(ordered, s) * 1000:,.0f}" for s in (0.5, 0.9, 0.99)),
                f"{ordered[-1] * 1000:,.0f}"]
    groups = run.groups()
    return [row(name, groups[name]) for name in sorted(groups)] + [row("all", [o.seconds for o in run.outcomes])]


def describe_errors(run: Run, limit: int = 10) -> list[str]:
    counts = Counter((o.probe.method, o.probe.target[:120], o.status, o.error) for o in run.errors)
    return [f"{n} × {method} {target} -> {status}: {error}" for (method, target, status, error), n
            in counts.most_common(limit)]


def machine() -> str:
    cpus = os.cpu_count()
    return f"{cpus}-core {platform.machine()} Linux shared with other jobs, {platform.python_implementation()} " \
           f"{platform.python_version()}"


def section(runs: list[dict[str, Any]]) -> str:
    """The ``## Serve under load`` section of BENCHMARKS.md, one part per measured store."""
    header = ["route group", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    lines = [SECTION, "",
             "Written by `benchmarks/serve_load.py` (edit the script, not this section). `linkgraph serve` runs as "
             "its own process on 127.0.0.1; client threads on the same machine, each with a keep-alive connection, "
             "send shuffled rounds of every saved query with its example parameters (HTML, CSV and Excel), the "
             "index, the query list, the map page (data and scripts inline), the report and its files, name "
             "searches, node pages and the hostile requests (traversal, unknown names, wrong types, a 60 kB "
             "parameter, text that is not UTF-8, wrong methods, a foreign Host), after one sequential warm-up round "
             "(the server builds the map and the report on first use). An error is a connection error or timeout, "
             "an unexpected status (a valid request not 200, a hostile one not its 4xx), a stack trace in a body or "
             "in the server's log, or a text answer that differs from the first one to the same request. Saved "
             "queries run one at a time and each opens the store (most of a query's time on the example), so "
             "their latency is mostly their wait in that queue; what is built once per version of the store (the "
             "map, the report, node pages) answers in milliseconds meanwhile. The server's memory is mostly "
             "glibc's per-thread arenas of Starlette's thread pool: on the example, 1,000 requests from 8 clients "
             "peaked at 1.04 GB, and at 0.43 GB with `MALLOC_ARENA_MAX=2`.", ""]
    for run in runs:
        lines += [f"### {run['title']}", "",
                  f"{run['nodes']:,} nodes, {run['ties']:,} ties; {run['clients']} clients; {run['planned']:,} "
                  f"requests per run ({run['hostile']:,} hostile), {len(run['throughputs'])} runs; "
                  f"**{run['errors']} errors**; throughput {' / '.join(f'{t:,.0f}' for t in run['throughputs'])} "
                  f"requests/s (median {statistics.median(run['throughputs']):,.0f}); warm-up round "
                  f"{run['warm_up_s']:.1f} s for {run['warm_up_requests']} requests; server peak RSS "
                  f"{run['peak_rss_mb']:,.0f} MB. Latency of the run with the median throughput:", "",
                  "| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
        lines += ["| " + " | ".join(row) + " |" for row in run["latency"]]
        lines += ["", f"Measured {run['date']} on {run['machine']}:", "", "```sh", run["command"], "```", ""]
    return "\n".join(lines + [END, ""])


def write_section(path: Path, text: str) -> None:
    """Replace this script's section of ``path`` (from its heading to its end marker) or add it at the end."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    found = re.search(rf"^{re.escape(SECTION)}\n.*?{re.escape(END)}\n?", old, re.S | re.M)
    new = old[:found.start()] + text + old[found.end():] if found else old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def keep(result: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Save ``result`` as ``benchmarks/results/serve-load-KEY.json``; every saved result, the example's first
    (so that a run over one store rewrites the section without losing the other stores' figures)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"serve-load-{key}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    kept = sorted(RESULTS.glob("serve-load-*.json"), key=lambda p: (p.stem != "serve-load-example", p.stem))
    return [json.loads(p.read_text(encoding="utf-8")) for p in kept]


# ---------------------------------------------------------------- the command

def export_graph(store: str | Path) -> GraphData:
    """The whole graph of ``store``, read before the server starts (the plan picks its nodes from it)."""
    from stores import open_store

    with open_store(str(store), read_only=True) as source:
        return source.export()


def measure(store: str | Path, work: Path, *, clients: int, requests: int, seconds: float, repeat: int,
            timeout: float, warm_up_timeout: float, seed: int) -> dict[str, Any]:
    """Warm up, then ``repeat`` runs of the load on one server; the figures of the run with the median throughput."""
    graph = export_graph(store)
    probes = plan_requests(graph, seed) + HOSTILE
    with serving(store, work) as server:
        probes += report_probes(server.url, warm_up_timeout)
        # one round, one request at a time: the server builds the map and the report on first use
        warm = run_load(server.url, probes, clients=1, seconds=warm_up_timeout * len(probes), timeout=warm_up_timeout)
        runs = [warm]
        for number in range(repeat):
            run = run_load(server.url, schedule(probes, requests, seed + number), clients=clients, seconds=seconds,
                           timeout=timeout, answers=warm.answers)
            print(f"  run {number + 1}: {len(run.outcomes):,} requests in {run.seconds:.1f} s, "
                  f"{run.throughput:,.0f}/s, {len(run.errors)} errors", flush=True)
            runs.append(run)
        traces = server.traces()
        peak = server.peak_rss_mb()
    timed = runs[1:]
    middle = sorted(timed, key=lambda r: r.throughput)[len(timed) // 2]
    return {"nodes": len(graph.nodes), "ties": len(graph.ties), "clients": clients, "planned": requests,
            "hostile": sum(o.probe.hostile for o in middle.outcomes),
            "throughputs": [r.throughput for r in timed], "errors": sum(len(r.errors) for r in runs) + len(traces),
            "error_lines": [line for r in runs for line in describe_errors(r)] + traces[:10],
            "unsent": sum(r.planned - len(r.outcomes) for r in timed),
            "warm_up_s": warm.seconds, "warm_up_requests": len(warm.outcomes), "peak_rss_mb": peak or 0.0,
            "latency": latency_rows(middle)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an embedded store to serve (default: the Jia County example, "
                                                    "loaded into a temporary folder)")
    parser.add_argument("--title", help="the network's name in BENCHMARKS.md (default: the example's, or the store's)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per run (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=120, help="time limit of a run (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (median; default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request is an error")
    parser.add_argument("--warm-up-timeout", type=float, default=900,
                        help="seconds the first request of a page may take (the report of a large store)")
    parser.add_argument("--seed", type=int, default=1, help="fixes the plan and the order of the requests")
    parser.add_argument("--write", type=Path, help="write the figures into this file's '## Serve under load' section")
    args = parser.parse_args(argv)
    command = shlex.join(["python", "benchmarks/serve_load.py", *(argv if argv is not None else sys.argv[1:])])
    with tempfile.TemporaryDirectory(prefix="linkgraph-serve-load-") as folder:
        work = Path(folder)
        store = args.store
        if store is None:
            from linkgraph import pipeline

            store = work / "jia.lbug"
            pipeline.load([EXAMPLE], str(store), replace=True)
        elif not store.exists():
            parser.error(f"no store at {store}")
        title = args.title or ("佳县 Jia County (example)" if args.store is None else store.stem)
        print(f"{title}: {args.clients} clients, {args.requests} requests × {args.repeat}", flush=True)
        result = measure(store, work, clients=args.clients, requests=args.requests, seconds=args.seconds,
                         repeat=args.repeat, timeout=args.timeout, warm_up_timeout=args.warm_up_timeout,
                         seed=args.seed)
    result.update(title=title, command=command, date=dt.date.today().isoformat(), machine=machine())
    print(section([result]))
    runs = keep(result, "example" if args.store is None else re.sub(r"\W+", "-", store.stem))
    for line in result["error_lines"]:
        print("error:", line)
    if result["unsent"]:
        print(f"note: the time limit left {result['unsent']:,} planned requests unsent")
    if args.write:
        write_section(args.write, section(runs))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
