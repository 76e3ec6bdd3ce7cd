#!/usr/bin/env python3
"""The map at county, province and national size: page build time and time to the first drawn frame in
headless Chromium, beside a plain pyvis build of the same graph measured in the same run.

Networks (each store is built once into ``--work`` with linkgraph's own commands, then reused):

- ``county``: the Jia County example (``linkgraph load examples/jia_county/case.yaml``);
- ``province``: 陕西省, ``linkgraph roster --province 61`` and the tables of
  ``benchmarks/synth.py --province 61 --seed 1`` (5,098 organizations) loaded with ``linkgraph load``;
- ``country``: ``linkgraph roster --all`` and ``benchmarks/synth.py --all --density 0.36 --seed 1``
  (52,139 organizations, 203,776 ties).

For each: the graph is exported from the store (timed apart), the page is built
(:func:`visualizations.map.render_map`), and Chromium opens it from a file with every
request outside the page blocked; the first drawn frame is the first animation frame
whose canvas has a painted pixel, measured from navigation start, the same way for both
pages. The plain pyvis page is ``Network(directed=True)``, ``add_node`` for every node,
``add_edge`` for every tie and ``generate_html`` (its own template: physics on, vis-network
inlined), built in a subprocess stopped after ``--timeout`` seconds. Figures go into the
``## Map`` section of BENCHMARKS.md (``--write``), leaving every other section as it is.

Usage:
    python benchmarks/map.py [--work DIR] [--only county,province,country] [--timeout 600] [--write BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("LINKGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SYNTH = REPO / "benchmarks" / "synth.py"
LINKGRAPH = [sys.executable, "-m", "linkgraph"]
SCALES = {
    "county": {"title": "佳县 (example)", "load": [["load", str(REPO / "examples" / "jia_county" / "case.yaml")]]},
    "province": {"title": "陕西省 (synthetic)", "roster": ["--province", "61"], "synth": ["--province", "61"]},
    "country": {"title": "全国 country (synthetic)", "roster": ["--all"], "synth": ["--all", "--density", "0.36"]},
}
# The first animation frame with a painted pixel on the page's canvas, from navigation start.
FIRST_FRAME_PROBE = """(() => {
  function check() {
    const canvas = document.querySelector('canvas');
    if (canvas && canvas.width && canvas.height) {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) { window.__firstFrame = performance.now(); return; }
    }
    requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
})();"""
PYVIS_BUILD = """
import sys, time
from pyvis.network import Network
from stores import open_store
with open_store(sys.argv[1], read_only=True) as store:
    graph = store.export()
started = time.perf_counter()
net = Network(directed=True, cdn_resources="in_line")
for node in graph.nodes.values():
    net.add_node(node.id, label=node.name)
for tie in graph.ties.values():
    net.add_edge(tie.source_id, tie.target_id, title=tie.type)
html = net.generate_html()
seconds = time.perf_counter() - started
open(sys.argv[2], "w", encoding="utf-8").write(html)
print(seconds)
"""


def run(command: list[str], **kwargs) -> None:
    print("  $", " ".join(command[2:] if command[:2] == LINKGRAPH[:2] else command), flush=True)
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, **kwargs)


def build_store(name: str, work: Path) -> Path:
    """The scale's store, built with linkgraph's commands unless it is there already."""
    store = work / f"{name}.lbug"
    if store.exists():
        return store
    spec = SCALES[name]
    if "roster" in spec:
        run(LINKGRAPH + ["roster", *spec["roster"], "--store", str(store)])
        tables = work / f"synth-{name}"
        run([sys.executable, str(SYNTH), *spec["synth"], "--seed", "1", "--out", str(tables)])
        run(LINKGRAPH + ["load", str(tables / "organizations.csv"), str(tables / "ties.csv"), "--store", str(store)])
    for command in spec.get("load", []):
        run(LINKGRAPH + [*command, "--store", str(store)])
    return store


def first_frame(browser, page_path: Path, timeout_s: float) -> float | None:
    """Seconds from navigation start to the first painted frame, or None if none within the timeout."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.add_init_script(FIRST_FRAME_PROBE)
    try:
        page.goto(page_path.as_uri(), timeout=timeout_s * 1000, wait_until="commit")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:  # polled from here: the pages' policy forbids eval in them
            found = page.evaluate("window.__firstFrame")
            if found is not None:
                return found / 1000
            time.sleep(0.2)
        print(f"  no frame within {timeout_s:.0f} s", flush=True)
        return None
    finally:
        context.close()


def measure(name: str, work: Path, browser, timeout_s: float) -> dict:
    from graph_model.schema import default_schema
    from stores import open_store
    from visualizations import map as map_module

    print(f"{name}:", flush=True)
    store = build_store(name, work)
    schema = default_schema()
    started = time.perf_counter()
    with open_store(str(store), schema, read_only=True) as source:
        graph = source.export()
    export_s = time.perf_counter() - started
    started = time.perf_counter()
    html = map_module.render_map(graph, schema, title=SCALES[name]["title"])
    build_s = time.perf_counter() - started
    page = work / f"{name}-map.html"
    page.write_text(html, encoding="utf-8")
    data = json.loads(re.search(r'id="linkgraph-data">(.*?)</script>', html, re.S).group(1))
    frame_s = first_frame(browser, page, timeout_s)
    opened = _opening(browser, page)
    result = {
        "name": name, "title": SCALES[name]["title"], "nodes": len(graph.nodes), "ties": len(graph.ties),
        "organizations": sum(1 for n in graph.nodes.values() if not schema.node_kind(n.kind).administrative),
        "shipped": len(data["nodes"]["id"]), "export_s": export_s, "build_s": build_s, "page_mb": page.stat().st_size / 1e6, "frame_s": frame_s, **opened,
        "measures": [m["name"] for m in data["measures"]],
    }
    result.update(_pyvis(store, work / f"{name}-pyvis.html", browser, timeout_s))
    print("  " + json.dumps(result, ensure_ascii=False), flush=True)
    return result


