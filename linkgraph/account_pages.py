"""The admin's pages of ``linkgraph serve``: the accounts (list, add, disable, a new password) and the latest
entries of the audit log, in the browser; the same :class:`linkgraph.userdb.UserDB` operations as
``linkgraph users``, recorded with the admin's name. Their routes (admin only) are in the table of
:func:`linkgraph.serve.routes`; a change answers with a redirect to the list (a reload repeats nothing)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from linkgraph.accounts import MIN_PASSWORD, ROLE_NAMES, AccountError, Role, check_role
from linkgraph.webauth import actor
from visualizations.assets import ENVIRONMENT

DONE = {"add": "已新增账户 / added the account {}", "disable": "已停用账户 / disabled the account {}",
        "reset": "已为账户重设密码 / gave the account {} a new password"}
AUDIT_SHOWN = 100


def _show(request: Request, *, status: int = 200, message: str = "", error: bool = False) -> Response:
    db = request.app.state.auth.db
    accounts, audit = db.accounts(), db.audit(AUDIT_SHOWN)
    return request.app.state.render(request, "admin_users.html.j2", status=status, accounts=accounts, audit=audit,
                                    roles=[Role[r] for r in ROLE_NAMES], min_password=MIN_PASSWORD,
                                    message=message, error=error)


def _done(action: str, name: str) -> RedirectResponse:
    return RedirectResponse("/admin/users?" + urlencode({"done": action, "name": name}), status_code=303)


def users_page(request: Request) -> Response:
    """GET /admin/users: every account with its actions, the form to add one, the audit log (and what was just
    done, said only of an account that exists: a link from elsewhere cannot put its own words on the page)."""
    action, name = request.query_params.get("done", ""), request.query_params.get("name", "")
    done = action in DONE and request.app.state.auth.db.has(name)
    return _show(request, message=DONE[action].format(name) if done else "")


async def _change(request: Request, action: str, change) -> Response:
    """Run ``change(db, actor, form)`` in a thread (argon2 takes a moment); a refused change is said on the page."""
    form = await request.form()
    db = request.app.state.auth.db
    try:
        name = await run_in_threadpool(change, db, actor(request), form)
    except AccountError as err:
        refused = str(err)
    else:
        return _done(action, name)
    return await run_in_threadpool(lambda: _show(request, status=400, message=refused, error=True))


async def add_user(request: Request) -> Response:
    """POST /admin/users: add an account (name, role, password)."""
    def add(db, who: str, form) -> str:
        name = str(form.get("name", ""))
        db.add(who, name, check_role(str(form.get("role", ""))), str(form.get("password", "")))
        return name
    return await _change(request, "add", add)


async def disable_user(request: Request) -> Response:
    """POST /admin/users/{name}/disable: disable an account (its sessions end); not one's own."""
    name = request.path_params["name"]

    def disable(db, who: str, form) -> str:
        if name == who:
            raise AccountError("不能停用自己的账户 / you cannot disable your own account")
        db.disable(who, name)
        return name
    return await _change(request, "disable", disable)


async def reset_user(request: Request) -> Response:
    """POST /admin/users/{name}/reset: give an account a new password (and enable it)."""
    name = request.path_params["name"]

    def reset(db, who: str, form) -> str:
        db.reset(who, name, str(form.get("password", "")))
        return name
    return await _change(request, "reset", reset)


def user_href(name: str, action: str) -> str:
    """The address of an action on the account ``name`` (the name as one path segment).

    >>> user_href("张 三/x", "disable")
    '/admin/users/%E5%BC%A0%20%E4%B8%89%2Fx/disable'
    """
    return f"/admin/users/{quote(name, safe='')}/{action}"


ENVIRONMENT.filters["user_href"] = user_href
