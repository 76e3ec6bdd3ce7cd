"""Accounts of a team that shares one store: roles, names, passwords, login throttling and safe redirects.

Pure logic, no files and no clock of its own (the time is passed in): the user database on disk is
:mod:`linkgraph.userdb`, the web layer (sessions, CSRF, the role of every route) is :mod:`linkgraph.webauth`,
and ``linkgraph users`` (:mod:`linkgraph.cli`) is the command line over both.

Roles are ordered: anonymous < viewer < editor < admin. A viewer sees what ``serve`` shows (the map, the
saved queries, the report, the node pages); an editor also loads and reviews; an admin also manages accounts
and sources. Passwords are hashed with argon2id (argon2-cffi, its default, RFC 9106 low-memory parameters)
and are never kept, shown or logged in clear.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
"""Longest password accepted (argon2 takes any length; this only bounds the work one request can ask for)."""
MAX_NAME = 64
NAME = re.compile(r"[\w.\-]{1,%d}" % MAX_NAME)
"""An account name: 1-64 letters (Chinese too), digits, ``_``, ``.`` or ``-``: no spaces, no markup."""


class Role(enum.IntEnum):
    """Who may do what, in order: each role may do all that the roles below it may."""

    anonymous = 0
    viewer = 1
    editor = 2
    admin = 3

    @property
    def label(self) -> str:
        return {"anonymous": "匿名 anonymous", "viewer": "查看 viewer", "editor": "编辑 editor",
                "admin": "管理 admin"}[self.name]


ROLE_NAMES = ("viewer", "editor", "admin")
"""The roles an account may have (anonymous is nobody's)."""


@dataclass(frozen=True)
class User:
    """A signed-in user as the pages see it (``request.state.user``)."""

    name: str
    role: Role

    def may(self, needed: Role) -> bool:
        return self.role >= needed


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message is one line, Chinese first."""


def check_name(name: str) -> str:
    """``name`` normalized (NFC) when it can be an account name, else :class:`AccountError`.

    >>> check_name("zhang.san"), check_name("张三")
    ('zhang.san', '张三')
    """
    normal = unicodedata.normalize("NFC", name)
    if not NAME.fullmatch(normal):
        raise AccountError(f"账户名只能含字母、汉字、数字、_ . -（1-64 个）/ an account name is 1-64 letters, digits, "
                           f"'_', '.' or '-', not {name!r}")
    return normal


def check_role(role: str) -> Role:
    if role not in ROLE_NAMES:
        raise AccountError(f"角色应为 viewer、editor 或 admin / the role must be viewer, editor or admin, not {role!r}")
    return Role[role]


def check_password(password: str) -> str:
    """``password`` when it is long enough and not too long (the message never repeats it)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符 / the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"密码最多 {MAX_PASSWORD} 个字符 / the password may have at most {MAX_PASSWORD} characters")
    return password


_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with its own salt and parameters, as one string)."""
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from (argon2's constant-time check)."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def dummy_hash() -> str:
    """Checked against when a name has no account, so that an unknown name takes as long as a wrong password
    (made on first use: an argon2 hash costs a moment that importing this module should not)."""
    return hash_password("linkgraph: no such account")


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


# ---------------------------------------------------------------- login throttling

@dataclass
class Throttle:
    """Failed logins per key (an account name, or an address): after ``limit`` failures within ``window``
    seconds, the key waits ``lockout`` seconds before it may try again. Pure: every call is given the time.

    >>> t = Throttle(limit=2, window=60, lockout=30)
    >>> t.fail("a", 0); t.fail("a", 1); t.wait("a", 2), t.wait("a", 40), t.wait("b", 2)
    (29, 0, 0)
    """

    limit: int = 5
    window: float = 900.0
    lockout: float = 300.0
    most_keys: int = 100_000
    """Keys remembered at most: past it, those whose failures are all older than ``window`` are forgotten (a
    flood of made-up names cannot fill the memory with them)."""
    _failures: dict[str, deque] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def wait(self, key: str, now: float) -> int:
        """Seconds ``key`` must still wait (0: it may try now)."""
        times = self._recent(key, now)
        if len(times) < self.limit:
            return 0
        return max(0, int(times[-1] + self.lockout - now + 0.999))

    def fail(self, key: str, now: float) -> None:
        self._recent(key, now).append(now)
        if len(self._failures) > self.most_keys:
            for stale in [k for k, times in self._failures.items() if now - times[-1] > self.window]:
                del self._failures[stale]

    def __len__(self) -> int:
        return len(self._failures)

    def succeed(self, key: str) -> None:
        self._failures.pop(key, None)


# ---------------------------------------------------------------- redirects

def local_path(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site (``/map?x=1``), else ``default``: no scheme, no host, no
    ``//host`` or ``/\\host`` (which browsers read as another site), no control characters.

    >>> local_path("/map#focus=1"), local_path("//evil.example/"), local_path("https://evil.example"), local_path("/\\\\x")
    ('/map#focus=1', '/', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(unicodedata.category(c) == "Cc" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
