"""``linkgraph serve`` for a team, over real HTTP: every route of the app and who may reach it, CSRF tokens on
every change-making route, sessions (fixation, cookie flags, TLS, logout), login throttling, redirects that
stay on the site, ``--host`` beyond this machine, and no password in any output. Both stores where the store
matters (the route table and the CSRF check run over each)."""

from __future__ import annotations

import contextlib
import http.client
import re
import ssl
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pytest
from starlette.routing import Route

from linkgraph import pipeline
from linkgraph.accounts import Role
from linkgraph.userdb import UserDB
from linkgraph.webauth import CSRF_REFUSED, RoleRoute
from tests.conftest import EXAMPLE, quick_password_hashes, unavailable
from tests.test_serve import jia_store  # noqa: F401 (a fixture)
from tests.test_serve import running as serving

PASSWORD = {"viewer": "viewer-密码-0001", "editor": "editor-密码-0002", "admin": "admin-密码-0003"}
NAMES = {"viewer": "小王", "editor": "小李", "admin": "老张"}
ROLES = [Role.anonymous, Role.viewer, Role.editor, Role.admin]
# a concrete address for each route with parameters (others get "x" for each parameter: a 404 is still reached)
EXAMPLES = {"/queries/{name}": "/queries/kind_counts", "/report/{name}": "/report/report.html",
            "/nodes/{node_id:path}": "/nodes/610828105236"}


def team_db(path: Path) -> UserDB:
    db = UserDB(path)
    for role, name in NAMES.items():
        db.add("test", name, Role[role], PASSWORD[role])
    return db


@pytest.fixture
def users(tmp_path) -> Path:
    """A user database (in the test's folder) with a viewer, an editor and an admin."""
    return team_db(tmp_path / "users.sqlite").path


def running(store: str | Path, cache: Path, users: Path | None):
    """The app over ``store`` with the user database ``users``, served on a free port of 127.0.0.1."""
    return serving(store, cache, users=users)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


_ADDRESSES = iter(range(1, 1 << 24))


@dataclass
class Client:
    """One browser's worth of cookies against one site; never follows redirects (the tests look at them).
    Each client comes from an address of its own (``X-Forwarded-For``, trusted from 127.0.0.1 as from a
    proxy there), so that the failed logins some tests make on purpose lock no other test out."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    context: ssl.SSLContext | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        number = next(_ADDRESSES)
        self.headers.setdefault("X-Forwarded-For", f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}")

    def request(self, method: str, target: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None, body: bytes | None = None) -> Answer:
        parts = urllib.parse.urlsplit(self.base)
        connection = (http.client.HTTPSConnection(parts.hostname, parts.port, timeout=60, context=self.context)
                      if parts.scheme == "https" else http.client.HTTPConnection(parts.hostname, parts.port, timeout=60))
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, target, body=body, headers=sent)
        response = connection.getresponse()
        answer = Answer(response.status, response.headers, response.read().decode("utf-8", "replace"))
        connection.close()
        for line in answer.headers.get_all("Set-Cookie") or []:
            name, value = line.split(";")[0].split("=", 1)
            self.cookies[name] = value
        return answer

    def get(self, target: str, **kwargs) -> Answer:
        return self.request("GET", target, **kwargs)

    def token(self, target: str = "/login") -> str:
        """The CSRF token in the forms of the page at ``target``."""
        page = self.get(target)
        found = re.search(r'name="csrf_token" value="([^"]*)"', page.body)
        assert found, (target, page.status, page.body[:300])
        return found[1]

    def login(self, name: str, password: str, next_: str = "/") -> Answer:
        return self.request("POST", "/login", form={"csrf_token": self.token(), "name": name, "password": password,
                                                    "next": next_})


def signed_in(base: str, role: Role, **kwargs) -> Client:
    client = Client(base, **kwargs)
    if role is not Role.anonymous:
        answer = client.login(NAMES[role.name], PASSWORD[role.name])
        assert answer.status == 303 and answer.location == "/", (answer.status, answer.body[:300])
    return client


def load_store(kind: str, tmp_path_factory, request) -> str:
    """The Jia County example in a store of ``kind`` (the Neo4j test server is emptied first)."""
    if kind == "embedded":
        path = tmp_path_factory.mktemp("team") / "jia.lbug"
        pipeline.load([EXAMPLE / "case.yaml"], str(path), replace=True)
        return str(path)
    uri = request.getfixturevalue("neo4j_uri")
    from stores.base import StoreError

    try:
        pipeline.load([EXAMPLE / "case.yaml"], uri, replace=True)
    except StoreError as err:
        unavailable(str(err))
    return uri


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def team(request, tmp_path_factory):
    """A served Jia County store with a viewer, an editor and an admin; the user database beside an embedded
    store, or a file the admin names with Neo4j. Yields the address and the app. Its tests sign in hundreds of
    times to check what each role reaches: its accounts are made at argon2's lowest cost (quick_password_hashes);
    the throttle's tests use the ``users`` fixture, at the real cost."""
    store = load_store(request.param, tmp_path_factory, request)
    folder = tmp_path_factory.mktemp("users")
    users = Path(store + ".users.sqlite") if request.param == "embedded" else folder / "team.sqlite"
    with quick_password_hashes():
        team_db(users)
    with running(store, folder / "cache", users) as (url, app):
        yield url, app


