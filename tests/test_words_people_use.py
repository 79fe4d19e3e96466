"""Questions in the words people use: abbreviations, initialisms of titles, typos in ordinary
words.  The answer must be about the occupation meant, say how the words were read, and show the
published figure (read here from the shipped BLS files)."""

from __future__ import annotations

import pytest

from agents.engine.engine import OewsEngine
from bot.evaluation import is_shown
from tests.offline import ask_offline
from tests.shipped import shipped_rows


def area_cell(area: str, code: str, column: str, source: str = "state_M2025_dl") -> str:
    rows = shipped_rows(source)
    return next(r[column] for r in rows if r["AREA"] == area and r["OCC_CODE"] == code)


def national_cell(code: str, column: str) -> str:
    rows = shipped_rows("national_M2025_dl")
    return next(r[column] for r in rows if r["OCC_CODE"] == code and r["NAICS"] == "000000")


@pytest.mark.parametrize(
    ("question", "area", "code", "title"),
    [
        ("median annual pay for OTs in ohio", "39", "29-1122", "Occupational Therapists"),
        ("what do HR mgrs make in colorado? median salary", "08", "11-3121", "Human Resources Managers"),
        ("median salary of construction mgrs in nevada", "32", "11-9021", "Construction Managers"),
        ("food prep workers median annual wage in florida", "12", "35-2021", "Food Preparation Workers"),
    ],
)
def test_abbreviations_answer_the_occupation_meant(
    engine: OewsEngine, question: str, area: str, code: str, title: str
) -> None:
    answer = ask_offline(engine, question)
    assert f"{title} ({code})" in answer.text
    assert f"${int(area_cell(area, code, 'A_MEDIAN')):,}" in answer.text
    assert any(c.startswith("Read “") and code in c for c in answer.caveats)


def test_a_misspelled_ordinary_word_still_asks_the_same_question(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "emplyment of plumbers in utah")
    assert f"{int(area_cell('49', '47-2152', 'TOT_EMP')):,} people were employed" in answer.text
    answer = ask_offline(engine, "waitresses avrage hourly wage")
    mean = national_cell("35-3031", "H_MEAN")
    assert f"mean hourly wage of Waiters and Waitresses (35-3031) in the U.S. was ${mean}" in answer.text
    answer = ask_offline(engine, "what's the medain salery for RTs nationally")
    median = f"${int(national_cell('29-1126', 'A_MEDIAN')):,}"
    assert f"median annual wage of Respiratory Therapists (29-1126) in the U.S. was {median}" in answer.text


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("is phlebotomy a good career?", "31-9097"),
        ("is optometry worth it", "29-1041"),
        ("what do people in logistics make", "13-1081"),
        ("is physical therapy a good career", "29-1123"),
    ],
)
def test_a_field_names_the_people_who_work_in_it(engine: OewsEngine, question: str, code: str) -> None:
    answer = ask_offline(engine, question)
    assert f"({code})" in answer.text and "Not applied" not in answer.text
    assert f"${int(national_cell(code, 'A_MEDIAN')):,}" in answer.text


def test_a_field_before_a_workplace_is_the_workplace_not_its_people(engine: OewsEngine) -> None:
    question = "I've been an aide at a physical therapy clinic; is a physical therapist assistant a good job?"
    answer = ask_offline(engine, question)
    assert "Physical Therapist Assistants (31-2021)" in answer.text
    assert "Physical Therapists (29-1123)" not in answer.text


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("truck and bus driver pay", ("53-3032", "53-3052")),  # two occupations sharing "drivers"
        ("median pay of medical records / coding specialists", ("29-2072",)),  # one, named two ways
        ("how many transportation/material moving jobs pay over $30 an hour?", ("53-0000",)),  # "/" = "and"
    ],
)
def test_names_sharing_their_last_words_are_each_read(
    engine: OewsEngine, question: str, codes: tuple[str, ...]
) -> None:
    answer = ask_offline(engine, question)
    shown = answer.text + " ".join(answer.caveats) + " ".join(t.title for t in answer.tables)
    assert all(code in shown or national_cell(code, "OCC_TITLE") in shown for code in codes), shown
    assert "Not applied" not in answer.text


