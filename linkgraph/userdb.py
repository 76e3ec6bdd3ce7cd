"""The user database of a team: accounts, sessions and the audit log, in one SQLite file.

The file edge of :mod:`linkgraph.accounts` (which holds the rules). The database lives beside an embedded
store (``STORE.users.sqlite``) or in a file the admin names (``--users FILE``, needed with Neo4j). Every
change is one SQLite transaction (atomic, safe beside a running ``serve``), and every account change is
written to the audit log in the same transaction. The file and the session secret beside it
(``….secret``) are created readable by their owner only (0600); the secret is never printed.

Other parts of linkgraph write their own entries to the same audit log with :func:`record_audit`
(e.g. a load from the browser, a withdrawn source).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from linkgraph.accounts import (AccountError, Role, User, check_name, check_password, hash_password,
                                dummy_hash, password_matches)
from stores import is_server_spec

SESSION_HOURS = 8
"""A session ends this long after its login, whatever happens (the cookie says so too)."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL, changed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users(name), created TEXT NOT NULL,
    expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '');
"""


class UserDBError(AccountError):
    """The user database cannot be used as asked (missing, unreadable, secret too open)."""


def default_path(store: str, users: str | None = None) -> Path | None:
    """Where the user database of ``store`` is: ``users`` when given, else ``STORE.users.sqlite`` beside an
    embedded store; a Neo4j store has none unless the admin names one (None)."""
    if users:
        return Path(users)
    if is_server_spec(store):
        return None
    return Path(str(store) + ".users.sqlite")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only, unless it exists."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _digest(session_id: str) -> str:
    """Sessions are kept by the SHA-256 of their id: the file alone does not let anyone sign in."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class UserDB:
    """The user database file at ``path`` (opened per operation, so that ``serve`` and ``linkgraph users``
    can work on it at the same time)."""

    path: Path

    def exists(self) -> bool:
        return self.path.is_file()

    @contextlib.contextmanager
    def connect(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (committed when the block ends without an error); ``create``
        makes the file and its tables when missing, and is what every change asks for."""
        if not self.exists():
            if not create:
                raise UserDBError(f"没有用户数据库 / no user database at {self.path}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _private_file(self.path)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("BEGIN IMMEDIATE" if create else "BEGIN")  # a writer takes the lock at once
            if create:
                for statement in filter(str.strip, SCHEMA.split(";")):
                    connection.execute(statement)
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    # ------------------------------------------------------------ accounts

    def has_accounts(self) -> bool:
        """Whether any account exists (enabled or not): then ``serve`` asks everyone to sign in."""
        if not self.exists():
            return False
        with self.connect() as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'users'").fetchone():
                return False
            return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def has(self, name: str) -> bool:
        """Whether an account named ``name`` exists (enabled or not)."""
        return any(a["name"] == name for a in self.accounts())

    def add(self, actor: str, name: str, role: Role, password: str) -> None:
        name = check_name(name)
        digest = hash_password(check_password(password))
        with self.connect(create=True) as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"账户已存在 / the account {name!r} exists already")
            now = _now()
            db.execute("INSERT INTO users (name, role, hash, created, changed) VALUES (?, ?, ?, ?, ?)",
                       (name, role.name, digest, now, now))
            _audit(db, actor, "user.add", f"{name} ({role.name})")

    def accounts(self) -> list[dict]:
        """Every account: name, role, disabled, created, changed (never the hash)."""
        if not self.exists():
            return []
        with self.connect(create=True) as db:
            rows = db.execute("SELECT name, role, disabled, created, changed FROM users ORDER BY name").fetchall()
        return [{"name": n, "role": Role[r], "disabled": bool(d), "created": c, "changed": ch}
                for n, r, d, c, ch in rows]

    def _existing(self, db: sqlite3.Connection, name: str) -> str:
        name = check_name(name)
        if not db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"没有该账户 / no account named {name!r}")
        return name

    def disable(self, actor: str, name: str) -> None:
        """Disable ``name``: it can no longer sign in, and its open sessions end now."""
        with self.connect(create=True) as db:
            name = self._existing(db, name)
            db.execute("UPDATE users SET disabled = 1, changed = ? WHERE name = ?", (_now(), name))
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            _audit(db, actor, "user.disable", name)

    def reset(self, actor: str, name: str, password: str) -> None:
        """Give ``name`` a new password (and enable it again); its open sessions end now."""
        digest = hash_password(check_password(password))
        with self.connect(create=True) as db:
            name = self._existing(db, name)
            db.execute("UPDATE users SET hash = ?, disabled = 0, changed = ? WHERE name = ?", (digest, _now(), name))
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))
            _audit(db, actor, "user.reset", name)

    def check_login(self, name: str, password: str) -> User | None:
        """The user when ``name`` is an enabled account and ``password`` its password, else None; an
        unknown name costs the same argon2 check as a wrong password."""
        if not self.exists():
            password_matches(dummy_hash(), password)
            return None
        with self.connect(create=True) as db:
            row = db.execute("SELECT role, hash, disabled FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            password_matches(dummy_hash(), password)
            return None
        role, digest, disabled = row
        if not password_matches(digest, password) or disabled:
            return None
        return User(name, Role[role])

    # ------------------------------------------------------------ sessions

    def open_session(self, user: User, now: float) -> str:
        """A new session of ``user`` (its id, to go in the signed cookie), valid :data:`SESSION_HOURS`."""
        session_id = secrets.token_urlsafe(32)
        with self.connect(create=True) as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            db.execute("INSERT INTO sessions (digest, name, created, expires) VALUES (?, ?, ?, ?)",
                       (_digest(session_id), user.name, _now(), now + SESSION_HOURS * 3600))
            _audit(db, user.name, "login", "")
        return session_id

    def session_user(self, session_id: str, now: float) -> User | None:
        """The enabled user whose unexpired session ``session_id`` is, else None."""
        if not self.exists():
            return None
        with self.connect() as db:
            row = db.execute("SELECT u.name, u.role FROM sessions s JOIN users u ON u.name = s.name "
                             "WHERE s.digest = ? AND s.expires >= ? AND u.disabled = 0",
                             (_digest(session_id), now)).fetchone()
        return User(row[0], Role[row[1]]) if row else None

    def close_session(self, session_id: str, actor: str) -> None:
        with self.connect(create=True) as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session_id),))
            _audit(db, actor, "logout", "")

    # ------------------------------------------------------------ audit

    def audit(self, limit: int = 200) -> list[dict]:
        """The latest audit entries, newest first."""
        if not self.exists():
            return []
        with self.connect(create=True) as db:
            rows = db.execute("SELECT at, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?",
                              (limit,)).fetchall()
        return [{"at": a, "actor": w, "action": x, "detail": d} for a, w, x, d in rows]

    # ------------------------------------------------------------ the session secret

    @property
    def secret_path(self) -> Path:
        return self.path.with_name(self.path.name + ".secret")

    def secret(self) -> str:
        """The key that signs session cookies: made once (random, 256 bits), kept beside the database,
        readable by its owner only; a secret file others may read is refused."""
        path = self.secret_path
        _private_file(path)
        mode = path.stat().st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise UserDBError(f"会话密钥文件权限过宽，请执行 chmod 600 / the session secret may be read by others: "
                              f"chmod 600 {path}")
        text = path.read_text(encoding="ascii").strip()
        if not text:
            text = secrets.token_hex(32)
            path.write_text(text + "\n", encoding="ascii")
        return text


def _audit(db: sqlite3.Connection, actor: str, action: str, detail: str) -> None:
    db.execute("INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)", (_now(), actor, action, detail))


def record_audit(db: UserDB, actor: str, action: str, detail: str) -> None:
    """Add an entry to ``db``'s audit log: who (an account name, or ``cli:USER``), what (a short dotted
    verb such as ``load`` or ``source.withdraw``) and its detail (a file name, counts; never a secret)."""
    with db.connect(create=True) as connection:
        _audit(connection, actor, action, detail)
