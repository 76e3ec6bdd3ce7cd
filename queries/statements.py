"""Cypher generated from the schema: DDL, the write path, lookups, counts and export.

Labels, relationship types and property names come only from the schema (which
admits identifiers only); values are always parameters (``$rows``, ``$ids``).
The two backends differ in DDL (LadybugDB needs typed tables, Neo4j takes
constraints and indexes), in how a row becomes properties (LadybugDB infers a
parameter's type from its values, so every column is cast to its declared
type; Neo4j sets a map at once) and in bulk files (LadybugDB ``COPY`` from
Parquet).

The write path never merges blindly: a load first reads what the store holds
for its records (:func:`existing_nodes`, :func:`existing_ties`), works out what
changes (:mod:`stores.plan`), then creates, updates and deletes exactly that.

>>> from graph_model.schema import default_schema
>>> s = default_schema()
>>> print(create_ties(s, "PART_OF", "Village", "Town", "neo4j").splitlines()[1])
MATCH (a:Village {id: r.src}) MATCH (b:Town {id: r.dst})
>>> "start_year: CAST(r.start_year AS INT64)" in create_ties(s, "PART_OF", "Village", "Town", "ladybug")
True
"""

from __future__ import annotations

from typing import Collection, Sequence

from graph_model.schema import Property, Schema

BACKENDS = ("ladybug", "neo4j")
REGISTRY = "LoadedSource"
"""The label that records which sources a store holds (key, title, digest, when, how much)."""
REGISTRY_PROPERTIES = (("key", "STRING"), ("title", "STRING"), ("file", "STRING"), ("kind", "STRING"),
                       ("digest", "STRING"), ("loaded", "STRING"), ("nodes", "INT64"), ("ties", "INT64"),
                       ("complete", "BOOLEAN"), ("loaded_by", "STRING"), ("loaded_at", "STRING"),
                       ("folder", "STRING"))
REGISTRY_ADDED = ("loaded_by", "loaded_at", "folder")
"""Registry columns added after the first stores were written: a writer adds them to an older store's table."""
NAME_INDEX = "NameKey"
"""LadybugDB: the index of names, one row per match key (``key``) listing the nodes one of whose names has it
(``nodes``: ``Label:id``), kept by every load (:mod:`stores.name_index`); Neo4j searches its own way."""
WRITER = "LinkgraphWriter"
"""Neo4j: the label of the one node whose lease says which process writes the database (loads are serialized)."""

LADYBUG_TYPES = {
    "string": "STRING",
    "int": "INT64",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "string_list": "STRING[]",
    "date": "STRING",
    "json": "STRING",
}


