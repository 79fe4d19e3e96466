"""What the words of a question ask for: measures, years, ranking, comparison.

Works on the lower-cased cleaned question; knows nothing about places or occupations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agents.resolve import aliases

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20,
}  # fmt: skip

# "ten million", "a hundred grand", "fifty thousand": amounts in words, read as digits.
_AMOUNT_WORDS = re.compile(
    r"\b(a|" + "|".join(_NUMBER_WORDS) + r"|fifty|a\s+hundred|one\s+hundred|hundred)\s+"
    r"(?=(million|thousand|grand|k)\b)"
)
_WORD_VALUES = {**_NUMBER_WORDS, "a": 1, "fifty": 50, "a hundred": 100, "one hundred": 100, "hundred": 100}


_NEGATIVE = re.compile(r"\b(?:negative|minus)\s+(?=\$?\d)", re.IGNORECASE)


def amounts_in_digits(text: str) -> str:
    """ "over ten million" -> "over 10 million" (amounts in words, before a multiplier);
    "negative 30k" -> "-30k"."""

    def digits(m: re.Match[str]) -> str:
        words = " ".join(m.group(1).lower().split())
        return f"{_WORD_VALUES[words]} "

    return _AMOUNT_WORDS.sub(digits, _NEGATIVE.sub("-", text))


# "head of HR", "director of nursing", "VP of sales": the managers of that field.
_HEAD_OF = re.compile(
    r"\b(?:heads?|directors?|vps?|vice\s+presidents?)\s+of\s+(?:the\s+)?([a-z&/ ]+?)"
    r"(?=\s+(?:pay|pays|paid|salary|salaries|make|makes|earn|earns|in|at|for|vs|versus|and|or|compared|jobs?)\b"
    r"|\s*[?,.!:;]|\s*$)",
    re.IGNORECASE,
)


# "teaching high school": the teachers of that level.
_DRIVING = re.compile(
    r"\b(school\s+bus|bus|truck|taxi|delivery|ambulance|forklift|semi)\s+driving\b"
    r"|\bdriving\s+(?:a\s+|an\s+)?(semis?|trucks?|big\s+rigs?|18[\s-]wheelers?|buses|a\s+bus|taxis?|forklifts?)\b",
    re.IGNORECASE,
)
_TEACHING = re.compile(
    r"\bteaching\s+(high\s+school|middle\s+school|elementary(?:\s+school)?|kindergarten|preschool"
    r"|special\s+ed\w*)",
    re.IGNORECASE,
)

# "hvac after high school": when someone studies, not where they work.
_SCHOOLING = re.compile(
    r"\b(?:right\s+|straight\s+|fresh\s+)?(?:after|out\s+of|outta|finishing|leaving|graduating(?:\s+from)?)"
    r"\s+(?:high\s+school|hs|college|university|uni|grad\s+school|school)\b",
    re.IGNORECASE,
)


_REAL_CAREER = re.compile(r"\breal\s+(?=(careers?|jobs?|professions?|trades?)\b)", re.IGNORECASE)


def _singular_vehicle(vehicle: str) -> str:
    """ "semis" -> "semi", "big rigs" -> "truck", "buses" -> "bus"."""
    vehicle = re.sub(r"^(a|an)\s+", "", vehicle.lower())
    if re.match(r"big\s+rig|18", vehicle) or vehicle.startswith("semi"):
        return "truck"
    return re.sub(r"(es|s)$", "", vehicle) if vehicle.endswith(("ses", "ks", "is", "fts")) else vehicle


def roles_as_titles(text: str) -> str:
    """ "head of HR pay" -> "HR managers pay"; "teaching high school" -> "high school teachers"
    (a job said as what the person does); "after high school" is left out (when, not where)."""
    text = _SCHOOLING.sub(" ", text)
    text = _REAL_CAREER.sub("", text)  # "a real career": the career
    text = _HEAD_OF.sub(lambda m: f"{m.group(1)} managers", text)
    text = _DRIVING.sub(lambda m: f"{_singular_vehicle(m.group(1) or m.group(2))} drivers", text)
    return _TEACHING.sub(lambda m: f"{m.group(1)} teachers", text)


_UNPUBLISHED_SHARE = r"(?!(10|25|50)\b)\d{1,2}(\.\d+)?\s*(%|pct\b|percent\b)"
_PCT_EXPLICIT = re.compile(
    r"\b(10|25|50|75|90)(?:st|nd|rd|th)?\s*(?:pct|percentile|%ile|perc|p|pctile|pctl|ptile|centile)\b"
    r"|\bp(10|25|50|75|90)\b|\b(?:percentile|pctile|pctl|ptile|pct)\s*(10|25|50|75|90)\b"
)
_PCT_PHRASES = (
    (re.compile(r"\b(bottom|low|lower|entry)\s+end\b"), 10),
    (re.compile(r"\b(top|high|upper)\s+end\b"), 90),
    (re.compile(r"\b(top|highest|upper|best[- ]paid)\s*(10\s*%|10\s*pct|10 percent|ten percent|decile)"), 90),
    (re.compile(r"\b(bottom|lowest|lower)\s*(10\s*%|10\s*pct|10 percent|ten percent|decile)"), 10),
    (re.compile(r"\b(top|upper|highest)\s*(25\s*%|25\s*pct|25 percent|quartile)"), 75),
    (re.compile(r"\b(bottom|lower|lowest)\s*(25\s*%|25\s*pct|25 percent|quartile)"), 25),
    (re.compile(r"\b(top|bottom|upper|lower)\s*(50\s*%|50\s*pct|50 percent|half)"), 50),
    # "top 5%", "bottom 1%": not published; the nearest published percentile (said not applied)
    (re.compile(rf"\b(top|highest|upper|best[- ]paid)\s*{_UNPUBLISHED_SHARE}"), 90),
    (re.compile(rf"\b(bottom|lowest|lower)\s*{_UNPUBLISHED_SHARE}"), 10),
)
_PERCENTILE_WORD = re.compile(r"\b(percentiles?|pct|%ile|pctiles?|pctls?|ptiles?|centiles?)\b")
_ORDINAL = re.compile(r"\b(10|25|50|75|90)(?:st|nd|rd|th)\b")
_EXPERIENCED = re.compile(
    r"\b(senior|experienced|seasoned|veteran|\d+\+?\s+(years?|yrs?)\s+(of\s+)?experience|years\s+of\s+experience)\b"
)
_ENTRY = re.compile(r"\b(entry[- ]level|starting|beginners?|new grads?|junior)\b")
_RANGE = re.compile(
    r"\b(range|spread|percentiles|low\s+to\s+high|low\s+end|high\s+end"
    # "wage distribution", not "natural gas distribution" or "distribution centers" (industries)
    r"|(?<!gas\s)(?<!and\s)(?<!power\s)(?<!electric\s)(?<!food\s)(?<!wholesale\s)distribution"
    r"(?!\s+(industry|sector|compan\w+|centers?|warehouses?|business\w*|firms?|utilit\w+|workers|jobs"
    r"|managers?|clerks?|drivers?|supervisors?|specialists?)))\b"
)
_MEDIAN = re.compile(
    r"\b(median|typical|typically|middle(?!\s+schools?\b)|mdn)\b|\bmed\.?\s+(?=(pay|salary|salaries|wages?|income|hourly|annual|"
    r"earnings|comp)\b)|\b(pay|salary|wages?|income|hourly|annual|earnings)\s+med\b"
)
_MEAN = re.compile(r"\b(mean|average|avg|averages|averaging|averaged)\b(?!\s+(?:number|count))")
_HOURLY = re.compile(
    r"\b(hourly|hrly|per\s+hour|an\s+hour|by\s+the\s+hour|hour|per\s+hr|an\s+hr|p/h)\b|/\s*h(ou)?r\b"
)
_ANNUAL = re.compile(
    r"\b(annual|annually|salary|salaries|sal|yearly|yrly|per\s+year|a\s+year|per\s+yr|a\s+yr|p\.a\.)\b|/\s*y(ea)?r\b"
)
_PAY = re.compile(
    r"\b(pay|pays|paid|paying|make|makes|making|earn|earns|earning|earnings|salary|salaries"
    r"|wage|wages|income|compensation|money|rate|comp)\b|\$"
)
_EMPLOYMENT = re.compile(
    r"\b(how\s+many(?!\s+(dollars|bucks|cents))|number\s+of|employment|employed|emp|headcount|head\s+count|hc|workforce"
    r"|employ|employs|employing|count\s+of|total\s+jobs|jobs\s+(are|were)\s+there"
    r"|jobs?\s+(growth|gains?|losses|grew|growing|shrank|changed?|increased?|decreased?)"
    r"|(their|its)\s+numbers?|numbers?\s+(have\s+|has\s+)?(changed?|grown|grew|fallen|fell|dropped|declined"
    r"|shrunk|shrank|increased|decreased|gone\s+(up|down)))\b"
    r"|(?<![\w#])#(?=\s)"  # "# of LPNs", "fundraising mgrs - # in 2020"
)
_MORE = re.compile(r"\b(more|fewer|most|less|bigger|larger)\b")
_LQ = re.compile(r"\b(location\s+quotient|lq|lqs)\b")
_PER_1000 = re.compile(
    r"\bper\s+(1,?000|thousand|1k)\b|\bjobs\s+per\b|\bper\s+(capita|person|resident|head)\b"
    r"|\b(share|percent|percentage|proportion|fraction)\s+of\s+(all\s+)?(the\s+)?(jobs|employment|workers)\b"
)
_CONCENTRATION = re.compile(r"\b(concentrat\w*|dense|density|specializ\w*|over-?represented)\b")
_RSE = re.compile(r"\b(reliab\w*|standard\s+error|rse|prse|margin\s+of\s+error|precise|precision)\b")

_RANK = re.compile(
    r"\b(top|highest|lowest|most|least|fewest|best|worst|largest|biggest|smallest|rank\w*"
    r"|leading|bottom|fastest|slowest|quickest)\b|\bwhich\s+(states?|metros?|cities|areas?|industries|sectors?|jobs?"
    r"|occupations?|careers?|professions?)\b|\bwhich\s+([a-z&+/-]+\s+){1,3}(jobs|occupations|careers|professions)\b"
)
_ASCENDING = re.compile(r"\b(lowest|least|fewest|worst|smallest|bottom|cheapest|slowest)\b")
_TOP_N = re.compile(
    r"\b(?:top|bottom|first|best|worst|highest|lowest)\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\b"
    r"|\b(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:highest|lowest|best|worst|top|most|least|fewest"
    r"|biggest|largest|smallest|fastest|slowest|quickest|leading|richest|poorest|cheapest"
    r"|states?|metros?|metro\s+areas?|cities|city|areas?|industries|industry|sectors?|jobs?|occupations?|careers?)\b"
    r"|\b(?:gimme|give\s+me|show\s+me|just|only)\s+(?:the\s+)?(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
    r"\s*(?:[.?!,;]|$)"
)
_RANK_STATES = re.compile(r"\b(states|which\s+state|what\s+state|state\s+(pays|has|with))\b")
_RANK_METROS = re.compile(
    r"\b(metros|metro\s+areas|metropolitan\s+areas|cities|which\s+(metro|city|area)"
    r"|what\s+(metro|city|area)|areas)\b"
)
_RANK_NONMETRO = re.compile(r"\b(nonmetro\w*|non-metro\w*|rural\s+areas)\b")
_RANK_INDUSTRIES = re.compile(
    r"\b(industries|industry|sectors|sector|employers?|subsectors|compan(y|ies)|firms?|businesses)\b"
)
_RANK_OCCUPATIONS = re.compile(
    r"\b(jobs|job|occupations|occupation|careers|career|professions|roles|positions|job\s+titles)\b"
)
_INDUSTRY_LEVEL = re.compile(r"\b([3-6])[- ]?digit\b|\b(sectors?|subsectors?)\b")
_COMPARE = re.compile(r"\b(vs\.?|versus|compared?\s+(to|with)?|comparison|or|than|difference|between)\b")
_TREND = re.compile(  # "change", never the "Change Persons" of Gambling Change Persons and Booth Cashiers
    r"\b(chang(?!e\s+persons?\b)\w*|trend\w*|over\s+time|over\s+the\s+years|grow\w*|grew|increas\w*|decreas\w*"
    r"|declin\w*|rises?|rising|raises?|rose|risen|fall|fell|went\s+up|gone\s+up|go\s+up|history|historical"
    r"|jump\w*|spik\w*|soar\w*|surg\w*|climb\w*|plung\w*|dropp?\w*|bump\w*|hike[sd]?|boost\w*|uptick"
    r"|since|each\s+year|every\s+year|per\s+year\s+since|year\s+by\s+year|annually\s+since"
    r"|(kept|keep|keeping)\s+(up|pace))\b"
)
_GROWTH = re.compile(
    r"\b(grew|grow\w*|growth|increas\w*|rose|risen|rises?|rising|raises?|gain\w*|declin\w*|shr[iau]nk\w*|fell|drop\w*"
    r"|lost|lose|loses|losing|loss|losses|boom\w*|shed\w*|add(ed|ing)|cut|cuts|disappear\w*|vanish\w*|jump\w*|spik\w*|soar\w*"
    r"|surg\w*|climb\w*|plung\w*|bump\w*|hike[sd]?|boost\w*|uptick"
    r"|(went|gone|go|goes|going)\s+(up|down))\b"
)
_SHRINK = re.compile(
    r"\b(declin\w*|shr[iau]nk\w*|fell|drop\w*|lost|lose|loses|losing|loss|losses|shed\w*|cut|cuts|disappear\w*"
    r"|vanish\w*|(went|gone|go|goes|going)\s+down)\b"
)
# Absolute change ("most workers", "in dollars", "how many more") vs relative ("fastest", "%").
_ABSOLUTE = re.compile(
    r"\b(in\s+dollars|how\s+many\s+dollars|dollar\s+(amounts?|terms|changes?|increases?|raises?|gains?)"
    r"|in\s+absolute\s+terms|absolute|headcount|hc"
    r"|in\s+\$\s*terms"
    r"|most\s+(workers|jobs|people|employees|positions)|(more|fewer|less)\s+(workers|jobs|people|employees)"
    r"|how\s+many\s+(more|fewer|less)|how\s+much\s+(more|less)|by\s+how\s+much|number\s+of\s+(jobs|workers)"
    r"|jobs\s+(added|lost|gained|cut)|(added|lost|gained|shed|cut)\s+(the\s+most\s+)?(jobs|workers|positions)"
    r"|(add|adds|added|lose|loses|lost|gain|gains|gained|shed|cut)\s+the\s+(most|fewest|least)"
    r"|raw\s+(numbers?|counts?)|net\s+(jobs|change)|job\s+(losses|gains|cuts)|(biggest|largest|most)\s+(losses|gains))\b"
    r"|\bin\s+\$(?!\s*\d)|\(\s*\$\s*\)|\(\s*(in\s+)?dollars?\s*\)|\bdollar[\s-]*wise\b"  # "($)", "(dollars)"
    r"|(?<![\d,.])\$\s*(raises?|increases?|bumps?|gains?|jumps?|hikes?|growth|changes?)\b"  # "$ raises"
    r"|(?<![\d,.$])\$(?![\s$]*\d)"  # "the biggest raise in median $ since 2022": a bare dollar sign
)
_RELATIVE = re.compile(r"%|\b(fastest|slowest|quickest|percent\w*|pct|relative|rate\s+of|proportionally)\b")
# "(raw numbers, not %)", "in jobs rather than percent": the way NOT to show a change
_NOT_THIS_WAY = re.compile(
    r"\b(not|no|rather\s+than|instead\s+of)\s+(in\s+|as\s+(a\s+)?)?"
    r"(%|percent\w*|pct\b|raw\s+numbers?\b|absolute\b|dollars\b|headcount\b)"
)
_VS_YEAR = re.compile(
    r"\b(than|compared\s+(to|with)|vs\.?|versus|relative\s+to)\s+(in\s+|back\s+in\s+)?(may\s+)?(20\d\d)\b"
)

# Who said it is not what is asked about: "my guidance counselor says dental hygiene is a good career".
_SPEAKER = re.compile(
    r"\b(my|our)\s+[\w' ,-]{2,40}?\s+(says|said|thinks|thought|told\s+me|tells\s+me|keeps\s+saying"
    r"|recommends?|recommended|suggests?|suggested|claims|claimed|insists|swears)\b"
)
# "cooks under 25", "nurses over 50": people of an age (a bare number after a plural noun that is not
# "jobs" or a pay word); "jobs in utah over 45" stays a threshold without a unit.
_PEOPLE_AGED = (
    r"\b(?!(?:jobs|occupations|careers|positions|roles|pays|earns|makes|wages|salaries|hours)\b)([a-z]+s|[a-z]*people|folks)\s+"
    r"(under|over)\s+(1[6-9]|[2-7]\d)(?!\s*(k\b|grand|bucks|dollars|an?\s+h|an?\s+y|per\b|/|%|\.|,\d|\d))"
)
# What the asker says about themselves is not what is asked: "I own a hardware store in the Kansas City
# metro", "my daycare is in Omaha", "for a story about factory jobs". A place after "in the" or "in"
# stays in the question; "in a salon" is part of the description.
_SELF = re.compile(
    r"\b(i|we)\s+(own|run|manage|operate|rent|have)\s+(a|an|my|our|the)\s+[\w'-]+(\s+[\w'-]+){0,3}?"
    r"(\s+(in|at)\s+(a|an|my|our)\s+[\w'-]+(\s+[\w'-]+){0,2}?)*"
    r"(?=\s*([,.;:?!]|$)|\s+(in|and|so|but|near)\b)"
    r"|\bmy\s+(own\s+)?(daycare|shop|store|salon|restaurant|business|garage|clinic|practice|bakery|diner|cafe|farm"
    r"|agency)\b"
    r"|\b(i'?m|i\s+am|we'?re|we\s+are)\s+(writing|working\s+on|putting\s+together|researching|preparing)\b"
    r"|\bfor\s+(a|an|my|our)\s+(story|piece|article|report|project|paper|class|presentation)"
    r"(\s+(about|on)\s+[^,.;:?!]+)?"
)
# "… a good career? client is thinking about a certificate program": a sentence about someone else,
# background to the question (read only when the rest of the question names no job)
_BACKGROUND = re.compile(
    r"(?:^|(?<=[.?!;]))\s*(?:(?:my|our|the|a|this|her|his|their)\s+)?(?:client|student|customer|son|daughter"
    r"|kid|child|friend|wife|husband|partner|mom|dad|mother|father|brother|sister|cousin|nephew|niece|mentee"
    r"|patient|boss|manager|coworker|neighbor)s?\s+(?:is|are|was|were|has|have|wants?|plans?|hopes?|thinks?"
    r"|would|will|needs?|asked|asks|just|currently|already|might|may|could)\b[^.?!;]*"
)
_INTRO = re.compile(r"\s*(?:i'?m\s+(?:an?\s+)?)?[\w' /&-]{2,40}?\s+(?:here|asking|speaking)\b\s*[:,.!-]*")
# A threshold: "over $110k", "under $18 an hour", "more than 150000", "at least 5,000 workers".
_OVER = (
    r"over|above|more\s+than|greater\s+than|higher\s+than|at\s+least|exceed(?:s|ing)?|upwards\s+of"
    r"|north\s+of|tops|topping|top(?=\s*\$)|surpass(?:es|ing)?|in\s+excess\s+of|>=?|≥"
)
# "I heard hygienists make 100k": an amount claimed, checked like "over $100k" (said with "$", "k" or a unit)
_CLAIM = (
    r"\b(?:make|makes|making|earn|earns|earning|paid|pays?|paying|get|gets)\s+(?:about\s+|around\s+|like\s+)?"
)
_UNDER = r"under|below|less\s+than|lower\s+than|at\s+most|south\s+of|fewer\s+than|<=?|≤|beneath"
# What follows an amount: "bucks", "an hour" / "a year", "workers".
_UNIT = (
    r"\s*(?P<bucks>bucks|dollars|usd)?"
    r"(?:\s*(?P<per>an?\s+hour|per\s+hour|an?\s+hr|per\s+hr|/\s*h(?:ou)?r|hourly|hrly|an?\s+year|per\s+year"
    r"|an?\s+yr|per\s+yr|/\s*y(?:ea)?r|annually|annual|yearly|salary)\b)?"
    r"(?:\s*(?P<count>workers?|jobs|people|ppl|folks|employees?|employed|positions|persons|hc\b|headcount))?"
)
_THRESHOLD = re.compile(
    rf"(?:(?P<over>{_OVER})|(?P<under>{_UNDER})|(?P<claim>{_CLAIM}))\s*(?P<neg>-)?\s*(?P<dollar>\$)?\s*(?P<neg2>-)?"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?!\s*(?:%|percent|th\b|st\b|nd\b|rd\b))"
    r"\s*(?P<mult>k|K|grand|thousand|m|mil|million|mm|bn|billion|trillion)?\b" + _UNIT
)
_AMOUNT = r"\$?\s*\d+(?:,\d{3})*(?:\.\d+)?\s*(?:k|grand|thousand|m|mil|million|mm|bn|billion|trillion)?\b"
# A range: "between $50k and $80k", "from 20 to 30 bucks an hour", "$60k-$90k" ("$", "k" or a unit needed
# without "between" or "from").
_RANGE_AMOUNTS = re.compile(
    rf"\b(?:between|from)\s+(?P<lo>{_AMOUNT})\s*(?:and|to|-|–)\s*(?P<hi>{_AMOUNT})"
    r"|(?P<lo2>\$?\s*\d[\d,.]*\s*k?)\s*(?:-|–|to)\s*(?P<hi2>\$?\s*\d[\d,.]*\s*k?)\b"
)
_THRESHOLD_UNIT = re.compile(_UNIT)
_PEOPLE_AGED_RE = re.compile(_PEOPLE_AGED)
_AGE_WORDS = re.compile(
    r"\b(younger|older|age|aged|ages|years?\s+old|yrs?\s+old|retire\w*|elderly|seniors)\b"
)
_SIX_FIGURES = re.compile(r"\b(six|6)[- ]figures?\b")
_CAREER = re.compile(
    r"\b(good|great|bad|decent|solid|worth(while)?|smart|viable|prudent|wise|sensible|sound)\s+(career|job|gig|trade"
    r"|profession|field|choice|option"
    r"|path|living)"
    r"|\bcareer\s+(in|as|path|outlook|prospects?|advice|change)\b|\b(become|becoming|be)\s+an?\s+\w+"
    r"|\bgo(ing)?\s+into\b|\bget(ting)?\s+into\b|\bworth\s+it\b|\bthinking\s+(of|about)\b|\bconsidering\b"
    r"|\bshould\s+i\b|\bis\s+\w+(ing)?\s+a\s+good\b|\bjob\s+(outlook|prospects|market|security)\b"
    r"|\bprospects\b|\bin\s+demand\b|\btell\s+me\s+about\b|\boverview\b|\bsnapshot\b|\bprofile\b"
    r"|\b(good|great|bad|smart|wise|right|safe|dumb)\s+(idea|move|bet|plan|call|decision)\b"
    r"|\bwants?\s+to\s+(do|be|become|go|get|study|try|pursue)\b|\b(dying|dead[\s-]end)\b|\bfuture\s+in\b"
    r"|\bstarting\s+point\b|\bway\s+(in|into)\b|\bpay\s+(ok|okay|any\s+good)\b|\bare\s+there\s+(jobs|openings)\b"
)
# Questions near OEWS's scope: answered with the closest OEWS figure and what OEWS does not measure.
NEAR_SCOPE = (
    (
        "sex",
        r"\b(gender|sex|men\s+and\s+women|women\s+and\s+men|male|female|women|men|wom[ae]n's|mothers?)\b",
        "OEWS does not publish wages or employment by sex, so it cannot show a gender pay gap; the "
        "figures below are for all workers (the Census Bureau's American Community Survey and the BLS "
        "Current Population Survey report earnings by sex).",
    ),
    (
        "race",
        r"\b(race|racial|ethnic\w*|black|white|hispanic|latin[oxa]s?|asian|minorit\w+|native\s+american"
        r"|american\s+indian|indigenous|african[- ]american|pacific\s+islander)\b",
        "OEWS does not publish figures by race or ethnicity; the figures below are for all workers "
        "(the BLS Current Population Survey reports earnings by race and ethnicity).",
    ),
    (
        "age",
        r"\b((over|under|above|below)\s+(the\s+)?age\s+(of\s+)?\d{2}|age|ages|aged|older|younger|millennials?|gen\s+z|boomers?|by\s+age|teens?|teenagers?"
        r"|\d{2}\s*-?\s*(years?|yrs?)\s*-?\s*olds?|\d{2}\s*y/?o|in\s+(their|my|your)\s+\d0s|\d0-?somethings?"
        r"|(over|under|above|below)\s+\d{2}(?=\s.{0,60}\b(younger|older)\b)|" + _PEOPLE_AGED + r")\b",
        "OEWS does not publish figures by age or experience; the figures below are for all workers.",
    ),
    (
        "self_employment",
        r"\b(self[- ]employed|self[- ]employment|freelanc\w*|gigs"
        r"|gig\s+(work\w*|economy|jobs?|apps?|platforms?|drivers?)|gig\s+[a-z]+\s+(drivers?|workers?|couriers?|shoppers?)"
        r"|uber|lyft|rideshare|ride[- ]hail\w*|1099"
        r"|independent\s+contractors?|own\s+(my\s+)?business|business\s+owners?|owner[- ]operators?"
        r"|((run|runs|running|start|starts|starting|started|have|has|had)\s+)?(their|his|her|my|your|our)\s+own"
        r"(\s+(rig|truck|shop|salon|practice|company|firm|business))?"
        r"|work(s|ing|ed)?\s+for\s+(myself|themselves|himself|herself|yourself|ourselves))\b",
        "OEWS counts wage and salary workers only: the self-employed, gig and platform workers "
        "(Uber, DoorDash …) and business owners are not included.",
    ),
    (
        "cost_of_living",
        r"\b(cost\s+of\s+living|afford\w*|rent|housing|live\s+on|living\s+wage|take[- ]home|after\s+tax\w*"
        r"|enough\s+to\s+(live|get\s+by|support|raise|buy)|live\s+comfortably|make\s+ends\s+meet"
        r"|taxes|purchasing\s+power|go\s+further|need\s+to\s+(live|make|earn))\b",
        "OEWS has wages, not prices, rents or taxes (the cost of living), so it cannot say how far a "
        "salary goes in a place; the figures below are what the occupation pays there (BLS and BEA "
        "publish price data separately).",
    ),
    (
        "projections",
        r"\b(projections?|projected(\s+(growth|demand|change|employment|jobs|increase|openings|to\s+grow))?|outlook|future|will\s+.{0,20}grow|in\s+demand|demand\s+for|prospects"
        r"|job\s+security|automation|replaced\s+by\s+ai|will\s+.{0,40}\b(in|by)\s+20[3-9]\d"
        r"|(in|within|over)\s+(the\s+next\s+)?(\d{1,2}|a|one|two|three|five|ten|twenty)\s+(more\s+)?(years?|yrs?)(?!\s+ago)"
        r"|next\s+(\d{1,2}|few|couple|ten|five)\s+(years?|yrs?)|(next|coming)\s+(year|decade)|(going\s+to|gonna)\s+(keep\s+)?grow\w*|keep\s+growing"
        r"|will\s+there\s+be|going\s+to\s+be\s+(more|fewer|less)|years?\s+from\s+now|(over)?saturated|saturation)\b",
        "OEWS measures the present and past, not projections or demand; the BLS Employment "
        "Projections program publishes expected growth by occupation. The figures below are OEWS's.",
    ),
    (
        "satisfaction",
        r"\b(happy|happiness|satisf\w*|stress\w*|fulfilling|enjoy\w*|hours\s+worked|work[- ]life"
        r"|burn\s*out)\b",
        "OEWS does not measure job satisfaction, stress, hours or benefits; it has pay and employment.",
    ),
)
_NEAR_SCOPE_RE = tuple((name, re.compile(p), why) for name, p, why in NEAR_SCOPE)
# Qualifiers of a job that OEWS does not measure: each is named as not applied, with the reason, and
# the rest of the question is answered ("part-time cashiers", "senior engineers", "union electricians").
UNMEASURED = (
    (
        r"\b(part|full)[- ]?time(rs?)?\b",
        "OEWS wages cover full- and part-time jobs together (annual wages are hourly wages × 2,080 hours).",
    ),
    (
        r"\b(weekly|monthly|bi-?weekly|daily|per\s+(week|month|day)|a\s+(week|month)|paychecks?)\b",
        "OEWS publishes hourly and annual wages only.",
    ),
    (
        r"\b(overtime|bonus(es)?|401\(?k\)?|pensions?|stock\s+options?|shift\s+differentials?)\b"
        r"|\b(?<!compensation and )(?<!compensation, )benefits\b(?!\s+(managers?|specialists?|analysts?))"
        r"|(?:(?<=and\s)|(?<=with\s)|(?<=plus\s))health\s+(insurance|coverage)\b"
        r"|\bhealth\s+(insurance|coverage)(?=\s*(,|and|&)\s*(401\(?k\)?|pensions?|dental|vision|pto)\b)",
        "OEWS wages include tips, commissions and production bonuses, but not overtime pay, other "
        "bonuses, shift differentials or benefits.",
    ),
    (
        r"\b(senior|sr|jr|junior(?!\s+(high|colleges?))|experienced|seniority|mid[- ](career|level)"
        r"|\d+\+?\s+years?(\s+of)?\s+experience|years\s+of\s+experience|experience|apprentice(s|ships?)?|trainees?|journeym[ae]n)\b",
        "OEWS does not publish pay by experience or seniority; the percentiles show the spread (the "
        "10th is often read as entry level, the 90th as the most experienced).",
    ),
    (r"(?<!labor\s)\b(non[- ]?)?union(s|i[sz]ed)?\b", "OEWS does not separate union and non-union jobs."),
    (
        r"\b(1st|2nd|3rd|first|second|third|night|overnight|graveyard|evening|swing|weekend)[\s-]+shifts?\b"
        r"|\bnights\b|\bnight(?=\s+[a-z]+s\b)",
        "OEWS does not publish pay by shift; the figures cover every shift, and its wages exclude shift "
        "differentials.",
    ),
    (
        r"\b(bilingual|multilingual|spanish[- ]speaking|language\s+skills)\b",
        "OEWS does not separate workers by the languages they speak; the figures cover everyone in the "
        "occupation.",
    ),
    (
        r"\b(seasonal|year[- ]round|summer\s+jobs?|holiday\s+(jobs?|help|workers?))\b",
        "OEWS does not separate seasonal from year-round jobs; its estimates count the jobs filled in "
        "its May and November reference periods.",
    ),
    (
        r"\b(remote(ly)?|work(ing)?\s+from\s+home|wfh|telework\w*)\b",
        "OEWS does not separate remote jobs; each job counts where its employer's establishment is.",
    ),
    (
        r"\b(licen[cs]ed|licen[cs]es?|certified|certifications?|credential(ed|s)?|board[- ]certified"
        r"|(security|secret|top[- ]secret|ts/sci)\s+clearances?|clearances?|cleared)\b",
        "OEWS does not separate workers by license, certification or security clearance; the figures "
        "cover everyone in the occupation.",
    ),
    (
        r"\b(veterans?|disabled|disabilit(y|ies)|immigrants?|foreign[- ]born|undocumented|h-?1b"
        r"|visa\s+holders?|citizens?|non-?citizens?)\b(?!\s+(affairs|administration|services))",
        "OEWS does not publish figures by veteran status, disability, citizenship or place of birth; the "
        "figures cover all workers in the occupation.",
    ),
    (
        r"\b(temp|temps|temporary|travel(ing|ling)?|traveler|agency|contract|per[- ]diem|prn|locum|fill-?in)"
        r"(?=\s+([a-z]+\s+)?(nurses?|workers?|jobs?|staff|rns?|lpns?|techs?|teachers?|warehouse|assignments?"
        r"|positions?|[a-z]+(ers?|ists?|ians?)\b))",
        "OEWS does not separate temporary, agency, travel or contract jobs; workers placed by staffing "
        "agencies are counted in the employment services industry (NAICS 561300), not in the places "
        "where they work.",
    ),
    (
        r"\b(start-?ups?|(small|smaller|large|larger|big|bigger|mid-?sized?|medium-?sized?)\s+(businesses|companies"
        r"|firms|employers|establishments|organi[sz]ations)|big\s+tech|faang|fortune\s+500)\b",
        "OEWS does not publish pay by employer or size of firm; the figures cover all employers.",
    ),
    (
        r"\b(master'?s|bachelor'?s|associate'?s|doctorate|phd|college)\s+degrees?\b|\b(mba|phd)\b"
        r"|\b(without|no)\s+(a\s+)?(college\s+)?degrees?\b|\beducation(al)?\s+(level|requirements?|attainment)\b"
        r"|\b(do\s*n[o']?t|does\s*n[o']?t|don't|doesn't)\s+(need|require)\s+(a\s+)?(college\s+)?degrees?\b"
        r"|\b(need|require|requiring|with)\s+(a\s+)?(college\s+)?degrees?\b",
        "OEWS does not publish pay by education; the figures cover everyone in the occupation.",
    ),
    (
        r"\b((kept|keep|keeping)\s+(up\s+|pace\s+)?with\s+inflation|adjusted\s+for\s+inflation"
        r"|inflation[- ]adjusted|inflation|cpi|real\s+(wages?|terms|pay)|(kept|keep|keeping)\s+up"
        r"|cost\s+of\s+living\s+(raises?|adjustments?)"
        r"|in\s+today'?s\s+dollars)\b",
        "OEWS wages are in the dollars of each year, not adjusted for inflation (the BLS CPI measures "
        "prices).",
    ),
    (
        r"(?<!for\s)\b(crop\s+(production|farms?|farming)|animal\s+(production|farms?|farming)|livestock"
        r"|(((dairy|poultry|chicken|hog|pig|cattle|egg|vegetable|fruit|grain|cotton|horse|sheep|goat)\s+"
        r"|(on|at)\s+(a\s+)?)(farms?|ranch(es)?)(?=\s*($|[?.!,;:)]|(vs|versus|or|and|in|of|compared)\b)))"
        r"|private\s+households?|household\s+employ\w*)\b",
        "OEWS does not survey farms (crop and animal production) or private households, so it has no "
        "figures for them.",
    ),
    (
        r"\b(high\s+school|college)\s+(kids|students|grads|graduates)\b",  # not the schools' industry
        "OEWS does not publish figures by age or experience; the figures below are for all workers.",
    ),
    (
        r"\b(?!(10|25|50|75|90)(st|nd|rd|th)\b)\d{1,4}(st|nd|rd|th)\s*(percentile|pctile|pctl|ptile|pct|%ile|centile)s?\b"
        r"|\bp(?!(10|25|50|75|90)\b)\d{1,4}\b(?=\s*(pay|wage|salary|hourly|hrly|annual|for|of)\b)",
        "OEWS publishes the 10th, 25th, 50th (median), 75th and 90th percentiles only; the median is shown.",
    ),
    (
        rf"\b(top|highest|upper|best[- ]paid|bottom|lowest|lower)\s*{_UNPUBLISHED_SHARE}",
        "OEWS publishes the 10th, 25th, 50th (median), 75th and 90th percentiles only; the nearest, the "
        "top or bottom 10%, is shown.",
    ),
)
_UNMEASURED_RE = tuple((re.compile(p), why) for p, why in UNMEASURED)
# Parts of pay people ask about that OEWS wages already include.
_INCLUDED = re.compile(r"\b(tips?|gratuit(y|ies)|commissions?|production\s+bonus(es)?)\b")
INCLUDED_WHY = "OEWS wages include tips, commissions and production bonuses"
# "my company", "which firms", "by employer"; not "trucking companies" or "law firms" (an industry)
_EMPLOYER = re.compile(
    r"\b(employers?|corporations?|brands?)\b|\b(my|our|your|their|his|her|which|what|individual|specific"
    r"|particular|different|certain|some|one|a|an|the|this|that|same|big|large|biggest|largest|top|best|by"
    r"|per|private)\s+(compan(y|ies)|firms?)\b"
)
EMPLOYER_WHY = (
    "OEWS does not publish pay by employer or company; the figures below cover all employers "
    "(industry figures are national)."
)
# Employers named in several words ("home depot", "bank of america"); one-word names ("walmart")
# are recognised among the words nothing else matched, since some are also ordinary words.
_EMPLOYER_NAMES = re.compile(
    r"\b("
    + "|".join(re.escape(name) for name in sorted(aliases.EMPLOYERS, key=len, reverse=True) if " " in name)
    + r")(?:'s)?(?!\w)"
)
_ALL_YEARS = re.compile(
    r"\b(each|every|by)\s+year\b|\byear\s+by\s+year\b|\bover\s+(time|the\s+years)\b|\ball\s+years\b"
)
_YEAR = re.compile(r"\b(19\d\d|20\d\d|(?<=in\s)1[6-8]\d\d)\b")  # "back in 1850" too
_YEAR_OVER_YEAR = re.compile(
    r"\b(yoy|y/y|year[\s-]+over[\s-]+year|from\s+last\s+year|over\s+the\s+(past|last)\s+year)\b"
)
_SINCE = re.compile(
    r"\b(since|after|from)\s+(?:may\s+)?(20\d\d)\b"
    r"|\b()(20\d\d)\s*(?:-|–|—|to|through|thru|until|till)\s*"
    r"(?:now|today|present|the\s+present|date|this\s+year)\b"
)
_SPAN = re.compile(r"\b(?:from|between)?\s*(20\d\d)\s*(?:-|–|—|to|through|thru|until|and)\s*(20\d\d)\b")
_NOW = re.compile(r"\b(now|today|currently|current|latest|this\s+(?:year|yr)|nowadays|these\s+days)\b")
_CHART = re.compile(r"\b(chart|graph|plot|visuali[sz]e)\b")


@dataclass(frozen=True)
class RawThreshold:
    """A threshold as typed: its direction, amount and unit (before a measure is chosen)."""

    above: bool
    amount: float  # in dollars (k / million applied) or jobs
    basis: str | None  # "annual" | "hourly" | None (not said)
    employment: bool  # "more than 5,000 workers"
    dollar: bool  # "$" or "bucks" typed
    typed: str
    span: tuple[int, int]  # character offsets in the question
    upper: float | None = None  # a range ("between $50k and $80k"): ``amount`` is its lower end


@dataclass(frozen=True)
class Signals:
    percentiles: tuple[int, ...] = ()
    entry_level: str = ""  # the words typed ("entry level", "starting")
    experienced: bool = False  # "15 years of experience", "senior": the upper percentiles are shown
    median: bool = False
    mean: bool = False
    hourly: bool = False
    annual: bool = False
    pay: bool = False
    employment: bool = False
    lq: bool = False
    per_1000: bool = False
    concentration: bool = False
    reliability: bool = False
    ranking: bool = False
    ascending: bool = False
    top_n: int | None = None
    rank_target: str | None = None  # state | metro | nonmetro | industry | occupation
    names_occupations: bool = False  # "jobs", "occupations", "careers" appear
    industry_level: str | None = None
    compare: bool = False
    trend: bool = False
    growth: bool = False  # "grew fastest", "biggest increase", "declined the most"
    shrink: bool = False
    years: tuple[int, ...] = ()
    year_span: tuple[int, int] | None = None
    since: int | None = None
    now: bool = False
    all_years: bool = False
    chart: bool = False
    year_tokens: frozenset[str] = field(default_factory=frozenset)
    threshold: RawThreshold | None = None
    change: str | None = None  # "absolute" | "relative" | "both": how a change was asked for
    versus_year: int | None = None  # "than in 2021": a single earlier year compared with the latest
    career: bool = False  # "is nursing a good career?", "thinking of becoming an electrician"
    near_scope: tuple[str, ...] = ()  # sentences on what OEWS does not measure
    unmeasured: tuple[Unmeasured, ...] = ()  # qualifiers OEWS does not measure, and why
    included: tuple[str, ...] = ()  # parts of pay named that OEWS wages include ("tips")
    speakers: tuple[tuple[int, int], ...] = ()  # "my guidance counselor says": spans not asked about
    loose_amount: str | None = None  # "30 dollar per hour" with no "over" or "under"
    # "electrician here -", "client is thinking about a course": who asks or background, read only
    # when the rest of the question names no job
    asides: tuple[tuple[int, int], ...] = ()
    year_over_year: bool = False  # "YoY": the change from the year before

    @property
    def wants_wage(self) -> bool:
        return bool(
            self.pay
            or self.median
            or self.mean
            or self.percentiles
            or self.hourly
            or self.annual
            or self.entry_level
        )

    @property
    def any_measure(self) -> bool:
        return self.wants_wage or self.employment or self.lq or self.per_1000 or self.concentration


# "which of the 50 states": every state (the number blanked, so that spans keep their places)
_ALL_STATES = re.compile(r"\b(?:of\s+)?(?:all|the)\s+(?:50|fifty)(?=\s+states\b)")


# "by state", "in every state", "state by state": every state, ranked
_EVERY_STATE = re.compile(r"\b(by|per|each|every|all(\s+the)?)\s+states?\b|\bstate[\s-]+by[\s-]+state\b")
EVERY_STATE = 60  # more than the states, D.C. and the territories OEWS publishes


def read_signals(lower: str) -> Signals:
    lower = _ALL_STATES.sub(lambda m: " " * len(m.group()), lower)
    percentiles = _percentiles(lower)
    threshold = _threshold(lower)
    ranking_text = _strip_percentile_phrases(lower)
    every_state = bool(_EVERY_STATE.search(ranking_text))
    ranking = every_state or bool(_RANK.search(ranking_text))
    years = tuple(int(y) for y in _YEAR.findall(lower))
    span = _SPAN.search(lower)
    since = _SINCE.search(lower)
    entry = _ENTRY.search(lower)
    return Signals(
        percentiles=percentiles,
        entry_level=entry.group(0) if entry else "",
        experienced=bool(_EXPERIENCED.search(lower)),
        median=bool(_MEDIAN.search(lower)),
        mean=bool(_MEAN.search(lower)),
        hourly=bool(_HOURLY.search(lower)),
        annual=bool(_ANNUAL.search(lower)),
        pay=bool(_PAY.search(lower)),
        employment=_employment(_without_count_threshold(lower, threshold)),
        lq=bool(_LQ.search(lower)),
        per_1000=bool(_PER_1000.search(lower)),
        concentration=bool(_CONCENTRATION.search(lower)),
        reliability=bool(_RSE.search(lower)),
        ranking=ranking,
        ascending=ranking and bool(_ASCENDING.search(ranking_text)),
        top_n=EVERY_STATE if every_state else _top_n(ranking_text) if ranking else None,
        rank_target=_rank_target(ranking_text) if ranking else None,
        names_occupations=bool(_RANK_OCCUPATIONS.search(ranking_text)),
        industry_level=_industry_level(lower),
        compare=bool(_COMPARE.search(lower)),
        trend=bool(_TREND.search(lower)),
        growth=bool(_GROWTH.search(lower)),
        shrink=bool(_SHRINK.search(lower)),
        years=years,
        year_span=(int(span.group(1)), int(span.group(2))) if span else None,
        since=int(since.group(2) or since.group(4)) if since and not span else None,
        now=bool(_NOW.search(lower)),
        all_years=bool(_ALL_YEARS.search(lower)),
        chart=bool(_CHART.search(lower)),
        year_tokens=frozenset(str(y) for y in years),
        threshold=threshold,
        change=_change_kind(lower),
        versus_year=int(vs.group(5)) if (vs := _VS_YEAR.search(lower)) and len(years) == 1 else None,
        career=bool(_CAREER.search(lower)),
        near_scope=near_scope(lower),
        unmeasured=unmeasured(lower),
        included=included(lower),
        speakers=tuple(
            m.span() for p in (_SPEAKER, _SELF, _NOT_THIS_WAY, _INSTEAD) for m in p.finditer(lower)
        ),
        asides=_asides(lower),
        year_over_year=bool(_YEAR_OVER_YEAR.search(lower)),
        loose_amount=_loose_amount(lower),
    )


# "I've been an aide at a clinic and …": the asker's own story
_STORY = re.compile(
    r"\bi(?:'ve|\s+have)\s+(?:been|worked)\s+(?:an?\s+|as\s+an?\s+|working\s+)[^.?!;,]*?"
    r"(?=\s*[.?!;,]|\s+(?:and|so|but)\s+i\b|$)"
)
# "instead of college": what the asker would otherwise do is no filter on the answer
_INSTEAD = re.compile(r"\binstead\s+of\s+(?:going\s+to\s+)?(?:a\s+)?(?:college|university|school|degree)\b")


def _asides(lower: str) -> tuple[tuple[int, int], ...]:
    intro = [m.span()] if (m := _INTRO.match(lower)) else []
    background = (m.span() for m in _BACKGROUND.finditer(lower) if m.start() > 0 or m.end() < len(lower))
    return (*intro, *background, *(m.span() for m in _STORY.finditer(lower)))


def _without_count_threshold(lower: str, threshold: RawThreshold | None) -> str:
    """ "pay growth, only occupations with at least 100k workers": the workers filter, not the measure."""
    if threshold is None or not threshold.employment:
        return lower
    start, end = threshold.span
    return f"{lower[:start]} {lower[end:]}"


def _employment(lower: str) -> bool:
    text = _SELF_EMPLOYED.sub(" ", lower)  # "self-employed designers" asks about pay, not headcount
    if _EMPLOYMENT.search(text):
        return True
    # "are there more welders", "web developers jobs 2019 vs 2025": a count, when pay is not asked
    if _PAY.search(text) or _PAY_STAT.search(text):
        return False
    jobs = bool(_JOBS.search(text)) and not _RANK.search(text) and not _CAREER.search(text)
    return bool(_MORE.search(text)) or jobs


_SELF_EMPLOYED = re.compile(r"\bself[- ]employ\w*")
_PAY_STAT = re.compile(r"\b(median|mean|average|avg)\s+(hourly|hrly|annual|yearly)\b")  # "median hourly rose"
_JOBS = re.compile(r"\bjobs\b")


def asks_change(text: str) -> bool:
    """Change words ("gone up", "changed", "since") in a text (e.g. the question minus its names)."""
    return bool(_TREND.search(text))


@dataclass(frozen=True)
class Unmeasured:
    """A qualifier OEWS does not measure, as typed, with the reason."""

    typed: str  # "senior", “10 years of experience" (every match, quoted and joined)
    why: str
    spans: tuple[tuple[int, int], ...]  # character offsets in the question


def _quoted(matches: list[re.Match[str]]) -> str:
    """'senior”, “10 years of experience': each match, for a sentence that quotes them."""
    return "”, “".join(dict.fromkeys(m.group().strip() for m in matches))


def unmeasured(lower: str) -> tuple[Unmeasured, ...]:
    found = [(list(pattern.finditer(lower)), why) for pattern, why in _UNMEASURED_RE]
    found.append((list(_EMPLOYER_NAMES.finditer(lower)), EMPLOYER_WHY))
    return tuple(Unmeasured(_quoted(ms), why, tuple(m.span() for m in ms)) for ms, why in found if ms)


def included(lower: str) -> tuple[str, ...]:
    """Parts of pay the question names that OEWS wages include ("with tips")."""
    return tuple(dict.fromkeys(m.group() for m in _INCLUDED.finditer(lower)))


def near_scope(lower: str) -> tuple[str, ...]:
    """ "Not applied: “women”. OEWS does not publish …" for each topic OEWS does not measure."""
    patterns = [*((p, why) for _, p, why in _NEAR_SCOPE_RE), (_EMPLOYER, EMPLOYER_WHY)]
    for qualifier, _ in _UNMEASURED_RE:  # "large employers" is named once, as a qualifier
        lower = qualifier.sub(" ", lower)
    said = []
    for pattern, why in patterns:
        typed = dict.fromkeys(m.group().strip() for m in pattern.finditer(lower))
        if typed:
            said.append(f"Not applied: “{'”, “'.join(typed)}”. {why}")
    return tuple(said)


def _change_kind(lower: str) -> str | None:
    lower = _NOT_THIS_WAY.sub(" ", lower)
    absolute, relative = bool(_ABSOLUTE.search(lower)), bool(_RELATIVE.search(lower))
    if absolute and relative:
        return "both"
    return "absolute" if absolute else "relative" if relative else None


_MULTIPLIERS = {
    "k": 1e3, "grand": 1e3, "thousand": 1e3, "m": 1e6, "mil": 1e6, "million": 1e6, "mm": 1e6,
    "bn": 1e9, "billion": 1e9, "trillion": 1e12,
}  # fmt: skip


def _threshold(lower: str) -> RawThreshold | None:
    if (m := _RANGE_AMOUNTS.search(lower)) and (between := _range(lower, m)):
        return between
    if m := _SIX_FIGURES.search(lower):
        return RawThreshold(True, 100_000.0, "annual", False, True, m.group(), m.span())
    found = [t for m in _THRESHOLD.finditer(lower) if (t := _one_threshold(lower, m)) is not None]
    after = (*_THRESHOLD_AFTER.finditer(lower), *_THRESHOLD_PLUS.finditer(lower))
    found += [t for m in after if (t := _or_more(m)) is not None]
    # "fewer than 10 office occupations pay over $20 an hour": the amount with a unit is the filter
    return next((t for t in found if t.dollar or t.basis or t.employment), found[0] if found else None)


_LOOSE_AMOUNT = re.compile(
    r"(?<![\w$.,-])(\$\s*\d[\d,.]*\s*(k\b|grand\b|thousand\b)?|\d[\d,.]*\s*(k|grand|thousand)?\s*(dollars?|bucks)\b"
    r"|\d[\d,.]*\s*k\b|\d[\d,.]*(?=\s*(?:an?|per|/)\s*(?:hour|hr)\b))(\s*(an?|per|/)\s*(hour|hr|year|yr)\b)?"
)


def _loose_amount(lower: str) -> str | None:
    """An amount of money typed without a comparison that would make it a threshold."""
    taken = [t.span for t in filter(None, [_threshold(lower)])]
    for m in _LOOSE_AMOUNT.finditer(lower):
        if not any(a <= m.start() < b for a, b in taken):
            return m.group().strip()
    return None


def amount_of(typed: str) -> tuple[float, Literal["annual", "hourly"]] | None:
    """ "75k" -> (75000, "annual"); "$18 an hour" -> (18, "hourly"); an amount under 1,000 with no
    unit is hourly (as people say "18 bucks")."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?\s*(?:k|grand|thousand)?", typed)
    amount = _amount(m.group(), _unit(m.group())) if m else None
    if amount is None:
        return None
    hourly = bool(re.search(r"\b(hour|hr)\b", typed)) or (
        amount < 1000 and not re.search(r"\b(year|yr)\b", typed)
    )
    return amount, "hourly" if hourly else "annual"


