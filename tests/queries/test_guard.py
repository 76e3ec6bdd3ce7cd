"""The guard of ad hoc queries, without a store: the tokens, the token checks, the reading of plans."""

import pytest
from hypothesis import given, settings

from queries import guard
from queries.catalog import QueryError
from tests.stores.bypass import ATTACKS, BASES, SEPARATORS, attack_texts, mutations


def texts(cypher: str) -> list[str]:
    return [t.text for t in guard.words(cypher)]


@pytest.mark.parametrize("cypher, expected", [
    ("LIMIT 1LOAD", ["LIMIT", "1", "LOAD"]),
    ("LIMIT 1CALL x", ["LIMIT", "1", "CALL", "x"]),
    ("RETURN 1.5e-3COPY", ["RETURN", "1.5e-3", "COPY"]),
    ("RETURN 0x1F", ["RETURN", "0", "x1F"]),
    ("RETURN 'a\\'' LOAD", ["RETURN", "'a\\''", "LOAD"]),
    ("RETURN '\\\\' LOAD", ["RETURN", "'\\\\'", "LOAD"]),
    ('RETURN "a\\"b" LOAD', ["RETURN", '"a\\"b"', "LOAD"]),
    ("RETURN 'it''s'", ["RETURN", "'it'", "'s'"]),  # LadybugDB 0.22 has no '' escape (a syntax error)
    ("RETURN `a``b` AS `LOAD`", ["RETURN", "`a``b`", "AS", "`LOAD`"]),
    ("RETURN 1 // LOAD\nLIMIT 1", ["RETURN", "1", "LIMIT", "1"]),
    ("RETURN 1 // LOAD\r\nLIMIT 1", ["RETURN", "1", "LIMIT", "1"]),
    ("RETURN 1 // c\rLOAD", ["RETURN", "1", "/", "/", "c", "LOAD"]),  # a lone \r does not end a comment
    ("RETURN 1 // c\u2028LOAD", ["RETURN", "1"]),  # nor does \u2028: the comment runs to the end
    ("RETURN 1 /* LOAD */ LIMIT 1", ["RETURN", "1", "LIMIT", "1"]),
    ("RETURN 1 /* ** / */LIMIT", ["RETURN", "1", "LIMIT"]),
    ("RETURN 1 /* LOAD", ["RETURN", "1", "/", "*", "LOAD"]),  # unterminated: no comment at all
    ("ＬＯＡＤ FROM", ["ＬＯＡＤ", "FROM"]),
    ("RETURN\u00a0\u3000\u2003\t\v\f\u2028\u2029\u001f1", ["RETURN", "1"]),
    ("RETURN 1\u0085LOAD", ["RETURN", "1", "\u0085", "LOAD"]),  # NEL is no space for LadybugDB
    ("LOAD\u200bFROM", ["LOAD", "\u200b", "FROM"]),
])
def test_the_lexer_cuts_as_the_engine_does(cypher, expected):
    assert texts(cypher) == expected


def test_token_kinds_words_and_names():
    found = guard.words("MATCH (n:Project) CALL `show_tables`() RETURN n.use, count(*)")
    assert [(t.kind, t.word, t.name) for t in found[:4]] == [
        ("word", "MATCH", "MATCH"), ("(", None, None), ("word", "N", "N"), (":", None, None)]
    assert [t.text for t in guard.clause_words(found)] == [
        "MATCH", "(", "n", ":", ")", "CALL", "`show_tables`", "(", ")", "RETURN", "n", ".", ",", "count", "(", "*", ")"]
    assert list(guard.invoked(found)) == ["MATCH", "SHOW_TABLES", "COUNT"]  # a superset of the functions
    assert guard.words("RETURN 'x'")[1].kind == "string" and guard.words("RETURN 'x'")[1].word is None