def _check(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known: {BACKENDS}")


def _ladybug_column(prop: Property) -> str:
    suffix = " PRIMARY KEY" if prop.name == "id" else ""
    return f"{prop.name} {LADYBUG_TYPES[prop.type]}{suffix}"


def ladybug_ddl(schema: Schema) -> list[str]:
    """``CREATE NODE/REL TABLE IF NOT EXISTS`` for every kind, node tables first, and the source registry."""
    statements = [
        f"CREATE NODE TABLE IF NOT EXISTS {k.label}({', '.join(_ladybug_column(p) for p in k.properties)})"
        for k in schema.node_kinds
    ]
    for t in schema.tie_kinds:
        parts = [f"FROM {s} TO {d}" for s, d in t.endpoints]
        parts += [_ladybug_column(p) for p in t.properties]
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {t.type}({', '.join(parts)})")
    columns = ", ".join(f"{name} {type_}{' PRIMARY KEY' if name == 'key' else ''}" for name, type_ in REGISTRY_PROPERTIES)
    statements.append(f"CREATE NODE TABLE IF NOT EXISTS {REGISTRY}({columns})")
    statements += [f"ALTER TABLE {REGISTRY} ADD IF NOT EXISTS {name} STRING DEFAULT ''" for name in REGISTRY_ADDED]
    statements.append(f"CREATE NODE TABLE IF NOT EXISTS {NAME_INDEX}(key STRING PRIMARY KEY, nodes STRING[])")
    return statements


def neo4j_ddl(schema: Schema) -> list[str]:
    """A uniqueness constraint on ``id`` and an index on ``name`` for every node kind."""
    statements = []
    for k in schema.node_kinds:
        slug = k.label.lower()
        statements.append(f"CREATE CONSTRAINT {slug}_id IF NOT EXISTS FOR (n:{k.label}) REQUIRE n.id IS UNIQUE")
        statements.append(f"CREATE INDEX {slug}_name IF NOT EXISTS FOR (n:{k.label}) ON (n.name)")
    statements.append(f"CREATE CONSTRAINT {REGISTRY.lower()}_key IF NOT EXISTS FOR (s:{REGISTRY}) REQUIRE s.key IS UNIQUE")
    statements.append(f"CREATE CONSTRAINT {WRITER.lower()}_lease IF NOT EXISTS FOR (w:{WRITER}) REQUIRE w.lease IS UNIQUE")
    return statements


def neo4j_schema_names() -> str:
    """Neo4j: the names of the indexes the database has, those of its uniqueness constraints included (a
    constraint's index has the constraint's name), each with whether a constraint owns it (``constraint``), so
    that a store opened on a database that has them all runs none of :func:`neo4j_ddl` (each is a schema
    transaction of its own on the server), and an index that merely bears a constraint's name is not taken
    for the constraint."""
    return "SHOW INDEXES YIELD name, owningConstraint RETURN name, owningConstraint IS NOT NULL AS constraint"


def ddl_name(statement: str) -> str:
    """The name a ``CREATE CONSTRAINT name …`` or ``CREATE INDEX name …`` statement of :func:`neo4j_ddl` gives."""
    return statement.split()[2]


def ddl_made(statement: str) -> tuple[str, bool]:
    """What a statement of :func:`neo4j_ddl` makes, as :func:`neo4j_schema_names` lists it: its name, and
    whether it is a constraint."""
    return ddl_name(statement), statement.split()[1] == "CONSTRAINT"


def ddl(schema: Schema, backend: str) -> list[str]:
    _check(backend)
    return ladybug_ddl(schema) if backend == "ladybug" else neo4j_ddl(schema)


def _value(prop: Property, backend: str) -> str:
    ladybug_type = LADYBUG_TYPES[prop.type]
    if backend == "ladybug" and ladybug_type != "STRING":
        return f"CAST(r.{prop.name} AS {ladybug_type})"
    return f"r.{prop.name}"


def _assignments(var: str, properties: tuple[Property, ...], skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{var}.{p.name} = {_value(p, 'ladybug')}" for p in properties if p.name not in skip)


def _literal_map(properties: tuple[Property, ...]) -> str:
    return "{" + ", ".join(f"{p.name}: {_value(p, 'ladybug')}" for p in properties) + "}"


def create_nodes(schema: Schema, label: str, backend: str) -> str:
    """Create a node of ``label`` for each of ``$rows`` (ids the store does not have)."""
    _check(backend)
    kind = schema.node_kind(label)
    if backend == "neo4j":
        return f"UNWIND $rows AS r\nCREATE (n:{label})\nSET n = r"
    return f"UNWIND $rows AS r\nCREATE (n:{label} {_literal_map(kind.properties)})"


def merge_nodes(label: str) -> str:
    """Neo4j, the benchmark's anchor (issue 22 measures a load against it): a plain ``MERGE`` of a node of
    ``label`` by id for each of ``$rows``, its properties added (``SET n += r``). The store never merges blindly."""
    return f"UNWIND $rows AS r\nMERGE (n:{label} {{id: r.id}})\nSET n += r"


def merge_ties(type_: str, source: str, target: str) -> str:
    """Neo4j, the benchmark's anchor: both ends of each of ``$rows`` matched by label and id, the tie between them
    merged and its properties added (``SET e += r.props``)."""
    return (f"UNWIND $rows AS r\nMATCH (a:{source} {{id: r.src}}) MATCH (b:{target} {{id: r.dst}})\n"
            f"MERGE (a)-[e:{type_}]->(b)\nSET e += r.props")


def update_nodes(schema: Schema, label: str, backend: str) -> str:
    """Overwrite every property of the nodes of ``label`` that ``$rows`` name by id."""
    _check(backend)
    kind = schema.node_kind(label)
    if backend == "neo4j":
        return f"UNWIND $rows AS r\nMATCH (n:{label} {{id: r.id}})\nSET n = r"
    return f"UNWIND $rows AS r\nMATCH (n:{label} {{id: r.id}})\nSET {_assignments('n', kind.properties, ('id',))}"


def delete_nodes(label: str) -> str:
    """Delete the nodes of ``label`` whose ids are ``$ids``, with their ties."""
    return f"UNWIND $ids AS i\nMATCH (n:{label} {{id: i}})\nDETACH DELETE n"


def _tie_match(type_: str, source: str, target: str, var: str = "e") -> str:
    return f"MATCH (a:{source} {{id: r.src}})-[{var}:{type_}]->(b:{target} {{id: r.dst}})"


def create_ties(schema: Schema, type_: str, source: str, target: str, backend: str) -> str:
    """Create a tie for each of ``$rows`` (``src``, ``dst``, and the properties); both endpoints labelled."""
    _check(backend)
    kind = schema.tie_kind(type_)
    if not kind.allows(source, target):
        raise ValueError(f"{type_} does not join {source} to {target}")
    match = f"UNWIND $rows AS r\nMATCH (a:{source} {{id: r.src}}) MATCH (b:{target} {{id: r.dst}})\n"
    if backend == "neo4j":
        return match + f"CREATE (a)-[e:{type_}]->(b)\nSET e = r.props"
    return match + f"CREATE (a)-[e:{type_} {_literal_map(kind.properties)}]->(b)"


def update_ties(schema: Schema, type_: str, source: str, target: str, backend: str) -> str:
    """Overwrite every property of the ties ``$rows`` name by their endpoints."""
    _check(backend)
    kind = schema.tie_kind(type_)
    head = f"UNWIND $rows AS r\n{_tie_match(type_, source, target)}\n"
    if backend == "neo4j":
        return head + "SET e = r.props"
    return head + f"SET {_assignments('e', kind.properties)}"


def delete_ties(type_: str, source: str, target: str) -> str:
    """Delete the ties ``$rows`` name by their endpoints (``src``, ``dst``)."""
    return f"UNWIND $rows AS r\n{_tie_match(type_, source, target)}\nDELETE e"


def copy_nodes(label: str, path: str) -> str:
    """LadybugDB's bulk path: every row of a Parquet file we wrote becomes a node of ``label``."""
    return f"COPY {label} FROM {_path_literal(path)}"


def copy_ties(type_: str, source: str, target: str, path: str) -> str:
    """LadybugDB's bulk path for ties of one (source kind, target kind) pair."""
    return f"COPY {type_} FROM {_path_literal(path)} (from='{source}', to='{target}')"


def _path_literal(path: str) -> str:
    if "'" in path or "\\" in path or "\n" in path:
        raise ValueError(f"unsafe path for COPY: {path!r}")
    return f"'{path}'"


EXISTING_NODE_COLUMNS = ("id", "provenance", "match_text")
EXISTING_TIE_COLUMNS = ("src", "dst", "provenance")
ID_COLUMNS = ("id",)
NODE_NAME_COLUMNS = ("id", "name", "name_raw", "aliases", "place")
"""The columns of the statements a load reads many rows of (:func:`collected` lists them in this order)."""


def collected(cypher: str, columns: tuple[str, ...]) -> str:
    """Neo4j: the rows of ``cypher`` (one of the project's own read statements, whose ``RETURN`` names
    ``columns``) as one row, ``rows``: a list of value lists in the statement's order. The driver decodes
    a record at a time in Python, so 20,000 rows of five values cost 0.48 s of the client's CPU as records
    and 0.12 s as one list (measured on 陕西's villages)."""
    values = ", ".join(columns)
    return f"CALL {{\n{cypher}\n}}\nRETURN collect([{values}]) AS rows"


def existing_nodes(label: str) -> str:
    """The statements (provenance) of the nodes of ``label`` with the ids ``$ids``, and their ``match_text`` (worked
    out from the names by rules that may have changed since they were written)."""
    return (f"UNWIND $ids AS i\nMATCH (n:{label} {{id: i}})\n"
            "RETURN n.id AS id, n.provenance AS provenance, n.match_text AS match_text")


def existing_ties(type_: str, source: str, target: str) -> str:
    """The statements of the ties ``$rows`` name by their endpoints."""
    return (f"UNWIND $rows AS r\n{_tie_match(type_, source, target)}\n"
            "RETURN a.id AS src, b.id AS dst, e.provenance AS provenance")


def nodes_stated_by(label: str) -> str:
    """Nodes of ``label`` that the source ``$key`` states."""
    return f"MATCH (n:{label}) WHERE $key IN n.source_keys RETURN n.id AS id, n.provenance AS provenance"


def ties_stated_by(type_: str, backend: str) -> str:
    """Ties of ``type_`` that the source ``$key`` states, with their endpoint kinds."""
    kind = "label({})" if backend == "ladybug" else "labels({})[0]"
    return (f"MATCH (a)-[e:{type_}]->(b) WHERE $key IN e.source_keys\n"
            f"RETURN {kind.format('a')} AS source_kind, a.id AS src, {kind.format('b')} AS target_kind, b.id AS dst, "
            "e.provenance AS provenance")


def ids_present(label: str) -> str:
    """Which of ``$ids`` are nodes of ``label``."""
    return f"UNWIND $ids AS i\nMATCH (n:{label} {{id: i}})\nRETURN n.id AS id"


def record_source(backend: str) -> str:
    """Create or update the registry entry of a source (``$row``)."""
    _check(backend)
    if backend == "neo4j":
        return f"MERGE (s:{REGISTRY} {{key: $row.key}})\nSET s = $row"
    sets = ", ".join(f"s.{name} = CAST($row.{name} AS {type_})" for name, type_ in REGISTRY_PROPERTIES if name != "key")
    return f"MERGE (s:{REGISTRY} {{key: $row.key}})\nSET {sets}"


def loaded_sources(present: frozenset[str] | None = None) -> str:
    """Every source the store holds, oldest load first (``present``: the registry's columns, where an older
    store lacks some; those missing are read as empty)."""
    def column(name: str) -> str:
        if present is not None and name not in present:
            return f"'' AS {name}"
        return f"coalesce(s.{name}, '') AS {name}" if name in REGISTRY_ADDED else f"s.{name} AS {name}"

    columns = ", ".join(column(name) for name, _ in REGISTRY_PROPERTIES)
    return f"MATCH (s:{REGISTRY}) RETURN {columns} ORDER BY loaded, key"


def registry_columns() -> str:
    """LadybugDB: the columns of the source registry's table."""
    return f"CALL table_info('{REGISTRY}') RETURN name"


def forget_source() -> str:
    """Remove the registry entry of the source ``$key`` (a withdrawal)."""
    return f"MATCH (s:{REGISTRY} {{key: $key}}) DELETE s"


def node_source_counts(label: str) -> str:
    """For each source key: how many nodes of ``label`` it states, and how many it alone states."""
    return (f"MATCH (n:{label}) UNWIND n.source_keys AS key\n"
            "RETURN key, count(*) AS stated, sum(CASE WHEN size(n.source_keys) = 1 THEN 1 ELSE 0 END) AS sole")


def tie_source_counts(type_: str) -> str:
    """For each source key: how many ties of ``type_`` it states, and how many it alone states."""
    return (f"MATCH ()-[e:{type_}]->() UNWIND e.source_keys AS key\n"
            "RETURN key, count(*) AS stated, sum(CASE WHEN size(e.source_keys) = 1 THEN 1 ELSE 0 END) AS sole")


def ties_touching(type_: str) -> str:
    """The ties of ``type_`` with an end among ``$ids``, with the sources that state them."""
    return (f"MATCH (a)-[e:{type_}]->(b) WHERE a.id IN $ids OR b.id IN $ids\n"
            "RETURN a.id AS src, b.id AS dst, e.source_keys AS source_keys")


def take_writer_lease() -> str:
    """Neo4j: take the writer's lease for ``$holder`` when it is free, expired or already its own, for
    ``$seconds`` by the server's clock; returns the holder after (``$holder`` when taken). The first ``SET``
    takes the node's write lock, so two writers asking at once are answered one after the other."""
    return (f"MERGE (w:{WRITER} {{lease: $id}})\nSET w.asked = datetime()\nWITH w\n"
            "WHERE w.holder IS NULL OR w.holder = $holder OR w.expires < datetime()\n"
            "SET w.holder = $holder, w.expires = datetime() + duration({seconds: $seconds})\n"
            "RETURN w.holder AS holder")


def take_held_writer_lease() -> str:
    """Neo4j: :func:`take_writer_lease` of a lease node the database already has (``MATCH``, not ``MERGE``: it
    needs no uniqueness constraint, so a writer of a database that has the node reads no schema first); one row,
    ``taken``, unless the node is missing. The first ``SET`` takes the node's write lock, as there."""
    return (f"MATCH (w:{WRITER} {{lease: $id}})\nSET w.asked = datetime()\n"
            "WITH w, (w.holder IS NULL OR w.holder = $holder OR w.expires < datetime()) AS free\n"
            "SET w.holder = CASE WHEN free THEN $holder ELSE w.holder END,\n"
            "    w.expires = CASE WHEN free THEN datetime() + duration({seconds: $seconds}) ELSE w.expires END\n"
            "RETURN free AS taken")


def writer_lease() -> str:
    """Neo4j: who holds the writer's lease, and for how many more seconds."""
    return (f"MATCH (w:{WRITER} {{lease: $id}}) WHERE w.holder IS NOT NULL AND w.expires >= datetime()\n"
            "RETURN w.holder AS holder, duration.inSeconds(datetime(), w.expires).seconds AS seconds")


def renew_writer_lease() -> str:
    """Neo4j: extend ``$holder``'s lease by ``$seconds``; returns a row only while it still holds it."""
    return (f"MATCH (w:{WRITER} {{lease: $id}}) WHERE w.holder = $holder\n"
            "SET w.expires = datetime() + duration({seconds: $seconds}) RETURN w.holder AS holder")


def release_writer_lease() -> str:
    """Neo4j: give up ``$holder``'s lease."""
    return f"MATCH (w:{WRITER} {{lease: $id}}) WHERE w.holder = $holder SET w.holder = null, w.expires = null"


def ladybug_tables() -> str:
    """The names of LadybugDB's tables (to check a store opened read-only)."""
    return "CALL show_tables() RETURN name"


def ladybug_connections(tie_type: str) -> str:
    """The (source, target) table pairs a LadybugDB relationship table joins (``tie_type`` is a schema tie kind)."""
    return f"CALL show_connection('{tie_type}') RETURN `source table name` AS source, `destination table name` AS target"


def ladybug_add_pairs(pairs: list[tuple[str, str, str]]) -> list[str]:
    """``ALTER TABLE`` statements that let relationship tables join the ``(type, source, target)`` pairs a store made
    before the schema allowed them lacks (PAIRED_ASSISTANCE from an Enterprise)."""
    return [f"ALTER TABLE {t} ADD IF NOT EXISTS FROM {s} TO {d}" for t, s, d in pairs]


def delete_all() -> str:
    """Empty the store (Neo4j: but for the writer's lease, held by the load that empties it)."""
    return f"MATCH (n) WHERE NOT n:{WRITER} DETACH DELETE n"


def delete_some_nodes() -> str:
    """Neo4j: delete up to ``$limit`` nodes with their ties and say how many (to empty a large database in batches)."""
    return f"MATCH (n) WHERE NOT n:{WRITER} WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"


def count_all_nodes() -> str:
    return f"MATCH (n) WHERE NOT n:{WRITER} RETURN count(n) AS count"


def transaction_memory_settings() -> str:
    """Neo4j: the server's limits on transaction memory (the pool of all transactions, and one) and its heap."""
    return ("SHOW SETTINGS YIELD name, value WHERE name IN "
            "['db.memory.transaction.total.max', 'db.memory.transaction.max', 'server.memory.heap.max_size'] "
            "RETURN name, value")


def explain(cypher: str) -> str:
    """Neo4j: ``cypher`` planned but not run; the server reports its query type and its plan (an ad hoc
    query is judged by them, :mod:`queries.neo4j_policy`)."""
    return f"EXPLAIN {cypher}"


def plugin_functions() -> str:
    """Neo4j: the names of the functions that are not built in (a plugin's, such as APOC's)."""
    return "SHOW FUNCTIONS YIELD name, isBuiltIn WHERE NOT isBuiltIn RETURN name"


def count_nodes(label: str) -> str:
    return f"MATCH (n:{label}) RETURN count(n) AS count"


def count_ties(type_: str) -> str:
    return f"MATCH ()-[e:{type_}]->() RETURN count(e) AS count"


def count_every_kind(schema: Schema) -> str:
    """Neo4j: nodes of every kind and ties of every type in one statement (one round trip instead of one per
    kind), as ``c0``, ``c1``, … in schema order: the node kinds, then the tie kinds."""
    parts = [f"CALL {{ MATCH (n:{k.label}) RETURN count(n) AS c{i} }}" for i, k in enumerate(schema.node_kinds)]
    start = len(parts)
    parts += [f"CALL {{ MATCH ()-[e:{t.type}]->() RETURN count(e) AS c{start + i} }}" for i, t in enumerate(schema.tie_kinds)]
    return "\n".join(parts) + "\nRETURN " + ", ".join(f"c{i}" for i in range(len(parts)))


def export_nodes(schema: Schema, label: str, *, chosen: bool = False, only: Collection[str] | None = None) -> str:
    """Every node of ``label`` with all its columns (``only``: those named, and ``id``), ordered by id
    (``chosen``: those whose id is in ``$ids``)."""
    columns = ", ".join(f"n.{p.name} AS {p.name}" for p in schema.node_kind(label).properties
                        if only is None or p.name in only or p.name == "id")
    where = " WHERE n.id IN $ids" if chosen else ""
    return f"MATCH (n:{label}){where} RETURN {columns} ORDER BY n.id"


def export_ties(schema: Schema, type_: str, *, chosen: bool = False, only: Collection[str] | None = None) -> str:
    """Every tie of ``type_`` as ``src``, ``dst`` and all its columns (``only``: those named; ``chosen``: both
    ends in ``$ids``)."""
    columns = "".join(f", e.{p.name} AS {p.name}" for p in schema.tie_kind(type_).properties
                      if only is None or p.name in only)
    where = " WHERE a.id IN $ids AND b.id IN $ids" if chosen else ""
    return f"MATCH (a)-[e:{type_}]->(b){where} RETURN a.id AS src, b.id AS dst{columns} ORDER BY src, dst"


def ids_within(label: str) -> str:
    """Ids of the nodes of ``label`` inside the unit ``$prefix``: by their code or by their place."""
    return f"MATCH (n:{label}) WHERE n.id STARTS WITH $prefix OR n.place STARTS WITH $prefix RETURN n.id AS id"


def neighbour_ids(types: Sequence[str]) -> str:
    """Ids of the nodes a tie of one of ``types`` joins to one of ``$ids`` (either way). One statement for all
    the types: LadybugDB reads the ties of the pattern once per statement (nationally, 佳县's 414 nodes and the
    8 working tie kinds: 5.8 s in one statement a kind, 1.1 s in one).

    >>> neighbour_ids(["GUIDES", "MEMBER_OF"])
    'MATCH (a)-[:GUIDES|MEMBER_OF]-(b) WHERE a.id IN $ids RETURN DISTINCT b.id AS id'
    """
    return f"MATCH (a)-[:{'|'.join(types)}]-(b) WHERE a.id IN $ids RETURN DISTINCT b.id AS id"


def tied_ids(types: Sequence[str]) -> str:
    """Ids of the ends of at most ``$limit`` ties of one of ``types``: the part of a graph that examples of the
    saved queries are chosen from (:func:`linkgraph.pipeline.query_examples`), read in one statement. Ties, not
    nodes, are sampled, so that the sample holds ties to choose examples by; a bounded sample, so that listing
    the queries does not read a national store's million ties (all of 陕西's 38,601 took 34 s).

    >>> tied_ids(["GUIDES", "MEMBER_OF"])
    'MATCH (a)-[:GUIDES|MEMBER_OF]->(b) WITH a, b LIMIT $limit UNWIND [a.id, b.id] AS id RETURN DISTINCT id'
    """
    return f"MATCH (a)-[:{'|'.join(types)}]->(b) WITH a, b LIMIT $limit UNWIND [a.id, b.id] AS id RETURN DISTINCT id"


def unit_neighbour_ids(types: Sequence[str]) -> str:
    """Ids of the nodes a tie of one of ``types`` joins to a node inside the unit ``$prefix`` (by its code or
    its place, as :func:`ids_within`), either way: the unit's nodes are found by their code as the ties are
    read, not tested against a list of their ids (which LadybugDB does for every node of a table).

    >>> unit_neighbour_ids(["GUIDES", "MEMBER_OF"])
    'MATCH (a)-[:GUIDES|MEMBER_OF]-(b) WHERE a.id STARTS WITH $prefix OR a.place STARTS WITH $prefix RETURN DISTINCT b.id AS id'
    """
    return (f"MATCH (a)-[:{'|'.join(types)}]-(b) WHERE a.id STARTS WITH $prefix OR a.place STARTS WITH $prefix "
            "RETURN DISTINCT b.id AS id")


def node_places(label: str) -> str:
    """Id and place of the nodes of ``label`` among ``$ids``."""
    return f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id, n.place AS place"


def node_names(label: str) -> str:
    """Id, names and place of every node of ``label`` (to match spellings in Python)."""
    return (f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name, n.name_raw AS name_raw, n.aliases AS aliases, "
            "n.place AS place ORDER BY id")


def units_of_ids(label: str) -> str:
    """Id, names and place of the nodes of ``label`` whose ids are among ``$ids`` (the units a part of a load
    names by code, read as :func:`node_names` reads all of them)."""
    return ("UNWIND $ids AS i\n"
            f"MATCH (n:{label} {{id: i}}) RETURN n.id AS id, n.name AS name, n.name_raw AS name_raw, "
            "n.aliases AS aliases, n.place AS place")


def tied_from(type_: str, source: str, target: str) -> str:
    """The ``source`` nodes tied by ``type_`` to each node of ``target`` whose id is among ``$ids`` (the party
    organizations of the units a load names: :attr:`graph_model.sources.Known.tied_from`)."""
    return ("UNWIND $ids AS i\n"
            f"MATCH (s:{source})-[:{type_}]->(t:{target} {{id: i}}) RETURN t.id AS dst, s.id AS src")


TIED_COLUMNS = ("dst", "src")


def units_named(label: str) -> str:
    """Units of ``label`` whose id is ``$value`` or one of whose names has the key ``$key``, with their names."""
    return (f"MATCH (n:{label}) WHERE n.id = $value OR n.match_text CONTAINS $key "
            "RETURN n.id AS id, n.name AS name, n.name_raw AS name_raw, n.aliases AS aliases ORDER BY id")


def nodes_named(label: str) -> str:
    """Nodes of ``label`` whose id is ``$value`` or one of whose names has the key ``$key`` (``|key|``), with the
    place an organization lies in."""
    return (f"MATCH (n:{label}) WHERE n.id = $value OR n.match_text CONTAINS $key "
            "RETURN n.id AS id, n.name AS name, n.place AS place ORDER BY id")


def names_of(label: str) -> str:
    """Id and name of the nodes of ``label`` among ``$ids``."""
    return f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id, n.name AS name"


def nodes_with_ids(label: str) -> str:
    """Nodes of ``label`` among ``$ids`` as :func:`nodes_named` gives them (what the index of names found)."""
    return (f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) "
            "RETURN n.id AS id, n.name AS name, n.place AS place ORDER BY id")


def units_with_ids(label: str) -> str:
    """Units of ``label`` among ``$ids`` as :func:`units_named` gives them (what the index of names found)."""
    return (f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) "
            "RETURN n.id AS id, n.name AS name, n.name_raw AS name_raw, n.aliases AS aliases ORDER BY id")


