"""Care leavers: pathway plans, the DfE 19–21 cohort and the birthday cohort (casework feeds)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date

from reviews.scheduling import RecurringDue, pathway_plan_due
from scorecards.cells import breakdown_cell, fraction_cell
from scorecards.engine import CareLeaverIn, ChildTimeline, DatedIndex, LAData, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    LOWER,
    UNIT_COUNTS,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_YTD,
    add_months,
    age_on,
    collection_year_of,
)

SECTION = section_register(
    Section(
        key="care_leavers",
        title="Care leavers",
        order=100,
        notes=(
            "The care leaver cohort are the care leavers whose 17th, 18th, 19th, 20th or 21st "
            "birthday fell within the reporting month.",
            "Suitable accommodation: whether accommodation is 'suitable' is judged on the "
            "individual case. Homelessness and custody are always unsuitable.",
            "In touch: there should be contact between the authority and the young person "
            "around 3 months before and one month after their birthday; this monitors their "
            "situation after they have left care.",
            "Main activity is measured on or around the birthday when the authority is in "
            "touch with the young person; this gives the education, employment and training "
            "(EET) numbers. 'Unknown' and 'not in touch' are shown separately, never counted "
            "as good.",
        ),
    )
)

_COHORT_KEYS = (
    "cohort",
    "suitable_accommodation_yes",
    "suitable_accommodation_unknown",
    "eet_yes",
    "eet_unknown",
    "in_touch_yes",
    "in_touch_returned_home",
    "in_touch_no_longer_required",
)

ELIGIBLE = "ELIGIBLE"
RELEVANT = "RELEVANT"
FORMER_RELEVANT = "FORMER RELEVANT"
#: The catalogue's "care leaver" (``ssd-extracts.md`` §3.7): eligible, relevant, former relevant.
CARE_LEAVER_ELIGIBILITIES = frozenset({ELIGIBLE, RELEVANT, FORMER_RELEVANT})
CARE_LEAVER_AGES = (16, 25)
DFE_COHORT_AGES = (19, 20, 21)
BIRTHDAY_COHORT_AGES = (17, 18, 19, 20, 21)
#: The status window around a birthday: 3 months before to 1 month after (seed 003 notes).
WINDOW_MONTHS_BEFORE = 3
WINDOW_MONTHS_AFTER = 1
#: OC3 / SSD main activity (``ssda903.md`` §3.13): F and P codes are EET (F3/P3 historic).
NEET_ACTIVITIES = frozenset({"G4", "G5", "G6"})
#: Accommodation types that are never suitable (§3.14: homeless, custody).
ALWAYS_UNSUITABLE = frozenset({"S", "X"})

YES, NO, UNKNOWN = "yes", "no", "unknown"


def eligibility_key(value: str) -> str:
    return " ".join(value.replace("_", " ").split()).upper()


def birthday(dob: date, age: int) -> date:
    """The day a person born on ``dob`` attains ``age`` (29 February → 1 March in a common year,
    as ``age_on`` counts it)."""
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return date(dob.year + age, 3, 1)


def observation_on(child: ChildTimeline, e: date) -> CareLeaverIn | None:
    """The latest care-leaver observation dated on or before E (the status at E)."""
    dates = child.extra.get("care_leaver_dates")
    if dates is None:  # kept on the timeline: every month asks again
        dates = child.extra["care_leaver_dates"] = [o.as_at for o in child.care_leaver]
    i = bisect_right(dates, e) - 1
    return child.care_leaver[i] if i >= 0 else None


def is_care_leaver_at(child: ChildTimeline, e: date) -> bool:
    """Aged 16–25 at E and the latest observation on or before E is eligible / relevant /
    former relevant (``indicators.md`` §3 Care leavers)."""
    if child.dob is None or not CARE_LEAVER_AGES[0] <= age_on(child.dob, e) <= CARE_LEAVER_AGES[1]:
        return False
    obs = observation_on(child, e)
    return obs is not None and eligibility_key(obs.eligibility) in CARE_LEAVER_ELIGIBILITIES


@dataclass(frozen=True, slots=True)
class BirthdayStatus:
    """A young person's status around one birthday, from SSD or the 903 OC3 row."""

    source: str  # "ssd", "oc3" or "" (nothing recorded)
    eligibility: str
    in_touch: str  # YES, NO, REFU, NREQ, RHOM, DIED or ""
    accommodation: str  # yes / no / unknown (suitable?)
    activity: str  # yes / no / unknown (in education, employment or training?)


