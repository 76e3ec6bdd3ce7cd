"""docker-compose.yml is valid (Debian's docker-compose checks it without a Docker engine)."""

import os
import shutil
import subprocess

from tests.conftest import REPO, unavailable


def compose_config(tmp_path, **env):
    """``docker-compose config -q`` with only ``env`` set (an empty env file, so a local .env is ignored)."""
    if not shutil.which("docker-compose"):
        unavailable("docker-compose is not installed (apt-get install docker-compose)")
    env_file = tmp_path / "empty.env"
    env_file.write_text("", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.run(["docker-compose", "--env-file", str(env_file), "-f", str(REPO / "docker-compose.yml"),
                           "config", "-q"], capture_output=True, text=True, env={**clean, **env}, cwd=REPO)


def test_compose_file_is_valid(tmp_path):
    result = compose_config(tmp_path, NEO4J_PASSWORD="not-a-real-password")
    assert result.returncode == 0, result.stderr


def test_compose_requires_a_password(tmp_path):
    result = compose_config(tmp_path)
    assert result.returncode != 0 and "set NEO4J_PASSWORD" in result.stderr


def test_compose_uses_the_same_neo4j_as_the_local_script():
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    pom = (REPO / "scripts" / "neo4j-pom.xml").read_text(encoding="utf-8")
    version = pom.split("<neo4j.version>")[1].split("<")[0]
    assert f"image: neo4j:{version}-community" in compose
    assert '"127.0.0.1:' in compose and "NEO4J_AUTH" in compose and "healthcheck" in compose


def test_compose_server_loads_no_file_and_fetches_no_url():
    """The same second guard as scripts/neo4j's neo4j.conf (tested on a real server in
    tests/stores/test_readonly_neo4j.py), in the image's NEO4J_* form ('_' for '.', '__' for '_')."""
    compose = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    script = (REPO / "scripts" / "neo4j").read_text(encoding="utf-8")
    assert 'NEO4J_dbms_security_allow__csv__import__from__file__urls: "false"' in compose
    assert "dbms.security.allow_csv_import_from_file_urls=false" in script
    assert 'NEO4J_internal_dbms_cypher__ip__blocklist: "0.0.0.0/0,::/0"' in compose
    assert "internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0" in script
