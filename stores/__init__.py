"""Graph stores behind one interface; :func:`open_store` picks one from a spec.

>>> from graph_model.schema import default_schema
>>> import tempfile, os
>>> with open_store(os.path.join(tempfile.mkdtemp(), "g.lbug")) as store:
...     store.counts()["Village"]
0
"""

from __future__ import annotations

from graph_model.schema import Schema, default_schema
from stores.base import Store, StoreError

DEFAULT_STORE = "linkgraph.lbug"
_SERVER_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def is_server_spec(spec: str) -> bool:
    return spec.startswith(_SERVER_SCHEMES)


def open_store(spec: str = DEFAULT_STORE, schema: Schema | None = None, *, read_only: bool = False) -> Store:
    """A Neo4j store for a ``bolt://`` or ``neo4j://`` URI, else the embedded store at that path.

    Neo4j credentials come from ``NEO4J_USER`` / ``NEO4J_PASSWORD`` /
    ``NEO4J_DATABASE``. ``read_only`` opens an embedded file without write access.
    """
    schema = schema or default_schema()
    if is_server_spec(spec):
        from stores.neo4j_store import Neo4jStore

        return Neo4jStore(spec, schema)
    from stores.embedded import EmbeddedStore

    return EmbeddedStore(spec, schema, read_only=read_only)


__all__ = ["DEFAULT_STORE", "Store", "StoreError", "is_server_spec", "open_store"]
