"""Draw a ``ChartSpec`` as a PNG sized for a chat message.

``render_chart(spec)`` returns PNG bytes; ``build_figure(spec)`` returns the matplotlib
``Figure`` it draws (for callers that want another format, and for tests).

Kinds:

- ``bar``    vertical bars for a comparison of a few categories, exact values on the bars;
             several series give grouped bars and a legend.
- ``hbar``   horizontal bars for a ranking; the first category is drawn at the top and each
             bar carries its exact value at its end.
- ``line``   a trend over years (categories are years as strings); markers and exact values at
             each point; ``None`` leaves a gap in the line. The value axis starts at zero and
             the change from the first to the last year is written out (``−0.6% since 2021``).
- ``range``  a percentile distribution per category from five series named ``10th``, ``25th``,
             ``Median``, ``75th``, ``90th``: a thin 10th-90th line, a thick 25th-75th bar and a
             median tick, with the median's value above it and the 10th/90th at the line ends.

Value labels always show exact figures (``$128,260``, ``$46.52``, ``1,687,890``, ``2.78``);
axis ticks may be compact (``$150K``) but are exact and distinct (``3.305M``, never ``3.31M``
twice). Titles wrap into balanced lines (no word alone on a line); captions name the source.
A ``None`` value is never drawn as zero.

Everything is drawn on a ``Figure`` with its own Agg canvas: no pyplot, no global rcParams,
so renders can run on several threads at once.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter

from agents.answer import ChartSeries, ChartSpec
from agents.errors import ChartSpecError

__all__ = ["ChartSpecError", "build_figure", "format_value", "render_chart"]

Unit = Literal["usd_annual", "usd_hourly", "count", "ratio"]

WIDTH_IN = 8.0
HEIGHT_IN = 4.5
MAX_HEIGHT_IN = 10.0
DPI = 110

TITLE_SIZE = 13.0
LABEL_SIZE = 10.0
TICK_SIZE = 9.0
VALUE_SIZE = 8.5
CAPTION_SIZE = 8.0
_TICK_PLACES = 4  # most decimals a tick label may need to be exact (3.3125M)
CHAR_W = 0.6  # average glyph width as a fraction of the font size (DejaVu Sans, digits)

INK = "#222222"
MUTED = "#666666"
GRID = "#e3e3e3"
SINGLE = "#2b6cb0"
# Okabe-Ito, colour-blind safe, without the yellow that vanishes on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")

PERCENTILES = ("10th", "25th", "Median", "75th", "90th")
_PERCENTILE_ALIASES = {
    "10th": "10th",
    "p10": "10th",
    "25th": "25th",
    "p25": "25th",
    "median": "Median",
    "50th": "Median",
    "p50": "Median",
    "75th": "75th",
    "p75": "75th",
    "90th": "90th",
    "p90": "90th",
}


# --- numbers -------------------------------------------------------------------------------


def format_value(value: float, unit: Unit, *, decimals: int | None = None) -> str:
    """The exact figure as a user reads it: ``$128,260``, ``$46.52``, ``1,687,890``, ``2.78``.

    ``decimals`` only matters for ``ratio`` (default: as many as the value needs, at most 2).
    """
    if unit == "usd_annual":
        return _money(value, 0)
    if unit == "usd_hourly":
        return _money(value, 2)
    if unit == "count":
        return f"{value:,.0f}"
    places = _decimals_needed([value]) if decimals is None else decimals
    return f"{value:,.{places}f}"


def _money(value: float, places: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{places}f}"


def _decimals_needed(values: Sequence[float], most: int = 2) -> int:
    """Fewest decimals (up to ``most``) that show every value as given."""
    for places in range(most + 1):
        if all(abs(v - round(v, places)) < 1e-9 * max(1.0, abs(v)) for v in values):
            return places
    return most


class _CompactFormatter(Formatter):
    """Axis ticks: ``$150K``, ``$42.50``, ``1.5M``, ``0.75``, consistent across one axis."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.ticks: list[float] = []

    def set_locs(self, locs: Sequence[float]) -> None:
        self.ticks = [float(v) for v in locs]

    def __call__(self, x: float, pos: int | None = None) -> str:
        locs = self.ticks or [x]
        if self.unit == "usd_hourly":
            places = max(2, _decimals_needed(locs, _TICK_PLACES)) if _decimals_needed(locs) else 0
            return _money(x, places)
        if self.unit == "ratio":
            return f"{x:,.{_decimals_needed(locs, _TICK_PLACES)}f}"
        if x == 0:
            return "$0" if self.unit == "usd_annual" else "0"
        top = max(abs(v) for v in locs)
        scale, suffix = (1e6, "M") if top >= 1e6 else (1e3, "K") if top >= 1e4 else (1.0, "")
        # As many decimals as the ticks need to be exact, hence distinct: 3.305M, not 3.31M twice.
        text = f"{x / scale:,.{_decimals_needed([v / scale for v in locs], _TICK_PLACES)}f}{suffix}"
        if self.unit == "usd_annual":
            return "-$" + text[1:] if text.startswith("-") else "$" + text
        return text


