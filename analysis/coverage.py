"""Coverage: what the data records, what sources claim, and what is not recorded, per county and town.

Silence in the data is not a fact: a village without a recorded assistance
unit is "未记录 not recorded", never "without assistance". Sources often state
totals they do not itemize (the Jia County article: 48 assistance units paired
with 92 villages, of which it names one pair); those totals are ``claims`` on
the county's, town's or organization's node and are shown beside the recorded
counts, never merged into them.

:func:`assistance_coverage` is the reference for the catalog query
``assistance_coverage`` (``queries/catalog.yaml``): both must give the same rows.

>>> from loaders import load_sources
>>> jia = load_sources(["examples/jia_county/case.yaml"]).graph
>>> county, *towns = assistance_coverage(jia)
>>> {k: county[k] for k in ("name", "villages", "recorded_villages", "recorded_units", "claimed_villages",
...                         "claimed_units", "not_recorded")}
{'name': '佳县', 'villages': 334, 'recorded_villages': 1, 'recorded_units': 1, 'claimed_villages': 92, 'claimed_units': 48, 'not_recorded': 333}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from analysis.network import active_on
from graph_model.places import Places, places_of
from graph_model.records import GraphData
from graph_model.schema import CLAIM, default_schema

CLAIMED_UNITS, CLAIMED_VILLAGES, CLAIMED_MEMBER_VILLAGES, EVIDENCE = (
    CLAIM[role] for role in ("units", "paired_villages", "member_villages", "evidence"))
"""Claim keys with a counting rule (``claims`` in schema.yaml; claims are free mappings).
``依据`` holds the quote that states the claims."""
PAIRING = "PAIRED_ASSISTANCE"  # 结对帮扶: who may start one is the schema's (its endpoints)


def assistance_coverage(graph: GraphData, *, as_of: dt.date | None = None,
                        places: Places | None = None) -> list[dict[str, Any]]:
    """Recorded and claimed paired assistance of every county and town, and the villages not recorded.

    One row per county, each followed by its towns, in code (id) order; towns
    whose county is not in the graph come last. Each row:

    - ``level``: ``"county"`` or ``"town"``; ``id``, ``name``; ``county``: the
      county's id (its own for a county row; None for a town without one);
    - ``villages``: the villages of the unit (in a town by ``PART_OF``, and in the town's county, as
      :mod:`graph_model.places` says);
    - ``recorded_villages``: those villages with at least one ``PAIRED_ASSISTANCE``
      tie that holds on ``as_of``, from a kind the schema lets start one (its endpoints: an
      assistance unit, or an enterprise: 万企帮万村);
    - ``recorded_units``: the distinct units with such a tie to a village of the unit (a unit paired
      with villages of two towns counts in each); ``recorded_enterprises``: those of the kind of role
      ``enterprise`` in schema.yaml (企业);
    - ``claimed_villages``, ``claimed_units``: the unit's own ``claims``
      ``结对帮扶村数`` and ``帮扶单位数`` (whole numbers), None when it claims none;
    - ``not_recorded``: ``villages − recorded_villages``: villages the data says
      nothing about (未记录), which does not mean they have no assistance.

    ``as_of`` (a day): only ties that hold on it count (:func:`analysis.network.active_on`);
    None counts every tie.
    """
    nodes = graph.nodes
    places = places or places_of(graph)  # given when worked out already: nationally 660,000 units
    schema = places.schema
    village, town_kind, county_kind = (schema.level_kind(k) for k in ("village", "town", "county"))
    starts, enterprise = set(schema.tie_kind(PAIRING).end_kinds(0)), schema.role_kind("enterprise")
    units_of: dict[str, set[str]] = {}
    for tie in graph.ties.values():
        if (tie.type == PAIRING and nodes[tie.source_id].kind in starts and nodes[tie.target_id].kind == village
                and active_on(tie, as_of)):
            units_of.setdefault(tie.target_id, set()).add(tie.source_id)
    villages_in: dict[str, list[str]] = {}
    town_of, county_of = places.town, places.county  # each node's town and county, worked out by places_of
    for node in graph.nodes_of(village):  # in its town, and in the town's county (graph_model.places)
        town = town_of.get(node.id)
        county = county_of.get(town) if town is not None else None
        for unit in filter(None, (town, county)):
            villages_in.setdefault(unit, []).append(node.id)

    def row(level: str, unit_id: str, county: str | None) -> dict[str, Any]:
        unit = nodes[unit_id]
        villages = villages_in.get(unit_id, [])
        recorded = [v for v in villages if v in units_of]
        units = set().union(*(units_of[v] for v in recorded))
        claims = unit.props.get("claims") or {}
        return {"level": level, "id": unit_id, "name": unit.name, "county": county, "villages": len(villages),
                "recorded_villages": len(recorded), "recorded_units": len(units),
                "recorded_enterprises": sum(nodes[u].kind == enterprise for u in units),
                "claimed_villages": _whole(claims.get(CLAIMED_VILLAGES)), "claimed_units": _whole(claims.get(CLAIMED_UNITS)),
                "not_recorded": len(villages) - len(recorded)}

    counties = sorted(n.id for n in graph.nodes_of(county_kind))
    towns = sorted(n.id for n in graph.nodes_of(town_kind))
    towns_of: dict[str | None, list[str]] = {}
    for town in towns:
        towns_of.setdefault(county_of.get(town), []).append(town)
    rows = []
    for county in counties:
        rows.append(row("county", county, county))
        rows.extend(row("town", town, county) for town in towns_of.get(county, []))
    rows.extend(row("town", town, None) for town in towns_of.get(None, []))
    return rows


def _whole(value: Any) -> int | None:
    """A claimed count as a whole number, or None (absent, or not a number: e.g. a text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def claim_rows(graph: GraphData, coverage: list[dict[str, Any]], *, as_of: dt.date | None = None
               ) -> list[dict[str, Any]]:
    """Every claim of every node, beside what the data records where a rule counts it.

    One row per node and claim key (``依据``, the quote, goes into each row's
    ``evidence``): ``id``, ``name``, ``kind``, ``claim``, ``claimed`` (the value as
    stated), ``recorded`` (a count, or None where no rule counts it) and
    ``evidence``. Rules: ``帮扶单位数`` and ``结对帮扶村数`` of a county or town
    are its ``recorded_units`` and ``recorded_villages`` in ``coverage``;
    ``成员村数`` of an organization counts the villages with a ``MEMBER_OF`` tie
    to it that holds on ``as_of``.
    """
    by_id = {row["id"]: row for row in coverage}
    village = (graph.schema or default_schema()).level_kind("village")
    members: dict[str, set[str]] = {}
    for tie in graph.ties.values():
        if tie.type == "MEMBER_OF" and graph.nodes[tie.source_id].kind == village and active_on(tie, as_of):
            members.setdefault(tie.target_id, set()).add(tie.source_id)
    rows = []
    for node in graph.nodes.values():
        claims = node.props.get("claims")
        if not isinstance(claims, dict):
            continue
        for key, value in claims.items():
            if key == EVIDENCE:
                continue
            recorded = None
            if key in (CLAIMED_UNITS, CLAIMED_VILLAGES) and node.id in by_id:
                recorded = by_id[node.id]["recorded_units" if key == CLAIMED_UNITS else "recorded_villages"]
            elif key == CLAIMED_MEMBER_VILLAGES:
                recorded = len(members.get(node.id, ()))
            rows.append({"id": node.id, "name": node.name, "kind": node.kind, "claim": key, "claimed": value,
                         "recorded": recorded, "evidence": str(claims.get(EVIDENCE, ""))})
    return rows
