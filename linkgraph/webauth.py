"""Who may reach each page of ``linkgraph serve``: sessions, CSRF tokens, the login page, and the role of
every route, enforced in one place (:class:`AuthMiddleware`).

**Adding a route.** Every route of the app is a :class:`RoleRoute` in the one table of
:func:`linkgraph.serve.create_app`, which names the least role that may use it; adding a page is one line::

    RoleRoute("/uploads", upload_page, Role.editor, methods=["GET", "POST"]),

Roles are ordered (anonymous < viewer < editor < admin, :class:`linkgraph.accounts.Role`). A route that is not
a :class:`RoleRoute` has no role and is refused to everyone (and fails ``tests/test_serve_auth.py``, which lists
every route of the app). A change-making request (anything but GET, HEAD and OPTIONS) must carry the session's
CSRF token as the form field ``csrf_token`` (or the header ``X-CSRF-Token``); a page puts it in each form with
``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``. Routes and templates find the signed-in
user as ``request.state.user`` (a :class:`linkgraph.accounts.User`: name and role, or None) and the token as
``request.state.csrf_token``; :func:`actor` names who did something, for the audit log:
``record_audit(request.app.state.auth.db, actor(request), "load", "planner.xlsx: 12 ties")``
(:func:`linkgraph.userdb.record_audit`; ``auth.db`` is None only where no accounts can exist, and then
every route above viewer is refused anyway).

**Without accounts** (no user database, or one without accounts) ``serve`` is what it always was: a viewer
on 127.0.0.1 that anyone on this machine may read, no login and no cookie; routes that need an editor or an
admin are refused until accounts exist. **With accounts**, anonymous visitors reach only the login page (a
page asked for with GET sends them there, and back after the login: ``next`` stays on this site); a user database
that disappears while serving then locks everyone out rather than open the site.

Sessions: the cookie holds only a random session id and the CSRF token, signed (itsdangerous, with a secret
made once beside the user database), HttpOnly, SameSite=Strict (a link from another site opens the login
page rather than carry the session: nothing from elsewhere may act as the user), Secure when the request came
over TLS (directly, or through a proxy that says ``X-Forwarded-Proto: https``), and ending after
:data:`linkgraph.userdb.SESSION_HOURS`. The session itself is kept (by its hash) in the user database: a login
makes a new one (no fixation), a logout, a disabled account or a new password ends it at once. Failed logins
are throttled per account and per address (:class:`linkgraph.accounts.Throttle`).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match, Route

from linkgraph.accounts import MAX_NAME, Role, Throttle, User, local_path
from linkgraph.userdb import SESSION_HOURS, UserDB

COOKIE = "linkgraph_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 64 * 1024 * 1024
"""The largest change-making request body read (to find its CSRF token) for a route that needs an editor or
an admin (uploads); a larger one is refused (413)."""
MAX_SMALL_FORM_BYTES = 64 * 1024
"""The same for the routes open to viewers and anonymous visitors (the login and logout forms): nobody who
has not signed in as an editor can make the server read more."""
CSRF_REFUSED = ("表单已过期或不是从本站提交的，请重新打开页面再提交 / the form's CSRF token is missing or wrong: open "
                "the page again and resubmit")


class RoleRoute(Route):
    """A route and the least role that may use it (see the module's docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], role: Role, *, methods: Sequence[str] = ("GET",),
                 name: str | None = None) -> None:
        super().__init__(path, endpoint, methods=list(methods), name=name)
        self.role = role


