"""A stored tie as people read it: the one row every page, table and file that shows ties is made from.

``serve``'s node page, the report's tables of new and ended ties, the map's
panel and the Gephi export all show a tie by :func:`tie_row`: its ends (ids
and names, in the tie's direction), its kind in Chinese and English, its
dates, the evidence, whether the evidence states it or it is inferred (and
why), and the sources that say so. The labels of those fields are the
schema's (``tie_properties`` in ``schema.yaml``: 依据 Evidence, 开始 Start …),
given by :func:`tie_labels` to whatever shows them; nothing declares them
again. Pure: no I/O.

>>> from graph_model.records import GraphData, make_node, make_tie
>>> from graph_model.schema import default_schema
>>> schema = default_schema()
>>> g = GraphData(schema=schema)
>>> for kind, node_id in (("AssistanceUnit", "u"), ("Village", "v")):
...     g.add_node(make_node(schema, kind, {"id": node_id, "name": node_id.upper(), "source": "s"}))
>>> tie = make_tie(schema, "PAIRED_ASSISTANCE", "u", "v", {"source": "s", "evidence": "U 是 V 的帮扶单位",
...                                                         "start_date": "2022"})
>>> row = tie_row(tie, g, schema)
>>> row["source"], row["target"], row["kind_zh"], row["start_date"], row["basis"]
('U', 'V', '结对帮扶', '2022', 'stated')
>>> tie_labels(schema)["evidence"]
'依据 Evidence'
"""

from __future__ import annotations

from typing import Any

from graph_model.records import GraphData, Tie
from graph_model.schema import Schema

STATED = "stated"
"""The basis of a tie whose evidence states it (a tie without ``basis``)."""
SHOWN = ("start_date", "end_date", "evidence", "basis", "inference", "source")
"""The tie properties a row shows in fields of their own (the others are the tie's details)."""


def tie_row(tie: Tie, graph: GraphData, schema: Schema) -> dict[str, Any]:
    """One tie as a row: ``type``, ``kind_zh``, ``kind_en``, ``administrative``, ``source_id``,
    ``target_id``, ``source`` and ``target`` (names), ``start_date`` and ``end_date`` (None when not
    recorded), ``evidence``, ``basis`` (``stated`` or ``inferred``), ``inference`` (why, or None) and
    ``sources`` (each statement's source, file, place in it and load time)."""
    kind = schema.tie_kind(tie.type)
    props = tie.props
    return {
        "type": tie.type, "kind_zh": kind.zh, "kind_en": kind.en, "administrative": kind.administrative,
        "source_id": tie.source_id, "target_id": tie.target_id,
        "source": graph.nodes[tie.source_id].name, "target": graph.nodes[tie.target_id].name,
        "start_date": props.get("start_date"), "end_date": props.get("end_date"),
        "evidence": props.get("evidence"), "basis": props.get("basis") or STATED, "inference": props.get("inference"),
        "sources": [{"source": s.get("source"), "file": s.get("file"), "at": s.get("at") or "",
                     "loaded": s.get("loaded") or "", "loaded_by": s.get("loaded_by") or ""} for s in tie.provenance],
    }


def tie_labels(schema: Schema) -> dict[str, str]:
    """``{property: "中文 English"}`` for the fields a tie row shows, from the schema's tie properties."""
    found = {p.name: p for k in schema.tie_kinds for p in k.properties}  # every kind has the common ones
    return {name: found[name].label for name in SHOWN}
