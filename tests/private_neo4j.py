"""A second Neo4j server of the tests' own, beside the test server: its own home and free ports, the test
server's jars (``$NEO4J_HOME/lib``, which ``scripts/test`` assembles), run through ``scripts/neo4j``.

Before its first start the Jia County example, as exported from the embedded store, is imported into it with
``neo4j-admin database import full`` (as a new installation is seeded); the first start then sets the
initial password (a password that tests the quoting of scripts/neo4j) while every command line is watched.
One server serves the tests of scripts/neo4j (tests/scripts/test_neo4j_script.py: the start, the password,
the files) and of the import (tests/stores/test_neo4j_admin.py: what was imported): each start of a server
costs its JVMs tens of seconds of CPU, and the suite started one for each before.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import REPO, unavailable

SCRIPT = REPO / "scripts" / "neo4j"
# spaces, quotes, a backslash, '#' and '@' check the argument file's quoting end to end; a leading '-' (one
# generated password in 64 begins with one) was read by neo4j-admin as an option before `--` came first
PASSWORD = '-pw "with" \\ #quotes @ 密码'


@dataclasses.dataclass
class PrivateServer:
    env: dict[str, str]  # scripts/neo4j's environment for it: home, ports, PASSWORD
    home: Path
    started: subprocess.CompletedProcess  # its first `scripts/neo4j start`
    seen: list[str]  # every command line seen while that start ran
    graph: object  # the graph imported before that start (the embedded store's export)
    sources: list  # the embedded store's loaded sources, imported with it
    counts: dict  # the embedded store's counts

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.env['NEO4J_BOLT_PORT']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes() -> dict[int, tuple[str, bytes]]:
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


def run_script(env: dict[str, str], *args: str, watch: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run scripts/neo4j; with ``watch``, record every command line seen while it runs."""
    process = subprocess.Popen([str(SCRIPT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    if watch is not None:
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                watch.extend(command for command, _ in processes().values())
                done.wait(0.02)

        poller = threading.Thread(target=poll)
        poller.start()
    out, err = process.communicate(timeout=300)
    if watch is not None:
        done.set()
        poller.join()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def imported_home(folder: Path, jia, schema) -> tuple[Path, object, list, dict]:
    """A new Neo4j home in ``folder`` on the test server's jars, holding the Jia County example (exported from an
    embedded store) imported by neo4j-admin, never started; (home, the graph, its sources, the embedded counts)."""
    from stores import open_store
    from stores.neo4j_admin import write_import

    lib = Path(os.environ.get("NEO4J_HOME", REPO / ".neo4j" / "test")) / "lib"
    if not (lib / ".assembled-from").exists():
        unavailable(f"no Neo4j jars in {lib} (scripts/test assembles them)")
    with open_store(str(folder / "graph.lbug"), schema, create=True) as embedded:
        embedded.write(jia.graph, sources=jia.sources)
        graph, sources, counts = embedded.export(), embedded.loaded_sources(), embedded.counts()
    home = folder / "neo4j-home"
    home.mkdir()
    (home / "lib").symlink_to(lib)
    files = write_import(folder / "import", graph.nodes.values(), graph.ties.values(), schema=schema,
                         sources=sources)
    admin = ["java", "-Xmx512m", "-cp", f"{home / 'lib'}/*", "org.neo4j.server.startup.Neo4jAdminCommand"]
    done = subprocess.run(files.command(admin), env={**os.environ, "NEO4J_HOME": str(home)}, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return home, graph, sources, counts


def start_private_server(folder: Path, jia, schema) -> PrivateServer:
    """Import the example into a new home, then start it once with every command line watched."""
    home, graph, sources, counts = imported_home(folder, jia, schema)
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_BOLT_PORT": str(free_port()),
           "NEO4J_HTTP_PORT": str(free_port()), "NEO4J_PASSWORD": PASSWORD, "NEO4J_PYTHON": sys.executable}
    seen: list[str] = []
    started = run_script(env, "start", watch=seen)
    return PrivateServer(env, home, started, seen, graph, sources, counts)
