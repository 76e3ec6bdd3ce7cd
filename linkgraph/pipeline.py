"""The library's main jobs, usable from Python and notebooks; the CLI is a thin layer on top::

    from linkgraph.pipeline import load, report, make_map
    loaded = load(["examples/jia_county/case.yaml"], "out/g.lbug", replace=True)
    analysis, files = report("out/g.lbug", "out/report")
    make_map("out/g.lbug", "out/map.html", scope=Scope(within="610828111"))  # 刘国具镇 only
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Mapping, NamedTuple

from graph_model.records import GraphData, InputError, Origin, Problem, SourceRef
from graph_model.schema import Schema, default_schema
from linkgraph.audit import os_user
from stores import is_server_spec, open_store
from stores.base import Progress, WriteReport
from stores.plan import WritePlan

if TYPE_CHECKING:  # the loaders too are imported by the functions that use them: a query starts without them
    from analysis.report import Analysis
    from linkgraph.audit import Audit
    from stores.plan import Withdrawal
    from graph_model.records import Node
    from loaders import LoadResult
    from loaders.extract import Extraction
    from loaders.extract.scope import ReportScope
    from stores.base import Answer, Store
    from stores.neo4j_admin import ImportFiles

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_CASE = REPO / "examples" / "jia_county" / "case.yaml"


def _collector_paused():
    """:func:`analysis.collector.collector_paused`, imported when a job needs it (a query starts without
    importing the analysis)."""
    from analysis.collector import collector_paused

    return collector_paused()


@contextlib.contextmanager
def _new_store_kept_if_written(store: str, dry_run: bool):
    """A new embedded store that a load creates is removed again, with the folders made for it, if the
    load fails or only checks (``dry_run``): nothing is left behind that looks like a store."""
    if is_server_spec(store) or Path(store).exists():
        yield
        return
    path = Path(store).absolute()
    made = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    written = False
    try:
        yield
        written = not dry_run
    finally:
        if not written:
            for leftover in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".lock")):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink(missing_ok=True)
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()


Waiting = Callable[[str], None]
"""Told once, with a line to show, when a write waits for another writer of the store."""


@dataclass
class Loaded:
    """What a load read, what it changed in the store (or would, for a dry run), and the store's counts."""

    result: LoadResult
    report: WriteReport
    counts: dict[str, int]


def load(sources: Iterable[str | Path], store: str, *, replace: bool = False, progress: Progress | None = None,
         schema: Schema | None = None, decisions: str | Path | None = None, columns: Mapping[str, str] | None = None,
         keep_valid: bool = False, title: str | None = None, dry_run: bool = False, kind: str | None = None,
         loaded_by: str | None = None, waiting: Waiting | None = None, audit: "Audit | None" = None,
         ask_before_replacing: bool = False, new_version: bool = False, folders: bool = True) -> Loaded:
    """Read and check every source against what ``store`` holds, then write the changes in one transaction.

    ``decisions`` is a file of the planner's answers to unresolved references
    (``linkgraph reconcile``); ``columns`` maps table headers to fields;
    ``keep_valid`` loads the valid rows and reports the rest; ``dry_run``
    checks and compares without writing; ``kind`` is the kind of a table whose
    name is not one (``--kind``). ``loaded_by`` names who loads (default: the
    operating system's user), kept with every statement and source written.
    Loads are serialized: while another writer holds the store this one
    waits (``waiting`` is told once). A load that writes is recorded in
    ``audit`` (default: :func:`linkgraph.audit.audit_for` the store).
    Unless ``keep_valid``, the ties a table states first are handed to the
    store in parts as they are read (:func:`_load_in_parts`), so that a
    national table is never held whole, and the rest (the nodes, the ties
    that several sources state) before the write; ``result.graph`` is then
    empty (``result.read_counts()`` counts everything read). ``ask_before_replacing``: a load that replaces a
    source the store holds (a file of the same name) and deletes some of what it stated is refused
    (:func:`stores.writing.replacing_message`), as ``serve``'s uploads ask before they do that.
    A source is known by its file name, and the store records the folder of its file: a load of a file whose
    name the store holds from another folder, with other content (another town's ``结对帮扶.csv``), is refused
    before anything is read, unless ``new_version`` says it is the new version of that table
    (:func:`graph_model.sources.folder_clashes`). ``folders=False`` (an upload, whose folder is made for it)
    records none and checks none: the name alone says which source it is.
    """
    from graph_model.sources import folder_clashes
    from loaders import LoadResult, SourceInfo, load_sources, source_identities
    from loaders.context import Known
    from stores.memory import give_back

    schema = schema or default_schema()
    loaded_by = loaded_by or os_user()
    sources = list(sources)  # read more than once: digests, a load in parts, and again whole if it must be
    answers, digest = read_decisions_file(decisions, schema) if decisions else ({}, "")
    with (_collector_paused(), _new_store_kept_if_written(store, dry_run),
          open_store(store, schema, create=True, waiting=waiting) as target, target.exclusive(waiting)):
        identities = source_identities(sources, columns=columns, decisions_digest=digest, title=title, kind=kind)
        digests = [(source.key, source.digest) for source in identities]
        registry = {} if replace else {row["key"]: row for row in target.loaded_sources()}
        clashes, notes = folder_clashes(identities if folders else (), registry, new_version=new_version)
        if clashes:
            raise InputError(clashes)
        if not replace:
            held = {key: row for key, row in registry.items() if row["complete"]}
            if all(held.get(key, {}).get("digest") == value for key, value in digests):
                infos = [SourceInfo(SourceRef(key, held[key]["title"], held[key]["file"]), Path(held[key]["file"]), value,
                                    held[key]["kind"]) for key, value in digests]
                return _audited(Loaded(LoadResult(GraphData(schema=schema), infos),
                                       WriteReport(WritePlan(), [], [k for k, _ in digests], dry_run), target.counts()),
                                store, loaded_by, audit)
        read = dict(schema=schema, decisions=answers, columns=columns, keep_valid=keep_valid, title=title,
                    decisions_digest=digest, progress=progress, kind=kind, folders=folders)
        if not keep_valid:
            loaded = _load_in_parts(sources, digests, target, read, replace=replace, dry_run=dry_run,
                                    loaded_by=loaded_by, ask_before_replacing=ask_before_replacing)
            if loaded is not None:
                loaded.result.notes[:0] = notes
                return _audited(loaded, store, loaded_by, audit)
        result = load_sources(sources, known=Known() if replace else target.known(), **read)
        give_back()  # what only reading needed (the store's units, their name index) before the write's page cache
        report = target.write(result.graph, replace=replace, progress=progress, sources=result.sources,
                              dry_run=dry_run, loaded_by=loaded_by, ask_before_replacing=ask_before_replacing)
        result.notes[:0] = notes
        return _audited(Loaded(result, report, target.counts()), store, loaded_by, audit)


