"""PNG charts for a phone screen (matplotlib's Agg renderer, no display, no pyplot).

A `Chart` says what to draw in words the caller chose (the chat's language); `render_png`
draws it square, with large letters, so it reads on a small phone after the platform
shrinks it. A chart with nothing to show is still a picture: its title and the caller's
"belum ada data", never an error. Rendering is slow work for an event loop: callers run
it in a thread (`asyncio.to_thread`); each call has its own figure, so threads do not
share state (pyplot's global figures are not used).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

SIZE_INCHES: Final = 8.0
DPI: Final = 110  # 880 x 880 pixels
TITLE_PT: Final = 22
TEXT_PT: Final = 17
# Tableau's ten colours: told apart also by most colour-blind readers.
COLOURS: Final = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip

ChartKind = Literal["stacked", "grouped", "percent", "bars"]


@dataclass(frozen=True)
class Chart:
    title: str
    # Labels along the axis (months, kampung, kader), in order.
    categories: Sequence[str]
    # (legend name, one value per category); "percent" takes (done, out of) in two series.
    series: Sequence[tuple[str, Sequence[float]]]
    kind: ChartKind
    empty_text: str
    value_label: str = ""
    # "percent": how a bar's label reads, given percent, done and out of ("75% (15/20)").
    percent_format: str = "{percent}% ({done}/{total})"

    @property
    def empty(self) -> bool:
        return not self.categories or not any(v for _, values in self.series for v in values)


def render_png(chart: Chart) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(chart.title, fontsize=TITLE_PT, fontweight="bold", wrap=True)
    ax.tick_params(labelsize=TEXT_PT)
    if chart.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, chart.empty_text, ha="center", va="center", fontsize=TITLE_PT,
                transform=ax.transAxes, wrap=True)  # fmt: skip
    elif chart.kind == "percent":
        _percent(ax, chart)
    else:
        _bars(ax, chart)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _bars(ax: object, chart: Chart) -> None:
    """ "stacked": one bar per category, a piece per series, its total on top; "grouped":
    the series side by side; "bars": one series. Counts are written on the bars."""
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    assert isinstance(ax, Axes)
    positions = list(range(len(chart.categories)))
    shown = [(name, values) for name, values in chart.series if any(values)]
    tops = [0.0] * len(positions)
    width = 0.8 / len(shown) if chart.kind == "grouped" else 0.8
    for i, (name, values) in enumerate(shown):
        colour = COLOURS[i % len(COLOURS)]
        if chart.kind == "stacked":
            ax.bar(positions, values, width, bottom=tops, label=name, color=colour)
            tops = [t + v for t, v in zip(tops, values, strict=True)]
            continue
        xs = (
            [p - 0.4 + width * (i + 0.5) for p in positions]
            if chart.kind == "grouped"
            else positions
        )
        bars = ax.bar(xs, values, width, label=name, color=colour)
        ax.bar_label(bars, labels=[f"{v:g}" if v else "" for v in values], fontsize=TEXT_PT - 3)
        tops = [max(t, v) for t, v in zip(tops, values, strict=True)]
    if chart.kind == "stacked":
        for p, total in zip(positions, tops, strict=True):
            if total:
                ax.text(p, total, f"{total:g}", ha="center", va="bottom", fontsize=TEXT_PT - 3)
    ax.set_ylim(0, max(tops) * 1.15)  # room for the numbers on the highest bar
    slanted = len(positions) > 4
    ax.set_xticks(
        positions, list(chart.categories), rotation=45 if slanted else 0,
        ha="right" if slanted else "center",
    )  # fmt: skip
    ax.set_ylabel(chart.value_label, fontsize=TEXT_PT)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    if chart.kind != "bars":
        # Below the chart, outside it: a legend inside would cover the bars.
        ax.figure.legend(fontsize=TEXT_PT - 3, loc="outside lower center", ncols=2, frameon=False)


def _percent(ax: object, chart: Chart) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    (_, done), (_, total) = chart.series[0], chart.series[1]
    percents = [round(100 * d / t) if t else 0 for d, t in zip(done, total, strict=True)]
    rows = list(range(len(chart.categories)))[::-1]  # the first category on top
    ax.barh(rows, percents, 0.6, color=COLOURS[2])
    for y, p, d, t in zip(rows, percents, done, total, strict=True):
        label = chart.percent_format.format(percent=p, done=int(d), total=int(t))
        ax.text(min(p, 100) + 1.5, y, label, va="center", fontsize=TEXT_PT - 1)
    ax.set_yticks(rows, list(chart.categories))
    ax.set_xlim(0, 135)  # room for the labels right of a full bar
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(chart.value_label, fontsize=TEXT_PT)
    ax.spines[["top", "right"]].set_visible(False)
