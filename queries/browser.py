"""Catalog queries as Neo4j Browser runs them: ``:param`` lines, then the Cypher.

Neo4j Browser keeps parameters of its own, set with ``:param name => value``
(it evaluates ``RETURN value`` on the server, so the value must be a Cypher
literal). :func:`browser_script` writes those lines for a catalog query and its
values, followed by the query's Neo4j text. Pasted as-is into the Browser's
editor, which runs ``;``-separated statements one after the other, it sets the
parameters and runs the query; for such a script the Browser shows only each
statement's summary, so the query alone, run again (or from the guide's second
block), shows the rows as a table or a graph. Names are matched as the
catalog's Cypher matches them (name, alias or id, exactly).

>>> from queries.catalog import get_query
>>> print(browser_script(get_query("ties_started_in"), {"year": "2022"}).splitlines()[0])
:param year => 2022;
>>> cypher_literal("贺寨'酒业\\n")
"'贺寨\\\\'酒业\\\\n'"
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from graph_model.schema import Schema
from queries.catalog import PLACED_NOWHERE, NamedQuery

# Escapes of a Cypher string literal (Neo4j Cypher manual, "String literals");
# other control characters as \uXXXX, so that a value stays on its line.
_STRING_ESCAPES = str.maketrans({chr(c): f"\\u{c:04x}" for c in range(0x20)} | {
    "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
})


def cypher_literal(value: Any) -> str:
    """``value`` written as a Cypher literal: ``null``, ``true``, ``2022``, ``'通镇'``.

    Strings are single-quoted with backslash escapes, so a quote, a backslash,
    a line break or a ``;`` inside a name stays inside the string.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.translate(_STRING_ESCAPES) + "'"
    raise TypeError(f"no Cypher literal for {type(value).__name__} {value!r}")


def browser_parameters(query: NamedQuery, values: Mapping[str, Any], placed_nowhere: Iterable[str] = ()) -> str:
    """One ``:param`` line per parameter of ``query``, values checked and typed
    by the catalog (an optional one left out is ``null``), and, where the query takes a unit's nodes
    (``WITHIN``), the organizations placed nowhere that lie in it: ``placed_nowhere`` as a store found
    them (:meth:`stores.base.Store.unplaced_within`), else none (the Browser cannot work them out)."""
    lines = [f":param {name} => {cypher_literal(value)};" for name, value in query.bind(values).items()]
    if query.places_unplaced:
        lines.append(f":param {PLACED_NOWHERE} => [{', '.join(cypher_literal(i) for i in sorted(placed_nowhere))}];")
    return "\n".join(lines)


def browser_cypher(query: NamedQuery) -> str:
    """The query's Neo4j text under a comment naming it."""
    return f"// {query.name}: {query.zh} / {query.en}\n{query.cypher('neo4j')};"


def browser_script(query: NamedQuery, values: Mapping[str, Any], placed_nowhere: Iterable[str] = ()) -> str:
    """The text to paste into Neo4j Browser: the ``:param`` lines, then the query."""
    parameters = browser_parameters(query, values, placed_nowhere)
    return "\n".join(part for part in (parameters, browser_cypher(query)) if part)


def example_values(query: NamedQuery) -> dict[str, Any]:
    """The catalog's example value of every parameter (for guides and docs)."""
    return {p.name: p.example for p in query.params}


def network_statement(schema: Schema) -> str:
    """Every tie that is not administrative, as paths: the network a source
    describes, drawn as a graph in the Browser (the roster's hierarchy left out).

    >>> from graph_model.schema import default_schema
    >>> network_statement(default_schema()).startswith("MATCH p = ()-[:MEMBER_OF|GUIDES|")
    True
    """
    types = "|".join(t.type for t in schema.tie_kinds if not t.administrative)
    return f"MATCH p = ()-[:{types}]->()\nRETURN p"
