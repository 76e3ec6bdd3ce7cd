"""Hostile inputs, format by format: each ends in success or in one clear error, never anything else.

Every case runs a linkgraph command (in this process through :func:`linkgraph.cli.main`, or as a real
process where the process's own output is the point) and checks what a user sees: the exit code is 0,
2 (bad input) or, for the environment only (a server down), 1; an error starts with ``错误 error:`` (or
is argparse's ``error: argument …`` line); there is no traceback, no "internal error", no
``unexpected …``; and no secret of the input is printed, raw or in any decoding. Formats: case files
(YAML), CSV tables, workbooks (built with openpyxl, and raw zips), Word files and text reports given to
``extract``, decisions files, store arguments, and command-line parameters (``--param``, ``query NAME
key=value``, numbers). Hand-written cases and Hypothesis (bounded: ``LINKGRAPH_HOSTILE_EXAMPLES``
raises it). :func:`test_zz_report_the_counts` writes the counts to ``output/test-artifacts/hostile.txt``
(the README's reliability section cites them). tests/loaders/test_fuzz.py mutates the example's
sources through the loaders; this suite goes through the commands.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkgraph.cli import main
from stores.masking import decoded
from tests.conftest import EXAMPLE, REPO

CASES: Counter = Counter()
"""(format, outcome) → how many cases ended so: ``accepted`` or ``refused`` (with a clear line)."""
SECRET = "Zq7PwSecret"
ROSTER = EXAMPLE / "nbs_roster_610828.csv"
TINY_CASE = """source: 小测试 tiny test
roster:
  file: nbs_roster_610828.csv
  source: NBS 2023
id_prefix: "t:"
places:
  cuijia:
    kind: Village
    town: 通镇
    name: 崔家西山村
organizations:
  office:
    kind: AssistanceUnit
    name: 佳县县委办公室
ties:
  - type: PAIRED_ASSISTANCE
    from: office
    to: cuijia
    mechanism: 八联八帮
    metrics:
      帮扶户数: 57
    evidence: 佳縣縣委辦公室是通鎮西山村的幫扶單位
"""
BAD_WORDS = ("Traceback", "内部错误", "internal error", "unexpected ", 'File "')


def _runs(default: int):
    return settings(max_examples=int(os.environ.get("LINKGRAPH_HOSTILE_EXAMPLES", default)), deadline=None,
                    derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_no_secret(text: str, secret: str = SECRET) -> None:
    for form in (text, decoded(text), text.encode("utf-8", "replace").decode("unicode_escape", "ignore")):
        assert secret not in form, text


def judge(kind: str, code: int, out: str, err: str, *, environment: bool = False) -> str:
    """Check one command's outcome (see the module's text), count it, and say ``accepted`` or ``refused``."""
    allowed = (0, 1, 2) if environment else (0, 2)
    assert code in allowed, (kind, code, err[-2000:])
    for word in BAD_WORDS:
        assert word not in err and word not in out, (kind, err[-2000:])
    assert_no_secret(out + err)
    if code == 0:
        outcome = "accepted"
    else:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines, (kind, "an error without a message")
        clear = lines[0].startswith("错误 error: ") or (lines[0].startswith("usage: ") and "error: argument" in err)
        assert clear, (kind, err[-2000:])
        outcome = "refused"
    CASES[(kind, outcome)] += 1
    return outcome


def run_main(kind: str, argv: list[str], capsys, **options) -> str:
    """``linkgraph ARGV`` in this process, judged."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse refuses a value
        code = exit_.code
    out, err = capsys.readouterr()
    return judge(kind, code, out, err, **options)


