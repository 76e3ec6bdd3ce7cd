"""What a store argument names, and why a connection to Neo4j failed, in words a user can act on.

A store argument is either the path of an embedded store or a Neo4j URI:
``bolt://``, ``bolt+s://``, ``bolt+ssc://``, ``neo4j://``, ``neo4j+s://`` or
``neo4j+ssc://``. Anything that looks like an address but is not one of these
(the Browser's ``http://127.0.0.1:7474``, ``bolt:/127.0.0.1:7687``,
``neo4j:127.0.0.1``, ``127.0.0.1:7687``) is refused with a hint, never taken
for a file name. A URI that carries a user and password is refused too, and
the message does not repeat the password: they come from ``NEO4J_USER`` and
``NEO4J_PASSWORD``.

A failed connection says which of three things went wrong: the server is down
or unreachable, it refused the login, or the database does not exist. All
three are faults of the environment, not of the input: their ``exit_code`` is
1, where a bad store argument's is 2.

>>> parse_store_spec("bolt://127.0.0.1:7687")
StoreSpec(backend='neo4j', location='bolt://127.0.0.1:7687')
>>> parse_store_spec("output/jia.lbug")
StoreSpec(backend='embedded', location='output/jia.lbug')
>>> parse_store_spec("http://127.0.0.1:7474")
Traceback (most recent call last):
...
stores.connection.StoreSpecError: 不是 Bolt 地址，7474 是 Neo4j 浏览器（HTTP）的端口 / http://127.0.0.1:7474 is not a Bolt address: 7474 is the port of Neo4j Browser (HTTP) (提示 hint: 请改用 / use bolt://127.0.0.1:7687)
"""

from __future__ import annotations

import os
import stat
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from typing import TYPE_CHECKING, Callable

from stores.base import StoreError
from stores.masking import MASK, PLAIN_AUTHORITY, decoded, redact, redact_text

if TYPE_CHECKING:  # the driver is imported when a connection is made, so that commands on files start at once
    import neo4j

SERVER_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
BOLT_PORT = 7687
HTTP_PORTS = (7474, 7473)

# The driver's settings for every connection: no notifications (the server would
# send one per deprecation or unbounded pattern, and the driver log them as warnings).
DRIVER_SETTINGS = {"notifications_min_severity": "OFF", "warn_notification_severity": None,
                   "connection_timeout": 15.0,
                   # how long a managed transaction is retried (a cluster's leader may move): long enough for
                   # that, short enough that a stopped server is said at once rather than after 30 s
                   "max_transaction_retry_time": float(os.environ.get("LINKGRAPH_NEO4J_RETRY_SECONDS", "10"))}

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.S)
# A known scheme followed by a colon or slashes but not "://": a mistyped URI.
_MISTYPED = re.compile(r"^(?P<scheme>(?:bolt|neo4j)(?:\+ssc|\+s)?|https?)(?::/?|//+)(?P<rest>[^/].*)$", re.I | re.S)
# host:port without a scheme
_OS_REASON = re.compile(r"\(reason (\[Errno [^]]*\][^)]*)\)")
_HOST_PORT = re.compile(r"^(?P<host>localhost|[0-9.]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):(?P<port>\d{1,5})/?$")

LOGIN_HINT = ("把 NEO4J_PASSWORD（及 NEO4J_USER，默认 neo4j）设为服务器的密码 / "
              "set NEO4J_PASSWORD (and NEO4J_USER, default neo4j) to the server's password; for the local server "
              "of scripts/neo4j that is the password it was first started with, or start afresh with "
              "scripts/neo4j reset (deletes its data)")


class StoreSpecError(StoreError):
    """The store argument is neither a path nor a Neo4j URI linkgraph accepts (bad input)."""

    exit_code = 2


class StoreUnavailable(StoreError):
    """The store exists in the argument but cannot be used now (the environment's fault)."""

    exit_code = 1


