"""Loaders: sources in, validated :class:`GraphData` out, nothing written yet.

:func:`load_sources` reads rosters (CSV), curated case files (YAML) and
planners' tables (``.xlsx`` workbooks, ``.csv``/``.tsv`` files) in the order
given, each seeing what the earlier ones and the store (``known``) hold, and
checks the result, so that a store receives either all of it or, on any
problem, nothing::

    result = load_sources(["examples/jia_county/case.yaml"])
    result.graph.counts()["Village"]   # 334

Every record keeps the statement of each source (``provenance``); each source
has a digest, so that a store can skip a source it already holds unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from graph_model.names import name_rules_digest
from graph_model.records import GraphData, InputError, Origin, Problem, SourceRef
from graph_model.schema import Schema, default_schema
from graph_model.sources import Arriving, SourceInfo
from loaders.case_file import check_sections, parse_case, parse_yaml, roster_spec
from loaders.columns import kind_option_problem
from loaders.context import Known, LoadContext
from loaders.reconcile import Identity, Match, RosterIndex, Unresolved
from loaders.roster import is_roster_header, parse_roster
from loaders.sheets import Sheet
from loaders.tables import parse_tables, read_tables, source_title
from loaders.workbook import other_format
from loaders.text import MAX_CASE_MB, decode_first_line, decode_text, read_source_bytes

CASE_SUFFIXES = (".yaml", ".yml")
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlt", ".csv", ".tsv")
Progress = Callable[[str, int, int], None]


class LoadError(InputError):
    """The sources cannot be loaded: every problem, and what the load read past or inferred until then
    (``notes``: a title row, notes under a table, a hidden sheet), which a planner needs beside the problems."""

    def __init__(self, problems: Iterable[Problem], notes: Iterable[str] = ()):
        super().__init__(problems)
        self.notes = list(notes)


@dataclass
class LoadResult:
    graph: GraphData
    sources: list[SourceInfo] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    identities: list[tuple[str, Identity]] = field(default_factory=list)
    left_out: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    read: tuple[int, int] | None = None
    """The nodes and ties read where ``graph`` does not hold them (a load in parts lets them go as it writes)."""
    whole_needed: bool = False
    """A load in parts: a tie was stated again after its part was handed on, so the load is read again whole."""

    def read_counts(self) -> tuple[int, int]:
        """How many nodes and ties the load read."""
        return self.read if self.read is not None else (len(self.graph.nodes), len(self.graph.ties))

    @property
    def unique_names(self) -> list[Match]:
        """Villages a source named without their town, resolved as the only village of that name."""
        return [m for m in self.matches if m.status == "unique"]

    @property
    def files(self) -> list[str]:
        return [str(s.path) for s in self.sources]

    @property
    def conflicts(self) -> list[Match]:
        """Place resolutions a person should look at: curated ones and those with other candidates."""
        seen: dict[str, Match] = {}
        for match in self.matches:
            if match.is_conflict:
                seen.setdefault(match.note, match)
        return list(seen.values())

    @property
    def possible_duplicates(self) -> list[tuple[str, Identity]]:
        return [(name, identity) for name, identity in self.identities if identity.duplicates]

    def explain(self, name: str) -> list[tuple[str, Identity]]:
        """Why each organization matching ``name`` is the node it is (``--explain``)."""
        from graph_model.names import match_key

        key = match_key(name)
        return [(n, i) for n, i in self.identities if key in match_key(n) or key == match_key(i.id)]


def _digest(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _roster_digest(data: bytes, title: str) -> str:
    """A roster's digest: its bytes, its title and the rules that give its units their place names."""
    return _digest(data, title, name_rules_digest())


def _option_digest(columns: Mapping[str, str] | None, decisions_digest: str, title: str | None,
                   kind: str | None = None) -> str:
    return _digest(repr(sorted((columns or {}).items())), decisions_digest, title or "", *([kind] if kind else []))


def _roster_title(path: Path, title: str | None) -> str:
    return title or f"名册 roster {path.name}"