def every_route(app) -> list[tuple[str, str, Role | None]]:
    """``(method, an address, role)`` of every route of the app, from its router (HEAD goes with GET)."""
    found = []
    for route in app.router.routes:
        assert isinstance(route, Route), route
        address = EXAMPLES.get(route.path) or re.sub(r"\{[^}]+\}", "x", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, address, getattr(route, "role", None)))
    return found


def reached(answer: Answer) -> bool:
    """Whether a request got past the role check: not refused (403) nor sent to the login page."""
    return answer.status != 403 and not (answer.status == 303 and answer.location.startswith("/login?next="))


def ask(base: str, role: Role, method: str, address: str, sessions: dict[Role, Client] | None = None) -> Answer:
    """``method address`` as a user of ``role`` (reading in the session kept in ``sessions``, changing in a new
    one: /logout ends it), with the session's CSRF token, so that only the role decides."""
    if method in ("GET", "HEAD"):
        client = sessions.setdefault(role, signed_in(base, role)) if sessions is not None else signed_in(base, role)
        return client.request(method, address)
    client = signed_in(base, role)
    return client.request(method, address, form={"csrf_token": client.token("/login" if role is Role.anonymous
                                                                             else "/")})


def test_every_route_of_the_app_has_a_role(team):
    url, app = team
    routes = app.router.routes
    assert routes and all(isinstance(r, RoleRoute) and isinstance(r.role, Role) for r in routes), \
        [r.path for r in routes if not isinstance(r, RoleRoute)]
    # the pages of serve as it was, for viewers; only the login and logout are open to anonymous visitors
    assert {(m, a) for m, a, r in every_route(app) if r is Role.anonymous} == {
        ("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}


def test_each_role_reaches_exactly_the_routes_its_role_allows(team):
    url, app = team
    sessions: dict[Role, Client] = {}
    for method, address, role in every_route(app):
        for who in ROLES:
            answer = ask(url, who, method, address, sessions)
            assert reached(answer) == (who >= role), (who.name, method, address, answer.status)
            if not reached(answer) and who is Role.anonymous and method == "GET":
                assert answer.location == "/login?next=" + urllib.parse.quote(address, safe="")


def test_a_route_without_a_role_is_refused_to_everyone_and_found_by_the_listing(jia_store, tmp_path, users):
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        app.router.routes.append(Route("/unguarded", lambda request: None, methods=["GET"]))
        assert ("GET", "/unguarded", None) in every_route(app)
        for who in ROLES:
            assert not reached(ask(url, who, "GET", "/unguarded")), who


def test_without_accounts_serve_is_open_on_this_machine_and_refuses_what_needs_a_role_above_viewer(jia_store, tmp_path):
    with running(jia_store, tmp_path / "cache", tmp_path / "none.sqlite") as (url, app):
        client = Client(url)
        for method, address, role in every_route(app):
            if method != "GET":
                continue
            answer = client.get(address)
            assert reached(answer) == (role <= Role.viewer), (address, answer.status)
        assert client.get("/").status == 200 and client.cookies == {}  # no login, no cookie
        assert client.get("/login").location == "/"
        assert not (tmp_path / "none.sqlite").exists()  # and nothing written beside the store


def test_every_change_making_route_refuses_a_request_without_a_valid_csrf_token(team):
    url, app = team
    changing = [(m, a) for m, a, r in every_route(app) if m not in ("GET", "HEAD", "OPTIONS")]
    assert ("POST", "/login") in changing and ("POST", "/logout") in changing
    other = signed_in(url, Role.viewer).token("/")  # another session's token
    for method, address in changing:
        for form in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}, {"csrf_token": other}):
            client = signed_in(url, Role.admin)
            answer = client.request(method, address, form=form)
            assert answer.status == 403 and CSRF_REFUSED.split(" / ")[0] in answer.body, (address, form)
            assert "/admin/users" in client.get("/").body  # the admin is still signed in: nothing happened
        client = signed_in(url, Role.admin)
        multipart = (b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nforged\r\n--b--\r\n")
        answer = client.request(method, address, body=multipart,
                                headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert answer.status == 403, address
        answer = client.request(method, address, form={"csrf_token": client.token("/")})
        assert answer.status != 403, (address, answer.body[:200])


def test_a_login_makes_a_new_session_and_a_logout_ends_it(team):
    url, app = team
    client = Client(url)
    client.token()
    before = dict(client.cookies)
    assert client.login(NAMES["editor"], PASSWORD["editor"]).status == 303
    after = dict(client.cookies)
    assert after["linkgraph_session"] != before["linkgraph_session"]
    planted = Client(url, cookies=before)  # the cookie someone had before the login signs nobody in
    assert planted.get("/").location == "/login?next=%2F"
    thief = Client(url, cookies=dict(after))
    assert thief.get("/").status == 200  # (the same cookie, while the session lasts)
    assert client.request("POST", "/logout", form={"csrf_token": client.token("/")}).location == "/login"
    assert thief.get("/").location == "/login?next=%2F"  # ended in the user database, not only in the browser
    forged = Client(url, cookies={"linkgraph_session": after["linkgraph_session"][:-4] + "AAAA"})
    assert forged.get("/").status == 303


def test_disabling_an_account_ends_its_sessions(jia_store, tmp_path, users):
    db = UserDB(users)
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        client = signed_in(url, Role.viewer)
        assert client.get("/map").status == 200
        db.disable("test", NAMES["viewer"])
        assert client.get("/map").status == 303
        assert Client(url).login(NAMES["viewer"], PASSWORD["viewer"]).status == 400


def cookie_attributes(answer: Answer) -> set[str]:
    line = next(v for v in answer.headers.get_all("Set-Cookie") if v.startswith("linkgraph_session="))
    return {part.strip().lower() for part in line.split(";")[1:]}


def test_session_cookies_are_httponly_samesite_strict_and_expire(team):
    url, app = team
    answer = Client(url).login(NAMES["viewer"], PASSWORD["viewer"])
    flags = cookie_attributes(answer)
    assert {"httponly", "samesite=strict", "path=/", "max-age=28800"} <= flags and "secure" not in flags
    assert "Strict-Transport-Security" not in answer.headers  # (over plain http it would mean nothing)


def test_behind_a_tls_proxy_the_cookie_is_secure(jia_store, tmp_path, users):
    with running(jia_store, tmp_path / "cache", users) as (url, app):  # the proxy is on 127.0.0.1: trusted
        client = Client(url, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        client.token()
        answer = client.request("POST", "/login", form={"csrf_token": client.token(), "name": NAMES["viewer"],
                                                        "password": PASSWORD["viewer"]})
        assert answer.status == 303 and "secure" in cookie_attributes(answer)


def self_signed(folder: Path, names: Sequence[str] = ()) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and the host ``names``) and its key, made here (the ``cryptography``
    package)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "linkgraph test")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                               *map(x509.DNSName, names)]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    private.chmod(0o600)
    return cert, private