def route_role(routes: Sequence[Any], scope: dict) -> tuple[Match, Role | None]:
    """How the request matches the routes and the role of the route it goes to: ``FULL`` (path and method),
    else ``PARTIAL`` (the path only: the router answers 405), else ``NONE`` (404, no role); the role is None
    for a route without one."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return match, getattr(route, "role", None)
        if match is Match.PARTIAL and partial is None:
            partial = route
    if partial is not None:
        return Match.PARTIAL, getattr(partial, "role", None)
    return Match.NONE, None


@dataclass
class Auth:
    """What the middleware and the login pages share: the user database (None: no accounts possible, as
    with a Neo4j store and no ``--users``) and the failed logins seen."""

    db: UserDB | None
    throttle: Throttle = field(default_factory=Throttle)
    _serializer: URLSafeTimedSerializer | None = None
    _accounts_seen: bool = False

    def accounts_exist(self) -> bool:
        """Whether the site asks everyone to sign in: once accounts were seen, always (a user database that
        disappears while serving locks everyone out rather than opening the site to all)."""
        if not self._accounts_seen:
            self._accounts_seen = self.db is not None and self.db.has_accounts()
        return self._accounts_seen

    def serializer(self) -> URLSafeTimedSerializer:
        if self._serializer is None:
            self._serializer = URLSafeTimedSerializer(self.db.secret(), salt="linkgraph-session")
        return self._serializer

    def read_cookie(self, value: str | None) -> dict[str, str]:
        """The session a cookie holds, or {} when there is none, or it is forged or too old."""
        if not value:
            return {}
        try:
            data = self.serializer().loads(value, max_age=SESSION_HOURS * 3600)
        except BadSignature:  # (SignatureExpired is one)
            return {}
        return {k: v for k, v in data.items() if k in ("sid", "csrf") and isinstance(v, str)} \
            if isinstance(data, dict) else {}

    def cookie_header(self, session: dict[str, str], secure: bool) -> tuple[bytes, bytes]:
        """The Set-Cookie header line that keeps ``session`` (Starlette writes its attributes)."""
        response = Response()
        response.set_cookie(COOKIE, self.serializer().dumps(session), max_age=SESSION_HOURS * 3600, path="/",
                            secure=secure, httponly=True, samesite="strict")
        return next((k, v) for k, v in response.raw_headers if k == b"set-cookie")


def actor(request: Request) -> str:
    """Who made ``request``, for the audit log: the account's name, or ``local`` without accounts."""
    user = getattr(request.state, "user", None)
    return user.name if user else "local"


def client_address(scope: dict) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


# ---------------------------------------------------------------- the middleware