def source_identities(paths: Iterable[str | Path], *, columns: Mapping[str, str] | None = None,
                      decisions_digest: str = "", title: str | None = None, kind: str | None = None) -> list[Arriving]:
    """Key, digest and folder of every source a load of ``paths`` would read, rosters named by case files
    included, without parsing them: so that a store can tell at once that it holds them all unchanged, and
    :func:`graph_model.sources.folder_clashes` can ask its registry about them before anything is read. The
    digests are those :func:`load_sources` gives its :class:`SourceInfo`."""
    options = _option_digest(columns, decisions_digest, title, kind)
    found: dict[str, str] = {}
    files: dict[str, Path] = {}

    def keep(name: str, digest: str, path: Path) -> str:
        """A source's digest, as the load's first reading of its file gives it; two different files of one name
        (two towns' 结对帮扶.csv) none, so that the store cannot hold them unchanged and the load reads them and
        says they clash. One file named twice (a case file's roster given too) is one source, not a clash."""
        if files.setdefault(name, path.resolve()) != path.resolve() and found[name] != digest:
            found[name] = ""
        return found.setdefault(name, digest)

    given = tuple(Path(p) for p in paths)
    for path in given:
        suffix = path.suffix.lower()
        data = read_source_bytes(path, MAX_CASE_MB if suffix in CASE_SUFFIXES else None)
        if suffix in CASE_SUFFIXES:
            spec = roster_spec(parse_yaml(decode_text(data, str(path))[0], str(path)), path, given)
            roster_digest = ""
            if spec is not None and spec.path.is_file():
                roster_digest = keep(spec.path.name, _roster_digest(read_source_bytes(spec.path), spec.title), spec.path)
            keep(path.name, _digest(data, roster_digest, options), path)
        elif suffix == ".csv" and is_roster_header(decode_first_line(data, str(path)).split(",")):
            keep(path.name, _roster_digest(data, _roster_title(path, title)), path)
        else:
            keep(path.name, _digest(data, options), path)
    return [Arriving(name, digest, str(files[name].parent)) for name, digest in found.items()]


def load_sources(paths: Iterable[str | Path], schema: Schema | None = None, *, known: Known | None = None,
                 decisions: Mapping[tuple[str, str, str], Mapping[str, Any]] | None = None,
                 columns: Mapping[str, str] | None = None, keep_valid: bool = False,
                 title: str | None = None, decisions_digest: str = "", progress: Progress | None = None,
                 kind: str | None = None,
                 handoff: Callable[[GraphData, Mapping[str, Any], Mapping[str, Any]], None] | None = None,
                 part_ties: int = 0, folders: bool = True) -> LoadResult:
    """Read and check every source, in order.

    ``known`` is what the store holds; ``decisions`` the planner's answers to
    unresolved references (:mod:`loaders.decisions`); ``columns`` maps table
    headers to fields; ``title`` names table sources (default: the file
    name); ``kind`` is the kind of a table whose name is not one
    (``--kind``). Raises :class:`InputError` with every problem, or with
    ``keep_valid`` returns what is valid and lists the rest in ``left_out``.
    ``handoff`` (not with ``keep_valid``) takes the ties of tables, checked,
    ``part_ties`` at a time, with the load's nodes and the store's units found (:meth:`LoadContext.add_tie`):
    they are then not in the result's graph, and ``result.whole_needed`` says
    when a tie was stated again after its part went (read the load again whole).
    ``folders``: each source records the folder of its file (:attr:`SourceInfo.folder`); not for an upload,
    whose folder is the server's, made for it alone.
    """
    schema = schema or default_schema()
    ctx = _new_context(schema, known, decisions, kind)
    if handoff is not None and not keep_valid:
        ctx.handoff, ctx.part_ties = handoff, part_ties
    result = LoadResult(ctx.graph)
    problems: list[Problem] = []
    paths = [Path(p) for p in paths]
    reader = _SourceReader(schema, ctx, result, tuple(paths), _option_digest(columns, decisions_digest, title, kind),
                           columns, title, kind, keep_valid, folders)
    for number, path in enumerate(paths, start=1):
        if ctx.whole_needed:  # the load reads its sources again whole: what is left here would be read twice
            break
        if progress:
            progress("read", number - 1, len(paths))
        if path.resolve() in reader.read:
            continue
        try:
            reader.source(path, problems)
        except InputError as err:
            if not keep_valid:
                raise _without_roster(err, ctx) from None
            problems += err.problems
    result.matches, result.identities, result.notes = ctx.matches, ctx.identities, ctx.notes
    ctx.ties_read()
    result.whole_needed = ctx.whole_needed
    if result.whole_needed:  # read again whole, which finds every problem
        return result
    problems += ctx.handed_problems
    problems += ctx.graph.problems(schema, ctx.kind_of)  # the places read once before the store, id by id
    if problems and not keep_valid:
        raise _without_roster(LoadError(problems, ctx.notes), ctx)
    if problems:
        result.left_out = problems
        _drop_invalid_ties(ctx.graph, schema, ctx.kind_of)
    if progress:
        progress("read", len(paths), len(paths))
    return result


