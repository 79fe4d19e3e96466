"""Charts as the user sees them: real PNGs from realistic OEWS specs (``agents.engine.chart``).

Set ``CHART_SAMPLES_DIR`` to a folder to keep the sample PNGs for a look.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import pytest

from agents.answer import ChartSeries, ChartSpec

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[1]
SOURCE = "Source: BLS OEWS, May 2025"

STATES = ("California", "Washington", "New York", "Massachusetts", "Texas")
SOFTWARE_MEDIANS = (186770.0, 171040.0, 162130.0, 158000.0, 139650.0)
RN_YEARS = ("2021", "2022", "2023", "2024", "2025")
RN_MEDIANS = (77600.0, 81220.0, 86070.0, 93600.0, 97550.0)
TOP_HOURLY = (
    ("Physicians, Pathologists", 129.85),
    ("Orthopedic Surgeons, Except Pediatric", 124.20),
    ("Radiologists", 121.66),
    ("Emergency Medicine Physicians", 117.50),
    ("Airline Pilots, Copilots, and Flight Engineers", 108.40),
    ("Nurse Anesthetists", 102.85),
    ("Chief Executives", 99.37),
    ("Computer and Information Systems Managers", 82.31),
)
METROS = (
    "San Jose-Sunnyvale-Santa Clara, CA",
    "Seattle-Tacoma-Bellevue, WA",
    "Portland-Vancouver-Hillsboro, OR-WA",
    "Raleigh, NC",
)
PERCENTILES = {
    "10th": (143590.0, 120000.0, 98430.0, 88340.0),
    "25th": (183010.0, 148700.0, 121300.0, 105010.0),
    "Median": (233410.0, 190210.0, 152040.0, 130120.0),
    "75th": (239200.0, 235600.0, 185900.0, 158420.0),
    "90th": (None, 239200.0, 222110.0, 190100.0),
}


def bar_spec(values: tuple[float | None, ...] = SOFTWARE_MEDIANS) -> ChartSpec:
    return ChartSpec(
        kind="bar",
        title="Software developers: median annual wage by state",
        categories=STATES,
        series=(ChartSeries(name="Median", values=values),),
        unit="usd_annual",
        y_label="Median annual wage",
        caption=SOURCE,
    )


def grouped_bar_spec() -> ChartSpec:
    return ChartSpec(
        kind="bar",
        title="Software developers: median and mean annual wage in three metros",
        categories=METROS[:3],
        series=(
            ChartSeries(name="Median", values=(233410.0, 190210.0, 152040.0)),
            ChartSeries(name="Mean", values=(None, 193990.0, 156320.0)),
        ),
        unit="usd_annual",
        y_label="Annual wage",
        caption=SOURCE,
    )


def hbar_spec(values: tuple[float | None, ...] | None = None) -> ChartSpec:
    return ChartSpec(
        kind="hbar",
        title="Highest-paying occupations in the U.S. by median hourly wage",
        categories=tuple(name for name, _ in TOP_HOURLY),
        series=(ChartSeries(name="Median", values=values or tuple(v for _, v in TOP_HOURLY)),),
        unit="usd_hourly",
        y_label="Median hourly wage",
        caption=SOURCE,
    )


def line_spec(values: tuple[float | None, ...] = RN_MEDIANS) -> ChartSpec:
    return ChartSpec(
        kind="line",
        title="Registered nurses: median annual wage, 2021–2025",
        categories=RN_YEARS,
        series=(ChartSeries(name="Registered Nurses", values=values),),
        unit="usd_annual",
        y_label="Median annual wage",
        caption="Source: BLS OEWS, May 2021–May 2025",
    )


def multi_line_spec() -> ChartSpec:
    return ChartSpec(
        kind="line",
        title="Employment: registered nurses and nursing assistants",
        categories=RN_YEARS,
        series=(
            ChartSeries(name="Registered Nurses", values=(3047530.0, 3072700.0, 3175390.0, None, 3282010.0)),
            ChartSeries(
                name="Nursing Assistants", values=(1402880.0, 1352300.0, 1351100.0, 1360000.0, 1386000.0)
            ),
        ),
        unit="count",
        y_label="Employment",
        caption="Source: BLS OEWS, May 2021–May 2025",
    )


def range_spec(percentiles: dict[str, tuple[float | None, ...]] = PERCENTILES) -> ChartSpec:
    return ChartSpec(
        kind="range",
        title="Software developers: annual wage distribution in four metros",
        categories=METROS,
        series=tuple(ChartSeries(name=name, values=values) for name, values in percentiles.items()),
        unit="usd_annual",
        y_label="Annual wage",
        caption=SOURCE,
    )


def ratio_spec() -> ChartSpec:
    return ChartSpec(
        kind="hbar",
        title="Location quotient of software developers",
        categories=("San Jose", "Seattle", "Austin", "Raleigh"),
        series=(ChartSeries(name="Location quotient", values=(5.12, 3.4, 2.78, 0.95)),),
        unit="ratio",
        y_label="Location quotient",
        caption=SOURCE,
    )


SAMPLES = {
    "bar": bar_spec,
    "bar_grouped": grouped_bar_spec,
    "hbar": hbar_spec,
    "line": line_spec,
    "line_multi": multi_line_spec,
    "range": range_spec,
    "hbar_ratio": ratio_spec,
}


@pytest.fixture
def chart() -> ModuleType:
    """The chart module (matplotlib's config and font cache: the run's own folder, ``clean_environ``)."""
    return importlib.import_module("agents.engine.chart")


@pytest.fixture(scope="module")
def renders() -> dict[str, bytes]:
    return {}


@pytest.fixture
def sample_png(chart: ModuleType, renders: dict[str, bytes]) -> Callable[[str], bytes]:
    """The PNG of a sample spec, rendered once per test process (~0.4 s a render); tests that
    compare two renders make the second one themselves."""

    def png(name: str) -> bytes:
        if name not in renders:
            renders[name] = chart.render_chart(SAMPLES[name]())
        return renders[name]

    return png


def decode(png: bytes) -> tuple[int, int, tuple[int, ...]]:
    """(width, height, top-left pixel) of a PNG, decoded with Pillow (a matplotlib dependency)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.load()
        rgb = image.convert("RGB")
        return rgb.width, rgb.height, tuple(rgb.getpixel((0, 0)))  # type: ignore[arg-type]


