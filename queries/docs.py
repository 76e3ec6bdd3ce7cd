"""``docs/queries.md``, written from the catalog: every query, its parameters, an example and its Neo4j text.

``python -m queries.docs`` writes the file; ``python -m queries.docs --check``
fails when it is out of date (a test runs the same comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

from queries.browser import browser_script
from queries.catalog import NamedQuery, default_catalog

DOCS = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
HEADER = """# Saved queries 保存的查询

Written by `python -m queries.docs` from `queries/catalog.yaml`; do not edit by hand.
Run any of them with `linkgraph query NAME PARAM=VALUE … --store …`; a name
parameter takes a name, an alias or an id, in any spelling. The Neo4j text is
what `linkgraph query NAME --cypher` prints for Neo4j Browser: run it once to
set the parameters, then run the query part to see the rows.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(queries: Iterable[NamedQuery]) -> str:
    """The Markdown page of ``queries``."""
    parts = [HEADER]
    for query in queries:
        example = {p.name: p.example for p in query.params}
        command = " ".join(["linkgraph query", query.name, *(f"{k}={v}" for k, v in example.items())])
        parts.append(f"## `{query.name}`: {query.zh} / {query.en}\n")
        if query.params:
            parts.append("| parameter | type | required | meaning | example |\n|---|---|---|---|---|")
            for p in query.params:
                meaning = f"{p.zh} / {p.en}" + (f" (default {p.default})" if p.default is not None else "")
                parts.append(f"| `{p.name}` | {p.type} | {'yes' if p.required else 'no'} | {_cell(meaning)} | {_cell(p.example)} |")
            parts.append("")
        columns = "、".join(f"{c.zh} `{c.name}`" for c in query.columns)
        parts.append(f"Columns 列: {columns}\n")
        parts.append(f"```sh\n{command}\n```\n")
        parts.append(f"Neo4j:\n\n```cypher\n{browser_script(query, example)}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render(default_catalog().values())
    if "--check" in argv:
        current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
        if current != text:
            print(f"{DOCS} is out of date: run python -m queries.docs", file=sys.stderr)
            return 1
        return 0
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")
    print(DOCS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
