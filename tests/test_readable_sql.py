"""The SQL a trace shows: a model's one-line statement laid out, word for word the statement run."""

from __future__ import annotations

from agents.sql.readable import readable_sql


def test_a_one_line_statement_is_laid_out_without_changing_a_word() -> None:
    sql = "select o.title, f.a_median from facts f join occupations o on o.occ_code = f.occ_code where year=?"
    shown = readable_sql(sql)
    assert [line.split()[0] for line in shown.splitlines()] == [
        "select",
        "f.a_median",
        "from",
        "join",
        "where",
    ]
    assert "".join(shown.split()) == "".join(sql.split())  # only whitespace differs


def test_a_statement_already_laid_out_is_shown_as_it_is() -> None:
    laid_out = "SELECT f.year, f.a_median\nFROM facts f\nWHERE f.occ_code = ?"
    assert readable_sql(laid_out) == laid_out