def test_background_about_someone_else_is_not_read_as_the_question(engine: OewsEngine) -> None:
    question = "is phlebotomy a good career? client is thinking about a 3 month certificate program"
    answer = ask_offline(engine, question)
    assert "Phlebotomists (31-9097)" in answer.text and "Not applied" not in answer.text
    story = ask_offline(engine, "my son wants to be a plumber. what do they make in ohio?")
    assert "Plumbers, Pipefitters, and Steamfitters (47-2152) in Ohio" in story.text


def test_a_bare_measure_word_asks_for_a_job_or_place(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "pay??")
    assert answer.kind != "answer" and not answer.tables


@pytest.mark.parametrize(
    ("question", "area", "code"),
    [
        ("whats a PA make in clt", "16740", "29-1071"),  # a PA: not Pennsylvania
        ("what does an np make around bna", "34980", "29-1171"),
        ("median pay for electricians in MCO", "36740", "47-2111"),
        ("median pay for electricians on the space coast", "37340", "47-2111"),
        ("sterile processing tech median pay in slo", "42020", "31-9093"),
    ],
)
def test_job_and_metro_names_people_use(engine: OewsEngine, question: str, area: str, code: str) -> None:
    answer = ask_offline(engine, question)
    assert f"({code})" in answer.text and "Pennsylvania" not in answer.text
    assert f"${int(area_cell(area, code, 'A_MEDIAN', 'MSA_M2025_dl')):,}" in answer.text


@pytest.mark.parametrize(
    ("question", "code", "title"),
    [
        # a word before a group that only one of its occupations has in its title
        ("wastewater plant operators median pay in ohio statewide", "51-8031", "Water and Wastewater"),
        ("what do sub teachers make in ohio", "25-3031", "Substitute Teachers, Short-Term"),
        ("boat mechanic median pay in ohio", "49-3051", "Motorboat Mechanics"),  # not auto mechanics
    ],
)
def test_a_word_that_narrows_a_group_to_one_of_its_occupations(
    engine: OewsEngine, question: str, code: str, title: str
) -> None:
    answer = ask_offline(engine, question)
    assert f"{title}" in answer.text and f"({code})" in answer.text
    assert f"${int(area_cell('39', code, 'A_MEDIAN')):,}" in answer.text
    assert "Not applied" not in answer.text


def test_supervisors_of_a_kind_of_worker_are_the_first_line_supervisors(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "median salary for supervisors of retail sales workers")
    median = f"${int(national_cell('41-1011', 'A_MEDIAN')):,}"
    assert f"First-Line Supervisors of Retail Sales Workers (41-1011) in the U.S. was {median}" in answer.text
    answer = ask_offline(engine, "median salary for supervisors of recreation workers")  # a word of the title
    median = f"${int(national_cell('39-1014', 'A_MEDIAN')):,}"
    assert (
        f"Entertainment and Recreation Workers, Except Gambling Services (39-1014) in the U.S. was {median}"
        in (answer.text)
    )


def test_claims_processing_clerks_are_not_postal_processors(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "claims processing clerks avg hourly in ohio")
    assert "Insurance Claims and Policy Processing Clerks (43-9041)" in answer.text
    assert area_cell("39", "43-9041", "H_MEAN") in answer.text


def test_words_of_a_title_with_one_left_out_name_it_and_its_other_readings(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "median pay for ophthalmic techs in ohio")
    median = f"${int(area_cell('39', '29-2057', 'A_MEDIAN')):,}"
    assert f"Ophthalmic Medical Technicians (29-2057) in Ohio was {median}" in answer.text
    assert any("can also mean Ophthalmic Laboratory Technicians" in c for c in answer.caveats)


