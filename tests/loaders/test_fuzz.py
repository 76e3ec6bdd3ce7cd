"""Hostile and broken sources: every one ends in a clean error or a correct load, never anything else.

Hypothesis mutates the example's case file, its roster and planners'
workbooks, new and old (.xls cut short or with bytes changed; lines dropped, doubled, swapped or cut; values replaced by numbers,
dates, booleans, huge or control-character texts, YAML anchors; cells holding
formulas, floats, dates …) and feeds them through the loaders. Each run must
either raise :class:`InputError` (one line per problem, with a place) or load
a graph whose every value has its declared type and that the schema accepts.
The default run is bounded to stay fast; ``pytest -m slow`` runs many more.
The counts of each run are written to ``output/test-artifacts/fuzz.txt``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_model.records import InputError, coerce_value
from graph_model.schema import default_schema
from loaders import load_sources
from loaders.template import sheets
from tests.conftest import EXAMPLE, REPO

CASE = (EXAMPLE / "case.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
ROSTER = (EXAMPLE / "nbs_roster_610828.csv").read_bytes()
SCHEMA = default_schema()
OUTCOMES: Counter = Counter()

VALUES = st.one_of(
    st.sampled_from(["yes", "no", "010", "2021-02-30", "2021-13", "~", "null", "[a]", "{x: 1}", "&a x", "*a", "'", '"',
                     "- x", "5", "-1", "1e999", "99999999999999999999999", "通鎮", "<script>alert(1)</script>",
                     "=HYPERLINK(\"x\")", "\t", "\r", "\x00", "\u202e", "𡋗墕村", ": :", "#", "|", ">"]),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.just("x" * 25_000),
)


def _check(result) -> None:
    """A load that went through: every stated value has its declared type, the schema accepts every tie."""
    graph = result.graph
    assert graph.problems(SCHEMA) == []
    for record, kind in [*((n, SCHEMA.node_kind(n.kind)) for n in graph.nodes.values()),
                         *((t, SCHEMA.tie_kind(t.type)) for t in graph.ties.values())]:
        for statement in record.provenance:
            for name, value in statement["values"].items():
                prop = kind.property(name)
                if prop.stated:
                    assert coerce_value(prop, value) == value, (kind, name, value)
    for tie in graph.ties.values():
        assert tie.props["evidence"] and tie.props["source"]


def _outcome(kind: str, paths) -> None:
    try:
        result = load_sources(paths)
    except InputError as err:
        assert err.problems and all(str(p).strip() for p in err.problems)
        assert "Traceback" not in str(err)
        OUTCOMES[(kind, "refused")] += 1
        return
    _check(result)
    OUTCOMES[(kind, "loaded")] += 1


def _runs(default: int):
    """Bounded by default; ``LINKGRAPH_FUZZ_EXAMPLES`` sets the number (the slow test below runs 800 of each)."""
    return settings(max_examples=int(os.environ.get("LINKGRAPH_FUZZ_EXAMPLES", default)), deadline=None,
                    derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@st.composite
def mutated_case(draw) -> str:
    lines = list(CASE)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["drop", "double", "swap", "value", "key", "cut", "indent"]))
        i = draw(st.integers(0, len(lines) - 1))
        if action == "drop":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(VALUES)}\n"
        elif action == "key" and ":" in lines[i]:
            lines[i] = draw(st.sampled_from(["tie", "kind", "from", "to", "roster", "places", "id", "x"])) + ":" + \
                lines[i].split(":", 1)[1]
        elif action == "cut":
            lines = lines[:i] + [lines[i][: draw(st.integers(0, len(lines[i])))]]
        elif action == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "\t", "      "])) + lines[i].lstrip()
        if not lines:
            break
    return "".join(lines)


@pytest.fixture
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@given(text=mutated_case())
@_runs(30)
def test_mutated_case_files(folder, text):
    (folder / "nbs_roster_610828.csv").write_bytes(ROSTER)
    case = folder / "case.yaml"
    case.write_text(text, encoding="utf-8")
    _outcome("case file", [case])


@given(data=st.data())
@_runs(30)
def test_mutated_rosters(folder, data):
    rows = ROSTER.decode("utf-8").splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(rows) - 1))
        cells = rows[i].rstrip("\r\n").split(",")
        j = data.draw(st.integers(0, len(cells) - 1))
        cells[j] = data.draw(VALUES).replace("\n", " ")
        rows[i] = ",".join(cells) + data.draw(st.sampled_from(["\n", "\r\n", "\r", ""]))
    roster = folder / "roster.csv"
    roster.write_bytes("".join(rows).encode(data.draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])), "replace"))
    _outcome("roster", [roster])


PLAUSIBLE = st.sampled_from(["通镇", "乌镇", "刘国具镇", "佳县", "崔家西山村", "核桃树墕村", "西山村", "结对帮扶", "加入联合党组织",
                             "订单供应", "联建共建", "党支部", "是", "否", "牵头", "成员", "2021", "2022年5月", "贺寨酒业",
                             "佳县县委办公室", "38", "依据原文", None])
CELLS = st.one_of(st.none(), st.none(), st.none(), st.none(), PLAUSIBLE, PLAUSIBLE, PLAUSIBLE, VALUES,
                  st.integers(-10**15, 10**15),
                  st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                  st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(2200, 1, 1)),
                  st.sampled_from(["=1+1", "=A1", "=SUM(A1:A3)"]))


@given(data=st.data())
@_runs(20)
def test_generated_workbooks(folder, data):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for _ in range(data.draw(st.integers(1, 4))):
        name, _, columns = data.draw(st.sampled_from(sheets(SCHEMA)))
        if name not in book.sheetnames:
            book.create_sheet(name).append([c.zh for c in columns])
        sheet = book[name]
        filled = data.draw(st.sets(st.integers(0, len(columns) - 1), min_size=1, max_size=3))
        row = [data.draw(CELLS) if i in filled else None for i in range(len(columns))]
        row[0] = row[0] if 0 in filled else data.draw(PLAUSIBLE)
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    target = folder / "generated.xlsx"
    book.save(target)
    _outcome("workbook", [EXAMPLE / "nbs_roster_610828.csv", target])


OLD_WORKBOOK = (EXAMPLE / "planner_real" / "通镇填报2023.xls").read_bytes()


@given(data=st.data())
@_runs(30)
def test_damaged_old_workbooks(folder, data):
    """An .xls cut short or with bytes changed (xlrd's parser meets what it did not expect) is one clean line."""
    damaged = bytearray(OLD_WORKBOOK[:data.draw(st.integers(0, len(OLD_WORKBOOK)))])
    for _ in range(data.draw(st.integers(0, 20)) if damaged else 0):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    target = folder / "通镇填报.xls"
    target.write_bytes(bytes(damaged))
    _outcome("old workbook", [EXAMPLE / "nbs_roster_610828.csv", target])


def test_zz_report_the_counts():
    """Writes what the fuzz tests ran (this module's tests run in file order)."""
    artifacts = REPO / "output" / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    lines = [f"{kind}: {OUTCOMES[(kind, 'loaded')]} loaded, {OUTCOMES[(kind, 'refused')]} refused with a clean error"
             for kind in ("case file", "roster", "workbook", "old workbook")]
    (artifacts / "fuzz.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
    assert sum(OUTCOMES.values()) > 0


@pytest.mark.slow
def test_a_long_fuzz_run():
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "not long"],
                         cwd=REPO, env={**os.environ, "LINKGRAPH_FUZZ_EXAMPLES": "800"}, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