def _load_in_parts(sources: Iterable[str | Path], digests: list[tuple[str, str]], target: "Store",
                   read: dict[str, Any], *, replace: bool, dry_run: bool, loaded_by: str,
                   ask_before_replacing: bool = False) -> Loaded | None:
    """:func:`load` with the ties of tables handed to the store a part at a time as they are read
    (:func:`stores.memory.part_records` each, :meth:`stores.base.Store.writing_parts`), then the nodes and the
    rest, let go before the write: a national table of ties is never held whole as records, nor the load's
    records while the store writes them. None, having written nothing, when a tie
    was stated again after its part went (the load is then read again whole). ``digests``: the sources' keys
    and digests, as :func:`loaders.source_identities` gives them."""
    from loaders import load_sources
    from loaders.context import Known
    from stores.memory import give_back, memory_limit, part_records

    with target.writing_parts(digests, replace=replace, dry_run=dry_run, loaded_by=loaded_by,
                              ask_before_replacing=ask_before_replacing) as writing:
        result = load_sources(sources, known=Known() if replace else target.known(), handoff=writing.add,
                              part_ties=part_records(memory_limit()), **read)
        if result.whole_needed:
            return None
        writing.add(result.graph)  # the last part: the load's nodes and the ties not handed on
        result.graph = GraphData(schema=result.graph.schema)  # its new records are in the COPY files: let them go
        give_back()  # what only reading needed, and the last part, before the write's page cache
        report = writing.finish(result.sources, read["progress"])
        result.read = report.read
        return Loaded(result, report, target.counts())


def _audited(loaded: Loaded, store: str, actor: str, audit: "Audit | None", action: str = "load") -> Loaded:
    """``loaded``, recorded in the audit log (``audit``, or the store's own) unless it was a dry run."""
    from linkgraph.audit import audit_for
    from stores.masking import redact

    if not loaded.report.dry_run:
        (audit or audit_for(store)).record(actor, action, {
            "store": redact(str(store)), "sources": loaded.report.written,
            "unchanged_sources": loaded.report.unchanged_sources, "files": [Path(f).name for f in loaded.result.files],
            **loaded.report.plan.summary()})
    return loaded