def test_a_group_named_with_all_other_is_its_all_other_occupation(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "underground mining machine operators (the 'all other' kind), how many?")
    assert "Underground Mining Machine Operators, All Other (47-5049)" in answer.text
    assert f"{int(national_cell('47-5049', 'TOT_EMP')):,}" in answer.text


def test_a_direction_before_a_shared_name_is_no_place_and_is_asked_back(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "avg salary for historians in east dakota")
    assert answer.kind == "clarification" and "couldn't find “east dakota”" in answer.text
    assert answer.clarification is not None
    assert [o.question for o in answer.clarification.options] == [
        "avg salary for historians in North Dakota",
        "avg salary for historians in South Dakota",
    ]


@pytest.mark.parametrize(
    ("question", "area", "title"),
    [
        ("lpn median pay in the 757", "47260", "Virginia Beach-Chesapeake-Norfolk, VA-NC"),
        ("lpn median pay in area code 614", "18140", "Columbus, OH"),
    ],
)
def test_a_telephone_area_code_names_its_metro_said_so(
    engine: OewsEngine, question: str, area: str, title: str
) -> None:
    answer = ask_offline(engine, question)
    assert f"${int(area_cell(area, '29-2061', 'A_MEDIAN', 'MSA_M2025_dl')):,}" in answer.text
    assert any(c.startswith("Read “") and f"(an area code) as {title}" in c for c in answer.caveats)


def test_a_bare_number_is_no_area_code(engine: OewsEngine) -> None:
    assert "Columbus" not in ask_offline(engine, "top 614 jobs by employment").text


def test_an_ordinary_word_is_no_misspelled_place(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "median pay for marine biologists in atlantis")
    assert "Maine" not in answer.text and "atlantis" in answer.text and not answer.tables


def test_the_all_other_bucket_of_a_name_several_titles_share(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "surgeons in the 'all other' bucket, mean annual wage")
    assert f"Surgeons, All Other (29-1249) in the U.S. was ${int(national_cell('29-1249', 'A_MEAN')):,}" in (
        answer.text
    )
    assert "Not applied" not in answer.text


def test_pumping_septic_tanks_is_the_septic_trade_and_high_school_kids_an_age(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "honestly is pumping septic tanks a decent living")
    assert "Septic Tank Servicers and Sewer Pipe Cleaners (47-4071)" in answer.text
    answer = ask_offline(engine, "how much do high school kids make as locker room attendants in florida")
    assert "by age" in answer.text and area_cell("12", "39-3093", "A_MEDIAN") in answer.text.replace(",", "")


def test_professional_is_a_word_about_the_job_not_paraprofessionals(engine: OewsEngine) -> None:
    answer = ask_offline(
        engine, "is being a professional dancer an actual career or should i keep it a hobby"
    )
    assert "Dancers (27-2031)" in answer.text and "Teaching Assistants" not in answer.text
    assert national_cell("27-2031", "H_MEDIAN") in answer.text


def test_years_of_experience_show_the_upper_percentiles(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "what would a wallpaper hanger with 15 years of experience make")
    assert f"${int(national_cell('47-2142', 'A_PCT90')):,} (90th percentile)" in answer.text
    assert any("15 years of experience" in c for c in [answer.text, *answer.caveats])


def test_a_year_long_before_the_data_is_named_not_skipped(engine: OewsEngine) -> None:
    answer = ask_offline(engine, "what did bank tellers make back in 1850")
    assert "Not applied: 1850" in answer.text


