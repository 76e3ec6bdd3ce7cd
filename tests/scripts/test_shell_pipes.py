"""Shell scripts that run under ``set -o pipefail`` never end a pipe with a reader that may leave early.

``fc-list | grep -qi cjk`` returned 141 in 17 of 20 tries with the fonts installed: ``grep -q`` stops at the
first match, ``fc-list`` then dies of SIGPIPE, and pipefail makes the whole pipe fail. ``head`` and
``grep -m`` leave early too.
"""

import re

import pytest

from tests.conftest import REPO

SCRIPTS = sorted(p for p in [*(REPO / "scripts").iterdir(), REPO / ".ci" / "run", REPO / "Makefile"]
                 if p.is_file() and p.read_bytes()[:2] in (b"#!", b"# ") and b"pipefail" in p.read_bytes())
EARLY_READER = re.compile(r"\|\s*(grep\s+-[a-zA-Z]*[qm]|head\b)")


def test_the_scripts_under_pipefail_are_found():
    assert {p.name for p in SCRIPTS} >= {"test", "neo4j", "setup-venv", "run"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_pipe_ends_in_a_reader_that_leaves_early(script):
    lines = [f"{n}: {line.strip()}" for n, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1)
             if EARLY_READER.search(line) and not line.lstrip().startswith("#")]
    assert lines == []