def load_roster(level: str, value: str | None, store: str, *, replace: bool = False,
                progress: Progress | None = None, schema: Schema | None = None, dry_run: bool = False,
                loaded_by: str | None = None, waiting: Waiting | None = None, audit: "Audit | None" = None) -> Loaded:
    """Load the 2023 NBS units of a county, city, province or (``level="all"``) the whole country,
    shipped with linkgraph, into ``store``; a scope already loaded unchanged is skipped. ``loaded_by``,
    ``waiting`` and ``audit`` as for :func:`load`."""
    import hashlib

    from graph_model.names import name_rules_digest
    from loaders import LoadResult, SourceInfo, nbs
    from loaders.roster import NBS_SOURCE
    from stores.memory import give_back

    schema = schema or default_schema()
    roster = nbs.national_roster()
    scope = nbs.parse_scope(roster, level, value)
    units = nbs.scope_units(roster, scope)
    key = f"nbs2023:{scope.code or 'all'}"
    ref = SourceRef(key, f"{NBS_SOURCE}: {scope}", nbs.ROSTER_FILE.rsplit("/", 1)[-1])
    digest = hashlib.sha256(f"{nbs.packaged_digest()}:{key}:{ref.title}:{name_rules_digest()}".encode()).hexdigest()
    info = SourceInfo(ref, Path(ref.file), digest, "roster")
    loaded_by = loaded_by or os_user()
    with (_collector_paused(), _new_store_kept_if_written(store, dry_run),
          open_store(store, schema, create=True, waiting=waiting) as target, target.exclusive(waiting)):
        held = {row["key"]: row for row in target.loaded_sources()}.get(key)
        if not replace and held and held["digest"] == digest and held["complete"]:
            return _audited(Loaded(LoadResult(GraphData(schema=schema), [info]),
                                   WriteReport(WritePlan(), [], [key], dry_run), target.counts()), store, loaded_by, audit)
        parts = _roster_parts(units, ref, schema, progress)
        report = target.write_parts(parts, replace=replace, progress=progress, sources=[info], dry_run=dry_run,
                                    loaded_by=loaded_by)
        give_back()
        result = LoadResult(GraphData(schema=schema), [info], read=report.read)
        return _audited(Loaded(result, report, target.counts()), store, loaded_by, audit)