@pytest.mark.parametrize(
    ("question", "code", "area", "column"),
    [
        # everyday names of jobs
        ("busboys median hourly in ohio", "35-9011", "39", "H_MEDIAN"),
        ("bellhops median hourly in ohio", "39-6011", "39", "H_MEDIAN"),
        ("fence installers median hourly in ohio", "47-4031", "39", "H_MEDIAN"),
        ("ride attendants median hourly in ohio", "39-3091", "39", "H_MEDIAN"),
        ("comp analysts median hourly in ohio", "13-1141", "39", "H_MEDIAN"),  # compensation, not computer
        ("elem sped teachers median salary in ohio", "25-2052", "39", "A_MEDIAN"),
        ("animal control officers median hourly in ohio", "33-9011", "39", "H_MEDIAN"),  # not 33-9010
        ("jewelers median pay in ohio", "51-9071", "39", "A_MEDIAN"),
        ("avg sal for CO sgts in the lone star state", "33-1011", "48", "A_MEAN"),
        ("75th percentile pay for high school special ed teachers in ohio", "25-2058", "39", "A_PCT75"),
        ("environmental science technicians mean hourly in ohio", "19-4042", "39", "H_MEAN"),
        ("non-retail sales supervisors 90th percentile in ohio", "41-1012", "39", "A_PCT90"),
        # names that used to read as other jobs
        ("median pay for rv techs in ohio", "49-3092", "39", "A_MEDIAN"),  # not HVAC technicians
        ("radio dj median hourly in ohio", "27-3011", "39", "H_MEDIAN"),  # not Disc Jockeys, Except Radio
        ("ad sales reps median hourly in ohio", "41-3011", "39", "H_MEDIAN"),  # not wholesale reps
        ("nursing instructors median salary in ohio", "25-1072", "39", "A_MEDIAN"),  # not registered nurses
        ("hod carriers median hourly in ohio", "47-3011", "39", "H_MEDIAN"),  # not mail carriers
        ("talent agents median salary in ohio", "13-1011", "39", "A_MEDIAN"),  # not athletes
        ("median hourly for casino change persons / booth cashiers in ohio", "41-2012", "39", "H_MEDIAN"),
        # a group read as the one member with its name
        ("median pay for medical scientists in ohio", "19-1042", "39", "A_MEDIAN"),
        ("small engine mechanics median pay in ohio", "49-3053", "39", "A_MEDIAN"),
        ("shoe and leather workers median hourly in ohio", "51-6041", "39", "H_MEDIAN"),
        # the words of a title with one of its job nouns; helpers; professors of a field
        ("median hourly for paper goods machine operators in ohio", "51-9196", "39", "H_MEDIAN"),
        ("locker room attendants median hourly in ohio", "39-3093", "39", "H_MEDIAN"),
        ("production helpers median hourly in ohio", "51-9198", "39", "H_MEDIAN"),
        ("plumber's helpers median hourly in ohio", "47-3015", "39", "H_MEDIAN"),
        ("maintenance/repair helpers median hourly in ohio", "49-9098", "39", "H_MEDIAN"),
        ("chemistry professors median salary in ohio", "25-1052", "39", "A_MEDIAN"),
        ("political science professor median salary in ohio", "25-1065", "39", "A_MEDIAN"),
        ("history profs median salary in ohio", "25-1125", "39", "A_MEDIAN"),
        # names of places
        ("p90 for linemen in the hoosier state", "49-9051", "18", "A_PCT90"),
        ("median hrly for casino cage ppl in AC", "43-3041", "12100", "H_MEDIAN"),  # Atlantic City
        ("p75 for ob/gyns in brew city", "29-1218", "33340", "A_PCT75"),  # Milwaukee
        ("p25 for LVNs in SA tx", "29-2061", "41700", "A_PCT25"),  # San Antonio
        ("med hrly for line cooks in colo springs", "35-2014", "17820", "H_MEDIAN"),  # not Colorado
    ],
)
def test_names_people_use_for_jobs_and_places(
    engine: OewsEngine, question: str, code: str, area: str, column: str
) -> None:
    answer = ask_offline(engine, question)
    source = "state_M2025_dl" if len(area) == 2 else "MSA_M2025_dl"
    assert f"({code})" in answer.text and is_shown(float(area_cell(area, code, column, source)), answer.text)
    assert "Not applied" not in answer.text