def texts(fig: object) -> list[str]:
    """Every text on the axes (value labels, notes) plus the figure's own texts."""
    fig.canvas.draw()  # type: ignore[attr-defined]
    ax = fig.axes[0]  # type: ignore[attr-defined]
    return [t.get_text() for t in ax.texts] + [t.get_text() for t in fig.texts]  # type: ignore[attr-defined]


# --- every kind makes a real PNG -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_kind_is_a_chat_sized_png(sample_png: Callable[[str], bytes], name: str) -> None:
    png = sample_png(name)

    assert png.startswith(PNG_SIGNATURE)
    width, height, corner = decode(png)
    assert (width, height) == (880, 495)  # 8 x 4.5 in at 110 dpi
    assert corner == (255, 255, 255)
    assert len(png) < 150_000
    folder = os.environ.get("CHART_SAMPLES_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.png").write_bytes(png)


def test_matplotlib_can_read_the_png_back(sample_png: Callable[[str], bytes]) -> None:
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(sample_png("line")), format="png")

    assert pixels.shape[:2] == (495, 880)
    assert pixels.std() > 0.05  # something was drawn


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_two_renders_are_identical(chart: ModuleType, sample_png: Callable[[str], bytes], name: str) -> None:
    first, second = sample_png(name), chart.render_chart(SAMPLES[name]())

    assert decode(first)[:2] == decode(second)[:2]
    assert first == second


@pytest.mark.slow(seconds=5)
def test_renders_on_several_threads_match_serial_renders(
    chart: ModuleType, sample_png: Callable[[str], bytes]
) -> None:
    specs = [make() for make in SAMPLES.values()]
    serial = [sample_png(name) for name in SAMPLES]

    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        parallel = list(pool.map(chart.render_chart, specs))

    assert parallel == serial


