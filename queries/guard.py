"""What an ad hoc query may do: read the graph, never files, and write only when asked.

The decision is taken on tokens and on the engine's plan, never on the raw text:

1. :func:`tokens` splits the query as LadybugDB's lexer does (:mod:`queries.cypher_tokens`, whose rules
   were each checked against the engine). So the guard sees what the engine sees: ``1LOAD`` is the
   number ``1`` and the word ``LOAD``; words inside strings (with their escapes), `backtick names` and
   comments (``//`` to ``\\n``, ``\\r\\n`` or the end, ``/* … */``) are no words; the unicode spaces the
   engine skips are spaces; a fullwidth ``ＬＯＡＤ`` is a name, as for the engine (which then refuses it
   as a syntax error). Words are compared by their text, keywords and names alike (LadybugDB takes most
   keywords as names too, and adds keywords between versions), except right after ``:`` or ``.``, where a
   word is a label or property key (``:Project``, ``t.use``).
2. :func:`check_query` refuses, before the engine sees the query, what :file:`adhoc_policy.yaml` lists:
   more than one statement; clause words that reach files, extensions or other databases (always, even
   with ``write``); transaction control; on LadybugDB a CALL of anything but the store's introspection
   functions and any other table function invoked anywhere (some crash the process on hostile input, even
   when only planned: see ``docs/upstream/ladybug-crashes.md``); writes unless ``write``.
3. :func:`check_plan` then reads LadybugDB's plan (``EXPLAIN``, which plans but does not run) and refuses
   any operator that is not known to read (or, with ``write``, to write the store), and any table
   function the plan calls that is not allowed: the engine's word on what the query does.
4. The store runs the query in a ``READ ONLY`` transaction unless ``write``: the engine's last word
   (it then refuses to plan a write at all).

Neo4j (``backend`` None) gets the token checks but those of LadybugDB's functions.

>>> check_query("MATCH (n:Village) WHERE n.name = 'COPY' RETURN n.name // LOAD")
>>> check_query("MATCH (n) WITH n LIMIT 1LOAD FROM '/etc/passwd' RETURN *")
Traceback (most recent call last):
queries.catalog.QueryError: 临时查询不能读写文件、扩展或其他数据库 / ad hoc queries may not use LOAD: files, extensions and other databases are out of reach (提示 hint: 导入用 linkgraph load，导出用 linkgraph export / load data with linkgraph load; export with linkgraph export)
>>> check_query("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
queries.catalog.QueryError: 查询会修改数据，临时查询只读 / this query writes (DELETE) and ad hoc queries are read-only (提示 hint: 加 --write 才能修改；这样改的数据没有来源，下次加载来源时不会知道 / add --write to change the store; changes made so have no source, and the next load of a source does not know them)
>>> check_query("MATCH (n) DETACH DELETE n", write=True)
>>> check_query("RETURN 1; RETURN 2")
Traceback (most recent call last):
queries.catalog.QueryError: 临时查询一次只执行一条语句 / ad hoc queries run one statement at a time, and this text has more after ';' (提示 hint: 分开执行 / run them one by one)
>>> [t.text for t in words("RETURN 'a\\\\'' + `b``c`/*x*/ LIMIT 1LOAD")]
['RETURN', "'a\\\\''", '+', '`b``c`', 'LIMIT', '1', 'LOAD']
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Iterable

from graph_model.schema import packaged_yaml
from queries.catalog import QueryError
from queries.cypher_tokens import SPACE, Token, tokens

_FILES_HINT = ("(提示 hint: 导入用 linkgraph load，导出用 linkgraph export / load data with linkgraph load; "
               "export with linkgraph export)")
_WRITE_HINT = ("(提示 hint: 加 --write 才能修改；这样改的数据没有来源，下次加载来源时不会知道 / add --write to change "
               "the store; changes made so have no source, and the next load of a source does not know them)")


@functools.cache
def policy() -> dict[str, frozenset[str]]:
    """The lists of ``adhoc_policy.yaml``, each as a set of words in capitals."""
    data = packaged_yaml(Path(__file__).with_name("adhoc_policy.yaml"))
    return {key: frozenset(word.upper() for word in words) for key, words in data.items()}


def words(cypher: str) -> list[Token]:
    """The tokens of ``cypher`` without spaces and comments."""
    return [t for t in tokens(cypher) if t.kind != SPACE]


def clause_words(found: list[Token]) -> list[Token]:
    """The tokens of ``found`` that may be clause words: not a label or property key (a word right after
    ``:`` or ``.``, as ``:Project`` or ``t.use``, is a name for the engine)."""
    return [t for i, t in enumerate(found) if i == 0 or found[i - 1].kind not in (":", ".")]


def check_query(cypher: str, *, write: bool = False, backend: str | None = None) -> None:
    """Refuse, before the engine sees it, a query of more than one statement, one that reaches files,
    extensions or other databases or controls the transaction (always), one that writes (unless
    ``write``); on ``ladybug``, a CALL of anything but an introspection function, and any other table
    function wherever it is invoked. Raises :class:`QueryError` with one line that says why."""
    found = words(cypher)
    _one_statement(found)
    _no_files(clause_words(found))
    _no_transaction(clause_words(found))
    if backend == "ladybug":
        _only_allowed_calls(found)
        _no_refused_functions(found, write)
    if not write:
        _no_writes(clause_words(found))


def _one_statement(found: list[Token]) -> None:
    ends = [i for i, t in enumerate(found) if t.kind == ";"]
    if ends and ends[0] < len(found) - 1:
        raise QueryError("临时查询一次只执行一条语句 / ad hoc queries run one statement at a time, and this text "
                         "has more after ';' (提示 hint: 分开执行 / run them one by one)")


def _no_files(found: list[Token]) -> None:
    for i, token in enumerate(found):
        detached = token.word == "DETACH" and (i + 1 == len(found) or found[i + 1].word != "DELETE")
        if token.word in policy()["file_words"] or detached:
            raise QueryError(f"临时查询不能读写文件、扩展或其他数据库 / ad hoc queries may not use {token.word}: files, "
                             f"extensions and other databases are out of reach {_FILES_HINT}")


def _no_transaction(found: list[Token]) -> None:
    for token in found:
        if token.word in policy()["transaction_words"]:
            raise QueryError(f"临时查询不能控制事务 / ad hoc queries may not use {token.word}: the store runs each "
                             "query in a transaction of its own (read-only unless --write)")


def _no_writes(found: list[Token]) -> None:
    for token in found:
        if token.word in policy()["write_words"]:
            raise QueryError(f"查询会修改数据，临时查询只读 / this query writes ({token.word}) and ad hoc queries are "
                             f"read-only {_WRITE_HINT}")


def _only_allowed_calls(found: list[Token]) -> None:
    """Every CALL names an allowed function and opens its arguments: not ``CALL timeout=0`` (a setting),
    not ``CALL read_csv_serial(…)``."""
    allowed = policy()["ladybug_calls"]
    for i, token in enumerate(found):
        if token.word != "CALL":
            continue
        name = found[i + 1].name if i + 1 < len(found) else None
        if name not in allowed or i + 2 >= len(found) or found[i + 2].kind != "(":
            shown = found[i + 1].text if i + 1 < len(found) else ""
            raise QueryError(f"临时查询只能调用只读的目录函数 / ad hoc queries may not CALL {shown.lower()} (only "
                             f"{', '.join(sorted(c.lower() for c in allowed))})")


def invoked(found: list[Token]) -> Iterable[str]:
    """The names followed by ``(`` in ``found``, in capitals: every function invoked, and clause words
    such as ``MATCH (`` besides (a superset is enough to refuse a function)."""
    for token, after in zip(found, found[1:]):
        if after.kind == "(" and token.name is not None:
            yield token.name


def _no_refused_functions(found: list[Token], write: bool) -> None:
    for name in invoked(found):
        if name in policy()["ladybug_refused_functions"]:
            raise QueryError(f"临时查询不能使用读文件或改会话的表函数 / ad hoc queries may not use {name.lower()}: it "
                             f"reads files or changes the session {_FILES_HINT}")
        if name in policy()["ladybug_write_functions"] and not write:
            raise QueryError(f"查询会修改数据，临时查询只读 / this query writes ({name.lower()}) and ad hoc queries "
                             f"are read-only {_WRITE_HINT}")


def explain(cypher: str) -> str:
    """The statement that asks LadybugDB for the plan of ``cypher`` without running it (a leading
    EXPLAIN or PROFILE of the query's own is replaced)."""
    found = words(cypher)
    start = found[1].start if len(found) > 1 and found[0].word in ("EXPLAIN", "PROFILE") else 0
    return "EXPLAIN " + cypher[start:]


def plan_cells(plan: str) -> list[str]:
    """The texts of the cells of a LadybugDB plan (boxes drawn with │), stripped, in order."""
    return [cell.strip() for line in plan.splitlines() for cell in line.split("│") if cell.strip()]


def plan_operators(plan: str) -> tuple[list[str], list[str]]:
    """The operators of a LadybugDB plan (``NAME[id]`` cells) and the table functions it calls
    (``Function: NAME`` cells). A name a query chose could appear in another cell only as more names,
    which can make the guard refuse, never allow.

    >>> plan_operators("│ TABLE_FUNCTION_CALL[0] │\\n│ Function: SHOW_TABLES │\\n│ Expressions: a[1] │")
    (['TABLE_FUNCTION_CALL'], ['SHOW_TABLES'])
    """
    operators, functions = [], []
    for cell in plan_cells(plan):
        head, _, rest = cell.partition("[")
        if rest[:-1].isdigit() and rest.endswith("]") and head.replace("_", "").isalpha() and head.isupper():
            operators.append(head)
        elif cell.startswith("Function: "):
            functions.append(cell.removeprefix("Function: ").strip().upper())
    return operators, functions


def check_plan(plan: str, *, write: bool = False) -> None:
    """Refuse a LadybugDB plan with an operator that is not known to read (or, with ``write``, to write
    the store), or a table function call that is not allowed."""
    operators, functions = plan_operators(plan)
    known = policy()["ladybug_read_operators"] | (policy()["ladybug_write_operators"] if write else frozenset())
    for operator in operators:
        if operator in policy()["ladybug_write_operators"] and not write:
            raise QueryError(f"查询会修改数据，临时查询只读 / this query writes ({operator}, in LadybugDB's plan) and ad "
                             f"hoc queries are read-only {_WRITE_HINT}")
        if operator not in known:
            raise QueryError(f"临时查询不能执行此操作 / ad hoc queries may not run LadybugDB's operator {operator}: "
                             f"only reads of the graph{' and writes to it' if write else ''} {_FILES_HINT}")
    allowed = policy()["ladybug_calls"] | policy()["ladybug_plan_functions"]
    if operators.count("TABLE_FUNCTION_CALL") > len(functions) or not set(functions) <= allowed:
        raise QueryError(f"临时查询只能调用只读的目录函数 / ad hoc queries may not call "
                         f"{', '.join(sorted(f.lower() for f in set(functions) - allowed)) or 'this table function'} "
                         f"(only {', '.join(sorted(c.lower() for c in policy()['ladybug_calls']))})")