def wait_for_writer(take: "Callable[[], bool]", holder: "Callable[[], str]", where: str, timeout: float,
                    waiting: "Callable[[str], None] | None" = None) -> None:
    """Call ``take`` until it takes the store's writer lock (or lease), every 0.2 s for up to ``timeout`` seconds;
    ``waiting`` is told once, naming the ``holder``; then :class:`StoreUnavailable` names who holds it."""
    deadline = time.monotonic() + timeout
    while not take():
        current = holder()
        if waiting is not None:
            waiting(f"另一个写入正在进行，等待中 / {where} is being written by {current}; waiting up to {timeout:g} s")
            waiting = None
        if time.monotonic() >= deadline:
            raise StoreUnavailable(f"另一个进程正在写入该数据库 / {where} is being written by {current} (提示 hint: 等它写完，"
                                   f"或调大 LINKGRAPH_LOCK_TIMEOUT / wait for it to finish, or raise "
                                   f"LINKGRAPH_LOCK_TIMEOUT, now {timeout:g} s)")
        time.sleep(0.2)


class ServerUnreachable(StoreUnavailable):
    """Nothing answers Bolt at the address: server down, wrong host or port, network."""


class LoginRefused(StoreUnavailable):
    """The server refused the user and password (or none was given)."""


class DatabaseMissing(StoreUnavailable):
    """The server has no database of that name (``NEO4J_DATABASE``)."""


@dataclass(frozen=True)
class StoreSpec:
    """A checked store argument: ``backend`` is ``embedded`` (``location`` a path) or ``neo4j`` (a URI)."""

    backend: str
    location: str


def parse_store_spec(spec: str | os.PathLike[str]) -> StoreSpec:
    """What ``spec`` names; raises :class:`StoreSpecError` with a hint when it is no store.

    A :class:`~os.PathLike` is always a path; a string is a Neo4j URI when it
    has one of :data:`SERVER_SCHEMES`, an error when it looks like any other
    address, and otherwise a path.
    """
    if isinstance(spec, os.PathLike):
        return StoreSpec("embedded", os.fspath(spec))
    text = spec.strip()
    if not text:
        raise StoreSpecError("未指定数据库 / no store given (提示 hint: 数据库文件或 Neo4j 地址 / a file such as "
                             "linkgraph.lbug, or bolt://127.0.0.1:7687)")
    url = _URL.match(text)
    if url:
        return StoreSpec("neo4j", _server_uri(text, url["scheme"].lower(), url["rest"]))
    mistyped = _MISTYPED.match(text)
    if mistyped:
        scheme = mistyped["scheme"].lower()
        if scheme.startswith("http"):
            return StoreSpec("neo4j", _server_uri(text, scheme, mistyped["rest"]))  # raises with the HTTP hint
        raise StoreSpecError(f"地址格式不对 / {redact(text)} is not a valid URI "
                             f"(提示 hint: 是否应为 / did you mean {redact(f'{scheme}://' + mistyped['rest'])}?)")
    host_port = _HOST_PORT.match(text)
    if redact(text) != text:  # user:password@host:port, without a scheme
        raise StoreSpecError(f"这像是服务器地址，不是文件 / {redact(text)} looks like a server address, not a file "
                             "(提示 hint: 请用 Neo4j 地址，用户名和密码放在 NEO4J_USER 和 NEO4J_PASSWORD / a Neo4j URI "
                             "such as bolt://127.0.0.1:7687, with the user and password in NEO4J_USER and "
                             "NEO4J_PASSWORD)")
    if host_port:
        raise StoreSpecError(f"这像是服务器地址，不是文件 / {text} looks like a server address, not a file "
                             f"(提示 hint: {_bolt_hint(host_port['host'], int(host_port['port']))})")
    return StoreSpec("embedded", spec)


_SPECIAL_FILES = ((stat.S_ISDIR, "目录", "a folder"), (stat.S_ISCHR, "设备", "a device"),
                  (stat.S_ISBLK, "设备", "a device"), (stat.S_ISFIFO, "命名管道", "a FIFO (named pipe)"),
                  (stat.S_ISSOCK, "套接字", "a socket"))


