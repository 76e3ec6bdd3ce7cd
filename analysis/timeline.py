"""The network over time: what changed between two dates, and whose rank moved.

Ties hold from their start to their end (:func:`analysis.network.active_on`);
a tie without a start date holds at both dates, so it is never "new".

>>> import datetime as dt
>>> from loaders import load_sources
>>> from graph_model.schema import default_schema
>>> jia = load_sources(["examples/jia_county/case.yaml"]).graph
>>> new, ended = tie_changes(jia, default_schema(), dt.date(2021, 12, 31), dt.date(2023, 12, 31))
>>> len(new), len(ended), sorted({t.type for t in new})
(8, 0, ['CO_BUILDS', 'GUIDES', 'MEMBER_OF', 'SERVES'])
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Hashable, Iterable, Mapping

from analysis.network import active_on, working_kinds
from graph_model.records import GraphData, Tie
from graph_model.schema import Schema

RANKED = ("betweenness", "pagerank", "partners")


def tie_changes(graph: GraphData, schema: Schema, before: dt.date, after: dt.date) -> tuple[list[Tie], list[Tie]]:
    """The working ties that hold on ``after`` but not on ``before`` (new), and the reverse (ended)."""
    working = working_kinds(schema)
    ties = [t for t in graph.ties.values() if t.type in working]
    new = [t for t in ties if active_on(t, after) and not active_on(t, before)]
    ended = [t for t in ties if active_on(t, before) and not active_on(t, after)]
    return new, ended


def ranks(values: Mapping[Hashable, float]) -> dict[Hashable, int]:
    """Rank of each node, highest value first; equal values share the best rank (1, 2, 2, 4).

    >>> ranks({"a": 0.5, "b": 0.2, "c": 0.5, "d": 0.0})
    {'a': 1, 'b': 3, 'c': 1, 'd': 4}
    """
    ordered = sorted(values.values(), reverse=True)
    first: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(round(value, 12), position)
    return {node: first[round(value, 12)] for node, value in values.items()}


def rank_changes(before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]],
                 measures: tuple[str, ...] = RANKED) -> list[dict[str, Any]]:
    """Nodes whose value of any of ``measures`` changed between two sets of measure rows (``id`` and the
    measures), or that joined or left the network, with their ranks.

    One row per such node: ``id``, and for each measure
    ``{m}_before``, ``{m}_after`` (ranks; None where the node had no working tie)
    and ``{m}_change`` (positive: it rose). Sorted by the largest change of the
    first measure, nodes new to the network last.
    """
    before_rows, after_rows = {r["id"]: r for r in before}, {r["id"]: r for r in after}
    ranked = {m: (ranks({i: r[m] for i, r in before_rows.items()}), ranks({i: r[m] for i, r in after_rows.items()}))
              for m in measures}
    rows = []
    for node in dict.fromkeys([*after_rows, *before_rows]):
        row: dict[str, Any] = {"id": node}
        for m, (was, now) in ranked.items():
            row[f"{m}_before"], row[f"{m}_after"] = was.get(node), now.get(node)
            row[f"{m}_change"] = was[node] - now[node] if node in was and node in now else None
        was_row, now_row = before_rows.get(node), after_rows.get(node)
        if was_row is None or now_row is None or any(abs(was_row[m] - now_row[m]) > 1e-12 for m in measures):
            rows.append(row)
    first = measures[0]
    return sorted(rows, key=lambda r: (r[f"{first}_change"] is None, -abs(r[f"{first}_change"] or 0),
                                       r[f"{first}_after"] or 10**9, str(r["id"])))
