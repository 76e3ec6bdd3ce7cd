"""Shared pieces of the generated pages: the Jinja environment and safe JSON for ``<script>``."""

from __future__ import annotations

import json
from typing import Any

import jinja2

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("visualizations", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>`` and ``&`` are escaped,
    so a name such as ``</script><script>…`` stays data.

    >>> script_json({"name": "</script>"})
    '{"name": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
