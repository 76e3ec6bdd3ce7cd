"""Attempts to get past the guard of ad hoc queries on LadybugDB (:mod:`queries.guard`), as plain data.

``ATTACKS`` are (name, kind, cypher); ``{secret}`` stands for a file with a marker that must never be read,
``{out}`` for a file that must never be written. Kinds: ``file`` (reaches files, extensions or other
databases: refused even with --write), ``crash`` (crashed LadybugDB 0.22 in a bare connection:
docs/upstream/ladybug-crashes.md; refused always), ``session`` (transaction control, settings, session
state: refused always), ``multi`` (more than one statement), ``write`` (refused unless --write).
``mutations`` spreads each base attack over comments, unicode spaces, line ends, case and glued numbers;
``attack_texts`` is the hypothesis strategy that does the same at random.

Run as ``python -m tests.stores.bypass`` (a JSON request on standard input: store, write, attacks), it runs
each attack through ``EmbeddedStore.query`` and prints one JSON line per attack, so that a test can run the
attacks in a process of their own: a crash of the engine then fails the test instead of killing pytest.
With ``"explain": true`` in the request it only asks LadybugDB for each text's plan (:func:`explain_each`).
"""

from __future__ import annotations

import json
import random
import sys

from hypothesis import strategies as st

S = "'{secret}'"
CSV = "(file_format='csv', header=false, delim='|')"

