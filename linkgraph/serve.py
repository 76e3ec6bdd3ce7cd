"""``linkgraph serve``: the map, the saved queries, the report and a page per node, in a local browser.

A thin web layer (Starlette, served by uvicorn) over what the
command line does: queries run through :func:`linkgraph.pipeline.run_query`, the
report is :func:`linkgraph.pipeline.report` written into a cache folder, the map
is :func:`visualizations.map.render_map` of the store's graph. The store is only
ever opened read-only, for each request or each export, and never held open, so
that a load can run beside it; when an embedded store file changes, the pages
follow.

Without accounts it answers on 127.0.0.1 only, to anyone on this machine, as it always did. With accounts
(:mod:`linkgraph.accounts`, :mod:`linkgraph.userdb`) everyone signs in, each route needs the role the one
table of :func:`routes` gives it (enforced by :class:`linkgraph.webauth.AuthMiddleware`, whose docstring says
how to add a route), and it may listen beyond this machine (``--host``), over TLS or behind a front server.

Every page is rendered with the project's escaping templates and runs under a
Content Security Policy that allows only its own inline scripts, by hash (the
pages other than the map have none); no page may be framed; nothing is fetched
from outside. A request for something that is not there, or with a parameter a
query refuses, gets a 4xx page that says why, in Chinese and English, and no
stack trace; the Host header must name this machine or a --server-name (no DNS rebinding).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from graph_model.records import GraphData, Tie
from graph_model.schema import Schema, default_schema
from graph_model.tie_rows import tie_labels, tie_row
from linkgraph import account_pages, load_pages
from linkgraph.accounts import Role
from linkgraph.pipeline import EVERYTHING, Scope
from linkgraph.userdb import UserDB
from linkgraph.webauth import Auth, AuthMiddleware, RoleRoute, login, login_form, logout
from queries.catalog import NamedQuery, QueryError, default_catalog, get_query
from queries.examples import examples_in
from stores import is_server_spec, open_store
from stores.base import StoreError
from visualizations.assets import ENVIRONMENT
from visualizations.exports import Column, Table, workbook_bytes
from visualizations.map import csp_hash, measure_label, measures_from, readable_properties, render_map, static_asset
from visualizations.tables import csv_text, readable_rows

if TYPE_CHECKING:
    from analysis.report import Analysis

HOST = "127.0.0.1"
MAP_HIGHLIGHT_LIMIT = 500  # nodes of an answer the map link lights up
DEFAULT_PORT = 8765
SERVER_CHECK_SECONDS = 2.0
"""How often ``serve`` asks a Neo4j server whether its graph changed (an embedded file is looked at each time)."""
LINKS = {"home": "/", "queries": "/queries", "report": "/report/", "node": "/nodes/{id}"}
# Every response: no framing, no sniffing, no referrer, not shared with other sites, not cached.
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
HSTS = "max-age=31536000"
BASE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD_TYPES = {".csv": "text/csv; charset=utf-8", ".xlsx": XLSX, ".gexf": "application/xml",
                  ".graphml": "application/xml", ".json": "application/json"}
# An inline script without src: its text is what the policy's hash allows.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>(.*?)</script>", re.S)
log = logging.getLogger("linkgraph.serve")


def page_policy(html: str) -> str:
    """The Content Security Policy of a page: its own inline scripts by hash, inline styles,
    images from data: and blob: URLs (the map's PNG export), forms to this site only, no framing."""
    scripts = " ".join(dict.fromkeys(csp_hash(s) for s in _INLINE_SCRIPT.findall(html))) or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data: blob:; "
            "font-src data:; connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def node_href(node_id: str) -> str:
    """The address of a node's page: the id as one path segment (``/``, ``%``, ``?``, ``#``, spaces and
    Chinese percent-encoded); ``.`` and ``..``, which a browser would resolve away, as ``/nodes?id=``.

    >>> node_href("jia:a/b ?#"), node_href("..")
    ('/nodes/jia%3Aa%2Fb%20%3F%23', '/nodes?id=..')
    """
    if node_id in (".", ".."):
        return "/nodes?id=" + quote(node_id, safe="")
    return "/nodes/" + quote(node_id, safe="")


ENVIRONMENT.filters["node_href"] = node_href


def html_page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": page_policy(html)})


def answer_workbook(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """A query's answer as a workbook of one sheet, by the report's writer (:func:`visualizations.exports.write_workbook`:
    header row frozen, texts stay texts, formula-like text neutralized)."""
    columns = [Column(str(i), header, header) for i, header in enumerate(headers)]
    return workbook_bytes([Table(title, title, title, columns, [dict(zip(map(str, range(len(row))), row))
                                                                 for row in rows])])


def _attachment(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Content-Security-Policy": BASE_POLICY})


# ---------------------------------------------------------------- what the site knows about the store

@dataclass
class Site:
    """The store being explored and what was worked out from it (kept until the store file changes)."""

    store: str
    cache: Path
    title: str = "linkgraph"
    scope: Scope = EVERYTHING
    schema: Schema = field(default_factory=default_schema)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # guards _version, _checked, _cached, _making
    _version: Any = None
    _checked: float = 0.0
    _cached: dict[str, Any] = field(default_factory=dict)
    _making: dict[str, threading.Lock] = field(default_factory=dict)
    # One query at a time: each opens the store, and opens side by side only compete for the cores.
    _query_lock: threading.Lock = field(default_factory=threading.Lock)

    def _current(self) -> Any:
        """What changes when the store changes: an embedded file's time and size; for a server, its counts
        and loaded sources, asked at most every :data:`SERVER_CHECK_SECONDS`."""
        if is_server_spec(self.store):
            now = time.monotonic()
            if self._version is not None and now - self._checked < SERVER_CHECK_SECONDS:
                return self._version
            self._checked = now
            with open_store(self.store, self.schema, read_only=True) as source:
                return server_version(source)
        if not Path(self.store).exists():
            return None  # (a missing file: opening it says so)
        stat = Path(self.store).stat()
        return (stat.st_mtime_ns, stat.st_size)

    def cached(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()`` once per version of the store. Each thing is made under a lock of its own, so that a
        page needing only what is made already does not wait while the report is written or a query runs."""
        with self._lock:
            version = self._current()
            if version != self._version:
                self._cached.clear()
                self._version = version
            if name in self._cached:
                return self._cached[name]
            making = self._making.setdefault(name, threading.Lock())
        with making:
            with self._lock:
                if name in self._cached and self._version == version:  # made while this one waited
                    return self._cached[name]
            value = make()
            with self._lock:
                if self._version == version:
                    self._cached[name] = value
            return value

    def _export(self) -> tuple[GraphData, str, list[dict[str, Any]]]:
        """The graph, where it came from and its sources, as one committed state: a server's export takes one
        statement per kind, so one read while a load commits is read again (its version before and after
        differ), at most :data:`EXPORT_TRIES` times; an embedded store's file is whole by itself."""
        server = is_server_spec(self.store)
        for _ in range(EXPORT_TRIES):
            with open_store(self.store, self.schema, read_only=True) as source:
                before = server_version(source) if server else None
                read = self.scope.read(source), self.scope.where(source), source.loaded_sources()
                if not server or server_version(source) == before:
                    return read
        raise StoreError("数据库在读取时一直在变化，请稍后再试 / the store kept changing while it was read: try again")

    @property
    def graph(self) -> GraphData:
        return self.cached("export", self._export)[0]

    @property
    def description(self) -> str:
        return self.cached("export", self._export)[1]

    @property
    def sources(self) -> list[dict[str, Any]]:
        return self.cached("export", self._export)[2]

    @property
    def analysis(self) -> "Analysis":
        """Every measure of the graph shown, worked out once per version of the store: the map, the node
        pages and the report all read it (the centralities are computed once, not once per page)."""
        from linkgraph import pipeline

        return self.cached("analysis", lambda: pipeline.analysis_of(self.graph, self.schema))

    @property
    def measures(self) -> tuple[list[str], dict[str, dict[str, float]]]:
        return self.cached("measures", lambda: measures_from(self.analysis.nodes))

    @property
    def ties_of(self) -> dict[str, list[Tie]]:
        def index() -> dict[str, list[Tie]]:
            found: dict[str, list[Tie]] = {}
            for tie in self.graph.ties.values():
                found.setdefault(tie.source_id, []).append(tie)
                found.setdefault(tie.target_id, []).append(tie)
            return found
        return self.cached("ties_of", index)

    def map_page(self) -> str:
        return self.cached("map", lambda: render_map(self.graph, self.schema, title=self.title, links=LINKS,
                                                     measures=self.measures))

    def report_files(self) -> dict[str, Path]:
        """The report of the graph shown, written into the cache folder (once per version)."""
        from linkgraph import pipeline

        def write() -> dict[str, Path]:
            return pipeline.report_of(self.graph, self.schema, self.description, self.cache / "report", self.title,
                                      analysis=self.analysis)[1]
        return self.cached("report", write)

    def examples(self, query: NamedQuery) -> dict[str, Any]:
        """The query's example values in the graph shown (:func:`queries.examples.examples_in`), once per version."""
        return self.cached(f"examples {query.name}", lambda: examples_in(query, self.graph, self.schema))

    def run(self, query: NamedQuery, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        from linkgraph import pipeline

        query.bind(dict(params))  # a missing or mistyped value is refused before the store is opened
        with self._query_lock:
            return pipeline.run_query(self.store, query.name, dict(params))


# ---------------------------------------------------------------- pages

EXPORT_TRIES = 5


def server_version(source) -> tuple:
    """What changes when a server's graph changes: its counts, and each source with when it was loaded."""
    return (tuple(sorted(source.counts().items())),
            tuple((r["key"], r["loaded"], r["loaded_at"], r["complete"]) for r in source.loaded_sources()))


def _render(template: str, **values: Any) -> str:
    return ENVIRONMENT.get_template(f"serve/{template}").render(style=static_asset("serve.css"), **values)


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page of the site, knowing who is signed in (for its header) and the CSRF token (for its forms)."""
    site: Site = request.app.state.site
    state = request.state
    return html_page(_render(template, site_title=site.title, user=getattr(state, "user", None),
                             csrf_token=getattr(state, "csrf_token", ""), **values), status)


def login_page(request: Request) -> Response:
    """GET /login: the login form (without accounts there is nothing to sign in to: the home page)."""
    if not request.state.accounts or request.state.user is not None:
        return RedirectResponse("/", status_code=303)
    return login_form(request, _page)


def _node_ids(rows: list[dict[str, Any]], graph: GraphData) -> list[str]:
    """The nodes an answer names (by id, in any column), in order, for the map to highlight."""
    found: dict[str, None] = {}
    for row in rows:
        for value in row.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item in graph.nodes:
                    found[item] = None
    return list(found)


def home(request: Request) -> HTMLResponse:
    site: Site = request.app.state.site
    graph = site.graph
    counts = [(k, sum(1 for _ in graph.nodes_of(k.label))) for k in site.schema.node_kinds]
    tie_counts = [(t, sum(1 for x in graph.ties.values() if x.type == t.type)) for t in site.schema.tie_kinds]
    return _page(request, "home.html.j2", store=site.description, sources=site.sources,
                 counts=[c for c in counts if c[1]], tie_counts=[c for c in tie_counts if c[1]],
                 catalog=list(default_catalog().values()))


def map_page(request: Request) -> HTMLResponse:
    return html_page(request.app.state.site.map_page())


def query_list(request: Request) -> HTMLResponse:
    return _page(request, "queries.html.j2", catalog=list(default_catalog().values()))


def query_page(request: Request) -> Response:
    site: Site = request.app.state.site
    name = request.path_params["name"]
    if name not in default_catalog():
        raise HTTPException(404, f"没有该查询 / no saved query named {name!r}")
    query = get_query(name)
    given = {k: v for k, v in request.query_params.items() if k != "format"}
    output = request.query_params.get("format", "html")
    if output not in ("html", "csv", "xlsx"):
        raise HTTPException(400, f"格式应为 html、csv 或 xlsx / format must be html, csv or xlsx, not {output!r}")
    # a download is always the answer to the query (a missing parameter is a 400, not an empty table)
    ran = output != "html" or "run" in given or any(given.values()) or not query.params
    values = {k: v for k, v in given.items() if k != "run" and v != ""}
    rows, error = _run_query(site, query, values, output) if ran else (None, None)
    if output != "html":
        return _query_download(site, query, name, rows, output)
    headers, table = readable_rows(query, rows, site.schema) if rows else ([], [])
    graph = site.graph
    cells = _linked_cells(list(rows[0]) if rows else [], table, graph)
    highlight = _node_ids(rows or [], graph)[:MAP_HIGHLIGHT_LIMIT]
    return _page(request, "query.html.j2", status=400 if error else 200, query=query, values=values, error=error,
                 examples=site.examples(query),
                 ran=ran and error is None, headers=headers, cells=cells,
                 csv_url=str(request.url.include_query_params(format="csv")),
                 xlsx_url=str(request.url.include_query_params(format="xlsx")),
                 map_url="/map#highlight=" + ",".join(quote(i, safe=":") for i in highlight))


def _run_query(site: Site, query, values: dict[str, str], output: str) -> tuple[list | None, str | None]:
    """The rows of a saved query and None, or for the page None and the error (a download answers 400)."""
    try:
        return site.run(query, values), None
    except QueryError as err:
        if output != "html":
            raise HTTPException(400, str(err)) from None
        return None, str(err)


def _query_download(site: Site, query, name: str, rows: list | None, output: str) -> Response:
    """A query's answer as a CSV or workbook attachment."""
    headers, table = readable_rows(query, rows or [], site.schema)
    if output == "csv":
        text = csv_text(headers, table)  # formula-like text neutralized, as in every CSV linkgraph writes
        return _attachment(text.encode("utf-8-sig"), f"{name}.csv", DOWNLOAD_TYPES[".csv"])
    return _attachment(answer_workbook(name, headers, table), f"{name}.xlsx", XLSX)


def _linked_cells(columns: list[str], table: list, graph) -> list[list[tuple]]:
    """Each cell with the node id it links to: cells of id columns link to the node's page (others: None)."""
    return [[(value, value if (column == "id" or column.endswith("_id")) and value in graph.nodes else None)
             for column, value in zip(columns, row)] for row in table]


def report_page(request: Request) -> Response:
    site: Site = request.app.state.site
    name = request.path_params.get("name") or "report.html"
    files = {path.name: path for path in site.report_files().values()}
    if name not in files:
        raise HTTPException(404, f"报告中没有该文件 / the report has no file {name!r}")
    path = files[name]
    if path.suffix == ".html":
        return html_page(path.read_text(encoding="utf-8"))
    return _attachment(path.read_bytes(), path.name, DOWNLOAD_TYPES.get(path.suffix, "application/octet-stream"))


def node_list(request: Request) -> HTMLResponse:
    site: Site = request.app.state.site
    if "id" in request.query_params:  # a node whose id cannot be a path segment (node_href)
        return node_page(request, request.query_params["id"])
    text = request.query_params.get("q", "").strip()
    rows, error = [], None
    if text:
        try:
            rows = site.run(get_query("find_by_name"), {"text": text})
        except QueryError as err:
            error = str(err)
    kinds = {k.label: k for k in site.schema.node_kinds}
    where = site.cached("where", lambda: _where(site.graph, site.schema)) if rows else {}
    return _page(request, "nodes.html.j2", text=text, rows=rows, kinds=kinds, error=error, where=where)


def _where(graph: GraphData, schema: Schema) -> dict[str, str]:
    """Each node's town, else its county, by name (graph_model.places): the find page tells two 白岩村 of two
    towns apart by it, as the map's pick list does."""
    from graph_model.places import places_of

    places = places_of(graph, schema)
    units = {**places.county, **places.town}
    return {node_id: graph.nodes[unit].name for node_id, unit in units.items() if node_id != unit and unit in graph.nodes}


def node_page(request: Request, node_id: str | None = None) -> HTMLResponse:
    site: Site = request.app.state.site
    node_id = request.path_params["node_id"] if node_id is None else node_id
    node = site.graph.nodes.get(node_id)
    if node is None:
        raise HTTPException(404, f"没有该标识的节点 / no node with id {node_id!r}")
    kind = site.schema.node_kind(node.kind)
    names, values = site.measures
    measures = [(measure_label(m), values.get(node_id, {}).get(m)) for m in names]
    ties = [{**tie_row(tie, site.graph, site.schema), "outgoing": tie.source_id == node_id,
             "details": readable_properties(tie.props, site.schema.tie_kind(tie.type).properties)}
            for tie in site.ties_of.get(node_id, [])]
    ties.sort(key=lambda t: (t["administrative"], t["type"], t["source"], t["target"]))
    return _page(request, "node.html.j2", node=node, kind=kind, measures=measures, ties=ties,
                 details=readable_properties(node.props, kind.properties), labels=tie_labels(site.schema))


# ---------------------------------------------------------------- errors and headers

def _error(request: Request, status: int, message: str) -> HTMLResponse:
    site = getattr(request.app.state, "site", None)
    html = _render("error.html.j2", site_title=site.title if site else "linkgraph", status=status, message=message,
                   user=getattr(request.state, "user", None), csrf_token=getattr(request.state, "csrf_token", ""))
    page = html_page(html, status)
    page.headers.update(HEADERS)  # a 500 is sent by Starlette's outermost layer, past SecurityHeaders
    return page


async def http_error(request: Request, exc: Exception) -> HTMLResponse:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or ""
    messages = {404: "找不到该页面 / not found", 405: "不允许的请求方法 / method not allowed"}
    return _error(request, status, detail if detail and detail not in ("Not Found", "Method Not Allowed")
                  else messages.get(status, "请求有误 / bad request"))


async def store_error(request: Request, exc: Exception) -> HTMLResponse:
    return _error(request, 503, f"数据库不可用 / the store is not available: {exc}")


async def server_error(request: Request, exc: Exception) -> HTMLResponse:
    log.exception("error while answering %s", request.url.path)  # the trace stays on the server
    return _error(request, 500, "内部错误，详情见服务器日志 / internal error; the server's log says more")


class SecurityHeaders:
    """Pure ASGI middleware: :data:`HEADERS` on every response, and a strict policy where none is set; over
    TLS (served with a certificate, or through a proxy that says so) also HSTS: browsers keep to https."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", BASE_POLICY.encode()))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def routes() -> list[RoleRoute]:
    """Every route of the app and the least role that may use it: the one table
    :class:`linkgraph.webauth.AuthMiddleware` enforces (its docstring says how to add one)."""
    viewer, editor, admin, anyone = Role.viewer, Role.editor, Role.admin, Role.anonymous
    return [
        RoleRoute("/", home, viewer),
        RoleRoute("/map", map_page, viewer),
        RoleRoute("/queries", query_list, viewer),
        RoleRoute("/queries/{name}", query_page, viewer),
        RoleRoute("/report", lambda request: RedirectResponse("/report/"), viewer),
        RoleRoute("/report/", report_page, viewer),
        RoleRoute("/report/{name}", report_page, viewer),
        RoleRoute("/nodes", node_list, viewer),
        RoleRoute("/nodes/{node_id:path}", node_page, viewer),  # an id may hold "/"
        RoleRoute("/login", login_page, anyone),
        RoleRoute("/login", functools.partial(login, render=_page), anyone, methods=["POST"], name="login_post"),
        RoleRoute("/logout", logout, anyone, methods=["POST"]),
        RoleRoute("/admin/users", account_pages.users_page, admin),
        RoleRoute("/admin/users", account_pages.add_user, admin, methods=["POST"], name="add_user"),
        RoleRoute("/admin/users/{name}/disable", account_pages.disable_user, admin, methods=["POST"]),
        RoleRoute("/admin/users/{name}/reset", account_pages.reset_user, admin, methods=["POST"]),
        RoleRoute("/uploads", load_pages.upload_form, editor),
        RoleRoute("/uploads", load_pages.upload_check, editor, methods=["POST"], name="upload_check"),
        RoleRoute("/uploads/{token}/load", load_pages.upload_load, editor, methods=["POST"]),
        RoleRoute("/uploads/{token}/columns", load_pages.upload_columns, editor, methods=["POST"]),
        RoleRoute("/drafts", load_pages.draft_form, editor),
        RoleRoute("/drafts", load_pages.draft_review, editor, methods=["POST"], name="draft_review"),
        RoleRoute("/drafts/{token}/load", load_pages.draft_load, editor, methods=["POST"]),
        RoleRoute("/sources", load_pages.sources_page, admin),
        RoleRoute("/sources/withdraw", load_pages.withdraw_dry_run, admin, methods=["POST"]),
        RoleRoute("/sources/withdraw/confirm", load_pages.withdraw_confirm, admin, methods=["POST"]),
    ]


def create_app(store: str, cache: str | Path, *, title: str = "linkgraph", scope: Scope = EVERYTHING,
               users: str | Path | None = None, hosts: Sequence[str] = (HOST, "localhost")) -> Starlette:
    """The web app over ``scope``'s part of ``store`` (opened read-only), writing the report into ``cache``.
    The saved queries answer over the whole store. ``users`` is the user database (None: no accounts, as
    with Neo4j and no ``--users``); ``hosts`` the names the Host header may give (``*``: any)."""
    auth = Auth(UserDB(Path(users)) if users else None)
    app = Starlette(
        routes=routes(),
        middleware=[Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)),
                    Middleware(AuthMiddleware, auth=auth, error=_error)],
        exception_handlers={HTTPException: http_error, StoreError: store_error, Exception: server_error},
    )
    app.state.site = Site(store, Path(cache), title, scope=scope)
    app.state.auth = auth
    app.state.render = _page  # how a page module (account_pages) renders a page of the site
    return app


def security_headers() -> list[tuple[bytes, bytes]]:
    """:data:`HEADERS` and the strict policy, as header lines."""
    return [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()] + [
        (b"content-security-policy", BASE_POLICY.encode())]


BAD_REQUEST = "请求有误 bad request: not a valid HTTP/1.1 request\n".encode()


def guarded_http_protocol() -> type:
    """uvicorn's HTTP/1.1 protocol (h11) whose own answer to what it cannot parse (a bad request line or
    header, headers too long, HTTP/0.9, bytes that are not HTTP) carries :func:`security_headers` too: that
    400 is written by uvicorn below the application, where :class:`SecurityHeaders` never sees it, and
    uvicorn's ``headers`` setting does not reach it (uvicorn 0.55, ``H11Protocol.send_400_response``).
    Pinned to h11 even where httptools is installed, so that every answer goes through this class."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        def send_400_response(self, msg: str) -> None:
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"), *security_headers()]
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                          h11.Data(data=BAD_REQUEST), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
            self.transport.close()

    return GuardedH11Protocol


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` is reachable from this machine only.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost
        return False


def allowed_hosts(host: str, server_names: Sequence[str] = ()) -> list[str]:
    """The names the Host header may give (no DNS rebinding): this machine's loopback names, the address
    listened on, and the ``server_names`` the admin gives; any name when listening on every address
    (0.0.0.0, ::) and no name is given (accounts guard the site then).

    >>> allowed_hosts("127.0.0.1"), allowed_hosts("0.0.0.0"), allowed_hosts("0.0.0.0", ["lg.county.gov.cn"])
    (['127.0.0.1', 'localhost'], ['*'], ['127.0.0.1', 'localhost', 'lg.county.gov.cn'])
    """
    wildcard = host in ("0.0.0.0", "::", "")
    if wildcard and not server_names:
        return ["*"]
    names = [HOST, "localhost", *server_names] + ([] if wildcard else [host])
    return list(dict.fromkeys(names))


def listening_refusal(host: str, accounts: bool, server_names: Sequence[str] = ()) -> str | None:
    """Why ``serve`` may not listen on ``host`` (None: it may): beyond this machine, or by host names
    (behind a front server), only with accounts."""
    if accounts or (is_loopback(host) and not server_names):
        return None
    where = host if not is_loopback(host) else ", ".join(server_names)
    return (f"没有账户时不能在 {where} 上提供服务（先执行 linkgraph users add NAME --role admin）/ refusing to serve "
            f"{where} without accounts: anyone on the network could read the store (add one first: linkgraph users "
            "add NAME --role admin)")


def plain_http_warning(host: str, tls: bool) -> str | None:
    """The warning ``serve`` prints when it listens beyond this machine without TLS: the accounts' passwords and
    session cookies then cross the network as they are typed (None on 127.0.0.1 or with a certificate)."""
    if tls or is_loopback(host):
        return None
    return (f"警告 warning: {host} 上未加密（http），登录密码和会话在网络上明文传输；请加 --certfile/--keyfile 或由前端服务器"
            "提供 https / plain http beyond this machine: passwords and sessions cross the network unencrypted; give "
            "--certfile and --keyfile, or serve through a front server that ends TLS")


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening socket on ``host``:``port`` (an OSError says when the port is taken).

    Its protocol is named (``IPPROTO_TCP``, not 0): asyncio turns Nagle's algorithm off only on connections
    whose socket says TCP, and with it on every answer after the first on a kept-alive connection waited
    for the browser's delayed acknowledgement (40 ms)."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.listen(64)
    return sock


@dataclass(frozen=True)
class Listening:
    """Where and how ``serve`` answers: the address, the TLS certificate and key (both or neither), the
    user database (None: no accounts) and the host names the site may be reached by."""

    host: str = HOST
    port: int = DEFAULT_PORT
    certfile: str | None = None
    keyfile: str | None = None
    users: str | Path | None = None
    server_names: Sequence[str] = ()

    @property
    def scheme(self) -> str:
        return "https" if self.certfile else "http"


def serve(store: str, *, port: int = DEFAULT_PORT, cache: str | Path, title: str = "linkgraph",
          scope: Scope = EVERYTHING, ready: Callable[[str], None] | None = None,
          listening: Listening | None = None) -> None:
    """Check that ``store`` opens, then answer on http://127.0.0.1:``port``/ (or as ``listening`` says)
    until interrupted. Listening beyond this machine without accounts is refused
    (:class:`linkgraph.accounts.AccountError`)."""
    import uvicorn

    from linkgraph.accounts import AccountError

    where = listening or Listening(port=port)
    accounts = where.users is not None and UserDB(Path(where.users)).has_accounts()
    refusal = listening_refusal(where.host, accounts, where.server_names)
    if refusal:
        raise AccountError(refusal)
    app = create_app(store, cache, title=title, scope=scope, users=where.users,
                     hosts=allowed_hosts(where.host, where.server_names))
    app.state.site.graph  # noqa: B018 (open and read the store now: a wrong store is an error at once)
    if accounts:
        app.state.auth.serializer()  # the session secret made (or its permissions refused) before the first page
    sock = bind(where.port, where.host)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, date_header=False,
                            http=guarded_http_protocol(), ssl_certfile=where.certfile, ssl_keyfile=where.keyfile)
    if ready:
        shown = f"[{where.host}]" if ":" in where.host else where.host
        ready(f"{where.scheme}://{shown}:{sock.getsockname()[1]}/")
    uvicorn.Server(config).run(sockets=[sock])