def _roster_parts(units, ref: SourceRef, schema: Schema, progress: Progress | None) -> Iterator[GraphData]:
    """The roster's units (an Arrow table) as records, :func:`stores.memory.part_records` at a time (each part's
    units and their ties), read from the table a part at a time: a national roster is never held whole as
    records (:meth:`stores.base.Store.write_parts`)."""
    from loaders import nbs
    from loaders.roster import roster_parts
    from stores.memory import memory_limit, part_records

    size = max(1, part_records(memory_limit()) // 2)  # a unit is a node and, below the provinces, a tie

    def rows() -> Iterator[tuple]:
        for start in range(0, units.num_rows, size):
            if progress:
                progress("read", start, units.num_rows)
            rows_of = nbs.unit_rows(units.slice(start, size))
            yield from ((number, *row) for number, row in enumerate(rows_of, start=start + 2))
        if progress:
            progress("read", units.num_rows, units.num_rows)

    return roster_parts(rows(), ref.file, schema, ref, size)


def sources(store: str) -> list[dict[str, Any]]:
    """The sources ``store`` holds: who loaded each and when, from which file, what it states (nodes and ties)
    and how much of that it alone states (:meth:`stores.base.Store.source_summaries`)."""
    with open_store(store, read_only=True) as source:
        return source.source_summaries()


def withdraw(store: str, source: str, *, dry_run: bool = False, by: str | None = None,
             waiting: Waiting | None = None, audit: "Audit | None" = None,
             progress: Progress | None = None) -> "Withdrawal":
    """Withdraw the source ``source`` (its key or title) from ``store`` in one transaction: what only it states
    goes, what others state too stays without its statement (:meth:`stores.base.Store.withdraw`). ``dry_run``
    says exactly what would go and writes nothing. Serialized with loads; recorded in ``audit`` as done ``by``
    (default: the operating system's user)."""
    from linkgraph.audit import audit_for
    from stores.masking import redact

    by = by or os_user()
    with (_collector_paused(), open_store(store, create=False, read_only=dry_run, waiting=waiting) as target,
          contextlib.nullcontext() if dry_run else target.exclusive(waiting)):
        withdrawal = target.withdraw(source, dry_run=dry_run, progress=progress)
    if not dry_run:
        (audit or audit_for(store)).record(by, "withdraw", {"store": redact(str(store)), "source": withdrawal.key,
                                                            "title": withdrawal.source.get("title"),
                                                            **withdrawal.summary()})
    return withdrawal


class Reconciled(NamedTuple):
    """What :func:`reconcile` found: the decisions file's rows, and whether the sources gave any row to check."""

    rows: list[list[str]]
    checked: bool


def reconcile(sources: Iterable[str | Path], store: str, *, schema: Schema | None = None,
              decisions: str | Path | None = None, columns: Mapping[str, str] | None = None,
              title: str | None = None, kind: str | None = None) -> Reconciled:
    """Every reference of ``sources`` that matches no unit or several, as rows of a decisions file, and whether
    any row was checked (an extract draft none of whose rows is accepted gives none: no rows is then no finding).

    The store (if it exists) is read for what it already holds; nothing is written.
    Answers already in ``decisions`` are carried over.
    """
    from loaders import load_sources
    from loaders.decisions import decision_rows
    from loaders.reconcile import Unresolved

    schema = schema or default_schema()
    answers, digest = read_decisions_file(decisions, schema) if decisions else ({}, "")
    if is_server_spec(store) or Path(store).exists():
        with open_store(store, schema, read_only=True) as source:
            result = load_sources(sources, schema, known=source.known(), decisions={}, columns=columns,
                                  keep_valid=True, title=title, kind=kind)
    else:
        result = load_sources(sources, schema, decisions={}, columns=columns, keep_valid=True, title=title, kind=kind)
    problems = [p for p in result.left_out if isinstance(p, Unresolved)]
    checked = bool(result.left_out) or result.read_counts() != (0, 0)
    return Reconciled(decision_rows(problems, schema, answers), checked)


def read_decisions_file(path: str | Path, schema: Schema) -> tuple[dict, str]:
    """The answers in a decisions file (CSV or workbook) and a digest of it."""
    import hashlib

    from loaders.decisions import read_decisions
    from loaders.tables import read_tables
    from loaders.text import read_source_bytes

    path = Path(path)
    data = read_source_bytes(path)
    try:
        answers = read_decisions(read_tables(path, data)[0], schema)
    except ValueError as err:
        raise InputError([Problem(Origin(str(path)), str(err))]) from None
    return answers, hashlib.sha256(data).hexdigest()


def run_query(store: str, name: str, params: dict[str, Any] | None = None, *,
              close: bool = True) -> list[dict[str, Any]]:
    """Run a named query of the catalog against ``store`` (opened read-only for this one question).

    ``close=False`` leaves the store open, for a process that ends right after the answer
    (``linkgraph query``): the operating system then takes back what the store held, and closing it, which
    costs 11-15 ms of a national question's 0.3 s (measured), is skipped. Nothing is written to a store
    opened read-only, so nothing is lost. A question refused (an unknown name) closes the store either way."""
    source = open_store(store, read_only=True, one_question=True)
    try:
        rows = source.run_named(name, params or {})
    except BaseException:
        source.close()
        raise
    if close:
        source.close()
    return rows


EXAMPLE_TIES = 100
"""Ties of each kind read to choose the saved queries' examples from (:func:`query_examples`): each kind's,
so that a query about one kind (members of a joint organization) finds its example; few enough that the
list does not read the whole store (a 陕西 store with 38,601 ties: 28.7 s of CPU read whole, 1.8 s so)."""


def query_examples(source: "Store", schema: Schema) -> dict[str, dict[str, Any]]:
    """Each saved query's example values fitted to ``source``'s graph, not Jia County's
    (:func:`queries.examples.examples_in`, which the query page of ``serve`` calls too), for the list of
    queries (``linkgraph query``) and the shell's help. Only the ends of :data:`EXAMPLE_TIES` ties of each
    non-administrative kind and the counties, cities and provinces are read, with their names: the examples are chosen among them,
    and a national store is not read whole to list the queries. ``None`` for a parameter the graph has nothing
    for (a store holding only the roster has no organization to name)."""
    from queries import statements
    from queries.catalog import default_catalog
    from queries.examples import examples_in

    types = sorted(t.type for t in schema.tie_kinds if t.type not in schema.administrative_ties)
    ids = {row["id"] for type_ in types for row in source.run(statements.tied_ids([type_]), {"limit": EXAMPLE_TIES})}
    for key in ("county", "city", "province"):
        ids.update(row["id"] for row in source.run(statements.ids_within(schema.level_kind(key)), {"prefix": ""}))
    graph = source.export(ids, node_properties=("name", "aliases"), tie_properties=())
    return {name: examples_in(query, graph, schema) for name, query in default_catalog().items()}


def stored_query_examples(store: str) -> dict[str, dict[str, Any]] | None:
    """:func:`query_examples` of the store at ``store``; ``None`` when there is no embedded store there yet
    (the list of queries then shows generic placeholders, not another county's names)."""
    if not is_server_spec(store) and not Path(store).is_file():
        return None
    schema = default_schema()
    with open_store(store, schema, read_only=True) as source:
        return query_examples(source, schema)


def cypher(store: str, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
           limit: int | None = 1000, timeout: float | None = 30.0) -> "Answer":
    """Run an ad hoc query: read-only unless ``write`` (the store enforces it), at most ``limit``
    rows (the answer says when it cut), stopped after ``timeout`` seconds."""
    with open_store(store, read_only=not write) as source:
        return source.query(text, params, write=write, limit=limit, timeout=timeout)


class Session:
    """A store opened once, read-only, for many questions: a planner's shell (``linkgraph shell``) or a
    Python session or notebook. Each :func:`run_query` or :func:`cypher` opens the store and closes it again,
    which costs more than a national query itself (opening LadybugDB builds every table's key index);
    a session pays it once::

        from linkgraph import Session
        with Session("country.lbug") as session:          # or "bolt://127.0.0.1:7687"
            rows = session.query("ego_network", org="佳县县委办公室", hops=2)
            paths = session.query("shortest_paths", {"from": "核桃树墕村", "to": "联村合作社养牛场"})
            answer = session.cypher(text)                  # your own read-only Cypher

    Ad hoc Cypher goes through the store's guarded read-only path, as ``linkgraph cypher`` without
    ``--write``. An embedded store that a load replaces meanwhile (a load writes a new file and renames it
    into place) is opened again at the next question, so answers are never older than the last load.
    """

    def __init__(self, store: str, schema: Schema | None = None):
        self.spec = store
        self.schema = schema or default_schema()
        self._source: "Store | None" = None
        self._version: tuple[int, int, int] | None = None
        self._embedded = not is_server_spec(store)
        self._examples: tuple[Any, dict[str, dict[str, Any]]] | None = None
        self._open()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _file_version(self) -> tuple[int, int, int] | None:
        """The embedded store file's inode, modification time and size (None for a server, or no file)."""
        if not self._embedded:
            return None
        with contextlib.suppress(OSError):
            stat = Path(self.spec).stat()
            return stat.st_ino, stat.st_mtime_ns, stat.st_size
        return None

    def _open(self) -> None:
        self._version = self._file_version()
        self._source = open_store(self.spec, self.schema, read_only=True)

    @property
    def store(self) -> "Store":
        """The open store; opened again first if its file was replaced since (a load)."""
        if self._source is None:
            self._open()
        elif self._embedded and self._file_version() != self._version:
            self.close()
            self._open()
        return self._source

    def describe(self) -> str:
        """Where the data lives (never a password)."""
        return self.store.describe()

    def examples(self) -> dict[str, dict[str, Any]]:
        """The saved queries' examples fitted to this store (:func:`query_examples`), read again after a load."""
        source = self.store  # opened again first if a load replaced the file
        if self._examples is None or self._examples[0] != self._version or not self._embedded:
            self._examples = self._version, query_examples(source, self.schema)
        return self._examples[1]

    def query(self, name: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> list[dict[str, Any]]:
        """The rows of the named query ``name`` (``linkgraph query`` lists them), with ``params`` and ``more``
        as its parameters: names, aliases or ids for the nodes, as the CLI takes them."""
        return self.store.run_named(name, {**(params or {}), **more})

    def cypher(self, text: str, params: Mapping[str, Any] | None = None, /, *, limit: int | None = 1000,
               timeout: float | None = 30.0) -> "Answer":
        """An ad hoc read-only query, at most ``limit`` rows (the answer says when it cut), stopped after
        ``timeout`` seconds."""
        return self.store.query(text, params, limit=limit, timeout=timeout)

    def close(self) -> None:
        """Close the store (a session used again opens it again)."""
        if self._source is not None:
            source, self._source = self._source, None
            source.close()


@dataclass(frozen=True)
class Scope:
    """The part of a store that a report, a map, an export or ``serve`` reads.

    Everything (the default); ``within``: an administrative unit, by NBS code
    (``61``, ``6108``, ``610828``, ``610828111``) or by a name that names one
    unit (``佳县``, ``通镇``), with the organizations placed in it and those tied
    to them; or ``around``: an organization (name, alias or id) and everything
    within ``hops`` working or attribute ties of it. A part is read by query
    (:meth:`stores.base.Store.ids_within`, :meth:`~stores.base.Store.ids_around`),
    so a county of a national store never travels to the client whole.

    >>> Scope(within="610828").describe(), Scope(around="佳县县委办公室", hops=1).describe()
    ('610828', '佳县县委办公室 ±1')
    """

    within: str | None = None
    around: str | None = None
    hops: int = 2

    def __post_init__(self) -> None:
        if self.within and self.around:
            raise ValueError("within 与 around 只能选一 / give within or around, not both")
        if not 1 <= self.hops <= MAX_HOPS:
            raise InputError([Problem(None, f"跳数应为 1–{MAX_HOPS} / hops must be 1 to {MAX_HOPS}, not {self.hops}",
                                      "例如 e.g. --hops 2")])

    def describe(self) -> str:
        """A few words for titles and messages: the unit, or the organization and its hops; empty for all."""
        return self.within or (f"{self.around} ±{self.hops}" if self.around else "")

    def where(self, source: "Store") -> str:
        """The store and this part of it, for titles (``embedded LadybugDB at …, 刘国具镇``)."""
        return ", ".join(filter(None, (source.describe(), self.describe())))

    def read(self, source: "Store", **properties: Collection[str]) -> GraphData:
        """This part of ``source``'s graph (an unknown or ambiguous name is a :class:`~queries.catalog.QueryError`
        listing the candidates); ``properties``: ``node_properties`` and ``tie_properties`` to read only those
        (:meth:`stores.base.Store.export`)."""
        if self.within:
            return source.export(source.ids_within(source.place_code(self.within)), **properties)
        if self.around:
            return source.export(source.ids_around(source.resolve("any", self.around), self.hops), **properties)
        return source.export(**properties)


MAX_HOPS = 3
EVERYTHING = Scope()


def read_graph(store: str, scope: Scope = EVERYTHING, schema: Schema | None = None,
               **properties: Collection[str]) -> tuple[GraphData, str]:
    """``scope``'s part of the graph in ``store``, and the store's description (titles say where it came from);
    ``properties`` as :meth:`Scope.read` takes them."""
    with open_store(store, schema or default_schema(), read_only=True) as source:
        return scope.read(source, **properties), scope.where(source)


def report(store: str, out_dir: str | Path, *, title: str = "linkgraph", as_of: str | None = None,
           compare: tuple[str, str] | None = None, scope: Scope = EVERYTHING,
           weighted_communities: bool = False) -> tuple["Analysis", dict[str, Path]]:
    """The network report of ``scope``'s part of ``store``: HTML, workbook, CSVs and Gephi files in ``out_dir``.

    ``as_of`` (``2022``, ``2022-06``, ``2022-12-31``): only the ties that hold
    then. ``compare=("2021", "2023")``: what changed between the two dates, with
    the measures of the later one. ``weighted_communities``: communities with
    ties weighted by aggregate counts (default unweighted; the report says which).
    """
    from analysis.report import report_reads

    schema = default_schema()
    with _collector_paused():  # millions of objects read, computed and written: see analysis.collector
        graph, where = read_graph(store, scope, schema, **report_reads(compare=compare is not None))
        return report_of(graph, schema, where, out_dir, title, as_of=as_of, compare=compare,
                         weighted_communities=weighted_communities)


def analysis_of(graph: GraphData, schema: Schema, *, as_of: str | None = None,
                compare: tuple[str, str] | None = None, weighted_communities: bool = False) -> "Analysis":
    """Every measure of a graph already read (:func:`analysis.report.analyse`), the collector paused."""
    from analysis.network import as_of_day
    from analysis.report import analyse

    with _collector_paused():
        return analyse(graph, schema, as_of=as_of_day(as_of) if as_of else None,
                       compare=(as_of_day(compare[0]), as_of_day(compare[1])) if compare else None,
                       weighted_communities=weighted_communities)


def report_of(graph: GraphData, schema: Schema, where: str, out_dir: str | Path, title: str, *,
              as_of: str | None = None, compare: tuple[str, str] | None = None,
              weighted_communities: bool = False, analysis: "Analysis | None" = None
              ) -> tuple["Analysis", dict[str, Path]]:
    """:func:`report` of a graph already read (``where``: the store it came from, for the page); ``analysis``
    when it is worked out already (``serve`` shares one with its map and node pages)."""
    from visualizations.report import write_report

    result = analysis or analysis_of(graph, schema, as_of=as_of, compare=compare,
                                     weighted_communities=weighted_communities)
    with _collector_paused():  # the report's writers make many objects too
        return result, write_report(result, out_dir, title=title, store=where)


def export(store: str, path: str | Path, *, fmt: str = "gexf", as_of: str | None = None,
           scope: Scope = EVERYTHING) -> list[Path]:
    """The collaboration network of ``scope``'s part of ``store`` with every measure as a node attribute, for
    Gephi: ``fmt`` is ``gexf``, ``graphml`` or ``csv`` (``path`` is then a folder for nodes.csv and edges.csv)."""
    from analysis.network import as_of_day, collaboration_network
    from analysis.report import node_measures
    from visualizations.exports import network_records, write_network
    from visualizations.report import NODE_COLUMNS

    schema = default_schema()
    with _collector_paused():
        graph, _ = read_graph(store, scope, schema)
        network = collaboration_network(graph, schema, as_of=as_of_day(as_of) if as_of else None)
        nodes, _ = node_measures(network, schema)
        return write_network(network_records(network, nodes, NODE_COLUMNS), Path(path), fmt)


def export_neo4j_admin(store: str, folder: str | Path, *, scope: Scope = EVERYTHING) -> "ImportFiles":
    """``scope``'s part of ``store`` as files for Neo4j's offline ``neo4j-admin database import full`` (a first
    national load into an empty Neo4j, :mod:`stores.neo4j_admin`), with the registry of loaded sources so that
    later loads into the imported database skip what it holds unchanged. ``files.command_text()`` is the
    command to run with the server stopped."""
    from stores.neo4j_admin import write_import

    schema = default_schema()
    with open_store(store, schema, read_only=True) as source:
        graph, sources = scope.read(source), source.loaded_sources()
    return write_import(folder, graph.nodes.values(), graph.ties.values(), schema=schema, sources=sources)


def make_map(store: str, path: str | Path, *, title: str = "linkgraph", administrative: bool = True,
             scope: Scope = EVERYTHING) -> Path:
    """Offline interactive map of ``scope``'s part of the graph in ``store``."""
    from visualizations.map import write_map

    schema = default_schema()
    graph, _ = read_graph(store, scope, schema)
    return write_map(graph, schema, path, title=title, administrative=administrative)


@dataclass
class DemoResult:
    load: Loaded
    store: Path
    queries: dict[str, Path]
    query_rows: dict[str, int]
    report: "Analysis"
    report_files: dict[str, Path]
    map: Path


def demo(out_dir: str | Path, *, case: str | Path = EXAMPLE_CASE, progress: Progress | None = None) -> DemoResult:
    """The Jia County example end to end: load, every saved query, report, map.

    The embedded store in ``out_dir`` is rebuilt from the sources each time.
    """
    from queries.catalog import default_catalog
    from visualizations.map import write_map
    from visualizations.tables import csv_text, readable_rows, write_excel_csv

    out = Path(out_dir)
    store = out / "linkgraph.lbug"
    loaded = load([case], str(store), replace=True, progress=progress)
    schema = default_schema()
    (out / "queries").mkdir(parents=True, exist_ok=True)
    query_files, query_rows = {}, {}
    with open_store(str(store), schema, read_only=True) as source:
        for query in default_catalog().values():
            rows = source.run_named(query.name, {p.name: p.example for p in query.params})
            text = csv_text(*readable_rows(query, rows, schema))
            query_files[query.name] = write_excel_csv(out / "queries" / f"{query.name}.csv", text)
            query_rows[query.name] = len(rows)
        graph, where = source.export(), source.describe()
    title = "佳县党建综合体 Jia County party-building complexes"
    result, files = report_of(graph, schema, where, out / "report", title)
    map_path = write_map(graph, schema, out / "map.html", title=title)
    return DemoResult(loaded, store, query_files, query_rows, result, files, map_path)


@dataclass
class Drafted:
    """What ``extract`` read and proposed, the workbook it wrote, and how the roster's scope was chosen
    (one line, Chinese first; None for a roster file)."""

    extraction: "Extraction"
    path: Path
    scope: str | None = None


def extract_draft(files: Iterable[str | Path], out: str | Path, *, roster: str | Path | None = None,
                  county: str | Iterable[str] | None = None, city: str | None = None, province: str | None = None,
                  title: str | None = None, accept_above: float | None = None,
                  schema: Schema | None = None) -> Drafted:
    """Draft ties from report texts (``.txt``, ``.html``, ``.docx``; a folder gives those in it) into a
    workbook a planner reviews.

    Places are resolved against ``roster`` (a roster CSV), else the shipped
    national roster: in the counties given (``county``: one or several, code or
    name), else in those the reports name (:mod:`loaders.extract.scope`),
    searched inside ``city`` or ``province`` when given. A scope given that
    holds none of the reports' places, or reports whose county cannot be told,
    is an :class:`InputError` of one line. ``out`` may not be one of ``files``.
    ``accept_above`` marks rows of at least that confidence as accepted
    (采纳 = 是); by default none is.
    """
    from loaders.extract import extract
    from loaders.extract.document import read_document, report_files
    from loaders.extract.draft import write_draft

    schema = schema or default_schema()
    files = report_files(list(files))
    _check_not_an_input(out, files)
    documents = [read_document(path) for path in files]
    counties = [county] if isinstance(county, str) else list(county or ())
    if roster is not None:
        units, scope = roster_units(schema, roster=roster), None
        extraction = extract(documents, units, schema)
    else:
        extraction, scope = _extract_in_scope(documents, schema, counties, city, province)
    path = write_draft(extraction, schema, out, title=title, accept_above=accept_above)
    return Drafted(extraction, path, scope)


def _check_not_an_input(out: str | Path, files: list[str | Path]) -> None:
    """Refuse an ``--out`` that names one of the reports (by any path to the same file): the draft would
    overwrite it."""
    target = Path(out)
    for file in files:
        same = Path(file).resolve() == target.resolve() or (
            target.exists() and Path(file).exists() and target.samefile(file))
        if same:
            raise InputError([Problem(Origin(str(out)), f"草稿会覆盖报道 {file} / the draft would overwrite the report "
                                      f"{file}", "请用 --out 指定另一个文件，如 draft.xlsx / give --out another file, e.g. "
                                      "draft.xlsx")])


def _extract_in_scope(documents: list, schema: Schema, counties: list[str], city: str | None,
                      province: str | None) -> tuple["Extraction", str]:
    """Extraction against the national roster's counties given, else those the reports name (inside the
    city or province given), and the line saying which. Reports whose county cannot be told are refused;
    so is a scope given that holds none of their towns and villages while the counties and towns they
    name are elsewhere (where it holds some, the line says where those are)."""
    from loaders import nbs
    from loaders.extract import extract, report_keys
    from loaders.extract.scope import ReportScope, reports_scope, scope_description, wrong_scope

    table = nbs.national_roster()
    within = _search_area(table, city, province)
    each_keys = [report_keys([d]) for d in documents]  # each report's, made once
    keys = list(itertools.chain.from_iterable(each_keys))
    if counties:
        codes = tuple(dict.fromkeys(_county_in(table, name, within) for name in counties))
        listed = scope_description(codes, table)
        chosen = ReportScope(codes, f"所给区县：{listed} / counties given: {listed}")
    else:
        chosen = reports_scope([(d.file, report) for d, report in zip(documents, each_keys)], table, within=within)
    if isinstance(chosen, InputError):
        raise chosen
    units = scope_roster_units(schema, chosen.codes)
    extraction = extract(documents, units, schema, rosters=_each_report_units(schema, chosen))
    town, county = schema.level_kind("town"), schema.level_kind("county")
    in_scope = sum(1 for e in extraction.entities  # found in the scope's roster: resolved, or among candidates
                   if e.kind in (town, schema.level_kind("village")) and (e.place is not None or e.candidates))
    named_inside = _names_a_place_in_scope(extraction, keys, (town, county))
    elsewhere = wrong_scope(keys, table, chosen.codes) if (counties or within) and not named_inside else None
    if elsewhere is not None and not in_scope:
        raise _about_reports(elsewhere, documents)
    notes = [problem.message for problem in elsewhere.problems] if elsewhere is not None else []
    if not in_scope:
        listed = scope_description(chosen.codes, table)
        notes.append(f"报道中的乡镇和村都不在{listed}的名册中 / no town or village of the reports was found in the "
                     f"roster of {listed}")
    return extraction, "; ".join([chosen.how, *(f"注意 note: {note}" for note in notes)])


def _each_report_units(schema: Schema, chosen: "ReportScope") -> list[list] | None:
    """Each report's roster units when several reports were placed in different counties (one list per
    distinct scope, shared by the reports of that scope), else None: all are read in the scope's units."""
    if len(set(chosen.each)) < 2:
        return None
    by_codes = {codes: scope_roster_units(schema, codes) for codes in dict.fromkeys(chosen.each)}
    return [by_codes[codes] for codes in chosen.each]


def _names_a_place_in_scope(extraction: "Extraction", keys: list[str], kinds: tuple[str, ...]) -> bool:
    """Whether the reports name in words (``keys``: their paragraphs) a unit of ``kinds`` the scope's roster holds:
    a 全县 resolves to the county given, which names no place of the report."""
    return any(e.kind in kinds and e.place is not None and any(s in key for s in e.surfaces for key in keys)
               for e in extraction.entities)


def _about_reports(error: InputError, documents: list) -> InputError:
    """``error`` said of the reports it is about (their files as its origin)."""
    where = Origin("、".join(document.file for document in documents))
    return InputError([Problem(where, problem.message, problem.hint) for problem in error.problems])


def _search_area(table, city: str | None, province: str | None) -> str:
    """The code of the city (or else the province) the search is narrowed to, or "" for the country; a city
    outside the province given is refused."""
    from loaders import nbs

    area = nbs.parse_scope(table, "province", province).code if province else ""
    if city:
        code = nbs.parse_scope(table, "city", city).code
        if not code.startswith(area):
            raise nbs.ScopeError(f"--city {city} 不在 --province {province} 内 / --city {city} is not in --province "
                                 f"{province}", "请去掉其一 / leave one of them out")
        area = code
    return area


def _county_in(table, name: str, within: str) -> str:
    """The code of the county ``--county NAME`` gives, which must lie in the search area."""
    from loaders import nbs

    code = nbs.parse_scope(table, "county", name).code
    if not code.startswith(within):
        raise nbs.ScopeError(f"--county {name} ({code}) 不在所给市或省 {within} 内 / --county {name} ({code}) is not in "
                             f"the city or province given ({within})", "请改正 --county 或 --city/--province / correct "
                             "--county, or --city/--province")
    return code


def roster_units(schema: Schema, *, roster: str | Path | None = None, county: str | None = None) -> list["Node"]:
    """The administrative units of a roster file, or of one county of the shipped national roster."""
    if roster is not None:
        from loaders.roster import load_roster

        return list(load_roster(roster, schema).nodes.values())
    if county is None:
        raise InputError([Problem(None, "未指定区划名册 / no roster to resolve places against",
                                  "请给出 --roster 名册文件或 --county 县代码或名称 / give --roster FILE.csv or --county CODE|NAME")])
    from loaders import nbs

    return scope_roster_units(schema, (nbs.parse_scope(nbs.national_roster(), "county", county).code,))


def scope_roster_units(schema: Schema, codes: Iterable[str]) -> list["Node"]:
    """The units of the shipped national roster inside any of the units ``codes`` (counties, a city, a
    province), with the units above them, as nodes."""
    from loaders import nbs
    from loaders.roster import roster_graph

    table = nbs.national_roster()
    rows_of: dict[str, tuple] = {}
    for code in codes:
        scope = nbs.Scope("county", code, code)
        for row in nbs.unit_rows(nbs.scope_units(table, scope)):
            rows_of.setdefault(row[0], row)
    rows = ((number, *row) for number, row in enumerate(rows_of.values(), start=2))
    return list(roster_graph(rows, nbs.ROSTER_FILE, schema, SourceRef("nbs2023", "NBS 2023")).nodes.values())