# "20000 workers or more", "$30 an hour or less": the comparison said after the amount
_THRESHOLD_AFTER = re.compile(
    r"(?P<dollar>\$)?\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<mult>k|grand|thousand)?\b"
    + _UNIT
    + r"\s+or\s+(?:(?P<over>more|higher|above|greater|over)|(?P<under>less|fewer|lower|below|under))\b"
)


# "100k+ workers", "$150k+": a plus after the amount is "or more"
_THRESHOLD_PLUS = re.compile(
    r"(?P<dollar>\$)?\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<mult>k|grand|thousand)?\+(?!\w)" + _UNIT
)


def _or_more(m: re.Match[str]) -> RawThreshold | None:
    if not (m.group("mult") or m.group("per") or m.group("count") or m.group("dollar") or m.group("bucks")):
        return None
    amount = float(m.group("num").replace(",", "")) * _MULTIPLIERS.get((m.group("mult") or "").lower(), 1.0)
    return _typed_threshold(m, amount, above=m.groupdict().get("under") is None)


def _one_threshold(lower: str, m: re.Match[str]) -> RawThreshold | None:
    raw = m.group("num").replace(",", "")
    mult, per, count = m.group("mult"), m.group("per"), m.group("count")
    dollar = bool(m.group("dollar") or m.group("bucks"))
    if m.group("claim") and not (mult or per or dollar):
        return None  # "make 2" or "paid in 2021": no amount claimed
    if not (mult or per or count or dollar):
        if re.fullmatch(r"(19|20)\d\d", raw):
            return None  # "more than 2019": a year, not an amount
        if re.fullmatch(r"\d\d", raw) and (
            _AGE_WORDS.search(lower) or _PEOPLE_AGED_RE.search(lower, 0, m.end())
        ):
            return None  # "truckers over 55 … than younger ones", "cooks under 25": an age
    amount = float(raw) * _MULTIPLIERS.get((mult or "").lower(), 1.0)
    if m.group("neg") or m.group("neg2"):
        amount = -amount
    above = bool(m.group("over") or m.group("claim"))
    if _EXCLUDED.search(lower, 0, m.start()):
        above = not above  # "skip the tiny ones under 10k workers": the rest are kept
    return _typed_threshold(m, amount, above=above)