@dataclass
class _SourceReader:
    """Reads the sources of one load into its context, each file once (a roster a case file names too)."""

    schema: Schema
    ctx: LoadContext
    result: LoadResult
    given: tuple[Path, ...]
    option_digest: str
    columns: Mapping[str, str] | None
    title: str | None
    kind: str | None
    keep_valid: bool
    folders: bool = True
    read: dict[Path, SourceInfo] = field(default_factory=dict)

    def source(self, path: Path, problems: list[Problem]) -> None:
        """Read one source by its suffix (a case file, a table or a roster); add the problems it keeps
        (``keep_valid``) to ``problems``."""
        suffix = path.suffix.lower()
        if suffix in CASE_SUFFIXES:
            self._case(path, problems)
        elif suffix in TABLE_SUFFIXES:
            self._table(path, suffix, problems)
        else:
            raise InputError([other_format(str(path)) or Problem(
                                      Origin(str(path)), f"不支持的文件类型 / unknown kind of source {suffix or '(no suffix)'}",
                                      "请给出名册或表格 .csv、工作簿 .xlsx 或案例文件 .yaml / give a roster or table .csv, a "
                                      "workbook .xlsx or a case file .yaml")])

    def _add(self, info: SourceInfo) -> None:
        if self.folders:
            info = replace(info, folder=str(info.path.resolve().parent))
        clash = next((s for s in self.result.sources if s.ref.key == info.ref.key), None)
        if clash is not None:
            raise InputError([Problem(Origin(str(info.path)), f"两个来源同名 / two sources are named {info.ref.key} "
                                      f"({clash.path}, {info.path})", "请给其中一个文件改名 / rename one of the files")])
        self.read[info.path.resolve()] = info
        self.result.sources.append(info)

    def _roster(self, path: Path, title_: str | None) -> tuple[RosterIndex | None, str]:
        """Read a roster (once): its index, None if it was read before, and its digest."""
        resolved = path.resolve()
        if resolved in self.read:
            return None, self.read[resolved].digest
        data = read_source_bytes(path)
        text, _ = decode_text(data, str(path))
        ref = SourceRef(path.name, _roster_title(path, title_), path.name)
        graph = parse_roster(text, str(path), self.schema, ref)
        info = SourceInfo(ref, path, _roster_digest(data, ref.title), "roster")
        self._add(info)
        self.ctx.graph.extend(graph)
        self.ctx.add_places(graph.nodes.values())
        return RosterIndex(graph.nodes.values()), info.digest

    def _case_roster(self, path: Path, parsed: Mapping[str, Any]) -> tuple[RosterIndex | None, str]:
        """The index of the roster a case file names (read once) and its digest; ``(None, "")`` if it names none."""
        spec = roster_spec(parsed, path, self.given)
        if spec is None:
            return None, ""
        if not spec.path.is_file():
            raise InputError([Problem(Origin(str(path), column="roster"),
                                      f"找不到案例文件指定的名册 / the roster it names is not at {spec.path}",
                                      "roster: 填写与案例文件同一文件夹中的文件名 / roster: is a file name beside "
                                      "the case file")])
        index, roster_digest = self._roster(spec.path, spec.title)
        if index is None:
            index = RosterIndex(n for n in self.ctx.graph.nodes.values()
                                if spec.path.name in n.props.get("source_keys", ()))
        return index, roster_digest

    def _case(self, path: Path, problems: list[Problem]) -> None:
        ctx = self.ctx
        data = read_source_bytes(path, MAX_CASE_MB)
        parsed = parse_yaml(decode_text(data, str(path))[0], str(path))
        check_sections(parsed, str(path))
        index, roster_digest = self._case_roster(path, parsed)
        ref = SourceRef(path.name, str(parsed["source"]).strip(), path.name)
        case = parse_case(parsed, str(path), self.schema, index if index is not None else ctx.places(),
                          entities=ctx.entities, decisions=ctx.decisions, keep_valid=self.keep_valid, source=ref)
        ctx.graph.extend(case.graph)
        ctx.matches += case.matches
        ctx.identities += case.identities
        problems += case.problems
        self._add(SourceInfo(ref, path, _digest(data, roster_digest, self.option_digest), "case"))

    def _table(self, path: Path, suffix: str, problems: list[Problem]) -> None:
        sheets, digest = self._read_table(path)
        if suffix == ".csv" and len(sheets) == 1 and is_roster_header(sheets[0].header):
            self._roster(path, self.title)
            return
        ref = SourceRef(path.name, self.title or source_title(sheets) or path.name, path.name)
        problems += parse_tables(sheets, str(path), self.ctx, ref, self.columns, self.kind)
        self._add(SourceInfo(ref, path, digest, "table"))

    def _read_table(self, path: Path) -> tuple[list[Sheet], str]:
        """A table file's sheets (a CSV's rows read as a stream while they become records) and its digest; its
        bytes are not kept (a national ties table: 120 MB)."""
        data = read_source_bytes(path)
        return read_tables(path, data, stream=True), _digest(data, self.option_digest)


