"""What a load hands a store about its sources, and what it may ask the store; records only, no I/O.

A store writes a load's graph with a :class:`SourceInfo` per source (so it can skip a source it holds
unchanged) and answers the loaders' questions through a :class:`Known` (the kinds of ids, the places and
organizations it holds). Both are declared here, below the loaders and the stores, so that neither
imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterable, Mapping

from graph_model.records import KindOf, Node, SourceRef


@dataclass(frozen=True)
class SourceInfo:
    """One source of a load: how it is named in provenance, and a digest of everything it was read from."""

    ref: SourceRef
    path: Path
    digest: str
    kind: str


@dataclass
class Known:
    """What the store holds, as the loaders ask for it (see ``Store.known``); empty for a new store."""

    kind_of: KindOf = lambda node_id: None
    places: Callable[[], Iterable[Node]] = lambda: ()
    organizations: Callable[[], Iterable[Node]] = lambda: ()
    units: Callable[[Collection[str]], Iterable[Node]] | None = None
    """The units among some ids, as :attr:`places` gives them (a load asks for those a part of a table names by
    code rather than for all: nationally 665,276); None where only :attr:`places` answers."""
    unit_kinds: Callable[[Collection[str]], Mapping[str, str]] | None = None
    """The kind of each unit among some ids, found as :attr:`units` finds them, their ids alone read (the ends of
    a national table's ties name 600,000 units, of which a load keeps the kinds only); None where :attr:`units`
    answers for them."""
