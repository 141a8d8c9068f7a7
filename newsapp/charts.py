"""Geometry of the paired bar charts drawn as inline SVG (``newsapp/_paired_bars.html``).

Every coordinate is computed here, so the template only writes SVG presentation attributes
(``x``, ``width``, ``fill``): no style attribute, which the Content-Security-Policy forbids,
and no chart library.
"""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 760
LABEL_WIDTH = 210
TEXT_ROOM = 160  # right of the longest bar, for its figure and flag
BAR_AREA = WIDTH - LABEL_WIDTH - TEXT_ROOM
TOP = 36  # room for the legend
BAR = 12
GAP = 3
ROW = 2 * BAR + GAP + 13


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: int
    first: Bar
    second: Bar
    flag: str  # "over", "under" or ""


@dataclass(frozen=True)
class Chart:
    title: str
    first_name: str
    second_name: str
    rows: list[ChartRow]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return TOP + ROW * len(self.rows) + 4

    @property
    def legend_second_x(self) -> int:
        return self.label_width + 210


@dataclass(frozen=True)
class Pair:
    """One row to draw: two shares (0 to 1) and the words written beside each bar."""

    label: str
    first: float
    second: float
    first_text: str
    second_text: str
    flag: str = ""


def paired_bars(pairs: Sequence[Pair], *, title: str, first_name: str, second_name: str) -> Chart:
    """Two bars per row on one scale (the largest share fills the width)."""
    largest = max([p.first for p in pairs] + [p.second for p in pairs] + [1e-9])
    rows = []
    for i, pair in enumerate(pairs):
        top = TOP + i * ROW
        bars = []
        for offset, share, text in (
            (0, pair.first, pair.first_text),
            (BAR + GAP, pair.second, pair.second_text),
        ):
            width = round(BAR_AREA * max(0.0, share) / largest)
            y = top + offset
            bars.append(
                Bar(
                    y=y,
                    width=width,
                    text=text,
                    text_x=LABEL_WIDTH + width + 6,
                    text_y=y + BAR - 2,
                )
            )
        rows.append(
            ChartRow(
                label=pair.label,
                label_y=top + BAR + 4,
                first=bars[0],
                second=bars[1],
                flag=pair.flag,
            )
        )
    return Chart(title=title, first_name=first_name, second_name=second_name, rows=rows)


def percent(share: float) -> str:
    """A share in words of a chart: "12%", "<1%" for a sliver, "0%" for nothing."""
    if share <= 0:
        return "0%"
    if share < 0.005:
        return "<1%"
    return f"{share:.0%}"
