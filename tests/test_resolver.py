"""Entity resolution against the real OEWS vocabulary (the database built from the shipped
BLS files by the session fixture ``oews_db``): nicknames, principal cities, misspellings,
states, the nation, nonmetropolitan areas, industries, codes, ambiguity and unknown names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.resolve import aliases
from agents.resolve.entities import Area, Occupation, Resolution, Vocabulary
from agents.resolve.resolver import (
    MAX_PHRASE_WORDS,
    EntityResolver,
    metro_cities,
    normalize,
    resolve_area_refs,
    title_components,
)


@pytest.fixture(scope="session")
def vocab(oews_db: Path) -> Vocabulary:
    return Vocabulary.from_sqlite(oews_db)


@pytest.fixture(scope="session")
def resolver(vocab: Vocabulary) -> EntityResolver:
    return EntityResolver(vocab)


def codes(resolution: Resolution[Any]) -> list[str]:
    return [m.entity.code for m in resolution.matches]


# -- normalization ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plumbers, Pipefitters, and Steamfitters", "plumbers pipefitters and steamfitters"),
        ("U.S.", "us"),
        ("St. Louis, MO-IL", "st louis mo il"),
        ("Coeur d'Alene, ID", "coeur dalene id"),
        ("Driver/Sales Workers", "driver sales workers"),
        ("  R&D   firms ", "r and d firms"),
        ("San José", "san jose"),
        ("Police and Sheriff’s Patrol Officers", "police and sheriffs patrol officers"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_title_components_split_lists_not_modifiers() -> None:
    assert title_components("Plumbers, Pipefitters, and Steamfitters") == [
        "Plumbers",
        "Pipefitters",
        "Steamfitters",
    ]
    assert title_components("Accountants and Auditors") == ["Accountants", "Auditors"]
    assert title_components("Heavy and Tractor-Trailer Truck Drivers") == []
    assert title_components("Hosts and Hostesses, Restaurant, Lounge, and Coffee Shop") == []
    assert title_components("First-Line Supervisors of Farming, Fishing, and Forestry Workers") == []
    assert title_components("Surgeons, All Other") == []


def test_metro_cities_principal_and_secondary() -> None:
    assert metro_cities("Seattle-Tacoma-Bellevue, WA") == (["Seattle"], ["Tacoma", "Bellevue"])
    principal, secondary = metro_cities("Nashville-Davidson--Murfreesboro--Franklin, TN")
    assert "Nashville" in principal and "Murfreesboro" in secondary
    assert metro_cities("Louisville/Jefferson County, KY-IN") == (["Louisville"], ["Jefferson County"])


# -- the vocabulary ------------------------------------------------------------------------------


def test_vocabulary_from_the_real_database(vocab: Vocabulary) -> None:
    kinds = {a.kind for a in vocab.areas}
    assert kinds == {"national", "state", "territory", "metro", "nonmetro"}
    portland = next(a for a in vocab.areas if a.code == "38900")
    assert portland.states == ("OR", "WA") and portland.state == "OR"
    assert any(o.code == "15-1256" and o.last_year == 2020 for o in vocab.occupations)
    assert any(i.naics == "31-33" and i.i_group == "sector" for i in vocab.industries)


def test_vocabulary_load_reads_rows_and_fills_missing_states() -> None:
    tables: dict[str, list[dict[str, Any]]] = {
        "areas": [
            {"area_code": "38900", "kind": "metro", "title": "Portland-Vancouver-Hillsboro, OR-WA",
             "state": "OR", "states": "OR WA"},
            {"area_code": "13460", "kind": "metro", "title": "Bend, OR", "state": None, "states": None},
        ],
        "occupations": [
            {"occ_code": "29-1141", "title": "Registered Nurses", "o_group": "detailed",
             "first_year": 2019, "last_year": 2025},
        ],
        "industries": [{"naics": "622000", "title": "Hospitals", "i_group": "3-digit"}],
    }  # fmt: skip
    asked: list[str] = []

    def rows_for(sql: str) -> list[dict[str, Any]]:
        asked.append(sql)
        return next(rows for table, rows in tables.items() if f"FROM {table}" in sql)

    vocab = Vocabulary.load(rows_for)
    assert [a.states for a in vocab.areas] == [("OR", "WA"), ("OR",)]
    assert vocab.areas[1].state == "OR"
    assert vocab.occupations == (Occupation("29-1141", "Registered Nurses", "detailed", 2019, 2025),)
    assert vocab.industries[0].code == "622000"
    assert len(asked) == 3 and all(sql.startswith("SELECT ") for sql in asked)


def test_empty_resolution_has_no_best() -> None:
    empty: Resolution[Area] = Resolution("Atlantis", (), False)
    assert empty.best is None and not empty.found and empty.entities == ()


# -- alias tables are checked against the real code lists ----------------------------------------


def test_occupation_aliases_name_current_codes(vocab: Vocabulary) -> None:
    latest = max(o.last_year for o in vocab.occupations)
    current = {o.code for o in vocab.occupations if o.last_year == latest}
    targets = {c for t in aliases.OCCUPATION_ALIASES.values() for c in ((t,) if isinstance(t, str) else t)}
    assert sorted(targets - current) == []
    assert len(aliases.OCCUPATION_ALIASES) >= 200


def test_industry_aliases_name_real_codes(vocab: Vocabulary) -> None:
    known = {i.naics for i in vocab.industries}
    targets = {c for t in aliases.INDUSTRY_ALIASES.values() for c in ((t,) if isinstance(t, str) else t)}
    assert sorted(targets - known) == []


def test_area_aliases_resolve_by_code_to_the_expected_title(vocab: Vocabulary) -> None:
    refs = [ref for group in aliases.AREA_ALIASES.values() for ref in group]
    refs += [ref for group in aliases.CAPITALIZED_NICKNAMES.values() for ref in group]
    for code, prefix in refs:
        found = resolve_area_refs([(code, prefix)], vocab.areas)
        assert [a.code for a in found] == [code], (code, prefix)
        assert found[0].title.startswith(prefix), (code, prefix, found[0].title)


def test_alias_tables_are_data_read_from_the_shipped_toml() -> None:
    shipped = Path(aliases.__file__).with_name("aliases.toml")
    assert aliases.load(shipped.read_text("utf-8")) == aliases.TABLES
    assert aliases.OCCUPATION_ALIASES["surgeon"] == ("29-1240", "29-1242", "29-1243", "29-1249")
    assert aliases.OCCUPATION_ALIASES["healthcare careers"] == "29-0000"  # group word x GROUP_NOUNS
    assert aliases.AREA_ALIASES["dakotas"] == (("38", "North Dakota"), ("46", "South Dakota"))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[occupations.x]\n"nurse" = 29\n', "occupations.x.'nurse'"),
        ('[occupations.x]\n"nurse" = []\n', "occupations.x.'nurse'"),
        ('[areas.aliases]\n"nyc" = [["35620"]]\n', "areas.aliases.'nyc'"),
        ("[areas]\nnational = 3\n", "areas.national"),
        ("occupations = 1\n", ".occupations"),
        ("[occupations\n", "file"),
    ],
)
def test_a_malformed_alias_file_is_refused_with_where(text: str, where: str) -> None:
    with pytest.raises(aliases.AliasFileError) as caught:
        aliases.load(text)
    assert caught.value.where == where


def test_area_alias_falls_back_to_title_prefix_when_a_code_changes(vocab: Vocabulary) -> None:
    found = resolve_area_refs([("99999", "Seattle-Tacoma")], vocab.areas)
    assert [a.code for a in found] == ["42660"]
    assert resolve_area_refs([("99999", "Portland")], vocab.areas) == []  # not unique: nothing


# -- areas -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("Seattle", "42660"),
        ("Bellevue", "42660"),
        ("seattle area", "42660"),
        ("the Seattle metro", "42660"),
        ("Seattle-Tacoma-Bellevue, WA", "42660"),
        ("seattle tacoma", "42660"),
        ("Denver", "19740"),
        ("houston", "26420"),
        ("around boston", "14460"),
        ("austin tx", "12420"),
        ("San Jose", "41940"),
        ("St. Louis", "41180"),
        ("saint louis", "41180"),
        ("ft worth", "19100"),
        ("minneapolis st paul", "33460"),
        ("Kansas City", "28140"),
        ("Salem", "41420"),  # principal city of Salem, OR; only secondary in Winston-Salem
        ("Honolulu", "46520"),
        ("42660", "42660"),
        ("0042660", "42660"),
    ],
)
def test_metros_by_title_city_and_code(resolver: EntityResolver, phrase: str, code: str) -> None:
    result = resolver.area(phrase)
    assert codes(result) == [code] and not result.ambiguous


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("NYC", "35620"),
        ("new york city", "35620"),
        ("the Big Apple", "35620"),
        ("DC", "47900"),
        ("the DMV", "47900"),
        ("DC area", "47900"),
        ("washington dc", "47900"),
        ("Philly", "37980"),
        ("chicagoland", "16980"),
        ("the Twin Cities", "33460"),
        ("SF", "41860"),
        ("san fran", "41860"),
        ("Silicon Valley", "41940"),
        ("DFW", "19100"),
        ("Vegas", "29820"),
        ("NOLA", "35380"),
        ("Motor City", "19820"),
        ("Beantown", "14460"),
        ("Hampton Roads", "47260"),
        ("the Inland Empire", "40140"),
        ("LA", "31080"),
    ],
)
def test_metro_nicknames(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert codes(resolver.area(phrase)) == [code]


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("Seatle", "42660"),
        ("Pheonix", "38060"),
        ("Cincinatti", "17140"),
        ("Albequerque", "10740"),
        ("Filadelphia", "37980"),
        ("Pittsburg", "38300"),
        ("sanfrancisco", "41860"),
        ("Massachusets", "25"),
        ("Conneticut", "09"),
        ("Tennesee", "47"),
    ],
)
def test_misspelled_places(resolver: EntityResolver, phrase: str, code: str) -> None:
    result = resolver.area(phrase)
    assert result.best is not None and result.best.code == code
    assert result.matches[0].via == "fuzzy" and not result.ambiguous
    assert resolver.exact("area", phrase) == ()  # exact() never guesses


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("texas", "48"),
        ("Massachusetts", "25"),
        ("mass", "25"),
        ("wa", "53"),
        ("WA", "53"),
        ("washington state", "53"),
        ("state of washington", "53"),
        ("new york state", "36"),
        ("district of columbia", "11"),
        ("Puerto Rico", "72"),
        ("53", "53"),
    ],
)
def test_states(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert codes(resolver.area(phrase)) == [code]


@pytest.mark.parametrize(
    "phrase", ["nationally", "national", "nationwide", "the US", "the U.S.", "U.S.", "US", "USA",
               "united states", "America", "across the country"]
)  # fmt: skip
def test_the_nation(resolver: EntityResolver, phrase: str) -> None:
    result = resolver.area(phrase)
    assert codes(result) == ["99"] and result.best is not None and result.best.kind == "national"


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("eastern oregon nonmetro", "4100008"),
        ("Eastern Oregon nonmetropolitan area", "4100008"),
        ("eastern oregon non-metro", "4100008"),
        ("rural eastern oregon", "4100008"),
        ("eastern oregon", "4100008"),
        ("rural kansas", "2000006"),
        ("4100008", "4100008"),
    ],
)
def test_nonmetropolitan_areas(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert codes(resolver.area(phrase)) == [code]


def test_a_region_name_never_hides_a_state(resolver: EntityResolver) -> None:
    # "Kansas nonmetropolitan area" must not make "kansas" ambiguous.
    assert codes(resolver.area("kansas")) == ["20"]
    rural = resolver.area("rural oregon")
    assert rural.ambiguous and set(codes(rural)) == {"4100006", "4100007", "4100008"}


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Portland", {"38900", "38860"}),
        ("Springfield", {"44100", "44140", "44180", "44220"}),
        ("Columbus", {"18140", "17980", "18020"}),
        ("Rochester", {"40380", "40340"}),
        ("Albany", {"10500", "10540", "10580"}),
        ("the Bay Area", {"41860", "41940"}),
        ("Washington", {"53", "47900"}),
        ("New York", {"36", "35620"}),
        ("the research triangle", {"39580", "20500"}),
        ("Arlington", {"19100", "47900"}),
    ],
)
def test_ambiguous_places_are_reported_not_guessed(
    resolver: EntityResolver, phrase: str, expected: set[str]
) -> None:
    result = resolver.area(phrase)
    assert result.ambiguous and set(codes(result)) == expected
    assert set(a.code for a in resolver.exact("area", phrase)) == expected


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("portland oregon", "38900"),
        ("Portland, OR", "38900"),
        ("portland or", "38900"),
        ("Portland, ME", "38860"),
        ("portland, me", "38860"),
        ("portland maine", "38860"),
        ("columbus ohio", "18140"),
        ("Columbus, OH", "18140"),
        ("columbus in", "18020"),
        ("columbus, georgia", "17980"),
        ("springfield il", "44100"),
        ("springfield, MO", "44180"),
        ("springfield massachusetts", "44140"),
        ("rochester ny", "40380"),
        ("rochester minnesota", "40340"),
        ("albany new york", "10580"),
        ("Baton Rouge, LA", "12940"),
        ("seatle wa", "42660"),
    ],
)
def test_a_state_qualifier_narrows_a_city(resolver: EntityResolver, phrase: str, code: str) -> None:
    result = resolver.area(phrase)
    assert codes(result) == [code] and not result.ambiguous


@pytest.mark.parametrize("phrase", ["Atlantis", "Gotham", "Narnia", "Hogwarts", "middle earth", "the moon"])
def test_unknown_places_match_nothing(resolver: EntityResolver, phrase: str) -> None:
    assert not resolver.area(phrase).found


# -- postal codes that are words, and case ------------------------------------------------------

WORD_CODES = ["in", "or", "me", "hi", "ok", "oh", "de", "la", "co", "al", "id", "pa", "ma", "mo", "ga"]


@pytest.mark.parametrize("token", WORD_CODES)
def test_word_like_postal_codes_need_capitals(resolver: EntityResolver, token: str) -> None:
    assert resolver.exact("area", token) == ()
    assert resolver.exact("area", token.upper()) == ()  # bare codes go through exact_postal
    assert resolver.exact_postal(token) == ()
    found = resolver.exact_postal(token.upper())
    if token == "la":
        assert [a.code for a in found] == ["31080"]  # "LA" alone is Los Angeles
    else:
        assert [a.state for a in found] == [token.upper()] and found[0].kind == "state"


def test_other_postal_codes_match_in_any_case(resolver: EntityResolver) -> None:
    assert [a.code for a in resolver.exact("area", "wa")] == ["53"]
    assert [a.code for a in resolver.exact_postal("tx")] == ["48"]
    assert [a.code for a in resolver.exact_postal("NYC")] == ["35620"]
    assert [a.code for a in resolver.exact_postal("U.S.")] == ["99"]


def test_us_is_a_pronoun_unless_capitalized(resolver: EntityResolver) -> None:
    assert resolver.exact("area", "us") == ()
    assert not resolver.area("us").found
    assert [a.code for a in resolver.exact_postal("US")] == ["99"]
    assert [a.code for a in resolver.exact("area", "the us")] == ["99"]


def test_city_qualified_by_a_word_code_needs_capitals_in_exact(resolver: EntityResolver) -> None:
    assert [a.code for a in resolver.exact("area", "Portland, OR")] == ["38900"]
    assert [a.code for a in resolver.exact("area", "Bend OR")] == ["13460"]
    assert resolver.exact("area", "portland or") == ()
    assert resolver.exact("area", "columbus in") == ()  # "electricians in columbus in 2024"
    assert [a.code for a in resolver.exact("area", "springfield il")] == ["44100"]


def test_cities_that_are_english_words_need_capitals_in_exact(resolver: EntityResolver) -> None:
    assert resolver.exact("area", "mobile") == ()
    assert [a.code for a in resolver.exact("area", "Mobile")] == ["33660"]
    assert codes(resolver.area("mobile")) == ["33660"]  # area() is asked about a place


def test_everyday_words_are_not_places_or_industries_in_exact(resolver: EntityResolver) -> None:
    assert resolver.exact("area", "college") == ()  # Fairbanks-College, AK
    assert resolver.exact("industry", "information") == ()  # sector 51 "Information"
    assert [i.naics for i in resolver.exact("industry", "the information sector")] == ["51"]
    assert codes(resolver.industry("information")) == ["51"]


def test_short_numbers_are_not_places_in_exact(resolver: EntityResolver) -> None:
    assert resolver.exact("area", "10") == ()  # "top 10 states" is not Delaware
    assert resolver.exact("industry", "52") == ()
    area = resolver.by_code("area", "10")
    assert isinstance(area, Area) and area.title == "Delaware"


# -- occupations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("nurses", "29-1141"),
        ("nurse", "29-1141"),
        ("RN", "29-1141"),
        ("RNs", "29-1141"),
        ("LPN", "29-2061"),
        ("NP", "29-1171"),
        ("software engineers", "15-1252"),
        ("software devs", "15-1252"),
        ("software dev", "15-1252"),
        ("programmers", "15-1251"),
        ("cops", "33-3051"),
        ("police officers", "33-3051"),
        ("CPA", "13-2011"),
        ("accountants", "13-2011"),
        ("hvac techs", "49-9021"),
        ("hvac guys", "49-9021"),
        ("truck drivers", "53-3032"),
        ("truckers", "53-3032"),
        ("lawyers", "23-1011"),
        ("attorneys", "23-1011"),
        ("PAs", "29-1071"),
        ("physician assistant", "29-1071"),
        ("plumbers", "47-2152"),
        ("electricians", "47-2111"),
        ("auto mechanics", "49-3023"),
        ("CNAs", "31-1131"),
        ("home health aides", "31-1120"),
        ("servers", "35-3031"),
        ("waitresses", "35-3031"),
        ("realtors", "41-9022"),
        ("real estate agents", "41-9022"),
        ("HR specialists", "13-1071"),
        ("CEOs", "11-1011"),
        ("pilots", "53-2011"),
        ("construction workers", "47-2061"),
        ("warehouse workers", "53-7062"),
        ("physical therapists", "29-1123"),
        ("x-ray techs", "29-2034"),
        ("vet techs", "29-2056"),
        ("dentists", "29-1021"),
        ("doctors", "29-1210"),
        ("professors", "25-1000"),
        ("mail carriers", "43-5052"),
    ],
)
def test_common_occupation_names(resolver: EntityResolver, phrase: str, code: str) -> None:
    result = resolver.occupation(phrase)
    assert codes(result) == [code] and not result.ambiguous
    assert [o.code for o in resolver.exact("occupation", phrase)] == [code]


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("Registered Nurses", "29-1141"),
        ("registered nurse", "29-1141"),
        ("29-1141", "29-1141"),
        ("291141", "29-1141"),
        ("Pharmacists", "29-1051"),
        ("pharmacist", "29-1051"),
        ("Software Developers", "15-1252"),
        ("Cashiers", "41-2011"),
        ("pipefitters", "47-2152"),
        ("steamfitters", "47-2152"),
        ("Accountants and Auditors", "13-2011"),
        ("auditors", "13-2011"),
        ("tractor-trailer truck drivers", "53-3032"),
        ("elementary school teachers", "25-2021"),
        ("architects", "17-1011"),
        ("janitors and cleaners", "37-2011"),
        ("restaurant cooks", "35-2014"),
        ("general office clerks", "43-9061"),
        ("opticians", "29-2081"),
        ("mobile home installers", "49-9095"),
    ],
)
def test_occupation_titles_codes_and_variants(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert [o.code for o in resolver.exact("occupation", phrase)] == [code]


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("calibration technicians", "17-3028"),  # Calibration Technologists and Technicians
        ("environmental scientists", "19-2041"),  # the detailed one, not the broad 19-2040
        ("retail salespeople", "41-2031"),  # Retail Salespersons
        ("production supervisors", "51-1011"),  # the one occupation of 51-1000
        ("construction management", "11-9021"),  # a field named after its people
        ("manager jobs", "11-0000"),
        ("construction trades", "47-2000"),  # Construction Trades Workers, not extraction too
        ("roustabouts", "47-5071"),  # Roustabouts, Oil and Gas: no other title has the head
        ("derrick operator", "47-5011"),
        ("physicians", "29-1210"),  # not "Physicians, Pathologists" (there are "Physicians, All Other")
        ("cafeteria cooks", "35-2012"),  # Cooks, Institution and Cafeteria
        ("transit bus drivers", "53-3052"),  # Bus Drivers, Transit and Intercity
        ("counter workers", "35-3023"),  # Fast Food and Counter Workers
        ("hotel desk clerks", "43-4081"),  # Hotel, Motel, and Resort Desk Clerks
        ("school social workers", "21-1021"),  # Child, Family, and School Social Workers
        ("dosimetrists", "29-2036"),  # Medical Dosimetrists: no other title has the word
        ("phlebs", "31-9097"),
        ("sec guards", "33-9032"),
    ],
)
def test_names_people_type_for_titles_and_groups(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert [o.code for o in resolver.exact("occupation", phrase)] == [code]


def test_unknown_words_before_supervisors_are_not_part_of_the_title(resolver: EntityResolver) -> None:
    assert resolver.exact("occupation", "tesla production supervisors") == ()
    assert [o.code for o in resolver.exact("occupation", "security guard supervisors")] == ["33-1091"]


@pytest.mark.parametrize(
    ("phrase", "naics"),
    [
        ("k-12 schools", "611100"),
        ("bus contractors", "485400"),
        ("caterers", "722300"),
        ("nail salons", "812100"),
        ("auto parts stores", "441300"),
        ("home health agencies", "621600"),
        ("A&E firms", "541300"),
    ],
)
def test_everyday_names_of_industries(resolver: EntityResolver, phrase: str, naics: str) -> None:
    assert [i.naics for i in resolver.exact("industry", phrase)] == [naics]


def test_a_compass_point_abbreviated_names_a_nonmetro_area(resolver: EntityResolver) -> None:
    assert [a.title for a in resolver.exact("area", "se oklahoma nonmetro")] == [
        "Southeast Oklahoma nonmetropolitan area"
    ]


def test_the_article_and_a_word_start_are_not_a_title(resolver: EntityResolver) -> None:
    assert resolver.exact("occupation", "the deal") == ()


def test_a_group_is_named_by_the_words_of_its_title(resolver: EntityResolver) -> None:
    arts = resolver.group_with_words(["arts", "design", "entertainment", "media"])
    assert arts is not None and arts.code == "27-0000"
    assert resolver.group_with_words(["truck", "bus"]) is None


def test_duplicate_and_discontinued_codes_collapse(resolver: EntityResolver) -> None:
    # 29-1140 (broad, to 2024) and 29-1141 (detailed) are both "Registered Nurses".
    assert [o.code for o in resolver.exact("occupation", "registered nurses")] == ["29-1141"]
    # 15-1256 (2019-2020) lists "Software Developers" among its parts; the current code wins.
    assert [o.code for o in resolver.exact("occupation", "software developers")] == ["15-1252"]
    hybrid = "Software Developers and Software Quality Assurance Analysts and Testers"
    assert [o.code for o in resolver.exact("occupation", hybrid)] == ["15-1256"]


def test_title_parts_are_not_split_at_every_and(resolver: EntityResolver) -> None:
    assert resolver.exact("occupation", "heavy") == ()
    assert not resolver.occupation("heavy").found


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("elecrtical engineers", "17-2071"),
        ("electrcians", "47-2111"),
        ("pharmasists", "29-1051"),
        ("regestered nurses", "29-1141"),
        ("nurse practioner", "29-1171"),
        ("acountants", "13-2011"),
    ],
)
def test_misspelled_occupations(resolver: EntityResolver, phrase: str, code: str) -> None:
    result = resolver.occupation(phrase)
    assert result.best is not None and result.best.code == code and not result.ambiguous
    assert result.matches[0].via == "fuzzy"


def test_a_known_name_inside_a_longer_phrase(resolver: EntityResolver) -> None:
    result = resolver.occupation("senior software engineer")
    assert result.best is not None and result.best.code == "15-1252"
    assert result.matches[0].via == "partial"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("teachers", ["25-2021", "25-2022", "25-2031"]),
        ("surgeons", ["29-1240", "29-1242", "29-1243", "29-1249"]),
        ("therapists", ["21-1018", "21-1013", "29-1123"]),
        ("social workers", ["21-1021", "21-1022", "21-1023"]),
    ],
)
def test_ambiguous_occupation_names(resolver: EntityResolver, phrase: str, expected: list[str]) -> None:
    result = resolver.occupation(phrase)
    assert result.ambiguous and codes(result) == expected  # the first is the most common reading


@pytest.mark.parametrize("phrase", ["wizards", "dragon tamers", "unicorn wranglers", "jedi", "xyzzy"])
def test_unknown_occupations_match_nothing(resolver: EntityResolver, phrase: str) -> None:
    assert not resolver.occupation(phrase).found
    assert resolver.exact("occupation", phrase) == ()


@pytest.mark.parametrize("token", ["pa", "hr", "pt", "ot", "ma", "it"])
def test_short_words_are_not_occupations(resolver: EntityResolver, token: str) -> None:
    assert resolver.exact("occupation", token) == ()


# -- industries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "naics"),
    [
        ("hospitals", "622000"),
        ("Hospitals", "622000"),
        ("accounting firms", "541200"),
        ("tax prep", "541200"),
        ("CPA firms", "541200"),
        ("finance", "52"),
        ("finance and insurance", "52"),
        ("the finance and insurance sector", "52"),
        ("Sector 52", "52"),
        ("NAICS 52", "52"),
        ("manufacturing", "31-33"),
        ("31-33", "31-33"),
        ("retail", "44-45"),
        ("software publishers", "513200"),
        ("restaurants", "722500"),
        ("specialty trade contractors", "238000"),
        ("622000", "622000"),
        ("naics 622", "622000"),
        ("universities", "611300"),
        ("insurance carriers", "524100"),
        ("nursing homes", "623100"),
        ("the trucking industry", "484000"),
        ("state government owned hospitals", "622002"),
    ],
)
def test_industries_by_name_code_and_common_name(resolver: EntityResolver, phrase: str, naics: str) -> None:
    result = resolver.industry(phrase)
    assert codes(result) == [naics] and not result.ambiguous
    assert [i.naics for i in resolver.exact("industry", phrase)] == [naics]


@pytest.mark.parametrize(
    ("phrase", "naics"),
    [
        ("the federal government", ["999100", "999101"]),
        ("the feds", ["999100", "999101"]),
        ("state government", ["999200", "999201"]),
        ("local government", ["999300", "999301"]),
        ("state agencies", ["999200"]),
    ],
)
def test_a_level_of_government_names_its_oews_designations(
    resolver: EntityResolver, phrase: str, naics: list[str]
) -> None:
    """Without, then with, the schools and hospitals (the Postal Service) it runs."""
    assert [i.naics for i in resolver.exact("industry", phrase)] == naics


def test_short_naics_codes_through_industry(resolver: EntityResolver) -> None:
    assert codes(resolver.industry("52")) == ["52"]
    assert codes(resolver.industry("622")) == ["622000"]
    assert codes(resolver.industry("5412")) == ["541200"]


def test_same_industry_title_keeps_the_widest_level(resolver: EntityResolver) -> None:
    # 211000 (3-digit) and 211100 (4-digit) are both "Oil and Gas Extraction".
    assert codes(resolver.industry("oil and gas extraction")) == ["211000"]
    # 325000 "Chemical Manufacturing" vs 3250A1 "Chemical Manufacturing (3251, … only)".
    assert codes(resolver.industry("chemical manufacturing")) == ["325000"]


def test_industry_misspellings_and_typed_variants(resolver: EntityResolver) -> None:
    assert codes(resolver.industry("hospitels"))[:1] == ["622000"]
    assert codes(resolver.industry("resturants"))[:1] == ["722500"]
    assert codes(resolver.industry("accounting/tax prep firms"))[:1] == ["541200"]


def test_ambiguous_and_unknown_industries(resolver: EntityResolver) -> None:
    tech = resolver.industry("the tech industry")
    assert tech.ambiguous and "513200" in codes(tech) and "541500" in codes(tech)
    assert not resolver.industry("wizardry").found
    assert not resolver.industry("dragon breeding").found


# -- exact() as the question parser uses it -----------------------------------------------------


def test_exact_over_the_ngrams_of_a_question(resolver: EntityResolver) -> None:
    question = "what do the top 10 software devs make in washington state or near Portland, OR"
    words = question.split()
    found: dict[str, list[str]] = {}
    for n in range(MAX_PHRASE_WORDS, 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i : i + n])
            for kind in ("area", "occupation", "industry"):
                hits = resolver.exact(kind, phrase)  # type: ignore[call-overload]
                if hits:
                    found.setdefault(phrase, []).extend(h.code for h in hits)
    assert found["software devs"] == ["15-1252"]
    assert found["washington state"] == ["53"]
    assert found["Portland, OR"] == ["38900"]
    assert "10" not in found and "or" not in found and "in" not in found


# -- words people use: abbreviations, initialisms, typos in ordinary words -----------------------


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("hr mgrs", "11-3121"),  # Human Resources Managers
        ("customer svc reps", "43-4051"),
        ("construction mgr", "11-9021"),
        ("food prep workers", "35-2021"),
        ("mech engs", "17-2141"),
        ("elec eng", "17-2071"),
        ("tax prep", "13-2082"),  # Tax Preparers: "prep" is preparation, then preparer
        ("med asst", "31-9092"),
    ],
)
def test_abbreviated_words_of_titles_resolve(resolver: EntityResolver, phrase: str, code: str) -> None:
    assert [o.code for o in resolver.exact("occupation", phrase)] == [code]
    assert codes(resolver.occupation(phrase))[:1] == [code]


def test_a_lone_abbreviation_is_not_an_occupation(resolver: EntityResolver) -> None:
    for word in ("prep", "mgr", "svc", "techs"):
        assert resolver.exact("occupation", word) == ()


@pytest.mark.parametrize(
    ("typed", "code"),
    [("OTs", "29-1122"), ("OT", "29-1122"), ("NPs", "29-1171"), ("RTs", "29-1126"), ("RT's", "29-1126")],
)
def test_initialisms_of_titles_typed_in_capitals(resolver: EntityResolver, typed: str, code: str) -> None:
    assert [o.code for o in resolver.exact("occupation", typed)] == [code]


def test_an_initialism_of_several_titles_without_a_dominant_one_lists_them(
    resolver: EntityResolver, vocab: Vocabulary
) -> None:
    found = resolver.exact("occupation", "CEs")
    assert {"17-2051", "13-1051", "11-1011"} <= {
        o.code for o in found
    }  # civil engineers, cost estimators ...
    assert [o.code for o in resolver.exact("occupation", "PTs")][:2] == [
        "29-1123",
        "25-2011",
    ]  # the everyday one first
    assert [o.tot_emp for o in found] == sorted((o.tot_emp for o in found), reverse=True)
    # Respiratory Therapists employ several times as many as Radiation or Recreational Therapists.
    emp = {o.code: o.tot_emp for o in vocab.occupations}
    assert emp["29-1126"] >= 3 * max(emp["29-1124"], emp["29-1125"])


def test_initialisms_need_capitals_and_skip_state_codes(resolver: EntityResolver) -> None:
    assert resolver.exact("occupation", "ots") == ()
    assert resolver.exact("occupation", "Set") == ()  # "Self-Enrichment Teachers" is SET
    assert resolver.exact("occupation", "MA") == ()  # Massachusetts, not Medical Assistants
    assert resolver.exact("occupation", "IT") == ()  # not Interpreters and Translators
    assert resolver.exact("occupation", "HR") == ()  # not Helpers--Roofers


def test_typos_in_ordinary_words_are_corrected_but_names_are_left_alone(resolver: EntityResolver) -> None:
    from agents.engine.parser import FILLER

    speller = resolver.speller(FILLER)
    fixed = speller.correct("how many occupatons pay a good salery, emplyment and Medain wage")
    assert fixed == "how many occupations pay a good salary, employment and Median wage"
    unchanged = "unemployment of electricians in Seatle, pharmasists in Phoenix"
    assert speller.correct(unchanged) == unchanged


def test_a_long_name_word_with_a_vowel_left_out_is_restored(resolver: EntityResolver) -> None:
    from agents.engine.parser import FILLER

    speller = resolver.speller(FILLER)
    assert speller.correct("elementry school teachrs, electrcians") == (
        "elementary school teachers, electricians"
    )
    words_of_their_own = "masters, cattle ranches, surveyors in atlantis or sunnydale"
    assert speller.correct(words_of_their_own) == words_of_their_own


def test_abbreviated_words_of_industry_names_resolve(resolver: EntityResolver) -> None:
    assert [i.naics for i in resolver.exact("industry", "food mfg")] == ["311000"]
    assert codes(resolver.industry("computer sys design"))[:1] == ["541500"]


@pytest.mark.parametrize(
    ("phrase", "code"),
    [("pt assts", "31-2021"), ("ot aides", "31-2012"), ("PT aide", "31-2022"), ("surg techs", "29-2055")],
)
def test_a_titles_initial_letters_then_its_last_word(
    resolver: EntityResolver, phrase: str, code: str
) -> None:
    """The initialism of a title's first words and its last word, or the starts of its words."""
    assert [o.code for o in resolver.exact("occupation", phrase)] == [code]


def test_a_name_spelled_as_it_sounds(resolver: EntityResolver) -> None:
    assert resolver.occupation("farmacist").best.code == "29-1051"  # type: ignore[union-attr]
    assert not resolver.area("the moon").found  # sounds alone are not enough