def not_a_store_file(path: str | os.PathLike[str]) -> str | None:
    """Why an embedded store cannot be at ``path``, which exists but is no regular file (a folder, a device such
    as ``/dev/null``, a FIFO, a socket), or None (a regular file, or nothing yet: a load creates it). Asked
    before anything is opened or created beside it: LadybugDB waits forever on a FIFO, and a writer's lock
    file would be left beside ``/dev/null``."""
    if not os.path.exists(path):
        return None
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode):
        return None
    chinese, english = next(((zh, en) for test, zh, en in _SPECIAL_FILES if test(mode)), ("特殊文件", "a special file"))
    return (f"不是数据库文件: {path} 是{chinese} / not a store file: {path} is {english} "
            "(提示 hint: 请给出 linkgraph 生成的 .lbug 文件或新的文件路径 / give a .lbug file written by linkgraph, "
            "or the path of a new file)")


def _bolt_hint(host: str, port: int | None) -> str:
    bolt_port = BOLT_PORT if port in (None, *HTTP_PORTS) else port
    return f"请改用 / use bolt://{host}:{bolt_port}"


def _server_uri(text: str, scheme: str, rest: str) -> str:
    """The URI to give the driver, or :class:`StoreSpecError` saying what is wrong with it."""
    shown = redact(text)
    if scheme not in (*SERVER_SCHEMES, "http", "https"):
        schemes = ", ".join(s + "://" for s in SERVER_SCHEMES)
        raise StoreSpecError(f"不支持的地址 / {shown}: unknown scheme {scheme}:// (提示 hint: 给出文件路径，或以下列开头的"
                             f"地址 / a file path, or a URI starting with {schemes})")
    if rest.startswith("/"):
        raise StoreSpecError(f"地址格式不对 / {shown} is not a valid URI "
                             f"(提示 hint: 是否应为 / did you mean {redact(f'{scheme}://' + rest.lstrip('/'))}?)")
    if "@" in decoded(rest):  # also %40, %2540, \u0040, &#64;, ＠
        raise StoreSpecError(f"地址中不能含用户名和密码 / {shown}: credentials in the store URI are refused "
                             "(提示 hint: 用户名和密码放在 NEO4J_USER 和 NEO4J_PASSWORD / give the user and password in "
                             "NEO4J_USER and NEO4J_PASSWORD)")
    parts = urlsplit(f"{scheme}://{rest}")
    authority = PLAIN_AUTHORITY.fullmatch(parts.netloc)
    if not authority or int(authority["port"] or 0) > 65535:
        # (the reason is not repeated: what stands where a host or a port should be may be a password)
        raise StoreSpecError(f"地址格式不对：主机须为名称或地址，端口须为数字 / {shown} is not a valid URI: the host "
                             f"must be a name or an address and the port a number up to 65535 "
                             f"(提示 hint: 例如 e.g. bolt://127.0.0.1:{BOLT_PORT})")
    host, port = parts.hostname or "127.0.0.1", int(authority["port"]) if authority["port"] else None
    if scheme in ("http", "https"):
        zh, en = ((f"{port} 是 Neo4j 浏览器（HTTP）的端口", f"{port} is the port of Neo4j Browser (HTTP)")
                  if port in HTTP_PORTS else ("linkgraph 通过 Bolt 连接 Neo4j", "linkgraph talks to Neo4j over Bolt"))
        raise StoreSpecError(f"不是 Bolt 地址，{zh} / {shown} is not a Bolt address: {en} "
                             f"(提示 hint: {_bolt_hint(host, port)})")
    if parts.fragment or rest.endswith("#"):
        raise StoreSpecError(f"地址不应含 # 部分 / {shown}: a Neo4j URI has no #fragment (提示 hint: 密码放在 "
                             "NEO4J_PASSWORD，数据库名放在 NEO4J_DATABASE / the password goes in NEO4J_PASSWORD, the "
                             "database in NEO4J_DATABASE)")
    if "?" in rest and not scheme.startswith("neo4j"):
        raise StoreSpecError(f"{scheme}:// 地址不接受 ? 参数 / {shown}: a {scheme}:// URI takes no ?parameters "
                             "(提示 hint: 路由参数只用于 neo4j:// 地址，密码放在 NEO4J_PASSWORD / routing context is for "
                             "neo4j:// URIs; the password goes in NEO4J_PASSWORD)")
    if parts.path not in ("", "/"):
        raise StoreSpecError(f"地址不应含路径 / {shown}: a Neo4j URI has no path "
                             "(提示 hint: 用 NEO4J_DATABASE 选择数据库，默认 neo4j / choose the database with "
                             "NEO4J_DATABASE, default neo4j)")
    return f"{scheme}://{rest}"


