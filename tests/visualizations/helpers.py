"""Small graphs for page tests, including names that try to break out of the page."""

import re
from html.parser import HTMLParser

from graph_model.records import GraphData, make_node, make_tie

HOSTILE = "</script><script>alert('名')</script><img src=x onerror=alert(1)>"


def hostile_graph(schema) -> GraphData:
    g = GraphData()
    g.add_node(make_node(schema, "Town", {"id": "t1", "name": "通镇", "source": "s"}))
    g.add_node(make_node(schema, "Village", {"id": "v1", "name": HOSTILE, "source": HOSTILE}))
    g.add_node(make_node(schema, "AssistanceUnit", {"id": "a1", "name": "县委办" + HOSTILE, "source": "s"}))
    g.add_tie(make_tie(schema, "PART_OF", "v1", "t1", {"source": "s", "evidence": HOSTILE}))
    g.add_tie(make_tie(schema, "PAIRED_ASSISTANCE", "a1", "v1", {"source": "s", "evidence": HOSTILE,
                                                                 "metrics": {"联系人次": HOSTILE}}))
    return g


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "poster", "data", "srcset", "background") and value:
                self.urls.append(value)
            if name == "style" and value:
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def fetched_urls(html: str) -> list[str]:
    """Every URL the page itself would load: attributes of any tag, CSS url() and @import.

    ``data:`` URLs and fragments load nothing and are left out.
    """
    collector = _Collector()
    collector.feed(html)
    found = list(collector.urls)
    for css in collector.styles:
        found += re.findall(r"""url\(\s*["']?([^"')]+)""", css, flags=re.I)
        found += re.findall(r"""@import\s+(?:url\()?["']?([^"');]+)""", css, flags=re.I)
    return [u.strip() for u in found if not u.strip().startswith(("data:", "#"))]


def absolute_urls(html: str) -> set[str]:
    """Every http(s) or protocol-relative URL written anywhere in the file."""
    return set(re.findall(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)<>]*""", html))
