"""A stored trace as plain text lines, for the CLI (chat adapters format their own)."""

from __future__ import annotations

from agents.trace import Trace


def trace_lines(trace: Trace) -> list[str]:
    lines = [
        f"Trace {trace.id}  ({trace.created_at:%Y-%m-%d %H:%M:%S} UTC, {trace.platform})",
        f"Question: {trace.question}",
        "Models:   " + ", ".join(f"{role}={name}" for role, name in trace.models.items()),
        f"Answer:   [{trace.answer_kind}] {trace.answer_text[:300]}",
        f"Total:    {trace.total_ms:.1f} ms, tokens {trace.tokens_in}/{trace.tokens_out}, "
        f"cost ${trace.cost_usd:.4f}",
    ]
    if trace.error:
        lines.append(f"Error:    {trace.error}")
    if trace.plan:
        lines.append(f"Plan ({trace.plan.source}): {trace.plan.rationale}")
        lines.extend(f"  {s.id}. {s.agent}: {s.goal}" for s in trace.plan.steps)
    for r in trace.replans:
        lines.append(f"Replan {r.attempt}: {r.reason}")
        if r.plan:
            lines.extend(f"  {s.id}. {s.agent}: {s.goal}" for s in r.plan.steps)
    lines.append("Steps:")
    for i, step in enumerate(trace.steps, 1):
        lines.extend(_step_lines(i, step))
    return lines


def _step_lines(i: int, step: object) -> list[str]:
    from agents.trace import TraceStep

    assert isinstance(step, TraceStep)
    head = f"  {i}. {step.agent} ({step.kind}, {step.model or '-'}) {step.duration_ms:.1f} ms"
    if step.tokens_in or step.tokens_out:
        head += f", tokens {step.tokens_in}/{step.tokens_out}, ${step.cost_usd:.4f}"
    lines = [head]
    if step.detail:
        lines.append(f"     {step.detail}")
    if step.sql:
        lines.extend("     " + line for line in step.sql.splitlines())
        lines.append(f"     params: {step.params}")
        lines.append(f"     rows: {step.row_count}{' (truncated)' if step.truncated else ''}")
        lines.extend(f"       {row}" for row in step.sample_rows)
    if step.error:
        lines.append(f"     error: {step.error}")
    return lines