def _opening(browser, page_path: Path) -> dict:
    """What the opening view draws: individual nodes and aggregated groups."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    try:
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-drawn=true]", timeout=600_000)
        drawn = page.evaluate("window.linkgraph.drawnNodes()")
        return {"drawn": len(drawn), "groups": sum(1 for d in drawn if d.startswith("g"))}
    finally:
        context.close()


def _pyvis(store: Path, out: Path, browser, timeout_s: float) -> dict:
    try:
        answer = subprocess.run([sys.executable, "-c", PYVIS_BUILD, str(store), str(out)], cwd=REPO, check=True,
                                capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        print(f"  pyvis: not built within {timeout_s:.0f} s", flush=True)
        return {"pyvis_build_s": None, "pyvis_frame_s": None}
    return {"pyvis_build_s": float(answer.stdout.split()[-1]), "pyvis_frame_s": first_frame(browser, out, timeout_s)}


def _seconds(value: float | None, timeout_s: float) -> str:
    if value is None:
        return f"> {timeout_s:.0f} s (stopped)"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def section(results: list[dict], timeout_s: float, command: str) -> str:
    """The ``## Map`` section of BENCHMARKS.md."""
    lines = [
        "## Map",
        "",
        "`linkgraph map` and the map of `linkgraph serve` (`visualizations/map.py`, `visualizations/static/map.js`):",
        "time to build the page from the exported graph, and time from navigation to the first drawn frame in",
        "headless Chromium (1400×900, the page opened from a file, every request outside it blocked), beside a",
        "plain pyvis 0.3.2 page of the same graph (`Network(directed=True)`, `add_node`/`add_edge` for every node",
        "and tie, `generate_html`: physics on) measured in the same run. Synthetic organizations and ties come",
        "from `benchmarks/synth.py` (合成数据 synthetic) over the real NBS 2023 roster.",
        "",
        "| network | nodes | ties | organizations | export from store | page build | page | opening view | first frame | pyvis build | pyvis first frame |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        singles = r["drawn"] - r["groups"]
        view = ", ".join(part for part in (f"{r['groups']:,} groups" if r["groups"] else "",
                                           f"{singles:,} nodes" if singles or not r["groups"] else "") if part)
        lines.append(
            f"| {r['title']} | {r['nodes']:,} | {r['ties']:,} | {r['organizations']:,} | {_seconds(r['export_s'], timeout_s)} "
            f"| {_seconds(r['build_s'], timeout_s)} | {r['page_mb']:.1f} MB | {view} | {_seconds(r['frame_s'], timeout_s)} "
            f"| {_seconds(r['pyvis_build_s'], timeout_s)} | {_seconds(r['pyvis_frame_s'], timeout_s)} |")
    lines += [
        "",
        "Above 2,000 drawn nodes the page opens aggregated (the finest of town, county, city or province with at",
        "most 400 groups, tie counts as edges) and drills down on click; villages without ties travel as counts per",
        "town above 20,000. The build is linear in the graph except the layout, which is laid out county by county",
        "(its cost grows with the number of counties times the size of the largest), and the measures nodes are",
        "sized by, the report's (`analysis.engine`: igraph above 300 nodes, betweenness and closeness sampled with a",
        "stated bound in very large pieces; shown: " + "; ".join(f"{r['name']}: {', '.join(r['measures'])}"
                                                           for r in results) + ").",
        "",
        f"Measured {dt.date.today().isoformat()} on the 2-core development machine shared with other jobs "
        f"({platform.python_implementation()} {platform.python_version()}), one run each:",
        "",
        "```sh",
        command,
        "```",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Replace the ``## Map`` section of ``path`` (or add it), leaving the other sections untouched."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    found = re.search(r"^## Map\n.*?(?=^## |\Z)", old, re.S | re.M)
    text = text.rstrip("\n") + "\n\n"
    new = old[:found.start()] + text + old[found.end():] if found else old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "linkgraph-bench-map",
                        help="folder for the stores and pages (kept and reused)")
    parser.add_argument("--only", default="county,province,country", help="scales to measure, comma-separated")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a build or a page is given up")
    parser.add_argument("--write", type=Path, help="write the figures into this file's ## Map section")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {', '.join(unknown)}; known: {', '.join(SCALES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        results = [measure(name, args.work, browser, args.timeout) for name in names]
        browser.close()
    command = "python benchmarks/map.py " + " ".join(a for a in (argv if argv is not None else sys.argv[1:]))
    text = section(results, args.timeout, command.strip())
    print(text)
    if args.write:
        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