def activity_eet(code: str) -> str:
    """EET yes (F/P codes), no (G4, G5, G6) or unknown (0, blank, anything else)."""
    code = code.strip().upper()
    if len(code) == 2 and code[0] in "FP" and code[1].isdigit():
        return YES
    if code in NEET_ACTIVITIES:
        return NO
    return UNKNOWN


def accommodation_suitable(letter: str, suitable: str) -> str:
    """Suitable yes / no / unknown from the accommodation type and the 1/2 suitability."""
    if letter.strip().upper() in ALWAYS_UNSUITABLE:
        return NO
    return {"1": YES, "2": NO}.get(suitable.strip(), UNKNOWN)


def status_from_observation(obs: CareLeaverIn) -> BirthdayStatus:
    return BirthdayStatus(
        source="ssd",
        eligibility=eligibility_key(obs.eligibility),
        in_touch=obs.in_touch.strip().upper(),
        accommodation=accommodation_suitable(obs.accommodation, obs.suitable),
        activity=activity_eet(obs.activity),
    )


def status_around(child: ChildTimeline, bday: date, e: date) -> BirthdayStatus:
    """The status recorded from 3 months before to 1 month after a birthday, as known on E.

    SSD first: the latest observation dated in the window and on or before E (later ones do
    not exist yet). Without one, the 903 OC3 row of the collection year containing the
    birthday (OC3 is returned for the 17th–21st birthdays of the year; its young people are
    care leavers, so it counts as former relevant from 18). Without either, nothing is known;
    membership of a cohort then rests on the latest observation on or before E.
    """
    first = add_months(bday, -WINDOW_MONTHS_BEFORE)
    last = min(add_months(bday, WINDOW_MONTHS_AFTER), e)
    found: CareLeaverIn | None = None
    for obs in child.care_leaver:  # sorted by as_at
        if obs.as_at > last:
            break
        if obs.as_at >= first:
            found = obs
    if found is not None:
        return status_from_observation(found)
    year = collection_year_of(bday)
    for row in child.oc3:
        if row.year == year:
            accom = row.accommodation.strip().upper()
            return BirthdayStatus(
                source="oc3",
                eligibility=FORMER_RELEVANT if age_on(child.dob, bday) >= 18 else RELEVANT,
                in_touch=row.in_touch.strip().upper(),
                accommodation=accommodation_suitable(accom[:1], accom[1:2]),
                activity=activity_eet(row.activity),
            )
    latest = observation_on(child, e)
    return BirthdayStatus(
        source="",
        eligibility=eligibility_key(latest.eligibility) if latest else "",
        in_touch="",
        accommodation=UNKNOWN,
        activity=UNKNOWN,
    )


def leavers_known(data: LAData) -> list[ChildTimeline]:
    """Young people with a date of birth and any care-leaver record (SSD or OC3)."""
    return [c for c in data.children if c.dob is not None and (c.care_leaver or c.oc3)]


def birthday_cohort(
    ctx: MonthContext, period: str, ages: tuple[int, ...], eligibilities: frozenset[str]
) -> list[tuple[ChildTimeline, date, BirthdayStatus]]:
    """(young person, birthday, status) for each birthday of one of ``ages`` in the period.

    The cohort figures count these; the drill-down lists them by name.
    """
    first, e = ctx.window(period)
    index = ctx.data.memo(f"birthdays:{ages}", lambda data: birthdays_index(data, ages))
    out: list[tuple[ChildTimeline, date, BirthdayStatus]] = []
    for _, child, bday in sorted(index.between(first, e), key=lambda hit: hit[0]):
        status = status_around(child, bday, e)
        if status.eligibility in eligibilities:
            out.append((child, bday, status))
    return out


def birthdays_index(
    data: LAData, ages: tuple[int, ...]
) -> DatedIndex[tuple[int, ChildTimeline, date]]:
    """Birthdays of ``ages`` of the young people known as care leavers, by date.

    Each item carries its place in (child, age) order, so a window's birthdays can be read
    in that order, as a loop over the young people and their ages would list them.
    """
    known = data.memo("leavers_known", leavers_known)
    return DatedIndex(
        (bday, (i * len(ages) + j, child, bday))
        for i, child in enumerate(known)
        for j, bday in enumerate(birthday(child.dob, age) for age in ages)
    )