def labels_with_id(labels: Sequence[str]) -> str:
    """LadybugDB: the labels among ``labels`` that have a node with the id ``$value``, in one statement
    (a key lookup in each table)."""
    return "\nUNION ALL\n".join(f"MATCH (n:{label} {{id: $value}}) RETURN '{label}' AS label" for label in labels)


def name_key_nodes() -> str:
    """LadybugDB: the nodes (``Label:id``) the index of names lists under the match key ``$key``."""
    return f"MATCH (k:{NAME_INDEX} {{key: $key}}) RETURN k.nodes AS nodes"


def name_keys_listed() -> str:
    """LadybugDB: the rows of the index of names under the keys ``$keys`` (those it has)."""
    return f"UNWIND $keys AS k MATCH (x:{NAME_INDEX} {{key: k}}) RETURN x.key AS key, x.nodes AS nodes"


def name_index_rows() -> str:
    """LadybugDB: the whole index of names (to check it against the nodes' names)."""
    return f"MATCH (x:{NAME_INDEX}) RETURN x.key AS key, x.nodes AS nodes ORDER BY key"


def export_name_index(path: str) -> str:
    """LadybugDB: the index of names every node's ``match_text`` implies, each key with the nodes (``Label:id``)
    one of whose names has it, worked out inside the engine and written to the Parquet file ``path`` (for a
    ``COPY`` into the empty index: no row goes through Python)."""
    return (f"COPY (MATCH (n) WHERE n.match_text IS NOT NULL\n"
            "UNWIND string_split(n.match_text, '|') AS k WITH k, label(n) + ':' + n.id AS node WHERE k <> ''\n"
            f"RETURN k AS key, collect(node) AS nodes) TO {_path_literal(path)}")


