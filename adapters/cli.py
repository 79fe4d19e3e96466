"""The ``oews-bot`` command line: ask, eval, data, trace, usage, models, serve, teams.

This is a composition root: it reads the settings once, builds the service and renders
answers for a terminal (or as JSON for scripts).

Exit codes: 0 answered (or asked to clarify), 1 could not answer (out of scope, not found,
no data), 2 bad usage or input, 3 internal error.
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from agents.errors import ConfigurationError, DataError
from agents.table import Column, Table, is_numeric, table_json
from bot.config import Settings

CONFIGURATION_ERRORS = (ConfigurationError, DataError)  # DatabaseUnavailable is a DataError

if TYPE_CHECKING:
    from collections.abc import Callable

    from agents.oews.database import DatabaseInfo, LoadReport
    from agents.sql.dburl import DatabaseUrl
    from bot.service import BotService
    from bot.types import Answer

EXIT_ANSWERED, EXIT_UNANSWERED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
logger = logging.getLogger("oews_bot.cli")


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Ask questions about U.S. jobs and pay (BLS OEWS)."""
    settings = Settings()
    configure_logging(logging.DEBUG if verbose else logging.WARNING)
    ctx.obj = settings


class _LogFormatter(logging.Formatter):
    """One line per record with its trace id; anything that looks like a secret is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        from agents.trace import scrub

        record.trace = getattr(record, "trace_id", "-")
        return scrub(super().format(record)) or ""


def configure_logging(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormatter("%(asctime)s %(levelname)s %(name)s [trace=%(trace)s] %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)


# -- ask ------------------------------------------------------------------------------------------


@cli.command()
@click.argument("question", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the answer's table as CSV (numbers, notes).")
@click.option("--no-chart", is_flag=True, help="Do not render a chart.")
@click.option("--chart-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to save charts.")
@click.option("--model", help="Implementation model for this question (see `oews-bot models`).")
@click.option("--reasoning-model", help="Reasoning (planner) model for this question.")
@click.pass_obj
def ask(
    settings: Settings,
    question: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
    no_chart: bool,
    chart_dir: Path | None,
    model: str | None,
    reasoning_model: str | None,
) -> None:
    """Answer QUESTION (use - to read one question per line from standard input)."""
    text = " ".join(question).strip()
    if not text:
        raise click.UsageError('give a question, e.g. oews-bot ask "median pay for nurses in Ohio"')
    service = _service(settings)
    charts = chart_dir or settings.home / "charts"

    def one(q: str) -> Answer:
        return _ask(service, q, model=model, reasoning_model=reasoning_model, render_chart=not no_chart)

    if text == "-":
        for line in sys.stdin:
            if line.strip():
                _print_json(one(line.strip()), charts)
        sys.exit(EXIT_ANSWERED)
    if as_csv:
        no_chart = True
    answer = one(text)
    if as_json:
        _print_json(answer, charts)
    elif as_csv:
        _print_csv(answer)
    else:
        _print_human(answer, charts, sys.stdout)
    sys.exit(_exit_code(answer))


def _service(settings: Settings) -> BotService:
    from bot.app import build_service

    try:
        return build_service(settings, progress=_progress_bar())
    except CONFIGURATION_ERRORS as e:  # a setting to fix: one line, passwords masked
        _configuration_exit(e)
    except Exception as e:  # no stack traces for users; details with --verbose
        logger.debug("startup failed", exc_info=True)
        message = getattr(e, "user_message", "The OEWS data could not be opened.")
        click.echo(f"Error: {message} (run with -v for details)", err=True)
        sys.exit(EXIT_ERROR)


def _configuration_exit(e: Exception) -> NoReturn:
    logger.debug("configuration problem", exc_info=True)
    click.echo(f"Error: {e}", err=True)
    sys.exit(EXIT_USAGE)


BUILD_MESSAGE = "Building the OEWS database from the shipped BLS files (first run only)…"


def _progress_bar(message: str = BUILD_MESSAGE, label: str = "OEWS data") -> Any:
    state: dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        if "bar" not in state:
            click.echo(message, err=True)
            state["bar"] = click.progressbar(length=total, file=sys.stderr, label=label)
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done
        if done >= total:
            state["bar"].__exit__(None, None, None)

    return report


def _ask(
    service: BotService,
    text: str,
    *,
    model: str | None,
    reasoning_model: str | None,
    render_chart: bool,
    suggest: bool = True,
) -> Answer:
    from bot.types import Question

    question = Question(
        text=text,
        platform="cli",
        workspace="local",
        channel="cli",
        user=getpass.getuser(),
        model=model,
        reasoning_model=reasoning_model,
    )
    return service.answer(question, render_chart=render_chart, suggest=suggest)


def _save_chart(answer: Answer, folder: Path) -> Path | None:
    if not answer.chart_png:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{answer.trace_id}.png"
    path.write_bytes(answer.chart_png)
    return path


def answer_json(answer: Answer, chart: Path | None) -> dict[str, Any]:
    clarification = answer.clarification
    return {
        "status": answer.status,
        "text": answer.text,
        "tables": [table_json(t) for t in answer.tables],
        "caveats": list(answer.caveats),
        "clarification": None
        if clarification is None
        else {
            "question": clarification.question,
            "options": [o.label for o in clarification.options],
            "option_questions": [o.question for o in clarification.options],
        },
        "sql": [
            {"sql": r.sql, "params": list(r.params), "rows": r.row_count, "truncated": r.truncated}
            for r in answer.sql
        ],
        "followups": [o.question for o in answer.followups],
        "reshape": [{"kind": r.kind, "label": r.label, "question": r.question} for r in answer.reshapes],
        "chart": str(chart) if chart else None,
        "trace_id": answer.trace_id,
        "error": answer.text if answer.status == "error" else None,
    }


def _print_json(answer: Answer, charts: Path) -> None:
    click.echo(json.dumps(answer_json(answer, _save_chart(answer, charts)), ensure_ascii=False))


def _print_csv(answer: Answer) -> None:
    from bot.export import CsvExportError, answer_csv

    try:
        click.echo(answer_csv(answer), nl=False)
    except CsvExportError as e:
        click.echo(answer.text, err=True)
        click.echo(f"Error: {e.user_message}", err=True)
        sys.exit(EXIT_UNANSWERED)


def _print_human(answer: Answer, charts: Path, out: TextIO) -> None:
    click.echo(answer.text, file=out)
    for table in answer.tables:
        click.echo("", file=out)
        click.echo(render_table(table), file=out)
    if answer.clarification:
        click.echo("", file=out)
        for i, option in enumerate(answer.clarification.options, 1):
            click.echo(f'  {i}. {option.label}   →  oews-bot ask "{option.question}"', file=out)
    if answer.caveats:
        click.echo("", file=out)
        for caveat in answer.caveats:
            click.echo(f"* {caveat}", file=out)
    if answer.followups:
        click.echo("", file=out)
        click.echo("Next:", file=out)
        for option in answer.followups:
            click.echo(f'  oews-bot ask "{option.question}"', file=out)
    chart = _save_chart(answer, charts)
    click.echo("", file=out)
    if chart:
        click.echo(f"Chart: {chart}", file=out)
    click.echo(f"Trace: {answer.trace_id} (oews-bot trace {answer.trace_id})", file=out)


def render_table(table: Table) -> str:
    """Title, header, rule and rows, padded; numeric columns right-aligned."""
    rows = table.text_rows()
    widths = [max(len(c.name), *(len(r[i]) for r in rows)) for i, c in enumerate(table.columns)]
    right = [is_numeric(c) for c in table.columns]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        )

    lines = [table.title] if table.title else []
    lines += [line(table.names), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
    return "\n".join(s.rstrip() for s in lines)


def _exit_code(answer: Answer) -> int:
    if answer.status in ("answer", "clarification"):
        return EXIT_ANSWERED
    if answer.status == "error":
        return EXIT_ERROR
    return EXIT_UNANSWERED


# -- eval -------------------------------------------------------------------------------------------


@cli.command("eval")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="Only print the scores.")
@click.pass_obj
def eval_command(settings: Settings, path: Path, quiet: bool) -> None:
    """Score the product on a question file (JSON lines with expected answers)."""
    from bot.evaluation import evaluate, load_cases

    service = _service(settings)
    report = evaluate(  # scored on the answer itself: no chart drawn, no follow-ups or reshapes offered
        load_cases(path),
        lambda q: _ask(service, q, model=None, reasoning_model=None, render_chart=False, suggest=False),
    )
    for category, (ok, total) in report.by_category().items():
        click.echo(f"{category:<22} {ok}/{total}")
    passed = sum(o.passed for o in report.outcomes)
    click.echo(f"{'TOTAL':<22} {passed}/{len(report.outcomes)} ({report.score:.1%})")
    if not quiet:
        for o in report.outcomes:
            if not o.passed:
                click.echo(f"FAIL {o.case.id}: {o.case.question!r}: {o.why}")


# -- data -------------------------------------------------------------------------------------------


@cli.group()
def data() -> None:
    """Build, load and inspect the OEWS database."""


@data.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the database exists.")
@click.pass_obj
def data_build(settings: Settings, force: bool) -> None:
    """Build the database from the BLS files shipped with oews-bot."""
    from agents.oews.database import DATABASE_NAME, build_database, ensure_database

    url = _database_url(settings)
    if url is not None:
        from agents.oews.server import build_server_database

        try:
            build_server_database(url, progress=_progress_bar(), force=force)
        except CONFIGURATION_ERRORS as e:
            _configuration_exit(e)
        click.echo(f"OEWS database ready: {url}")
        return
    path = settings.home / DATABASE_NAME
    settings.home.mkdir(parents=True, exist_ok=True)
    if force:
        build_database(path, progress=_progress_bar())
    else:
        ensure_database(settings.home, progress=_progress_bar())
    click.echo(f"OEWS database ready: {path}")


@data.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--year", type=int, help="The survey year, when the file name does not say it.")
@click.pass_obj
def data_load(settings: Settings, files: tuple[Path, ...], year: int | None) -> None:
    """Load official BLS OEWS files (CSV, XLSX or the .zip archives BLS publishes)."""
    _load_each(settings, files, year=year)


def _load_each(settings: Settings, files: Sequence[Path], *, year: int | None) -> None:
    """``data load``: each file in its own transaction, with a progress bar; stop at the first failure."""
    from agents.errors import LoadError

    folders = [f for f in files if f.is_dir()]
    if folders:
        click.echo(f"Error: {folders[0]} is a directory; name the BLS files in it instead.", err=True)
        sys.exit(EXIT_USAGE)
    load = _file_loader(settings)
    loaded = False
    for f in files:
        try:
            progress = _progress_bar(f"Loading {f.name}…", label=f.name[:30])
            report = load(f, progress, year)
        except LoadError as e:
            click.echo(f"Error: {e.user_message}. Nothing from this file was loaded.", err=True)
            sys.exit(EXIT_USAGE)
        except CONFIGURATION_ERRORS as e:
            _configuration_exit(e)
        if report.skipped:
            click.echo(f"{f.name}: already loaded (unchanged)")
        else:
            years = ", ".join(map(str, report.years))
            click.echo(f"{f.name}: loaded {report.rows:,} rows for {years}")
            loaded = True
    if loaded:
        _notify_after_load(settings)


def _database_url(settings: Settings) -> DatabaseUrl | None:
    try:
        return settings.database_url
    except ConfigurationError as e:
        _configuration_exit(e)


def _file_loader(settings: Settings) -> Callable[[Path, Any, int | None], LoadReport]:
    """Load one file into the configured database (a server, or the SQLite file)."""
    url = _database_url(settings)
    if url is not None:
        from agents.oews.server import load_server_files

        return lambda f, progress, year: load_server_files(url, [f], progress=progress, year=year)[0]
    from agents.oews.database import ensure_database, load_files

    database = settings.oews_database or ensure_database(settings.home, progress=_progress_bar())
    return lambda f, progress, year: load_files(database, [f], progress=progress, year=year)[0]


def _database_info(settings: Settings) -> DatabaseInfo:
    url = _database_url(settings)
    try:
        if url is not None:
            from agents.oews.server import server_database_info

            return server_database_info(url)
        from agents.oews.database import database_info, ensure_database

        return database_info(
            settings.oews_database or ensure_database(settings.home, progress=_progress_bar())
        )
    except CONFIGURATION_ERRORS as e:
        _configuration_exit(e)


@data.command("fetch")
@click.argument("year", type=int, required=False)
@click.option(
    "--geography",
    default="national,state,metro,nonmetro",
    show_default=True,
    help="Comma-separated: national, state, metro, nonmetro, industry.",
)
@click.option("--latest", is_flag=True, help="Fetch the newest release BLS has published.")
@click.pass_obj
def data_fetch(settings: Settings, year: int | None, geography: str, latest: bool) -> None:
    """Download the official BLS OEWS archives of YEAR (May release), check them and load them."""
    import tempfile

    from agents.oews import fetch

    if (year is None) == (not latest):
        raise click.UsageError("give a YEAR (e.g. 2024) or --latest, not both")
    client = _bls_client(settings)
    geographies = [g.strip().lower() for g in geography.split(",") if g.strip()]
    try:
        year = year if year is not None else fetch.latest_year(client)
        click.echo(
            f"Fetching May {year} OEWS data ({', '.join(geographies)}) from {client.base_url}", err=True
        )
        with tempfile.TemporaryDirectory(dir=_downloads(settings)) as work:
            workbooks = fetch.fetch_release(
                client, year, geographies, _downloads(settings), progress=_download_bar, extract_to=Path(work)
            )
            _load_each(settings, workbooks, year=year)
    except fetch.FetchError as e:
        click.echo(f"Error: {e.user_message}", err=True)
        sys.exit(EXIT_USAGE)


def _downloads(settings: Settings) -> Path:
    folder = settings.home / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _bls_client(settings: Settings) -> Any:
    from agents.oews.fetch import BlsClient

    if not settings.oews_contact_email:
        raise click.UsageError(
            "BLS refuses anonymous downloads: set OEWS_CONTACT_EMAIL to an address BLS can reach you at"
        )
    return BlsClient(
        base_url=settings.oews_bls_url,
        contact=settings.oews_contact_email,
        timeout_s=settings.oews_fetch_timeout_s,
    )


def _download_bar(name: str) -> Any:
    return _progress_bar(f"Downloading {name}…", label=name[:30])


@data.command("info")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def data_info(settings: Settings, as_json: bool) -> None:
    """Show what is loaded: database path, files, years, geographies, row counts."""
    info = _database_info(settings)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "database": info.location,
                    "backend": info.backend,
                    "years": list(info.years),
                    "fact_rows": info.fact_rows,
                    "occupations": info.occupations,
                    "industries": info.industries,
                    "areas": info.areas_by_kind,
                    "years_by_kind": {k: list(v) for k, v in info.years_by_kind.items()},
                    "files": [
                        {k: f[k] for k in ("name", "kind", "years", "rows", "loaded_at")} for f in info.files
                    ],
                }
            )
        )
        return
    click.echo(f"Database:    {info.location} ({info.backend})")
    click.echo(f"Years:       {', '.join(map(str, info.years))}")
    click.echo(
        f"Rows:        {info.fact_rows:,} estimates, {info.occupations:,} occupations, "
        f"{info.industries:,} industries"
    )
    for kind, count in sorted(info.areas_by_kind.items()):
        years = ", ".join(map(str, info.years_by_kind.get(kind, ())))
        click.echo(f"  {kind:<10} {count:>4} areas   years: {years}")
    click.echo("Files:")
    for f in info.files:
        click.echo(
            f"  {f['name']:<32} {f['kind']:<18} {f['years']:<10} {f['rows']:>9,} rows  {f['loaded_at']}"
        )


# -- subscriptions ----------------------------------------------------------------------------------


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--webhook", required=True, help="URL that receives a JSON POST when newer data is loaded.")
@click.pass_obj
def subscribe(settings: Settings, question: tuple[str, ...], webhook: str) -> None:
    """Get QUESTION answered again on the next OEWS release (posted to a webhook)."""
    from bot.subscriptions import SubscriptionError

    if not webhook.startswith(("http://", "https://")):
        raise click.UsageError("--webhook must be an http:// or https:// URL")
    subscriptions = _subscriptions(settings)
    try:
        sub, answer = subscriptions.subscribe(_local_question(" ".join(question)), target=webhook)
    except SubscriptionError as e:
        click.echo(f"Error: {e.user_message}", err=True)
        sys.exit(EXIT_UNANSWERED)
    click.echo(answer.text)
    click.echo("")
    click.echo(
        f"Subscribed ({sub.id}): when data newer than May {sub.release} is loaded, the new answer goes to"
    )
    click.echo(f"{webhook}. `oews-bot subscriptions --remove {sub.id}` stops it.")


@cli.command()
@click.option("--remove", "remove_id", help="Remove this subscription.")
@click.option("--notify", is_flag=True, help="Send the notices due for the latest data now.")
@click.pass_obj
def subscriptions(settings: Settings, remove_id: str | None, notify: bool) -> None:
    """List your subscriptions (made with `oews-bot subscribe`), remove one, or send due notices."""
    service = _subscriptions(settings)
    me = _local_question("-")
    if remove_id:
        if not service.remove(remove_id, me):
            click.echo(f"Error: you have no subscription {remove_id!r}.", err=True)
            sys.exit(EXIT_UNANSWERED)
        click.echo(f"Removed {remove_id}.")
        return
    if notify:
        _notify(settings, service)
        return
    mine = service.store.for_user("cli", "local", me.user)
    for sub in mine:
        click.echo(f"{sub.id}  May {sub.release}  {sub.question}  →  {sub.target}")
    if not mine:
        click.echo('No subscriptions. `oews-bot subscribe --webhook URL "QUESTION"` makes one.')


def _subscriptions(settings: Settings) -> Any:
    from bot.app import build_subscriptions, open_engine

    try:
        engine = open_engine(settings, progress=_progress_bar())
    except Exception as e:  # no stack traces for users; details with --verbose
        logger.debug("startup failed", exc_info=True)
        click.echo(f"Error: {getattr(e, 'user_message', 'The OEWS data could not be opened.')}", err=True)
        sys.exit(EXIT_ERROR)
    return build_subscriptions(settings, engine=engine)


def _notify_after_load(settings: Settings) -> None:
    from bot.app import open_store

    store = open_store(settings)
    try:
        anyone = store.subscriptions.count() > 0
    finally:
        store.close()
    if anyone:  # answering again needs the engine on the new data; skip that when nobody waits
        _notify(settings, _subscriptions(settings))


def _notify(settings: Settings, service: Any) -> None:
    """Send the notices due after newer data was loaded: webhooks; Slack DMs when a Slack bot
    token is configured; Teams messages to the subscribed conversation when Teams is."""
    from adapters.webhook import post_notice

    senders = {"slack": _slack_dm(settings), "teams": _teams_proactive(settings)}

    def deliver(sub: Any) -> Any:
        if sub.platform == "cli":
            return lambda notice: post_notice(sub.target, notice)
        sender = senders.get(sub.platform)
        return sender(sub) if sender is not None else None

    sent = service.notify(deliver)
    if sent:
        click.echo(
            f"Sent {len(sent)} subscription notice{'s' if len(sent) != 1 else ''} (May {sent[0].release})."
        )


def _teams_proactive(settings: Settings) -> Any:
    """Who sends Teams notices (proactive messages), or None when Teams is not configured."""
    if not (settings.microsoft_app_id or settings.teams_allow_unauthenticated):
        return None
    from adapters.teams.notices import proactive_sender

    return proactive_sender(settings)


def _slack_dm(settings: Settings) -> Any:
    """Who sends Slack notices (by direct message), or None without a Slack bot token."""
    if settings.slack_bot_token is None:
        return None
    from slack_sdk.web.client import WebClient

    from adapters.slack.notices import dm_sender

    token = settings.slack_bot_token.get_secret_value()
    return dm_sender(WebClient(token=token, base_url=settings.slack_api_url.rstrip("/") + "/", timeout=10))


def _local_question(text: str) -> Any:
    from bot.types import Question

    return Question(text=text, platform="cli", workspace="local", channel="cli", user=getpass.getuser())


# -- trace, usage -------------------------------------------------------------------------------------


@cli.command()
@click.argument("trace_id")
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@click.pass_obj
def trace(settings: Settings, trace_id: str, as_json: bool) -> None:
    """Show how an answer was computed (plan, SQL, rows, models, timings)."""
    from bot.store import SqliteBotStore
    from bot.trace_text import trace_lines

    store = SqliteBotStore(settings.bot_database)
    found = store.get_trace(trace_id.strip())
    if found is None:
        click.echo(f"No trace {trace_id!r}.", err=True)
        sys.exit(EXIT_UNANSWERED)
    if as_json:
        click.echo(found.model_dump_json(indent=2))
    else:
        click.echo("\n".join(trace_lines(found)))


@cli.command()
@click.option("--user", help="Only this user.")
@click.option("--workspace", help="Only this workspace / tenant.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="From this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def usage(settings: Settings, user: str | None, workspace: str | None, since: Any, as_json: bool) -> None:
    """Report questions, answers, errors, latency, tokens and cost per user."""
    from bot.store import SqliteBotStore

    store = SqliteBotStore(settings.bot_database)
    day: date | None = since.date() if since else None
    rows = store.usage_report(user=user, workspace=workspace, since=day)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows]))
        return
    labels = [Column(name=n) for n in ("Platform", "Workspace", "User")]
    figures = [Column(name=n, kind="number") for n in ("Questions", "Answers", "Errors", "p95 ms", "Tokens")]
    body = tuple(
        (
            r.platform,
            r.workspace,
            r.user,
            str(r.questions),
            str(r.answers),
            str(r.errors),
            f"{r.p95_latency_ms:.0f}",
            str(r.tokens_in + r.tokens_out),
            f"{r.cost_usd:.4f}",
        )
        for r in rows
    )
    table = Table(columns=(*labels, *figures, Column(name="Cost $", kind="number")), rows=body)
    click.echo(render_table(table) if body else "No usage recorded.")


# -- models -----------------------------------------------------------------------------------------


@cli.command("models")
@click.pass_obj
def models_command(settings: Settings) -> None:
    """List the model registry and which models are configured (`--model` accepts these names)."""
    from agents.workflow.registry import RegistryError, format_models
    from bot.app import workflow_config

    try:
        click.echo(format_models(workflow_config(settings)))
    except RegistryError as e:
        click.echo(f"Error: {e.user_message}", err=True)
        sys.exit(EXIT_USAGE)


# -- serve --------------------------------------------------------------------------------------------


@cli.command()
@click.option("--port", type=int, help="Port to listen on (default: $PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--workers", type=click.IntRange(0, 64), help="Worker processes (default: $OEWS_WORKERS; 0: HTTP only)."
)
@click.pass_obj
def serve(settings: Settings, port: int | None, host: str, workers: int | None) -> None:
    """Run the Slack and Teams endpoints and /healthz, and the workers that answer."""
    from adapters.server import run_server

    logging.getLogger().setLevel(settings.oews_log_level.upper())
    try:
        count = settings.oews_workers if workers is None else workers
        run_server(settings, host=host, port=port or settings.port, workers=count)
    except CONFIGURATION_ERRORS as e:
        _configuration_exit(e)
    except ValueError as e:  # configuration errors (e.g. TeamsConfigError) say what to set
        raise click.ClickException(str(e)) from None


@cli.command()
@click.option("--processes", type=click.IntRange(1, 64), help="Worker processes (default: $OEWS_WORKERS).")
@click.option("--parent", type=int, hidden=True, help="Stop when this process is gone (set by serve).")
@click.pass_obj
def worker(settings: Settings, processes: int | None, parent: int | None) -> None:
    """Answer queued questions (on this host or another sharing the store)."""
    from adapters.workers import WorkerProcesses, run_worker_process

    logging.getLogger().setLevel(settings.oews_log_level.upper())
    count = processes or settings.oews_workers
    if count == 1:
        run_worker_process(settings, parent=parent)
        return
    children = WorkerProcesses(count).start()
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        children.stop()


# -- teams ------------------------------------------------------------------------------------------


@cli.group()
def teams() -> None:
    """Microsoft Teams app package."""


@teams.command("package")
@click.option("--out", type=click.Path(path_type=Path), default=Path("oews-teams-app.zip"), show_default=True)
@click.option("--host", help="Public host of the bot (default: TEAMS_PUBLIC_URL).")
@click.pass_obj
def teams_package(settings: Settings, out: Path, host: str | None) -> None:
    """Build the Teams app zip to upload in Teams (Apps > Manage your apps > Upload an app)."""
    from adapters.teams.package import build_package

    try:
        path = build_package(out, app_id=settings.microsoft_app_id, host=host or settings.teams_public_url)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Wrote {path}")


if __name__ == "__main__":
    main()
