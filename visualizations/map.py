"""The planner's map: one offline page that opens on the organizations and their working ties.

Python builds the page's data once, in time linear in the graph: nodes and
ties as columns, the places (towns, counties …) they lie in, each node's
search keys from the one name matcher (:mod:`graph_model.names`, with a
character table so that the page folds what a user types the same way),
the measures of :mod:`analysis.centrality`, and a precomputed layout. The
page is ``templates/map.html.j2`` with vis-network (inlined from the pyvis
package; pyvis itself is not used, its ``add_node``/``add_edge`` are O(n)
each) and the page's behaviour, ``static/map.js`` (search, filters, focus,
path, time, export, aggregation), inlined at build time. Nothing is fetched,
every name stays data (JSON in a ``<script type="application/json">``, shown
with ``textContent``), and the page's Content Security Policy allows only its
own two scripts, by hash.

What the page opens on: organizations and their working ties (tie kinds of
category ``working`` in the schema), sized by a measure the user picks; the
administrative layer (provinces … towns, the roster's villages) and attribute
ties (industries) behind toggles; villages without ties counted per town. Above
:data:`AGGREGATE_ABOVE` drawn nodes it opens aggregated (towns, counties, cities
or provinces as nodes, tie counts as edges) and drills down on click.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
from collections import Counter, defaultdict, deque
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import networkx as nx
import numpy as np

from analysis.centrality import centrality_rows
from analysis.findings import MEASURES as REPORT_MEASURES
from analysis.network import collaboration_network
from graph_model import names
from graph_model.places import Places, places_of
from graph_model.records import GraphData
from graph_model.schema import Schema
from graph_model.tie_rows import tie_labels, tie_row
from visualizations.assets import ENVIRONMENT, script_json
from visualizations.tables import compact_json

VIS_VERSION = "vis-9.1.2"
# Above this many nodes drawn at the opening view, the page opens aggregated.
AGGREGATE_ABOVE = 2000
# Aggregated views show at most this many groups: the finest place level that fits.
GROUP_LIMIT = 400
# Villages without ties are shipped one by one up to this many; above it only their count per town.
UNTIED_LIMIT = 20000
# Betweenness and closeness cost about nodes x (nodes + ties) in NetworkX; above this, degree only.
# Layout: distance between neighbours in the page's units (about pixels at the opening zoom).
SPACING = 70.0
EDGE_LENGTH = 1.7 * SPACING  # a tie, about
NODE_ROOM = 0.5 * SPACING  # the least distance of a node to the next, about
LABEL_ROOM = 8.0  # half the width of a label's character at the opening zoom
VILLAGE_STEP = 0.45 * SPACING  # villages without ties lie this close together beside their town
# Ids of benchmarks/synth.py's invented organizations: a page that shows them says so.
SYNTHETIC_PREFIX = "syn:"
# The report's measures a node can be sized by, with the report's names: name: (zh, en)
MEASURES = {m: (REPORT_MEASURES[m].zh, REPORT_MEASURES[m].en) for m in ("partners", "betweenness", "harmonic", "pagerank")}
# Properties shown by the panel in their own place (or not at all).
_SHOWN_APART = {"id", "name", "source", "source_keys", "provenance", "match_text", "place", "start_date",
                "end_date", "evidence"}
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


# ---------------------------------------------------------------- what a node is, where it lies

class _Strings:
    """A table of repeated texts (sources, files, evidence): each is shipped once, referred to by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str | None) -> int:
        if text is None:
            return -1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def table(self) -> list[str]:
        return list(self.index)


def place_levels(schema: Schema) -> tuple[str, ...]:
    """The kinds of the places the map files nodes under and filters by: every level but the villages."""
    return tuple(k for k in schema.administrative_kinds if k != schema.level_kind("village"))


