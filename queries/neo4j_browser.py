"""Neo4j Browser as a linkgraph client: a graph style and a starter guide, served offline.

Two assets, generated (never hand-copied) so that they follow the model and
the catalog:

- ``style.grass``: the Browser's graph style. Each node kind is drawn in its
  schema colour (the map's), captioned with its ``name``; each tie is captioned
  with its Chinese name, as on the map.
- ``guide.html``: a ``:play`` guide. A first slide lists the saved queries
  and draws the network; then one slide per catalog query, Chinese and English
  title, its parameters and two runnable blocks from :mod:`queries.browser`:
  the ``:param`` lines with the example values, then the Cypher (run apart,
  so that the Browser shows the query's rows, not a script summary).

How the local server shows them (Neo4j 5.26 with Neo4j Browser 5.24, both read
in their sources): the server serves ``/browser/`` from the jar on the
classpath, unless ``$NEO4J_HOME/web`` (``internal.dbms.web_dir_path``) holds
a ``neo4j-browser*.zip``, which it unpacks and serves instead. An extra jar
with ``browser/…`` resources does not work: the server asks the class loader
for the one ``browser`` folder and gets the first jar's. So
:func:`write_browser_archive` writes ``web/neo4j-browser.zip``: the Browser
jar's files plus ``browser/linkgraph/style.grass`` and
``browser/linkgraph/guide.html``. ``scripts/neo4j`` then sets
``browser.post_connect_cmd`` to ``:style`` and ``:play`` those URLs, and
``browser.remote_content_hostname_whitelist`` to 127.0.0.1, the only host the
Browser may fetch them from, and a Content-Security-Policy that lets the page
load from and connect to 127.0.0.1 only (left alone, the Browser would fetch web
fonts and send error reports and analytics to third parties). Nothing comes
from the internet.

``python -m queries.neo4j_browser LIB_DIR WEB_DIR`` is what
``scripts/neo4j start`` runs.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path
from typing import Iterable

import jinja2

from graph_model.schema import NodeKind, Schema, default_schema
from queries.browser import browser_cypher, browser_parameters, example_values, network_statement
from queries.catalog import NamedQuery, default_catalog

# The guide's template (escaped as every page of the project; beside this module, as the Browser files are not pages
# of visualizations/ but what the server installs)
_TEMPLATES = jinja2.Environment(loader=jinja2.PackageLoader("queries", "templates"), autoescape=True,
                                undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

ARCHIVE_NAME = "neo4j-browser.zip"
ASSET_FOLDER = "linkgraph"
STYLE_FILE = "style.grass"
GUIDE_FILE = "guide.html"
BROWSER_ROOT = "browser/"

NODE_DIAMETER = {True: "60px", False: "84px"}  # administrative units small, organizations large
TIE_COLOR = "#a5abb6"  # the Browser's own default


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _darker(color: str, factor: float = 0.8) -> str:
    return "#" + "".join(f"{round(c * factor):02x}" for c in _rgb(color))


def _text_color(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (WCAG relative luminance)."""
    def linear(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(color))
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "#ffffff"


def _rule(selector: str, declarations: dict[str, str]) -> str:
    """One grass rule. The Browser's grass parser splits on ``;`` and ``:`` even
    inside quotes, so no value may hold them; a caption is quoted (its ``{…}``
    are property bindings)."""
    lines = []
    for name, value in declarations.items():
        forbidden = ';:"' if name == "caption" else ';:"{}'
        if any(ch in value for ch in forbidden):
            raise ValueError(f"{selector} {name}: {value!r} cannot be written in a grass style")
        lines.append(f'\n  {name}: "{value}";' if name == "caption" else f"\n  {name}: {value};")
    return f"{selector} {{{''.join(lines)}\n}}"


def _node_rule(kind: NodeKind) -> str:
    return _rule(f"node.{kind.label}", {
        "color": kind.color,
        "border-color": _darker(kind.color),
        "text-color-internal": _text_color(kind.color),
        "diameter": NODE_DIAMETER[kind.administrative],
        "caption": "{name}",
    })


