"""Graph stores behind one interface; :func:`open_store` picks one from a spec.

>>> from graph_model.schema import default_schema
>>> import tempfile, os
>>> with open_store(os.path.join(tempfile.mkdtemp(), "g.lbug"), create=True) as store:
...     store.counts()["Village"]
0
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from graph_model.schema import Schema
    from stores.base import Store

DEFAULT_STORE = "linkgraph.lbug"


def __getattr__(name: str) -> Any:
    """``Store``, ``StoreError`` and ``StoreSpecError``, imported when first asked for (so ``linkgraph --help``
    and other commands that open no store start at once)."""
    if name in ("Store", "StoreError"):
        from stores import base

        return getattr(base, name)
    if name == "StoreSpecError":
        from stores.connection import StoreSpecError

        return StoreSpecError
    raise AttributeError(name)


def is_server_spec(spec: str | os.PathLike[str]) -> bool:
    """Whether ``spec`` is a Neo4j URI (raises :class:`StoreSpecError` when it is neither URI nor path)."""
    from stores.connection import parse_store_spec

    return parse_store_spec(spec).backend == "neo4j"


def open_store(spec: str | os.PathLike[str] = DEFAULT_STORE, schema: "Schema | None" = None, *,
               read_only: bool = False, create: bool = False, waiting: "Callable[[str], None] | None" = None,
               one_question: bool = False) -> "Store":
    """A Neo4j store for a ``bolt://`` or ``neo4j://`` URI, else the embedded store at that path.

    Neo4j credentials come from ``NEO4J_USER`` / ``NEO4J_PASSWORD`` /
    ``NEO4J_DATABASE``. ``read_only`` opens an embedded file without write
    access. Only ``create`` lets a path with no store become a new one (the
    load does that); otherwise it is an error that says to load data first.
    A spec that looks like an address but is no Neo4j URI is an error
    (:class:`~stores.connection.StoreSpecError`), never a new file; so is a
    path that is no regular file (a folder, ``/dev/null``, a FIFO, a socket). ``waiting`` is told once when
    an embedded store's writer lock is held by another writer, whom this one then waits for. ``one_question``
    says that the store answers one question and is closed (a large embedded store is then read with a
    smaller page cache, quicker to open and close).
    """
    from graph_model.schema import default_schema
    from stores.connection import StoreSpecError, not_a_store_file, parse_store_spec
    from stores.masking import redact

    schema = schema or default_schema()
    parsed = parse_store_spec(spec)
    if parsed.backend == "neo4j":
        from stores.neo4j_store import Neo4jStore

        return Neo4jStore(parsed.location, schema)
    from stores.embedded import EmbeddedStore

    path = Path(parsed.location)
    problem = not_a_store_file(path)
    if problem:
        raise StoreSpecError(problem)
    if (read_only or not create) and not path.exists():
        shown = redact(str(path))
        raise StoreSpecError(f"该路径没有数据库 / no embedded store at {shown} (提示 hint: 请先载入数据，或给出 Neo4j "
                             f"地址 / load data first: linkgraph load SOURCES --store {shown}; or give a Neo4j URI such "
                             "as bolt://127.0.0.1:7687)")
    return EmbeddedStore(path, schema, read_only=read_only, waiting=waiting, one_question=one_question)


__all__ = ["DEFAULT_STORE", "Store", "StoreError", "StoreSpecError", "is_server_spec", "open_store"]
