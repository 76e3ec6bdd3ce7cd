"""The new records of a load in parts as the ``COPY`` files the embedded store loads them from, written as the
parts are read (:meth:`stores.writing.Writing.write_parts`), so that no more than one part is held as records.
Neo4j keeps them in the same files (in a :func:`temporary_folder`) and reads them back a statement's rows at a time.

Each group (the nodes of one kind, or the ties of one type between two kinds) goes into Parquet files of at most
as many rows as one ``COPY`` takes (:func:`stores.embedded.copy_most`), appended to part by part; the store then
``COPY``s file after file, as it ``COPY``s the parts of a group held in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import itertools
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from graph_model.records import storage_column
from graph_model.schema import Schema
from queries import statements
from stores.name_index import entry
from stores.plan import WritePlan

COLUMN_ROWS = 25_000
"""Records made into columns at a time (a row group of the file): a load's last part, its 242,779 organizations
nationally, is not made into columns at once."""
PARQUET_OPTIONS = {"use_dictionary": False}
"""How the ``COPY`` files are written: compressed (snappy, pyarrow's default: 300,000 national villages take
20 MB, 167 MB uncompressed, and the bytes cost more system time than snappy costs), but not dictionary-encoded:
most of their text is unique (names, provenance), so the dictionary is work thrown away (measured 2026-12-07,
writing and ``COPY`` of those villages: 2.37–2.41 s of CPU with a dictionary, 2.27 without, 2.41–2.54
uncompressed)."""

FOLDER_PREFIX = "linkgraph-load-"
"""The start of the name of a load's folder of files in the system's temporary folder (:func:`temporary_folder`)."""
HELD = "held"
"""The file of such a folder that its load holds (``flock``) while it runs."""

Group = tuple[str, "tuple[str, str] | None"]
"""A node kind (ends None) or a tie type with its source and target kinds."""


@dataclass
class _Open:
    """The file of a group being appended to."""

    writer: Any
    path: str
    rows: int
    most: int


@dataclass
class CopySpool:
    """Parquet files in ``folder``, one per ``COPY``, by group: ``files`` holds the finished ones with their rows.

    ``columns(properties, records, loaded, ends, loaded_by)`` gives a part's records as a ``COPY``'s columns
    and ``most(properties, records, loaded, ends)`` how many rows one ``COPY`` of the group takes (both from
    :mod:`stores.embedded`); ``table(columns)`` makes an Arrow table of columns."""

    folder: Path
    schema: Schema
    columns: Callable[..., dict[str, tuple[str, list[Any]]]]
    most: Callable[..., int]
    table: Callable[[dict[str, tuple[str, list[Any]]]], Any]
    names: dict[str, str] | None = None
    """The ``match_text`` of every new node (:func:`stores.name_index.entry` → text) where the store keeps its
    index of names up to date key by key; None where it builds it whole after the write."""
    files: dict[Group, list[tuple[str, int]]] = field(default_factory=dict)
    _open: dict[Group, _Open] = field(default_factory=dict)

    def take(self, plan: WritePlan, loaded_by: str) -> None:
        """Write ``plan``'s new records to the files and let them go from it (``plan`` counts them)."""
        counts = {"create_nodes": 0, "create_ties": 0}
        for label, nodes in plan.create_nodes.items():
            self._add((label, None), self.schema.node_kind(label).properties, nodes, plan.loaded, loaded_by)
            if self.names is not None:
                self.names.update((entry(label, node.id), node.props.get("match_text") or "") for node in nodes)
            counts["create_nodes"] += len(nodes)
        for (type_, source, target), ties in plan.create_ties.items():
            self._add((type_, (source, target)), self.schema.tie_kind(type_).properties, ties, plan.loaded, loaded_by)
            counts["create_ties"] += len(ties)
        plan.created_elsewhere = counts
        plan.create_nodes, plan.create_ties = {}, {}

    def _add(self, group: Group, properties: Sequence, records: Sequence, loaded: str, loaded_by: str) -> None:
        import pyarrow.parquet as pq

        name, ends = group
        start = 0
        while start < len(records):
            current = self._open.get(group)
            if current is None:
                most = self.most(properties, records[start:start + 1000], loaded, ends)
                number = len(self.files.get(group, []))  # "part-": the store's own COPY files share the folder
                path = str(self.folder / f"part-{name}-{'-'.join(ends or ())}-{number}.parquet")
                current = self._open[group] = _Open(None, path, 0, most)
            chunk = records[start:start + min(COLUMN_ROWS, current.most - current.rows)]
            table = self.table(self.columns(properties, chunk, loaded, ends, loaded_by))
            if current.writer is None:
                current.writer = pq.ParquetWriter(current.path, table.schema, **PARQUET_OPTIONS)
            current.writer.write_table(table)
            current.rows += len(chunk)
            start += len(chunk)
            if current.rows >= current.most:
                self._finish(group)

    def _finish(self, group: Group) -> None:
        current = self._open.pop(group)
        if current.writer is None:  # its first rows failed as they were made into a table: no file, and what
            return  # failed is raised, not this (a value Arrow cannot hold, Ctrl-C just then)
        current.writer.close()
        self.files.setdefault(group, []).append((current.path, current.rows))

    def close(self) -> None:
        """Finish the files still being appended to."""
        for group in list(self._open):
            self._finish(group)

    def in_order(self) -> list[tuple[Group, str, int]]:
        """``(group, file, rows)`` of every file: the nodes' first, so that every tie finds its ends."""
        self.close()
        groups = sorted(self.files, key=lambda group: group[1] is not None)
        return [(group, path, rows) for group in groups for path, rows in self.files[group]]

    def has_nodes(self) -> bool:
        """Whether any new node is in the files."""
        return any(ends is None for _, ends in (*self.files, *self._open))


