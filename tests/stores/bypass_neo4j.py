"""Attempts to get past the read-only rule of ad hoc Cypher on Neo4j, as plain data.

Each attempt is ``(name, cypher, params)``. ``<FILE>`` and ``<HTTP>`` stand for
a file URL and an http:// URL the test provides (a file with a marker in it,
a local HTTP server that counts requests); :func:`concrete` fills them in.
Every attempt must be refused: by linkgraph's check of the server's plan, or
by the server itself (a syntax error, an unknown procedure); none may read a
file, fetch a URL, write, or change the server. :data:`TEMPLATES` are attacks
with ``§`` where separators go, for generated variants (comments, line breaks
of every kind, unicode spaces, glue, case).
"""

from __future__ import annotations

from typing import Any

LOAD = "LOAD CSV FROM '<URL>' AS l RETURN l"

SEPARATORS = {
    "line comment + CR": " // c\r",
    "line comment + CRLF": " // c\r\n",
    "line comment + LS": " // c\u2028",
    "line comment + PS": " // c\u2029",
    "line comment + NEL": " // c\u0085",
    "line comment + VT": " // c\u000b",
    "line comment + FF": " // c\u000c",
    "block comment": " /* c */ ",
    "empty block comment": "/**/",
    "nested-looking block comment": " /* /* c */ ",
    "block comment with newline": "/*\n// */ ",
    "CR": "\r",
    "LS": "\u2028",
    "NEL": "\u0085",
    "NBSP": "\u00a0",
    "ideographic space": "\u3000",
    "em space": "\u2003",
}

Attempt = tuple[str, str, dict[str, Any]]

