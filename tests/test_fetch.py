"""`oews-bot data fetch`: real BLS-layout archives from a loopback server, checked, then loaded.

The archives are built here from the shipped BLS files (a subset of rows, as .xlsx workbooks
in the folder layout BLS uses) and labelled as another May release, so that loading them shows.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from agents.oews.database import DATABASE_NAME
from agents.oews.fetch import BlsClient, FetchError, archives_for, latest_year
from tests.fake_bls import FakeBls, archive_bytes, serve_bls, workbook_bytes
from tests.shipped import shipped_rows

CONTACT = "data-team@example.org"
RN = "29-1141"


@pytest.fixture(scope="module")
def state_archive() -> bytes:
    """May 2025 state rows in the layout of BLS's oesm24st.zip (labelled May 2024)."""
    book = workbook_bytes("state_M2025_dl", limit=300, occupations=(RN,))
    return archive_bytes("oesm24st", {"state_M2024_dl.xlsx": book})


@pytest.fixture(scope="module")
def national_archive() -> bytes:
    return archive_bytes(
        "oesm24nat", {"national_M2024_dl.xlsx": workbook_bytes("national_M2025_dl", limit=50)}
    )


def fetch(home: Path, fake: FakeBls, *args: str, timeout: float = 5.0) -> tuple[int, str]:
    env = {
        "OEWS_HOME": str(home),
        "OEWS_BLS_URL": fake.url,
        "OEWS_CONTACT_EMAIL": CONTACT,
        "OEWS_FETCH_TIMEOUT_S": str(timeout),
    }
    result = CliRunner().invoke(cli, ["data", "fetch", *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def snapshot(home: Path) -> tuple[int, int, tuple[int, ...]]:
    conn = sqlite3.connect(home / DATABASE_NAME)
    try:
        facts = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
        files = conn.execute("SELECT count(*) FROM data_files").fetchone()[0]
        years = tuple(r[0] for r in conn.execute("SELECT DISTINCT year FROM facts ORDER BY year"))
        return facts, files, years
    finally:
        conn.close()


def state_rn_median(home: Path, year: int, state: str = "53") -> float | None:
    conn = sqlite3.connect(home / DATABASE_NAME)
    try:
        row = conn.execute(
            "SELECT a_median FROM facts "
            "WHERE year = ? AND area_code = ? AND occ_code = ? AND naics = '000000'",
            (year, state, RN),
        ).fetchone()
        return None if row is None else row[0]
    finally:
        conn.close()


def test_fetch_downloads_checks_and_loads_a_release(home: Path, state_archive: bytes) -> None:
    with serve_bls(FakeBls(files={"oesm24st.zip": state_archive})) as fake:
        code, out = fetch(home, fake, "2024", "--geography", "state")
        assert code == 0, out
        assert "state_M2024_dl.xlsx: loaded" in out and "for 2024" in out
        expected = next(
            r for r in shipped_rows("state_M2025_dl") if r["AREA"] == "53" and r["OCC_CODE"] == RN
        )
        assert state_rn_median(home, 2024) == float(expected["A_MEDIAN"].replace(",", ""))
        agent = fake.requests[0]["User-Agent"]
        assert "oews-bot" in agent and CONTACT in agent
        assert not list((home / "downloads").iterdir())  # nothing left behind

        before = snapshot(home)
        code, out = fetch(home, fake, "2024", "--geography", "state")
        assert code == 0 and "already loaded (unchanged)" in out and snapshot(home) == before


def test_latest_finds_the_newest_published_release(home: Path, national_archive: bytes) -> None:
    with serve_bls(FakeBls(files={"oesm24nat.zip": national_archive, "oesm23nat.zip": b"old"})) as fake:
        client = BlsClient(base_url=fake.url, contact=CONTACT)
        assert latest_year(client, today=date(2026, 3, 1)) == 2024
        fake.requests.clear()
        code, out = fetch(home, fake, "--latest", "--geography", "national")
        assert code == 0, out
        assert "May 2024" in out and "national_M2024_dl.xlsx: loaded" in out
        assert 2024 in snapshot(home)[2]


def test_metro_and_nonmetro_come_from_one_archive() -> None:
    specs = archives_for(2023, ["national", "metro", "nonmetro", "industry"])
    assert [s.name for s in specs] == ["oesm23nat.zip", "oesm23ma.zip", "oesm23in4.zip"]
    assert specs[1].geographies == ("metro", "nonmetro")
    with pytest.raises(FetchError, match="Unknown geography county"):
        archives_for(2023, ["county"])


@pytest.mark.parametrize(
    ("files", "mode", "message"),
    [
        ({}, "ok", "BLS has not published May 2024 OEWS data for state"),
        ({"oesm24st.zip": b"<html>Access Denied</html>"}, "ok", "oesm24st.zip is not a valid zip archive"),
        ("national", "ok", "does not hold the expected BLS workbook (state_m2024_dl.xlsx)"),
        ("state", "truncate", "stopped after"),
        ("state", "stall", "the server sent nothing for 0.3 s"),
    ],
    ids=["missing-release", "not-a-zip", "wrong-archive", "truncated", "stalled"],
)
def test_a_failed_fetch_says_why_and_changes_nothing(
    home: Path, state_archive: bytes, national_archive: bytes, files: object, mode: str, message: str
) -> None:
    served = {"national": {"oesm24st.zip": national_archive}, "state": {"oesm24st.zip": state_archive}}
    fake = FakeBls(files=served.get(str(files), files if isinstance(files, dict) else {}), mode=mode)  # type: ignore[arg-type]
    before = snapshot(home)
    with serve_bls(fake):
        code, out = fetch(home, fake, "2024", "--geography", "state", timeout=0.3)
    assert code == 2 and message in out and "Nothing was loaded" in out, out
    assert "Traceback" not in out
    assert snapshot(home) == before


def test_an_interrupted_download_resumes_where_it_stopped(home: Path, state_archive: bytes) -> None:
    with serve_bls(FakeBls(files={"oesm24st.zip": state_archive}, mode="truncate")) as fake:
        code, out = fetch(home, fake, "2024", "--geography", "state")
        assert code == 2 and "run the same command again to resume" in out
        fake.mode = "ok"
        code, out = fetch(home, fake, "2024", "--geography", "state")
        assert code == 0, out
    assert fake.requests[-1]["Range"] == f"bytes={len(state_archive) // 2}-"
    assert state_rn_median(home, 2024) is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [(["2031"], "BLS has not published May 2031"), (["2015"], "from May 2019 on"), ([], "give a YEAR")],
)
def test_years_bls_cannot_have_are_refused_before_any_download(
    home: Path, args: list[str], message: str
) -> None:
    with serve_bls(FakeBls()) as fake:
        code, out = fetch(home, fake, *args)
    assert code == 2 and message in out and not fake.requests


def test_fetch_needs_a_contact_address(home: Path) -> None:
    result = CliRunner().invoke(cli, ["data", "fetch", "2024"], env={"OEWS_HOME": str(home)})
    assert result.exit_code == 2 and "OEWS_CONTACT_EMAIL" in result.output
