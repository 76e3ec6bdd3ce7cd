"""Loading from an upload, as data: the dry run, the names to reconcile, the load, and a draft's review.

The web pages (and any other front end) are thin over these functions, which go through the same
:func:`linkgraph.pipeline.load` as ``linkgraph load``::

    check = check_upload("jia.lbug", "通镇填报.xlsx", data)          # nothing is written
    check.counts, check.problems, check.to_reconcile                  # what the page shows
    done = apply_upload("jia.lbug", "通镇填报.xlsx", data, by="李干事",
                        choices={check.to_reconcile[0].key: Choice("610828105236")})

An upload is unpacked within bounds (:mod:`loaders.upload`) and read, checked and loaded in a process of its
own that is stopped when it passes :attr:`~loaders.upload.UploadLimits.max_seconds` (a kill leaves the store
as it was: loads are kill-safe). The dry run reads the valid rows and lists every problem where the planner
wrote it (file, sheet, row, column) and every name that matches no unit or several, with its candidates; the
load is all or nothing, like ``linkgraph load``: any problem left and nothing is written. The reconcile
choices are the decisions ``linkgraph reconcile`` writes: they are kept in the team's decisions file
(:func:`decisions_path`) and applied to every later upload. The source records who uploaded it and when.
A header no field is known by is listed with the fields of its table (:attr:`UploadCheck.unknown_columns`);
the fields the planner picks go to the dry run and the load as ``columns``, the mapping ``linkgraph load
--columns`` gives (:func:`loaders.columns.map_columns` reads both)::

    check = check_upload("jia.lbug", "结对帮扶.csv", data)            # check.unknown_columns[0].header == "帮扶的村"
    check = check_upload("jia.lbug", "结对帮扶.csv", data, columns={"帮扶的村": "to"})
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from graph_model.records import InputError, Origin, Problem
from loaders.decisions import STATUS
from loaders.upload import UploadLimits, unpack_upload, upload_name
from stores.base import StoreError
from stores.writing import replacing_message

DECISIONS_SUFFIX = ".decisions.csv"
ReferenceKey = tuple[str, str, str]
"""A name to reconcile as the decisions file names it: its kind, its context (county and town), its name."""
log = logging.getLogger("linkgraph.uploads")
_CANDIDATE = re.compile(r"^(?P<label>.*?)\s*\((?P<id>[^()]+)\)$")


@dataclass(frozen=True)
class UploadProblem:
    """One problem of an upload, where the planner wrote it."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    hint: str = ""


@dataclass(frozen=True)
class Candidate:
    """A unit a name may mean: its id (NBS code) and how it reads (``通镇崔家西山村``)."""

    id: str
    label: str


@dataclass(frozen=True)
class NameToReconcile:
    """A place name of the upload that matches no unit or several, with the units it may mean."""

    key: ReferenceKey
    kind_label: str
    file: str
    where: str
    status: str
    candidates: tuple[Candidate, ...]
    resolve_to: str = ""
    """The answer the team's decisions file already holds, if any."""

    @property
    def kind(self) -> str:
        return self.key[0]

    @property
    def status_label(self) -> str:
        """The status as the decisions file says it (``未找到 missing``, ``多个候选 ambiguous``)."""
        return STATUS.get(self.status, self.status)

    @property
    def context(self) -> str:
        return self.key[1]

    @property
    def name(self) -> str:
        return self.key[2]


@dataclass(frozen=True)
class UnknownHeader:
    """A header of the upload that names no field, as the planner wrote it: where it is, the fields its table
    may have (``(field, "终点 To")``, :meth:`loaders.columns.Vocabulary.choices`) and the field of the spelling
    it looks like (``帮扶的村``: ``to``, as 帮扶村), if any."""

    header: str
    where: tuple[str, ...]
    choices: tuple[tuple[str, str], ...]
    suggested: str = ""


@dataclass(frozen=True)
class ReplacedSource:
    """A source the store holds under the name of an upload's file (the file name is a source's key), which
    loading the upload replaces: who loaded it and when."""

    key: str
    loaded_by: str
    loaded_at: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> "ReplacedSource":
        return cls(str(row["key"]), str(row.get("loaded_by") or ""), str(row.get("loaded_at") or row.get("loaded") or ""))


