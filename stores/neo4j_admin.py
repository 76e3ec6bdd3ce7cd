"""Files for Neo4j's offline bulk import (``neo4j-admin database import full``), for a first national load.

A first load of the whole country into an empty Neo4j is fastest offline:
``neo4j-admin`` builds the store files directly from CSV, without
transactions. :func:`write_import` writes those CSV files from a
:class:`~graph_model.records.GraphData` or from records streamed one by one
(nodes first, then ties), and returns an :class:`ImportFiles` that gives the
exact command to run, with the server stopped::

    files = write_import("import/", graph.nodes.values(), graph.ties.values(), schema=schema,
                         sources=store.loaded_sources())
    print(files.command_text())   # neo4j-admin database import full --nodes=… neo4j

The files follow the schema: one header file and one data file per node kind
(``id:ID(Village)``: each kind its own id space, as each has its own
uniqueness constraint) and per (tie type, source kind, target kind)
(``:START_ID(Village),:END_ID(Town)``); properties are typed (``:long``,
``:double``, ``:boolean``, ``:string[]``), JSON properties (provenance,
claims…) are written as JSON text, as both stores keep them, and lists are
joined with :data:`ARRAY_DELIMITER`. The registry of loaded sources
(``LoadedSource``) is written too, so that later loads into the imported
database compare with it and skip what it holds unchanged. Empty values and
empty lists are left out (the stores hold none). The constraints and indexes
are not part of the import: linkgraph creates them when it first opens the
database (``Store.ensure_schema``).
"""

from __future__ import annotations

import csv
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Mapping, Sequence

from graph_model.records import Node, Tie, storage_value
from graph_model.schema import Property, Schema
from queries.statements import REGISTRY, REGISTRY_PROPERTIES

ARRAY_DELIMITER = "\x1f"
"""Between the items of a list property: the ASCII unit separator, which no name or text contains."""
IMPORT_TYPES = {"string": "string", "int": "long", "float": "double", "bool": "boolean", "string_list": "string[]",
                "date": "string", "json": "string"}
REGISTRY_TYPES = {"STRING": "string", "INT64": "long", "BOOLEAN": "boolean"}


@dataclass
class ImportFiles:
    """The CSV files written for ``neo4j-admin database import full``, and the command that imports them."""

    folder: Path
    nodes: dict[str, tuple[Path, Path]] = field(default_factory=dict)
    """Node kind → (header file, data file)."""
    relationships: dict[tuple[str, str, str], tuple[Path, Path]] = field(default_factory=dict)
    """(tie type, source kind, target kind) → (header file, data file)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Rows written per node kind and per tie type (the registry under ``LoadedSource``)."""
    multiline: list[Path] = field(default_factory=list)
    """Data files with a value that spans lines (read slower, so named to neo4j-admin one by one)."""
    database: str = "neo4j"

    def command(self, admin: Sequence[str] = ("neo4j-admin",)) -> list[str]:
        """The import command as arguments; ``admin`` is how neo4j-admin is started (e.g. ``java -cp
        'lib/*' org.neo4j.server.startup.Neo4jAdminCommand``). Run it with the server stopped: it
        replaces the database ``database``."""
        # the database comes first: the file options take every argument after them
        args = [*admin, "database", "import", "full", self.database, "--overwrite-destination=true",
                f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}", "--id-type=string", "--bad-tolerance=0",
                f"--report-file={self.folder / 'import.report'}"]
        if self.multiline:
            args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(map(str, self.multiline))}"]
        args += [f"--nodes={label}={header},{data}" for label, (header, data) in self.nodes.items()]
        args += [f"--relationships={type_}={header},{data}"
                 for (type_, _, _), (header, data) in self.relationships.items()]
        return args

    def command_text(self, admin: Sequence[str] = ("neo4j-admin",)) -> str:
        """:meth:`command` as one line for a shell."""
        return shlex.join(self.command(admin))


class _Table:
    """One header file and one data file, written as records arrive."""

    def __init__(self, folder: Path, name: str, header: list[str]):
        self.header_path = folder / f"{name}.header.csv"
        self.data_path = folder / f"{name}.csv"
        with open(self.header_path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(header)
        self._handle: IO[str] = open(self.data_path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self._handle)
        self.rows = 0
        self.multiline = False

    def write(self, row: list[Any]) -> None:
        if not self.multiline:
            self.multiline = any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in row)
        self.writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self._handle.close()


def _header(prop: Property) -> str:
    return f"{prop.name}:{IMPORT_TYPES[prop.type]}"


