"""scripts/neo4j keeps the password secret and never calls a server "ready" that refuses it.

A second, private server is started here (its own home and free ports, the jars of
the test server): the process list is read while `start` runs, then the files it
left are checked, then it is started with a wrong password.
"""

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, unavailable

pytestmark = pytest.mark.neo4j

SCRIPT = REPO / "scripts" / "neo4j"
# spaces, quotes, a backslash, '#' and '@' check the argument file's quoting end to end; a leading '-' (one
# generated password in 64 begins with one) was read by neo4j-admin as an option before `--` came first
PASSWORD = '-pw "with" \\ #quotes @ 密码'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes() -> dict[int, tuple[str, bytes]]:
    """pid → (command line, environment) of every process this user may read."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = ((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"),
                                          (entry / "environ").read_bytes())
            except OSError:  # gone, or not ours
                continue
    return found


def _run(env: dict[str, str], *args: str, watch: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run scripts/neo4j; with ``watch``, record every command line seen while it runs."""
    process = subprocess.Popen([str(SCRIPT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    if watch is not None:
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                watch.extend(command for command, _ in _processes().values())
                done.wait(0.02)

        poller = threading.Thread(target=poll)
        poller.start()
    out, err = process.communicate(timeout=300)
    if watch is not None:
        done.set()
        poller.join()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    test_home = os.environ.get("NEO4J_HOME")
    if not test_home or not (Path(test_home) / "lib").is_dir():
        unavailable("no assembled Neo4j jars in $NEO4J_HOME/lib (scripts/test provides them)")
    home = tmp_path_factory.mktemp("neo4j-home")
    (home / "lib").symlink_to(Path(test_home) / "lib")
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_BOLT_PORT": str(_free_port()),
           "NEO4J_HTTP_PORT": str(_free_port()), "NEO4J_PASSWORD": PASSWORD, "NEO4J_PYTHON": sys.executable}
    seen: list[str] = []
    started = _run(env, "start", watch=seen)
    try:
        yield env, home, started, seen
    finally:
        _run(env, "stop")


def test_start_is_ready_and_the_password_is_never_on_a_command_line(server):
    env, home, started, seen = server
    assert started.returncode == 0, started.stderr
    assert f"ready at bolt://127.0.0.1:{env['NEO4J_BOLT_PORT']}" in started.stdout
    assert "setting the initial password" in started.stdout
    assert [command for command in seen if "密码" in command or "#quotes" in command] == []
    assert any("set-initial-password -- @" in command for command in seen)  # the poll saw neo4j-admin run
    assert len(seen) > 1000
    running = _processes()
    server_pids = [pid for pid, (command, _) in running.items() if str(home) in command]
    assert len(server_pids) >= 2  # the bootloader and the server JVM
    for pid in server_pids:
        command, environment = running[pid]
        assert "#quotes" not in command
        assert b"NEO4J_PASSWORD" not in environment  # the server is started without it
    assert "#quotes" not in started.stdout + started.stderr


def test_files_that_could_hold_it_are_private(server):
    env, home, started, seen = server
    for folder in ("data", "data/dbms", "logs", "run"):
        assert stat.S_IMODE((home / folder).stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((home / "data" / "dbms" / "auth.ini").stat().st_mode) == 0o600
    assert list((home / "run").glob("initial-password*")) == []
    for log in (home / "logs").iterdir():
        assert "#quotes" not in log.read_text(encoding="utf-8", errors="replace"), log


def test_a_wrong_password_is_never_ready(server):
    env, home, started, seen = server
    wrong = {**env, "NEO4J_PASSWORD": "not-the-password"}
    while_running = _run(wrong, "start")
    assert while_running.returncode == 1
    assert "ready" not in while_running.stdout
    assert "NEO4J_PASSWORD is not the password of user neo4j" in while_running.stderr
    assert "scripts/neo4j reset" in while_running.stderr

    assert _run(env, "stop").returncode == 0
    afresh = _run(wrong, "start")
    assert afresh.returncode == 1
    assert "ready at" not in afresh.stdout
    assert "login failed" in afresh.stderr and "scripts/neo4j reset" in afresh.stderr
    assert _run(env, "status").returncode == 3  # not left running

    assert _run(env, "start").returncode == 0  # the right password still works


def test_start_needs_the_projects_python(tmp_path):
    env = {**os.environ, "NEO4J_HOME": str(tmp_path / "home"), "NEO4J_PASSWORD": "long-enough",
           "NEO4J_PYTHON": "/bin/false"}
    result = _run(env, "start")
    assert result.returncode == 1
    assert "/bin/false has no 'neo4j' driver" in result.stderr and "scripts/setup-venv" in result.stderr
    assert not (tmp_path / "home" / "data").exists()
