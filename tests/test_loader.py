"""Loading official BLS files: formats, column variants, special values, idempotency, errors."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from agents.errors import LoadError
from agents.oews.database import DATABASE_NAME, database_info, ensure_database, load_files
from agents.oews.loader import read_file, year_from_name
from tests.shipped import shipped_path

HEADER_2019 = (
    "area,area_title,area_type,naics,naics_title,i_group,own_code,occ_code,occ_title,o_group,tot_emp,"
    "emp_prse,jobs_1000,loc_quotient,pct_total,h_mean,a_mean,mean_prse,h_pct10,h_pct25,h_median,h_pct75,"
    "h_pct90,a_pct10,a_pct25,a_median,a_pct75,a_pct90,annual,hourly"
)
STATE_HEADER = (
    "AREA,AREA_TITLE,AREA_TYPE,PRIM_STATE,NAICS,NAICS_TITLE,I_GROUP,OWN_CODE,OCC_CODE,OCC_TITLE,O_GROUP,"
    "TOT_EMP,EMP_PRSE,JOBS_1000,LOC_QUOTIENT,PCT_TOTAL,PCT_RPT,H_MEAN,A_MEAN,MEAN_PRSE,H_PCT10,H_PCT25,"
    "H_MEDIAN,H_PCT75,H_PCT90,A_PCT10,A_PCT25,A_MEDIAN,A_PCT75,A_PCT90,ANNUAL,HOURLY"
)
# Three real rows of the May 2023 state file layout (values as BLS publishes them).
STATE_ROWS = [
    "48,Texas,2,TX,000000,Cross-industry,cross-industry,1235,47-2111,Electricians,detailed,"
    "76000,2.1,5.9,1.1,,,28.5,59280,1.2,18,22,27.5,33,40,37440,45760,57200,68640,83200,,",
    "48,Texas,2,TX,000000,Cross-industry,cross-industry,1235,25-2021,"
    '"Elementary School Teachers, Except Special Education",detailed,'
    "120000,1.5,9.1,0.95,,,*,61000,0.8,*,*,*,*,*,45000,52000,60000,68000,76000,TRUE,",
    "48,Texas,2,TX,000000,Cross-industry,cross-industry,1235,29-1224,Radiologists,detailed,"
    "**,**,**,**,,,#,#,5.0,#,#,#,#,#,#,#,#,#,#,,",
]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _snapshot(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM facts").fetchone()[0], conn.execute(
            "SELECT count(*) FROM data_files"
        ).fetchone()[0]
    finally:
        conn.close()


def test_year_comes_from_bls_file_names() -> None:
    assert year_from_name("national_M2019_dl.xlsx") == 2019
    assert year_from_name("all_data_M_2023.xlsx") == 2023
    assert year_from_name("oesm22st.zip") == 2022
    assert year_from_name("nat4d_M2021_dl.xlsx") == 2021
    assert year_from_name("something.csv") is None


def test_2019_lower_case_columns_and_special_values_keep_their_meaning() -> None:
    rows = {r.occ_code: r for r in read_file(shipped_path("national_M2019_dl"))}
    ceo = rows["11-1011"]
    assert ceo.year == 2019 and ceo.area_code == "99"
    assert ceo.values["a_pct90"] is None and ceo.flags["a_pct90"] == "#"  # top-coded, not missing
    assert ceo.values["tot_emp"] == 205_890 or ceo.values["tot_emp"] > 100_000
    assert rows["15-1256"].occ_title.startswith("Software Developers and Software Quality")  # hybrid SOC


def test_special_values_are_distinguishable(tmp_path: Path) -> None:
    f = _write(tmp_path / "state_M2023_dl.csv", STATE_HEADER, STATE_ROWS)
    rows = {r.occ_code: r for r in read_file(f)}
    teacher, radiologist = rows["25-2021"], rows["29-1224"]
    assert teacher.annual_only and teacher.values["a_median"] == 60000
    assert teacher.values["h_median"] is None and teacher.flags["h_median"] == "*"
    assert radiologist.flags["a_median"] == "#" and radiologist.flags["tot_emp"] == "**"
    assert rows["47-2111"].values["h_median"] == 27.5 and rows["47-2111"].flags["h_median"] is None


def test_load_csv_xlsx_and_zip_and_report_in_info(home: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    db = ensure_database(home)
    csv_file = _write(tmp_path / "state_M2023_dl.csv", STATE_HEADER, STATE_ROWS)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["May 2022 OEWS"])  # a title row above the header, as some BLS sheets have
    for line in [STATE_HEADER, *STATE_ROWS[:1]]:
        sheet.append(next(csv.reader(io.StringIO(line))))
    xlsx = tmp_path / "state_M2022_dl.xlsx"
    book.save(xlsx)
    archive = tmp_path / "oesm21st.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("oesm21st/state_M2021_dl.csv", STATE_HEADER + "\n" + STATE_ROWS[0] + "\n")
        z.writestr("oesm21st/field_descriptions.csv", "not,data\n")

    reports = load_files(db, [csv_file, xlsx, archive])
    assert [(r.rows, r.years) for r in reports] == [(3, (2023,)), (1, (2022,)), (1, (2021,))]
    info = database_info(db)
    assert {2021, 2022, 2023} <= set(info.years_by_kind["state"])
    assert any(f["name"] == "state_M2023_dl.csv" for f in info.files)
    conn = sqlite3.connect(db)
    value = conn.execute(
        "SELECT h_median, h_median_flag FROM facts "
        "WHERE year = 2022 AND area_code = '48' AND occ_code = '47-2111'"
    ).fetchone()
    assert value == (27.5, None)


def test_loading_the_same_file_twice_changes_nothing(home: Path, tmp_path: Path) -> None:
    db = ensure_database(home)
    f = _write(tmp_path / "state_M2023_dl.csv", STATE_HEADER, STATE_ROWS)
    load_files(db, [f])
    before = _snapshot(db)
    again = load_files(db, [f])
    assert again[0].skipped and _snapshot(db) == before


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("state_M2023_dl.csv", "hello,world\n1,2\n", "missing column"),
        ("state_M2023_dl.csv", STATE_HEADER + "\n" + STATE_ROWS[0].replace("59280", "lots") + "\n", "row 2"),
        ("national_M2024_dl.xlsx", "this is not a workbook", "not a readable"),
        ("oesm24nat.zip", "PK not a zip", "not a readable"),
        ("notes.txt", "x", "unsupported"),
        ("data.csv", STATE_HEADER + "\n", "year"),
    ],
)
def test_unreadable_files_name_the_problem_and_change_nothing(
    home: Path, tmp_path: Path, name: str, content: str, problem: str
) -> None:
    db = ensure_database(home)
    good = _write(tmp_path / "state_M2023_dl.csv.ok", STATE_HEADER, STATE_ROWS)
    bad = tmp_path / name
    bad.write_text(content)
    before = _snapshot(db)
    with pytest.raises(LoadError) as raised:
        load_files(db, [bad])
    assert raised.value.file == name and problem in raised.value.problem
    assert _snapshot(db) == before
    assert good.exists()


def test_a_corrupt_row_late_in_a_file_rolls_back_the_whole_file(home: Path, tmp_path: Path) -> None:
    db = ensure_database(home)
    rows = [*STATE_ROWS, STATE_ROWS[0].replace("47-2111", "not-a-code")]
    f = _write(tmp_path / "state_M2023_dl.csv", STATE_HEADER, rows)
    before = _snapshot(db)
    with pytest.raises(LoadError):
        load_files(db, [f])
    assert _snapshot(db) == before


def test_ensure_database_reuses_a_complete_database(home: Path) -> None:
    db = home / DATABASE_NAME
    stamp = db.stat().st_mtime_ns
    assert ensure_database(home) == db
    assert db.stat().st_mtime_ns == stamp


def test_shipped_build_holds_every_geography(oews_db: Path) -> None:
    info = database_info(oews_db)
    assert info.years == (2019, 2020, 2021, 2022, 2023, 2024, 2025)
    assert info.areas_by_kind == {"national": 1, "state": 51, "territory": 3, "metro": 393, "nonmetro": 135}
    assert info.fact_rows > 370_000 and info.industries > 400


def test_an_interrupted_build_leaves_nothing_behind(tmp_path: Path) -> None:
    from agents.oews import database

    bad = tmp_path / "state_M2023_dl.csv"
    bad.write_text("not,an,oews,file\n")
    target = tmp_path / "oews.sqlite"
    with pytest.raises(LoadError):
        database.build_database(target, files=[bad])
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["state_M2023_dl.csv"]