@dataclass
class UploadCheck:
    """What loading an upload would do (a dry run of the valid rows), and what stands in its way."""

    name: str
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[UploadProblem] = field(default_factory=list)
    to_reconcile: list[NameToReconcile] = field(default_factory=list)
    unchanged_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replaces: list[ReplacedSource] = field(default_factory=list)
    """Sources of the same file names the store already holds, which the load replaces."""
    unknown_columns: list[UnknownHeader] = field(default_factory=list)
    """Headers that name no field: their tables were not read until the planner says which field each is."""

    @property
    def replacing(self) -> str | None:
        """The line that says what loading replaces and deletes (:func:`stores.writing.replacing_message`), if it
        replaces a source already held and deletes some of what it stated: the page asks before it loads."""
        return replacing_message([vars(r) for r in self.replaces], self.counts)

    @property
    def needs_confirmation(self) -> bool:
        return self.replacing is not None

    @property
    def ready(self) -> bool:
        """Whether it loads as it is: no problem, no unknown column and no name left to reconcile."""
        return not self.problems and not self.unknown_columns and not self.to_reconcile


@dataclass(frozen=True)
class Choice:
    """A planner's answer to a name: the unit it means (``resolve_to``) and why, where the unit lies elsewhere."""

    resolve_to: str
    resolution: str = ""


