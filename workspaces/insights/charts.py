"""Charts drawn on the server as inline SVG: no script, no library, nothing the CSP blocks.
Every label passes through format_html, so a workspace or person named `<script>` is text.
Colours come from the stylesheet (classes), so the charts follow the page's theme."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 480
HEIGHT = 220
LEFT = 52
RIGHT = 8
TOP = 12
BOTTOM = 28
ROW_HEIGHT = 22
LABEL_WIDTH = 150
LABEL_CHARS = 20


def _number(value) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def _ceiling(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def column_chart(*, title: str, points: list[tuple[str, float]], chart_id: str) -> SafeString:
    """Columns over time: `points` are (label, value), oldest first. The first, middle and last
    labels are written under the axis; each column's own label and value are in its tooltip."""
    top = _ceiling(max((value for _, value in points), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot_height * value / top
        bars.append((
            f"{LEFT + index * slot + slot * 0.15:.1f}", f"{TOP + plot_height - height:.1f}",
            f"{max(slot * 0.7, 1):.1f}", f"{height:.1f}", label, _number(value),
        ))
    shown = sorted({0, len(points) // 2, len(points) - 1}) if points else []
    last = len(points) - 1
    ticks = [(f"{LEFT + index * slot + slot / 2:.1f}", "start" if index == 0 and last else
              "end" if index == last and last else "middle", points[index][0]) for index in shown]
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title" id="{id}">'
        '<title id="{id}-title">{title}</title>'
        '<line class="chart-axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>'
        '<text class="chart-tick" x="{label_x}" y="{top_y}" text-anchor="end">{top}</text>'
        '<text class="chart-tick" x="{label_x}" y="{base}" text-anchor="end">0</text>'
        "{bars}{ticks}</svg>",
        w=WIDTH, h=HEIGHT, id=chart_id, title=title, left=LEFT, right=WIDTH - RIGHT, base=TOP + plot_height,
        label_x=LEFT - 6, top_y=TOP + 10, top=_number(top),
        bars=format_html_join(
            "", '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>', bars
        ),
        ticks=format_html_join(
            "", '<text class="chart-tick" x="{}" y="' + str(HEIGHT - 8) + '" text-anchor="{}">{}</text>', ticks
        ),
    )


def bar_chart(*, title: str, rows: list[tuple[str, float]], chart_id: str) -> SafeString:
    """Horizontal bars, one per named row (a workspace, a person), largest first as given."""
    top = _ceiling(max((value for _, value in rows), default=0))
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 8
    plot_width = WIDTH - LABEL_WIDTH - RIGHT - 64
    bars = []
    for index, (name, value) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        shown = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
        width = plot_width * value / top
        bars.append((
            LABEL_WIDTH - 6, y + 15, shown, LABEL_WIDTH, y + 3, f"{width:.1f}", name, _number(value),
            f"{LABEL_WIDTH + width + 4:.1f}", y + 15, _number(value),
        ))
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title" id="{id}">'
        '<title id="{id}-title">{title}</title>{bars}</svg>',
        w=WIDTH, h=height, id=chart_id, title=title,
        bars=format_html_join("", (
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="16"><title>{}: {}</title></rect>'
            '<text class="chart-value" x="{}" y="{}">{}</text>'
        ), bars),
    )
