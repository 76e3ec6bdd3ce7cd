"""The documented nginx example (docs/nginx-linkgraph.conf) in front of a real ``linkgraph serve``: ``nginx -t``
accepts it, and through it TLS ends at nginx, the session cookie is Secure, login throttling counts the address
nginx saw (not one a client claims), a Host that is not the site's is refused, and plain http redirects."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from pathlib import Path


from tests.conftest import REPO, unavailable
from tests.test_serve import jia_store  # noqa: F401 (a fixture)
from tests.test_serve_auth import NAMES, PASSWORD, Client, cookie_attributes, self_signed, serve_process
from tests.test_serve_auth import users  # noqa: F401 (a fixture)

EXAMPLE_CONF = REPO / "docs" / "nginx-linkgraph.conf"
SITE = "linkgraph.county.example"  # the server_name of the example


def nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        unavailable("no nginx (apt-get install nginx; scripts/test installs it)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_conf(folder: Path, upstream: int, https: int, http: int, cert: Path, key: Path) -> Path:
    """The example as it is, with this test's ports and certificate, inside a main configuration whose
    files stay in ``folder`` (nginx runs as this user, in the foreground)."""
    site = EXAMPLE_CONF.read_text(encoding="utf-8")
    site = (site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
                .replace("listen 80;", f"listen 127.0.0.1:{http};")
                .replace("http://127.0.0.1:8765", f"http://127.0.0.1:{upstream}")
                .replace("/etc/ssl/linkgraph/fullchain.pem", str(cert))
                .replace("/etc/ssl/linkgraph/privkey.pem", str(key)))
    assert site.count(str(folder)) == 2 and str(upstream) in site  # every substitution found its line
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(f"{kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                      "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
                    f"http {{\naccess_log off;\n{temp}include {folder}/site.conf;\n}}\n", encoding="utf-8")
    return main


@contextlib.contextmanager
def running_nginx(conf: Path, port: int):
    process = subprocess.Popen([nginx(), "-c", str(conf), "-p", str(conf.parent), "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(400):  # until it listens (or stops)
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(20)


def test_the_nginx_example_passes_what_serve_needs(jia_store, tmp_path, users):
    cert, key = self_signed(tmp_path, names=[SITE])
    https, http = free_port(), free_port()
    with serve_process("--store", str(jia_store), "--users", str(users), "--server-name", SITE) as (address, _):
        conf = nginx_conf(tmp_path, urllib.parse.urlsplit(address).port, https, http, cert, key)
        checked = subprocess.run([nginx(), "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True,
                                 text=True, timeout=60)
        assert checked.returncode == 0 and "syntax is ok" in checked.stderr, checked.stderr
        with running_nginx(conf, https):
            context = ssl.create_default_context(cafile=str(cert))
            front = f"https://127.0.0.1:{https}"

            def client(claimed: str) -> Client:  # a browser asking for the site by its name, claiming an address
                return Client(front, context=context, headers={"Host": SITE, "X-Forwarded-For": claimed})

            answer = client("203.0.113.1").login(NAMES["viewer"], PASSWORD["viewer"])
            assert answer.status == 303 and "secure" in cookie_attributes(answer)
            for number in range(5):  # five failures from one machine that claims five addresses
                assert client(f"203.0.113.{10 + number}").login(f"guess{number}", "x" * 12).status == 400
            locked = client("203.0.113.99").login(NAMES["editor"], PASSWORD["editor"])
            assert locked.status == 429, "nginx must overwrite X-Forwarded-For with the address it saw"
            other_host = Client(front, context=context, headers={"Host": "evil.example"}).get("/login")
            assert other_host.status == 400 and "Invalid host header" in other_host.body
            plain = Client(f"http://127.0.0.1:{http}", headers={"Host": SITE}).get("/map")
            assert plain.status == 301 and plain.location == f"https://{SITE}/map"
    assert re.search(r"\[(emerg|alert|crit)\]", (tmp_path / "error.log").read_text()) is None
