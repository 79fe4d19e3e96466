"""The SOC crosswalk shipped with the data, and trends that follow an occupation through it.

Expected values are read from the shipped BLS files (tests/shipped.py), independently of the
crosswalk script and of the loader.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agents.engine.engine import OewsEngine
from agents.errors import CrosswalkError
from agents.oews.crosswalk import SocCrosswalk
from tests.offline import ask_offline
from tests.shipped import shipped_rows

ROOT = Path(__file__).resolve().parents[1]


def _detailed(year: int) -> dict[str, str]:
    rows = shipped_rows(f"national_M{year}_dl")
    lower = [{k.lower(): v for k, v in r.items()} for r in rows]
    wanted = [r for r in lower if r["naics"] == "000000" and r["o_group"] == "detailed"]
    return {r["occ_code"]: r["occ_title"] for r in wanted}


def _cell(year: int, code: str, column: str) -> str:
    rows = shipped_rows(f"national_M{year}_dl")
    lower = [{k.lower(): v for k, v in r.items()} for r in rows]
    return next(r[column] for r in lower if r["naics"] == "000000" and r["occ_code"] == code)


@pytest.fixture(scope="module")
def crosswalk() -> SocCrosswalk:
    return SocCrosswalk.shipped()


def test_shipped_crosswalk_is_what_the_script_derives_from_the_shipped_files() -> None:
    script = ROOT / "scripts" / "soc_crosswalk.py"
    command = [sys.executable, str(script), "--check"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_every_code_that_changed_in_2021_is_linked(crosswalk: SocCrosswalk) -> None:
    old, new = _detailed(2019), _detailed(2021)
    assert {c for c in old if c not in new} == {link.old_code for link in crosswalk.links}
    assert {c for c in new if c not in old} == {link.new_code for link in crosswalk.links}
    for link in crosswalk.links:
        assert (link.old_title, link.new_title) == (old[link.old_code], new[link.new_code])


def test_lookup_in_both_directions(crosswalk: SocCrosswalk) -> None:
    [link] = crosswalk.predecessors("53-3054")  # Taxi Drivers
    assert link.old_code == "53-3058" and link.old_years == (2019, 2020)
    assert link.relation == "one-to-many" and link.split
    assert {s.new_code for s in crosswalk.successors("53-3058")} == {"53-3051", "53-3053", "53-3054"}
    years = crosswalk.codes_by_year("19-3034", range(2019, 2023))  # School Psychologists
    assert years == {2019: ("19-3031",), 2020: ("19-3031",), 2021: ("19-3034",), 2022: ("19-3034",)}
    split = {2020: ("15-1256",), 2024: ("15-1252", "15-1253")}
    assert crosswalk.codes_by_year("15-1256", (2020, 2024)) == split
    assert crosswalk.predecessors("47-2111") == () and crosswalk.caveat("47-2111", range(2019, 2026)) is None


def test_malformed_crosswalk_is_refused() -> None:
    header = "old_code,old_title,old_years,new_code,new_title,new_years,relation\n"
    with pytest.raises(CrosswalkError, match="relation"):
        SocCrosswalk.parse(header + "1-1,A,2019-2020,1-2,B,2021-2025,sideways\n")
    with pytest.raises(CrosswalkError, match="columns"):
        SocCrosswalk.parse("a,b\n1,2\n")


@pytest.mark.parametrize(
    ("question", "code", "old_code", "column"),
    [
        ("how many paramedics were employed each year 2019 through 2025?", "29-2043", "29-2040", "tot_emp"),
        ("hydrologic technician median salary from 2019 to 2024", "19-4044", "19-4045", "a_median"),
        ("dermatologists average pay 2019 to 2025", "29-1213", "29-1228", "a_mean"),
    ],
)
def test_trend_follows_the_occupation_through_its_2019_code(
    engine: OewsEngine, question: str, code: str, old_code: str, column: str
) -> None:
    answer = ask_offline(engine, question)
    years = [row[0] for row in answer.tables[0].rows]
    assert years[0] == "May 2019" and years[1] == "May 2020"
    shown = " ".join(" ".join(row) for row in answer.tables[0].text_rows())
    assert f"{int(_cell(2019, old_code, column)):,}" in shown
    assert f"{int(_cell(2023, code, column)):,}" in shown
    caveat = next(c for c in answer.caveats if "SOC code change" in c)
    assert old_code in caveat and code in caveat and "like with like" in caveat


def test_split_code_headline_compares_the_same_code(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "employment of emergency medical technicians 2019-2025")
    first = f"{int(_cell(2021, '29-2042', 'tot_emp')):,}"
    assert f"from {first} in May 2021" in answer.text
    assert any("29-2043" in c for c in answer.caveats)  # Paramedics, also in 29-2040


def test_a_2019_code_asked_about_past_2020_names_the_codes_it_became(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "employment of web developers and digital interface designers 2019 to 2025")
    assert [row[0] for row in answer.tables[0].rows] == ["May 2019", "May 2020"]
    parts = [int(_cell(2025, code, "tot_emp")) for code in ("15-1254", "15-1255")]
    total = f"from {int(_cell(2019, '15-1257', 'tot_emp')):,} in May 2019 to {sum(parts):,} in May 2025"
    assert "(15-1257; later the occupations it became, added up)" in answer.text and total in answer.text
    assert all(f"{part:,}" in answer.text for part in parts)  # each part of the sum, as published
    caveat = next(c for c in answer.caveats if "SOC code change" in c)
    assert (
        "15-1257" in caveat
        and "Web Developers (15-1254) and Web and Digital Interface Designers (15-1255)" in caveat
    )
