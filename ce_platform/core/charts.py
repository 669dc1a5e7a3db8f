"""Small server-side SVG charts: readable without script, labelled for assistive technology.

Each chart is an `<svg role="img">` with `aria-labelledby` pointing at its own `<title>` and
`<desc>`; the page shows the data table beside it, so the numbers are never only in a picture.
Every text that reaches the SVG is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

Number = int | float | Decimal

_INK = "#1f4e79"
_TRACK = "#d9e2ec"
_GOAL = "#7a2e0e"
_GRID = "#9aa5b1"


def _n(value: Number) -> str:
    """Coordinates with at most one decimal, so the markup stays short and stable."""
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _v(value: Number) -> str:
    """Values as read (CE hours come in quarters): at most two decimals."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _frame(
    chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]
) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def progress_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, Number, Number]], unit: str = "hours"
) -> Markup:
    """Horizontal bars of what was earned against what is required, one row per topic."""
    width, label_w, row_h, pad = 480, 150, 34, 8
    bar_w = width - label_w - 70
    height = pad * 2 + row_h * max(1, len(rows))
    scale = max([float(max(v, t)) for _, v, t in rows] + [1.0])
    body: list[str] = []
    for i, (label, value, target) in enumerate(rows):
        y = pad + i * row_h
        goal_w = bar_w * float(target) / scale
        done_w = bar_w * float(value) / scale
        body.append(
            f'<text x="{label_w - 6}" y="{y + 19}" text-anchor="end" font-size="13">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 6}" width="{_n(goal_w)}" height="18" fill="{_TRACK}"/>'
            f'<rect x="{label_w}" y="{y + 6}" width="{_n(done_w)}" height="18" fill="{_INK}"/>'
            f'<line x1="{_n(label_w + goal_w)}" x2="{_n(label_w + goal_w)}" y1="{y + 2}" '
            f'y2="{y + 28}" stroke="{_GOAL}" stroke-width="2"/>'
            f'<text x="{_n(label_w + max(goal_w, done_w) + 6)}" y="{y + 19}" font-size="12">'
            f"{escape(_v(value))} / {escape(_v(target))}</text>"
        )
    desc = "; ".join(f"{label}: {_v(v)} of {_v(t)} {unit}" for label, v, t in rows)
    return _frame(chart_id, title, desc or "No data", width, height, body)


def bar_chart(
    chart_id: str, title: str, bars: Sequence[tuple[str, Number]], unit: str = "answers"
) -> Markup:
    """Vertical bars, one per label in the given order (a distribution of ratings)."""
    width, height, left, bottom, top = 320, 180, 34, 28, 12
    inner_h = height - bottom - top
    slot = (width - left - 8) / max(1, len(bars))
    peak = max([float(v) for _, v in bars] + [1.0])
    body = [
        f'<line x1="{left}" x2="{width - 4}" y1="{height - bottom}" y2="{height - bottom}" '
        f'stroke="{_GRID}"/>'
    ]
    for i, (label, value) in enumerate(bars):
        bar_h = inner_h * float(value) / peak
        x = left + i * slot + slot * 0.15
        y = height - bottom - bar_h
        body.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(slot * 0.7)}" height="{_n(bar_h)}" '
            f'fill="{_INK}"/>'
            f'<text x="{_n(x + slot * 0.35)}" y="{_n(y - 3)}" text-anchor="middle" '
            f'font-size="11">{escape(_v(value))}</text>'
            f'<text x="{_n(x + slot * 0.35)}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="12">{escape(label)}</text>'
        )
    desc = "; ".join(f"{label}: {_v(v)} {unit}" for label, v in bars)
    return _frame(chart_id, title, desc or "No data", width, height, body)


def scatter_plot(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, Number, Number]],
    *,
    x_label: str,
    y_label: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> Markup:
    """Labelled points on two axes (item difficulty against discrimination)."""
    width, height, left, bottom, top, right = 420, 300, 52, 44, 12, 16
    inner_w, inner_h = width - left - right, height - top - bottom
    (x0, x1), (y0, y1) = x_range, y_range

    def px(x: float) -> float:
        return left + inner_w * (min(max(x, x0), x1) - x0) / (x1 - x0)

    def py(y: float) -> float:
        return top + inner_h * (1 - (min(max(y, y0), y1) - y0) / (y1 - y0))

    body = [
        f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="none" '
        f'stroke="{_GRID}"/>',
        f'<text x="{left + inner_w / 2:.0f}" y="{height - 8}" text-anchor="middle" '
        f'font-size="12">{escape(x_label)}</text>',
        f'<text x="14" y="{top + inner_h / 2:.0f}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 14 {top + inner_h / 2:.0f})">{escape(y_label)}</text>',
    ]
    for value in (x0, (x0 + x1) / 2, x1):
        body.append(
            f'<text x="{_n(px(value))}" y="{height - bottom + 14}" text-anchor="middle" '
            f'font-size="11">{escape(_v(value))}</text>'
        )
    for value in (y0, (y0 + y1) / 2, y1):
        body.append(
            f'<text x="{left - 4}" y="{_n(py(value) + 4)}" text-anchor="end" font-size="11">'
            f"{escape(_v(value))}</text>"
        )
    if y0 < 0 < y1:
        body.append(
            f'<line x1="{left}" x2="{left + inner_w}" y1="{_n(py(0))}" y2="{_n(py(0))}" '
            f'stroke="{_GRID}" stroke-dasharray="4 3"/>'
        )
    for label, x, y in points:
        cx, cy = px(float(x)), py(float(y))
        body.append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="4" fill="{_INK}"/>'
            f'<text x="{_n(cx + 6)}" y="{_n(cy - 5)}" font-size="10">{escape(label)}</text>'
        )
    desc = "; ".join(f"{label}: {x_label} {_n(x)}, {y_label} {_n(y)}" for label, x, y in points)
    return _frame(chart_id, title, desc or "No data", width, height, body)