@contextlib.contextmanager
def serve_process(*arguments: str):
    """``linkgraph serve`` as an admin starts it; yields the address it prints and the process (whose output
    the caller may read after it ends; its first line is ``process.ready``)."""
    process = subprocess.Popen([sys.executable, "-m", "linkgraph", "serve", "--port", "0", *arguments],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        line = process.ready = process.stdout.readline()
        address = re.search(r"https?://[^/ ]+:\d+", line)
        assert address, (line, process.stderr.read() if process.poll() is not None else "")
        yield address[0], process
    finally:
        process.terminate()
        process.wait(20)


def test_served_over_tls_the_cookie_is_secure(jia_store, tmp_path, users):
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(cafile=str(cert))
    with serve_process("--store", str(jia_store), "--users", str(users), "--certfile", str(cert), "--keyfile",
                       str(key)) as (address, process):
        assert address.startswith("https://127.0.0.1:")
        client = Client(address, context=context)
        answer = client.login(NAMES["admin"], PASSWORD["admin"])
        assert answer.status == 303 and "secure" in cookie_attributes(answer)
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert client.get("/map").status == 200
        with pytest.raises(ssl.SSLError):  # the certificate is checked: a client that does not trust it stops
            Client(address, context=ssl.create_default_context()).get("/")


def test_certfile_without_keyfile_is_refused(jia_store, capsys, tmp_path):
    from linkgraph.cli import main

    assert main(["serve", "--store", str(jia_store), "--certfile", str(tmp_path / "c.pem")]) == 2
    assert capsys.readouterr().err.startswith("错误 error: --certfile 与 --keyfile 须同时给出")


def test_failed_logins_are_throttled_per_account_and_per_address(jia_store, tmp_path, users):
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        # one account tried from five addresses (a proxy on 127.0.0.1 says which): locked for every address
        for number in range(5):
            client = Client(url, headers={"X-Forwarded-For": f"198.51.100.{number}"})
            assert client.login(NAMES["editor"], "wrong password 1").status == 400
        locked = Client(url, headers={"X-Forwarded-For": "198.51.100.99"}).login(NAMES["editor"], PASSWORD["editor"])
        assert locked.status == 429 and re.search(r"请 \d+ 秒后再试 / too many failed logins: try again in \d+ s",
                                                  locked.body)
        assert signed_in(url, Role.viewer).get("/").status == 200  # another account is not locked
        # one address trying five accounts: locked for every account
        for number in range(5):
            assert Client(url, headers={"X-Forwarded-For": "192.0.2.7"}).login(f"guess{number}", "x" * 12).status == 400
        answer = Client(url, headers={"X-Forwarded-For": "192.0.2.7"}).login(NAMES["admin"], PASSWORD["admin"])
        assert answer.status == 429 and "too many failed logins" in answer.body
        assert "linkgraph_session" not in str(answer.headers.get_all("Set-Cookie"))


NEXT_TARGETS = {"/map?highlight=1": "/map?highlight=1", "//evil.example/": "/", "https://evil.example/": "/",
                "/\\evil.example": "/", "\\\\evil.example": "/", "javascript:alert(1)": "/",
                "/\t/evil.example": "/", "http:evil.example": "/", "/%2F%2Fevil.example": "/%2F%2Fevil.example"}


def test_the_page_after_a_login_is_always_on_this_site(team):
    url, app = team
    for target, expected in NEXT_TARGETS.items():
        client = Client(url)
        page = client.get("/login?next=" + urllib.parse.quote(target, safe=""))
        assert 'name="next" value="' + expected.replace("&", "&amp;") + '"' in page.body, target
        answer = client.login(NAMES["viewer"], PASSWORD["viewer"], next_=target)
        assert answer.status == 303 and answer.location == expected, target
    client = Client(url)
    first = client.get("/nodes/610828105236?x=1")  # sent to the login page, then back where it was going
    assert first.location == "/login?next=%2Fnodes%2F610828105236%3Fx%3D1"
    answer = client.login(NAMES["viewer"], PASSWORD["viewer"], next_=urllib.parse.unquote(first.location[12:]))
    assert answer.location == "/nodes/610828105236?x=1" and client.get(answer.location).status == 200


def test_listening_beyond_this_machine_needs_accounts(jia_store, tmp_path):
    refused = subprocess.run([sys.executable, "-m", "linkgraph", "serve", "--store", str(jia_store), "--host",
                              "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert refused.stderr.startswith("错误 error: 没有账户时不能在 0.0.0.0 上提供服务") and refused.stderr.count("\n") == 1
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    behind = subprocess.run([sys.executable, "-m", "linkgraph", "serve", "--store", str(jia_store), "--server-name",
                             "lg.county.example", "--port", "0"], capture_output=True, text=True, timeout=120)
    assert behind.returncode == 2 and "refusing to serve lg.county.example without accounts" in behind.stderr
    users = team_db(tmp_path / "u.sqlite").path
    with serve_process("--store", str(jia_store), "--users", str(users), "--host", "0.0.0.0") as (address, process):
        port = int(address.rsplit(":", 1)[1])
        assert address == f"http://0.0.0.0:{port}" and f"须登录 sign-in: {users};" in process.ready
        client = Client(f"http://127.0.0.1:{port}")
        assert client.get("/map").location == "/login?next=%2Fmap"
        assert client.login(NAMES["viewer"], PASSWORD["viewer"]).status == 303 and client.get("/map").status == 200
        outward = this_machines_address()  # reached by another address than loopback: it listens beyond
        assert Client(f"http://{outward}:{port}").get("/map").location == "/login?next=%2Fmap"


def this_machines_address() -> str:
    """The address this machine sends from (a UDP socket's "connect" sends nothing; it only picks the route)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    assert not address.startswith("127."), address
    return address


def test_no_password_reaches_any_output_or_file(jia_store, tmp_path):
    secret = "a-password-nobody-logs-7"
    add = subprocess.run([sys.executable, "-m", "linkgraph", "users", "add", "审计员", "--role", "admin",
                          "--store", str(jia_store), "--users", str(tmp_path / "u.sqlite"), "--password-stdin"],
                         input=secret + "\n", capture_output=True, text=True, timeout=120)
    assert add.returncode == 0, add.stderr
    with serve_process("--store", str(jia_store), "--users", str(tmp_path / "u.sqlite")) as (address, process):
        client = Client(address)
        assert client.login("审计员", secret + "x").status == 400
        assert client.login("审计员", secret).status == 303
        assert Client(address).login("nobody", secret).status == 400
    output = process.stdout.read() + process.stderr.read() + add.stdout + add.stderr
    assert secret not in output
    for path in tmp_path.iterdir():
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    audit = UserDB(tmp_path / "u.sqlite").audit()
    assert [e["action"] for e in audit][:2] == ["login", "user.add"] and secret not in str(audit)


def test_an_admin_adds_disables_and_resets_accounts_in_the_browser_pages(jia_store, tmp_path, users):
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        admin = signed_in(url, Role.admin)
        page = admin.get("/admin/users")
        assert page.status == 200 and all(f'<tr data-name="{name}">' in page.body for name in NAMES.values())
        token = admin.token("/admin/users")
        added = admin.request("POST", "/admin/users", form={"csrf_token": token, "name": "新人", "role": "editor",
                                                              "password": "new-person-pw-1"})
        assert added.location == "/admin/users?done=add&name=%E6%96%B0%E4%BA%BA"
        assert "已新增账户 / added the account 新人" in admin.get(added.location).body
        newcomer = Client(url)
        assert newcomer.login("新人", "new-person-pw-1").status == 303 and newcomer.get("/map").status == 200
        reset = admin.request("POST", "/admin/users/%E6%96%B0%E4%BA%BA/reset",
                              form={"csrf_token": token, "password": "another-pw-22"})
        assert reset.status == 303 and newcomer.get("/map").status == 303  # a new password ends its sessions
        assert Client(url).login("新人", "new-person-pw-1").status == 400
        assert Client(url).login("新人", "another-pw-22").status == 303
        disabled = admin.request("POST", "/admin/users/%E6%96%B0%E4%BA%BA/disable", form={"csrf_token": token})
        assert disabled.status == 303 and Client(url).login("新人", "another-pw-22").status == 400
        for form, said in [({"name": "<b>x</b>", "role": "viewer", "password": "long-enough-1"}, "账户名只能含"),
                           ({"name": "x2", "role": "root", "password": "long-enough-1"}, "角色应为"),
                           ({"name": "x3", "role": "viewer", "password": "short"}, "密码至少 10 个字符"),
                           ({"name": "新人", "role": "viewer", "password": "long-enough-1"}, "账户已存在")]:
            refused = admin.request("POST", "/admin/users", form={"csrf_token": token, **form})
            assert refused.status == 400 and said in refused.body and "<b>x</b>" not in refused.body, form
        own = admin.request("POST", f"/admin/users/{urllib.parse.quote(NAMES['admin'])}/disable",
                            form={"csrf_token": token})
        assert own.status == 400 and "不能停用自己的账户" in own.body
        assert admin.request("POST", "/admin/users/nobody/reset", form={"csrf_token": token,
                                                                        "password": "long-enough-1"}).status == 400
        audit = UserDB(users).audit()
        assert [(e["actor"], e["action"], e["detail"]) for e in audit if e["action"].startswith("user.")][:3] == [
            (NAMES["admin"], "user.disable", "新人"), (NAMES["admin"], "user.reset", "新人"),
            (NAMES["admin"], "user.add", "新人 (editor)")]
        assert "user.disable" in admin.get("/admin/users").body  # the audit log, on the page


def test_only_editors_and_admins_can_make_the_server_read_a_large_body(jia_store, tmp_path, users):
    from linkgraph.webauth import MAX_SMALL_FORM_BYTES

    with running(jia_store, tmp_path / "cache", users) as (url, app):
        client = Client(url)
        token = client.token()
        padding = "x" * MAX_SMALL_FORM_BYTES
        answer = client.request("POST", "/login", form={"csrf_token": token, "name": "a", "password": padding})
        assert answer.status == 413 and "the request is too large (at most 65,536 bytes)" in answer.body
        chunks = iter([b"csrf_token=" + token.encode() + b"&pad=", padding.encode()])  # no Content-Length: chunked
        assert client.request("POST", "/login", body=chunks, headers={
            "Content-Type": "application/x-www-form-urlencoded"}).status == 413
        admin = signed_in(url, Role.admin)
        answer = admin.request("POST", "/admin/users", form={"csrf_token": admin.token("/"), "name": "big1",
                                                             "role": "viewer", "password": "long-enough-1",
                                                             "note": padding})
        assert answer.status == 303 and UserDB(users).has("big1")


def test_a_form_cut_off_midway_is_no_server_error(jia_store, tmp_path, users, caplog):
    import socket

    with running(jia_store, tmp_path / "cache", users) as (url, app):
        port = urllib.parse.urlsplit(url).port
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                         b"\r\nContent-Length: 1000\r\n\r\ncsrf_token=abc")
        time.sleep(0.5)  # (the server notices the closed connection; nothing to wait for otherwise)
        assert Client(url).get("/login").status == 200
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


def test_a_csrf_header_does_not_lift_the_bound_on_the_body(jia_store, tmp_path, users):
    """The token in the ``X-CSRF-Token`` header instead of the form: the body is bounded all the same (an anonymous
    visitor cannot make the server read, or spool to disk, more than a small form)."""
    from linkgraph.webauth import MAX_SMALL_FORM_BYTES

    with running(jia_store, tmp_path / "cache", users) as (url, app):
        client = Client(url)
        token = client.token()
        padding = "x" * MAX_SMALL_FORM_BYTES
        answer = client.request("POST", "/login", form={"name": "a", "password": padding},
                                headers={"X-CSRF-Token": token})
        assert answer.status == 413 and "the request is too large (at most 65,536 bytes)" in answer.body
        chunks = iter([b"name=a&pad=", padding.encode()])  # no Content-Length: chunked
        assert client.request("POST", "/login", body=chunks, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token}).status == 413
        file_part = (f"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n{padding}\r\n"
                     "--b--\r\n").encode()
        assert client.request("POST", "/login", body=file_part, headers={
            "Content-Type": "multipart/form-data; boundary=b", "X-CSRF-Token": token}).status == 413
        small = client.request("POST", "/login", form={"name": NAMES["viewer"], "password": PASSWORD["viewer"]},
                               headers={"X-CSRF-Token": token})
        assert small.status == 303 and client.get("/").status == 200  # the header alone still signs in


def test_failed_logins_sent_at_once_are_throttled_as_if_one_after_another(jia_store, tmp_path, users):
    """Many wrong passwords for one account sent together (each from an address of its own): no more of them are
    checked than the throttle allows one after another, though each check waits on argon2 in a thread."""
    import threading

    from linkgraph.accounts import Throttle

    limit, tries = Throttle().limit, 16
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        clients = [Client(url) for _ in range(tries)]
        forms = [{"csrf_token": c.token(), "name": NAMES["editor"], "password": f"wrong password {n}", "next": "/"}
                 for n, c in enumerate(clients)]
        start, statuses = threading.Barrier(tries), []

        def attempt(client: Client, form: dict[str, str]) -> None:
            start.wait()
            statuses.append(client.request("POST", "/login", form=form).status)
        threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, forms)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(statuses) == [400] * limit + [429] * (tries - limit)
        assert Client(url).login(NAMES["editor"], PASSWORD["editor"]).status == 429


def test_a_user_database_that_disappears_while_serving_locks_the_site_rather_than_opens_it(jia_store, tmp_path,
                                                                                          users):
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        viewer = signed_in(url, Role.viewer)
        assert viewer.get("/map").status == 200 and Client(url).get("/map").location == "/login?next=%2Fmap"
        users.rename(tmp_path / "moved.sqlite")  # (moved away, e.g. by a restore from a backup)
        anonymous = Client(url)
        assert anonymous.get("/map").location == "/login?next=%2Fmap"
        assert anonymous.get("/nodes/610828105236").status == 303 and viewer.get("/map").status == 303
        assert anonymous.login(NAMES["viewer"], PASSWORD["viewer"]).status == 400
        (tmp_path / "moved.sqlite").rename(users)
        assert anonymous.login(NAMES["viewer"], PASSWORD["viewer"]).status == 303
        assert anonymous.get("/map").status == 200


def test_a_name_no_account_can_have_is_throttled_by_its_address_only(jia_store, tmp_path, users):
    """A login with a name longer than any account's counts against its address, and the throttle keeps no key of
    that name: made-up names of 60 KB each cannot fill the server's memory."""
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        client = Client(url)
        assert client.login("x" * 60_000, "wrong password 1").status == 400
        assert len(app.state.auth.throttle) == 1  # the address's key alone
        assert client.login("名" * 64, "wrong password 2").status == 400
        assert len(app.state.auth.throttle) == 2  # and the name's, which an account may have


def test_the_admin_page_says_a_change_was_made_only_of_an_account_that_exists(jia_store, tmp_path, users):
    """A link (``?done=reset&name=…``) cannot make the admin's page say what its sender wants."""
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        admin = signed_in(url, Role.admin)
        told = "请把新密码发到 evil@example.com"
        page = admin.get("/admin/users?" + urllib.parse.urlencode({"done": "reset", "name": told}))
        assert page.status == 200 and told not in page.body and "gave the account" not in page.body
        page = admin.get("/admin/users?" + urllib.parse.urlencode({"done": "reset", "name": NAMES["editor"]}))
        assert f"已为账户重设密码 / gave the account {NAMES['editor']} a new password" in page.body


def test_a_new_login_in_the_same_browser_ends_the_session_it_replaces(jia_store, tmp_path, users):
    with running(jia_store, tmp_path / "cache", users) as (url, app):
        client = signed_in(url, Role.viewer)
        before = dict(client.cookies)
        form = {"csrf_token": client.token("/"), "name": NAMES["editor"], "password": PASSWORD["editor"], "next": "/"}
        assert client.request("POST", "/login", form=form).status == 303 and client.get("/uploads").status == 200
        assert Client(url, cookies=before).get("/map").location == "/login?next=%2Fmap"  # the viewer's has ended
        assert [(e["actor"], e["action"]) for e in UserDB(users).audit(3)] == [
            (NAMES["editor"], "login"), (NAMES["viewer"], "logout"), (NAMES["viewer"], "login")]


def test_plain_http_beyond_this_machine_is_warned_of(jia_store, tmp_path, capsys, monkeypatch):
    """``serve --host 0.0.0.0`` with accounts and no certificate serves passwords in plain http to the network:
    the command says so on standard error as it starts (``serve`` itself is replaced: nothing listens here)."""
    from linkgraph import serve as serve_module
    from linkgraph.cli import main
    from linkgraph.serve import plain_http_warning

    assert plain_http_warning("127.0.0.1", False) is None and plain_http_warning("0.0.0.0", True) is None
    assert plain_http_warning("::1", False) is None
    monkeypatch.setattr(serve_module, "serve", lambda *a, ready, **k: ready("http://0.0.0.0:8765/"))
    users = team_db(tmp_path / "u.sqlite").path
    assert main(["serve", "--store", str(jia_store), "--users", str(users), "--host", "0.0.0.0"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("警告 warning: 0.0.0.0 上未加密（http），登录密码和会话在网络上明文传输") and err.count("\n") == 1
    assert main(["serve", "--store", str(jia_store), "--users", str(users)]) == 0
    assert capsys.readouterr().err == ""
