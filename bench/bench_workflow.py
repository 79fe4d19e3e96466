"""Workflow overhead (no model) and prompt sizes (with a model) over the dev questions.

    python bench/bench_workflow.py [--database PATH] [--questions PATH] [--rounds 5]

1. **No model configured.**  Each dev question is answered by the bare engine
   (``OewsEngine.answer``) and by the workflow without and with chart rendering, ``--rounds``
   times after a warm-up; prints p50/p95 per variant and the workflow overhead
   (target: p50 overhead <= 10 ms).
2. **Model configured** (a fake OpenAI-compatible server on loopback, fast path off so every
   question goes through the models).  The fake plays a plausible model: it plans one query,
   resolves the occupation, writes the offline engine's SQL for the goal, picks a chart and
   writes a short answer.  Prints the distribution of prompt tokens per model call (chars / 4
   of what was sent, the same count the fake reports as ``usage``; target: max <= 4,000).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.engine.engine import OewsEngine  # noqa: E402
from agents.oews.database import ensure_database  # noqa: E402
from agents.trace import Trace  # noqa: E402
from agents.workflow.config import WorkflowConfig  # noqa: E402
from agents.workflow.graph import Workflow  # noqa: E402
from tests.offline import engine_stages  # noqa: E402
from tests.workflow.fake_llm import FakeLLM, Reply, Request, content, tool  # noqa: E402

DEFAULT_QUESTIONS = ROOT / "eval" / "questions.jsonl"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def overhead(engine: OewsEngine, questions: list[str], rounds: int) -> None:
    workflow = Workflow(engine)
    variants: dict[str, Callable[[str], object]] = {
        "engine": lambda q: engine_stages(engine, q),
        "workflow": lambda q: workflow.run(q, trace=Trace(), render_chart=False),
        "workflow+chart": lambda q: workflow.run(q, trace=Trace(), render_chart=True),
    }
    for run in variants.values():
        for q in questions:
            run(q)  # warm-up: caches, fonts
    times: dict[str, list[float]] = {name: [] for name in variants}
    diffs: list[float] = []
    for _ in range(rounds):
        for q in questions:
            measured = {name: timed(lambda run=run, q=q: run(q)) for name, run in variants.items()}
            for name, ms in measured.items():
                times[name].append(ms)
            diffs.append(measured["workflow"] - measured["engine"])
    print(f"No model configured: {len(questions)} questions x {rounds} rounds")
    print(f"  {'variant':<16} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in times.items():
        print(f"  {name:<16} {percentile(values, 0.5):>8.2f} {percentile(values, 0.95):>8.2f}")
    p50 = percentile(times["workflow"], 0.5) - percentile(times["engine"], 0.5)
    print(
        f"  workflow overhead: p50 {p50:.2f} ms (difference of p50s), per question p50 "
        f"{percentile(diffs, 0.5):.2f} ms, p95 {percentile(diffs, 0.95):.2f} ms  [target p50 <= 10 ms]"
    )


class OracleModel:
    """A plausible model for the fake server, using the offline engine as its oracle."""

    def __init__(self, engine: OewsEngine) -> None:
        self.engine = engine

    def __call__(self, request: Request) -> Reply:
        handler = getattr(self, request.role, None)
        return handler(request) if handler else content("?")

    def planner(self, request: Request) -> Reply:
        question = request.user.splitlines()[0].removeprefix("Question: ")
        parsed = self.engine.parse(question)
        if parsed.intent is None or parsed.refusal_kind or parsed.clarify:
            return tool("submit_plan", action="refuse", message="not a data question")
        steps = [
            {"agent": "text_to_sql", "goal": question},
            {"agent": "chart", "goal": "chart"},
            {"agent": "synthesizer", "goal": "answer"},
        ]
        return tool("submit_plan", steps=steps, rationale="one lookup")

    def text_to_sql(self, request: Request) -> Reply:
        goal = request.user.splitlines()[0].removeprefix("Goal: ")
        parsed = self.engine.parse(goal)
        if not request.tool_results and parsed.intent is not None and parsed.intent.occupations:
            return tool("resolve", kind="occupation", phrase=parsed.intent.occupations[0].title)
        if parsed.intent is None:
            return tool("run_sql", sql="SELECT 1 FROM facts WHERE 0", params=[])
        query = self.engine.frame(parsed.intent).queries[0]
        return tool("run_sql", sql=query.sql, params=list(query.params))

    def chart(self, request: Request) -> Reply:
        columns = next(line for line in request.user.splitlines() if line.startswith("Columns: "))
        names = columns.removeprefix("Columns: ").split(", ")
        label = next((c for c in ("name", "area", "occupation", "year") if c in names), names[0])
        value = next((c for c in names if c.startswith(("a_", "h_", "tot_emp", "loc_", "jobs_"))), names[-1])
        return tool("choose_chart", kind="bar", category_column=label, value_columns=[value], title="Chart")

    def synthesizer(self, request: Request) -> Reply:
        return tool("write_answer", text="Here is what BLS OEWS publishes for that question.", caveats=[])


def prompt_sizes(engine: OewsEngine, questions: list[str]) -> None:
    server = FakeLLM(OracleModel(engine)).start()
    try:
        config = WorkflowConfig(base_url=server.base_url, api_key="bench", fast_path=False, timeout_s=10)
        workflow = Workflow(engine, config=config)
        for q in questions:
            workflow.run(q, trace=Trace(), render_chart=False)
    finally:
        server.stop()
    tokens = [float(r.prompt_tokens) for r in server.requests]
    print(
        f"\nModel configured (fake server, fast path off): {len(server.requests)} model calls "
        f"for {len(questions)} questions"
    )
    print(
        f"  prompt tokens per call: p50 {percentile(tokens, 0.5):.0f}, p95 {percentile(tokens, 0.95):.0f}, "
        f"max {max(tokens):.0f}  [target <= 4,000]"
    )
    for role in ("planner", "text_to_sql", "chart", "synthesizer"):
        sizes = [float(r.prompt_tokens) for r in server.by_role(role)]
        if sizes:
            p50, top = percentile(sizes, 0.5), max(sizes)
            print(f"  {role:<12} calls {len(sizes):>4}  p50 {p50:>5.0f}  max {top:>5.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", type=Path, help="an OEWS database (default: build or reuse one in /tmp)"
    )
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    database = args.database or ensure_database(Path("/tmp/oews-bench"))
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    engine = OewsEngine.open(database)
    overhead(engine, questions, args.rounds)
    prompt_sizes(engine, questions)


if __name__ == "__main__":
    main()
