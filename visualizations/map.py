"""Interactive network maps: PyVis builds the network, a page of ours shows it offline.

PyVis 0.3.2's own template loads Bootstrap from a CDN even with inline
resources, and puts its heading into the page unescaped, so the network that
PyVis builds (nodes, edges, options) is rendered into ``templates/map.html.j2``
with vis-network's script and style inlined from the PyVis package. The page
fetches nothing, escapes every name, and keeps data as JSON inside the script.

Each node is coloured by its kind (colours from the schema), sized by its
number of ties, and explains itself on hover; each tie shows its kind, year,
mechanism, evidence and source ("says who?"). Villages without any tie are
drawn hollow, so the ones left out stand out.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pyvis.network import Network

from analysis.centrality import network_graph
from graph_model.records import GraphData, Node, Tie
from graph_model.schema import Schema
from visualizations.assets import ENVIRONMENT, script_json
from visualizations.tables import compact_json

VIS_VERSION = "vis-9.1.2"
UNTIED_VILLAGE_COLOR = {"background": "#ffffff", "border": "#5e9c3f"}

OPTIONS: dict[str, Any] = {
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 90, "avoidOverlap": 0.3},
        "stabilization": {"iterations": 400, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "multiselect": True},
    "nodes": {"shape": "dot", "font": {"size": 14, "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"}},
    "edges": {"smooth": {"type": "continuous"}, "font": {"size": 11, "align": "middle"}},
}


def _vis_asset(name: str) -> str:
    return resources.files("pyvis").joinpath("lib", VIS_VERSION, name).read_text(encoding="utf-8")


def _node_title(node: Node, schema: Schema) -> str:
    kind = schema.node_kind(node.kind)
    lines = [node.name, f"{kind.zh} {kind.en} · {node.id}"]
    if node.props.get("name_raw") and node.props["name_raw"] != node.name:
        lines.append(f"原名 raw: {node.props['name_raw']}")
    if node.props.get("aliases"):
        lines.append("别名 aliases: " + "、".join(node.props["aliases"]))
    for name in ("note", "reconciliation"):
        if node.props.get(name):
            lines.append(f"{kind.property(name).label}: {node.props[name]}")
    if node.props.get("claims"):
        lines.append("报道称 claims: " + compact_json(node.props["claims"]))
    lines.append(f"来源 source: {node.props['source']}")
    return "\n".join(lines)


def _tie_title(tie: Tie, schema: Schema) -> str:
    kind = schema.tie_kind(tie.type)
    lines = [f"{kind.zh} {tie.type}"]
    for prop in kind.properties:
        value = tie.props.get(prop.name)
        if value is None or prop.derived_from or prop.name in ("source", "evidence"):
            continue
        lines.append(f"{prop.label}: {compact_json(value) if prop.type == 'json' else value}")
    lines.append(f"依据 evidence: {tie.props['evidence']}")
    lines.append(f"来源 source: {tie.props['source']}")
    return "\n".join(lines)


def build_network(graph: GraphData, schema: Schema, *, administrative: bool = True) -> Network:
    """The PyVis network of ``graph``; ``administrative=False`` leaves out PART_OF/LOCATED_IN
    and the units that only they would show."""
    tied = network_graph(graph, schema)
    net = Network(directed=True, height="100%", width="100%", cdn_resources="local")
    net.options = OPTIONS
    for node in graph.nodes.values():
        kind = schema.node_kind(node.kind)
        if not administrative and node.id not in tied:
            continue
        untied_village = node.kind == "Village" and node.id not in tied
        degree = tied.degree(node.id) if node.id in tied else 0
        net.add_node(
            node.id,
            label=node.name,
            title=_node_title(node, schema),
            color=UNTIED_VILLAGE_COLOR if untied_village else kind.color,
            size=10 + 3 * min(degree, 10) if degree else (6 if node.kind == "Village" else 10),
            borderWidth=2 if untied_village else 1,
        )
    for tie in graph.ties.values():
        kind = schema.tie_kind(tie.type)
        if kind.administrative and not administrative:
            continue
        net.add_edge(
            tie.source_id,
            tie.target_id,
            title=_tie_title(tie, schema),
            label="" if kind.administrative else kind.zh,
            color="#c8c8c8" if kind.administrative else schema.node_kind(graph.nodes[tie.source_id].kind).color,
            dashes=kind.administrative,
            width=1 if kind.administrative else 2,
            arrows="to",
        )
    return net


def render_map(graph: GraphData, schema: Schema, *, title: str = "linkgraph", administrative: bool = True) -> str:
    """The map as one self-contained HTML page (no external fetches)."""
    net = build_network(graph, schema, administrative=administrative)
    nodes, edges, _, _, _, options = net.get_network_data()
    present = {n.kind for n in graph.nodes.values()}
    legend = [{"color": k.color, "zh": k.zh, "en": k.en} for k in schema.node_kinds if k.label in present]
    tied = network_graph(graph, schema)
    untied = sum(1 for n in graph.nodes_of("Village") if n.id not in tied)
    return ENVIRONMENT.get_template("map.html.j2").render(
        title=title,
        legend=legend,
        untied=untied,
        untied_color=UNTIED_VILLAGE_COLOR,
        node_count=len(nodes),
        edge_count=len(edges),
        vis_css=_vis_asset("vis-network.css"),
        vis_js=_vis_asset("vis-network.min.js"),
        nodes_json=script_json(nodes),
        edges_json=script_json(edges),
        options_json=script_json(json.loads(options)),
    )


def write_map(graph: GraphData, schema: Schema, path: str | Path, **kwargs: Any) -> Path:
    """Render the map and write it as UTF-8; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_map(graph, schema, **kwargs), encoding="utf-8")
    return path
