"""Bar charts as inline SVG, drawn on the server: no script, no image request, a few hundred
bytes each. Each chart is an image to assistive technology (`role="img"`) named by its
<title> and described by its <desc>; the page repeats every number in a table, so nothing is
only in the drawing. Colours and fonts come from the stylesheet (classes), since the pages'
Content-Security-Policy allows no inline style."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR_GAP = 0.25  # of a slot


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # A second value drawn beside it, lighter (the previous period), or None.
    compare: int | None = None


def _scale(bars: Sequence[Bar]) -> int:
    top = max([b.value for b in bars] + [b.compare or 0 for b in bars] + [1])
    return top


def _frame(ident: str, title: str, desc: str, height: int, inner: str) -> Markup:
    # Every text put in is escaped (escape()); the rest are numbers and fixed names.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{inner}</svg>'
    )


def columns(ident: str, title: str, desc: str, bars: Sequence[Bar], height: int = 200) -> Markup:
    """Vertical bars, one slot per bar (weeks), the count above each bar, labels below."""
    top = _scale(bars)
    base = height - 22  # room for the labels
    room = base - 16  # room for the counts above the bars
    slot = WIDTH / max(len(bars), 1)
    paired = any(b.compare is not None for b in bars)
    width = slot * (1 - BAR_GAP) / (2 if paired else 1)
    parts = [f'<line class="axis" x1="0" y1="{base}" x2="{WIDTH}" y2="{base}"/>']
    every = max(1, round(len(bars) / 12))  # at most about 12 labels under the axis
    for i, bar in enumerate(bars):
        x = i * slot + slot * BAR_GAP / 2
        drawn = [(bar.compare, "bar prev")] if bar.compare is not None else []
        drawn.append((bar.value, "bar"))
        for j, (value, css) in enumerate(drawn):
            h = round(room * (value or 0) / top, 1)
            left = round(x + j * width, 1)
            parts.append(
                f'<rect class="{css}" x="{left}" y="{round(base - h, 1)}" '
                f'width="{round(width, 1)}" height="{h}"/>'
            )
            if len(bars) <= 26:
                parts.append(
                    f'<text class="n" x="{round(left + width / 2, 1)}" '
                    f'y="{round(base - h - 4, 1)}">{value or 0}</text>'
                )
        if i % every == 0:
            parts.append(
                f'<text class="lab" x="{round(i * slot + slot / 2, 1)}" y="{height - 6}">'
                f"{escape(bar.label)}</text>"
            )
    return _frame(ident, title, desc, height, "".join(parts))


def rows(ident: str, title: str, desc: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one row each (categories): the label on the left, the count after
    the bar."""
    top = _scale(bars)
    line = 22
    height = max(len(bars), 1) * line + 4
    label_w = 250
    room = WIDTH - label_w - 40
    parts = []
    for i, bar in enumerate(bars):
        y = i * line + 4
        w = round(room * bar.value / top, 1)
        parts.append(
            f'<text class="cat" x="{label_w - 8}" y="{y + 14}">{escape(bar.label)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w}" height="{line - 8}"/>'
            f'<text class="v" x="{round(label_w + w + 6, 1)}" y="{y + 14}">{bar.value}</text>'
        )
    return _frame(ident, title, desc, height, "".join(parts))