def run_process(kind: str, args: list[str], cwd: Path, **options) -> tuple[str, str]:
    """``linkgraph ARGS`` as its own process (what its user sees on the terminal), judged."""
    env = {**os.environ, "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", "not-the-secret"),
           "LINKGRAPH_NEO4J_RETRY_SECONDS": "1"}
    env.pop("LINKGRAPH_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "linkgraph", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120, encoding="utf-8", errors="replace")
    judge(kind, done.returncode, done.stdout, done.stderr, **options)
    return done.stdout, done.stderr


@pytest.fixture
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile")
    (path / ROSTER.name).write_bytes(ROSTER.read_bytes())
    return path


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny")
    (path / ROSTER.name).write_bytes(ROSTER.read_bytes())
    (path / "tiny.yaml").write_text(TINY_CASE, encoding="utf-8")
    assert main(["load", str(path / "tiny.yaml"), "--store", str(path / "tiny.lbug")]) == 0
    return path / "tiny.lbug"


def load_argv(folder: Path, *sources: Path | str, extra: tuple[str, ...] = ()) -> list[str]:
    return ["load", *map(str, sources), "--dry-run", "--store", str(folder / "g.lbug"), *extra]


# ---------------------------------------------------------------- case files (YAML)

def _metrics(text: str) -> str:
    return TINY_CASE.replace("      帮扶户数: 57\n", "".join(f"      {line}\n" for line in text.splitlines()))


CASE_FILES = {
    "complex key": TINY_CASE.replace("source: 小测试", "? [a, b]\n: c\nsource: 小测试"),
    "complex key in metrics": _metrics("? [a, b]\n: c"),
    "mapping as key": _metrics("? {a: 1}\n: c"),
    "integer key in metrics": _metrics("1: 2"),
    "boolean key in metrics": _metrics("yes: 2"),
    "null key in metrics": _metrics("~: 2"),
    "date key in metrics": _metrics("2021-01-01: 2"),
    "huge integer in metrics": _metrics("households: 99999999999999999999999"),
    "huge negative integer": _metrics("households: -99999999999999999999999"),
    "NaN in metrics": _metrics("x: .nan"),
    "infinity in metrics": _metrics("x: .inf"),
    "date value in metrics": _metrics("x: 2021-05-01"),
    "deep metrics": _metrics("a: " + "[" * 60 + "]" * 60),
    "anchor and alias": _metrics("a: &x [1, 2]\nb: *x"),
    "python tag": _metrics("a: !!python/object:os.system ls"),
    "binary tag": _metrics("a: !!binary aGVsbG8="),
    "NUL in the roster's name": TINY_CASE.replace("file: nbs_roster_610828.csv", 'file: "nbs\\0roster.csv"'),
    "roster outside the folder": TINY_CASE.replace("file: nbs_roster_610828.csv", "file: ../../../etc/passwd"),
    "roster is a list": TINY_CASE.replace("  file: nbs_roster_610828.csv\n  source: NBS 2023\n", "  - a\n  - b\n"),
    "roster is the case file": TINY_CASE.replace("file: nbs_roster_610828.csv", "file: case.yaml"),
    "tab indentation": TINY_CASE.replace("  office:", "\toffice:"),
    "duplicate keys": TINY_CASE.replace("    name: 佳县县委办公室", "    name: 佳县县委办公室\n    name: 县委办"),
    "two documents": TINY_CASE + "---\nsource: x\n",
    "empty": "",
    "only a comment": "# nothing\n",
    "a list": "- a\n- b\n",
    "a scalar": "just text\n",
    "control characters": TINY_CASE.replace("佳县县委办公室", "佳县\x1b[2J县委\u202e办公室"),
    "very long name": TINY_CASE.replace("佳县县委办公室", "县" * 100_000),
    "unknown tie type": TINY_CASE.replace("PAIRED_ASSISTANCE", "DROP_DATABASE"),
    "tie to itself": TINY_CASE.replace("to: cuijia", "to: office"),
    "unknown kind": TINY_CASE.replace("kind: AssistanceUnit", "kind: \"'; MATCH (n) DETACH DELETE n //\""),
    "id with quotes": TINY_CASE.replace('id_prefix: "t:"', "id_prefix: \"t'}) DETACH DELETE n //\""),
}


@pytest.mark.parametrize("name", list(CASE_FILES))
def test_hostile_case_files(folder, capsys, name):
    case = folder / "case.yaml"
    case.write_text(CASE_FILES[name], encoding="utf-8")
    run_main("case file", load_argv(folder, case), capsys)


def test_case_file_encodings_and_bytes(folder, capsys):
    for name, data in {"gbk": TINY_CASE.encode("gbk"), "utf-16": TINY_CASE.encode("utf-16"),
                       "utf-8 bom": TINY_CASE.encode("utf-8-sig"), "binary": bytes(range(256)) * 4,
                       "NUL bytes": TINY_CASE.encode().replace(b"\n", b"\x00\n", 3),
                       "cut in a character": TINY_CASE.encode()[:-3] + "县".encode()[:2]}.items():
        case = folder / f"{name}.yaml"
        case.write_bytes(data)
        run_main("case file", load_argv(folder, case), capsys)


JSON_KEYS = st.one_of(st.text(min_size=1, max_size=6), st.integers(-5, 5), st.booleans())
JSON_LEAVES = st.one_of(st.integers(-2**80, 2**80), st.floats(), st.text(max_size=8), st.booleans(), st.none(),
                        st.dates())
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(JSON_KEYS, inner, max_size=3), max_leaves=8)


