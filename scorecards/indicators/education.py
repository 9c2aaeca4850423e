"""Education: children in care by age group, PEPs and school quality."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from reviews.scheduling import RecurringDue, has_lasted_months, pep_due
from reviews.scheduling.plans import PEP_STATUS_COMPLETE
from scorecards.cells import breakdown_cell, fraction_cell
from scorecards.engine import ChildTimeline, CLAEntry, MonthContext
from scorecards.indicators.registry import (
    HIGHER,
    UNIT_BREAKDOWN,
    UNIT_PERCENT,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E, age_on

SECTION = section_register(
    Section(
        key="education",
        title="Education",
        order=60,
        notes=(
            "Age groups use each child's age in whole years on the last day of the month.",
            "'School-aged' children are those in Year 1 to Year 11: aged 5 to 15 on the 31 "
            "August before the school year. Reception is not included.",
            "A Personal Education Plan (PEP) is 'in place' when the child's latest completed "
            "PEP is dated within the 6 months to the month end; draft PEPs do not count. Only "
            "children in care for at least a month are included.",
            "School quality is the school's latest graded Ofsted overall effectiveness "
            "judgement: Outstanding or Good.",
        ),
    )
)

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16-17")


def age_band(age: int | None) -> str:
    """Age group of seed 001 (under 1, 1-4, 5-9, 10-15, 16-17); 18+ or no birth date apart."""
    if age is None or age < 0:
        return "unknown"
    if age < 1:
        return "under 1"
    if age <= 4:
        return "1-4"
    if age <= 9:
        return "5-9"
    if age <= 15:
        return "10-15"
    if age <= 17:
        return "16-17"
    return "18+"


def _age(ctx: MonthContext) -> Cells:
    counts = Counter(
        age_band(age_on(entry.child.dob, ctx.as_of) if entry.child.dob else None)
        for entry in ctx.cla
    )
    return {PERIOD_AT_E: breakdown_cell(counts, AGE_BANDS)}


indicator_register(
    Indicator(
        id="age_breakdown",
        title="Children in care by age group",
        section="education",
        unit=UNIT_BREAKDOWN,
        polarity=None,
        periods=(PERIOD_AT_E,),
        definition=(
            "Children in care at the month end by age in whole years on that day: under 1, "
            "1-4, 5-9, 10-15, 16-17."
        ),
        compute=_age,
        breakdown_labels={
            **{b: b for b in AGE_BANDS},
            "18+": "18 and over",
            "unknown": "Date of birth not recorded",
        },
        benchmark="DfE 'Children looked after in England': by age at 31 March",
        source="seed 001",
        readings=(
            "A child in care aged 18 or over on the month end (possible only in messy data) "
            "or without a date of birth is counted under '18+' or 'unknown', so the groups "
            "always add up to the number in care.",
        ),
    )
)
#: School age: 5 to 15 on the 31 August before the academic year (Year 1 to Year 11).
SCHOOL_AGE_MIN = 5
SCHOOL_AGE_MAX = 15
#: Ofsted overall effectiveness grades that count as good or outstanding.
GOOD_OR_OUTSTANDING = frozenset({1, 2})


def academic_year_cutoff(e: date) -> date:
    """The 31 August before the academic year (1 September – 31 August) containing E."""
    return date(e.year if e.month >= 9 else e.year - 1, 8, 31)


def is_school_age(dob: date | None, e: date) -> bool:
    """Aged 5–15 on the 31 August before the academic year containing E (``indicators.md`` §1)."""
    if dob is None:
        return False
    return SCHOOL_AGE_MIN <= age_on(dob, academic_year_cutoff(e)) <= SCHOOL_AGE_MAX


def school_on(child: ChildTimeline, e: date) -> str | None:
    """URN of the school the child attends on E (latest start wins), ``None`` if not known.

    Reading: a school placement is open on E when it started on or before E and has no end
    or ends after E (as an allocation or an episode is); a blank URN is not a known school.
    """
    urn: str | None = None
    for school in child.schools:  # sorted by start
        if school.start > e:
            break
        if (school.end is None or school.end > e) and school.urn:
            urn = school.urn
    return urn


def _school_aged(ctx: MonthContext) -> list[CLAEntry]:
    return ctx.memo(
        "school_aged", lambda c: [x for x in c.cla if is_school_age(x.child.dob, c.as_of)]
    )


#: pep_in_place counts school-aged children in care for at least this many months.
PEP_COHORT_MONTHS = 1


def pep_due_at(entry: CLAEntry, e: date) -> RecurringDue | None:
    """The child's PEP as seen on E, ``None`` when not in pep_in_place's denominator.

    The denominator is school-aged children in care at E for at least one month; the
    numerator those whose due is not ``overdue``. The worklists list the overdue ones.
    """
    if not is_school_age(entry.child.dob, e):
        return None
    if not has_lasted_months(start=entry.period.start, on=e, months=PEP_COHORT_MONTHS):
        return None
    child = entry.child
    complete = child.extra.get("complete_peps")
    if complete is None:  # drafts never count (pep_due): drop them once, not every month
        complete = child.extra["complete_peps"] = [
            p for p in child.peps if p.status.strip().upper() == PEP_STATUS_COMPLETE
        ]
    return pep_due(peps=complete, as_of=e)


def _pep_in_place(ctx: MonthContext) -> Cells:
    e = ctx.as_of
    n = d = 0
    for entry in _school_aged(ctx):
        due = pep_due_at(entry, e)
        if due is None:
            continue
        d += 1
        n += not due.overdue
    return {PERIOD_AT_E: fraction_cell(n, d)}


def school_rating_at(
    entry: CLAEntry, e: date, ratings: dict[str, int | None]
) -> tuple[str, int | None] | None:
    """(URN, Ofsted grade or ``None`` if unrated) of a school-aged child's school on E;
    ``None`` when not in good_outstanding_school's denominator (not school age, no known
    school). The numerator is a grade in ``GOOD_OR_OUTSTANDING``; shared with the drill-down.
    """
    if not is_school_age(entry.child.dob, e):
        return None
    urn = school_on(entry.child, e)
    if urn is None:
        return None
    return urn, ratings.get(urn)


def _good_outstanding_school(ctx: MonthContext) -> Cells:
    e = ctx.as_of
    ratings = ctx.data.school_ratings
    n = d = unrated = 0
    for entry in _school_aged(ctx):
        school = school_rating_at(entry, e, ratings)
        if school is None:
            continue
        d += 1
        rating = school[1]
        if rating is None:
            unrated += 1
        elif rating in GOOD_OR_OUTSTANDING:
            n += 1
    return {PERIOD_AT_E: fraction_cell(n, d, unrated=unrated)}


indicator_register(
    Indicator(
        id="pep_in_place",
        title="% of school-aged children in care with a PEP in place",
        section="education",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        default_target=Decimal("100"),
        target_text="100%",
        definition=(
            "School-aged children in care at the month end, in care for at least one month, "
            "whose latest completed PEP is dated within the 6 months ending the month end."
        ),
        compute=_pep_in_place,
        source="seed 001, seed 004",
        readings=(
            "'In care for at least one month', both days counted (DfE's continuous-care "
            "rule): the current period of care started on or before E + 1 day − 1 calendar "
            "month (from 1 March → counted on 31 March; from 2 March → not).",
            "Due dates from reviews.scheduling.pep_due: only COMPLETE PEPs count, a draft "
            "after a complete PEP neither counts nor resets the clock; 6 months back from E "
            "clamped (31 March − 6 months = 30 September).",
            "School age: 5–15 on the 31 August before the academic year containing E; "
            "children with no date of birth are left out.",
        ),
    )
)
indicator_register(
    Indicator(
        id="good_outstanding_school",
        title="% of school-aged children in care in good or outstanding schools",
        section="education",
        unit=UNIT_PERCENT,
        polarity=HIGHER,
        periods=(PERIOD_AT_E,),
        definition=(
            "School-aged children in care at the month end with a known school whose latest "
            "graded Ofsted overall effectiveness is Outstanding (1) or Good (2)."
        ),
        compute=_good_outstanding_school,
        source="seed 001",
        readings=(
            "'Known school': a school placement (ext_cla_school) open on E with a URN. A "
            "school whose URN has no graded rating in the Ofsted reference table stays in the "
            "denominator, not the numerator; their number is shown as 'unrated'.",
        ),
    )
)