def birthday_statuses(
    ctx: MonthContext, period: str, ages: tuple[int, ...], eligibilities: frozenset[str]
) -> list[BirthdayStatus]:
    """Statuses of the young people whose birthday of one of ``ages`` falls in the period."""
    return [status for _, _, status in birthday_cohort(ctx, period, ages, eligibilities)]


def pathway_plan_due_at(child: ChildTimeline, e: date) -> RecurringDue | None:
    """The young person's pathway plan review as seen on E, ``None`` when not a care leaver.

    pathway_plan counts the care leavers at E whose due is not ``overdue``; the worklists
    list the overdue ones.
    """
    if not is_care_leaver_at(child, e):
        return None
    obs = observation_on(child, e)
    reviewed = [obs.pathway_plan_review] if obs and obs.pathway_plan_review else []
    return pathway_plan_due(review_dates=reviewed, as_of=e)


def _pathway_plan(ctx: MonthContext) -> Cells:
    e = ctx.as_of
    n = d = 0
    for child in ctx.data.memo("leavers_known", leavers_known):
        due = pathway_plan_due_at(child, e)
        if due is None:
            continue
        d += 1
        n += not due.overdue
    return {PERIOD_AT_E: fraction_cell(n, d)}


def dfe_cohort_members(ctx: MonthContext) -> list[tuple[ChildTimeline, date, BirthdayStatus]]:
    """The DfE 19–21 cohort of the year to date: former relevant, birthday 19, 20 or 21."""
    return ctx.memo(
        "cl_19_21_members",
        lambda c: birthday_cohort(c, PERIOD_YTD, DFE_COHORT_AGES, frozenset({FORMER_RELEVANT})),
    )


def _dfe_cohort(ctx: MonthContext) -> list[BirthdayStatus]:
    return [status for _, _, status in dfe_cohort_members(ctx)]


def _neet(ctx: MonthContext) -> Cells:
    cohort = _dfe_cohort(ctx)
    neet = sum(1 for s in cohort if s.activity == NO)
    unknown = sum(1 for s in cohort if s.activity == UNKNOWN)
    return {PERIOD_YTD: fraction_cell(neet + unknown, len(cohort), neet=neet, unknown=unknown)}


def _unsuitable(ctx: MonthContext) -> Cells:
    cohort = _dfe_cohort(ctx)
    bad = sum(1 for s in cohort if s.accommodation == NO)
    unknown = sum(1 for s in cohort if s.accommodation == UNKNOWN)
    return {PERIOD_YTD: fraction_cell(bad + unknown, len(cohort), unsuitable=bad, unknown=unknown)}


def _in_touch(ctx: MonthContext) -> Cells:
    cohort = _dfe_cohort(ctx)
    touch = Counter(s.in_touch for s in cohort)
    return {
        PERIOD_YTD: fraction_cell(
            touch["YES"],
            len(cohort),
            returned_home=touch["RHOM"],
            no_longer_required=touch["NREQ"],
            died=touch["DIED"],
            unknown=touch["NO"] + touch["REFU"] + touch[""],
        )
    }


def _birthday_cohort(ctx: MonthContext) -> Cells:
    cohort = birthday_statuses(ctx, PERIOD_MONTH, BIRTHDAY_COHORT_AGES, CARE_LEAVER_ELIGIBILITIES)
    counts = {
        "cohort": len(cohort),
        "suitable_accommodation_yes": sum(1 for s in cohort if s.accommodation == YES),
        "suitable_accommodation_unknown": sum(1 for s in cohort if s.accommodation == UNKNOWN),
        "eet_yes": sum(1 for s in cohort if s.activity == YES),
        "eet_unknown": sum(1 for s in cohort if s.activity == UNKNOWN),
        "in_touch_yes": sum(1 for s in cohort if s.in_touch == "YES"),
        "in_touch_returned_home": sum(1 for s in cohort if s.in_touch == "RHOM"),
        "in_touch_no_longer_required": sum(1 for s in cohort if s.in_touch == "NREQ"),
    }
    return {PERIOD_MONTH: breakdown_cell(counts, _COHORT_KEYS)}