def _cell(prop: Property, value: Any, loaded: str | None) -> Any:
    """A value as neo4j-admin reads it: JSON as text, lists joined, booleans in lower case, nothing for empty."""
    if value is None or value == "" or value == []:
        return None
    if prop.type == "json":
        return storage_value(prop, value, loaded)
    if prop.type == "string_list":
        items = [str(item) for item in value]
        if any(ARRAY_DELIMITER in item for item in items):
            raise ValueError(f"{prop.name}: a list item contains the array delimiter U+{ord(ARRAY_DELIMITER):04X}")
        return ARRAY_DELIMITER.join(items)
    if prop.type == "bool":
        return "true" if value else "false"
    return value


def write_import(folder: str | Path, nodes: Iterable[Node], ties: Iterable[Tie], *, schema: Schema,
                 sources: Iterable[Mapping[str, Any]] = (), loaded: str | None = None,
                 database: str = "neo4j") -> ImportFiles:
    """Write the import files for ``nodes`` and then ``ties`` into ``folder`` (created; files of the same
    names are replaced) and return them with their command.

    ``nodes`` and ``ties`` may be streams (each is read once, nodes first: a
    tie's endpoint kinds come from the nodes, so every endpoint must be
    among them). ``sources`` are registry rows (``store.loaded_sources()``, or
    the rows a load records); ``loaded`` is the time given to statements of
    ``provenance`` that have none yet, as a load does. Raises
    :class:`ValueError` for a tie whose endpoint is not among the nodes, or a
    tie the schema does not allow.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files = ImportFiles(out, database=database)
    tables: dict[Any, _Table] = {}
    try:
        kinds = _write_nodes(out, nodes, schema, loaded, tables)
        _write_ties(out, ties, schema, loaded, tables, kinds)
        _write_registry(out, list(sources), tables)
    finally:
        for table in tables.values():
            table.close()
    for key, table in tables.items():
        paths = (table.header_path, table.data_path)
        if table.multiline:
            files.multiline.append(table.data_path)
        if isinstance(key, tuple):
            files.relationships[key] = paths
            files.counts[key[0]] = files.counts.get(key[0], 0) + table.rows
        else:
            files.nodes[key] = paths
            files.counts[key] = table.rows
    return files


def _write_nodes(out: Path, nodes: Iterable[Node], schema: Schema, loaded: str | None,
                 tables: dict[Any, _Table]) -> dict[str, str]:
    """Each node as a row of its kind's table (opened on its first node); returns each node's kind by id."""
    kinds: dict[str, str] = {}
    for node in nodes:
        properties = schema.node_kind(node.kind).properties
        table = tables.get(node.kind)
        if table is None:
            header = [f"id:ID({node.kind})" if p.name == "id" else _header(p) for p in properties]
            table = tables[node.kind] = _Table(out, node.kind, header)
        table.write([node.id if p.name == "id" else _cell(p, node.props.get(p.name), loaded) for p in properties])
        kinds[node.id] = node.kind
    return kinds


def _write_ties(out: Path, ties: Iterable[Tie], schema: Schema, loaded: str | None, tables: dict[Any, _Table],
                kinds: Mapping[str, str]) -> None:
    """Each tie as a row of the table of its type and endpoint kinds; ValueError for an endpoint not among the
    nodes or a tie the schema does not allow."""
    for tie in ties:
        try:
            group = (tie.type, kinds[tie.source_id], kinds[tie.target_id])
        except KeyError as missing:
            raise ValueError(f"端点不在节点中 / {tie.type} {tie.source_id} → {tie.target_id}: no node {missing} "
                             "among the nodes written") from None
        kind = schema.tie_kind(tie.type)
        if not kind.allows(group[1], group[2]):
            raise ValueError(f"模型不允许该关系 / {tie.type} does not join {group[1]} to {group[2]}")
        table = tables.get(group)
        if table is None:
            header = [f":START_ID({group[1]})", f":END_ID({group[2]})", *(_header(p) for p in kind.properties)]
            table = tables[group] = _Table(out, "-".join(group), header)
        table.write([tie.source_id, tie.target_id, *(_cell(p, tie.props.get(p.name), loaded) for p in kind.properties)])


def _write_registry(out: Path, registry: list[Mapping[str, Any]], tables: dict[Any, _Table]) -> None:
    """The registry rows of the sources, if any, as their own table."""
    if not registry:
        return
    header = [f"{name}:ID({REGISTRY})" if name == "key" else f"{name}:{REGISTRY_TYPES[type_]}"
              for name, type_ in REGISTRY_PROPERTIES]
    table = tables[REGISTRY] = _Table(out, REGISTRY, header)
    for row in registry:
        value = {**row, "complete": "true" if row.get("complete", True) else "false"}
        table.write([value.get(name) for name, _ in REGISTRY_PROPERTIES])