def _places(graph: GraphData, schema: Schema, places: Places) -> tuple[list[str], dict[str, str]]:
    """The place nodes (provinces … towns), in the order they are shipped, and each one's parent place."""
    levels = place_levels(schema)
    ordered = [n.id for level in levels for n in graph.nodes_of(level)]
    return ordered, {unit: up for unit, up in places.parent.items() if places.kinds[unit] in levels}


def _tied(graph: GraphData, schema: Schema) -> set[str]:
    """Nodes with at least one tie that is not administrative (the network's nodes)."""
    administrative = {t.type for t in schema.tie_kinds if t.administrative}
    return {i for t in graph.ties.values() if t.type not in administrative for i in (t.source_id, t.target_id)}


# ---------------------------------------------------------------- layout

def _county_of(node_id: str, place: Mapping[str, str], parent: Mapping[str, str], kinds: Mapping[str, str],
               county: str) -> str | None:
    at = place.get(node_id)
    while at is not None and kinds.get(at) != county:
        at = parent.get(at)
    return at


def _cells(graph: GraphData, schema: Schema, shipped: Iterable[str], place: Mapping[str, str],
           parent: Mapping[str, str]) -> dict[str, str | None]:
    """The county each node is laid out with; nodes without one take their nearest tied neighbour's."""
    kinds = {n.id: n.kind for n in graph.nodes.values()}
    county = schema.level_kind("county")
    cell = {i: _county_of(i, place, parent, kinds, county) for i in shipped}
    administrative = {t.type for t in schema.tie_kinds if t.administrative}
    neighbours: dict[str, list[str]] = defaultdict(list)
    for tie in graph.ties.values():
        if tie.type not in administrative and tie.source_id in cell and tie.target_id in cell:
            neighbours[tie.source_id].append(tie.target_id)
            neighbours[tie.target_id].append(tie.source_id)
    queue = deque(i for i, c in cell.items() if c is not None)
    while queue:
        at = queue.popleft()
        for other in neighbours[at]:
            if cell[other] is None:
                cell[other] = cell[at]
                queue.append(other)
    return cell


def _spread(count: int, step: float) -> np.ndarray:
    """``count`` points filling a disc evenly (a sunflower) around (0, 0), about ``step`` apart."""
    i = np.arange(count) + 0.5
    return np.column_stack((step * np.sqrt(i) * np.cos(i * GOLDEN_ANGLE), step * np.sqrt(i) * np.sin(i * GOLDEN_ANGLE)))


def _separate(pos: np.ndarray, radii: np.ndarray, movable: np.ndarray, rounds: int) -> np.ndarray:
    """Discs pushed apart until none overlap (or ``rounds`` run out); fixed discs do not move."""
    n = len(pos)
    if n < 2:
        return pos
    pos = pos + _spread(n, 1e-3)  # no two discs start on the same point
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1]) + np.eye(n)
        overlap = np.clip(radii[:, None] + radii[None, :] - dist, 0, None)
        np.fill_diagonal(overlap, 0)
        if overlap.max() < 1.0:  # a unit is about a pixel at the opening zoom
            break
        share = np.where(movable[None, :], 0.5, 1.0) * movable[:, None]  # a fixed neighbour pushes the whole way
        pos = pos + (delta / dist[..., None] * (overlap * share)[..., None]).sum(axis=1)
    return pos


