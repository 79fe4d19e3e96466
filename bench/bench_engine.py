"""Issue-2 figures: database build time, cold `oews-bot ask`, warm answer latency, peak memory.

Run: python bench/bench_engine.py [--skip-build]
Prints the figures; nothing is asserted (targets live in bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT / "eval" / "questions.jsonl"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build(home: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the CPU figure holds on a shared, loaded machine)."""
    from agents.oews.database import build_database

    started, cpu = time.perf_counter(), time.process_time()
    build_database(home / "oews.sqlite")
    return time.perf_counter() - started, time.process_time() - cpu


def cold_ask(home: Path, runs: int = 5) -> list[float]:
    env = dict(os.environ, OEWS_HOME=str(home), MPLCONFIGDIR=str(home / "mpl"))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        command = [sys.executable, "-m", "adapters.cli", "ask", "what do registered nurses make in Seattle?"]
        subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def warm_latency(home: Path, *, chart: bool, rounds: int = 5, questions_file: Path = EVAL) -> list[float]:
    from bot.app import build_service
    from bot.config import Settings
    from bot.types import Question

    service = build_service(Settings(oews_home=home))
    lines = questions_file.read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    for q in questions:  # warm up: imports, caches, matplotlib fonts
        service.answer(Question(text=q, platform="cli", workspace="local"), render_chart=chart)
    times = []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            service.answer(Question(text=q, platform="cli", workspace="local"), render_chart=chart)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, help="reuse an OEWS_HOME that already has a database")
    parser.add_argument("--questions", type=Path, default=EVAL, help="question file (JSON lines)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="oews-bench-"))
    os.environ["MPLCONFIGDIR"] = str(home / "mpl")
    if not (home / "oews.sqlite").exists():
        wall, cpu = build(home)
        print(f"database build from shipped files: {wall:.1f} s ({cpu:.1f} s of CPU)")
    cold = cold_ask(home)
    print(f"cold `oews-bot ask` (5 runs): median {statistics.median(cold):.2f} s, max {max(cold):.2f} s")
    for chart in (False, True):
        t = warm_latency(home, chart=chart, questions_file=args.questions)
        label = "with chart" if chart else "without chart"
        print(
            f"warm answer latency {label} ({len(t)} answers): p50 {percentile(t, 50):.1f} ms, "
            f"p95 {percentile(t, 95):.1f} ms, max {max(t):.1f} ms"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
