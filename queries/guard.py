"""What an ad hoc query may do: read the graph, never files, and write only when asked.

The stores enforce read-only access themselves (Neo4j sessions in READ mode,
LadybugDB transactions READ ONLY); this module adds what they do not: LadybugDB
lets a read-only database ``COPY … TO`` a file and ``LOAD FROM`` any file, its
table functions read files (``read_csv_parallel``) or change session state
(``drop_projected_graph``), and Neo4j's ``LOAD CSV`` reads files too. Such
clauses are refused before a query runs, with a message that says why; on
LadybugDB only the introspection functions of :data:`LADYBUG_CALLS` may be
called. Words inside string literals, quoted names and comments do not count.

>>> check_query("MATCH (n:Village) WHERE n.name = 'COPY' RETURN n.name // LOAD")
>>> check_query("COPY (MATCH (n) RETURN n.id) TO '/tmp/x.csv'")
Traceback (most recent call last):
queries.catalog.QueryError: ad hoc queries may not use COPY (files, extensions and other databases are out of reach / 不能读写文件或扩展) (hint 提示: load data with linkgraph load; export with linkgraph export)
>>> check_query("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
queries.catalog.QueryError: this query writes (DELETE) and ad hoc queries are read-only / 查询会修改数据，临时查询只读 (hint 提示: add --write to change the store; changes made so have no source, and the next load of a source does not know them)
>>> check_query("MATCH (n) DETACH DELETE n", write=True)
"""

from __future__ import annotations

import re

from queries.catalog import QueryError

FILE_WORDS = ("COPY", "LOAD", "EXPORT", "IMPORT", "INSTALL", "ATTACH", "DETACH DATABASE", "USE")
LADYBUG_CALLS = ("SHOW_TABLES", "TABLE_INFO", "SHOW_FUNCTIONS", "SHOW_INDEXES", "SHOW_CONNECTION", "CURRENT_SETTING",
                 "DB_VERSION", "STORAGE_VERSION", "CATALOG_VERSION", "SHOW_MACROS", "SHOW_SEQUENCES", "SHOW_WARNINGS")
WRITE_WORDS = ("CREATE", "MERGE", "SET", "DELETE", "REMOVE", "DROP", "ALTER", "CHECKPOINT")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


def clauses(cypher: str) -> str:
    """The query in capitals with string literals, quoted names and comments blanked out."""
    return " " + _QUOTED.sub(" ", cypher).upper().replace("\n", " ") + " "


def check_query(cypher: str, *, write: bool = False, backend: str | None = None) -> None:
    """Refuse a query that reaches files (always) or writes (unless ``write``); on ``ladybug``, a CALL
    of anything but an introspection function."""
    text = clauses(cypher)
    if backend == "ladybug":
        for name in re.findall(r"\bCALL\s+([A-Z_][A-Z0-9_]*)", text):
            if name not in LADYBUG_CALLS:
                raise QueryError(f"ad hoc queries may not CALL {name.lower()} (only {', '.join(c.lower() for c in LADYBUG_CALLS)}) "
                                 "/ 该函数可读写文件或更改状态")
    for word in FILE_WORDS:
        if re.search(rf"\b{word}\b", text):
            raise QueryError(f"ad hoc queries may not use {word} (files, extensions and other databases are out of "
                             "reach / 不能读写文件或扩展) (hint 提示: load data with linkgraph load; export with "
                             "linkgraph export)")
    if not write:
        for word in WRITE_WORDS:
            if re.search(rf"\b{word}\b", text):
                raise QueryError(f"this query writes ({word}) and ad hoc queries are read-only / 查询会修改数据，临时查询只读 "
                                 "(hint 提示: add --write to change the store; changes made so have no source, and the "
                                 "next load of a source does not know them)")