def test_rendering_leaves_global_matplotlib_settings_alone(chart: ModuleType) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    chart.render_chart(range_spec())

    assert dict(matplotlib.rcParams) == before


def test_import_and_render_do_not_touch_pyplot() -> None:
    script = (
        "import sys\n"
        "from agents.answer import ChartSeries, ChartSpec\n"
        "import agents.engine.chart as chart\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "spec = ChartSpec(kind='bar', title='t', categories=('a', 'b'), unit='count', y_label='',\n"
        "    caption='c', series=(ChartSeries(name='s', values=(1.0, 2.0)),))\n"
        "assert chart.render_chart(spec).startswith(b'\\x89PNG')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # MPLCONFIGDIR: the run's font cache (clean_environ)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr


# --- what the chart says ----------------------------------------------------------------------


def test_bar_labels_show_exact_dollars(chart: ModuleType) -> None:
    shown = texts(chart.build_figure(bar_spec()))

    assert {"$186,770", "$171,040", "$162,130", "$158,000", "$139,650"} <= set(shown)
    assert SOURCE in shown


def test_bar_with_a_missing_value_draws_no_bar_and_no_zero(chart: ModuleType) -> None:
    fig = chart.build_figure(bar_spec((186770.0, 171040.0, None, 158000.0, 139650.0)))
    shown = texts(fig)
    heights = sorted(p.get_height() for p in fig.axes[0].patches)

    assert heights == [139650.0, 158000.0, 171040.0, 186770.0]
    assert "n/a" in shown
    assert "$0" not in shown
    assert chart.render_chart(bar_spec((186770.0, None, None, None, None))).startswith(PNG_SIGNATURE)


def test_grouped_bars_have_a_legend_with_every_series(chart: ModuleType) -> None:
    fig = chart.build_figure(grouped_bar_spec())
    legend = fig.axes[0].get_legend()

    assert [t.get_text() for t in legend.get_texts()] == ["Median", "Mean"]
    assert len(fig.axes[0].patches) == 5  # six slots, one value missing


def test_hbar_puts_the_first_ranked_category_at_the_top(chart: ModuleType) -> None:
    fig = chart.build_figure(hbar_spec())
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = sorted(ax.get_yticklabels(), key=lambda t: -t.get_window_extent().y0)
    bars = sorted(ax.patches, key=lambda p: -p.get_window_extent().y0)

    assert labels[0].get_text() == "Physicians, Pathologists"
    assert labels[-1].get_text().replace("\n", " ") == "Computer and Information Systems Managers"
    assert [round(b.get_width(), 2) for b in bars] == [v for _, v in TOP_HOURLY]
    assert {"$129.85", "$124.20", "$82.31"} <= set(texts(fig))


def test_hbar_with_a_missing_value(chart: ModuleType) -> None:
    values = tuple(None if i == 1 else v for i, (_, v) in enumerate(TOP_HOURLY))
    fig = chart.build_figure(hbar_spec(values))

    assert len(fig.axes[0].patches) == len(TOP_HOURLY) - 1
    assert "$124.20" not in texts(fig)
    assert decode(chart.render_chart(hbar_spec(values)))[:2] == (880, 495)


def test_long_category_labels_are_wrapped_then_cut_with_an_ellipsis(chart: ModuleType) -> None:
    long_name = (
        "Sales Representatives of Services, Except Advertising, Insurance, Financial Services, and Travel"
    )
    spec = hbar_spec().model_copy(update={"categories": (long_name, *hbar_spec().categories[1:])})
    fig = chart.build_figure(spec)
    fig.canvas.draw()
    first = fig.axes[0].get_yticklabels()[0].get_text()
    lines = first.split("\n")

    assert len(lines) == 2
    assert lines[0] == "Sales Representatives of Services,"
    assert lines[1].endswith("…")
    assert all(len(line) <= 34 for line in lines)
    assert (
        "Portland-Vancouver-Hillsboro,"
        in chart.build_figure(range_spec()).axes[0].get_yticklabels()[2].get_text()
    )


def test_line_leaves_a_gap_for_a_missing_year(chart: ModuleType) -> None:
    fig = chart.build_figure(line_spec((77600.0, 81220.0, None, 93600.0, 97550.0)))
    line = fig.axes[0].get_lines()[0]
    ys = list(line.get_ydata())  # type: ignore[arg-type]
    shown = texts(fig)

    assert list(line.get_xdata()) == [2021, 2022, 2023, 2024, 2025]  # type: ignore[arg-type]
    assert ys[2] != ys[2]  # NaN: matplotlib breaks the line here
    assert [y for i, y in enumerate(ys) if i != 2] == [77600.0, 81220.0, 93600.0, 97550.0]
    assert {"$77,600", "$81,220", "$93,600", "$97,550"} <= set(shown)
    assert "$0" not in shown


def test_line_labels_every_point_and_names_every_series(chart: ModuleType) -> None:
    fig = chart.build_figure(multi_line_spec())
    shown = texts(fig)

    assert {"3,047,530", "3,282,010", "1,402,880", "1,386,000"} <= set(shown)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [name.split(" (")[0] for name in legend] == ["Registered Nurses", "Nursing Assistants"]
    assert all(" since 2021)" in name for name in legend)  # each series' change is written out


CASHIERS = ("2021", "2022", "2023"), (3318020.0, 3296040.0, 3298660.0)  # May 2021-2023, U.S.


def cashier_trend(years: tuple[str, ...] = CASHIERS[0], values: tuple[float, ...] = CASHIERS[1]) -> ChartSpec:
    return ChartSpec(
        kind="line",
        title="Employment of Cashiers (41-2011), U.S.",
        categories=years,
        series=(ChartSeries(name="Employment", values=values),),
        unit="count",
        y_label="Employment",
        caption=f"Source: BLS OEWS, May {years[0]}–May {years[-1]}",
    )


@pytest.mark.parametrize(
    ("spec", "change"),
    [
        (cashier_trend(), "−0.6% since 2021"),  # a small decline is not drawn as a plunge
        (line_spec(), "+25.7% since 2021"),
        (cashier_trend(("2019", "2025"), (3596630.0, 3089410.0)), "−14.1% since 2019"),
    ],
    ids=["small-change", "rise", "large-decline"],
)
def test_trends_start_at_zero_with_distinct_exact_ticks_and_say_the_change(
    chart: ModuleType, spec: ChartSpec, change: str
) -> None:
    fig = chart.build_figure(spec)
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]

    assert ax.get_ylim()[0] == 0 and ticks[0] in ("0", "$0")
    assert len(set(ticks)) == len(ticks)  # never "3.31M" on three different ticks
    assert ax.get_title(loc="left") == change
    assert "Source: BLS OEWS" in texts(fig)[-1]


def test_ticks_get_the_decimals_they_need_to_stay_exact(chart: ModuleType) -> None:
    formatter = chart._CompactFormatter("count")
    formatter.set_locs([3_290_000, 3_295_000, 3_300_000, 3_305_000, 3_310_000])
    assert [formatter(v) for v in formatter.ticks] == ["3.290M", "3.295M", "3.300M", "3.305M", "3.310M"]


@pytest.mark.parametrize(
    "title",
    [
        "Median annual wage of Software Developers by state, May 2025, U.S. data",  # 71 characters
        "Employment of Registered Nurses in the ten largest metropolitan areas of Texas",
        "Median annual wage of Software Developers and Software Quality Assurance Analysts and Testers",
    ],
)
def test_titles_never_leave_a_word_alone_on_a_line(chart: ModuleType, title: str) -> None:
    fig = chart.build_figure(bar_spec().model_copy(update={"title": title}))
    lines = fig.get_suptitle().split("\n")

    assert len(lines) == 2 and all(len(line.split()) >= 3 for line in lines)
    assert " ".join(lines) == title


def test_every_chart_names_its_source(chart: ModuleType) -> None:
    fig = chart.build_figure(bar_spec().model_copy(update={"caption": "May 2025"}))
    assert texts(fig)[-1] == "Source: BLS OEWS. May 2025"


def test_range_labels_medians_and_notes_missing_percentiles(chart: ModuleType) -> None:
    fig = chart.build_figure(range_spec())
    shown = texts(fig)

    assert {"$233,410", "$190,210", "$152,040", "$130,120"} <= set(shown)
    assert "90th: n/a" in shown  # San Jose's 90th is above the BLS top code
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "10th–90th percentile",
        "25th–75th percentile",
        "Median",
    ]