ATTACKS: list[tuple[str, str, str]] = [
    # files: LOAD FROM in every position
    ("load_from", "file", f"LOAD FROM {S} {CSV} RETURN *"),
    ("load_with_headers", "file", f"LOAD WITH HEADERS (a STRING) FROM {S} {CSV} RETURN a"),
    ("load_glued_to_limit", "file", f"MATCH (n) WITH n LIMIT 1LOAD WITH HEADERS (a STRING) FROM {S} {CSV} RETURN a"),
    ("load_glued_to_skip", "file", f"MATCH (n) WITH n SKIP 0LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_unwind", "file", f"UNWIND [1] AS x LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_match", "file", f"MATCH (v:Village) LOAD FROM {S} {CSV} RETURN *"),
    ("load_lowercase", "file", f"load from {S} {CSV} return *"),
    ("load_mixed_case", "file", f"LoAd FrOm {S} {CSV} ReTuRn *"),
    ("load_where", "file", f"LOAD FROM {S} {CSV} WHERE true RETURN *"),
    ("load_from_list", "file", f"LOAD FROM [{S}] {CSV} RETURN *"),
    ("load_from_glob", "file", f"LOAD FROM GLOB({S}) {CSV} RETURN *"),
    ("load_from_function", "file", f"LOAD FROM read_csv_serial({S}) RETURN *"),
    ("load_from_subquery", "file", f"LOAD FROM (MATCH (v:Village) RETURN v.id) RETURN *"),
    ("load_from_parameter", "file", "LOAD FROM $rows RETURN *"),
    ("load_from_variable", "file", "LOAD FROM ATTACKS RETURN *"),
    ("load_in_union", "file", f"RETURN '1' AS a UNION LOAD WITH HEADERS (a STRING) FROM {S} {CSV} RETURN a"),
    ("load_in_union_all", "file", f"RETURN '1' AS a UNION ALL LOAD WITH HEADERS (a STRING) FROM {S} {CSV} RETURN a"),
    ("load_in_exists", "file", f"MATCH (n) WHERE EXISTS {{ LOAD FROM {S} RETURN * }} RETURN n.id"),
    ("load_in_count", "file", f"MATCH (n) RETURN COUNT {{ LOAD FROM {S} RETURN * }}"),
    ("load_in_call_block", "file", f"CALL {{ LOAD FROM {S} {CSV} RETURN * }} RETURN 1"),
    ("load_after_string_escape", "file", f"RETURN 'a\\'' AS x LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_backslash_string", "file", f"RETURN '\\\\' AS x LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_double_quote_escape", "file", f'RETURN "a\\"" AS x LOAD FROM {S} {CSV} RETURN *'),
    ("load_after_comment_cr", "file", f"RETURN 1 // c\rLOAD FROM {S} {CSV} RETURN *"),
    ("load_after_comment_crlf", "file", f"MATCH (n) // c\r\nLOAD FROM {S} {CSV} RETURN *"),
    ("load_after_block_comment", "file", f"MATCH (n) /* c */LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_star_comment", "file", f"MATCH (n) /* ** / */ LOAD FROM {S} {CSV} RETURN *"),
    ("load_in_unterminated_comment", "file", f"MATCH (n) WITH n LIMIT 1 /* LOAD FROM {S} RETURN *"),
    ("load_after_nel", "file", f"MATCH (n) WITH n LIMIT 1\u0085LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_line_separator", "file", f"MATCH (n) WITH n LIMIT 1\u2028LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_nbsp", "file", f"MATCH (n) WITH n LIMIT 1\u00a0LOAD\u00a0FROM {S} {CSV} RETURN *"),
    ("load_after_ideographic_space", "file", f"MATCH (n) WITH n LIMIT 1\u3000LOAD\u3000FROM {S} {CSV} RETURN *"),
    ("load_after_em_space", "file", f"MATCH (n) WITH n LIMIT 1\u2003LOAD FROM {S} {CSV} RETURN *"),
    ("load_after_vertical_tab", "file", f"MATCH (n) WITH n LIMIT 1\vLOAD\fFROM {S}\t{CSV} RETURN *"),
    ("load_after_unit_separator", "file", f"MATCH (n) WITH n LIMIT 1\u001fLOAD FROM {S} {CSV} RETURN *"),
    ("load_fullwidth", "file", f"ＬＯＡＤ ＦＲＯＭ {S} {CSV} RETURN *"),
    ("load_cyrillic_o", "file", f"LОAD FROM {S} {CSV} RETURN *"),
    ("load_backticked", "file", f"`LOAD` FROM {S} {CSV} RETURN *"),
    ("load_soft_hyphen", "file", f"LO\u00adAD FROM {S} {CSV} RETURN *"),
    ("load_zero_width_space", "file", f"LOAD\u200bFROM {S} {CSV} RETURN *"),
    # files: table functions in every position
    ("call_read_csv_parallel", "crash", f"CALL read_csv_parallel({S}) RETURN *"),
    ("call_read_csv_serial", "crash", f"CALL read_csv_serial({S}) RETURN *"),
    ("call_read_parquet", "crash", f"CALL read_parquet({S}) RETURN *"),
    ("call_read_npy", "crash", f"CALL read_npy({S}) RETURN *"),
    ("call_read_csv_etc_passwd", "crash", "CALL read_csv_serial('/etc/passwd') RETURN *"),
    ("call_read_json", "file", f"CALL read_json({S}) RETURN *"),
    ("call_read_pandas", "file", "CALL read_pandas(0) RETURN *"),
    ("call_read_csv_uppercase", "crash", f"CALL READ_CSV_SERIAL({S}) RETURN *"),
    ("call_read_csv_backticked", "crash", f"CALL `read_csv_serial`({S}) RETURN *"),
    ("call_read_csv_spaced", "crash", f"CALL read_csv_serial /* x */ ({S}) RETURN *"),
    ("call_glued_to_limit", "crash", f"MATCH (n) WITH n LIMIT 1CALL read_csv_serial({S}) RETURN *"),
    ("call_glued_to_return", "crash", f"RETURN 1CALL read_csv_parallel({S}) RETURN *"),
    ("call_in_query_where", "crash", f"MATCH (n) CALL read_csv_parallel({S}) WHERE true RETURN *"),
    ("call_yield", "crash", f"CALL read_csv_serial({S}) YIELD column0 RETURN column0"),
    ("call_in_union", "crash", f"RETURN 1 AS x UNION CALL read_npy({S}) RETURN *"),
    ("call_in_exists", "crash", f"MATCH (n) WHERE EXISTS {{ MATCH (m) WHERE size(read_parquet({S})) > 0 }} RETURN n"),
    ("table_function_in_expression", "file", f"RETURN read_csv_serial({S}) AS x"),
    ("table_function_in_where", "file", f"MATCH (n) WHERE read_npy({S}) IS NULL RETURN n.id"),
    ("table_function_in_list", "file", f"RETURN [read_parquet({S})] AS x"),
    ("table_function_in_count", "file", f"MATCH (n) RETURN COUNT {{ MATCH (m) WHERE read_csv_serial({S}) }}"),
    ("file_info", "file", "CALL file_info() RETURN *"),
    ("storage_info", "file", "CALL storage_info('Village') RETURN *"),
    # files: COPY, databases, extensions
    ("copy_to", "file", "COPY (MATCH (n:Village) RETURN n.id) TO '{out}'"),
    ("copy_to_parquet", "file", "COPY (MATCH (n:Village) RETURN n.id) TO '{out}' (format='parquet')"),
    ("copy_to_lowercase", "file", "copy (MATCH (n:Village) RETURN n.id) to '{out}'"),
    ("copy_from", "file", f"COPY Village FROM {S}"),
    ("copy_after_limit", "file", "MATCH (n) WITH n LIMIT 1COPY (MATCH (n:Village) RETURN n.id) TO '{out}'"),
    ("copy_in_union", "file", "RETURN 1 AS x UNION COPY (MATCH (n:Village) RETURN n.id) TO '{out}'"),
    ("copy_in_exists", "file", "MATCH (n) WHERE EXISTS { COPY (MATCH (m) RETURN m.id) TO '{out}' } RETURN n"),
    ("copy_fullwidth", "file", "ＣＯＰＹ (MATCH (n:Village) RETURN n.id) TO '{out}'"),
    ("export_database", "file", "EXPORT DATABASE '{out}'"),
    ("import_database", "file", f"IMPORT DATABASE {S}"),
    ("attach", "file", f"ATTACH {S} AS other (dbtype duckdb)"),
    ("attach_lbug", "file", f"ATTACH {S} AS other (dbtype lbug)"),
    ("use", "file", "USE other"),
    ("detach", "file", "DETACH other"),
    ("install", "file", "INSTALL httpfs"),
    ("force_install", "file", "FORCE INSTALL httpfs"),
    ("uninstall", "file", "UNINSTALL httpfs"),
    ("update_extension", "file", "UPDATE httpfs"),
    ("load_extension", "file", f"LOAD EXTENSION {S}"),
    ("load_extension_short", "file", "LOAD httpfs"),
    # session: transactions, settings, session state
    ("begin", "session", "BEGIN TRANSACTION"),
    ("commit", "session", "COMMIT"),
    ("rollback", "session", "ROLLBACK"),
    ("checkpoint", "session", "CHECKPOINT"),
    ("setting_timeout", "session", "CALL timeout=0"),
    ("setting_threads", "session", "CALL threads=1"),
    ("setting_home_directory", "session", "CALL current_setting('home_directory') RETURN *"),
    ("setting_file_search_path", "session", "MATCH (t:Town) WITH t LIMIT 1 CALL current_setting('file_search_path') "
     "RETURN *"),
    ("clear_warnings", "session", "CALL clear_warnings() RETURN *"),
    ("project_graph", "session", "CALL project_graph('g', ['Village'], ['PART_OF']) RETURN *"),
    ("drop_projected_graph", "session", "CALL drop_projected_graph('g') RETURN *"),
    ("cache_array_column", "session", "CALL _cache_array_column_locally('Village', 'aliases') RETURN *"),
    # more than one statement
    ("two_returns", "multi", "RETURN 1; RETURN 2"),
    ("return_then_load", "multi", f"RETURN 1;LOAD FROM {S} {CSV} RETURN *"),
    ("return_then_delete", "multi", "RETURN 1 ; /* x */ MATCH (n) DETACH DELETE n"),
    ("return_then_copy", "multi", "RETURN 1;\nCOPY (MATCH (n) RETURN n.id) TO '{out}'"),
    # writes
    ("create_node", "write", "CREATE (:Town {id: 'x', name: 'x'})"),
    ("merge_node", "write", "MERGE (t:Town {id: 'x'}) RETURN t.id"),
    ("set_property", "write", "MATCH (t:Town) SET t.name = 'x'"),
    ("delete_node", "write", "MATCH (n:Village) DETACH DELETE n"),
    ("delete_lowercase", "write", "match (n:Village) detach delete n"),
    ("delete_glued", "write", "MATCH (n:Village) WITH n LIMIT 1DELETE n"),
    ("remove_property", "write", "MATCH (t:Town) REMOVE t.name"),
    ("drop_table", "write", "DROP TABLE Village"),
    ("alter_table", "write", "ALTER TABLE Town ADD x STRING"),
    ("rename_table", "write", "ALTER TABLE Town RENAME TO Place"),
    ("create_node_table", "write", "CREATE NODE TABLE Hacked(id STRING PRIMARY KEY)"),
    ("create_macro", "write", "CREATE MACRO hacked(x) AS x + 1"),
    ("create_sequence", "write", "CREATE SEQUENCE hacked"),
    ("nextval", "write", "RETURN nextval('hacked')"),
    ("comment_on", "write", "COMMENT ON TABLE Town IS 'x'"),
    ("write_in_with", "write", "MATCH (t:Town) WITH t LIMIT 1 SET t.name = 'x' RETURN t.name"),
    ("write_after_union", "write", "RETURN 1 AS x UNION MATCH (t:Town) SET t.name = 'x' RETURN 1 AS x"),
    ("write_in_exists", "write", "MATCH (t:Town) WHERE EXISTS { MATCH (t) SET t.name = 'x' } RETURN t.id"),
    ("write_fullwidth", "write", "ＭＡＴＣＨ (t:Town) ＳＥＴ t.name = 'x'"),
    ("write_after_comment_cr", "write", "MATCH (t:Town) // c\rSET t.name = 'x'"),
]
"""(name, kind, cypher) of every base attempt."""