REFUSED = [
    ("MATCH (n) WITH n LIMIT 1LOAD FROM '/etc/shadow' RETURN *", True, "may not use LOAD: files"),
    ("COPY (MATCH (n) RETURN n) TO '/tmp/x.csv'", True, "may not use COPY"),
    ("ATTACH 'x.db' AS x (dbtype duckdb)", True, "may not use ATTACH"),
    ("DETACH x", True, "may not use DETACH"),
    ("USE x", True, "may not use USE"),
    ("INSTALL httpfs", True, "may not use INSTALL"),
    ("EXPORT DATABASE '/tmp/x'", True, "may not use EXPORT"),
    ("RETURN 1; RETURN 2", True, "run one statement at a time"),
    ("RETURN 1 ;\n// c\nRETURN 2", True, "run one statement at a time"),
    ("COMMIT", True, "may not use COMMIT: the store runs each query in a transaction of its own"),
    ("CHECKPOINT", True, "may not use CHECKPOINT"),
    ("CALL timeout=0", True, "may not CALL timeout"),
    ("CALL clear_warnings() RETURN *", True, "may not CALL clear_warnings"),
    ("CALL `read_csv_serial`('/etc/passwd') RETURN *", True, "may not CALL `read_csv_serial`"),
    ("RETURN READ_NPY('/etc/passwd')", True, "may not use read_npy: it reads files"),
    ("MATCH (n) WHERE EXISTS { MATCH (m) WHERE read_parquet('x') } RETURN n", True, "may not use read_parquet"),
    ("RETURN nextval('s')", False, r"this query writes \(nextval\)"),
    ("MATCH (n) DETACH DELETE n", False, r"this query writes \(DELETE\)"),
    ("match (t:Town) set t.name = 'x'", False, r"this query writes \(SET\)"),
    ("CREATE NODE TABLE X(id STRING PRIMARY KEY)", False, r"this query writes \(CREATE\)"),
]


@pytest.mark.parametrize("cypher, even_with_write, message", REFUSED)
def test_refusals_say_why_in_one_line_chinese_first(cypher, even_with_write, message):
    with pytest.raises(QueryError, match=message) as refused:
        guard.check_query(cypher, backend="ladybug")
    text = str(refused.value)
    assert len(text.splitlines()) == 1 and "\u4e00" <= text[0] <= "\u9fff" and " / " in text
    if even_with_write:
        with pytest.raises(QueryError, match=message):
            guard.check_query(cypher, write=True, backend="ladybug")
    else:
        guard.check_query(cypher, write=True, backend="ladybug")


@pytest.mark.parametrize("cypher", [
    "MATCH (v:Village)-[:PART_OF]->(t:Town {name: $town}) RETURN v.id AS id ORDER BY id",
    "MATCH (p:Project) RETURN p.name AS `load`, 'COPY x TO y; LOAD FROM z' AS s // SET\n/* DELETE */",
    "CALL show_tables() RETURN *",
    "CALL TABLE_INFO('Village') RETURN *",
    "MATCH (n) RETURN COUNT { MATCH (n)--(m) } AS degree, EXISTS { MATCH (n)--() } AS tied",
    "EXPLAIN MATCH (n) RETURN n;",
    "UNWIND [1, 2] AS x RETURN x UNION RETURN 3 AS x",
])
def test_reads_pass(cypher):
    guard.check_query(cypher, backend="ladybug")


def test_neo4j_keeps_its_procedures_and_is_still_kept_from_files():
    guard.check_query("CALL db.labels() YIELD label RETURN label")
    with pytest.raises(QueryError, match="may not use LOAD"):
        guard.check_query("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line")


def test_every_attack_of_the_corpus_is_refused_by_the_tokens_unless_the_engine_cannot_parse_it():
    """The attacks the engine takes as syntax errors (fullwidth or homoglyph keywords, a backtick `LOAD`,
    a soft hyphen inside LOAD) are the ones the tokens let through; all others are refused here."""
    unparsable = {"load_fullwidth", "load_cyrillic_o", "load_backticked", "load_soft_hyphen", "copy_fullwidth",
                  "write_fullwidth"}
    passed = []
    for name, kind, cypher in ATTACKS + mutations(200):
        try:
            guard.check_query(cypher, write=kind != "write", backend="ladybug")
            passed.append(name)
        except QueryError:
            pass
    assert set(passed) == unparsable


