"""Cypher generated from the schema: DDL, bulk upserts, counts and export.

Labels, relationship types and property names come only from the schema (which
admits identifiers only); values are always parameters (``$rows``). The two
backends differ in DDL (LadybugDB needs typed tables, Neo4j takes constraints
and indexes) and in one detail of the upserts: LadybugDB infers a parameter's
type from its values, so a column that is null in every row of a batch is cast
to its declared type.

An upsert adds and updates but never erases: a value the new row leaves empty
keeps what the store had (``coalesce``), so loading the roster again does not
wipe the aliases a case file gave its villages. A load with ``replace``
rebuilds the store from its sources instead.

>>> from graph_model.schema import default_schema
>>> s = default_schema()
>>> print(upsert_ties(s, "PART_OF", "Village", "Town", "neo4j").splitlines()[1])
MATCH (a:Village {id: r.src}) MATCH (b:Town {id: r.dst})
>>> "e.start_year = coalesce(CAST(r.start_year AS INT64), e.start_year)" in upsert_ties(s, "PART_OF", "Village", "Town", "ladybug")
True
"""

from __future__ import annotations

from graph_model.schema import Property, Schema

BACKENDS = ("ladybug", "neo4j")

_LADYBUG_TYPES = {
    "string": "STRING",
    "int": "INT64",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "string_list": "STRING[]",
    "date": "STRING",
    "json": "STRING",
}


def _ladybug_column(prop: Property) -> str:
    suffix = " PRIMARY KEY" if prop.name == "id" else ""
    return f"{prop.name} {_LADYBUG_TYPES[prop.type]}{suffix}"


def ladybug_ddl(schema: Schema) -> list[str]:
    """``CREATE NODE/REL TABLE IF NOT EXISTS`` for every kind, node tables first."""
    statements = [
        f"CREATE NODE TABLE IF NOT EXISTS {k.label}({', '.join(_ladybug_column(p) for p in k.properties)})"
        for k in schema.node_kinds
    ]
    for t in schema.tie_kinds:
        parts = [f"FROM {s} TO {d}" for s, d in t.endpoints]
        parts += [_ladybug_column(p) for p in t.properties]
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {t.type}({', '.join(parts)})")
    return statements


def neo4j_ddl(schema: Schema) -> list[str]:
    """A uniqueness constraint on ``id`` and an index on ``name`` for every node kind."""
    statements = []
    for k in schema.node_kinds:
        slug = k.label.lower()
        statements.append(f"CREATE CONSTRAINT {slug}_id IF NOT EXISTS FOR (n:{k.label}) REQUIRE n.id IS UNIQUE")
        statements.append(f"CREATE INDEX {slug}_name IF NOT EXISTS FOR (n:{k.label}) ON (n.name)")
    return statements


def ddl(schema: Schema, backend: str) -> list[str]:
    if backend == "ladybug":
        return ladybug_ddl(schema)
    if backend == "neo4j":
        return neo4j_ddl(schema)
    raise ValueError(f"unknown backend {backend!r}; known: {BACKENDS}")


def _value(prop: Property, backend: str) -> str:
    ladybug_type = _LADYBUG_TYPES[prop.type]
    if backend == "ladybug" and ladybug_type != "STRING":
        return f"CAST(r.{prop.name} AS {ladybug_type})"
    return f"r.{prop.name}"


def _set_clause(var: str, properties: tuple[Property, ...], backend: str, skip: tuple[str, ...] = ()) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known: {BACKENDS}")
    return ", ".join(f"{var}.{p.name} = coalesce({_value(p, backend)}, {var}.{p.name})"
                     for p in properties if p.name not in skip)


def upsert_nodes(schema: Schema, label: str, backend: str) -> str:
    """Merge ``$rows`` (one dict per node, every column present) into nodes of ``label``."""
    kind = schema.node_kind(label)
    return f"UNWIND $rows AS r\nMERGE (n:{label} {{id: r.id}})\nSET {_set_clause('n', kind.properties, backend, ('id',))}"


def upsert_ties(schema: Schema, type_: str, source: str, target: str, backend: str) -> str:
    """Merge ``$rows`` (``src``, ``dst`` and every column) into ties; both endpoints labelled."""
    kind = schema.tie_kind(type_)
    if not kind.allows(source, target):
        raise ValueError(f"{type_} does not join {source} to {target}")
    return (
        "UNWIND $rows AS r\n"
        f"MATCH (a:{source} {{id: r.src}}) MATCH (b:{target} {{id: r.dst}})\n"
        f"MERGE (a)-[e:{type_}]->(b)\n"
        f"SET {_set_clause('e', kind.properties, backend)}"
    )


def ladybug_tables() -> str:
    """The names of LadybugDB's tables (to check a store opened read-only)."""
    return "CALL show_tables() RETURN name"


def delete_all() -> str:
    return "MATCH (n) DETACH DELETE n"


def count_nodes(label: str) -> str:
    return f"MATCH (n:{label}) RETURN count(n) AS count"


def count_ties(type_: str) -> str:
    return f"MATCH ()-[e:{type_}]->() RETURN count(e) AS count"


def export_nodes(schema: Schema, label: str) -> str:
    """Every node of ``label`` with all its columns, ordered by id."""
    columns = ", ".join(f"n.{p.name} AS {p.name}" for p in schema.node_kind(label).properties)
    return f"MATCH (n:{label}) RETURN {columns} ORDER BY n.id"


def export_ties(schema: Schema, type_: str) -> str:
    """Every tie of ``type_`` as ``src``, ``dst`` and all its columns."""
    columns = ", ".join(f"e.{p.name} AS {p.name}" for p in schema.tie_kind(type_).properties)
    return f"MATCH (a)-[e:{type_}]->(b) RETURN a.id AS src, b.id AS dst, {columns} ORDER BY src, dst"


def nodes_named(label: str) -> str:
    """Nodes of ``label`` whose id, name or an alias is ``$value``."""
    return (f"MATCH (n:{label}) WHERE n.id = $value OR n.name = $value OR $value IN n.aliases "
            "RETURN n.id AS id, n.name AS name ORDER BY id")


def node_names(label: str) -> str:
    """Id, name and aliases of every node of ``label`` (to match spellings in Python)."""
    return f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name, n.aliases AS aliases ORDER BY id"