SEPARATORS = (" ", "\t", "\n", "\r\n", "\r", "\v", "\f", "\u00a0", "\u3000", "\u2003", "\u2028", "\u2029",
              "/* x */", "/**/", "// x\n", "// x\r\n", " /* LOAD */ ")
"""What the engine's lexer takes as a space between tokens (comments included)."""

BASES: list[tuple[str, str, list[str]]] = [
    ("load_from", "file", ["LOAD", "FROM", S, CSV, "RETURN", "*"]),
    ("load_after_limit", "file", ["MATCH", "(n)", "WITH", "n", "LIMIT", "1", "LOAD", "FROM", S, CSV, "RETURN", "*"]),
    ("call_read_csv", "crash", ["CALL", "read_csv_serial", f"({S})", "RETURN", "*"]),
    ("call_after_limit", "crash", ["MATCH", "(n)", "WITH", "n", "LIMIT", "1", "CALL", "read_npy", f"({S})",
                                   "RETURN", "*"]),
    ("copy_to", "file", ["COPY", "(MATCH", "(n)", "RETURN", "n.id)", "TO", "'{out}'"]),
    ("attach", "file", ["ATTACH", S, "AS", "other", "(dbtype", "duckdb)"]),
    ("detach_delete", "write", ["MATCH", "(n)", "DETACH", "DELETE", "n"]),
    ("set", "write", ["MATCH", "(t:Town)", "SET", "t.name", "=", "'x'"]),
]
"""Base attacks as words, to be joined by :data:`SEPARATORS` in :func:`mutations` and :func:`attack_texts`."""


