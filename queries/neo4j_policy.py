"""What an ad hoc query may do on Neo4j, decided from the server's plan of it, not from its text.

Before an ad hoc query runs, the store asks the server to ``EXPLAIN`` it (it is
parsed and planned, never run) and gives :func:`refusal` what the server
reports: the query type (``r`` reads, ``rw``/``w`` write, ``s`` changes the
schema or the server) and the plan, a tree of operators. Comments, line breaks
of any kind, quoting and case are the server's own business then: whatever it
would run is what is judged. The rules are data (``neo4j_readonly.yaml``):

- ``LOAD CSV`` (operator ``LoadCSV``) is refused always, ``--write`` or not;
- a procedure may be called only if it is on the allowlist of read-only
  introspection procedures (``db.labels`` …); a function only if it is built in
  (none of Neo4j's built-in functions reads a file or a URL; a plugin's may);
- a subquery expression the planner keeps inside an expression (``COUNT {
  … }`` in a list comprehension) is no operator: the server shows it in the
  operator's details only, in its canonical form, where ``LOAD CSV`` and
  procedure calls (``ResolvedCall(name …``) are looked for (a string literal
  that looks like one can only cause a refusal, never hide a call);
- server commands (``SHOW …``, ``TERMINATE …``, user and database
  administration) and ``CALL { … } IN TRANSACTIONS`` are refused always, as is
  an operator planned on another database (``USE``);
- query type ``r`` runs; ``rw`` and ``w`` only with ``--write``; ``s`` never.

The store runs the query in a READ session besides, so a write the plan did
not show would still be refused by the server.

>>> policy = default_policy()
>>> plan = {"operatorType": "ProduceResults@neo4j", "args": {}, "children": [
...     {"operatorType": "LoadCSV@neo4j", "args": {"Details": "l"}, "children": []}]}
>>> print(refusal(plan, "r", write=True, database="neo4j", policy=policy))
临时查询不能读取文件或网址 / ad hoc queries may not read files or URLs (LOAD CSV) (提示 hint: 导入用 linkgraph load / load data with linkgraph load)
>>> call = {"operatorType": "ProcedureCall@neo4j", "args": {"Details": "db.labels() :: (label :: STRING)"}}
>>> refusal(call, "r", write=False, database="neo4j", policy=policy) is None
True
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Iterator, Mapping

from graph_model.schema import packaged_yaml

HINT_WRITE = ("提示 hint: 加 --write 才能修改；这样改的数据没有来源，下次加载来源时不会知道 / add --write to change the "
              "store; changes made so have no source, and the next load of a source does not know them")

MESSAGES = {
    "files": "临时查询不能读取文件或网址 / ad hoc queries may not read files or URLs (LOAD CSV) "
             "(提示 hint: 导入用 linkgraph load / load data with linkgraph load)",
    "batches": "临时查询不能分批提交 / ad hoc queries may not use CALL {{ … }} IN TRANSACTIONS "
               "(提示 hint: 导入用 linkgraph load / load data with linkgraph load)",
    "commands": "临时查询不能运行服务器命令 / ad hoc queries may not run server commands ({operator}) "
                "(提示 hint: SHOW、TERMINATE 和管理命令归服务器管理员 / SHOW, TERMINATE and administration belong to the "
                "server's administrator)",
    "database": "临时查询只能读取本数据库 / ad hoc queries may only use the store's database {database} "
                "({operator} runs on {other})",
    "procedure": "临时查询不能调用过程 {name} / ad hoc queries may not call {name} "
                 "(提示 hint: 允许的过程 allowed procedures: {allowed})",
    "function": "临时查询不能调用扩展函数 {name} / ad hoc queries may not call the plugin function {name} "
                "(提示 hint: 只能用内置函数 / built-in functions only)",
    "schema": "临时查询不能更改索引、约束或服务器设置，加 --write 也不行 / ad hoc queries may not change indexes, "
              "constraints or server settings, not even with --write",
    "unknown": "服务器未说明查询的类型或计划，临时查询不予运行 / the server did not say what this query does "
               "(query type {query_type!r}, or no plan), so it is not run",
    "write": f"查询会修改数据，临时查询只读 / this query writes and ad hoc queries are read-only ({HINT_WRITE})",
    "statements": "临时查询只能是一条语句 / an ad hoc query must be one statement (提示 hint: 分开执行 / run each "
                  "statement on its own, without ';' between them)",
    "unplannable": "服务器不接受该查询 / the server does not accept this query: {message}",
}


@dataclass(frozen=True)
class Policy:
    """The rules of ``neo4j_readonly.yaml``: allowed procedures, refused operators (by reason) and
    command prefixes, and the query types that read and that write."""

    procedures: tuple[str, ...]
    operators: Mapping[str, str]
    command_prefixes: tuple[str, ...]
    read_types: frozenset[str]
    write_types: frozenset[str]
    details_files: tuple[str, ...]
    details_call: str
    details_refused: tuple[str, ...]


@functools.cache
def default_policy() -> Policy:
    """The policy shipped beside this module (``neo4j_readonly.yaml``)."""
    data = packaged_yaml(Path(__file__).with_name("neo4j_readonly.yaml"))
    return Policy(tuple(data["procedures"]), dict(data["operators"]), tuple(data["command_prefixes"]),
                  frozenset(data["read_types"]), frozenset(data["write_types"]), tuple(data["details_files"]),
                  data["details_call"], tuple(data["details_refused"]))


def operators(plan: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    """Every operator of a plan (``ResultSummary.plan``: a dict with ``operatorType``, ``args`` and
    ``children``), depth first: subqueries and UNION branches are children like any other."""
    pending = [plan] if plan else []
    while pending:
        operator = pending.pop()
        yield operator
        pending.extend(operator.get("children") or ())


def procedure_name(details: str) -> str:
    """The procedure a ``ProcedureCall`` operator calls, from its details as the server writes them
    (``db.labels() :: (label :: STRING)``: the name in its canonical form, arguments as parameters).

    >>> procedure_name("db.stats.collect($autostring_0) :: (section :: STRING)")
    'db.stats.collect'
    """
    return details.split("(", 1)[0].strip()


def nested_procedures(details: str, mark: str) -> list[str]:
    """The procedures called inside subquery expressions of an operator's details: the name after each
    ``mark`` (``ResolvedCall(``, found ignoring case) up to its ``(``.

    >>> nested_procedures("COUNT { ResolvedCall(db.stats.retrieve(section :: STRING) :: data) }", "resolvedcall(")
    ['db.stats.retrieve']
    """
    return [procedure_name(details[found.end():]) for found in re.finditer(re.escape(mark), details, re.IGNORECASE)]


def _details_refusal(details: str, *, user_functions: Collection[str], policy: Policy) -> str | None:
    """What an operator's details show that an ad hoc query may not do: a nested LOAD CSV or procedure
    call, or a plugin's function."""
    lowered = details.lower()
    if any(mark in lowered for mark in policy.details_files):
        return MESSAGES["files"]
    if any(mark in lowered for mark in policy.details_refused):
        return MESSAGES["procedure"].format(name="?", allowed=", ".join(policy.procedures))
    for name in nested_procedures(details, policy.details_call):
        if name not in policy.procedures:
            return MESSAGES["procedure"].format(name=name, allowed=", ".join(policy.procedures))
    for name in user_functions:
        if f"{name.lower()}(" in lowered:
            return MESSAGES["function"].format(name=name)
    return None


def _operator_refusal(operator: Mapping[str, Any], *, database: str, user_functions: Collection[str],
                      policy: Policy) -> str | None:
    kind, _, planned_on = str(operator.get("operatorType", "")).partition("@")
    details = str((operator.get("args") or {}).get("Details", ""))
    if kind in policy.operators:
        return MESSAGES[policy.operators[kind]].format(operator=kind)
    if kind.startswith(policy.command_prefixes):
        return MESSAGES["commands"].format(operator=kind)
    if planned_on and planned_on.lower() != database.lower():
        return MESSAGES["database"].format(database=database, operator=kind, other=planned_on)
    if kind == "ProcedureCall" and procedure_name(details) not in policy.procedures:
        return MESSAGES["procedure"].format(name=procedure_name(details), allowed=", ".join(policy.procedures))
    return _details_refusal(details, user_functions=user_functions, policy=policy)


def refusal(plan: Mapping[str, Any] | None, query_type: str | None, *, write: bool, database: str,
            policy: Policy, user_functions: Collection[str] = ()) -> str | None:
    """Why an ad hoc query may not run (one line, Chinese first), or None when it may.

    ``plan`` and ``query_type`` are what the server reported for ``EXPLAIN`` of it; ``database`` the
    store's database (an operator planned elsewhere is refused); ``user_functions`` the names of the
    non-built-in functions the server has (a plugin's), which the plan's details may call.
    Operators are judged first, so a refused one is named even in a query that also writes.
    """
    if not plan:
        return MESSAGES["unknown"].format(query_type=query_type)
    for operator in operators(plan):
        found = _operator_refusal(operator, database=database, user_functions=user_functions, policy=policy)
        if found:
            return found
    if query_type in policy.read_types:
        return None
    if query_type in policy.write_types:
        return None if write else MESSAGES["write"]
    if query_type == "s":
        return MESSAGES["schema"]
    return MESSAGES["unknown"].format(query_type=query_type)


def unplannable(message: str) -> str:
    """The line for a query the server would not plan (a syntax error, an unknown procedure, a command it
    does not support), from the first line of the server's message.

    >>> unplannable("Expected exactly one statement per query but got: 2 (line 0, column 0 (offset: 8))")[:14]
    '临时查询只能是一条语句 / '
    """
    if "exactly one statement" in message:
        return MESSAGES["statements"]
    return MESSAGES["unplannable"].format(message=message)
