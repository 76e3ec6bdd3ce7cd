"""The editors' and admins' pages of ``linkgraph serve`` that change the store, thin over the library:

- upload → dry run → pick candidates → load (:func:`linkgraph.uploads.check_upload`,
  :func:`~linkgraph.uploads.apply_upload`), editors; a header no field is known by gets a choice of its table's
  fields, and the picked fields are the upload's column mapping (``linkgraph load --columns``) for the dry run
  run again and for the load, the same file kept on the server (no second upload);
- a draft's review, accept / reject / edit each row, then load the accepted rows as the reviewer
  (:func:`~linkgraph.uploads.read_draft`: read in the upload's worker within its bounds,
  :func:`~linkgraph.uploads.reviewed_draft`), editors;
- the sources (who, when, what each states and alone states) and their withdrawal, a dry run first
  (:func:`linkgraph.pipeline.sources`, :func:`~linkgraph.pipeline.withdraw`), admins.

Their routes and roles are in the one table of :func:`linkgraph.serve.routes`; every form carries the
session's CSRF token. An upload waits on the server between its dry run and its load, known by a random token
and only to the account that uploaded it (at most :data:`PENDING_MOST`, :data:`PENDING_BYTES` together, each for
:data:`PENDING_SECONDS`).
Loads and withdrawals are recorded in the team's audit log with the account's name.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from graph_model.records import InputError
from linkgraph import pipeline
from linkgraph.audit import audit_for
from linkgraph.userdb import record_audit
from linkgraph.webauth import actor as _who
from linkgraph.uploads import (ACCEPT_HEADER, CONFIDENCE_HEADER, MATCH_HEADER, QUOTE_HEADER, Choice, DraftRow,
                               UnknownHeader, UploadCheck, Verdict, apply_upload, check_upload, draft_report, draft_rows,
                               is_report, read_draft, reviewed_draft)
from loaders.upload import UploadLimits
from queries.catalog import QueryError

PENDING_MOST = 50
PENDING_BYTES = 256 * 2**20
"""The uploads kept waiting for their load hold at most this many bytes together (the oldest go first)."""
PENDING_SECONDS = 2 * 3600
READ_PAST = {ACCEPT_HEADER, CONFIDENCE_HEADER, MATCH_HEADER, QUOTE_HEADER, "规则", "文章"}
"""A draft's columns a reviewer reads but does not edit (the quote is the report's own words)."""
NAME_HEADERS = ("名称", "起点", "终点")


@dataclass
class Pending:
    """An upload between its dry run and its load."""

    kind: str
    name: str
    data: bytes
    owner: str
    made: float = field(default_factory=time.monotonic)
    columns: dict[str, str] = field(default_factory=dict)
    """The fields the planner picked for headers no field is known by (header → field), as ``--columns``."""
    titles: dict[str, str] = field(default_factory=dict)
    """How each picked field reads (``终点 To``), for the page that shows the mapping."""
    unknown: tuple[UnknownHeader, ...] = ()
    """The headers of the last dry run that named no field: the choices its page offered, by number."""


class PendingUploads:
    """The uploads waiting for their load, by token; the oldest go when there are too many or they are old."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Pending] = {}

    def add(self, pending: Pending) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            now = time.monotonic()
            self._items = {k: p for k, p in self._items.items() if now - p.made < PENDING_SECONDS}
            while self._items and (len(self._items) >= PENDING_MOST or
                                   sum(len(p.data) for p in self._items.values()) + len(pending.data) > PENDING_BYTES):
                self._items.pop(next(iter(self._items)))
            self._items[token] = pending
        return token

    def get(self, token: str, kind: str, owner: str) -> Pending:
        """The upload ``token`` names, if ``owner`` made it; else a 404 (no one learns another's upload)."""
        with self._lock:
            pending = self._items.get(token)
        if pending is None or pending.kind != kind or pending.owner != owner:
            raise HTTPException(404, "没有该上传，或已过期 / no such upload, or it has expired: upload it again")
        return pending

    def drop(self, token: str) -> None:
        with self._lock:
            self._items.pop(token, None)


def _pending(request: Request) -> PendingUploads:
    state = request.app.state
    if not hasattr(state, "pending"):
        state.pending = PendingUploads()
    return state.pending