def connect(uri: str, user: str, password: str | None, database: str) -> "neo4j.Driver":
    """A driver for ``uri`` that has logged in and found ``database``.

    Raises :class:`StoreSpecError` for a bad URI and a :class:`StoreUnavailable`
    (:class:`ServerUnreachable`, :class:`LoginRefused`, :class:`DatabaseMissing`)
    when the server cannot be used; no message contains the password.
    """
    import neo4j
    from neo4j.exceptions import ConfigurationError

    spec = parse_store_spec(uri)
    if spec.backend != "neo4j":
        raise StoreSpecError(f"不是 Neo4j 地址 / {redact(uri)} is not a Neo4j URI "
                             f"(提示 hint: 例如 e.g. bolt://127.0.0.1:{BOLT_PORT})")
    uri = spec.location
    if not password:
        raise LoginRefused(f"请设置环境变量 NEO4J_PASSWORD / no password for Neo4j at {redact(uri)} "
                           f"(提示 hint: {LOGIN_HINT})")
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), **DRIVER_SETTINGS)
    except (ConfigurationError, ValueError) as err:
        raise StoreSpecError(f"Neo4j 驱动不接受该地址 / {redact(uri)} is not a URI the Neo4j driver accepts: "
                             f"{_reason(err, uri)}") from None
    try:
        driver.verify_connectivity()
        # Beginning a transaction is where the server says whether the database exists.
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            session.begin_transaction().close()
    except Exception as err:  # noqa: BLE001 (every failure becomes one of the three)
        driver.close()
        raise connection_error(err, uri, user, database) from None
    return driver


def connection_error(err: BaseException, uri: str, user: str, database: str) -> StoreError:
    """The error to raise for ``err``, a failure of connecting to ``uri``."""
    from neo4j.exceptions import AuthError, Neo4jError

    code = getattr(err, "code", None) or ""
    reason, uri = _reason(err, uri), redact(uri)
    if isinstance(err, AuthError) or ".Security." in code:
        return LoginRefused(f"用户名或密码不对 / Neo4j at {uri} refused the login of user {user!r}: {reason} "
                            f"(提示 hint: {LOGIN_HINT})")
    if code.endswith("Database.DatabaseNotFound"):
        return DatabaseMissing(f"数据库不存在 / Neo4j at {uri} has no database {database!r} "
                               "(提示 hint: 将 NEO4J_DATABASE 设为已有的数据库，默认 neo4j / set NEO4J_DATABASE to an "
                               "existing database, default neo4j; SHOW DATABASES lists them)")
    if isinstance(err, Neo4jError):
        return StoreUnavailable(f"Neo4j 拒绝连接 / Neo4j at {uri} refused the connection: {reason}")
    return ServerUnreachable(f"无法连接 Neo4j / cannot reach Neo4j at {uri}: {reason} "
                             "(提示 hint: 服务器是否在运行？本机的服务器用 scripts/neo4j start 启动；请核对主机和 Bolt 端口 / "
                             "is the server running? start the local one with scripts/neo4j start; "
                             f"check the host and the Bolt port, {BOLT_PORT} by default)")


def _reason(err: BaseException, uri: str) -> str:
    """The server's message, or the operating system's reason the driver reports last, with ``uri``'s
    query (a neo4j:// routing context, which may hold anything) masked wherever the driver repeated it."""
    text = getattr(err, "message", None) or str(err) or type(err).__name__
    why = _OS_REASON.search(text)
    reason = why[1] if why else text.strip().splitlines()[0].rstrip(":")
    query = urlsplit(uri).query
    for shown in filter(None, (query, decoded(query))):
        reason = reason.replace(shown, MASK)
    return redact_text(reason)
