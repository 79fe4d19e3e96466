"""CSV export of an answer's table: numbers a spreadsheet can use, special values explained."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from agents.table import Column, Special, Table
from bot.export import NO_TABLE, CsvExportError, answer_csv
from bot.types import Answer
from tests.shipped import shipped_rows

RANGE = Table(
    title="U.S., May 2023",
    columns=(
        Column(name="Occupation"),
        Column(name="Median (annual)", kind="usd_annual"),
        Column(name="90th pct (hourly)", kind="usd_hourly"),
        Column(name="Employment", kind="count"),
        Column(name="Change", kind="percent", signed=True),
    ),
    rows=(
        ("Cardiologists", Special(flag="#", at_least=239200), Special(flag="#", at_least=115), 24850, 5.3),
        ("Actors", Special(flag="*"), 45.12, None, -1.0),
        ("Dentists, General", 166300, 104.6, 122700, 0.0),
    ),
)


def parse(text: str) -> tuple[list[str], list[dict[str, str]]]:
    comments = [line for line in text.splitlines() if line.startswith("# ")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("# "))
    return comments, list(csv.DictReader(io.StringIO(body)))


def test_numbers_are_plain_and_special_values_are_explained_never_blank() -> None:
    answer = Answer(status="answer", text="…", trace_id="tr-1", tables=(RANGE,), caveats=("Top-coded: …",))
    comments, rows = parse(answer_csv(answer))

    assert comments[0] == "# U.S., May 2023" and "Bureau of Labor Statistics" in comments[1]
    assert "tr-1" in comments[2] and "'#' top-coded" in comments[3] and comments[4] == "# Note: Top-coded: …"
    cardio, actors, dentists = rows
    assert dentists == {
        "Occupation": "Dentists, General",
        "Median (annual) [USD]": "166300",
        "90th pct (hourly) [USD]": "104.60",
        "Employment": "122700",
        "Change [%]": "0.0",
        "Notes": "",
    }
    assert cardio["Median (annual) [USD]"] == "" and cardio["90th pct (hourly) [USD]"] == ""
    assert cardio["Notes"] == (
        "Median (annual): top-coded, at or above $239,200 (BLS '#'); "
        "90th pct (hourly): top-coded, at or above $115.00 (BLS '#')"
    )
    assert actors["Median (annual) [USD]"] == "" and actors["Employment"] == ""
    assert (
        "Median (annual): not published" in actors["Notes"]
        and "Employment: not applicable" in actors["Notes"]
    )
    assert actors["Change [%]"] == "-1.0"


def test_a_table_without_special_values_has_no_notes_column() -> None:
    columns = (Column(name="State"), Column(name="Median (hourly)", kind="usd_hourly"))
    table = Table(columns=columns, rows=(("Ohio", 46.52), ("Texas", 44.1)))
    _, rows = parse(answer_csv(Answer(status="answer", text="", trace_id="t", tables=(table,))))
    assert rows == [
        {"State": "Ohio", "Median (hourly) [USD]": "46.52"},
        {"State": "Texas", "Median (hourly) [USD]": "44.10"},
    ]


def test_a_rank_column_does_not_read_as_a_comment_line() -> None:
    table = Table(columns=(Column(name="#", kind="rank"), Column(name="State")), rows=((1, "Ohio"),))
    text = answer_csv(Answer(status="answer", text="", trace_id="t", tables=(table,)))
    assert [line for line in text.splitlines() if not line.startswith("# ")] == ["Rank,State", "1,Ohio"]


def test_an_answer_without_a_table_cannot_be_exported() -> None:
    with pytest.raises(CsvExportError) as raised:
        answer_csv(Answer(status="answer", text="In May 2025 …", trace_id="t"))
    assert raised.value.user_message == NO_TABLE


def run(home: Path, db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["ask", *args], env={"OEWS_HOME": str(home), "OEWS_DATABASE": str(db)})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_ask_csv_prints_the_table_with_the_published_figures(tmp_path: Path, oews_db: Path) -> None:
    code, out, _ = run(
        tmp_path, oews_db, "--csv", "salary range for cardiologists and dentists nationally in 2023"
    )
    assert code == 0
    comments, rows = parse(out)
    published = {r["OCC_CODE"]: r for r in shipped_rows("national_M2023_dl")}
    cardio = next(r for r in rows if r["Occupation"] == "Cardiologists")
    assert cardio["10th pct (annual) [USD]"] == published["29-1212"]["A_PCT10"].replace(",", "")
    assert published["29-1212"]["A_PCT90"] == "#" and cardio["90th pct (annual) [USD]"] == ""
    assert "90th pct (annual): top-coded, at or above $239,200" in cardio["Notes"]
    assert any("Source:" in c for c in comments)
    assert not list(tmp_path.glob("**/*.png"))  # no chart rendered for a CSV


def test_ask_csv_of_an_answer_without_a_table_says_so(tmp_path: Path, oews_db: Path) -> None:
    code, out, err = run(tmp_path, oews_db, "--csv", "what do registered nurses make in Seattle?")
    assert code == 1 and out == ""
    assert "$128,260" in err and NO_TABLE in err
    json.dumps(err)  # plain text, no traceback
    assert "Traceback" not in err
