"""The audit log: every load, withdrawal and upload, who did it, when, what and how much.

One small interface (:class:`Audit`: ``record`` and ``entries``) so that the log can live where the team's
other records live. The default, :class:`JsonLinesAudit`, appends one JSON object a line to a file beside
the embedded store (``STORE.audit.jsonl``) or, for Neo4j, to ``$LINKGRAPH_AUDIT_FILE`` (default
``audit.jsonl`` in :func:`state_folder`); appends are serialized with an exclusive lock on the
file, so that two writers' lines never interleave. A line that cannot be read (a file cut short by a kill)
is skipped, never fatal.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import json
import os
from pathlib import Path
from typing import Any, Mapping, Protocol

AUDIT_SUFFIX = ".audit.jsonl"


class Audit(Protocol):
    """Where the audit entries go."""

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> None:
        """Add one entry: who (``actor``), what (``action``: ``load``, ``withdraw``, …) and its ``detail``."""

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The entries, newest first (at most ``limit``)."""


class JsonLinesAudit:
    """An :class:`Audit` kept as JSON lines in the file ``path``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> None:
        entry = {"at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "actor": actor,
                 "action": action, "detail": dict(detail)}
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            entry = _entry(line)
            if entry is not None:
                found.append(entry)
        found.reverse()
        return found[:limit] if limit is not None else found


def _entry(line: str) -> dict[str, Any] | None:
    """One line of the log as an entry, or None for a line that is no entry (cut short)."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and {"at", "actor", "action"} <= entry.keys() else None


class TeamAudit:
    """An :class:`Audit` that also writes each entry into the team's user database, when the store has one
    (its audit table, beside the account changes: ``linkgraph.userdb.record_audit``), as done from the command
    line (``cli:NAME``) and named ``source.ACTION``; it reads back the JSON lines."""

    def __init__(self, lines: JsonLinesAudit, users: Path | None):
        self.lines, self.users = lines, users

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> None:
        self.lines.record(actor, action, detail)
        if self.users is not None and self.users.exists():
            from linkgraph.userdb import UserDB, record_audit

            record_audit(UserDB(self.users), f"cli:{actor}", f"source.{action}",
                         json.dumps(dict(detail), ensure_ascii=False, default=str))

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        return self.lines.entries(limit)


def audit_for(store: str, *, team: bool = True) -> Audit:
    """The default audit log of ``store``: JSON lines beside an embedded store file, or in
    ``$LINKGRAPH_AUDIT_FILE`` for Neo4j; with ``team``, also the team's user database beside an embedded store
    when it exists (``serve``'s pages record their own entries there, with the account, and pass ``team=False``)."""
    from stores import is_server_spec

    if is_server_spec(store):
        return JsonLinesAudit(os.environ.get("LINKGRAPH_AUDIT_FILE") or state_folder() / "audit.jsonl")
    path = Path(store)
    lines = JsonLinesAudit(path.with_name(path.name + AUDIT_SUFFIX))
    if not team:
        return lines
    from linkgraph.userdb import default_path

    return TeamAudit(lines, default_path(store, None))


def state_folder() -> Path:
    """Where linkgraph keeps a Neo4j store's team files by default (``$XDG_STATE_HOME/linkgraph``, or
    ``~/.local/state/linkgraph``), made if missing."""
    folder = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "linkgraph"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def os_user() -> str:
    """The operating system's name of the user running linkgraph: who loads, unless told (``load --as``)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