def _component(g: nx.Graph, room: Mapping[str, float]) -> dict[str, np.ndarray]:
    """A connected part of the network laid out around (0, 0), ties about :data:`EDGE_LENGTH` long,
    each node at least its ``room`` (half its label's width) from the next."""
    nodes = list(g)
    if len(nodes) <= 2:
        half = (room[nodes[0]] + room[nodes[-1]]) / 2 if len(nodes) == 2 else 0.0
        return {n: np.array([x, 0.0]) for n, x in zip(nodes, (-half, half))}
    hub, degree = max(g.degree, key=lambda item: item[1])
    if degree == len(nodes) - 1 and g.number_of_edges() == degree:  # a star: its hub in the middle
        leaves = [n for n in nodes if n != hub]
        spoke = max(EDGE_LENGTH, len(leaves) * 2 * max(room[n] for n in leaves) / (2 * math.pi))
        angles = np.linspace(0, 2 * math.pi, len(leaves), endpoint=False)
        return {hub: np.zeros(2), **{n: spoke * np.array([math.cos(a), math.sin(a)]) for n, a in zip(leaves, angles)}}
    raw = nx.spring_layout(g, seed=1, iterations=min(50, 10 + len(nodes)))
    pos = np.array([raw[n] for n in nodes], dtype=float)
    slot = {n: k for k, n in enumerate(nodes)}
    ends = np.array([(slot[a], slot[b]) for a, b in g.edges()])
    pos *= EDGE_LENGTH / (float(np.median(np.linalg.norm(pos[ends[:, 0]] - pos[ends[:, 1]], axis=1))) or 1.0)
    if len(nodes) <= 1500:
        pos = _separate(pos, np.array([room[n] for n in nodes]), np.ones(len(nodes), bool), 50)
    pos -= pos.mean(axis=0)
    return dict(zip(nodes, pos))


def _network_parts(network: nx.Graph, room: Mapping[str, float]) -> list[dict[str, np.ndarray]]:
    """Each connected part of a county's network laid out around its own centre (:func:`_component`)."""
    order = {n: k for k, n in enumerate(network)}
    parts = []
    for part in nx.connected_components(network):  # sets: put back in the network's order, for a stable layout
        members = sorted(part, key=order.__getitem__)
        component = nx.Graph()
        component.add_nodes_from(members)
        component.add_edges_from(network.edges(members))
        parts.append(_component(component, room))
    return parts


def _add_village_discs(groups: list[tuple[str, list[str]]], discs: list[dict[str, np.ndarray]], anchors: list,
                       radii: list[float], radius: float, direction: Mapping[str, np.ndarray],
                       placed: Mapping[str, np.ndarray], network: nx.Graph) -> None:
    """A disc of each town's villages without ties, anchored outside the ring beside the town (or beside
    the town in the network, where it has ties), with room on the outside for all of them."""
    group_radii = [VILLAGE_STEP * math.sqrt(len(v)) + NODE_ROOM for _, v in groups]
    around = sum(2 * r + SPACING / 2 for r in group_radii) / (2 * math.pi)  # room for all of them
    for (unit, villages), group_radius in zip(groups, group_radii):
        discs.append(dict(zip(villages, _spread(len(villages), VILLAGE_STEP))))
        outer = max(radius + SPACING + group_radius, around)
        anchors.append(placed[unit] if unit in network else outer * direction[unit])
        radii.append(group_radius)