def test_range_with_a_category_that_has_no_data(chart: ModuleType) -> None:
    gappy = {name: (*values[:3], None) for name, values in PERCENTILES.items()}
    png = chart.render_chart(range_spec(gappy))

    assert decode(png)[:2] == (880, 495)
    assert "n/a" in texts(chart.build_figure(range_spec(gappy)))


def test_value_axis_ticks_are_compact(chart: ModuleType) -> None:
    fig = chart.build_figure(bar_spec())
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]

    assert ticks[0] == "$0"
    assert "$100K" in ticks
    assert all(t.startswith("$") and (t == "$0" or t.endswith("K")) for t in ticks)


def test_all_values_missing_says_so(chart: ModuleType) -> None:
    spec = line_spec((None, None, None, None, None))

    assert "No data available" in texts(chart.build_figure(spec))
    assert chart.render_chart(spec).startswith(PNG_SIGNATURE)


def test_many_ranked_rows_make_a_taller_chart(chart: ModuleType) -> None:
    names = tuple(f"Occupation number {i}" for i in range(20))
    spec = ChartSpec(
        kind="hbar",
        title="Top 20 occupations by employment",
        categories=names,
        series=(ChartSeries(name="Employment", values=tuple(1687890.0 - 50000 * i for i in range(20))),),
        unit="count",
        y_label="Employment",
        caption=SOURCE,
    )
    width, height, _ = decode(chart.render_chart(spec))

    assert width == 880
    assert 495 < height <= 1100


