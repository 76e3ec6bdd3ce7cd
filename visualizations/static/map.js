/* linkgraph's map: search, filters, focus, path, time, export and aggregation over vis-network.
 *
 * The data (visualizations/map.py, map_data) is JSON in #linkgraph-data: nodes and ties as columns,
 * the places they lie in, the measures, a precomputed layout (no physics) and the tables that fold
 * typed text as graph_model/names.py's match_key does. Every name reaches the page as text
 * (textContent, canvas labels, vis-network titles, which it sets with innerText), never as HTML.
 * window.linkgraph exposes the network and a few read-outs for tests and benchmarks.
 */
(function () {
  "use strict";

  const D = JSON.parse(document.getElementById("linkgraph-data").textContent);
  const L = D.labels;  // the schema's labels of a tie's fields: 依据 Evidence, 来源 Source …
  const N = D.nodes, E = D.edges, P = D.places, S = D.strings;
  const nodeCount = N.id.length, edgeCount = E.from.length;
  const KINDS = D.kinds, TIES = D.ties;
  const LEVELS = 4; // Province, City, County, Town (map.py PLACE_LEVELS)
  const TOWN_LEVEL = 3, COUNTY_LEVEL = 2;
  const VILLAGE = KINDS.findIndex(k => k.level === "village");  // the schema's village level
  const ADMIN_CATEGORY = "administrative";
  const isAdminTie = TIES.map(t => t.category === ADMIN_CATEGORY);
  const $ = id => document.getElementById(id);

  // ------------------------------------------------------------------ indexes, built once (linear)

  const indexOf = new Map();
  N.id.forEach((id, i) => indexOf.set(id, i));
  const adjacency = Array.from({length: nodeCount}, () => []);
  for (let e = 0; e < edgeCount; e++) {
    adjacency[E.from[e]].push(e);
    adjacency[E.to[e]].push(e);
  }
  const yearOf = date => (date ? parseInt(date.slice(0, 4), 10) : null);
  const startYear = E.start.map(yearOf), endYear = E.end.map(yearOf);

  // ancestors[level][i]: the node's place at that level (-1 when it has none there)
  const placeAncestors = Array.from({length: P.id.length}, (_, p) => {
    const chain = [-1, -1, -1, -1];
    for (let at = p; at >= 0; at = P.parent[at]) chain[P.level[at]] = at;
    return chain;
  });
  const ancestors = Array.from({length: LEVELS}, (_, level) =>
    Int32Array.from(N.place, p => (p >= 0 ? placeAncestors[p][level] : -1)));
  const countyCount = P.level.filter(l => l === COUNTY_LEVEL).length;

  // parallel ties between one pair curve apart
  const bend = new Float32Array(edgeCount);
  (function () {
    const seen = new Map();
    for (let e = 0; e < edgeCount; e++) {
      const a = E.from[e], b = E.to[e];
      const key = a < b ? a + ":" + b : b + ":" + a;
      const n = seen.get(key) || 0;
      seen.set(key, n + 1);
      bend[e] = 0.08 + 0.18 * n;
    }
  })();

  const presentKinds = new Set(N.kind);
  const untiedTotal = Object.values(D.untiedPerPlace).reduce((a, b) => a + b, 0);
  const presentTies = new Set(E.type);

  // ------------------------------------------------------------------ the one name matcher's keys

  const FOLD = D.search.chars, WORDS = D.search.words;
  const wordList = Object.keys(WORDS).sort((a, b) => b.length - a.length);
  const WORDS_RE = wordList.length ? new RegExp(wordList.map(w => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gu") : null;
  const GLOSS = /(?<=[\u3400-\u9fff\u{20000}-\u{2ffff}])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêḿńňǹ]+\)/gu;
  const NOT_KEY = /[^\p{L}\p{N}]+/gu;

  /** The text's key as graph_model.names.match_key computes it (tables from map.py, search_tables). */
  function matchKey(text) {
    let t = text.normalize("NFKC").replace(GLOSS, "");
    t = Array.from(t, c => (FOLD[c] !== undefined ? FOLD[c] : c)).join("").replace(NOT_KEY, "");
    return WORDS_RE ? t.replace(WORDS_RE, m => WORDS[m]) : t;
  }
  const nameKeys = N.keys.map(k => k.split("|")[1] || "");

  /** Nodes whose name, raw name or alias contains the text in any spelling, or whose id starts with it. */
  function search(text) {
    const typed = text.trim();
    const key = matchKey(typed);
    if (!typed) return [];
    const byId = typed.length >= 4 && /^[\w:.-]+$/.test(typed);
    const found = [];
    for (let i = 0; i < nodeCount; i++) {
      if ((key && N.keys[i].indexOf(key) >= 0) || N.id[i] === typed || (byId && N.id[i].startsWith(typed))) found.push(i);
    }
    const whole = "|" + key + "|";
    const rank = i => [N.id[i] === typed ? 0 : 1, nameKeys[i] === key ? 0 : 1, N.keys[i].includes(whole) ? 0 : 1,
      nameKeys[i].startsWith(key) ? 0 : 1, Math.abs(nameKeys[i].length - key.length), KINDS[N.kind[i]].administrative ? 1 : 0];
    const ranks = new Map(found.map(i => [i, rank(i)]));
    found.sort((a, b) => {
      const ra = ranks.get(a), rb = ranks.get(b);
      for (let j = 0; j < ra.length; j++) if (ra[j] !== rb[j]) return ra[j] - rb[j];
      return N.id[a] < N.id[b] ? -1 : 1;
    });
    return found;
  }

  // ------------------------------------------------------------------ state

  const state = {
    admin: false,
    untied: false,
    aggregate: false,
    kinds: new Set(presentKinds),
    ties: new Set([...presentTies].filter(t => TIES[t].category !== "attribute")),
    town: -1,
    year: null,
    undated: true,
    measure: D.measures[0] ? D.measures[0].name : null,
    hops: 1,
    focus: -1,
    path: null, // {from, to, paths: [[node…]], nodes: Set, edges: Set}
    highlight: null, // Set of nodes (linkgraph serve: a query's answer)
    revealed: new Set(), // the node the user asked for (search, click), drawn whatever the filters say
    expanded: new Map(), // place -> "one" (its next level) | "all" (its nodes)
    startLevel: COUNTY_LEVEL,
  };

  function tieAllowed(e) {
    const t = E.type[e];
    if (!state.ties.has(t) || (isAdminTie[t] && !state.admin)) return false;
    if (state.year !== null) {
      const s = startYear[e], end = endYear[e];
      if (s === null ? !state.undated : s > state.year) return false;
      if (end !== null && end < state.year) return false;
    }
    return true;
  }

  function inPlace(i, place) {
    return ancestors[P.level[place]][i] === place;
  }

  /** Which nodes and ties the filters let through (before aggregation), plus what focus or path light. */
  function visibility() {
    const lit = litNodes();
    const kindOn = i => state.kinds.has(N.kind[i]);
    const active = new Uint8Array(nodeCount);
    for (let e = 0; e < edgeCount; e++) {
      if (!isAdminTie[E.type[e]] && tieAllowed(e) && kindOn(E.from[e]) && kindOn(E.to[e])) {
        active[E.from[e]] = 1;
        active[E.to[e]] = 1;
      }
    }
    const visible = new Uint8Array(nodeCount);
    for (let i = 0; i < nodeCount; i++) {
      const kind = KINDS[N.kind[i]];
      let on;
      if (!kindOn(i)) on = false;
      else if (active[i]) on = true;
      else if (!kind.administrative) on = !N.tied[i];
      else on = state.admin && (N.kind[i] !== VILLAGE || N.tied[i] === 1 || state.untied);
      visible[i] = on ? 1 : 0;
    }
    if (state.town >= 0) {
      const inside = new Uint8Array(nodeCount);
      for (let i = 0; i < nodeCount; i++) inside[i] = visible[i] && inPlace(i, state.town) ? 1 : 0;
      const level = ancestors[P.level[state.town]];
      for (let e = 0; e < edgeCount; e++) { // units of no town (county offices …) tied to one inside
        const a = E.from[e], b = E.to[e];
        if (!tieAllowed(e)) continue;
        if (inside[a] === 1 && visible[b] && level[b] < 0) inside[b] = 2;
        if (inside[b] === 1 && visible[a] && level[a] < 0) inside[a] = 2;
      }
      for (let i = 0; i < nodeCount; i++) visible[i] = inside[i] ? 1 : 0;
    }
    state.revealed.forEach(i => { visible[i] = 1; });
    if (lit) lit.forEach(i => { visible[i] = 1; });
    const edges = [];
    for (let e = 0; e < edgeCount; e++) {
      if (visible[E.from[e]] && visible[E.to[e]] && tieAllowed(e)) edges.push(e);
    }
    return {visible, edges, lit};
  }

  // ------------------------------------------------------------------ focus, path, highlight

  function neighbourhood(start, hops) {
    const nodes = new Set([start]), edges = new Set();
    let frontier = [start];
    for (let step = 0; step < hops; step++) {
      const next = [];
      for (const at of frontier) {
        for (const e of adjacency[at]) {
          if (!tieAllowed(e)) continue;
          edges.add(e);
          const other = E.from[e] === at ? E.to[e] : E.from[e];
          if (!nodes.has(other)) { nodes.add(other); next.push(other); }
        }
      }
      frontier = next;
    }
    return {nodes, edges};
  }

  /** Every shortest path (up to 20) between two nodes over the ties the filters allow. */
  function shortestPaths(from, to) {
    const dist = new Map([[from, 0]]), preds = new Map();
    let frontier = [from];
    while (frontier.length && !dist.has(to)) {
      const next = [];
      for (const at of frontier) {
        for (const e of adjacency[at]) {
          if (!tieAllowed(e)) continue;
          const other = E.from[e] === at ? E.to[e] : E.from[e];
          if (!dist.has(other)) { dist.set(other, dist.get(at) + 1); next.push(other); preds.set(other, [at]); }
          else if (dist.get(other) === dist.get(at) + 1 && !preds.get(other).includes(at)) preds.get(other).push(at);
        }
      }
      frontier = next;
    }
    if (!dist.has(to)) return [];
    const paths = [];
    (function walk(at, tail) {
      if (paths.length >= 20) return;
      if (at === from) { paths.push([from, ...tail]); return; }
      for (const p of preds.get(at)) walk(p, [at, ...tail]);
    })(to, []);
    return paths;
  }

  function tiesBetween(a, b) {
    return adjacency[a].filter(e => tieAllowed(e) && (E.from[e] === b || E.to[e] === b));
  }

  let focusSet = null; // {nodes, edges} of the focused node's neighbourhood
  function litNodes() {
    if (state.path) return state.path.nodes;
    if (state.focus >= 0 && focusSet) return focusSet.nodes;
    return state.highlight;
  }
  function litEdges() {
    if (state.path) return state.path.edges;
    if (state.focus >= 0 && focusSet) return focusSet.edges;
    if (state.highlight) {
      const edges = new Set();
      state.highlight.forEach(i => adjacency[i].forEach(e => {
        if (state.highlight.has(E.from[e]) && state.highlight.has(E.to[e])) edges.add(e);
      }));
      return edges;
    }
    return null;
  }

  // ------------------------------------------------------------------ aggregation

  function representative(i) {
    if (!state.aggregate) return i;
    for (let level = state.startLevel; level < LEVELS; level++) {
      const place = ancestors[level][i];
      if (place < 0) continue;
      const how = state.expanded.get(place);
      if (!how) return "g" + place;
      if (how === "all") return i;
    }
    return i;
  }

  function chooseStartLevel(visible) {
    for (let level = TOWN_LEVEL; level >= 0; level--) {
      const groups = new Set();
      for (let i = 0; i < nodeCount; i++) if (visible[i] && ancestors[level][i] >= 0) groups.add(ancestors[level][i]);
      if (groups.size <= D.limits.groupLimit && groups.size > 0) return level;
    }
    return 0;
  }

  function expand(place) {
    const {visible} = visibility();
    let members = 0;
    const level = P.level[place];
    for (let i = 0; i < nodeCount; i++) if (visible[i] && ancestors[level][i] === place) members++;
    state.expanded.set(place, members <= D.limits.aggregateAbove || level === TOWN_LEVEL ? "all" : "one");
    render({fit: false});
    fitTo(drawn.nodes.filter(id => typeof id === "number" ? ancestors[level][id] === place : placeAncestors[parseInt(id.slice(1), 10)][level] === place));
  }

  // ------------------------------------------------------------------ drawing

  const container = $("map");
  const nodeData = new vis.DataSet();
  const edgeData = new vis.DataSet();
  const network = new vis.Network(container, {nodes: nodeData, edges: edgeData}, {
    physics: false,
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 200, multiselect: false, hideEdgesOnDrag: nodeCount > 3000},
    nodes: {shape: "dot", borderWidth: 1,
      font: {size: 14, face: "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", strokeWidth: 3, strokeColor: "#ffffff"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.5}}, selectionWidth: 1, hoverWidth: 1,
      font: {size: 12, align: "horizontal", background: "rgba(255,255,255,0.9)", strokeWidth: 0}},
  });

  const DIM_NODE = {background: "#eeeeee", border: "#d6d6d6", highlight: {background: "#eeeeee", border: "#999"}};
  const UNTIED = {background: "#ffffff", border: "#5e9c3f"};
  const GROUP = {background: "#dfe6f3", border: "#6f8fd6"};

  function measureMax() {
    if (!state.measure) return 1;
    let max = 0;
    for (const v of N.measures[state.measure]) if (v > max) max = v;
    return max || 1;
  }

  function townSummary(i) {
    if (!state.admin || state.untied || !D.untiedPerPlace) return "";
    const place = N.place[i];
    const count = place >= 0 && P.node[place] === i ? D.untiedPerPlace[place] : 0;
    return count ? "\n（" + count + " 村未记录联结 no recorded tie）" : "";
  }

  function nodeItem(i, dim, max) {
    const kind = KINDS[N.kind[i]];
    const value = state.measure ? N.measures[state.measure][i] : 0;
    const untied = N.kind[i] === VILLAGE && !N.tied[i];
    const color = dim ? DIM_NODE : untied ? UNTIED : {background: kind.color, border: "#555555",
      highlight: {background: kind.color, border: "#000000"}, hover: {background: kind.color, border: "#000000"}};
    const item = {
      id: i,
      label: N.name[i] + townSummary(i),
      title: N.name[i] + "\n" + kind.zh + " " + kind.en + placeText(i, " · ") + "\n" + N.id[i],
      color,
      size: untied ? 6 : 9 + 24 * Math.sqrt(value / max),
      borderWidth: untied ? 2 : 1,
      font: {color: dim ? "#b0b0b0" : "#222222"},
    };
    if (untied) { // many and alike: their labels show once zoomed in enough to read them
      item.value = 1;
      item.scaling = {min: 6, max: 6, label: {enabled: true, min: 12, max: 12, drawThreshold: 10}};
    }
    return item;
  }

  function tieTitle(e) {
    const t = TIES[E.type[e]];
    const years = E.start[e] || E.end[e] ? "\n" + (E.start[e] || "?") + " – " + (E.end[e] || "") : "";
    const evidence = E.evidence[e] >= 0 ? S[E.evidence[e]] : "";
    return t.zh + " " + t.en + ": " + N.name[E.from[e]] + " → " + N.name[E.to[e]] + years +
      "\n" + L.evidence + ": " + (evidence.length > 240 ? evidence.slice(0, 240) + "…" : evidence);
  }

  function edgeItem(e, dim, labelled) {
    const t = TIES[E.type[e]];
    const admin = isAdminTie[E.type[e]];
    const base = admin ? "#c8c8c8" : KINDS[N.kind[E.from[e]]].color;
    return {
      id: e,
      from: E.from[e],
      to: E.to[e],
      label: labelled ? t.zh : "",
      title: tieTitle(e),
      color: {color: dim ? "rgba(190,190,190,0.25)" : base, highlight: base, hover: base, opacity: dim ? 0.4 : 0.85},
      dashes: admin,
      width: labelled && !dim ? 3 : admin ? 1 : 2,
      smooth: {enabled: true, type: "curvedCW", roundness: bend[e]},
    };
  }

  // what render drew: vis ids of nodes and edges, and the nodes and ties the filters let through
  let drawn = {nodes: [], edgeIds: [], visible: new Uint8Array(nodeCount), ties: []};
  let hoveredEdge = null;

  function render(options) {
    const fit = options && options.fit;
    const {visible, edges, lit} = visibility();
    const lights = litEdges();
    const max = measureMax();
    const nodes = [], groupStats = new Map();
    for (let i = 0; i < nodeCount; i++) {
      if (!visible[i]) continue;
      const rep = representative(i);
      if (rep === i) { nodes.push(nodeItem(i, lit && !lit.has(i), max)); continue; }
      let g = groupStats.get(rep);
      if (!g) groupStats.set(rep, g = {members: 0, inside: 0, x: 0, y: 0, left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity});
      g.members++;
      g.x += N.x[i];
      g.y += N.y[i];
      g.left = Math.min(g.left, N.x[i]);
      g.right = Math.max(g.right, N.x[i]);
      g.top = Math.min(g.top, N.y[i]);
      g.bottom = Math.max(g.bottom, N.y[i]);
    }
    const drawnEdges = [], aggregated = new Map();
    for (const e of edges) {
      const a = representative(E.from[e]), b = representative(E.to[e]);
      if (a === E.from[e] && b === E.to[e]) {
        const on = lights ? lights.has(e) : false;
        drawnEdges.push(edgeItem(e, lit && !on, on || e === hoveredEdge));
      } else if (a === b) {
        groupStats.get(a).inside++;
      } else {
        const key = String(a) < String(b) ? a + "|" + b : b + "|" + a;
        const found = aggregated.get(key);
        if (found) found.count++;
        else aggregated.set(key, {from: a, to: b, count: 1});
      }
    }
    groupStats.forEach((g, id) => {
      const place = parseInt(id.slice(1), 10);
      nodes.push({
        id, label: P.name[place] + "\n" + fmt(g.members),
        title: P.name[place] + ": " + g.members + " 个节点 nodes, " + g.inside + " 条内部关系 ties inside\n点击展开 click to expand",
        // as large as a good part of the area its nodes take up, so that expanding it fills that area
        x: g.x / g.members, y: g.y / g.members, color: GROUP, shape: "dot",
        size: Math.max(12 + 3 * Math.sqrt(g.members), 0.3 * Math.max(g.right - g.left, g.bottom - g.top)),
        borderWidth: 2, font: {color: "#222222"},
      });
    });
    aggregated.forEach((a, key) => {
      drawnEdges.push({id: "a:" + key, from: a.from, to: a.to, arrows: "", dashes: false,
        label: "", title: a.count + " 条关系 ties", width: Math.min(1 + Math.log2(a.count), 8),
        color: {color: "#9aa9c7", opacity: 0.7}, smooth: false});
    });
    // update the drawn data in place: positions of nodes already drawn stay where the user left them
    const keepNodes = new Set(nodes.map(n => n.id));
    nodeData.remove(nodeData.getIds().filter(id => !keepNodes.has(id)));
    const present = new Set(nodeData.getIds());
    nodes.forEach(n => {
      if (typeof n.id === "number" && !present.has(n.id)) { n.x = N.x[n.id]; n.y = N.y[n.id]; }
      else if (typeof n.id === "number") { delete n.x; delete n.y; }
    });
    const keepEdges = new Set(drawnEdges.map(e => e.id));
    edgeData.remove(edgeData.getIds().filter(id => !keepEdges.has(id)));
    nodeData.update(nodes);
    edgeData.update(drawnEdges);
    drawn = {nodes: nodes.map(n => n.id), edgeIds: drawnEdges.map(e => e.id), visible, ties: edges};
    legend(visible, edges, groupStats);
    if (fit) fitTo(nodes.map(n => n.id));
  }

  function fitTo(ids) {
    // labels at their nominal size first: the fit measures nodes with their labels
    network.setOptions({nodes: {font: {size: 14}}, edges: {font: {size: 12}}});
    network.fit({nodes: ids.length ? ids : undefined, animation: false});
    if (network.getScale() > 1.6) network.moveTo({scale: 1.6});
    scaleLabels();
  }

  /** Labels about 14 px on screen at the zoom a view opens with, when there are few enough to read
   *  (READABLE_LABELS); otherwise at their nominal size, readable once zoomed in (vis-network leaves out
   *  labels too small to read). Group labels are always readable. */
  const READABLE_LABELS = 150;
  function scaleLabels() {
    const scale = network.getScale();
    const labelled = drawn.nodes.filter(id => typeof id === "number" && !(N.kind[id] === VILLAGE && !N.tied[id])).length;
    const size = labelled <= READABLE_LABELS ? Math.max(10, 14 / scale) : 14;
    network.setOptions({nodes: {font: {size}}, edges: {font: {size: size * 0.85}}});
    const groups = drawn.nodes.filter(id => typeof id === "string");
    if (groups.length) nodeData.update(groups.map(id => ({id, font: {size: Math.max(10, 14 / scale), color: "#222222"}})));
  }

  // ------------------------------------------------------------------ legend and counts

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  const fmt = n => n.toLocaleString("zh-CN");

  let legendOpen = true;
  function legend(visible, edges, groups) {
    const box = el("details");
    box.open = legendOpen;
    box.addEventListener("toggle", () => { legendOpen = box.open; });
    $("legend").replaceChildren(box);
    const kindCounts = new Map(), tieCounts = new Map();
    let shown = 0;
    for (let i = 0; i < nodeCount; i++) if (visible[i]) { shown++; kindCounts.set(N.kind[i], (kindCounts.get(N.kind[i]) || 0) + 1); }
    for (const e of edges) tieCounts.set(E.type[e], (tieCounts.get(E.type[e]) || 0) + 1);
    box.appendChild(el("summary", "图例 Legend"));
    const kindList = el("ul");
    kindList.id = "legend-kinds";
    KINDS.forEach((k, idx) => {
      if (!kindCounts.get(idx)) return;
      const li = el("li");
      li.dataset.kind = k.label;
      const swatch = el("span", "", "swatch");
      swatch.style.background = k.color;
      li.append(swatch, k.zh + " " + k.en + " (" + fmt(kindCounts.get(idx)) + ")");
      kindList.appendChild(li);
    });
    const untiedShown = state.admin && state.untied;
    if (untiedShown) {
      const li = el("li");
      const swatch = el("span", "", "swatch");
      swatch.style.background = UNTIED.background;
      swatch.style.borderColor = UNTIED.border;
      li.append(swatch, "未记录联结的村 villages with no recorded tie (空心 hollow)");
      kindList.appendChild(li);
    }
    const tieList = el("ul");
    tieList.id = "legend-ties";
    TIES.forEach((t, idx) => {
      if (!tieCounts.get(idx)) return;
      const li = el("li");
      li.dataset.tie = t.type;
      li.append(el("span", "", "line" + (isAdminTie[idx] ? " administrative" : "")), t.zh + " " + t.en + " (" + fmt(tieCounts.get(idx)) + ")");
      tieList.appendChild(li);
    });
    box.append(kindList, tieList);
    if (groups.size) box.appendChild(el("div", fmt(groups.size) + " 个地区聚合 groups by place · 点击展开 click to expand", "muted"));
    $("counts").textContent = "显示 shown: " + fmt(shown) + " 个节点 nodes · " + fmt(edges.length) + " 条关系 ties（共 of " +
      fmt(nodeCount) + " · " + fmt(edgeCount) + "）· 未记录联结的村 villages with no recorded tie: " + fmt(untiedTotal) +
      (state.admin ? "" : "（见行政层 in the administrative layer）");
    notice();
  }

  function notice() {
    const box = $("notice");
    box.replaceChildren();
    if (!state.aggregate) { box.hidden = true; return; }
    box.hidden = false;
    const names = ["省 province", "市 city", "县 county", "乡镇 town"];
    box.append("按" + names[state.startLevel] + "聚合，点击展开 · aggregated by " + names[state.startLevel].split(" ")[1] +
      ": click a group to expand ");
    if (state.expanded.size) {
      const button = el("button", "全部收起 collapse all");
      button.type = "button";
      button.id = "collapse";
      button.addEventListener("click", () => { state.expanded.clear(); render({fit: true}); });
      box.appendChild(button);
    }
  }

  // ------------------------------------------------------------------ the panel: a node and its ties

  function placeText(i, separator) {
    const town = ancestors[TOWN_LEVEL][i], county = ancestors[COUNTY_LEVEL][i];
    const parts = [];
    if (town >= 0 && P.node[town] !== i) parts.push(P.name[town]);
    if (county >= 0 && P.node[county] !== i && (countyCount > 1 || town < 0)) parts.push(P.name[county]);
    return parts.length ? separator + parts.join(" · ") : "";
  }

  function statements(list) {
    const ul = el("ul", null, "says");
    list.forEach(s => {
      const where = [s[1] >= 0 ? S[s[1]] : "", s[2], s[3] ? "载入 loaded " + s[3] : "", s[4] >= 0 ? "载入者 by " + S[s[4]] : ""].filter(Boolean).join(", ");
      ul.appendChild(el("li", L.source + ": " + (s[0] >= 0 ? S[s[0]] : "") + (where ? " (" + where + ")" : "")));
    });
    return ul;
  }

  function facts(pairs) {
    const ul = el("ul", null, "facts");
    pairs.forEach(([label, text]) => {
      const li = el("li");
      li.append(el("strong", (typeof label === "number" ? S[label] : label) + ": "), text);
      ul.appendChild(li);
    });
    return ul;
  }

  function nodeLink(i) {
    const a = el("a", N.name[i]);
    a.href = "#";
    a.addEventListener("click", event => { event.preventDefault(); focus(i); });
    return a;
  }

  function tieEntry(e, here) {
    const t = TIES[E.type[e]];
    const li = el("li");
    li.dataset.tie = t.type;
    const head = el("div", null, "tie-head");
    const from = E.from[e] === here ? el("span", N.name[here]) : nodeLink(E.from[e]);
    const to = E.to[e] === here ? el("span", N.name[here]) : nodeLink(E.to[e]);
    const years = E.start[e] || E.end[e] ? " · " + (E.start[e] || "?") + "–" + (E.end[e] || "") : "";
    head.append(E.from[e] === here ? "→ " : "← ", from, el("span", " —" + t.zh + " " + t.en + "→ ", "kind"), to, el("span", years, "kind"));
    li.appendChild(head);
    if (E.evidence[e] >= 0) li.appendChild(el("div", L.evidence + ": " + S[E.evidence[e]], "evidence"));
    if (E.details[e].length) li.appendChild(facts(E.details[e]));
    li.appendChild(statements(E.provenance[e]));
    if (!tieAllowed(e)) li.appendChild(el("div", "（当前筛选未显示 not drawn under the current filters）", "hidden-note"));
    return li;
  }

  function showNode(i) {
    $("focus").hidden = false;
    const title = $("focus-title");
    title.textContent = N.name[i];
    const body = $("focus-body");
    body.replaceChildren();
    const kind = KINDS[N.kind[i]];
    const about = [["类型 kind", kind.zh + " " + kind.en], ["标识 ID", N.id[i]]];
    const where = placeText(i, "");
    if (where) about.push(["地点 place", where]);
    D.measures.forEach(m => about.push([m.label, String(N.measures[m.name][i])]));
    body.appendChild(facts(about.concat(N.details[i])));
    body.appendChild(statements(N.provenance[i]));
    if (D.links.node) {
      const a = el("a", "详细页面 page of this node →");
      a.href = D.links.node.replace("{id}", encodeURIComponent(N.id[i]));
      a.id = "node-page";
      body.appendChild(a);
    }
    const ties = adjacency[i].slice().sort((a, b) => (isAdminTie[E.type[a]] - isAdminTie[E.type[b]]) || (E.type[a] - E.type[b]));
    body.appendChild(el("h3", "关系 Ties (" + ties.length + ")"));
    const list = el("ul", null, "ties");
    list.id = "focus-ties";
    ties.forEach(e => list.appendChild(tieEntry(e, i)));
    body.appendChild(list);
  }

  function focus(i) {
    state.path = null;
    state.highlight = null;
    state.focus = i;
    state.revealed = new Set([i]);
    focusSet = neighbourhood(i, state.hops);
    revealGroupOf(focusSet.nodes);
    showNode(i);
    $("focus").scrollIntoView({block: "nearest"});
    render({fit: false});
    fitTo([...focusSet.nodes].filter(n => drawn.nodes.includes(n)));
    network.selectNodes(drawn.nodes.includes(i) ? [i] : []);
    $("search-result").textContent = "";
  }

  function revealGroupOf(nodes) {
    if (!state.aggregate) return;
    nodes.forEach(i => {
      for (let level = state.startLevel; level < LEVELS; level++) {
        const place = ancestors[level][i];
        if (place >= 0) state.expanded.set(place, "all");
      }
    });
  }

  function clearFocus() {
    state.focus = -1;
    state.revealed.clear();
    focusSet = null;
    state.path = null;
    state.highlight = null;
    $("focus").hidden = true;
    $("path-result").replaceChildren();
    network.unselectAll();
    render({fit: false});
  }
  $("focus-clear").addEventListener("click", clearFocus);

  // ------------------------------------------------------------------ pickers: search, path ends

  function picker(input, list, onPick, onText) {
    let matches = [], active = 0;
    const LIMIT = 50;
    function show() {
      matches = search(input.value);
      list.replaceChildren();
      active = 0;
      if (onText) onText(matches, input.value);
      if (!input.value.trim()) { list.hidden = true; return; }
      matches.slice(0, LIMIT).forEach((i, n) => {
        const li = el("li");
        li.setAttribute("role", "option");
        li.dataset.id = N.id[i];
        const kind = KINDS[N.kind[i]];
        li.append(el("span", N.name[i], "name"), el("span", kind.zh + placeText(i, " · ") + " · " + N.id[i], "meta"));
        const key = matchKey(input.value);
        if (key && nameKeys[i] !== key && N.keys[i].includes("|" + key + "|")) li.appendChild(el("span", "（别名或原名相同 same alias or raw name）", "meta"));
        else if (key && !nameKeys[i].includes(key)) li.appendChild(el("span", "（别名或原名 in an alias or raw name）", "meta"));
        li.addEventListener("mousedown", event => { event.preventDefault(); pick(n); });
        list.appendChild(li);
      });
      if (matches.length > LIMIT) list.appendChild(el("li", "… 另有 " + (matches.length - LIMIT) + " 个 more", "meta"));
      if (!matches.length) list.appendChild(el("li", "无匹配 no match", "meta"));
      list.hidden = false;
      mark();
    }
    function mark() {
      Array.from(list.children).forEach((li, n) => li.classList.toggle("active", n === active));
    }
    function pick(n) {
      const i = matches[n];
      if (i === undefined) return;
      input.value = N.name[i];
      list.hidden = true;
      onPick(i);
    }
    input.addEventListener("input", show);
    input.addEventListener("focus", () => { if (input.value.trim()) show(); });
    input.addEventListener("blur", () => { list.hidden = true; });
    input.addEventListener("keydown", event => {
      if (event.key === "ArrowDown") { active = Math.min(active + 1, Math.min(matches.length, LIMIT) - 1); mark(); event.preventDefault(); }
      else if (event.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); event.preventDefault(); }
      else if (event.key === "Enter") { pick(active); event.preventDefault(); }
      else if (event.key === "Escape") { list.hidden = true; }
    });
  }

  picker($("search"), $("search-picks"), i => focus(i), (matches, text) => {
    $("search-result").textContent = text.trim() ? matches.length + " 个匹配 matches" + (matches.length ? " · ↑↓ Enter 选择 pick" : "") : "";
  });

  const pathEnds = {from: -1, to: -1};
  function onPathEnd(which) {
    return i => {
      pathEnds[which] = i;
      if (pathEnds.from >= 0 && pathEnds.to >= 0) showPath(pathEnds.from, pathEnds.to);
    };
  }
  picker($("path-from"), $("path-from-picks"), onPathEnd("from"));
  picker($("path-to"), $("path-to-picks"), onPathEnd("to"));

  function showPath(from, to) {
    const paths = shortestPaths(from, to);
    const nodes = new Set([from, to]), edges = new Set();
    paths.forEach(path => path.forEach((n, k) => {
      nodes.add(n);
      if (k) tiesBetween(path[k - 1], n).forEach(e => edges.add(e));
    }));
    state.focus = -1;
    focusSet = null;
    state.highlight = null;
    state.path = {from, to, paths, nodes, edges};
    revealGroupOf(nodes);
    const box = $("path-result");
    box.replaceChildren();
    box.appendChild(el("p", paths.length
      ? paths.length + " 条最短路径 shortest path(s), " + (paths[0].length - 1) + " 步 steps"
      : "没有路径（按当前筛选的关系）no path over the ties the filters allow", "muted"));
    paths.forEach((path, k) => {
      const div = el("div", null, "path");
      div.dataset.path = String(k);
      div.appendChild(el("strong", path.map(n => N.name[n]).join(" → ")));
      path.slice(1).forEach((n, s) => {
        tiesBetween(path[s], n).forEach(e => {
          const t = TIES[E.type[e]];
          const step = el("div", N.name[E.from[e]] + " —" + t.zh + " " + t.en + "→ " + N.name[E.to[e]] +
            (E.evidence[e] >= 0 ? " · " + L.evidence + ": " + S[E.evidence[e]] : ""), "step");
          div.appendChild(step);
        });
      });
      box.appendChild(div);
    });
    render({fit: false});
    fitTo([...nodes]);
  }

  // ------------------------------------------------------------------ controls

  /** After a filter changed: the focus's neighbourhood and the path follow the ties now allowed. */
  function refilter(fit) {
    if (state.path) { showPath(state.path.from, state.path.to); return; }
    if (state.focus >= 0) focusSet = neighbourhood(state.focus, state.hops);
    render({fit});
  }

  function checkbox(parent, label, checked, onChange, data) {
    const wrap = el("label");
    const input = el("input");
    input.type = "checkbox";
    input.checked = checked;
    Object.assign(input.dataset, data);
    input.addEventListener("change", () => onChange(input.checked));
    wrap.append(input, " ", label);
    parent.appendChild(wrap);
    return input;
  }

  KINDS.forEach((k, idx) => {
    if (!presentKinds.has(idx)) return;
    checkbox($("node-kinds"), k.zh + " " + k.en, true, on => {
      if (on) state.kinds.add(idx); else state.kinds.delete(idx);
      refilter(false);
    }, {kind: k.label});
  });
  const CATEGORY = {working: "工作关系 working", attribute: "属性 attribute", administrative: "行政 administrative"};
  ["working", "attribute", "administrative"].forEach(category => {
    const ties = TIES.map((t, idx) => [t, idx]).filter(([t, idx]) => t.category === category && presentTies.has(idx));
    if (!ties.length) return;
    $("tie-kinds").appendChild(el("div", CATEGORY[category], "muted"));
    ties.forEach(([t, idx]) => checkbox($("tie-kinds"), t.zh + " " + t.en, state.ties.has(idx), on => {
      if (on) state.ties.add(idx); else state.ties.delete(idx);
      refilter(false);
    }, {tie: t.type}));
  });

  $("admin").addEventListener("change", event => {
    state.admin = event.target.checked;
    $("untied").disabled = !state.admin || !D.untiedShipped;
    refilter(true);
  });
  $("untied").addEventListener("change", event => { state.untied = event.target.checked; refilter(true); });
  $("aggregate").addEventListener("change", event => {
    state.aggregate = event.target.checked;
    state.expanded.clear();
    if (state.aggregate) state.startLevel = chooseStartLevel(visibility().visible);
    refilter(true);
  });
  $("undated").addEventListener("change", event => { state.undated = event.target.checked; refilter(false); });

  const year = $("year");
  if (D.years) {
    year.min = String(D.years[0]);
    year.max = String(D.years[1] + 1);
    year.value = year.max;
  } else {
    year.disabled = true;
  }
  function showYear() {
    $("year-label").textContent = state.year === null ? "全部 all" : String(state.year);
  }
  year.addEventListener("input", () => {
    const value = parseInt(year.value, 10);
    state.year = value > D.years[1] ? null : value;
    showYear();
    refilter(false);
  });
  showYear();

  const measure = $("measure");
  D.measures.forEach(m => {
    const option = el("option", m.label);
    option.value = m.name;
    measure.appendChild(option);
  });
  measure.addEventListener("change", () => { state.measure = measure.value; render({fit: false}); });
  $("hops").addEventListener("change", event => {
    state.hops = parseInt(event.target.value, 10);
    if (state.focus >= 0) focus(state.focus);
  });

  (function townOptions() {
    const select = $("town");
    const all = el("option", "全部 all");
    all.value = "-1";
    select.appendChild(all);
    const used = new Set();
    N.place.forEach(p => { if (p >= 0) used.add(p); });
    Object.keys(D.untiedPerPlace).forEach(p => used.add(parseInt(p, 10)));
    const towns = [...used].filter(p => P.level[p] === TOWN_LEVEL);
    const byCounty = new Map();
    towns.forEach(p => {
      const county = placeAncestors[p][COUNTY_LEVEL];
      if (!byCounty.has(county)) byCounty.set(county, []);
      byCounty.get(county).push(p);
    });
    byCounty.forEach((list, county) => {
      let parent = select;
      if (county >= 0 && byCounty.size > 1) {
        parent = el("optgroup");
        parent.label = P.name[county];
        const whole = el("option", P.name[county] + "（全县 whole county）");
        whole.value = String(county);
        parent.appendChild(whole);
        select.appendChild(parent);
      }
      list.sort((a, b) => (P.id[a] < P.id[b] ? -1 : 1)).forEach(p => {
        const option = el("option", P.name[p]);
        option.value = String(p);
        parent.appendChild(option);
      });
    });
    select.addEventListener("change", () => { state.town = parseInt(select.value, 10); refilter(true); });
  })();

  network.on("click", params => {
    if (params.nodes.length) {
      const id = params.nodes[0];
      if (typeof id === "string" && id[0] === "g") expand(parseInt(id.slice(1), 10));
      else focus(id);
    } else if (!params.edges.length) {
      if (state.focus >= 0 || state.path || state.highlight) clearFocus();
    }
  });
  network.on("hoverEdge", params => {
    if (typeof params.edge !== "number") return;
    hoveredEdge = params.edge;
    edgeData.update({id: params.edge, label: TIES[E.type[params.edge]].zh});
  });
  network.on("blurEdge", params => {
    if (typeof params.edge !== "number") return;
    hoveredEdge = null;
    const lights = litEdges();
    if (!(lights && lights.has(params.edge)) && edgeData.get(params.edge)) edgeData.update({id: params.edge, label: ""});
  });

  // ------------------------------------------------------------------ export

  function download(name, href) {
    const a = el("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  $("export-png").addEventListener("click", () => {
    const source = container.querySelector("canvas");
    const out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(source, 0, 0);
    const ratio = source.width / source.clientWidth || 1;
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#222222";
    ctx.font = "bold 16px " + "Noto Sans CJK SC, Microsoft YaHei, sans-serif";
    ctx.fillText(D.title, 12, 24);
    ctx.font = "12px Noto Sans CJK SC, Microsoft YaHei, sans-serif";
    let y = 44;
    document.querySelectorAll("#legend li").forEach(li => {
      const kind = KINDS.find(k => k.label === li.dataset.kind);
      if (kind) { ctx.fillStyle = kind.color; ctx.beginPath(); ctx.arc(18, y - 4, 5, 0, 2 * Math.PI); ctx.fill(); }
      ctx.fillStyle = "#333333";
      ctx.fillText(li.textContent, 28, y);
      y += 16;
    });
    download("linkgraph-map.png", out.toDataURL("image/png"));
  });

  function csvCell(value) {
    let text = value === null || value === undefined ? "" : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text; // not a formula in Excel
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function csv(headers, rows) {
    return "\ufeff" + [headers, ...rows].map(row => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
  }
  function saveCsv(name, headers, rows) {
    const url = URL.createObjectURL(new Blob([csv(headers, rows)], {type: "text/csv;charset=utf-8"}));
    download(name, url);
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  const sources = list => list.map(s => (s[0] >= 0 ? S[s[0]] : "")).join("; ");
  /** The nodes and ties on the map (those inside aggregated groups included). */
  function visibleRows() {
    const nodes = [];
    for (let i = 0; i < nodeCount; i++) if (drawn.visible[i]) nodes.push(i);
    return {nodes, edges: drawn.ties};
  }
  $("export-nodes").addEventListener("click", () => {
    const {nodes} = visibleRows();
    const headers = ["标识 id", "名称 name", "类型 kind", "乡镇 town", "县 county"].concat(D.measures.map(m => m.label), [L.source]);
    saveCsv("linkgraph-nodes.csv", headers, nodes.map(i => {
      const town = ancestors[TOWN_LEVEL][i], county = ancestors[COUNTY_LEVEL][i];
      return [N.id[i], N.name[i], KINDS[N.kind[i]].zh + " " + KINDS[N.kind[i]].label,
        town >= 0 ? P.name[town] : "", county >= 0 ? P.name[county] : ""]
        .concat(D.measures.map(m => N.measures[m.name][i]), [sources(N.provenance[i])]);
    }));
  });
  $("export-ties").addEventListener("click", () => {
    const {edges} = visibleRows();
    const headers = ["关系 tie", "起点标识 from_id", "起点 from", "终点标识 to_id", "终点 to", L.start_date, L.end_date, L.evidence, L.source];
    saveCsv("linkgraph-ties.csv", headers, edges.map(e => [TIES[E.type[e]].zh + " " + TIES[E.type[e]].type,
      N.id[E.from[e]], N.name[E.from[e]], N.id[E.to[e]], N.name[E.to[e]], E.start[e], E.end[e],
      E.evidence[e] >= 0 ? S[E.evidence[e]] : "", sources(E.provenance[e])]));
  });

  // ------------------------------------------------------------------ opening view

  function fromHash() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const focusId = hash.get("focus");
    if (focusId && indexOf.has(focusId)) { focus(indexOf.get(focusId)); return; }
    const ids = (hash.get("highlight") || "").split(",").filter(id => indexOf.has(id)).map(id => indexOf.get(id));
    if (!ids.length) return;
    state.highlight = new Set(ids);
    revealGroupOf(state.highlight);
    const box = $("path-result");
    box.replaceChildren();
    $("focus").hidden = false;
    $("focus-title").textContent = "查询结果 query answer: " + ids.length + " 个节点 nodes";
    const list = el("ul", null, "facts");
    list.id = "highlighted";
    ids.forEach(i => { const li = el("li"); li.appendChild(nodeLink(i)); li.append(" · " + KINDS[N.kind[i]].zh); list.appendChild(li); });
    $("focus-body").replaceChildren(list);
    render({fit: false});
    fitTo(ids);
  }

  const opening = visibility();
  let opened = 0;
  for (let i = 0; i < nodeCount; i++) opened += opening.visible[i];
  if (opened > D.limits.aggregateAbove) {
    state.aggregate = true;
    state.startLevel = chooseStartLevel(opening.visible);
  }
  $("aggregate").checked = state.aggregate;
  $("untied").disabled = true;
  network.once("afterDrawing", () => {
    window.linkgraphFirstFrame = performance.now();
    document.body.dataset.drawn = "true";
  });
  render({fit: true});
  fromHash();
  window.addEventListener("hashchange", fromHash);

  window.linkgraph = {
    network,
    state,
    matchKey,
    search: text => search(text).map(i => N.id[i]),
    drawnNodes: () => drawn.nodes.map(id => (typeof id === "number" ? N.id[id] : id)),
    drawnTies: () => drawn.edgeIds.filter(id => typeof id === "number").map(e => [TIES[E.type[e]].type, N.id[E.from[e]], N.id[E.to[e]]]),
    litNodes: () => { const lit = litNodes(); return lit ? [...lit].map(i => N.id[i]).sort() : []; },
    focus: id => focus(indexOf.get(id)),
  };
})();
