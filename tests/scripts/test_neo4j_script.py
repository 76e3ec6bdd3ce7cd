"""scripts/neo4j keeps the password secret and never calls a server "ready" that refuses it.

A second, private server is started (its own home and free ports, the jars of the test server;
tests/private_neo4j.py, which tests/stores/test_neo4j_admin.py shares: the Jia County example was imported
into its home before this first start): the process list is read while `start` runs, then the files it left
are checked, then it is started with a wrong password.
"""

import os
import stat

import pytest

from tests.private_neo4j import processes, run_script

pytestmark = pytest.mark.neo4j


@pytest.fixture
def server(private_neo4j):
    return private_neo4j.env, private_neo4j.home, private_neo4j.started, private_neo4j.seen


def test_start_is_ready_and_the_password_is_never_on_a_command_line(server):
    env, home, started, seen = server
    assert started.returncode == 0, started.stderr
    assert f"ready at bolt://127.0.0.1:{env['NEO4J_BOLT_PORT']}" in started.stdout
    assert "setting the initial password" in started.stdout
    assert [command for command in seen if "密码" in command or "#quotes" in command] == []
    assert any("set-initial-password -- @" in command for command in seen)  # the poll saw neo4j-admin run
    assert len(seen) > 1000
    running = processes()
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
    while_running = run_script(wrong, "start")
    assert while_running.returncode == 1
    assert "ready" not in while_running.stdout
    assert "NEO4J_PASSWORD is not the password of user neo4j" in while_running.stderr
    assert "scripts/neo4j reset" in while_running.stderr

    assert run_script(env, "stop").returncode == 0
    afresh = run_script(wrong, "start")
    assert afresh.returncode == 1
    assert "ready at" not in afresh.stdout
    assert "login failed" in afresh.stderr and "scripts/neo4j reset" in afresh.stderr
    assert run_script(env, "status").returncode == 3  # not left running

    assert run_script(env, "start").returncode == 0  # the right password still works


def test_start_needs_the_projects_python(tmp_path):
    env = {**os.environ, "NEO4J_HOME": str(tmp_path / "home"), "NEO4J_PASSWORD": "long-enough",
           "NEO4J_PYTHON": "/bin/false"}
    result = run_script(env, "start")
    assert result.returncode == 1
    assert "/bin/false has no 'neo4j' driver" in result.stderr and "scripts/setup-venv" in result.stderr
    assert not (tmp_path / "home" / "data").exists()