def _without_roster(err: InputError, ctx: LoadContext) -> InputError:
    """``err``, led by the likely cause when place names matched nothing at all because no roster is known:
    none among this load's sources and none in the store (the roster was not loaded first)."""
    unplaced = [p for p in err.problems if isinstance(p, Unresolved) and p.ref
                and p.ref.kind in ctx.schema.administrative_kinds
                and not p.candidates]
    if not unplaced or len(ctx.places()):
        return err
    cause = Problem(None, f"数据库中还没有区划名册，{len(unplaced)} 个地名无从匹配 / the store holds no roster, so "
                          f"{len(unplaced)} place name(s) matched nothing",
                    "请先载入区划名册 / load the roster first, e.g. linkgraph roster --county 610828 --store …, or give "
                    "a roster CSV with the sources")
    return LoadError([cause, *err.problems], getattr(err, "notes", ()))


def _new_context(schema: Schema, known: Known | None, decisions: Mapping[tuple[str, str, str], Mapping[str, Any]] | None,
                 kind: str | None) -> LoadContext:
    """The context of a load, once its options are checked (a ``--kind`` that names no kind is refused)."""
    wrong_kind = kind_option_problem(schema, kind)
    if wrong_kind is not None:
        raise InputError([wrong_kind])
    return LoadContext(schema, known or Known(), decisions or {}, GraphData(schema=schema))


def _drop_invalid_ties(graph: GraphData, schema: Schema, kind_of) -> None:
    """Ties whose endpoints are missing or of kinds the schema forbids (``--keep-valid`` leaves them out)."""
    for key, tie in list(graph.ties.items()):
        kinds = [graph.kind_of(tie.source_id, kind_of), graph.kind_of(tie.target_id, kind_of)]
        if None in kinds or not schema.tie_kind(tie.type).allows(*kinds):
            del graph.ties[key]
    graph.merge_problems.clear()
