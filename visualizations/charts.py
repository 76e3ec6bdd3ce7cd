"""Charts for the report as inline SVG, written by hand: no plotting library, nothing fetched, text escaped.

>>> svg = column_chart([("1", 3), ("2", 1)], title="伙伴数 Partners", y_label="组织数")
>>> svg.startswith('<svg') and '<title>伙伴数 Partners</title>' in svg
True
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

from markupsafe import Markup, escape

FONT = 'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif"'
INK, MUTED, GRID = "#222222", "#666666", "#dddddd"


def _svg(width: int, height: int, title: str, body: Iterable[str]) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}" {FONT} font-size="12"><title>{escape(title)}</title>'
                  + "".join(body) + "</svg>")


def text_width(text: str) -> int:
    """About how wide ``text`` is at 12 px: CJK characters 12 px, others 7 px."""
    return sum(12 if ord(ch) >= 0x2E80 else 7 for ch in text)


def _ticks(top: float, count: int = 4) -> list[int]:
    """Whole-number gridline values from 0 to at least ``top``."""
    step = max(1, -(-int(top) // count))
    return list(range(0, int(top) + step + 1, step))[: count + 2]


def column_chart(bars: Sequence[tuple[str, int]], *, title: str, y_label: str, color: str = "#4c78a8") -> Markup:
    """Vertical bars (``label``, ``count``), the count written on each bar."""
    width, height, left, bottom, top_pad = max(320, 60 + 44 * len(bars)), 240, 48, 40, 24
    plot_h = height - bottom - top_pad
    ticks = _ticks(max((v for _, v in bars), default=1) or 1)
    scale = plot_h / ticks[-1]
    body = [f'<text x="{left}" y="14" fill="{MUTED}">{escape(y_label)}</text>']
    for t in ticks:
        y = height - bottom - t * scale
        body.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{t}</text>')
    for i, (label, value) in enumerate(bars):
        x, h = left + 8 + 44 * i, value * scale
        y = height - bottom - h
        body.append(f'<rect x="{x}" y="{y:.1f}" width="32" height="{h:.1f}" fill="{color}"><title>{escape(label)}: '
                    f'{value}</title></rect><text x="{x + 16}" y="{y - 4:.1f}" text-anchor="middle" fill="{INK}">'
                    f'{value}</text><text x="{x + 16}" y="{height - bottom + 16}" text-anchor="middle" fill="{INK}">'
                    f'{escape(label)}</text>')
    return _svg(width, height, title, body)


def stacked_bar_chart(rows: Sequence[tuple[str, Sequence[int]]], parts: Sequence[tuple[str, str]], *,
                      title: str, marks: Sequence[int | None] = ()) -> Markup:
    """Horizontal stacked bars: one row per (``label``, counts of each part); ``parts`` are (legend, color).
    ``marks`` draws a tick per row at a claimed count (None: no tick)."""
    label_w, bar_w, row_h = max(80, 16 + max((text_width(label) for label, _ in rows), default=0)), 520, 22
    width = label_w + bar_w + 70
    body, x, y = [], label_w, 6
    for legend, color in parts:
        if x > label_w and x + 16 + text_width(legend) > width:
            x, y = label_w, y + 18
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{color}"/><text x="{x + 16}" y="{y + 10}" '
                    f'fill="{INK}">{escape(legend)}</text>')
        x += 16 + text_width(legend) + 20
    top_pad = y + 28
    height = top_pad + row_h * len(rows) + 10
    total = max((max(sum(v), m or 0) for (_, v), m in zip(rows, list(marks) + [None] * len(rows))), default=1) or 1
    scale = bar_w / total
    for i, (label, values) in enumerate(rows):
        y = top_pad + row_h * i
        body.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(label)}</text>')
        x = label_w
        for (legend, color), value in zip(parts, values):
            if value:
                body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{value * scale:.1f}" height="{row_h - 6}" '
                            f'fill="{color}"><title>{escape(label)} · {escape(legend)}: {value}</title></rect>')
            x += value * scale
        body.append(f'<text x="{x + 6:.1f}" y="{y + 14}" fill="{MUTED}">{sum(values)}</text>')
        mark = marks[i] if i < len(marks) else None
        if mark is not None:
            mx = label_w + mark * scale
            body.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{y}" y2="{y + row_h}" stroke="{INK}" '
                        f'stroke-width="2" stroke-dasharray="3 2"><title>{escape(label)} · 来源称 claimed: {mark}'
                        f'</title></line>')
    return _svg(width, height, title, body)


def partner_bins(partners: Iterable[int]) -> list[tuple[str, int]]:
    """How many nodes have 1, 2, … 9 partners, 10–19, 20–49 and 50 or more (empty bins above the largest
    left out)."""
    counts = Counter(partners)
    bins = [(str(k), counts[k]) for k in range(1, 10)]
    for lo, hi in ((10, 19), (20, 49)):
        bins.append((f"{lo}–{hi}", sum(v for k, v in counts.items() if lo <= k <= hi)))
    bins.append(("50+", sum(v for k, v in counts.items() if k >= 50)))
    while len(bins) > 1 and bins[-1][1] == 0:
        bins.pop()
    return bins