_COHORT_READINGS = (
    "Status around a birthday: the latest SSD observation dated from 3 months before to 1 "
    "month after the birthday (and on or before E); without one, the 903 OC3 row of the "
    "collection year containing the birthday; without either, everything is unknown.",
    "A birthday is the day the age is attained (29 February: 1 March in a common year).",
    "SSD 'suitable' 1 / 2 and OC3 ACCOM suffix 1 / 2; no fixed abode (S) and custody (X) are "
    "always unsuitable; blank or 0 is unknown. EET: F and P activity codes; NEET: G4–G6; "
    "blank or 0 is unknown.",
)

indicator_register(
    Indicator(
        id="pathway_plan",
        title="Care leavers who have a pathway plan in place",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Care leavers at the month end (16–25, eligible, relevant or former relevant) "
            "whose pathway plan was reviewed within the 6 months ending the month end."
        ),
        compute=_pathway_plan,
        source="seed 000",
        readings=(
            "Care leaver at E: aged 16–25 on E and the latest SSD observation dated on or "
            "before E says eligible, relevant or former relevant.",
            "Reviewed: that observation's pathway plan date (latest of plan start or last "
            "review) is on or after E − 6 months (reviews.scheduling.pathway_plan_due).",
        ),
    )
)
indicator_register(
    Indicator(
        id="cl_19_21_neet",
        title="19–21 year old care leavers not in education, employment or training",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_YTD,),
        definition=(
            "Former relevant care leavers whose 19th, 20th or 21st birthday fell in the year "
            "to date and whose activity around the birthday was NEET (G4, G5, G6)."
        ),
        compute=_neet,
        benchmark="DfE 'Children looked after in England': care leavers aged 19 to 21 NEET",
        source="seed 000",
        readings=(
            "Unknown is never counted as good: the numerator is NEET or activity not known "
            "(so it is 100% minus the EET rate, as DfE's benchmark), with 'neet' and "
            "'unknown' shown beside it.",
            "Cohort: 19th, 20th or 21st birthday from 1 April to E, former relevant according "
            "to the status around the birthday (OC3 rows count as former relevant from 18), "
            "or, with no status, the latest observation on or before E.",
            *_COHORT_READINGS,
        ),
    )
)
indicator_register(
    Indicator(
        id="cl_19_21_unsuitable_accommodation",
        title="19–21 year old care leavers in unsuitable accommodation",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=LOWER,
        periods=(PERIOD_YTD,),
        definition=(
            "Former relevant care leavers whose 19th, 20th or 21st birthday fell in the year "
            "to date and whose accommodation around the birthday was unsuitable."
        ),
        compute=_unsuitable,
        benchmark="DfE 'Children looked after in England': care leavers in suitable accommodation",
        source="seed 000",
        readings=(
            "Unknown is never counted as good: the numerator is unsuitable or not known (100% "
            "minus the suitable rate, as DfE's benchmark), with 'unsuitable' and 'unknown' "
            "shown beside it.",
            *_COHORT_READINGS,
        ),
    )
)
indicator_register(
    Indicator(
        id="cl_19_21_in_touch",
        title="19–21 year old care leavers in touch",
        section="care_leavers",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_YTD,),
        definition=(
            "Former relevant care leavers whose 19th, 20th or 21st birthday fell in the year "
            "to date and with whom the authority was in touch around the birthday."
        ),
        compute=_in_touch,
        source="seed 000",
        readings=(
            "In touch = IN_TOUCH YES. Returned home (RHOM), no longer requires services "
            "(NREQ) and died are shown beside the figure; not in touch, refused contact and "
            "nothing recorded are shown as 'unknown'. All stay in the denominator.",
            *_COHORT_READINGS,
        ),
    )
)
indicator_register(
    Indicator(
        id="cl_birthday_cohort",
        title="Care leaver cohort by birthday month (17th–21st)",
        section="care_leavers",
        unit=UNIT_COUNTS,
        polarity=None,
        periods=(PERIOD_MONTH,),
        definition=(
            "Young people whose 17th to 21st birthday fell in the month: cohort size; "
            "suitable accommodation yes / unknown; EET yes / unknown; in touch yes / returned "
            "home / no longer required."
        ),
        breakdown_labels={k: k.replace("_", " ").capitalize() for k in _COHORT_KEYS},
        compute=_birthday_cohort,
        source="seed 003",
        readings=(
            "Cohort: young people whose 17th–21st birthday fell from the 1st of the month to "
            "E and who were care leavers (eligible, relevant, former relevant) according to "
            "the status around the birthday or, with none, the latest observation.",
            *_COHORT_READINGS,
        ),
    )
)