def _recase(word: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word) if word.isalpha() else word


def _join(words: list[str], seps: list[str], cases: list[bool], rng: random.Random) -> str:
    """``words`` joined by ``seps``; a number and the word after it glued (``1LOAD``) where the separator
    drawn is ``""``."""
    text = ""
    for word, sep, recase in zip(words, seps, cases):
        text += (sep if text else "") + (_recase(word, rng) if recase else word)
    return text


def mutations(count: int, seed: int = 17) -> list[tuple[str, str, str]]:
    """``count`` attacks made from :data:`BASES`: each space a separator drawn from :data:`SEPARATORS` (or
    none after a number), keywords in random case. The same for a seed, so that a failure repeats."""
    rng = random.Random(seed)
    made = []
    for i in range(count):
        name, kind, words = BASES[i % len(BASES)]
        seps = [rng.choice(SEPARATORS + (("",) if prev.isdigit() else ())) for prev in ["", *words[:-1]]]
        made.append((f"{name}_mutated_{i}", kind, _join(words, seps, [rng.random() < 0.5] * len(words), rng)))
    return made


@st.composite
def attack_texts(draw) -> tuple[str, str]:
    """(kind, cypher) of a base attack with random separators, case and glue (hypothesis strategy)."""
    _, kind, words = draw(st.sampled_from(BASES))
    seps = [draw(st.sampled_from(SEPARATORS + (("",) if prev.isdigit() else ()))) for prev in ["", *words[:-1]]]
    cases = [draw(st.booleans()) for _ in words]
    return kind, _join(words, seps, cases, random.Random(draw(st.integers(0, 2**16))))