@settings(max_examples=300, deadline=None)
@given(attack_texts())
def test_attacks_spread_over_comments_spaces_case_and_glue_are_refused(attack):
    kind, cypher = attack
    with pytest.raises(QueryError):
        guard.check_query(cypher, write=kind != "write", backend="ladybug")


def test_the_mutations_use_every_separator_and_glue():
    made = "".join(cypher for _, _, cypher in mutations(200))
    assert all(sep in made for sep in SEPARATORS) and "1LOAD".lower() in made.lower()
    assert len(BASES) == 8 and len(ATTACKS) >= 100


PLAN = """┌─────────────────────────────┐
│┌───────────────────────────┐│
││       Physical Plan       ││
│└───────────────────────────┘│
└─────────────────────────────┘
┌─────────────────────────────┐
│     RESULT_COLLECTOR[2]     │
│      Expressions: a.id      │
│         COPY_TO[9]          │
└──────────────┬──────────────┘
┌──────────────┴──────────────┐ ┌─────────────────────────────┐
│   TABLE_FUNCTION_CALL[0]    │ │     SCAN_NODE_TABLE[1]      │
│    Function: SHOW_TABLES    │ │          Tables: T          │
└─────────────────────────────┘ └─────────────────────────────┘
"""


def test_a_plan_is_read_as_its_operators_and_functions():
    operators, functions = guard.plan_operators(PLAN)
    assert operators == ["RESULT_COLLECTOR", "COPY_TO", "TABLE_FUNCTION_CALL", "SCAN_NODE_TABLE"]
    assert functions == ["SHOW_TABLES"]


@pytest.mark.parametrize("plan, write, message", [
    (PLAN, True, "may not run LadybugDB's operator COPY_TO"),  # a name a query chose can only add refusals
    ("│ RESULT_COLLECTOR[1] │\n│ SET_PROPERTY[0] │", False, r"writes \(SET_PROPERTY, in LadybugDB's plan\)"),
    ("│ ATTACH_DATABASE[0] │", True, "may not run LadybugDB's operator ATTACH_DATABASE"),
    ("│ SOMETHING_NEW[0] │", False, "may not run LadybugDB's operator SOMETHING_NEW"),
    ("│ TABLE_FUNCTION_CALL[0] │\n│ Function: READ_CSV_SERIAL │", True, "may not call read_csv_serial"),
    ("│ TABLE_FUNCTION_CALL[0] │", True, "may not call this table function"),
])
def test_plans_are_refused(plan, write, message):
    with pytest.raises(QueryError, match=message):
        guard.check_plan(plan, write=write)


def test_plans_that_read_or_write_when_asked_pass():
    guard.check_plan(PLAN.replace("COPY_TO[9]", "a.id"))
    guard.check_plan("│ SET_PROPERTY[1] │\n│ TABLE_FUNCTION_CALL[0] │\n│ Function: READ_FTABLE │", write=True)


@pytest.mark.parametrize("cypher, expected", [
    ("MATCH (n) RETURN n", "EXPLAIN MATCH (n) RETURN n"),
    ("explain MATCH (n) RETURN n", "EXPLAIN MATCH (n) RETURN n"),
    ("PROFILE /* x */ RETURN 1", "EXPLAIN RETURN 1"),
])
def test_the_plan_is_asked_with_explain(cypher, expected):
    assert guard.explain(cypher) == expected


def test_the_catalogs_queries_pass_as_ad_hoc_queries():
    """A planner may paste a named query's text (linkgraph query NAME --cypher) into linkgraph cypher."""
    from queries.catalog import default_catalog

    for query in default_catalog().values():
        guard.check_query(query.cypher("ladybug"), backend="ladybug")
        guard.check_query(query.cypher("neo4j"))