def _render(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    return request.app.state.render(request, template, status=status, **values)


def _store(request: Request) -> str:
    return request.app.state.site.store


def _audit(request: Request, action: str, detail: dict[str, Any]) -> None:
    """Record a change in the team's audit log (the user database's), as the signed-in account."""
    db = getattr(getattr(request.app.state, "auth", None), "db", None)
    if db is not None:
        record_audit(db, _who(request), action, json.dumps(detail, ensure_ascii=False, default=str))


async def _uploaded(request: Request) -> tuple[str, bytes, Any]:
    """The file of an upload form (its name and bytes, at most the upload bound) and the form."""
    limits = UploadLimits()
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise HTTPException(400, "请选择要上传的文件 / choose a file to upload")
    data = await upload.read(limits.max_bytes + 1)
    return upload.filename, data, form


# ---------------------------------------------------------------- upload → dry run → pick → load

def upload_form(request: Request) -> Response:
    """GET /uploads: the form to upload a workbook, a CSV folder (zip), a case file or a draft."""
    return _render(request, "upload.html.j2", limits=UploadLimits())


async def upload_check(request: Request) -> Response:
    """POST /uploads: keep the upload and show its dry run: counts, problems, names to pick."""
    name, data, _ = await _uploaded(request)
    check = await run_in_threadpool(check_upload, _store(request), name, data)
    pending = Pending("upload", check.name, data, _who(request), unknown=tuple(check.unknown_columns))
    return _checked(request, check, _pending(request).add(pending), pending)


async def upload_columns(request: Request) -> Response:
    """POST /uploads/{token}/columns: the fields picked for the headers no field is known by, added to the
    upload's column mapping; the kept upload's dry run again with it (the file is not sent again)."""
    token = request.path_params["token"]
    pending = _pending(request).get(token, "upload", _who(request))
    form = await request.form()
    columns, titles = dict(pending.columns), dict(pending.titles)
    for number, unknown in enumerate(pending.unknown):
        picked = str(form.get(f"field-{number}") or "")
        if not picked:
            continue  # left unknown: the dry run says so again
        offered = dict(unknown.choices)
        if picked not in offered:
            raise HTTPException(400, f"该列没有这个字段 / {picked!r} is not a field of column {unknown.header!r}")
        columns[unknown.header], titles[picked] = picked, offered[picked]
    check = await run_in_threadpool(lambda: check_upload(_store(request), pending.name, pending.data, columns=columns))
    pending.columns, pending.titles, pending.unknown = columns, titles, tuple(check.unknown_columns)
    return _checked(request, check, token, pending)


def _checked(request: Request, check: UploadCheck, token: str, pending: Pending) -> Response:
    """The dry run's page: counts, problems, unknown columns with their fields to pick, names to pick."""
    mapping = [(header, pending.titles.get(name, name)) for header, name in pending.columns.items()]
    # unknown columns are a question to the planner, as names to pick are (200); problems to correct are 422
    return _render(request, "upload_check.html.j2", status=200 if not check.problems else 422, check=check,
                   token=token, mapping=mapping,
                   keys=[json.dumps(n.key, ensure_ascii=False) for n in check.to_reconcile])


async def upload_load(request: Request) -> Response:
    """POST /uploads/{token}/load: load the upload with the picked candidates, as the signed-in account."""
    pending = _pending(request).get(request.path_params["token"], "upload", _who(request))
    form = await request.form()
    choices = _choices(request, form)
    confirmed = form.get("replace") == "yes"  # the dry run's 替换 box: it replaces a source of the same name
    applied = await run_in_threadpool(lambda: apply_upload(_store(request), pending.name, pending.data,
                                                           by=_who(request), choices=choices,
                                                           replace_confirmed=confirmed, columns=pending.columns))
    return _done(request, applied, request.path_params["token"], pending.columns)


def _choices(request: Request, form) -> dict:
    """The picked candidate of each name (``key-N``: the name as JSON, ``pick-N``: its code)."""
    schema = request.app.state.site.schema
    choices = {}
    for field_name, value in form.multi_items():
        if not field_name.startswith("key-") or not form.get(f"pick-{field_name[4:]}"):
            continue
        try:
            kind, context, name = json.loads(str(value))
        except (ValueError, TypeError):
            raise HTTPException(400, "表单有误 / the form's names are damaged: upload again") from None
        code = str(form.get(f"pick-{field_name[4:]}"))
        if kind not in schema.node_labels or not code.isdigit():
            raise HTTPException(400, f"候选应为区划代码 / a pick must be a unit's code, not {code!r}")
        choices[(kind, str(context), str(name))] = Choice(code)
    return choices


def _done(request: Request, applied, token: str, columns: dict[str, str] | None = None) -> Response:
    if applied.loaded:
        _pending(request).drop(token)
        mapped = {"columns": columns} if columns else {}  # the fields picked for unknown headers, as --columns
        _audit(request, "source.load", {"upload": applied.name, "sources": applied.sources, **mapped, **applied.counts})
    return _render(request, "upload_done.html.j2", status=200 if applied.loaded else 422, applied=applied,
                   token=token)


# ---------------------------------------------------------------- a draft's review

def draft_form(request: Request) -> Response:
    """GET /drafts: the form to upload a draft workbook (``linkgraph extract``) or a report text for review."""
    return _render(request, "draft_upload.html.j2", limits=UploadLimits())


async def draft_review(request: Request) -> Response:
    """POST /drafts: a draft workbook, or a report text drafted as ``linkgraph extract`` drafts it; every proposed row with its quote (the names marked in it), confidence, roster match or
    candidates, accept / reject and its cells to edit."""
    name, data, _ = await _uploaded(request)
    if is_report(name):
        drafted = await run_in_threadpool(draft_report, name, data)
        if drafted.problems:
            raise HTTPException(422, "; ".join(p.message for p in drafted.problems))
        name, data = drafted.name, drafted.data
    read = await run_in_threadpool(read_draft, name, data)
    if read.problems:
        raise HTTPException(422, "; ".join(p.message for p in read.problems))
    rows = read.rows
    if not rows:
        raise HTTPException(422, "这不是草稿工作簿（没有“采纳”列）/ not a draft workbook: no sheet has an 采纳 column "
                                 "(write one with linkgraph extract)")
    token = _pending(request).add(Pending("draft", name, data, _who(request)))
    return _render(request, "draft_review.html.j2", token=token, rows=[_shown_row(r) for r in rows])


def _shown_row(row: DraftRow) -> dict[str, Any]:
    names = [row.cells[h] for h in NAME_HEADERS if row.cells.get(h)]
    return {"row": row, "quote": marked(row.quote, names),
            "editable": [(h, v) for h, v in row.cells.items() if h not in READ_PAST]}


def marked(text: str, names: list[str]) -> list[tuple[str, bool]]:
    """``text`` in pieces, each marked where it spells one of ``names``, in Simplified or Traditional characters
    (the report's own spelling is kept; the template escapes every piece).

    >>> marked("縣委辦黨支部與西山村黨支部共建", ["西山村党支部"])
    [('縣委辦黨支部與', False), ('西山村黨支部', True), ('共建', False)]
    """
    from graph_model.names import to_simplified

    simple = to_simplified(text)
    if len(simple) != len(text):  # (a character that became two: mark nothing rather than the wrong span)
        simple = text
    hits = [False] * len(text)
    for name in {to_simplified(n) for n in names if n}:
        start = simple.find(name)
        while start >= 0:
            hits[start:start + len(name)] = [True] * len(name)
            start = simple.find(name, start + len(name))
    pieces: list[tuple[str, bool]] = []
    for char, hit in zip(text, hits):
        if pieces and pieces[-1][1] == hit:
            pieces[-1] = (pieces[-1][0] + char, hit)
        else:
            pieces.append((char, hit))
    return pieces


async def draft_load(request: Request) -> Response:
    """POST /drafts/{token}/load: write the verdicts into the draft and load its accepted rows as the reviewer."""
    pending = _pending(request).get(request.path_params["token"], "draft", _who(request))
    form = await request.form()
    rows = await run_in_threadpool(draft_rows, pending.data, pending.name)
    verdicts = {}
    for number, row in enumerate(rows):
        decision = form.get(f"v-{number}")
        if decision not in ("accept", "reject"):
            continue
        edits = {h: str(form.get(f"c-{number}-{column}"))
                 for column, (h, value) in enumerate(_shown_row(row)["editable"])
                 if form.get(f"c-{number}-{column}") is not None and str(form.get(f"c-{number}-{column}")) != value}
        verdicts[(row.sheet, row.row)] = Verdict(decision == "accept", edits)
    reviewed = await run_in_threadpool(reviewed_draft, pending.data, verdicts, pending.name)
    applied = await run_in_threadpool(lambda: apply_upload(_store(request), pending.name, reviewed, by=_who(request)))
    return _done(request, applied, request.path_params["token"])


# ---------------------------------------------------------------- sources and their withdrawal

def sources_page(request: Request) -> Response:
    """GET /sources: each source with who loaded it, when, what it states and alone states; withdraw buttons."""
    rows = pipeline.sources(_store(request))
    return _render(request, "sources.html.j2", sources=rows, log=audit_for(_store(request)).entries(100))


async def withdraw_dry_run(request: Request) -> Response:
    """POST /sources/withdraw: what withdrawing the source would take away and what would stay."""
    key = str((await request.form()).get("source", ""))
    withdrawal = await run_in_threadpool(_withdrawal, _store(request), key, True, _who(request))
    return _render(request, "withdraw.html.j2", withdrawal=withdrawal, names=_names(withdrawal))


async def withdraw_confirm(request: Request) -> Response:
    """POST /sources/withdraw/confirm: withdraw the source, as the signed-in admin."""
    key = str((await request.form()).get("source", ""))
    try:
        withdrawal = await run_in_threadpool(_withdrawal, _store(request), key, False, _who(request))
    except InputError as err:
        raise HTTPException(409, "; ".join(p.message for p in err.problems)) from None
    _audit(request, "source.withdraw", {"source": withdrawal.key, **withdrawal.summary()})
    return _render(request, "withdraw.html.j2", withdrawal=withdrawal, names=_names(withdrawal))


def _withdrawal(store: str, key: str, dry_run: bool, by: str):
    try:
        return pipeline.withdraw(store, key, dry_run=dry_run, by=by, audit=audit_for(store, team=False))
    except QueryError as err:
        raise HTTPException(404, str(err)) from None


def _names(withdrawal) -> dict[str, str]:
    return {node_id: name for _, node_id, name in withdrawal.gone_nodes() + withdrawal.kept_nodes()}