# --- text ----------------------------------------------------------------------------------


def _wrap(text: str, width: int, max_lines: int) -> str:
    """Wrap to ``width`` characters; past ``max_lines`` the last line ends with an ellipsis."""
    width = max(width, 4)
    whole = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    hyphens = textwrap.wrap(text, width)
    fits = all(len(line) <= width for line in whole)
    lines = (whole if fits and len(whole) <= len(hyphens) else hyphens) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip(" ,-") + "…"
    elif len(lines) > 1 and fits and lines == whole:
        lines = _balanced(text, width, len(lines))
    return "\n".join(lines)


def _balanced(text: str, width: int, count: int) -> list[str]:
    """The narrowest wrap into ``count`` lines: lines of similar length, never one word left alone."""
    narrowest = max(len(word) for word in text.split())
    for w in range(max(narrowest, len(text) // count), width + 1):
        lines = textwrap.wrap(text, w, break_on_hyphens=False, break_long_words=False)
        if len(lines) <= count:
            return lines
    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)


def _text_width_pt(text: str, size: float) -> float:
    longest = max((len(line) for line in text.split("\n")), default=0)
    return longest * size * CHAR_W


# --- spec checks ---------------------------------------------------------------------------


def _clean(values: Sequence[float | None]) -> list[float | None]:
    """NaN and infinities count as missing, like ``None``."""
    return [v if v is not None and math.isfinite(v) else None for v in values]


def _validate(spec: ChartSpec) -> None:
    if not spec.categories:
        raise ChartSpecError("a chart needs at least one category")
    if not spec.series:
        raise ChartSpecError("a chart needs at least one series")
    for s in spec.series:
        if len(s.values) != len(spec.categories):
            raise ChartSpecError(
                f"series {s.name!r} has {len(s.values)} values for {len(spec.categories)} categories"
            )
    if spec.kind == "range":
        _percentile_series(spec.series)


def _percentile_series(series: Sequence[ChartSeries]) -> dict[str, list[float | None]]:
    found: dict[str, list[float | None]] = {}
    for s in series:
        key = _PERCENTILE_ALIASES.get(s.name.strip().lower().removesuffix(" percentile"))
        if key is None or key in found:
            break
        found[key] = _clean(s.values)
    if len(series) != len(PERCENTILES) or len(found) != len(PERCENTILES):
        names = ", ".join(repr(s.name) for s in series)
        raise ChartSpecError(f"a range chart needs exactly the series {', '.join(PERCENTILES)}; got {names}")
    return found


def _present(series: Sequence[ChartSeries]) -> list[float]:
    return [v for s in series for v in _clean(s.values) if v is not None]


# --- figure scaffolding ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Sizes known before layout, used to keep labels inside the axes."""

    fig: Figure
    ax: Axes
    axes_w_pt: float
    axes_h_pt: float


def _new_frame(spec: ChartSpec, rows: int) -> _Frame:
    horizontal = spec.kind in ("hbar", "range")
    per_row = 0.38 if spec.kind == "range" else 0.32
    height = HEIGHT_IN
    if horizontal:
        height = min(MAX_HEIGHT_IN, max(HEIGHT_IN, 1.7 + per_row * rows))
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#999999")
    ax.tick_params(labelsize=TICK_SIZE, colors=INK, length=3)
    ax.set_axisbelow(True)
    # Room left for category labels on horizontal charts; title, caption and ticks elsewhere.
    axes_w = WIDTH_IN * 72 * (0.62 if horizontal else 0.86)
    axes_h = height * 72 - 120
    return _Frame(fig, ax, axes_w, axes_h)


def _finish(frame: _Frame, spec: ChartSpec) -> None:
    fig, ax = frame.fig, frame.ax
    fig.suptitle(
        _wrap(spec.title, 66, 2),
        x=0.01,
        ha="left",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        color=INK,
    )
    value_axis = ax.xaxis if spec.kind in ("hbar", "range") else ax.yaxis
    value_axis.set_major_formatter(_CompactFormatter(spec.unit))
    if spec.y_label:
        value_axis.set_label_text(spec.y_label, fontsize=LABEL_SIZE, color=INK)
    caption = _wrap(_with_source(spec.caption), 130, 2)
    lines = caption.count("\n") + 1
    fig.text(0.01, 0.012, caption, fontsize=CAPTION_SIZE, color=MUTED, ha="left", va="bottom")
    bottom = (lines * CAPTION_SIZE * 1.3 + 8) / (fig.get_figheight() * 72)
    engine: Any = fig.get_layout_engine()
    engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom / 4), h_pad=0.08, w_pad=0.08)