# "skip / exclude / ignore / leave out the ones under …": what is past the threshold is left out
_EXCLUDED = re.compile(
    r"\b(skip\w*|exclud\w*|ignor\w*|leav\w*\s+out|drop|dropping|not\s+counting|apart\s+from)\b[^,;.?!]{0,30}$"
)


def _typed_threshold(m: re.Match[str], amount: float, *, above: bool) -> RawThreshold:
    """The threshold a match typed: its unit read from the words after the amount."""
    mult, per, count = m.group("mult"), m.group("per"), m.group("count")
    dollar = bool(m.group("dollar") or m.group("bucks"))
    basis = None
    if per:
        basis = "hourly" if re.search(r"h(ou)?r|hour", per) else "annual"
    elif mult and not count:
        basis = "annual"
    return RawThreshold(
        above=above,
        amount=amount,
        basis=basis,
        employment=bool(count) and not dollar,
        dollar=dollar,
        typed=m.group().strip(),
        span=m.span(),
    )


def _range(lower: str, m: re.Match[str]) -> RawThreshold | None:
    """ "between $50k and $80k": both ends read as amounts; a "k" or "$" on either end applies to both."""
    lo, hi = (m.group("lo") or m.group("lo2")), (m.group("hi") or m.group("hi2"))
    mult = next((x for x in (_unit(hi), _unit(lo)) if x), "")
    low, high = _amount(lo, mult), _amount(hi, mult)
    if low is None or high is None:
        return None
    tail = _THRESHOLD_UNIT.match(lower, m.end())
    per, count = (tail.group("per"), tail.group("count")) if tail else (None, None)
    dollar = "$" in m.group() or bool(tail and tail.group("bucks"))
    if not (mult or per or dollar or count) and (
        m.group("lo2") or all(_YEAR.fullmatch(f"{x:.0f}") for x in (low, high))
    ):
        return None  # "between 2019 and 2023": years; "25-34" without "$" or "k": not an amount
    basis = ("hourly" if re.search(r"h(ou)?r|hour", per) else "annual") if per else "annual" if mult else None
    end = tail.end() if tail and tail.group().strip() else m.end()
    return RawThreshold(
        above=True,
        amount=min(low, high),
        basis=basis,
        employment=bool(count) and not dollar,
        dollar=dollar,
        typed=lower[m.start() : end].strip(),
        span=(m.start(), end),
        upper=max(low, high),
    )


