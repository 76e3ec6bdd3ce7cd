"""linkgraph: ties between rural organizations as a graph; load, query, analyse, map.

The library is the packages beside this one (``graph_model``, ``loaders``,
``queries``, ``stores``, ``analysis``, ``visualizations``);
:mod:`linkgraph.pipeline` puts them together and :mod:`linkgraph.cli` is the
command line.
"""

__version__ = "0.1.0"