@given(metrics=st.dictionaries(JSON_KEYS, JSON_VALUES, min_size=1, max_size=4))
@_runs(15)
def test_generated_metrics(folder, capsys, metrics):
    case = folder / "case.yaml"
    case.write_text(_metrics(yaml.safe_dump(metrics, allow_unicode=True)), encoding="utf-8")
    run_main("case file", load_argv(folder, case), capsys)


# ---------------------------------------------------------------- CSV tables

TIE_HEADER = "序号,帮扶单位,结对村,所属乡镇,开始年份,帮扶机制,依据"


@pytest.mark.parametrize("name, data", [
    ("NUL bytes", f"{TIE_HEADER}\n1,佳县县委办公室\x00,崔家西山村,通镇,2022,八联八帮,x\n".encode()),
    ("unbalanced quote", f'{TIE_HEADER}\n1,"佳县县委办公室,崔家西山村,通镇,2022,八联八帮,x\n'.encode()),
    ("only a header", f"{TIE_HEADER}\n".encode()),
    ("no header", "1,2,3\n4,5,6\n".encode()),
    ("empty", b""),
    ("CR line ends", f"{TIE_HEADER}\r1,佳县县委办公室,崔家西山村,通镇,2022,八联八帮,x\r".encode()),
    ("mixed encodings", f"{TIE_HEADER}\n".encode("gbk") + "1,佳县县委办公室,崔家西山村,通镇,2022,x,y\n".encode()),
    ("utf-16", f"{TIE_HEADER}\n1,佳县县委办公室,崔家西山村,通镇,2022,八联八帮,x\n".encode("utf-16")),
    ("formulas", f"{TIE_HEADER}\n=1+1,=HYPERLINK(\"http://x\"),@SUM(A1),+1,-1,=cmd|' /C calc'!A0,x\n".encode()),
    ("a huge cell", f"{TIE_HEADER}\n1,{'县' * 200_000},崔家西山村,通镇,2022,八联八帮,x\n".encode()),
    ("many columns", (",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("1" * 5000) + "\n").encode()),
    ("huge year", f"{TIE_HEADER}\n1,佳县县委办公室,崔家西山村,通镇,99999999999999999999,八联八帮,x\n".encode()),
    ("JSON metrics cell", f"{TIE_HEADER},成效\n1,佳县县委办公室,崔家西山村,通镇,2022,x,y,\"{{1: 2}}\"\n".encode()),
    ("deep JSON cell", f"{TIE_HEADER},成效\n1,佳县县委办公室,崔家西山村,通镇,2022,x,y,{'[' * 5000}\n".encode()),
    ("huge JSON integer", f"{TIE_HEADER},成效\n1,佳县县委办公室,崔家西山村,通镇,2022,x,y,\"{{\"\"a\"\": 1{'0' * 40}}}\"\n".encode()),
    ("bidi and escapes", f"{TIE_HEADER}\n1,佳县\u202e县委\x1b[31m办公室,崔家西山村,通镇,2022,x,y\n".encode()),
])
def test_hostile_csv_tables(folder, capsys, name, data):
    table = folder / "结对帮扶.csv"
    table.write_bytes(data)
    run_main("CSV table", load_argv(folder, ROSTER, table), capsys)


CELL = st.one_of(st.text(max_size=12), st.sampled_from(["佳县县委办公室", "崔家西山村", "通镇", "2022", "=1+1", '"', "\x00",
                                                          "\r", "99999999999999999999", "{1: 2}", "[[[", "是"]))


@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=8), min_size=1, max_size=5),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
@_runs(15)
def test_generated_csv_tables(folder, capsys, rows, encoding):
    lines = [TIE_HEADER] + [",".join(cells) for cells in rows]
    (folder / "结对帮扶.csv").write_bytes("\n".join(lines).encode(encoding, "replace"))
    run_main("CSV table", load_argv(folder, ROSTER, folder / "结对帮扶.csv"), capsys)