_MULT_END = re.compile(r"(k|grand|thousand|m|mil|million|mm|bn|billion|trillion)$")


def _unit(amount: str) -> str:
    m = _MULT_END.search(amount.strip())
    return m.group(1) if m else ""


def _amount(typed: str, mult: str) -> float | None:
    digits = re.sub(r"[^\d.]", "", _MULT_END.sub("", typed.strip()))
    try:
        return float(digits) * _MULTIPLIERS.get(mult, 1.0)
    except ValueError:
        return None


def _percentiles(lower: str) -> tuple[int, ...]:
    found: list[int] = []
    rest = lower  # "top 10 pct" is the 90th: a phrase is read before the numbers in it
    for pattern, pct in _PCT_PHRASES:
        if pattern.search(rest):
            found.append(pct)
            rest = pattern.sub(" ", rest)
    for m in _PCT_EXPLICIT.finditer(rest):
        found.append(int(next(g for g in m.groups() if g)))
    if _RANGE.search(lower):
        found.extend((10, 25, 50, 75, 90))
    if found and _PERCENTILE_WORD.search(lower):  # "25th and 75th percentile": both ordinals count
        found.extend(int(n) for n in _ORDINAL.findall(lower))
    return tuple(sorted(set(found)))


def _strip_percentile_phrases(lower: str) -> str:
    text = lower
    for pattern, _ in _PCT_PHRASES:
        text = pattern.sub(" ", text)
    return _PCT_EXPLICIT.sub(" ", text)


def _top_n(text: str) -> int | None:
    m = _TOP_N.search(text)
    if not m:
        return None
    raw = next(g for g in m.groups() if g)
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]


def _rank_target(text: str) -> str | None:
    for pattern, target in (
        (_RANK_NONMETRO, "nonmetro"),
        (_RANK_STATES, "state"),
        (_RANK_METROS, "metro"),
        (_RANK_INDUSTRIES, "industry"),
        (_RANK_OCCUPATIONS, "occupation"),
    ):
        if pattern.search(text):
            return target
    return None


def _industry_level(lower: str) -> str | None:
    m = _INDUSTRY_LEVEL.search(lower)
    if not m:
        return None
    if m.group(1):
        return f"{m.group(1)}-digit"
    return "sector" if m.group(2).startswith("sector") else "3-digit"