def _cell_layout(network: nx.Graph, ring: list[str], untied_by_town: Mapping[str, list[str]],
                 town_of: Mapping[str, str], room: Mapping[str, float]) -> dict[str, np.ndarray]:
    """One county around (0, 0): its network in the middle, each connected part drawn toward its
    towns; around it a ring of the county and its towns in code order (a town with ties of its own
    stays in its part of the network); each town's villages without ties in a disc beside it (outside
    the ring, or next to the town's part of the network). Villages of no known town (key ``""``) get
    a place on the ring of their own."""
    parts = _network_parts(network, room)
    part_radii = [float(np.linalg.norm(np.array(list(local.values())), axis=1).max()) + NODE_ROOM for local in parts]
    inner = math.sqrt(sum(r * r for r in part_radii)) * 1.5
    radius = max(inner + 2 * SPACING, len(ring) * 2.2 * SPACING / (2 * math.pi), SPACING)
    direction = {unit: np.array([math.cos(a), math.sin(a)]) for unit, a in
                 zip(ring, np.linspace(0, 2 * math.pi, len(ring), endpoint=False) - math.pi / 2)}
    discs: list[dict[str, np.ndarray]] = []  # each: positions around its centre
    anchors, radii, movable = [], [], []
    for unit in ring:
        if unit and unit not in network:
            discs.append({unit: np.zeros(2)})
            anchors.append(radius * direction[unit])
            radii.append(NODE_ROOM)
            movable.append(False)
    for local, part_radius in zip(parts, part_radii):
        towns = [direction[town_of[n]] for n in local if town_of.get(n) in direction]
        discs.append(local)
        anchors.append(0.5 * radius * np.mean(towns, axis=0) if towns else np.zeros(2))
        radii.append(part_radius)
        movable.append(True)
    centres = _separate(np.array(anchors).reshape(-1, 2), np.array(radii) + SPACING / 2, np.array(movable, bool), 100)
    placed = {n: centre + offset for local, centre in zip(discs, centres) for n, offset in local.items()}
    # villages without ties: outside the ring beside their town, or beside it in the network
    groups = [(unit, untied_by_town[unit]) for unit in ring if untied_by_town.get(unit)]
    _add_village_discs(groups, discs, anchors, radii, radius, direction, placed, network)
    movable = [False] * len(centres) + [True] * len(groups)
    centres = _separate(np.vstack([centres, np.array(anchors[len(centres):]).reshape(-1, 2)]),
                        np.array(radii) + SPACING / 2, np.array(movable), 100)
    return {n: centre + offset for local, centre in zip(discs, centres) for n, offset in local.items()}


