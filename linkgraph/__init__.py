"""linkgraph: ties between rural organizations as a graph; load, query, analyse, map.

The library is the packages beside this one (``graph_model``, ``loaders``,
``queries``, ``stores``, ``analysis``, ``visualizations``);
:mod:`linkgraph.pipeline` puts them together and :mod:`linkgraph.cli` is the
command line.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``Session`` (:class:`linkgraph.pipeline.Session`), imported when first asked for, so that importing
    the command line does not import the library's jobs."""
    if name == "Session":
        from linkgraph.pipeline import Session

        return Session
    raise AttributeError(f"module 'linkgraph' has no attribute {name!r}")


__all__ = ["Session", "__version__"]