def grass_style(schema: Schema) -> str:
    """The Browser's graph style (grass) for ``schema``.

    >>> from graph_model.schema import default_schema
    >>> print(grass_style(default_schema()).split("\\n\\n")[2])
    node.Province {
      color: #5b5b5b;
      border-color: #494949;
      text-color-internal: #ffffff;
      diameter: 60px;
      caption: "{name}";
    }
    """
    rules = [
        _rule("node", {"font-size": "10px", "border-width": "2px", "caption": "{name}"}),
        _rule("relationship", {"color": TIE_COLOR, "shaft-width": "1px", "font-size": "9px", "padding": "3px",
                               "text-color-external": "#000000", "text-color-internal": "#ffffff"}),
    ]
    rules += [_node_rule(kind) for kind in schema.node_kinds]
    rules += [_rule(f"relationship.{tie.type}", {"caption": tie.zh}) for tie in schema.tie_kinds]
    return "\n\n".join(rules) + "\n"


def guide_html(catalog: Iterable[NamedQuery], schema: Schema) -> str:
    """The ``:play`` guide: an overview slide, then one runnable slide per query."""
    queries = [
        {"query": query, "parameters": browser_parameters(query, example_values(query)), "cypher": browser_cypher(query)}
        for query in catalog
    ]
    return _TEMPLATES.get_template("neo4j_guide.html.j2").render(
        queries=queries, network=network_statement(schema),
    )


def browser_assets(schema: Schema, catalog: Iterable[NamedQuery]) -> dict[str, str]:
    """File name (under ``browser/linkgraph/``) → text."""
    return {STYLE_FILE: grass_style(schema), GUIDE_FILE: guide_html(catalog, schema)}


def _fingerprint(browser_jar: Path, assets: dict[str, str]) -> bytes:
    digest = hashlib.sha256(browser_jar.read_bytes())
    for name, text in sorted(assets.items()):
        digest.update(f"\0{name}\0{text}".encode("utf-8"))
    return f"linkgraph {digest.hexdigest()}".encode("ascii")


def write_browser_archive(browser_jar: Path, web_dir: Path, assets: dict[str, str]) -> Path:
    """``web_dir/neo4j-browser.zip``: the Browser jar's ``browser/`` tree and ``assets``.

    The server unpacks the archive with the first entry as the root and makes
    each folder before its files, so ``browser/`` comes first and folders
    precede files. Rewritten only when the jar or an asset changed (the
    archive's comment holds their fingerprint).
    """
    target = web_dir / ARCHIVE_NAME
    fingerprint = _fingerprint(browser_jar, assets)
    if target.exists():
        with zipfile.ZipFile(target) as existing:
            if existing.comment == fingerprint:
                return target
    web_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(browser_jar) as jar, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        entries = [e for e in jar.infolist() if e.filename.startswith(BROWSER_ROOT)]
        folders = sorted({BROWSER_ROOT, f"{BROWSER_ROOT}{ASSET_FOLDER}/", *(e.filename for e in entries if e.is_dir())})
        for folder in folders:
            archive.writestr(folder, b"")
        for entry in entries:
            if not entry.is_dir():
                archive.writestr(entry, jar.read(entry))
        for name, text in assets.items():
            archive.writestr(f"{BROWSER_ROOT}{ASSET_FOLDER}/{name}", text.encode("utf-8"))
        archive.comment = fingerprint
    partial.replace(target)
    return target


def install(lib_dir: Path, web_dir: Path) -> Path:
    """Write the archive for the Browser jar in ``lib_dir`` (the server's jars)."""
    jars = sorted(lib_dir.glob("neo4j-browser-*.jar"))
    if len(jars) != 1:
        raise FileNotFoundError(f"expected one neo4j-browser-*.jar in {lib_dir}, found {len(jars)}")
    return write_browser_archive(jars[0], web_dir, browser_assets(default_schema(), default_catalog().values()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m queries.neo4j_browser",
                                     description="Write Neo4j Browser with linkgraph's style and guide "
                                     "into WEB_DIR/neo4j-browser.zip (used by scripts/neo4j start).")
    parser.add_argument("lib_dir", type=Path, help="the server's jars ($NEO4J_HOME/lib)")
    parser.add_argument("web_dir", type=Path, help="where the server looks for a Browser ($NEO4J_HOME/web)")
    args = parser.parse_args(argv)
    try:
        print(install(args.lib_dir, args.web_dir))
    except (OSError, zipfile.BadZipFile) as err:
        print(f"neo4j_browser: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