def _centred(pos: Mapping[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """Positions moved so that their box is centred on (0, 0), and the radius of the disc they need."""
    if not pos:
        return SPACING, {}
    points = np.array(list(pos.values()))
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    radius = float(np.linalg.norm(points - centre, axis=1).max()) + SPACING
    return radius, {n: p - centre for n, p in pos.items()}


def _pack(discs: list[tuple[float, dict[str, np.ndarray]]]) -> tuple[float, dict[str, np.ndarray]]:
    """Discs (radius, positions around their centre) set side by side in rows, in order, as one disc."""
    if len(discs) == 1:
        return discs[0]
    row_width = math.sqrt(sum((2 * r) ** 2 for r, _ in discs)) * 1.2
    placed: dict[str, np.ndarray] = {}
    x = y = row_height = 0.0
    for radius, pos in discs:
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        offset = np.array([x + radius, y + radius])
        placed.update((n, p + offset) for n, p in pos.items())
        x += 2 * radius
        row_height = max(row_height, 2 * radius)
    return _centred(placed)


def layout(graph: GraphData, schema: Schema, shipped: list[str], place: Mapping[str, str],
           parent: Mapping[str, str], tied: set[str]) -> dict[str, tuple[float, float]]:
    """A position for every shipped node, so that the page needs no physics.

    Each county is laid out on its own (:func:`_cell_layout`: its network in
    the middle, each connected part toward its towns, the towns with their
    villages without ties on a ring around it); counties are then set side by
    side within their city, cities within their province, provinces in the
    country, in code order. The cost grows with the number of counties times
    the size of the largest, not with the square of the graph. City and
    province nodes sit above their counties.
    """
    kinds = {n.id: n.kind for n in graph.nodes.values()}
    province, city = schema.level_kind("province"), schema.level_kind("city")
    cell = _cells(graph, schema, shipped, place, parent)
    networks, rings, untied = _cell_members(schema, kinds, shipped, place, tied, cell)
    room = {n: max(NODE_ROOM, min(LABEL_ROOM * len(graph.nodes[n].name), 4 * NODE_ROOM))
            for c in networks.values() for n in c}
    _add_cell_ties(graph, schema, networks, set(shipped), cell)
    cells: dict[str | None, tuple[float, dict[str, np.ndarray]]] = {}
    for c in sorted(set(networks) | set(rings) | set(untied), key=lambda c: (c is None, c or "")):
        untied_here = untied[c]
        ring = rings[c] + [t for t in untied_here if t not in rings[c]]
        cells[c] = _centred(_cell_layout(networks[c], ring, untied_here, place, room))
    # counties side by side within their city, cities within their province, provinces in the country
    for _ in (city, province):
        grouped: dict[str | None, list[tuple[float, dict[str, np.ndarray]]]] = defaultdict(list)
        for key, laid in cells.items():
            grouped[parent.get(key) if key is not None else None].append(laid)
        cells = {key: _pack(items) for key, items in grouped.items()}
    _, packed = _pack(list(cells.values()))
    positions = {n: (float(x), float(y)) for n, (x, y) in packed.items()}
    for level in (city, province):  # above the middle of their counties (cities)
        _place_above(positions, level, kinds, shipped, parent)
    return positions


def _cell_members(schema: Schema, kinds: Mapping[str, str], shipped: list[str], place: Mapping[str, str],
                  tied: set[str], cell: Mapping[str, str | None]):
    """Per cell (county): its network's nodes (tied nodes, organizations), its ring (the county and its
    towns, county first) and its villages without ties by their town."""
    administrative_kind = {k.label: k.administrative for k in schema.node_kinds}
    province, city, county, town, village = (schema.level_kind(k) for k in ("province", "city", "county", "town",
                                                                             "village"))
    networks: dict[str | None, nx.Graph] = defaultdict(nx.Graph)
    rings: dict[str | None, list[str]] = defaultdict(list)
    untied: dict[str | None, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node_id in sorted(shipped, key=lambda n: (kinds[n] != county, n)):
        kind = kinds[node_id]
        if kind in (province, city):
            continue
        if node_id in tied or not administrative_kind[kind]:
            networks[cell[node_id]].add_node(node_id)
        if kind in (county, town):
            rings[cell[node_id]].append(node_id)
        elif kind == village and node_id not in tied:
            untied[cell[node_id]][place.get(node_id, "")].append(node_id)
    return networks, rings, untied


def _add_cell_ties(graph: GraphData, schema: Schema, networks: Mapping[str | None, nx.Graph], shipped: set[str],
                   cell: Mapping[str, str | None]) -> None:
    """The ties (not administrative ones) between shipped nodes of the same cell, as edges of its network."""
    administrative = {t.type for t in schema.tie_kinds if t.administrative}
    for tie in graph.ties.values():
        a, b = tie.source_id, tie.target_id
        if tie.type not in administrative and a in shipped and b in shipped and cell[a] == cell[b]:
            networks[cell[a]].add_edge(a, b)


def _place_above(positions: dict[str, tuple[float, float]], level: str, kinds: Mapping[str, str],
                 shipped: list[str], parent: Mapping[str, str]) -> None:
    """Each shipped unit of ``level`` (city, province) above the middle of its children laid out."""
    children: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for child, up in parent.items():
        if kinds.get(up) == level and child in positions:
            children[up].append(positions[child])
    for node_id in shipped:
        if kinds[node_id] == level:
            found = children.get(node_id) or [(0.0, 0.0)]
            positions[node_id] = (sum(p[0] for p in found) / len(found), min(p[1] for p in found) - 2 * SPACING)


# ---------------------------------------------------------------- measures and search

def measure_label(name: str) -> str:
    """``中介中心性 Betweenness``; a name that is the same in both languages once (``PageRank``)."""
    zh, en = MEASURES[name]
    return zh if zh == en else f"{zh} {en}"


def node_measures(graph: GraphData, schema: Schema, places: Places | None = None
                  ) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The measures the map can size nodes by, and the value of each for every node of the network.

    The report's numbers: :func:`analysis.centrality.centrality_rows` on the
    collaboration network (working ties only, :mod:`analysis.network`), by
    igraph above a size and sampled in very large pieces (:mod:`analysis.engine`).
    Nodes with attribute ties only (industries) are not in the network and get 0.
    """
    network = collaboration_network(graph, schema, places=places)
    rows = centrality_rows(network.undirected, network.directed)
    return list(MEASURES), {r["node"]: {m: float(r[m]) for m in MEASURES} for r in rows}


def measures_from(rows: Iterable[Mapping[str, Any]]) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The map's measures picked from the report's node rows (:attr:`analysis.report.Analysis.nodes`), so that
    ``serve`` computes the centralities once for its map, its node pages and its report."""
    return list(MEASURES), {r["id"]: {m: float(r[m]) for m in MEASURES} for r in rows}


def search_tables(keys: Iterable[str]) -> dict[str, Any]:
    """What the page needs to fold typed text as :func:`graph_model.names.match_key` does.

    ``chars``: every character whose match key differs from itself and is made
    of characters that occur in ``keys`` (others cannot match anyway);
    ``words``: the multi-character folk forms and their canonical form.
    """
    alphabet = set("".join(keys))
    table = _char_keys()
    return {"chars": {c: k for c, k in table.items() if all(ch in alphabet for ch in k)}, "words": names.folk_words()}


@functools.cache
def _char_keys() -> dict[str, str]:
    """Every Chinese character (and compatibility form) whose match key is another text (once: about 0.3 s)."""
    blocks = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF), (0x2A700, 0x2EBEF))
    chars = (chr(code) for low, high in blocks for code in range(low, high + 1))
    return {char: key for char in chars if (key := names.match_key(char)) and key != char}


# ---------------------------------------------------------------- the page's data

def readable_properties(props: Mapping[str, Any], properties) -> list[tuple[str, str]]:
    """``[(label, text), …]``: the properties a node's or tie's panel lists (besides its name, id,
    evidence, dates and sources), as people read them: JSON spelt out, lists joined, 是/否."""
    shown = []
    for prop in properties:
        value = props.get(prop.name)
        if prop.name in _SHOWN_APART or prop.derived_from or value is None or value == "" or value == []:
            continue
        if prop.name == "name_raw" and value == props.get("name"):
            continue
        if isinstance(value, bool):
            text = "是 yes" if value else "否 no"
        elif isinstance(value, list) and prop.type == "string_list":
            text = "、".join(str(v) for v in value)
        elif prop.type == "json":
            text = compact_json(value) if isinstance(value, (dict, str)) else "; ".join(map(compact_json, value))
        else:
            text = str(value)
        shown.append((prop.label, text))
    return shown


def _details(props: Mapping[str, Any], properties, strings: _Strings) -> list[list[Any]]:
    """:func:`readable_properties` with the labels as indexes into the string table."""
    return [[strings(label), text] for label, text in readable_properties(props, properties)]


def _provenance(statements: list[Mapping[str, Any]], strings: _Strings) -> list[list[Any]]:
    """Each statement as ``[source, file, where, loaded, loaded by]`` (texts by index into the string table)."""
    return [[strings(s.get("source")), strings(s.get("file")), s.get("at") or "", s.get("loaded") or "",
             strings(s.get("loaded_by"))] for s in statements]


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date else None


def _place_columns(graph: GraphData, schema: Schema, place_ids: list[str], place_index: Mapping[str, int],
                   parent: Mapping[str, str], index: Mapping[str, int]) -> dict[str, list[Any]]:
    """The places as columns: id, name, level, parent place and shipped node (-1: none)."""
    return {
        "id": place_ids,
        "name": [graph.nodes[p].name for p in place_ids],
        "level": [place_levels(schema).index(graph.nodes[p].kind) for p in place_ids],
        "parent": [place_index.get(parent.get(p, ""), -1) for p in place_ids],
        "node": [index.get(p, -1) for p in place_ids],
    }


def _shipped(graph: GraphData, schema: Schema, tied: set[str] | frozenset[str], administrative: bool,
             ship_untied: bool) -> list[str]:
    """The ids of the nodes the page shows: tied nodes and organizations always, untied villages if
    ``ship_untied``, other untied places if ``administrative``."""
    node_kinds = {k.label: k for k in schema.node_kinds}
    village = schema.level_kind("village")

    def shipped_node(node) -> bool:
        if node.id in tied or not node_kinds[node.kind].administrative:
            return True
        if node.kind == village:
            return ship_untied
        return administrative

    return [n.id for n in graph.nodes.values() if shipped_node(n)]


def _node_columns(graph: GraphData, schema: Schema, shipped: list[str], positions: Mapping[str, tuple[float, float]],
                  place: Mapping[str, str], place_index: Mapping[str, int], tied: set[str] | frozenset[str],
                  measure_names: list[str], measures: Mapping[str, Mapping[str, float]],
                  strings: _Strings) -> dict[str, Any]:
    """The shipped nodes as columns: id, name, kind, place, position, search keys, details, provenance, measures."""
    node_kinds = {k.label: k for k in schema.node_kinds}
    kind_order = {k.label: i for i, k in enumerate(schema.node_kinds)}
    nodes: dict[str, Any] = {k: [] for k in ("id", "name", "kind", "place", "x", "y", "keys", "tied",
                                             "details", "provenance")}
    nodes["measures"] = {m: [] for m in measure_names}
    for node_id in shipped:
        node = graph.nodes[node_id]
        props = node.props
        x, y = positions.get(node_id, (0.0, 0.0))
        nodes["id"].append(node_id)
        nodes["name"].append(node.name)
        nodes["kind"].append(kind_order[node.kind])
        nodes["place"].append(place_index.get(place.get(node_id, ""), -1))
        nodes["x"].append(round(x, 1))
        nodes["y"].append(round(y, 1))
        nodes["keys"].append(props.get("match_text") or names.match_text(
            [node.name, props.get("name_raw"), *(props.get("aliases") or ())], node.kind))
        nodes["tied"].append(1 if node_id in tied else 0)
        nodes["details"].append(_details(props, node_kinds[node.kind].properties, strings))
        nodes["provenance"].append(_provenance(node.provenance, strings))
        values = measures.get(node_id, {})
        for m in measure_names:
            nodes["measures"][m].append(float(f"{values.get(m, 0.0):.4g}"))
    return nodes


def _edge_columns(graph: GraphData, schema: Schema, index: Mapping[str, int], administrative: bool,
                  strings: _Strings) -> dict[str, list[Any]]:
    """The ties between shipped nodes (administrative ones only if asked) as columns."""
    tie_kinds = {t.type: t for t in schema.tie_kinds}
    type_order = {t.type: i for i, t in enumerate(schema.tie_kinds)}
    edges: dict[str, list[Any]] = {k: [] for k in ("from", "to", "type", "start", "end", "evidence", "details",
                                                   "provenance")}
    for tie in graph.ties.values():
        if tie.source_id not in index or tie.target_id not in index:
            continue
        if not administrative and tie_kinds[tie.type].administrative:
            continue
        row = tie_row(tie, graph, schema)
        edges["from"].append(index[row["source_id"]])
        edges["to"].append(index[row["target_id"]])
        edges["type"].append(type_order[row["type"]])
        edges["start"].append(row["start_date"])
        edges["end"].append(row["end_date"])
        edges["evidence"].append(strings(row["evidence"]))
        edges["details"].append(_details(tie.props, tie_kinds[tie.type].properties, strings))
        edges["provenance"].append(_provenance(row["sources"], strings))
    return edges


def map_data(graph: GraphData, schema: Schema, *, title: str = "linkgraph", administrative: bool = True,
             links: Mapping[str, str] | None = None,
             measures: tuple[list[str], dict[str, dict[str, float]]] | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready columns; pure and linear in the graph (plus the
    layout, which grows with the largest county, and the measures, see :func:`node_measures`).

    ``administrative=False`` leaves out the administrative ties and the places only they would show.
    ``links`` are URL templates of ``linkgraph serve`` (``node``: a node's page, ``{id}`` replaced).
    ``measures`` are the node measures when already computed (:func:`measures_from`).
    """
    tied = _tied(graph, schema)
    places = places_of(graph, schema)
    place = places.finest(place_levels(schema))
    place_ids, parent = _places(graph, schema, places)
    village = schema.level_kind("village")
    untied_villages = [n.id for n in graph.nodes_of(village) if n.id not in tied]
    ship_untied = administrative and len(untied_villages) <= UNTIED_LIMIT
    shipped = _shipped(graph, schema, tied, administrative, ship_untied)
    index = {node_id: i for i, node_id in enumerate(shipped)}
    positions = layout(graph, schema, shipped, place, parent, tied)
    measure_names, measures = measures or node_measures(graph, schema, places)
    strings = _Strings()

    place_index = {p: i for i, p in enumerate(place_ids)}
    places = _place_columns(graph, schema, place_ids, place_index, parent, index)
    nodes = _node_columns(graph, schema, shipped, positions, place, place_index, tied, measure_names, measures,
                          strings)
    edges = _edge_columns(graph, schema, index, administrative, strings)

    untied_count = Counter(place.get(v) for v in untied_villages)
    years = [_year(d) for d in (*edges["start"], *edges["end"]) if d]
    return {
        "title": title,
        "synthetic": any(i.startswith(SYNTHETIC_PREFIX) for i in shipped),
        "kinds": [{"label": k.label, "zh": k.zh, "en": k.en, "color": k.color, "administrative": k.administrative,
                   "level": next((level.key for level in schema.levels if level.kind == k.label), None)}
                  for k in schema.node_kinds],
        "ties": [{"type": t.type, "zh": t.zh, "en": t.en, "category": t.category} for t in schema.tie_kinds],
        "measures": [{"name": m, "label": measure_label(m)} for m in measure_names],
        "places": places,
        "untiedPerPlace": {place_index[p]: n for p, n in untied_count.items() if p in place_index},
        "untiedShipped": ship_untied,
        "nodes": nodes,
        "edges": edges,
        "strings": strings.table(),
        "years": [min(years), max(years)] if years else None,
        "search": search_tables(nodes["keys"]),
        "links": dict(links or {}),
        "labels": tie_labels(schema),
        "limits": {"aggregateAbove": AGGREGATE_ABOVE, "groupLimit": GROUP_LIMIT},
    }


# ---------------------------------------------------------------- the page

def _vis_asset(name: str) -> str:
    return resources.files("pyvis").joinpath("lib", VIS_VERSION, name).read_text(encoding="utf-8")


def static_asset(name: str) -> str:
    """A file of visualizations/static (the pages inline it)."""
    return resources.files("visualizations").joinpath("static", name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The CSP source (``'sha256-…'``) that allows exactly this inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_map(graph: GraphData, schema: Schema, *, title: str = "linkgraph", administrative: bool = True,
               links: Mapping[str, str] | None = None,
               measures: tuple[list[str], dict[str, dict[str, float]]] | None = None) -> str:
    """The map as one self-contained HTML page (nothing fetched; scripts allowed by hash only)."""
    data = map_data(graph, schema, title=title, administrative=administrative, links=links, measures=measures)
    scripts = [_vis_asset("vis-network.min.js"), static_asset("map.js")]
    styles = [_vis_asset("vis-network.css"), static_asset("map.css")]
    return ENVIRONMENT.get_template("map.html.j2").render(
        title=title,
        links=links or {},
        synthetic=data["synthetic"],
        scripts=scripts,
        styles=styles,
        data_json=script_json(data),
        script_hashes=" ".join(csp_hash(s) for s in scripts),
    )


def write_map(graph: GraphData, schema: Schema, path: str | Path, **kwargs: Any) -> Path:
    """Render the map and write it as UTF-8; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_map(graph, schema, **kwargs), encoding="utf-8")
    return path