def _with_source(caption: str) -> str:
    """Every chart names its source, whatever the caption it was given."""
    return caption if "BLS" in caption else f"Source: BLS OEWS. {caption}".rstrip(". ")


def _legend(ax: Axes, handles: Sequence[Any]) -> None:
    """A legend in one row between the title and the plot, never over the data."""
    ax.legend(
        handles=list(handles),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.02),
        ncol=min(len(handles), 4),
        fontsize=TICK_SIZE,
        frameon=False,
        borderaxespad=0.0,
        handlelength=1.6,
        columnspacing=1.4,
    )


def _no_data(ax: Axes) -> None:
    ax.text(
        0.5,
        0.5,
        "No data available",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=LABEL_SIZE,
        color=MUTED,
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _colors(count: int) -> list[str]:
    return [SINGLE] if count == 1 else [PALETTE[i % len(PALETTE)] for i in range(count)]


def _series_key(spec: ChartSpec, notes: Sequence[str | None] = ()) -> list[Any]:
    """Legend entries for every series, even one whose first values are missing."""
    colors = _colors(len(spec.series))
    if spec.kind == "line":
        names = [
            f"{s.name} ({note})" if note else s.name
            for s, note in zip(spec.series, [*notes, *[None] * len(spec.series)], strict=False)
        ]
        return [
            Line2D([], [], color=c, linewidth=2.2, marker="o", markersize=5.5, label=name)
            for name, c in zip(names, colors, strict=True)
        ]
    return [Patch(facecolor=c, label=s.name) for s, c in zip(spec.series, colors, strict=True)]


def _value_limit(values: Sequence[float], label_pt: float, axis_pt: float) -> tuple[float, float]:
    """Limits from zero to past the largest value, leaving ``label_pt`` for its label."""
    top = max([0.0, *values])
    low = min([0.0, *values])
    share = min(0.45, (label_pt + 6) / max(axis_pt, 1.0))
    span = (top - low) or 1.0
    return low - (span * 0.04 if low < 0 else 0.0), low + span / (1 - share)


# --- bar -----------------------------------------------------------------------------------


def _draw_bar(frame: _Frame, spec: ChartSpec) -> None:
    ax, n, k = frame.ax, len(spec.categories), len(spec.series)
    slot_pt = frame.axes_w_pt / n
    width = 0.8 / k
    decimals = _decimals_needed(_present(spec.series))
    labels = [[_label(v, spec.unit, decimals) for v in _clean(s.values)] for s in spec.series]
    longest = max((_text_width_pt(t, VALUE_SIZE) for row in labels for t in row), default=0.0)
    rotate = longest > slot_pt * width * 1.15
    label_pt = longest if rotate else VALUE_SIZE * 1.4
    for j, (s, color) in enumerate(zip(spec.series, _colors(k), strict=True)):
        offset = (j - (k - 1) / 2) * width
        for i, (value, text) in enumerate(zip(_clean(s.values), labels[j], strict=True)):
            x = i + offset
            if value is None:
                _missing_mark(ax, x, 0.0, vertical=True, rotate=rotate)
                continue
            ax.bar(x, value, width * 0.92, color=color)
            ax.annotate(
                text,
                (x, value),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                rotation=90 if rotate else 0,
                fontsize=VALUE_SIZE,
                color=INK,
            )
    ax.set_ylim(*_value_limit(_present(spec.series), label_pt, frame.axes_h_pt))
    chars = int(slot_pt / (TICK_SIZE * CHAR_W))
    ax.set_xticks(range(n), [_wrap(c, chars, 3) for c in spec.categories])
    extra = max(0.0, (3 - n) / 2)  # one or two bars stay bar-shaped, not slabs
    ax.set_xlim(-0.6 - extra, n - 0.4 + extra)
    ax.tick_params(axis="x", length=0)
    ax.yaxis.grid(True, color=GRID, linewidth=0.8)
    if k > 1:
        _legend(ax, _series_key(spec))


def _label(value: float | None, unit: Unit, decimals: int) -> str:
    return "" if value is None else format_value(value, unit, decimals=decimals)


def _missing_mark(ax: Axes, x: float, base: float, *, vertical: bool, rotate: bool) -> None:
    """A small grey "n/a" where a bar would stand, so a missing value is not read as zero."""
    if vertical:
        ax.annotate(
            "n/a",
            (x, base),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            rotation=90 if rotate else 0,
            fontsize=VALUE_SIZE - 0.5,
            color=MUTED,
        )
    else:
        ax.annotate(
            "n/a",
            (base, x),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=VALUE_SIZE - 0.5,
            color=MUTED,
        )


# --- hbar ----------------------------------------------------------------------------------


def _draw_hbar(frame: _Frame, spec: ChartSpec) -> None:
    ax, n, k = frame.ax, len(spec.categories), len(spec.series)
    height = 0.8 / k
    decimals = _decimals_needed(_present(spec.series))
    longest = 0.0
    for j, (s, color) in enumerate(zip(spec.series, _colors(k), strict=True)):
        # First category at the top: row i sits at y = i on an inverted axis.
        offset = (j - (k - 1) / 2) * height
        for i, value in enumerate(_clean(s.values)):
            y = i + offset
            if value is None:
                _missing_mark(ax, y, 0.0, vertical=False, rotate=False)
                continue
            text = format_value(value, spec.unit, decimals=decimals)
            longest = max(longest, _text_width_pt(text, VALUE_SIZE))
            ax.barh(y, value, height * 0.88, color=color)
            ax.annotate(
                text,
                (value, y),
                xytext=(3, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=VALUE_SIZE,
                color=INK,
            )
    ax.set_xlim(*_value_limit(_present(spec.series), longest, frame.axes_w_pt))
    size = TICK_SIZE if n <= 15 else TICK_SIZE - 1
    lines = 2 if frame.axes_h_pt / (n * k) >= 2.4 * size else 1
    ax.set_yticks(range(n), [_wrap(c, 34, lines) for c in spec.categories], fontsize=size)
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.grid(True, color=GRID, linewidth=0.8)
    if k > 1:
        _legend(ax, _series_key(spec))


# --- line ----------------------------------------------------------------------------------


def _x_positions(categories: Sequence[str]) -> list[float]:
    """Years become numbers (so 2019, 2021 leave a gap for 2020); anything else is 0..n-1."""
    try:
        return [float(int(c.strip())) for c in categories]
    except ValueError:
        return [float(i) for i in range(len(categories))]


def _in_year_order(spec: ChartSpec) -> ChartSpec:
    """Years given newest first (or shuffled) are drawn oldest to newest."""
    xs = _x_positions(spec.categories)
    order = sorted(range(len(xs)), key=xs.__getitem__)
    if order == list(range(len(xs))):
        return spec
    series = tuple(s.model_copy(update={"values": tuple(s.values[i] for i in order)}) for s in spec.series)
    return spec.model_copy(update={"categories": tuple(spec.categories[i] for i in order), "series": series})


def _draw_line(frame: _Frame, spec: ChartSpec) -> None:
    spec = _in_year_order(spec)
    ax, k = frame.ax, len(spec.series)
    xs = _x_positions(spec.categories)
    # The value axis starts at zero, so a 0.6% decline looks like one; the change is written out.
    ylim = _value_limit(_present(spec.series), VALUE_SIZE * 2.6, frame.axes_h_pt)
    ax.set_ylim(*ylim)
    for s, color in zip(spec.series, _colors(k), strict=True):
        ys = [math.nan if v is None else v for v in _clean(s.values)]
        ax.plot(xs, ys, color=color, linewidth=2.2, marker="o", markersize=5.5)
    _line_labels(frame, spec, xs, ylim)
    step = math.ceil(len(xs) / 10)  # at most ten year labels, each on a data point
    ax.set_xticks(xs[::step], list(spec.categories)[::step])
    span = (max(xs) - min(xs)) or 1.0
    ax.set_xlim(min(xs) - span * 0.08, max(xs) + span * 0.08)
    ax.yaxis.grid(True, color=GRID, linewidth=0.8)
    changes = [change_since(spec.categories, s.values) for s in spec.series]
    if k > 1:
        _legend(ax, _series_key(spec, changes))
    elif changes[0]:
        ax.set_title(changes[0], loc="left", fontsize=LABEL_SIZE, fontweight="bold", color=SINGLE, pad=6)


def change_since(categories: Sequence[str], values: Sequence[float | None]) -> str | None:
    """``−0.6% since 2021``: from the first to the last known value of a series over years."""
    known = [(c, v) for c, v in zip(categories, _clean(values), strict=True) if v is not None]
    if len(known) < 2 or not known[0][1]:
        return None
    (first_year, first), (_, last) = known[0], known[-1]
    pct = round((last - first) / abs(first) * 100, 1)
    sign = "+" if pct > 0 else "−" if pct < 0 else "±"
    return f"{sign}{abs(pct):.1f}% since {first_year}"


def _line_labels(frame: _Frame, spec: ChartSpec, xs: Sequence[float], ylim: tuple[float, float]) -> None:
    """Exact values at the points, placed beside the line where it leaves room; in a column of
    several series each label avoids the other markers and labels."""
    decimals = _decimals_needed(_present(spec.series))
    colors = [INK] if len(spec.series) == 1 else _colors(len(spec.series))
    widest = max(
        _text_width_pt(format_value(v, spec.unit, decimals=decimals), VALUE_SIZE)
        for v in _present(spec.series)
    )
    slot = frame.axes_w_pt / max(len(xs), 1)
    keep = range(len(xs)) if widest * 1.1 < slot else sorted({0, len(xs) - 1})
    to_pt = frame.axes_h_pt / (ylim[1] - ylim[0])
    series = [_clean(s.values) for s in spec.series]
    for i in keep:
        points = sorted((v, j) for j, values in enumerate(series) if (v := values[i]) is not None)
        ys = [(v - ylim[0]) * to_pt for v, _ in points]
        edge = "first" if i == 0 else "last" if i == len(xs) - 1 else ""
        shapes = [_shape(series[j], i, to_pt) for _, j in points]
        offsets = _place_labels(ys, shapes, edge, frame.axes_h_pt)
        for (value, j), shape, dy in zip(points, shapes, offsets, strict=True):
            ha = _align(dy > 0, shape, edge)
            dx = {"left": 2.0, "right": -2.0, "center": 0.0}[ha]
            frame.ax.annotate(
                format_value(value, spec.unit, decimals=decimals),
                (xs[i], value),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va="bottom" if dy > 0 else "top",
                fontsize=VALUE_SIZE,
                color=colors[j],
            )


Shape = Literal["rise", "fall", "peak", "valley", "flat"]


def _shape(values: Sequence[float | None], i: int, to_pt: float) -> Shape:
    """How the line runs through point ``i`` (a gap counts as no segment)."""
    here = values[i]
    assert here is not None
    before = values[i - 1] if i > 0 else None
    after = values[i + 1] if i + 1 < len(values) else None
    slope_in = 0 if before is None else _sign((here - before) * to_pt)
    slope_out = 0 if after is None else _sign((after - here) * to_pt)
    if slope_in >= 0 and slope_out >= 0 and slope_in + slope_out > 0:
        return "rise"
    if slope_in <= 0 and slope_out <= 0 and slope_in + slope_out < 0:
        return "fall"
    if slope_in > 0 > slope_out:
        return "peak"
    return "valley" if slope_in < 0 < slope_out else "flat"


def _sign(rise_pt: float) -> int:
    return 0 if abs(rise_pt) < 2.0 else 1 if rise_pt > 0 else -1


def _align(above: bool, shape: Shape, edge: str) -> str:
    """Put the label in the quadrant the line leaves free, never past the ends of the axis."""
    if shape == "rise":
        ha = "right" if above else "left"
    elif shape == "fall":
        ha = "left" if above else "right"
    else:
        ha = "center"
    if (edge == "first" and ha == "right") or (edge == "last" and ha == "left"):
        return "center"
    return ha


def _place_labels(ys: Sequence[float], shapes: Sequence[Shape], edge: str, height: float) -> list[float]:
    """Vertical offsets (points; > 0 above the point, < 0 below) for points sorted low to high.
    Each label takes its preferred side unless that hits another marker or label."""
    gap, line_h, marker = 5.0, VALUE_SIZE * 1.3, 4.0
    taken = [(y - marker, y + marker) for y in ys]
    offsets: list[float] = []
    for k, (y, shape) in enumerate(zip(ys, shapes, strict=True)):
        others = taken[:k] + taken[k + 1 :]
        for dy in _sides(k, len(ys), shape, edge, gap):
            low, high = (y + dy, y + dy + line_h) if dy > 0 else (y + dy - line_h, y + dy)
            if low >= 0 and high <= height and not any(a < high and low < b for a, b in others):
                break
        else:
            low = max([y + gap, *(b for _, b in others if b > y)])
            dy, high = low - y, low + line_h
        taken.append((low, high))
        offsets.append(dy)
    return offsets


def _sides(k: int, count: int, shape: Shape, edge: str, gap: float) -> tuple[float, float]:
    below_first = (
        (count > 1 and k == 0)
        or (count == 1 and shape == "valley")
        or (edge == "first" and shape == "rise")
        or (edge == "last" and shape == "fall")
    )
    return (-gap, gap) if below_first else (gap, -gap)


# --- range ---------------------------------------------------------------------------------


def _draw_range(frame: _Frame, spec: ChartSpec) -> None:
    ax, n = frame.ax, len(spec.categories)
    pct = _percentile_series(spec.series)
    decimals = _decimals_needed(_present(spec.series))
    side_texts: list[tuple[str, str]] = []
    for i in range(n):
        row = {name: pct[name][i] for name in PERCENTILES}
        side_texts += _range_row(ax, i, row, spec.unit, decimals)
    left = _room(side_texts, "left", frame.axes_w_pt)
    right = _room(side_texts, "right", frame.axes_w_pt)
    values = _present(spec.series)
    low, high = min(values), max(values)
    span = (high - low) or abs(high) * 0.1 or 1.0
    total = span / (1 - left - right)
    ax.set_xlim(low - total * left, high + total * right)
    ax.set_yticks(range(n), [_wrap(c, 34, 2) for c in spec.categories])
    ax.set_ylim(n - 0.45, -0.75)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.grid(True, color=GRID, linewidth=0.8)
    _legend(ax, _range_key())


def _room(texts: Sequence[tuple[str, str]], side: str, axes_w_pt: float) -> float:
    """Share of the axis width the labels on one side of the rows need."""
    widest = max((_text_width_pt(t, VALUE_SIZE - 0.5) for s, t in texts if s == side), default=0)
    return min(0.3, (widest + 8) / axes_w_pt)


def _range_key() -> list[Any]:
    return [
        Line2D([], [], color=SINGLE, linewidth=1.6, label="10th–90th percentile"),
        Patch(facecolor=SINGLE, alpha=0.55, label="25th–75th percentile"),
        Line2D(
            [],
            [],
            color=INK,
            marker="|",
            markersize=12,
            markeredgewidth=2.4,
            linestyle="none",
            label="Median",
        ),
    ]


def _range_row(
    ax: Axes, y: float, row: dict[str, float | None], unit: Unit, places: int
) -> list[tuple[str, str]]:
    """One category: the 10th-25th and 75th-90th whiskers, the 25th-75th bar and the median
    tick, each drawn only when its percentiles are known; missing ones are named.
    Returns (side, text) for what is written beside the row (they need room at the ends of the axis)."""
    p10, p25, median, p75, p90 = (row[name] for name in PERCENTILES)
    for left, right in ((p10, p25), (p75, p90)):
        if left is not None and right is not None:
            ax.hlines(y, left, right, color=SINGLE, linewidth=1.6)
    if p25 is not None and p75 is not None:
        ax.barh(y, p75 - p25, 0.34, left=p25, color=SINGLE, alpha=0.55, linewidth=0)
    if median is not None:
        ax.vlines(median, y - 0.24, y + 0.24, color=INK, linewidth=2.4)
        _range_label(ax, (median, y - 0.24), format_value(median, unit, decimals=places), "median")
    present = [v for v in (p10, p25, median, p75, p90) if v is not None]
    texts: list[tuple[str, str]] = []
    for value, side in ((p10, "left"), (p90, "right")):
        if value is not None:
            texts.append((side, format_value(value, unit, decimals=places)))
            _range_label(ax, (value, y), texts[-1][1], side)
    missing = [name for name in PERCENTILES if row[name] is None]
    if missing and present:
        side = "right" if p90 is None else "left"
        anchor = max(present) if side == "right" else min(present)
        texts.append((side, f"{', '.join(missing)}: n/a"))
        _range_label(ax, (anchor, y), texts[-1][1], side)
    elif missing:
        ax.annotate(
            "n/a",
            (0, y),
            xytext=(4, 0),
            textcoords="offset points",
            xycoords=("axes fraction", "data"),
            va="center",
            color=MUTED,
            fontsize=VALUE_SIZE,
        )
    return texts


def _range_label(ax: Axes, at: tuple[float, float], text: str, side: str) -> None:
    if side == "median":
        ax.annotate(
            text,
            at,
            xytext=(0, 1),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=VALUE_SIZE,
            fontweight="bold",
            color=INK,
        )
        return
    ax.annotate(
        text,
        at,
        xytext=(-4 if side == "left" else 4, 0),
        textcoords="offset points",
        ha="right" if side == "left" else "left",
        va="center",
        fontsize=VALUE_SIZE - 0.5,
        color=MUTED,
    )


# --- entry points --------------------------------------------------------------------------

_DRAW = {"bar": _draw_bar, "hbar": _draw_hbar, "line": _draw_line, "range": _draw_range}


def build_figure(spec: ChartSpec) -> Figure:
    """Draw ``spec`` on a new ``Figure`` with its own Agg canvas (no pyplot state)."""
    _validate(spec)
    rows = len(spec.categories) * (len(spec.series) if spec.kind == "hbar" else 1)
    frame = _new_frame(spec, rows)
    if _present(spec.series):
        _DRAW[spec.kind](frame, spec)
    else:
        _no_data(frame.ax)
    _finish(frame, spec)
    return frame.fig


def render_chart(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes (about 880 px wide), white background."""
    fig = build_figure(spec)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