def run(request: dict) -> None:
    """Run each attack of ``request`` through ``EmbeddedStore.query``; print one JSON line per attack:
    its name and outcome (``refused``: our QueryError; ``engine``: LadybugDB's error; ``ran``: rows)."""
    from graph_model.schema import default_schema
    from queries.catalog import QueryError
    from stores.base import StoreError
    from stores.embedded import EmbeddedStore

    write = request["write"]
    with EmbeddedStore(request["store"], default_schema(), read_only=not write) as store:
        for name, cypher in request["attacks"]:
            print(json.dumps({"name": name, "outcome": "started"}), flush=True)
            try:
                answer = store.query(cypher, {"rows": [1]} if "$rows" in cypher else None, write=write, timeout=20)
                outcome = {"outcome": "ran", "message": repr(answer.rows)[:2000]}
            except QueryError as err:
                outcome = {"outcome": "refused", "message": str(err)}
            except StoreError as err:
                outcome = {"outcome": "engine", "message": str(err)}
            print(json.dumps({"name": name, **outcome}, ensure_ascii=False), flush=True)


def engine_plan(connection, cypher: str) -> dict[str, str]:
    """LadybugDB's own reading of ``cypher``, through ``connection`` (a ``ladybug.Connection``), without
    running it: ``{"outcome": "plan", "message": <the EXPLAIN plan>}``, or ``{"outcome": "engine",
    "message": <its error>}`` when it refuses the text (a syntax error, more than one statement: a prepared
    statement is one statement, so nothing after a ';' the engine sees ever runs)."""
    import warnings

    from queries.guard import explain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # prepare: the one call that refuses two statements
        prepared = connection.prepare(explain(cypher))
    if not prepared.is_success():
        return {"outcome": "engine", "message": prepared.get_error_message()}
    try:
        return {"outcome": "plan", "message": connection.execute(prepared).get_next()[0]}
    except RuntimeError as err:
        return {"outcome": "engine", "message": str(err)}


def explain_each(request: dict) -> None:
    """Plan each text of ``request`` (store, attacks) in a read-only LadybugDB (``EXPLAIN``, never run);
    print one JSON line per text: its name and :func:`engine_plan`, after a ``started`` line, so that a
    crash of the engine names the text that caused it."""
    import ladybug

    connection = ladybug.Connection(ladybug.Database(request["store"], read_only=True))
    for name, cypher in request["attacks"]:
        print(json.dumps({"name": name, "outcome": "started"}), flush=True)
        print(json.dumps({"name": name, **engine_plan(connection, cypher)}), flush=True)  # ASCII: one line each


if __name__ == "__main__":
    REQUEST = json.load(sys.stdin)
    if REQUEST.get("explain"):
        explain_each(REQUEST)
    else:
        run(REQUEST)