@dataclass
class UploadApplied:
    """What a load of an upload did: the changes (or the problems that stopped it), and any wait for a writer."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    unchanged_sources: list[str] = field(default_factory=list)
    problems: list[UploadProblem] = field(default_factory=list)
    waited: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return not self.problems


def decisions_path(store: str) -> Path:
    """The team's decisions file: beside an embedded store, or ``$LINKGRAPH_DECISIONS_FILE`` for Neo4j (default
    ``decisions.csv`` in :func:`linkgraph.audit.state_folder`)."""
    from linkgraph.audit import state_folder
    from stores import is_server_spec

    if is_server_spec(store):
        return Path(os.environ.get("LINKGRAPH_DECISIONS_FILE") or state_folder() / "decisions.csv")
    path = Path(store)
    return path.with_name(path.name + DECISIONS_SUFFIX)


def check_upload(store: str, name: str, data: bytes, *, limits: UploadLimits = UploadLimits(),
                 columns: Mapping[str, str] | None = None) -> UploadCheck:
    """The dry run of the upload ``name`` against ``store`` (with the team's decisions so far); writes nothing.
    ``columns`` maps headers to fields, as ``linkgraph load --columns`` does. A bound passed (size, files,
    unpacked size, cells, time) is one problem of the result."""
    decisions = decisions_path(store)
    return _bounded(_check, limits.max_seconds, name, store=store, name=name, data=data, limits=limits,
                    decisions=str(decisions) if decisions.exists() else None, columns=dict(columns or {}))


def apply_upload(store: str, name: str, data: bytes, *, by: str, choices: Mapping[ReferenceKey, Choice] | None = None,
                 limits: UploadLimits = UploadLimits(), replace_confirmed: bool = False,
                 columns: Mapping[str, str] | None = None) -> UploadApplied:
    """Load the upload ``name`` into ``store`` as ``by``, with the team's decisions and the reconcile
    ``choices``, in one transaction through :func:`linkgraph.pipeline.load`: all of it or, on any problem,
    nothing. Once it loaded, the choices join the team's decisions file (under its lock, so that two editors'
    choices both stay), for every later upload. Waits while another load runs. Unless ``replace_confirmed``,
    a load that would replace a source of the same file name and delete some of what it stated is one problem
    and writes nothing (:func:`stores.writing.replacing_message`). ``columns`` maps headers to fields, as
    ``linkgraph load --columns`` does (and as the dry run had them)."""
    import shutil

    from stores.embedded import LOCK_TIMEOUT

    decisions = decisions_path(store)
    with tempfile.TemporaryDirectory(prefix="linkgraph-decisions-") as folder:
        trial = Path(folder) / "decisions.csv"
        with _locked(decisions):
            if decisions.exists():
                shutil.copyfile(decisions, trial)
        if choices:
            save_choices(trial, choices, by)
        applied = _bounded(_apply, limits.max_seconds + LOCK_TIMEOUT, name, store=store, name=name, data=data, by=by,
                           limits=limits, decisions=str(trial) if trial.exists() else None,
                           replace_confirmed=replace_confirmed, columns=dict(columns or {}))
    if applied.loaded and choices:
        with _locked(decisions):
            save_choices(decisions, choices, by)
    return applied


@contextlib.contextmanager
def _locked(path: Path):
    """Hold ``PATH.lock`` (an exclusive lock) while the block reads or writes the file ``path``."""
    import fcntl

    with open(f"{path}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save_choices(path: Path, choices: Mapping[ReferenceKey, Choice], by: str) -> None:
    """Add ``choices`` to the decisions file ``path`` (a choice for a name already there replaces it), as rows
    ``linkgraph reconcile`` writes and ``linkgraph load --decisions`` reads."""
    from graph_model.names import match_key
    from graph_model.schema import default_schema
    from loaders.decisions import headers
    from visualizations.tables import csv_text, write_excel_csv

    schema = default_schema()
    rows = _decision_rows(path)
    index = {_row_key(row): number for number, row in enumerate(rows)}
    when = dt.date.today().isoformat()
    for (kind, context, name), choice in choices.items():
        note = choice.resolution or f"{by} 于 {when} 在网页上选定 / picked by {by} in the browser on {when}"
        row = ["", "", f"{schema.node_kind(kind).zh} {kind}", context, name, "", "", choice.resolve_to, note]
        key = (kind, match_key(context), match_key(name))
        if key in index:
            rows[index[key]] = row
        else:
            index[key] = len(rows)
            rows.append(row)
    write_excel_csv(path, csv_text(headers(), rows))


def _decision_rows(path: Path) -> list[list[str]]:
    """The rows of a decisions file (empty when there is none yet)."""
    from loaders.tables import cell_text, read_tables

    if not path.exists():
        return []
    sheet = read_tables(path, path.read_bytes())[0]
    return [[cell_text(cell) or "" for cell in row] + [""] * (9 - len(row)) for _, row in sheet.rows]


def _row_key(row: list[str]) -> tuple[str, str, str]:
    from graph_model.names import match_key

    return (row[2].split(" ")[-1], match_key(row[3]), match_key(row[4]))


# ---------------------------------------------------------------- in a process of its own

def _bounded(work: Callable[..., Any], seconds: float, shown: str, **kwargs: Any) -> Any:
    """``work(**kwargs)`` in a new Python process (:mod:`linkgraph.upload_worker`), killed after ``seconds``:
    then, or if it dies, the result is one problem and nothing was written (loads are kill-safe)."""
    import pickle
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-m", "linkgraph.upload_worker"], input=pickle.dumps((work.__name__, kwargs)),
                              capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        return _failed(work, shown, f"处理超时 / reading the upload took longer than {seconds:g} s and was stopped; "
                                    "nothing was written", "split it, or raise LINKGRAPH_MAX_UPLOAD_SECONDS")
    if done.returncode != 0 or not done.stdout:
        log.error("the upload's worker failed: %s", done.stderr.decode(errors="replace")[-2000:])
        return _failed(work, shown, "处理上传时出错，未写入 / reading the upload failed; nothing was written",
                       "the server's log says more")
    return pickle.loads(done.stdout)


def _failed(work: Callable[..., Any], shown: str, message: str,
            hint: str) -> "UploadCheck | UploadApplied | DraftedReport":
    result = {"_check": UploadCheck, "_apply": UploadApplied, "_draft": DraftedReport, "_read_draft": DraftRead}[
        work.__name__](upload_name_or(shown))
    result.problems.append(UploadProblem(result.name, None, None, None, message, hint))
    return result


def run_in_worker(name: str, kwargs: Mapping[str, Any]) -> Any:
    """What the worker process runs: :func:`_check`, :func:`_apply` or :func:`_draft`, by name."""
    return {"_check": _check, "_apply": _apply, "_draft": _draft, "_read_draft": _read_draft}[name](**kwargs)


def _child_limits(limits: UploadLimits) -> None:
    """The workbook reader's own bounds, set for this process (the upload's child) alone."""
    os.environ["LINKGRAPH_MAX_CELLS"] = str(limits.max_cells)
    os.environ["LINKGRAPH_MAX_UNZIPPED_MB"] = str(limits.max_unpacked / 2**20)


def _loaded(name: str, data: bytes, limits: UploadLimits, store: str, **options: Any):
    """Unpack the upload into a folder of its own and :func:`linkgraph.pipeline.load` it with ``options``: the
    files and what the load did, or the problems that stopped it (as the planner wrote them)."""
    from linkgraph import pipeline

    _child_limits(limits)
    with tempfile.TemporaryDirectory(prefix="linkgraph-upload-") as folder:
        try:
            files = unpack_upload(name, data, folder, limits)
            # an upload is known by its name alone (its folder is made for it): folders=False
            loaded = pipeline.load(files, store, folders=False, **options)
            # the notes name a file by its path: the upload's name in its folder, not this machine's folder
            loaded.result.notes = [note.replace(f"{folder}{os.sep}", "") for note in loaded.result.notes]
            return [f.name for f in files], loaded, []
        except InputError as err:
            return [], None, [_problem(p) for p in err.problems]
        except StoreError as err:  # the store refused (e.g. a bad $LINKGRAPH_MEMORY_LIMIT): said as the commands say it
            return [], None, [UploadProblem(upload_name_or(name), None, None, None, str(err))]


def _check(*, store: str, name: str, data: bytes, limits: UploadLimits, decisions: str | None,
           columns: Mapping[str, str] | None = None) -> UploadCheck:
    from loaders.columns import UnknownColumn

    check = UploadCheck(upload_name_or(name))
    check.files, loaded, check.problems = _loaded(name, data, limits, store, dry_run=True, keep_valid=True,
                                                  decisions=decisions, columns=columns)
    if loaded is not None:
        left_out = loaded.result.left_out
        check.counts = loaded.report.plan.summary()
        check.unchanged_sources = loaded.report.unchanged_sources
        check.notes = list(loaded.result.notes)
        check.to_reconcile = _to_reconcile(left_out)
        check.unknown_columns = _unknown_headers([p for p in left_out if isinstance(p, UnknownColumn)])
        check.problems = [_problem(p) for p in left_out if not _is_unresolved(p) and not isinstance(p, UnknownColumn)]
        check.replaces = [ReplacedSource.of(row) for row in loaded.report.replaced]
    return check


def _unknown_headers(problems: list[Any]) -> list[UnknownHeader]:
    """Each unknown header once (a header of several sheets is mapped once, as ``--columns`` maps it), with the
    places it heads, the fields of the tables it heads (the first table's order) and the first suggestion."""
    found: dict[str, UnknownHeader] = {}
    for problem in problems:
        origin = _problem(problem)
        where = str(Origin(origin.file, origin.sheet))
        held = found.get(problem.header) or UnknownHeader(problem.header, (), ())
        offered = {name for name, _ in held.choices}
        found[problem.header] = UnknownHeader(held.header, held.where + ((where,) if where not in held.where else ()),
                                              held.choices + tuple(c for c in problem.choices if c[0] not in offered),
                                              held.suggested or problem.suggested or "")
    return list(found.values())


def _apply(*, store: str, name: str, data: bytes, by: str, limits: UploadLimits, decisions: str | None,
           replace_confirmed: bool = False, columns: Mapping[str, str] | None = None) -> UploadApplied:
    applied = UploadApplied(upload_name_or(name))
    from linkgraph.audit import audit_for


    # unless confirmed, replacing a source of the same name is refused under the writer's lock, not taken from
    # the dry run's page: another editor may have loaded a file of that name since
    _, loaded, applied.problems = _loaded(name, data, limits, store, decisions=decisions, loaded_by=by,
                                          waiting=applied.waited.append, audit=audit_for(store, team=False),
                                          ask_before_replacing=not replace_confirmed, columns=columns)
    if loaded is not None:
        applied.counts = loaded.report.plan.summary()
        applied.sources = loaded.report.written
        applied.unchanged_sources = loaded.report.unchanged_sources
    return applied


def upload_name_or(name: str) -> str:
    """The name an upload is known by, or the name as given when it is refused (the problem says why)."""
    try:
        return upload_name(name)
    except InputError:
        return name


def _is_unresolved(problem: Problem) -> bool:
    from loaders.reconcile import Unresolved

    return isinstance(problem, Unresolved) and problem.ref is not None


def _problem(problem: Problem) -> UploadProblem:
    origin = problem.origin
    if origin is None:
        return UploadProblem("", None, None, None, problem.message, problem.hint)
    column = getattr(origin, "label", None) or origin.column or origin.key
    return UploadProblem(Path(origin.file).name, origin.sheet, origin.row, column, problem.message, problem.hint)


def _to_reconcile(problems: list[Problem]) -> list[NameToReconcile]:
    """The names to reconcile, once each (as ``linkgraph reconcile`` lists them), with their candidates."""
    from graph_model.schema import default_schema
    from loaders.reconcile import reference_key

    schema = default_schema()
    found: dict[ReferenceKey, NameToReconcile] = {}
    for problem in problems:
        if not _is_unresolved(problem):
            continue
        ref = problem.ref
        key = (ref.kind, ref.context, ref.name)
        if key in found or any(reference_key(ref) == _normal(k) for k in found):
            continue
        origin = _problem(problem)
        where = Origin(origin.file, origin.sheet, origin.row or None, origin.column).inside
        found[key] = NameToReconcile(key, f"{schema.node_kind(ref.kind).zh} {ref.kind}", origin.file, where,
                                     problem.status, tuple(_candidate(c) for c in problem.candidates))
    return list(found.values())


def _normal(key: ReferenceKey) -> tuple[str, str, str]:
    from graph_model.names import match_key

    return (key[0], match_key(key[1]), match_key(key[2]))


def _candidate(text: str) -> Candidate:
    """``通镇崔家西山村 (610828105236)`` as a candidate."""
    match = _CANDIDATE.match(text.strip())
    return Candidate(match["id"], match["label"]) if match else Candidate("", text)


# ---------------------------------------------------------------- a draft's review

@dataclass(frozen=True)
class DraftRow:
    """One proposed node or tie of a draft workbook (``linkgraph extract``), as a reviewer sees it."""

    sheet: str
    row: int
    cells: dict[str, str]
    accepted: bool
    confidence: float | None
    quote: str
    match: str


@dataclass(frozen=True)
class Verdict:
    """A reviewer's decision on a draft row: accept or reject it, with edits to its cells (header: value)."""

    accept: bool
    edits: Mapping[str, str] = field(default_factory=dict)


ACCEPT_HEADER, CONFIDENCE_HEADER, QUOTE_HEADER, MATCH_HEADER = "采纳", "置信度", "依据", "名册匹配/候选"
YES, NO = "是", "否"


def draft_rows(data: bytes, name: str = "draft.xlsx", limits: UploadLimits = UploadLimits()) -> list[DraftRow]:
    """Every proposed row of a draft workbook (sheets with a 采纳 column), read with the loaders' guards."""
    from loaders.tables import cell_text, read_tables

    if len(data) > limits.max_bytes:
        raise InputError([Problem(None, f"文件过大 / the draft is more than {limits.max_bytes / 2**20:g} MB")])
    unpack_check = _unpacked_size_ok(name, data, limits)
    found = []
    for sheet in read_tables(Path(upload_name(name)), unpack_check):
        if ACCEPT_HEADER not in sheet.header:
            continue
        for number, values in sheet.rows:
            cells = {h: cell_text(v) or "" for h, v in zip(sheet.header, values) if h}
            found.append(DraftRow(sheet.name, number, cells, cells.get(ACCEPT_HEADER) == YES,
                                  _number(cells.get(CONFIDENCE_HEADER)), cells.get(QUOTE_HEADER) or cells.get("依据 evidence", ""),
                                  cells.get(MATCH_HEADER, "")))
    if len(found) > limits.max_draft_rows:
        raise InputError([Problem(None, f"草稿行数过多，请拆分 / the draft proposes {len(found):,} rows, more than "
                                        f"{limits.max_draft_rows:,} can be reviewed on one page",
                                  "请拆分，或调高 LINKGRAPH_MAX_DRAFT_ROWS / split it, or raise LINKGRAPH_MAX_DRAFT_ROWS")])
    return found


@dataclass
class DraftRead:
    """The proposed rows of an uploaded draft, or the problems that stopped their reading."""

    name: str
    rows: list[DraftRow] = field(default_factory=list)
    problems: list[UploadProblem] = field(default_factory=list)


def read_draft(name: str, data: bytes, limits: UploadLimits = UploadLimits()) -> DraftRead:
    """:func:`draft_rows` of an upload, read in a process of its own within the upload's bounds (its cells, its
    time), as a load's dry run is: a hostile draft costs that process, not the server's."""
    return _bounded(_read_draft, limits.max_seconds, name, name=name, data=data, limits=limits)


def _read_draft(*, name: str, data: bytes, limits: UploadLimits) -> DraftRead:
    _child_limits(limits)
    read = DraftRead(name)
    try:
        read.rows = draft_rows(data, name, limits)
    except InputError as err:
        read.problems = [_problem(p) for p in err.problems]
    return read


def _unpacked_size_ok(name: str, data: bytes, limits: UploadLimits) -> bytes:
    """``data``, once its parts are known to unpack within ``limits`` (a zip bomb is refused first)."""
    with tempfile.TemporaryDirectory(prefix="linkgraph-draft-") as folder:
        unpack_upload(name, data, folder, limits)
    return data


def _number(text: str | None) -> float | None:
    with contextlib.suppress(TypeError, ValueError):
        return float(text)
    return None


def reviewed_draft(data: bytes, verdicts: Mapping[tuple[str, int], Verdict], name: str = "draft.xlsx",
                   limits: UploadLimits = UploadLimits()) -> bytes:
    """The draft workbook with the reviewer's verdicts written in: 采纳 是 or 否 on each row decided, and the
    edited cells; rows not decided are left as they were. Load the result with :func:`apply_upload`, ``by``
    the reviewer: the accepted rows become a source with the reviewer's name."""
    from openpyxl import load_workbook

    rows = {(r.sheet, r.row) for r in draft_rows(data, name, limits)}
    unknown = sorted(set(verdicts) - rows)
    if unknown:
        raise InputError([Problem(None, f"草稿中没有该行 / the draft has no proposed row at sheet {s}, row {r}")
                          for s, r in unknown])
    book = load_workbook(io.BytesIO(data))
    for (sheet_name, number), verdict in verdicts.items():
        sheet = book[sheet_name]
        header = {str(cell.value): cell.column for cell in sheet[1] if cell.value is not None}
        for title, value in {**verdict.edits, ACCEPT_HEADER: YES if verdict.accept else NO}.items():
            if title not in header:
                raise InputError([Problem(None, f"草稿的 {sheet_name} 表没有“{title}”列 / sheet {sheet_name} of the "
                                                f"draft has no column {title!r}")])
            cell = sheet.cell(row=number, column=header[title])
            cell.value = _cell_text(value)
            cell.data_type = "s"  # text, also when it starts with "=": never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value: str) -> str:
    """An edited value as a cell: text, without the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(value))




@dataclass
class DraftedReport:
    """A report text drafted into a draft workbook (its name and bytes), or the problems that stopped it."""

    name: str
    data: bytes = b""
    problems: list[UploadProblem] = field(default_factory=list)


def is_report(name: str) -> bool:
    """Whether the upload ``name`` is a report text (to draft, any file ``linkgraph extract`` reads) rather than a
    draft workbook."""
    from loaders.extract.document import SUFFIXES

    return Path(name).suffix.lower() in SUFFIXES


def draft_report(name: str, data: bytes, limits: UploadLimits = UploadLimits()) -> DraftedReport:
    """The draft workbook of the report ``name`` (``.txt``, ``.html``, ``.docx``), through the same
    :func:`linkgraph.pipeline.extract_draft` as ``linkgraph extract`` (places resolved in the counties the report
    names), in a process of its own stopped after the upload's time bound; a bound passed is one problem."""
    if len(data) > limits.max_bytes:
        return DraftedReport(name, problems=[UploadProblem(name, None, None, None, f"文件过大 / the report is more "
                                                                                   f"than {limits.max_bytes / 2**20:g} MB")])
    return _bounded(_draft, limits.max_seconds, name, name=name, data=data)


def _report_name(name: str) -> str:
    """The base name a report is drafted under (no folders, no unsafe characters), its suffix kept."""
    from loaders.upload import _UNSAFE, MAX_NAME_BYTES

    base = _UNSAFE.sub("_", re.split(r"[/\\]", name or "")[-1].strip()).lstrip(".")
    if is_report(base) and len(base.encode()) > MAX_NAME_BYTES - 8:  # (too long for a file, or for its draft)
        return "report" + Path(base).suffix.lower()
    return base if is_report(base) else "report.txt"


def _draft(*, name: str, data: bytes) -> DraftedReport:
    from linkgraph import pipeline

    report = _report_name(name)
    drafted = DraftedReport(Path(report).stem + ".xlsx")
    with tempfile.TemporaryDirectory(prefix="linkgraph-report-") as folder:
        path = Path(folder) / report
        path.write_bytes(data)
        try:
            pipeline.extract_draft([path], Path(folder) / "draft.xlsx")
        except InputError as err:
            drafted.problems = [_problem(p) for p in err.problems]
            return drafted
        drafted.data = (Path(folder) / "draft.xlsx").read_bytes()
    return drafted