# ---------------------------------------------------------------- workbooks

def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶"
    sheet.append(TIE_HEADER.split(","))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_part(data: bytes, name: str, change) -> bytes:
    """``data`` (a zip) with its part ``name`` changed by ``change`` (``None``: left out)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == name:
                part = change(part)
                if part is None:
                    continue
            target.writestr(info.filename, part)
    return out.getvalue()


GOOD_BOOK = None


def good_book() -> bytes:
    global GOOD_BOOK
    GOOD_BOOK = GOOD_BOOK or _workbook([[1, "佳县县委办公室", "崔家西山村", "通镇", 2022, "八联八帮", "依据"]])
    return GOOD_BOOK


BOMB = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def _declared(prefix: bytes, entity: bytes):
    def change(part: bytes) -> bytes:
        body = part.split(b"?>", 1)[1] if part.startswith(b"<?xml") else part
        return prefix + body.replace(b"<v>1</v>", b"<v>" + entity + b"</v>", 1).replace(
            "佳县县委办公室".encode(), entity, 1)
    return change


WORKBOOKS = {
    "not a zip": lambda: b"PK\x03\x04 not really a zip",
    "empty zip": lambda: _with_part(good_book(), "xl/workbook.xml", lambda p: None),
    "no sheet part": lambda: _with_part(good_book(), "xl/worksheets/sheet1.xml", lambda p: None),
    "formulas and odd values": lambda: _workbook([["=1+1", "=HYPERLINK(\"http://x\")", 1e308, -1e308, True,
                                                    "99999999999999999999", "\u202e"]]),
    "huge numbers": lambda: _workbook([[10**30, "佳县县委办公室", "崔家西山村", "通镇", 10**30, 1e300, "x"]]),
    "entity bomb in a sheet": lambda: _with_part(good_book(), "xl/worksheets/sheet1.xml", _declared(BOMB, b"&d;")),
    "empty rows only": lambda: _workbook([[None] * 7] * 20),
    "external entity in a sheet": lambda: _with_part(good_book(), "xl/worksheets/sheet1.xml", _declared(XXE, b"&e;")),
    "broken sheet XML": lambda: _with_part(good_book(), "xl/worksheets/sheet1.xml", lambda p: p[: len(p) // 2]),
    "DOCTYPE in the workbook part": lambda: _with_part(good_book(), "xl/workbook.xml", _declared(XXE, b"")),
}
# must be refused; the others may load (a DOCTYPE whose entity no element uses expands nothing)
REFUSED_WORKBOOKS = {"not a zip", "entity bomb in a sheet", "external entity in a sheet", "broken sheet XML"}


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_hostile_workbooks(folder, capsys, name):
    book = folder / "填报.xlsx"
    book.write_bytes(WORKBOOKS[name]())
    outcome = run_main("workbook", load_argv(folder, ROSTER, book), capsys)
    if name in REFUSED_WORKBOOKS:
        assert outcome == "refused"


# ---------------------------------------------------------------- reports given to extract

def _docx(paragraph: str = "佳县县委办公室是通镇崔家西山村的帮扶单位。") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX = {
    "not a zip": lambda: b"this is not a Word file",
    "zip without document.xml": lambda: _with_part(_docx(), "word/document.xml", lambda p: None),
    "zip without content types": lambda: _with_part(_docx(), "[Content_Types].xml", lambda p: None),
    "broken document XML": lambda: _with_part(_docx(), "word/document.xml", lambda p: p[: len(p) // 2]),
    "entity bomb": lambda: _with_part(_docx(), "word/document.xml", _declared(BOMB, b"&d;")),
    "external entity": lambda: _with_part(_docx(), "word/document.xml", _declared(XXE, b"&e;")),
    "DOCTYPE in UTF-16": lambda: _with_part(_docx(), "word/document.xml",
                                            lambda p: (XXE.decode() + p.decode().split("?>", 1)[1]).encode("utf-16")),
    "DOCTYPE in content types": lambda: _with_part(_docx(), "[Content_Types].xml", _declared(XXE, b"")),
    "undeclared entity": lambda: _with_part(_docx(), "word/document.xml",
                                            lambda p: p.replace("佳县".encode(), b"&nope;", 1)),
    "comment inside a paragraph": lambda: _with_part(_docx(), "word/document.xml",
                                                     lambda p: p.replace(b"<w:t>", b"<!-- c --><w:t>", 1)),
    "processing instruction": lambda: _with_part(_docx(), "word/document.xml",
                                                 lambda p: p.replace(b"<w:t>", b"<?pi x?><w:t>", 1)),
    "zip bomb": lambda: _with_part(_docx(), "word/document.xml", lambda p: p + b" " * (3 * 2**20)),  # (limit: 1 MB)
    "a good one": _docx,
}


@pytest.mark.parametrize("name", list(DOCX))
def test_hostile_word_files(folder, capsys, monkeypatch, name):
    monkeypatch.setattr("loaders.extract.document.MAX_DOCX_MB", 1)  # so that the zip bomb stays small here
    report = folder / "report.docx"
    report.write_bytes(DOCX[name]())
    run_main("Word file", ["extract", str(report), "--county", "610828", "--out", str(folder / "draft.xlsx")], capsys)


@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))
@_runs(15)
def test_damaged_word_files(folder, capsys, flips):
    data = bytearray(_docx())
    for position, value in flips:
        data[position % len(data)] = value
    (folder / "report.docx").write_bytes(bytes(data))
    run_main("Word file", ["extract", str(folder / "report.docx"), "--county", "610828",
                           "--out", str(folder / "draft.xlsx")], capsys)


REPORTS = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                    st.text(max_size=100).map(lambda t: f"<html><h1>{t}</h1><script>{t}</script><p>{t}</p>".encode()),
                    st.sampled_from([b"<" * 5000, b"<p>" * 20000, "佳县县委办公室".encode("gbk") + b"\xff\xfe\x00",
                                     b"\x00" * 1000, "\u202e县委办\x1b[2J".encode()]))


@given(data=REPORTS, suffix=st.sampled_from([".txt", ".html", ".md"]))
@_runs(15)
def test_generated_text_reports(folder, capsys, data, suffix):
    report = folder / f"report{suffix}"
    report.write_bytes(data)
    run_main("text report", ["extract", str(report), "--county", "610828", "--out", str(folder / "draft.xlsx")], capsys)


# ---------------------------------------------------------------- decisions files

DECISIONS_HEADER = "文件 File,位置 Where,类型 Kind,上级 Context,名称 Name,状态 Status,候选 Candidates,resolve_to,说明 resolution"


@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=10), min_size=0, max_size=4),
       header=st.sampled_from([DECISIONS_HEADER, "a,b,c", "", "resolve_to"]))
@_runs(20)
def test_generated_decisions_files(folder, capsys, rows, header):
    (folder / "case.yaml").write_text(TINY_CASE, encoding="utf-8")
    decisions = folder / "decisions.csv"
    decisions.write_text("\n".join([header] + [",".join(cells) for cells in rows]), encoding="utf-8")
    run_main("decisions file", load_argv(folder, folder / "case.yaml", extra=("--decisions", str(decisions))), capsys)


# ---------------------------------------------------------------- command-line parameters

NUMBERS = ["inf", "-inf", "nan", "-1", "0", "1e300", "1e-300", "x", "", "99999999999999999999", "0x10", "1_000"]


@pytest.mark.parametrize("value", NUMBERS)
def test_numbers_on_the_command_line(tiny_store, tmp_path, capsys, value):
    store = str(tiny_store)
    for argv in (["cypher", "RETURN 1 AS one", "--timeout", value, "--store", store],
                 ["cypher", "RETURN 1 AS one", "--limit", value, "--store", store],
                 ["report", "--around", "佳县县委办公室", "--hops", value, "--store", store, "--out", str(tmp_path / "r")],
                 ["extract", str(EXAMPLE / "article_2024-01-18.txt"), "--county", "610828", "--accept-above", value,
                  "--out", str(tmp_path / "d.xlsx")],
                 ["serve", "--port", value, "--store", str(tmp_path / "none.lbug")]):
        run_main("parameter", argv, capsys)


PARAM_TEXT = st.one_of(st.text(max_size=20), st.sampled_from(["1e999", "NaN", "[" * 3000, '{"a": 1' + "0" * 400 + "}",
                                                              "99999999999999999999999", "\x00", "'; DROP", "$x"]))


@given(name=st.one_of(st.sampled_from(["x", "p", ""]), st.text(max_size=5)), kind=st.sampled_from(["", "int", "float",
       "json", "bool", "x"]), value=PARAM_TEXT)
@_runs(40)
def test_generated_cypher_parameters(tiny_store, capsys, name, kind, value):
    pair = f"{name}{':' + kind if kind else ''}={value}"
    run_main("parameter", ["cypher", "RETURN $x AS x", "--param", pair, "--store", str(tiny_store)], capsys)


@given(query=st.sampled_from(["find_by_name", "ego_network", "kind_counts", "no_such_query"]),
       params=st.lists(st.tuples(st.sampled_from(["text", "org", "hops", "x", ""]), PARAM_TEXT), max_size=3))
@_runs(40)
def test_generated_query_parameters(tiny_store, capsys, query, params):
    run_main("parameter", ["query", query, *(f"{k}={v}" for k, v in params), "--store", str(tiny_store)], capsys)


@pytest.mark.parametrize("columns", ["? [a, b]\n: c", "a: [b", "a: {b: c}", "=", "a=,=b", "\x00=name", "- a\n- b"])
def test_hostile_column_mappings(folder, capsys, columns):
    table = folder / "结对帮扶.csv"
    table.write_text(f"{TIE_HEADER}\n1,佳县县委办公室,崔家西山村,通镇,2022,八联八帮,x\n", encoding="utf-8")
    run_main("parameter", load_argv(folder, ROSTER, table, extra=("--columns", columns)), capsys)


# ---------------------------------------------------------------- store arguments and secrets (real processes)

SECRET_STORES = [
    f"bolt://neo4j%3A{SECRET}%40127.0.0.1:7687",  # what the attacker used
    f"bolt://neo4j%253A{SECRET}%2540127.0.0.1:7687",
    f"bolt://neo4j:{SECRET}@127.0.0.1:7687",
    f"bolt://127.0.0.1:7687?password={SECRET}",
    f"neo4j://127.0.0.1:1?token={SECRET}",  # accepted by the URI rules; the server is not there (exit 1)
    f"bolt://127.0.0.1:7687#{SECRET}",
    f"bolt://127.0.0.1:7687/{SECRET}",
    f"bolt://neo4j:{SECRET}",
    f"bolt://neo4j:{SECRET}\\u0040127.0.0.1:7687",
    f"neo4j%3A{SECRET}%40127.0.0.1:7687",
    f"http://neo4j:{SECRET}@127.0.0.1:7474/browser/",
]
COMMANDS = {
    "query": ["query", "kind_counts"], "cypher": ["cypher", "RETURN 1 AS one"], "sources": ["sources"],
    "report": ["report", "--out", "report"], "serve": ["serve", "--port", "0"],
    "load": ["load", str(EXAMPLE / "case.yaml"), "--dry-run"],
}


@pytest.mark.parametrize("store", SECRET_STORES)
def test_a_secret_in_the_store_argument_is_never_printed(tmp_path, store):
    run_process("store argument", [*COMMANDS["query"], "--store", store], tmp_path, environment=True)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "query"])
def test_no_command_prints_the_secret_of_its_store_argument(tmp_path, command):
    for store in (SECRET_STORES[0], SECRET_STORES[4]):
        run_process("store argument", [*COMMANDS[command], "--store", store], tmp_path, environment=True)
    assert not (tmp_path / "report").exists() or SECRET not in "".join(
        p.read_text(errors="replace") for p in (tmp_path / "report").rglob("*.html"))


@pytest.mark.neo4j
def test_a_routing_context_with_a_secret_is_used_and_never_shown(neo4j_uri, tmp_path):
    """A neo4j:// URI's query goes to the driver (routing context) and works; load, report and serve
    name the store everywhere (lines, the report page, the home page) without it."""
    import urllib.request

    host = neo4j_uri.split("://", 1)[1].rstrip("/")
    store = f"neo4j://{host}?token={quote(SECRET)}"
    (tmp_path / ROSTER.name).write_bytes(ROSTER.read_bytes())
    (tmp_path / "case.yaml").write_text(TINY_CASE, encoding="utf-8")
    out, _ = run_process("store argument", ["load", "case.yaml", "--replace", "--store", store], tmp_path)
    assert f"→ neo4j://{host}?***" in out
    run_process("store argument", ["report", "--out", "report", "--store", store], tmp_path)
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert f"neo4j://{host}?***" in page
    assert_no_secret(page)
    process = subprocess.Popen([sys.executable, "-m", "linkgraph", "serve", "--port", "0", "--store", store],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert_no_secret(line)
        address = re.search(r"http://127\.0\.0\.1:\d+/", line)[0]
        home = urllib.request.urlopen(address, timeout=60).read().decode("utf-8")
        assert f"neo4j://{host}?***" in home
        assert_no_secret(home)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert_no_secret(err)


def test_zz_report_the_counts():
    """Writes how many cases of each format ran and how they ended (this module's tests run in file order)."""
    kinds = list(dict.fromkeys(kind for kind, _ in CASES))
    lines = [f"{kind}: {CASES[(kind, 'accepted')] + CASES[(kind, 'refused')]} cases, {CASES[(kind, 'accepted')]} "
             f"accepted, {CASES[(kind, 'refused')]} refused with one clear line" for kind in kinds]
    total = sum(CASES.values())
    lines.append(f"total: {total} hostile inputs, 0 internal errors, 0 tracebacks, 0 secrets printed")
    artifacts = REPO / "output" / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "hostile.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
    assert total > 0