async def _read_body(receive, limit: int) -> tuple[bytes | None, list[dict]]:
    """The whole request body (None when it exceeds ``limit`` bytes) and the messages read."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"", messages
        size += len(message.get("body", b""))
        if size > limit:
            return None, messages
        if not message.get("more_body"):
            return b"".join(m.get("body", b"") for m in messages), messages


def _replay(messages: list[dict], receive):
    """A ``receive`` that gives the messages read already, then the real ones (a disconnect)."""
    pending = list(messages)

    async def replayed() -> dict:
        return pending.pop(0) if pending else await receive()
    return replayed


async def _form_token(scope: dict, messages: list[dict], receive) -> str:
    """The ``csrf_token`` field of a form body ('' when the body is no form or cannot be read)."""
    request = Request(scope, _replay(messages, receive))
    form: FormData | None = None
    try:
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    except (HTTPException, ClientDisconnect, ValueError, KeyError, AssertionError):  # malformed, or cut off
        return ""
    finally:
        if form is not None:
            await form.close()


class AuthMiddleware:
    """Pure ASGI middleware: the session of each request (``request.state.user``, ``.csrf_token``), the CSRF
    check of change-making requests, the role of the route asked for, and the session cookie."""

    def __init__(self, app, auth: Auth, error: Callable[[Request, int, str], Response]) -> None:
        self.app = app
        self.auth = auth
        self.error = error

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        auth = self.auth
        accounts = await run_in_threadpool(auth.accounts_exist)
        session = auth.read_cookie(Request(scope).cookies.get(COOKIE)) if accounts else {}
        user = await run_in_threadpool(auth.db.session_user, session["sid"], time.time()) \
            if session.get("sid") else None
        kept = {"csrf": session.get("csrf") or secrets.token_urlsafe(32), **({"sid": session["sid"]} if user else {})}
        state = scope.setdefault("state", {})
        state.update(user=user, csrf_token=kept["csrf"], session=dict(kept), accounts=accounts)
        match, needed = route_role(scope["app"].router.routes, scope)
        refusal = self._check_role(scope, user, accounts, needed if match is not Match.NONE else None,
                                   found=match is not Match.NONE)
        if refusal is None and match is Match.FULL and scope["method"] not in SAFE_METHODS:
            limit = MAX_FORM_BYTES if needed >= Role.editor else MAX_SMALL_FORM_BYTES
            receive, refusal = await self._check_csrf(scope, receive, kept["csrf"], limit)
        if refusal is not None:
            return await refusal(scope, receive, send)
        await self.app(scope, receive, self._sending(scope, send, session if accounts else None))

    async def _check_csrf(self, scope, receive, expected: str, limit: int):
        """``(receive, None)`` when the request carries the session's CSRF token (``receive`` replays the
        body read to find it, at most ``limit`` bytes), else ``(receive, the refusal)``."""
        request = Request(scope)
        declared = request.headers.get("content-length", "0")
        body, messages = (None, []) if not declared.isdigit() or int(declared) > limit else \
            await _read_body(receive, limit)  # (bounded also when the token comes as a header)
        receive = _replay(messages, receive)
        if body is None:
            return receive, self.error(request, 413, f"请求过大（最多 {limit:,} 字节）/ the request is too large "
                                                     f"(at most {limit:,} bytes)")
        given = request.headers.get("x-csrf-token", "") or await _form_token(scope, messages, receive)
        if not secrets.compare_digest(given.encode(), expected.encode()):
            return receive, self.error(request, 403, CSRF_REFUSED)
        return receive, None

    def _check_role(self, scope, user: User | None, accounts: bool, needed: Role | None, *,
                    found: bool) -> Response | None:
        """None when the user's role reaches ``needed`` (the route's), else the answer: the login page for an
        anonymous GET when accounts exist, a 403 otherwise. A path no route has needs a viewer (its 404)."""
        if not found:
            needed = Role.viewer if accounts else Role.anonymous  # (a 404 then, for those who may see pages)
        have = user.role if user else (Role.anonymous if accounts else Role.viewer)
        if needed is not None and have >= needed:
            return None
        request = Request(scope)
        if user is None and accounts and scope["method"] in SAFE_METHODS:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
        if needed is None:
            return self.error(request, 403, "该页面未设定权限 / this page has no role and is open to no one")
        if not accounts:
            return self.error(request, 403, "需要先建立账户：linkgraph users add NAME --role admin / this needs accounts "
                                            "(linkgraph users add NAME --role admin)")
        return self.error(request, 403, f"需要{needed.label}权限 / this needs the {needed.name} role")

    def _sending(self, scope, send, loaded: dict[str, str] | None):
        """``send``, adding the session cookie to the answer when the session changed (or is new)."""
        async def sending(message) -> None:
            state = scope["state"]
            if message["type"] == "http.response.start" and loaded is not None and state["session"] != loaded:
                header = self.auth.cookie_header(state["session"], scope.get("scheme") == "https")
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)
        return sending


# ---------------------------------------------------------------- login and logout

def login_form(request: Request, render: Callable[..., Response], *, status: int = 200, message: str = "") -> Response:
    return render(request, "login.html.j2", status=status, message=message,
                  next=local_path(request.query_params.get("next")))


async def login(request: Request, render: Callable[..., Response]) -> Response:
    """POST /login: sign in (a new session, a new CSRF token) and go to ``next`` on this site; a wrong
    name or password, or too many failures, is said on the login page."""
    auth: Auth = request.app.state.auth
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = local_path(str(form.get("next", "")))
    keys = ("address:" + client_address(request.scope),) + (("account:" + name,) if len(name) <= MAX_NAME else ())
    now = time.monotonic()
    wait = max(auth.throttle.wait(key, now) for key in keys)
    if wait:
        return render(request, "login.html.j2", status=429, next=target,
                      message=f"登录失败次数过多，请 {wait} 秒后再试 / too many failed logins: try again in {wait} s")
    for key in keys:  # counted as failed before the check (which waits on argon2): logins sent at once all count
        auth.throttle.fail(key, now)
    user = await run_in_threadpool(auth.db.check_login, name, password) if auth.accounts_exist() else None
    if user is None:
        return render(request, "login.html.j2", status=400, next=target,
                      message="账户名或密码错误，或账户已停用 / wrong name or password, or the account is disabled")
    for key in keys:
        auth.throttle.succeed(key)
    replaced, signed_in = request.state.session.get("sid"), request.state.user
    if replaced and signed_in is not None:  # the session this browser had ends too, not only its cookie
        await run_in_threadpool(auth.db.close_session, replaced, signed_in.name)
    session_id = await run_in_threadpool(auth.db.open_session, user, time.time())
    request.state.session = {"sid": session_id, "csrf": secrets.token_urlsafe(32)}
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """POST /logout: end the session here and in the user database, then show the login page."""
    auth: Auth = request.app.state.auth
    old = request.state.session.get("sid")
    if old and request.state.user is not None:
        await run_in_threadpool(auth.db.close_session, old, request.state.user.name)
    request.state.session = {"csrf": secrets.token_urlsafe(32)}
    return RedirectResponse("/login", status_code=303)
