"""Median render time per chart kind.

    python bench/bench_chart.py [--runs 20] [--samples-dir /tmp/chart-samples]

Renders one realistic spec per kind ``--runs`` times (after one warm-up render) and prints the
median and slowest time and the PNG size.  The last PNG of each kind is written to
``--samples-dir`` for a look (pass an empty string to skip).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.answer import ChartSeries, ChartSpec
from agents.engine.chart import render_chart

SOURCE = "Source: BLS OEWS, May 2025"

SPECS = {
    "bar": ChartSpec(
        kind="bar",
        title="Software developers: median annual wage by state",
        categories=("California", "Washington", "New York", "Massachusetts", "Texas"),
        series=(ChartSeries(name="Median", values=(186770, 171040, 162130, 158000, 139650)),),
        unit="usd_annual",
        y_label="Median annual wage",
        caption=SOURCE,
    ),
    "hbar": ChartSpec(
        kind="hbar",
        title="Highest-paying occupations by median hourly wage",
        categories=(
            "Physicians, Pathologists",
            "Orthopedic Surgeons, Except Pediatric",
            "Radiologists",
            "Emergency Medicine Physicians",
            "Airline Pilots, Copilots, and Flight Engineers",
            "Nurse Anesthetists",
            "Chief Executives",
            "Computer and Information Systems Managers",
            "Architectural and Engineering Managers",
            "Dentists, General",
        ),
        series=(
            ChartSeries(
                name="Median",
                values=(129.85, 124.2, 121.66, 117.5, 108.4, 102.85, 99.37, 82.31, 80.12, 79.5),
            ),
        ),
        unit="usd_hourly",
        y_label="Median hourly wage",
        caption=SOURCE,
    ),
    "line": ChartSpec(
        kind="line",
        title="Registered nurses: median annual wage, 2021–2025",
        categories=("2021", "2022", "2023", "2024", "2025"),
        series=(ChartSeries(name="Registered Nurses", values=(77600, 81220, 86070, 93600, 97550)),),
        unit="usd_annual",
        y_label="Median annual wage",
        caption="Source: BLS OEWS, May 2021–May 2025",
    ),
    "range": ChartSpec(
        kind="range",
        title="Software developers: annual wage distribution in four metros",
        categories=(
            "San Jose-Sunnyvale-Santa Clara, CA",
            "Seattle-Tacoma-Bellevue, WA",
            "Portland-Vancouver-Hillsboro, OR-WA",
            "Raleigh, NC",
        ),
        series=(
            ChartSeries(name="10th", values=(143590, 120000, 98430, 88340)),
            ChartSeries(name="25th", values=(183010, 148700, 121300, 105010)),
            ChartSeries(name="Median", values=(233410, 190210, 152040, 130120)),
            ChartSeries(name="75th", values=(239200, 235600, 185900, 158420)),
            ChartSeries(name="90th", values=(None, 239200, 222110, 190100)),
        ),
        unit="usd_annual",
        y_label="Annual wage",
        caption=SOURCE,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--samples-dir", default="/tmp/chart-samples")
    args = parser.parse_args()
    samples = Path(args.samples_dir) if args.samples_dir else None
    if samples:
        samples.mkdir(parents=True, exist_ok=True)
    print(f"{'kind':<6} {'median ms':>10} {'max ms':>8} {'PNG KB':>7}")
    for kind, spec in SPECS.items():
        png = render_chart(spec)  # warm-up: fonts, caches
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            png = render_chart(spec)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{kind:<6} {statistics.median(times):>10.1f} {max(times):>8.1f} {len(png) / 1024:>7.1f}")
        if samples:
            (samples / f"bench_{kind}.png").write_bytes(png)


if __name__ == "__main__":
    main()