def clear_name_index() -> str:
    """LadybugDB: empty the index of names (after an ad hoc write, which may change names; an empty index is not
    used, and the next load builds it whole)."""
    return f"MATCH (x:{NAME_INDEX}) DELETE x"


def count_name_keys() -> str:
    return f"MATCH (x:{NAME_INDEX}) RETURN count(x) AS count"


def set_name_keys() -> str:
    """LadybugDB: give the keys of ``$rows`` (``key``, ``nodes``) that the index has their new lists of nodes."""
    return f"UNWIND $rows AS r MATCH (x:{NAME_INDEX} {{key: r.key}}) SET x.nodes = CAST(r.nodes AS STRING[])"


def create_name_keys() -> str:
    """LadybugDB: add the keys of ``$rows`` (``key``, ``nodes``) to the index of names."""
    return f"UNWIND $rows AS r CREATE (:{NAME_INDEX} {{key: r.key, nodes: CAST(r.nodes AS STRING[])}})"


def delete_name_keys() -> str:
    """LadybugDB: remove the keys ``$keys`` (no node's name has them any more) from the index of names."""
    return f"UNWIND $keys AS k MATCH (x:{NAME_INDEX} {{key: k}}) DELETE x"


def node_match_texts(label: str) -> str:
    """The match keys (``match_text``) of the nodes of ``label`` with the ids ``$ids``."""
    return f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id AS id, n.match_text AS match_text"


def all_match_texts(label: str) -> str:
    """The match keys (``match_text``) of every node of ``label``."""
    return f"MATCH (n:{label}) RETURN n.id AS id, n.match_text AS match_text"
