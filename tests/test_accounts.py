"""Accounts: the rules (:mod:`linkgraph.accounts`), the user database (:mod:`linkgraph.userdb`, a real SQLite
file) and ``linkgraph users`` (real processes where the terminal matters)."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys

import pytest

from linkgraph.accounts import AccountError, Role, Throttle, User, check_name, hash_password, local_path, \
    password_matches
from linkgraph.cli import main
from linkgraph.userdb import UserDB, default_path, record_audit

PASSWORD = "栗子-correct-horse-42"


def test_roles_are_ordered_and_each_may_do_what_those_below_may():
    assert Role.anonymous < Role.viewer < Role.editor < Role.admin
    assert User("a", Role.editor).may(Role.viewer) and not User("v", Role.viewer).may(Role.editor)


def test_names_with_markup_spaces_or_nothing_are_refused():
    for bad in ["", "a b", "<img src=x>", "a/b", "x" * 65, "名\n字"]:
        with pytest.raises(AccountError):
            check_name(bad)
    assert check_name("王五_2.x-y") == "王五_2.x-y"


def test_a_password_hash_is_argon2id_salted_and_checks_only_its_password():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second and PASSWORD not in first
    assert password_matches(first, PASSWORD) and not password_matches(first, PASSWORD + "x")
    assert not password_matches("not a hash", PASSWORD)


def test_the_throttle_locks_a_key_after_its_failures_and_a_success_clears_it():
    throttle = Throttle(limit=5, window=900, lockout=300)
    for second in range(5):
        assert throttle.wait("account:a", second) == 0
        throttle.fail("account:a", second)
    assert throttle.wait("account:a", 5) == 299 and throttle.wait("account:b", 5) == 0
    assert throttle.wait("account:a", 305) == 0  # the lockout is over (the failures are still counted)
    throttle.succeed("account:a")
    throttle.fail("account:a", 306)
    assert throttle.wait("account:a", 306) == 0
    assert throttle.wait("account:c", 2000) == 0 and Throttle(limit=1).wait("x", 0) == 0


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "/\\evil.example", "\\\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", "/\t/evil.example", "", None,
                                    "evil.example", "/%0d%0aSet-Cookie:x=1\r\n"])
def test_only_paths_on_this_site_are_redirect_targets(target):
    assert local_path(target) == "/"


def test_a_path_on_this_site_is_kept_whole():
    assert local_path("/nodes/jia%3Ax?q=%E8%A5%BF#top") == "/nodes/jia%3Ax?q=%E8%A5%BF#top"


def test_the_user_database_is_private_beside_the_store_and_keeps_no_password(tmp_path):
    store = tmp_path / "jia.lbug"
    assert default_path(str(store)) == tmp_path / "jia.lbug.users.sqlite"
    assert default_path("bolt://127.0.0.1:7687") is None and default_path("bolt://x", "u.sqlite").name == "u.sqlite"
    db = UserDB(default_path(str(store)))
    assert not db.has_accounts() and not db.path.exists()  # asking creates nothing
    db.add("cli:root", "张三", Role.editor, PASSWORD)
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
    secret = db.secret()
    assert len(secret) == 64 and db.secret() == secret and stat.S_IMODE(db.secret_path.stat().st_mode) == 0o600
    assert PASSWORD.encode() not in db.path.read_bytes()
    assert db.check_login("张三", PASSWORD) == User("张三", Role.editor)
    assert db.check_login("张三", "wrong password!") is None and db.check_login("李四", PASSWORD) is None
    with pytest.raises(AccountError, match="exists already"):
        db.add("cli:root", "张三", Role.admin, PASSWORD)
    with pytest.raises(AccountError, match="at least 10"):
        db.add("cli:root", "李四", Role.viewer, "short")
    assert [a["name"] for a in db.accounts()] == ["张三"]


def test_a_secret_others_may_read_is_refused(tmp_path):
    db = UserDB(tmp_path / "u.sqlite")
    db.add("t", "a1", Role.admin, PASSWORD)
    db.secret()
    db.secret_path.chmod(0o644)
    with pytest.raises(AccountError, match="chmod 600"):
        db.secret()


def test_sessions_end_at_logout_disable_reset_and_expiry(tmp_path):
    db = UserDB(tmp_path / "u.sqlite")
    db.add("cli:root", "ed", Role.editor, PASSWORD)
    user = User("ed", Role.editor)
    first = db.open_session(user, 1000.0)
    assert db.session_user(first, 1001.0) == user
    assert db.session_user(first, 1000.0 + 8 * 3600 + 1) is None  # expired
    assert db.session_user("forged", 1001.0) is None
    db.close_session(first, "ed")
    assert db.session_user(first, 1001.0) is None
    second = db.open_session(user, 1000.0)
    db.disable("admin", "ed")
    assert db.session_user(second, 1001.0) is None and db.check_login("ed", PASSWORD) is None
    db.reset("admin", "ed", PASSWORD + "2")
    assert db.check_login("ed", PASSWORD + "2") == user and db.check_login("ed", PASSWORD) is None
    with sqlite3.connect(db.path) as raw:  # sessions are kept by a digest, not by the id the cookie holds
        assert first not in str(raw.execute("SELECT * FROM sessions").fetchall())


def test_every_account_change_is_in_the_audit_log_and_others_may_add_to_it(tmp_path):
    db = UserDB(tmp_path / "u.sqlite")
    db.add("cli:root", "v1", Role.viewer, PASSWORD)
    db.disable("boss", "v1")
    db.reset("boss", "v1", PASSWORD)
    record_audit(db, "ed", "load", "planner.xlsx: 12 ties")
    entries = [(e["actor"], e["action"], e["detail"]) for e in db.audit()]
    assert entries == [("ed", "load", "planner.xlsx: 12 ties"), ("boss", "user.reset", "v1"),
                       ("boss", "user.disable", "v1"), ("cli:root", "user.add", "v1 (viewer)")]
    assert all(e["at"].endswith("+00:00") for e in db.audit())


def test_linkgraph_users_add_list_disable_reset(tmp_path, capsys, monkeypatch):
    import io

    store = str(tmp_path / "g.lbug")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "王五", "--role", "admin", "--password-stdin", "--store", store]) == 0
    assert "王五" in capsys.readouterr().out
    assert main(["users", "add", "王五", "--role", "viewer", "--store", store, "--password-stdin"]) == 2
    assert capsys.readouterr().err.startswith("错误 error: 账户已存在")
    assert main(["users", "disable", "王五", "--store", store]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--store", store]) == 0
    listed = capsys.readouterr().out
    assert "王五" in listed and "管理 admin" in listed and "停用 disabled" in listed
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "x\n"))
    assert main(["users", "reset", "王五", "--store", store, "--password-stdin"]) == 0
    assert UserDB(default_path(store)).check_login("王五", PASSWORD + "x") == User("王五", Role.admin)
    assert main(["users", "disable", "nobody", "--store", store]) == 2
    assert "没有该账户" in capsys.readouterr().err
    assert main(["users", "list", "--store", "bolt://127.0.0.1:1"]) == 2  # Neo4j: the admin names the file
    assert "--users FILE" in capsys.readouterr().err
    users = tmp_path / "team.sqlite"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "v", "--role", "viewer", "--store", "bolt://127.0.0.1:1", "--users", str(users),
                 "--password-stdin"]) == 0
    assert UserDB(users).has_accounts()


def test_a_password_is_never_an_argument_nor_printed(tmp_path):
    store = str(tmp_path / "g.lbug")
    command = [sys.executable, "-m", "linkgraph", "users", "add", "v", "--role", "viewer", "--store", store]
    refused = subprocess.run([*command, "--password", PASSWORD], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
    for password, code in [(PASSWORD, 0), ("short", 2)]:
        done = subprocess.run([*command, "--password-stdin"], input=password + "\n", capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == code, done.stderr
        assert password not in done.stdout + done.stderr
    # without --password-stdin and without a terminal, getpass reads standard input (and echoes nothing of it)
    reset = subprocess.run([sys.executable, "-m", "linkgraph", "users", "reset", "v", "--store", store],
                           input=f"{PASSWORD}1\n{PASSWORD}1\n", capture_output=True, text=True, timeout=120,
                           start_new_session=True)  # no controlling terminal: getpass reads standard input
    assert reset.returncode == 0, reset.stderr
    assert PASSWORD not in reset.stdout + reset.stderr
    assert UserDB(default_path(store)).check_login("v", PASSWORD + "1") == User("v", Role.viewer)


def test_the_throttle_forgets_stale_keys_past_its_bound():
    throttle = Throttle(limit=5, window=10, lockout=5, most_keys=3)
    for number in range(3):
        throttle.fail(f"account:made-up-{number}", 0)
    throttle.fail("account:a", 20)  # four keys: the three older than the window go
    assert len(throttle) == 1 and throttle.wait("account:a", 21) == 0
    for number in range(5):
        throttle.fail(f"address:{number}", 21)
    assert len(throttle) == 6  # none stale yet: kept, whatever the bound
