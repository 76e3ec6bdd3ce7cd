"""queries/cypher_tokens.py against LadybugDB itself: each rule with the engine's verdict on a probe, the
spaces and word characters, and generated texts, where the guard must never pass what the engine reads as
a clause that reaches files (or writes, or a table function that is not allowed)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata

import ladybug
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries import guard
from queries.catalog import QueryError
from queries.cypher_tokens import BACKTICK, ERROR, NUMBER, SPACE, SPACES, STRING, WORD, is_word_part, \
    is_word_start, tokens
from tests.conftest import REPO
from tests.stores.bypass import engine_plan

PROBES = [
    # (text, the words and punctuation of the tokenizer, whether LadybugDB 0.22 parses the text)
    ("RETURN 1 // c\rLOAD", ["RETURN", "1", "/", "/", "c", "LOAD"], False),  # a lone \r: no comment at all
    ("RETURN 1 //\r\r", ["RETURN", "1", "/", "/"], False),
    ("RETURN 1 // c\r", ["RETURN", "1"], True),  # ... but a \r that ends the text ends it
    ("RETURN 1 // c\r\nLIMIT 1", ["RETURN", "1", "LIMIT", "1"], True),
    ("RETURN 1 // c\nLIMIT 1", ["RETURN", "1", "LIMIT", "1"], True),
    ("RETURN 1 // c\u2028LOAD", ["RETURN", "1"], True),  # \u2028 does not end it: a comment to the end
    ("RETURN 1 // c\u0085LOAD", ["RETURN", "1"], True),
    ("RETURN 1 /* LOAD */ LIMIT 1", ["RETURN", "1", "LIMIT", "1"], True),
    ("RETURN 1 /* a ***/", ["RETURN", "1"], True),  # an odd run of stars ends a comment ...
    ("RETURN 1 /* a **/", ["RETURN", "1", "/", "*", "a", "*", "*", "/"], False),  # ... an even one does not
    ("RETURN 1 /***/", ["RETURN", "1", "/", "*", "*", "*", "/"], False),
    ("RETURN 1 /* **/ LOAD FROM x */", ["RETURN", "1"], True),  # so LOAD is inside the comment
    ("RETURN 1 /***a*/", ["RETURN", "1"], True),
    ("RETURN 1 /*/ */", ["RETURN", "1"], True),
    ("RETURN 1 /* /* */ */", ["RETURN", "1", "*", "/"], False),  # comments do not nest
    ("RETURN 1 /* LOAD", ["RETURN", "1", "/", "*", "LOAD"], False),  # unterminated: no comment
    ("RETURN 'a\\'b' AS x", ["RETURN", "'a\\'b'", "AS", "x"], True),
    ("RETURN \"a\\\"b\" AS x", ["RETURN", '"a\\"b"', "AS", "x"], True),
    ("RETURN '\\\\' AS x", ["RETURN", "'\\\\'", "AS", "x"], True),
    ("RETURN '\\b\\F\\n\\R\\t\\u00e9\\U0041' AS x", ["RETURN", "'\\b\\F\\n\\R\\t\\u00e9\\U0041'", "AS", "x"], True),
    ("RETURN 'a\nb' AS x", ["RETURN", "'a\nb'", "AS", "x"], True),
    ("RETURN 'a\\x LOAD'", ["RETURN", "'", "a", "\\", "x", "LOAD", "'"], False),  # no such escape: no string
    ("RETURN 'a\\x41\\X4F' AS x", ["RETURN", "'a\\x41\\X4F'", "AS", "x"], True),
    ("RETURN 'a\\x4 LOAD'", ["RETURN", "'", "a", "\\", "x4", "LOAD", "'"], False),
    ("RETURN 'a\\u00e LOAD'", ["RETURN", "'", "a", "\\", "u00e", "LOAD", "'"], False),
    ("RETURN '\\'", ["RETURN", "'", "\\'"], False),
    ("RETURN 'it''s'", ["RETURN", "'it'", "'s'"], False),  # no '' escape
    ("RETURN 'LOAD", ["RETURN", "'", "LOAD"], False),  # unterminated
    ("RETURN 1 AS `a``b`", ["RETURN", "1", "AS", "`a``b`"], True),
    ("RETURN 1 AS `a\nb`", ["RETURN", "1", "AS", "`a\nb`"], True),
    ("RETURN 1 AS `LOAD", ["RETURN", "1", "AS", "`", "LOAD"], False),
    ("RETURN 1 AS `a``", ["RETURN", "1", "AS", "`a`", "`"], False),
    ("RETURN 1e5, 1E-5, .5e3, 1.5e-3, .5 AS x", ["RETURN", "1e5", ",", "1E-5", ",", ".5e3", ",", "1.5e-3", ",",
                                                 ".5", "AS", "x"], True),
    ("RETURN 1e+5", ["RETURN", "1", "e", "+", "5"], False),
    ("RETURN 0x1F", ["RETURN", "0", "x1F"], False),  # no hex numbers
    ("RETURN 007", ["RETURN", "0", "0", "7"], False),
    ("RETURN 5.e3 AS x", ["RETURN", "5", ".", "e3", "AS", "x"], True),
    ("RETURN 1eLIMIT", ["RETURN", "1", "eLIMIT"], False),
    ("MATCH (a:X) WITH a LIMIT 1RETURN a", ["MATCH", "(", "a", ":", "X", ")", "WITH", "a", "LIMIT", "1", "RETURN",
                                            "a"], True),
    ("MATCH (a)-[*1..2]->(b:X) RETURN a", ["MATCH", "(", "a", ")", "-", "[", "*", "1", "..", "2", "]", "-", ">",
                                           "(", "b", ":", "X", ")", "RETURN", "a"], True),
    ("RETURN 1 <> 2, 1 <= 2, 'a' =~ 'b'", ["RETURN", "1", "<>", "2", ",", "1", "<=", "2", ",", "'a'", "=~", "'b'"],
     True),
    ("RETURN 1 < > 2", ["RETURN", "1", "<", ">", "2"], False),
    ("RETURN 1 << 2, 4 >> 1", ["RETURN", "1", "<<", "2", ",", "4", ">>", "1"], True),
    ("RETURN 1 != 2", ["RETURN", "1", "!=", "2"], False),  # a token the parser does not take ...
    ("RETURN 1 ! = 2", ["RETURN", "1", "!", "=", "2"], True),  # ... unlike these two
    ("RETURN 1 AS a\\bLOAD", ["RETURN", "1", "AS", "a", "\\b", "LOAD"], False),  # an escape outside a string
    ("RETURN 1 AS a\\xLOAD", ["RETURN", "1", "AS", "a", "\\", "xLOAD"], False),
    ("RETURN 1<-2", ["RETURN", "1", "<", "-", "2"], True),
    ("RETURN 1 AS 中文_名, 2 AS a$b, 3 AS ‿x, 4 AS x·y, 5 AS a\u0301, $p", [
        "RETURN", "1", "AS", "中文_名", ",", "2", "AS", "a$b", ",", "3", "AS", "‿x", ",", "4", "AS", "x·y", ",", "5",
        "AS", "a\u0301", ",", "$", "p"], True),
    ("RETURN\u00a0\u3000\u2003\t\v\f\u2028\u2029\u001c\u001f\u16801", ["RETURN", "1"], True),
    ("RETURN 1\u0085", ["RETURN", "1", "\u0085"], False),  # NEL is no space for LadybugDB
    ("RETURN 1\u200b", ["RETURN", "1", "\u200b"], False),
    ("ＬＯＡＤ FROM", ["ＬＯＡＤ", "FROM"], False),
]


@pytest.fixture(scope="module")
def engine():
    """A LadybugDB connection on a database in memory with the table X (MATCH (a:X) plans)."""
    connection = ladybug.Connection(ladybug.Database(":memory:"))
    connection.execute("CREATE NODE TABLE X(id STRING PRIMARY KEY)")
    return connection


def parses(connection, cypher: str) -> bool:
    """Whether LadybugDB reads ``cypher`` without a syntax error (it may still refuse it later)."""
    try:
        connection.execute(cypher)
    except RuntimeError as err:
        return "Parser exception" not in str(err)
    return True


@pytest.mark.parametrize("cypher, expected, parsed", PROBES)
def test_the_tokens_are_the_engines(cypher, expected, parsed):
    assert [t.text for t in tokens(cypher) if t.kind != SPACE] == expected


@pytest.mark.parametrize("cypher, expected, parsed", PROBES)
def test_the_engine_reads_each_probe_as_the_rules_say(engine, cypher, expected, parsed):
    assert parses(engine, cypher) == parsed


def test_kinds_and_every_character_in_one_token():
    text = "MATCH (v) /* c */ RETURN 'x', `y`, 1.5, v.name <> 2 ；"
    found = tokens(text)
    assert "".join(t.text for t in found) == text and all(text[t.start:].startswith(t.text) for t in found)
    assert [(t.kind, t.text) for t in found if t.kind != SPACE] == [
        (WORD, "MATCH"), ("(", "("), (WORD, "v"), (")", ")"), (WORD, "RETURN"), (STRING, "'x'"), (",", ","),
        (BACKTICK, "`y`"), (",", ","), (NUMBER, "1.5"), (",", ","), (WORD, "v"), (".", "."), (WORD, "name"),
        ("<>", "<>"), (NUMBER, "2"), (ERROR, "；")]
    assert [t.text for t in found if t.kind == SPACE] == [" ", " ", "/* c */"] + [" "] * 8


def _characters(categories: str) -> list[str]:
    return [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) in categories.split()]


def test_the_spaces_are_the_engines(engine):
    """Every space, control and format character of the BMP: a space for the tokenizer exactly when
    LadybugDB skips it (the whole BMP was probed once the same way: no other character is a space)."""
    for char in _characters("Zs Zl Zp Cc Cf") + sorted(SPACES):
        assert parses(engine, f"RETURN{char}1{char}AS{char}x") == (char in SPACES), hex(ord(char))


@pytest.mark.parametrize("char", list("aZ_中ªá‿＿ｘ℘゛") + ["\U00020000", "\u0301", "·", "$", "€", "١", "１", "9", "\u00ad",
                                                             "\u200d", "\u2e2f", "-", "'"])
def test_word_characters_are_the_engines(engine, char):
    """Words start and go on with the characters the engine's words start and go on with (the whole BMP
    and a sample of the other planes were probed once the same way: they differ only on U+0CF3 and U+0ECE,
    letters of Unicode 15 that Python 3.11 does not know, where the tokenizer cuts a word in two)."""
    assert parses(engine, f"RETURN 1 AS {char}") == is_word_start(char)
    assert parses(engine, f"RETURN 1 AS a{char}") == is_word_part(char)


def test_no_word_character_is_a_space_or_punctuation_but_currency_signs():
    assert not any(is_word_part(c) for c in SPACES | set("()[]{};:.,'\"`/*-+<>=~|%^!?@#&\\"))
    assert is_word_part("$") and not is_word_start("$")


# Generated texts: a start after which a clause may follow, what may open a comment, string or name, a piece,
# what may close it, a separator, a clause that reaches files (or writes, or controls the session), a piece and
# an end: the guard must pass only what the engine refuses or reads as a read.
STARTS = ["MATCH (n:Village) WITH n LIMIT 1", "MATCH (n:Village)", "UNWIND [1, 2] AS x WITH x SKIP 0",
          "MATCH (n:Village) WITH n LIMIT 1", "RETURN 1 AS a", "RETURN "]
HIDERS = [("//", "\n"), ("//", "\r\n"), ("//", "\r"), ("//", "\u2028"), ("//", "\u0085"), ("/*", "*/"),
          ("/* a", "**/"), ("/* a", "***/"), ("/***", "/"), ("/*", "*/ */"), ("/*", ""), ("'", "'"), ("'\\'", "'"),
          ("'\\x", "'"), ("'\\x41", "'"), ("'\\u004", "'"), ("'", "\\''"), ('"', '"'), ('"\\"', '"'), ("`", "`"),
          ("`a``", "`"), ("`", ""), ("'", ""), ("\u180e", ""), ("\u3000", ""), ("\u200b", ""), ("", "")]
"""(opener, closer) of every way to hide, or seem to hide, a piece of text: comments with each line end,
stars, strings with escapes good and bad, backtick names, unterminated ones, spaces."""
PIECES = ["", "", "", "", " ", " x ", "'", '"', "`", "//", "/*", "*/", "**/", "***/", "/**/", "/* **", "\\'", "\\", "\\x",
          "\\x4", "\\x41", "\\u004", "\\u0041", "\\n", "''", "\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085",
          "\t", "\v", "\f", "\u00a0", "\u3000", "\u2003", "\u001f", "\u1680", "\u180e", "\u200b", "\ufeff", "1",
          "0", ".5", "1e5", "1.5e-3", "0x", "1e", "-", ";", ":", ".", "(", ")", "中文名", "_x", "a$b", "$p", "`LOAD`",
          "ＬＯＡＤ", " AS s"]
SEPARATORS = ["", " ", " ", " ", "\t", "\v", "\u00a0", "\u3000", "\u180e", "\u1680", "\u2028", "\u0085", "\u200b", "\ufeff",
              "/**/", "1"]
CLAUSES = ["LOAD FROM '{secret}' (header=false) RETURN *", "LOAD WITH HEADERS (a STRING) FROM '{secret}' RETURN a",
           "COPY (MATCH (v:Village) RETURN v.id) TO '{out}'", "ATTACH '{secret}' AS o (dbtype duckdb)",
           "LOAD httpfs", "INSTALL httpfs", "EXPORT DATABASE '{out}'", "USE o", "DETACH o", "COMMIT",
           "CHECKPOINT", "CALL threads=1", "CALL show_tables() RETURN *", "SET n.name = 'x'", "DETACH DELETE n",
           "CREATE (:Town {id: 'z'})", "RETURN nextval('s')", "MATCH (t:Town) SET t.name = 'x'", "; RETURN 2"]
ENDS = ["", "", "", " AS s", "'", "' AS s", "*/", "*/ RETURN 1 AS b", "\n", "\r\n RETURN 2 AS c", "`", "` AS c", ";"]
CRASHING = ["CALL read_csv_serial('{secret}') RETURN *", "RETURN read_npy('{secret}') AS v",
            "MATCH (m) WHERE read_parquet('{secret}') IS NULL RETURN m", "CALL read_csv_parallel('{secret}') RETURN *",
            "CALL storage_info('Village') RETURN *"]
"""Clauses with table functions that may crash LadybugDB even when planned: texts with them are planned
in a process of their own."""
CALL_GLUE = ["", " ", "/* x */", "/***/", "/* **/", "//\r", "// x\n", "\u3000", "\u180e", "\u0085", "'", "`"]


def generated_text(choose, clauses: list[str]) -> str:
    """A start, a separator, one of :data:`HIDERS` around a piece and one of ``clauses`` or before it, an end, each
    picked by ``choose`` (a function of a list that returns one of its items); in a table function call,
    something between the name and its ``(``."""
    clause = choose(clauses)
    name, paren, args = clause.partition("(")
    if paren and name.split()[-1].startswith(("read_", "storage_")):
        clause = name + choose(CALL_GLUE) + paren + args
    opener, closer = choose(HIDERS)
    if choose([True, False]):  # the clause inside, or after
        return choose(STARTS) + choose(SEPARATORS) + opener + choose(PIECES) + clause + closer + choose(ENDS)
    return choose(STARTS) + choose(SEPARATORS) + opener + choose(PIECES) + closer + choose(SEPARATORS) + clause + \
        choose(ENDS)


@st.composite
def generated_texts(draw) -> tuple[bool, str]:
    """(write, text): a generated text (:func:`generated_text`) and whether it is checked as with --write."""
    return draw(st.booleans()), generated_text(lambda items: draw(st.sampled_from(items)), CLAUSES)


def _store(folder) -> dict:
    """A LadybugDB store in ``folder`` (tables Village, Town, PART_OF, a sequence, a row each), a secret
    file, a path no text may write, and a connection to the store."""
    connection = ladybug.Connection(ladybug.Database(str(folder / "g.lbug")))
    for statement in ("CREATE NODE TABLE Village(id STRING PRIMARY KEY, name STRING)",
                      "CREATE NODE TABLE Town(id STRING PRIMARY KEY, name STRING)",
                      "CREATE REL TABLE PART_OF(FROM Village TO Town)", "CREATE SEQUENCE s",
                      "CREATE (:Village {id: 'v', name: 'v'})-[:PART_OF]->(:Town {id: 't', name: 't'})"):
        connection.execute(statement)
    secret = folder / "secret.csv"
    secret.write_text("LINKGRAPH-SECRET|x\n", encoding="utf-8")
    return {"connection": connection, "store": folder / "g.lbug", "secret": secret, "out": folder / "out.csv"}


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return _store(tmp_path_factory.mktemp("tokens"))


def _filled(graph, text: str) -> str:
    return text.replace("{secret}", str(graph["secret"])).replace("{out}", str(graph["out"]))


def _passes_guard(text: str, write: bool) -> bool:
    try:
        guard.check_query(text, write=write, backend="ladybug")
    except QueryError:
        return False
    return True


def _check_engine_agrees(reading: dict[str, str], write: bool) -> None:
    """The engine refused the text as a syntax error (never as more than one statement: the guard lets one
    through, and the store would run the second), or its plan holds only operators that read the store
    (and, with ``write``, write it) and only allowed table functions."""
    assert reading["outcome"] in ("engine", "plan"), reading
    assert "multiple statements" not in reading["message"], reading
    if reading["outcome"] == "plan":
        guard.check_plan(reading["message"], write=write)


@settings(max_examples=1000, deadline=None)
@given(generated_texts())
def test_what_the_tokens_pass_the_engine_refuses_or_plans_as_a_read(graph, drawn):
    write, text = drawn
    text = _filled(graph, text)
    if _passes_guard(text, write):
        _check_engine_agrees(engine_plan(graph["connection"], text), write)
    assert not graph["out"].exists()


@pytest.mark.parametrize("write", [False, True])
def test_every_hider_around_or_before_every_clause(graph, write):
    """Every way to hide (:data:`HIDERS`) around and before every clause, after every start: what the
    guard passes, the engine refuses or plans as a read (or, with ``write``, a write)."""
    for start in dict.fromkeys(STARTS):
        for opener, closer in HIDERS:
            for clause in CLAUSES:
                for text in (f"{start} {opener}{clause}{closer}", f"{start} {opener} x {closer}{clause}"):
                    if _passes_guard(_filled(graph, text), write):
                        _check_engine_agrees(engine_plan(graph["connection"], _filled(graph, text)), write)
    assert not graph["out"].exists()


def test_generated_texts_pass_and_fail_on_both_sides(graph):
    """The generated texts are no trivial set: among 400, the guard refuses some and passes others, and
    some it passes the engine plans (a clause hidden in a comment or a string)."""
    rng = random.Random(5)
    texts = [_filled(graph, generated_text(rng.choice, CLAUSES)) for _ in range(400)]
    passed = [t for t in texts if _passes_guard(t, False)]
    planned = [t for t in passed if engine_plan(graph["connection"], t)["outcome"] == "plan"]
    assert 20 <= len(passed) <= 380 and len(planned) >= 5, (len(passed), len(planned))


def test_table_functions_the_tokens_pass_are_planned_without_a_crash(tmp_path):
    """Texts with table functions that may crash LadybugDB (CALL read_csv_serial…), glued to their ``(`` in
    every way: those the guard passes are planned in a process of their own, which must not die, and each
    is refused by the engine or planned as a read."""
    graph = _store(tmp_path)
    graph["connection"].close()  # the store is the other process's alone
    rng = random.Random(11)
    texts = [_filled(graph, generated_text(rng.choice, CRASHING)) for _ in range(300)]
    passed = [(f"t{i}", t) for i, t in enumerate(texts) if _passes_guard(t, True)]
    assert len(passed) >= 20
    request = {"store": str(graph["store"]), "explain": True, "attacks": passed}
    done = subprocess.run([sys.executable, "-m", "tests.stores.bypass"], input=json.dumps(request), cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    readings = {line["name"]: line for line in map(json.loads, done.stdout.splitlines())}
    assert done.returncode == 0, (list(readings.values())[-1:], done.stderr[-2000:])
    for name, text in passed:
        _check_engine_agrees(readings[name], True)
    assert "LINKGRAPH-SECRET" not in done.stdout + done.stderr and not graph["out"].exists()
