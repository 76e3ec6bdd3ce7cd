"""Scale runs (``slow``): the Jia County example with synthetic ties for the county, and 陕西省's roster with
synthetic ties for the province, into each store through the pipeline, as ``benchmarks/run.py`` measures them.

They check what the benchmark relies on: exact counts, a reload that writes nothing (its time is printed,
and judged only by the benchmark), batched Neo4j loads that end complete, and every named query answering
with the catalog's examples. The national run is ``python benchmarks/run.py --scales national`` (minutes, GBs).
Measured here (2 shared cores): the county tests take about 10 s per store, the province ones about 30 s
embedded and 60 s on Neo4j.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph_model.records import GraphData
from linkgraph.pipeline import load, load_roster
from loaders import nbs
from queries.catalog import default_catalog
from stores import open_store
from tests.conftest import EXAMPLE, REPO

pytestmark = pytest.mark.slow
CASE = EXAMPLE / "case.yaml"


def synthetic(folder: Path, *scope: str) -> list[Path]:
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), *scope, "--out", str(folder)], cwd=REPO,
                   check=True, capture_output=True)
    return [folder / "organizations.csv", folder / "ties.csv"]


def rows_in(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.fixture(scope="module")
def county_tables(tmp_path_factory):
    return synthetic(tmp_path_factory.mktemp("synth-county"), "--county", "610828")


@pytest.fixture(scope="module")
def province_tables(tmp_path_factory):
    return synthetic(tmp_path_factory.mktemp("synth-province"), "--province", "61")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def spec(request, tmp_path):
    """Where a run loads: a new embedded store file, or the emptied test Neo4j."""
    if request.param == "embedded":
        return str(tmp_path / "scale.lbug")
    uri = request.getfixturevalue("neo4j_uri")
    with open_store(uri) as target:
        target.write(GraphData(), replace=True)
    return uri


def timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def report_times(scale: str, spec: str, first: float, again: float) -> None:
    """Says how long the loads took; the times are judged by the benchmark (benchmarks/run.py), never here: a
    busy machine must still pass."""
    backend = "Neo4j" if "://" in spec else "embedded"
    print(f"{scale} ({backend}): first load {first:.1f} s, unchanged reload {again:.1f} s ({again / first:.0%})")


def check_queries(spec: str) -> None:
    """Every named query answers with its example parameters (names resolve at this scale too)."""
    with open_store(spec, read_only=True) as source:
        for query in default_catalog().values():
            rows = source.run_named(query.name, {p.name: p.example for p in query.params})
            assert isinstance(rows, list), query.name
        assert source.run_named("ego_network", {"org": "佳县县委办公室"})


def test_county(spec, county_tables, jia):
    first_time, first = timed(lambda: load([CASE, *county_tables], spec))
    created = first.report.plan.summary()
    synthetic_orgs, synthetic_ties = (rows_in(p) for p in county_tables)
    assert (synthetic_orgs, synthetic_ties) == (103, 397)
    read_nodes, read_ties = first.result.read_counts()  # (a load in parts lets its records go as it writes them)
    assert created["create_nodes"] == read_nodes == len(jia.graph.nodes) + synthetic_orgs
    # besides the rows of ties.csv, each organization row's town or county is a LOCATED_IN tie
    assert created["create_ties"] == read_ties == len(jia.graph.ties) + synthetic_ties + 50
    again_time, again = timed(lambda: load([CASE, *county_tables], spec))
    assert again.report.plan.rows == 0 and len(again.report.unchanged_sources) == 4  # roster, case, two tables
    report_times("county", spec, first_time, again_time)
    check_queries(spec)


def test_province(spec, province_tables):
    units = nbs.scope_units(nbs.national_roster(), nbs.parse_scope(nbs.national_roster(), "province", "61"))
    roster_time, roster = timed(lambda: load_roster("province", "61", spec))
    assert roster.report.plan.summary()["create_nodes"] == units.num_rows == 21_809
    first_time, first = timed(lambda: load([CASE, *province_tables], spec))
    summary = first.report.plan.summary()
    synthetic_orgs, synthetic_ties = (rows_in(p) for p in province_tables)
    assert (synthetic_orgs, synthetic_ties) == (5098, 20_157)
    assert summary["create_nodes"] >= synthetic_orgs and summary["create_ties"] >= synthetic_ties
    with open_store(spec, read_only=True) as source:
        counts = source.counts()
        assert counts["Village"] == 20_356 and counts["Town"] == 1335 and counts["County"] == 107
        assert counts["PART_OF"] == 21_808  # the case's roster of 佳县 adds its statements to the same ties
        assert all(row["complete"] for row in source.loaded_sources())
    first_time += roster_time
    again_time, again = timed(lambda: (load_roster("province", "61", spec), load([CASE, *province_tables], spec)))
    assert all(loaded.report.plan.rows == 0 for loaded in again)
    assert all(loaded.report.unchanged_sources and not loaded.report.written for loaded in again)
    report_times("陕西省", spec, first_time, again_time)
    check_queries(spec)


def _unstamped(graph: GraphData) -> tuple[dict, dict]:
    """A store's export as comparable values: every record with its statements, but not when they were loaded."""
    def values(props):
        return {**props, "provenance": [{k: v for k, v in s.items() if k != "loaded"} for s in props["provenance"]]}

    return ({i: (n.kind, values(n.props)) for i, n in graph.nodes.items()},
            {k: values(t.props) for k, t in graph.ties.items()})


PEAK = ("import sys\nfrom linkgraph.cli import main\ncode = main(sys.argv[1:])\n"
        "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1], file=sys.stderr)\n"
        "sys.exit(code)")
"""``linkgraph`` that says at its end its peak resident memory (kB, Linux's ``VmHWM``: of this program alone;
``ru_maxrss`` would count the memory of the test process that started it)."""


def peak_of(*command: str, env: dict[str, str]) -> int:
    """Run ``linkgraph COMMAND`` in a process of its own; its peak resident memory in bytes."""
    done = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return int(done.stderr.split()[-1]) * 1024


def test_province_under_a_memory_limit_of_1_gb(province_tables, tmp_path):
    """陕西省's roster and synthetic tables, each loaded by ``linkgraph`` under ``--memory-limit 1G``: every process
    stays under 1 GB and the store is the one a load without a limit writes."""
    free, limited = str(tmp_path / "free.lbug"), str(tmp_path / "limited.lbug")
    load_roster("province", "61", free)
    load([CASE, *province_tables], free)
    env = {k: v for k, v in os.environ.items() if k != "LINKGRAPH_MEMORY_LIMIT"}
    peaks = [peak_of("roster", "--province", "61", "--store", limited, "--memory-limit", "1G", env=env),
             peak_of("load", str(CASE), *map(str, province_tables), "--store", limited, "--memory-limit", "1G", env=env)]
    print(f"陕西省 under --memory-limit 1G: peaks {', '.join(f'{p / 2**20:.0f} MB' for p in peaks)}")
    assert max(peaks) <= 2**30
    with open_store(free, read_only=True) as one, open_store(limited, read_only=True) as other:
        expected, got = _unstamped(one.export()), _unstamped(other.export())
    assert len(got[0]) == 26_925 and len(got[1]) == 44_323
    assert got == expected
