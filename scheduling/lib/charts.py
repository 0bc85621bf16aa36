"""The geometry of small charts drawn server-side as SVG (templates/_chart_*.html draw them):
horizontal bars, and columns per week with a marker. No Django, no clock; every chart also
has its table on the page, so the numbers never live in the picture alone."""

import dataclasses
import math

LABEL_WIDTH = 210
VALUE_WIDTH = 90
BAR_HEIGHT = 22
BAR_GAP = 10


def nice_ceiling(value):
    """The round number at or above `value` an axis should end at (1, 2, 5 × 10^n).

    >>> [nice_ceiling(v) for v in (0, 0.4, 3, 7, 12, 480)]
    [1, 0.5, 5, 10, 20, 500]
    """
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


@dataclasses.dataclass(frozen=True)
class HBar:
    label: str
    text: str
    y: float
    width: float
    text_x: float
    tone: str = ""


def hbars(items, *, width=640, top=None):
    """Bars for [(label, value, text[, tone])], in order: {width, height, bars, scale}.

    >>> chart = hbars([("Sent", 10, "10"), ("Booked", 4, "4")], width=400)
    >>> [(b.label, round(b.width)) for b in chart["bars"]]
    [('Sent', 100), ('Booked', 40)]
    """
    items = list(items)
    room = width - LABEL_WIDTH - VALUE_WIDTH
    scale = nice_ceiling(top if top is not None else max((i[1] for i in items), default=0))
    bars = []
    for n, item in enumerate(items):
        label, value, text = item[:3]
        tone = item[3] if len(item) > 3 else ""
        bar = room * max(value or 0, 0) / scale
        bars.append(
            HBar(label, text, n * (BAR_HEIGHT + BAR_GAP), bar, LABEL_WIDTH + bar + 6, tone)
        )
    return {
        "width": width,
        "height": max(len(items), 1) * (BAR_HEIGHT + BAR_GAP),
        "bars": bars,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "text_dy": BAR_HEIGHT * 0.7,
    }


@dataclasses.dataclass(frozen=True)
class Column:
    label: str
    x: float
    width: float
    y: float
    height: float
    marker_y: float | None
    label_x: float

    @property
    def x_end(self):
        return self.x + self.width


def columns(items, *, width=640, height=220):
    """Columns for [(label, value, marker)] (a week's median and its 90th percentile, say):
    {width, height, columns, ticks, baseline}; None values draw nothing.

    >>> chart = columns([("1 Jun", 2, 4), ("8 Jun", None, None)], width=300, height=120)
    >>> [(c.label, round(c.height)) for c in chart["columns"]]
    [('1 Jun', 46), ('8 Jun', 0)]
    """
    items = list(items)
    left, bottom, top_pad = 48, 28, 8
    plot_height = height - bottom - top_pad
    peak = max((v for _l, a, b in items for v in (a, b) if v is not None), default=0)
    scale = nice_ceiling(peak)
    slot = (width - left) / max(len(items), 1)
    bar = min(slot * 0.6, 36)
    found = []
    for n, (label, value, marker) in enumerate(items):
        x = left + n * slot + (slot - bar) / 2
        h = plot_height * (value or 0) / scale
        marker_y = None if marker is None else top_pad + plot_height * (1 - marker / scale)
        found.append(Column(label, x, bar, top_pad + plot_height - h, h, marker_y, x + bar / 2))
    ticks = [{"value": scale * k / 4, "y": top_pad + plot_height * (1 - k / 4)} for k in range(5)]
    return {
        "width": width,
        "height": height,
        "columns": found,
        "ticks": ticks,
        "left": left,
        "baseline": top_pad + plot_height,
        "label_y": top_pad + plot_height + 18,
        "every": max(1, math.ceil(len(items) / 14)),
    }