# --- numbers and bad specs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (128260, "usd_annual", "$128,260"),
        (46.52, "usd_hourly", "$46.52"),
        (46.5, "usd_hourly", "$46.50"),
        (1687890, "count", "1,687,890"),
        (2.78, "ratio", "2.78"),
        (2.5, "ratio", "2.5"),
        (3.0, "ratio", "3"),
    ],
)
def test_format_value(chart: ModuleType, value: float, unit: str, text: str) -> None:
    assert chart.format_value(value, unit) == text


def test_ratio_labels_share_their_decimals(chart: ModuleType) -> None:
    assert {"5.12", "3.40", "2.78", "0.95"} <= set(texts(chart.build_figure(ratio_spec())))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (bar_spec().model_copy(update={"categories": STATES[:3]}), "5 values for 3 categories"),
        (range_spec().model_copy(update={"series": range_spec().series[:4]}), "exactly the series"),
        (
            range_spec().model_copy(
                update={"series": (*range_spec().series[:4], ChartSeries(name="99th", values=(1, 2, 3, 4)))}
            ),
            "exactly the series",
        ),
        (bar_spec().model_copy(update={"series": ()}), "at least one series"),
    ],
)
def test_specs_that_cannot_be_drawn_are_refused(chart: ModuleType, spec: ChartSpec, message: str) -> None:
    with pytest.raises(chart.ChartSpecError, match=message):
        chart.render_chart(spec)


def test_years_given_newest_first_are_drawn_oldest_first(
    chart: ModuleType, sample_png: Callable[[str], bytes]
) -> None:
    spec = line_spec().model_copy(
        update={
            "categories": RN_YEARS[::-1],
            "series": (ChartSeries(name="Registered Nurses", values=RN_MEDIANS[::-1]),),
        }
    )
    line = chart.build_figure(spec).axes[0].get_lines()[0]

    assert list(line.get_xdata()) == [2021, 2022, 2023, 2024, 2025]  # type: ignore[arg-type]
    assert list(line.get_ydata()) == list(RN_MEDIANS)  # type: ignore[arg-type]
    assert chart.render_chart(spec) == sample_png("line")