FILES: list[Attempt] = [
    *[(f"after {label} ({where})", f"WITH 1 AS x{sep}{LOAD.replace('<URL>', where)}", {})
      for label, sep in SEPARATORS.items() for where in ("<FILE>", "<HTTP>")],
    # keywords: case, width, homoglyphs, glue, quoting
    ("lower case", "load csv from '<FILE>' as l return l", {}),
    ("mixed case", "lOaD cSv FrOm '<HTTP>' aS l ReTuRn l", {}),
    ("fullwidth LOAD", "ＬＯＡＤ CSV FROM '<FILE>' AS l RETURN l", {}),
    ("fullwidth LOAD CSV", "ＬＯＡＤ ＣＳＶ FROM '<HTTP>' AS l RETURN l", {}),
    ("Cyrillic O in LOAD", "LОAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("NBSP inside LOAD CSV", "LOAD\u00a0CSV FROM '<FILE>' AS l RETURN l", {}),
    ("glued to a number", "WITH 1LOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("glued to a name", "WITH 1 AS xLOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("backticked LOAD", "`LOAD` CSV FROM '<FILE>' AS l RETURN l", {}),
    ("backticked variable", "LOAD CSV FROM '<FILE>' AS `LOAD` RETURN `LOAD`", {}),
    ("with headers", "LOAD CSV WITH HEADERS FROM '<HTTP>' AS l RETURN l", {}),
    ("field terminator", "LOAD CSV FROM '<FILE>' AS l FIELDTERMINATOR ':' RETURN l", {}),
    ("URL as a parameter", "LOAD CSV FROM $url AS l RETURN l", {"url": "<FILE>"}),
    ("URL built from parts", "WITH 'fi' + 'le:' + '<FILE>' AS u LOAD CSV FROM substring(u, 5) AS l RETURN l", {}),
    ("periodic commit", "USING PERIODIC COMMIT LOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("CYPHER option first", "CYPHER runtime=slotted LOAD CSV FROM '<HTTP>' AS l RETURN l", {}),
    ("CYPHER 5 first", "CYPHER 5 LOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    # subqueries, UNION, subquery expressions
    ("CALL subquery", "CALL { LOAD CSV FROM '<FILE>' AS l RETURN l } RETURN l", {}),
    ("scoped CALL subquery", "CALL () { LOAD CSV FROM '<HTTP>' AS l RETURN l } RETURN l", {}),
    ("correlated CALL", "MATCH (n:Town) CALL (n) { LOAD CSV FROM '<FILE>' AS l RETURN l } RETURN l", {}),
    ("OPTIONAL CALL", "OPTIONAL CALL { LOAD CSV FROM '<FILE>' AS l RETURN l } RETURN l", {}),
    ("CALL IN TRANSACTIONS", "CALL { LOAD CSV FROM '<FILE>' AS l RETURN l } IN TRANSACTIONS RETURN l", {}),
    ("UNION", "RETURN 'x' AS l UNION LOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("UNION ALL", "MATCH (n:Town) RETURN n.name AS l UNION ALL LOAD CSV FROM '<HTTP>' AS l RETURN l", {}),
    ("EXISTS subquery", "MATCH (n:Town) WHERE EXISTS { LOAD CSV FROM '<FILE>' AS l RETURN l } RETURN n", {}),
    ("COUNT subquery", "RETURN COUNT { LOAD CSV FROM '<FILE>' AS l RETURN l } AS c", {}),
    ("COLLECT subquery", "RETURN COLLECT { LOAD CSV FROM '<FILE>' AS l RETURN l } AS c", {}),
    ("COUNT in a list comprehension", "RETURN [x IN [1] | COUNT { LOAD CSV FROM '<FILE>' AS l RETURN l }] AS c", {}),
    ("COLLECT in a CASE", "RETURN CASE WHEN rand() > 2 THEN [] ELSE COLLECT { LOAD CSV FROM '<HTTP>' AS l "
                          "RETURN l } END AS c", {}),
    ("CALL in COUNT in a list comprehension",
     "RETURN [x IN [1] | COUNT { CALL { LOAD CSV FROM '<FILE>' AS l RETURN l } RETURN l }] AS c", {}),
    ("FOREACH around LOAD", "FOREACH (x IN [1] | LOAD CSV FROM '<FILE>' AS l CREATE (:Hacked {l: l}))", {}),
]

WRITES: list[Attempt] = [  # refused without --write; with it, they are what --write is for
    ("CREATE", "CREATE (:Hacked {id: 'x'})", {}),
    ("MERGE", "MERGE (:Hacked {id: 'x'})", {}),
    ("SET", "MATCH (n:Town) SET n.name = 'hacked'", {}),
    ("REMOVE", "MATCH (n:Town) REMOVE n:Town", {}),
    ("DETACH DELETE", "MATCH (n) DETACH DELETE n", {}),
    ("FOREACH CREATE", "FOREACH (x IN [1] | CREATE (:Hacked))", {}),
    ("write in a CALL", "CALL { CREATE (:Hacked) } RETURN 1 AS one", {}),
    ("write in a correlated CALL", "MATCH (n:Town) CALL (n) { SET n.name = 'hacked' } RETURN count(*) AS c", {}),
    ("write in a UNION branch", "RETURN 1 AS x UNION MATCH (n:Town) SET n.name = 'hacked' RETURN 1 AS x", {}),
    ("delete IN TRANSACTIONS", "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS", {}),
    ("write after CR comment", "WITH 1 AS x // c\rCREATE (:Hacked)", {}),
    ("write after LS", "MATCH (n:Town)\u2028SET n.name = 'hacked'", {}),
    ("EXPLAIN prefixed write", "EXPLAIN CREATE (:Hacked)", {}),
    ("PROFILE prefixed write", "PROFILE CREATE (:Hacked)", {}),
    ("CYPHER prefixed write", "CYPHER runtime=slotted CREATE (:Hacked)", {}),
    ("write in a COUNT", "RETURN COUNT { CREATE (:Hacked) } AS c", {}),
]

PROCEDURES: list[Attempt] = [
    ("db.stats.collect", "CALL db.stats.collect('QUERIES')", {}),
    ("db.stats.retrieve", "CALL db.stats.retrieve('QUERIES')", {}),
    ("db.stats.retrieve yielded", "CALL db.stats.retrieve('QUERIES') YIELD data RETURN data", {}),
    ("db.stats.retrieveAllAnonymized", "CALL db.stats.retrieveAllAnonymized('x')", {}),
    ("db.stats.clear", "CALL db.stats.clear('QUERIES')", {}),
    ("db.stats.stop", "CALL db.stats.stop('QUERIES')", {}),
    ("db.stats.status", "CALL db.stats.status()", {}),
    ("db.stats.retrieve in reduce",
     "RETURN reduce(a = 0, x IN [1] | a + COUNT { CALL db.stats.retrieve('QUERIES') YIELD data RETURN data }) AS c",
     {}),
    ("db.stats.retrieve in a CALL", "CALL { CALL db.stats.retrieve('QUERIES') YIELD data RETURN data } RETURN data", {}),
    ("db.stats.collect after an allowed call",
     "CALL db.labels() YIELD label CALL db.stats.collect('QUERIES') YIELD section RETURN label, section", {}),
    ("spaced procedure name", "CALL db . stats . collect('QUERIES')", {}),
    ("backticked procedure name", "CALL `db`.`stats`.`collect`('QUERIES')", {}),
    ("upper-case procedure name", "CALL DB.STATS.COLLECT('QUERIES')", {}),
    ("db.clearQueryCaches", "CALL db.clearQueryCaches()", {}),
    ("db.clearQueryCaches in EXISTS",
     "WITH [1] AS xs RETURN [x IN xs WHERE EXISTS { CALL db.clearQueryCaches() YIELD value RETURN value }] AS c", {}),
    ("db.resampleOutdatedIndexes", "CALL db.resampleOutdatedIndexes()", {}),
    ("db.resampleIndex", "CALL db.resampleIndex('village_name')", {}),
    ("db.prepareForReplanning", "CALL db.prepareForReplanning()", {}),
    ("db.createLabel", "CALL db.createLabel('Hacked')", {}),
    ("db.createProperty", "CALL db.createProperty('hacked')", {}),
    ("db.createRelationshipType", "CALL db.createRelationshipType('HACKED')", {}),
    ("dbms.setConfigValue", "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')", {}),
    ("dbms.killQuery", "CALL dbms.killQuery('query-1')", {}),
    ("dbms.killConnection", "CALL dbms.killConnection('bolt-1')", {}),
    ("dbms.listConnections", "CALL dbms.listConnections()", {}),
    ("dbms.listConfig", "CALL dbms.listConfig()", {}),
    ("dbms.components", "CALL dbms.components()", {}),
    ("dbms.showCurrentUser", "CALL dbms.showCurrentUser()", {}),
    ("tx.setMetaData", "CALL tx.setMetaData({owner: 'hacked'})", {}),
    ("apoc.load.json", "CALL apoc.load.json('<HTTP>')", {}),
    ("apoc function", "RETURN apoc.text.join(['a'], '') AS x", {}),
]

COMMANDS: list[Attempt] = [
    ("TERMINATE TRANSACTIONS", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'", {}),
    ("TERMINATE TRANSACTION", "TERMINATE TRANSACTION 'neo4j-transaction-1'", {}),
    ("SHOW TRANSACTIONS", "SHOW TRANSACTIONS", {}),
    ("SHOW TRANSACTIONS query texts", "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery", {}),
    ("SHOW TRANSACTIONS after CR comment", "// c\rSHOW TRANSACTIONS", {}),
    ("SHOW PROCEDURES", "SHOW PROCEDURES", {}),
    ("SHOW FUNCTIONS", "SHOW FUNCTIONS", {}),
    ("SHOW SETTINGS", "SHOW SETTINGS", {}),
    ("SHOW INDEXES", "SHOW INDEXES", {}),
    ("SHOW CONSTRAINTS", "SHOW CONSTRAINTS", {}),
    ("SHOW USERS", "SHOW USERS", {}),
    ("SHOW CURRENT USER", "SHOW CURRENT USER", {}),
    ("SHOW DATABASES", "SHOW DATABASES", {}),
    ("CREATE INDEX", "CREATE INDEX hacked FOR (n:Village) ON (n.hacked)", {}),
    ("CREATE FULLTEXT INDEX", "CREATE FULLTEXT INDEX hacked_text FOR (n:Village) ON EACH [n.name]", {}),
    ("DROP INDEX", "DROP INDEX village_name", {}),
    ("CREATE CONSTRAINT", "CREATE CONSTRAINT hacked FOR (n:Hacked) REQUIRE n.id IS UNIQUE", {}),
    ("DROP CONSTRAINT", "DROP CONSTRAINT village_id", {}),
    ("CREATE DATABASE", "CREATE DATABASE hacked", {}),
    ("DROP DATABASE", "DROP DATABASE neo4j", {}),
    ("STOP DATABASE", "STOP DATABASE neo4j", {}),
    ("ALTER USER", "ALTER USER neo4j SET PASSWORD 'hacked-password'", {}),
    ("CREATE USER", "CREATE USER hacker SET PASSWORD 'hacked-password'", {}),
    ("USE system SHOW USERS", "USE system SHOW USERS", {}),
    ("USE system MATCH", "USE system MATCH (n) RETURN n", {}),
]

NOT_ONE_STATEMENT: list[Attempt] = [
    (":param", ":param url => '<FILE>'", {}),
    (":param then LOAD", ":param x => 1;\nLOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("two statements", "RETURN 1; RETURN 2", {}),
    ("read then LOAD", "RETURN 1 AS l; LOAD CSV FROM '<FILE>' AS l RETURN l", {}),
    ("read then write", "MATCH (n) RETURN count(n);\nCREATE (:Hacked)", {}),
    ("read then write after CR comment", "RETURN 1 // c\r; CREATE (:Hacked)", {}),
]

_ATTEMPTS = FILES + WRITES + PROCEDURES + COMMANDS + NOT_ONE_STATEMENT


def concrete(file_url: str, http_url: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The attempts with ``<FILE>`` and ``<HTTP>`` filled in (in the Cypher and in parameter values)."""
    def fill(text: str) -> str:
        return text.replace("<FILE>", file_url).replace("<HTTP>", http_url)

    return [(name, fill(cypher), {k: fill(v) for k, v in params.items()}) for name, cypher, params in _ATTEMPTS]


ATTEMPT_NAMES = [name for name, _, _ in _ATTEMPTS]
REFUSED_EVEN_WITH_WRITE = [attempt[0] for attempt in _ATTEMPTS if attempt not in WRITES]
"""Attempts refused with ``--write`` too: everything but the plain writes."""

# Attacks with § where a separator (a space, a comment, a line break, a unicode space, nothing) goes.
TEMPLATES = [
    "WITH§1§AS§x§LOAD§CSV§FROM§'<FILE>'§AS§l§RETURN§l",
    "LOAD§CSV§WITH§HEADERS§FROM§'<HTTP>'§AS§l§RETURN§l",
    "CALL§{§LOAD§CSV§FROM§'<FILE>'§AS§l§RETURN§l§}§RETURN§l",
    "RETURN§'x'§AS§l§UNION§LOAD§CSV§FROM§'<HTTP>'§AS§l§RETURN§l",
    "RETURN§[x§IN§[1]§|§COUNT§{§LOAD§CSV§FROM§'<FILE>'§AS§l§RETURN§l§}]§AS§c",
    "CALL§db.stats.retrieve('QUERIES')",
    "CALL§db.clearQueryCaches()",
    "TERMINATE§TRANSACTIONS§'neo4j-transaction-1'",
    "SHOW§TRANSACTIONS§YIELD§currentQuery§RETURN§currentQuery",
    "MATCH§(n:Town)§SET§n.name§=§'hacked'",
    "FOREACH§(x§IN§[1]§|§CREATE§(:Hacked))",
    "CREATE§INDEX§hacked§FOR§(n:Village)§ON§(n.hacked)",
    "RETURN§1§;§CREATE§(:Hacked)",
]
TEMPLATE_SEPARATORS = [" ", "\t", "\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c",
                       "\u00a0", "\u3000", "\u2003", "\ufeff", "", "/**/", " /* c */ ", " // c\r", " // c\n",
                       " // c\u2028", " // c\u0085", "/*\n*/"]