def copy_columns(properties: Sequence, records: Sequence, loaded: str,
                 ends: tuple[str, str] | None = None, loaded_by: str = "") -> dict[str, tuple[str, list[Any]]]:
    """The records as a ``COPY``'s columns (name → LadybugDB type and values, ties first ``src`` and ``dst``)."""
    columns = {}
    if ends is not None:
        columns = {"src": ("STRING", [r.source_id for r in records]), "dst": ("STRING", [r.target_id for r in records])}
    values = [r.props for r in records]
    get = dict.get
    for prop in properties:  # (map: a national load's columns hold 20 million values, each looked up in C)
        column = storage_column(prop, list(map(get, values, itertools.repeat(prop.name))), loaded, loaded_by)
        columns[prop.name] = (statements.LADYBUG_TYPES[prop.type], column)
    return columns


def arrow_table(columns: Mapping[str, tuple[str, list[Any]]]):
    """Columns (name → LadybugDB type and values) as an Arrow table, in the table's order."""
    import pyarrow as pa

    types = {"STRING": pa.string(), "INT64": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
             "STRING[]": pa.list_(pa.string())}
    arrays = [pa.array(values, type=types[type_]) for type_, values in columns.values()]
    return pa.Table.from_arrays(arrays, names=list(columns))


@contextlib.contextmanager
def temporary_folder() -> Iterator[Path]:
    """A private folder in the system's temporary folder for the files of one load (Neo4j's :class:`CopySpool`),
    held by this process while the block runs (an ``flock`` of its file :data:`HELD`, which the operating
    system lets go when the process dies) and removed after it. The folders that loads which were killed left
    are removed first (:func:`remove_abandoned`)."""
    import tempfile  # (here: a question, which opens a store, does not import it)

    remove_abandoned()
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    handle = open(folder / f".{HELD}", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.rename(folder / f".{HELD}", folder / HELD)  # held before another process can see it as a load's
        yield folder
    finally:
        handle.close()
        shutil.rmtree(folder, ignore_errors=True)


def remove_abandoned() -> list[Path]:
    """Remove the folders of :func:`temporary_folder` that this user's loads left when they were killed (their
    :data:`HELD` file not held by any process), and return them; the folders of loads still running stay."""
    import tempfile

    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        held = folder / HELD
        if folder.is_symlink() or folder.lstat().st_uid != os.getuid() or not held.is_file() or held.is_symlink():
            continue
        with open(held, "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # its load is running
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
