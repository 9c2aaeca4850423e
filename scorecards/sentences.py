"""Plain-English sentences beside headline figures (seed 000's "12.2% of children in
Cambridgeshire's care had 3 or more different homes in the last 12 months").

A councillor reads the sentence, not the cell: it says what was counted, over which
dates, in the authority's name. Every number in a sentence is formatted by the same
filters as the figure beside it (``templatetags/figures.py``), so the two never disagree.
A figure with no data, or withheld by small-number suppression, gets no sentence: the
sentence must not say more than the figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from scorecards.periods import (
    PERIOD_AT_E,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_ROLLING6,
    PERIOD_ROLLING12,
    PERIOD_YTD,
    financial_quarter_start,
    financial_year_start,
)
from scorecards.suppression import SECONDARY, is_withheld
from scorecards.templatetags.figures import (
    NO_DATA,
    SUPPRESSED,
    format_figure,
    is_small_number,
    suppress,
)

#: (indicator, period) → sentence. Placeholders: value, n, d (the numerator and
#: denominator, or the two counts of a ratio), la, date (the as-at day), month
#: ("March 2024"), month_name ("March"), fy_start and quarter_start ("1 April 2023").
SENTENCES: dict[tuple[str, str], str] = {
    ("cla_count", PERIOD_AT_E): "{value} children were in {la}'s care on {date}.",
    ("cla_rate_per_10k", PERIOD_AT_E): (
        "That is {value} children in care for every 10,000 children aged 0 to 17 living in {la}."
    ),
    ("uasc_pct", PERIOD_AT_E): (
        "{value} of the children in care ({n} out of {d}) were unaccompanied asylum-seeking "
        "children."
    ),
    ("entry_exit_ratio_6m", PERIOD_ROLLING6): (
        "In the 6 months to {date}, {value} children started care for every child who left "
        "care ({n} started, {d} left)."
    ),
    ("cla_started", PERIOD_MONTH): "{value} children started to be looked after in {month}.",
    ("cla_started", PERIOD_YTD): (
        "{value} children have started to be looked after since {fy_start}."
    ),
    ("cla_ceased", PERIOD_MONTH): "{value} children stopped being looked after in {month}.",
    ("cla_ceased", PERIOD_YTD): (
        "{value} children have stopped being looked after since {fy_start}."
    ),
    ("reviews_on_time", PERIOD_YTD): (
        "{value} of the reviews of children in care due since {fy_start} were held on time "
        "({n} out of {d})."
    ),
    ("reviews_on_time", PERIOD_MONTH): (
        "{n} out of {d} reviews of children in care due in {month} were held on time."
    ),
    ("visits_on_time", PERIOD_YTD): (
        "{value} of the statutory visits due since {fy_start} were carried out on time "
        "({n} out of {d})."
    ),
    ("visits_on_time", PERIOD_MONTH): (
        "{n} out of {d} statutory visits due in {month} were carried out on time."
    ),
    ("visits_seen_6_weeks", PERIOD_AT_E): (
        "{value} of children in care had been seen by their social worker in the 6 weeks to {date}."
    ),
    ("supervision_in_month", PERIOD_MONTH): (
        "{value} of children in care had a recorded management supervision of their case in "
        "{month}."
    ),
    ("placements_3plus_12m", PERIOD_ROLLING12): (
        "{value} of children in {la}'s care had 3 or more different homes in the last 12 months."
    ),
    ("placements_3plus_ytd", PERIOD_YTD): (
        "{value} of children in {la}'s care have had 3 or more different homes since {fy_start}."
    ),
    ("long_term_stability", PERIOD_AT_E): (
        "Out of those children who have been in care for over 2.5 years, {value} have been in "
        "their current home for two or more years."
    ),
    ("placed_in_county", PERIOD_AT_E): (
        "{value} children in care were living inside {la}'s boundary on {date}."
    ),
    ("out_of_county_non_uasc", PERIOD_AT_E): (
        "{value} of children in care who are not unaccompanied asylum seekers were living "
        "outside {la} ({n} out of {d})."
    ),
    ("out_of_county_20_miles", PERIOD_AT_E): (
        "{value} were living outside {la} and 20 miles or more from the home they lived in "
        "before care ({n} out of {d})."
    ),
    ("uasc_out_of_county", PERIOD_AT_E): (
        "{value} of unaccompanied asylum-seeking children in care were living outside {la} "
        "({n} out of {d})."
    ),
    ("pep_in_place", PERIOD_AT_E): (
        "A Personal Education Plan (PEP) was in place for {n} out of {d} school-aged children "
        "who were in care for at least a month by the end of {month_name}."
    ),
    ("good_outstanding_school", PERIOD_AT_E): (
        "{value} of {la}'s school-aged children in care are taught in good or outstanding schools."
    ),
    ("missing_incidents", PERIOD_MONTH): (
        "There were {value} missing incidents of children in care in {month}."
    ),
    ("missing_incidents", PERIOD_YTD): (
        "There have been {value} missing incidents of children in care since {fy_start}."
    ),
    ("missing_children", PERIOD_MONTH): "{value} children in care went missing in {month}.",
    ("missing_children", PERIOD_YTD): (
        "{value} children in care have gone missing at least once since {fy_start}."
    ),
    ("return_interviews", PERIOD_MONTH): (
        "{value} of the missing incidents that ended in {month} were followed by a return "
        "interview ({n} out of {d})."
    ),
    ("return_interviews", PERIOD_YTD): (
        "{value} of the missing incidents that ended since {fy_start} were followed by a "
        "return interview ({n} out of {d})."
    ),
    ("adopted_pct", PERIOD_YTD): (
        "{value} of the children who left care since {fy_start} were adopted ({n} out of {d})."
    ),
    ("adopted_pct", PERIOD_QUARTER): (
        "{value} of the children who left care since {quarter_start} were adopted ({n} out of {d})."
    ),
    ("adoptions", PERIOD_MONTH): "{value} children were adopted in {month}.",
    ("adoptions", PERIOD_YTD): "{value} children have been adopted since {fy_start}.",
    ("a1_days", PERIOD_ROLLING12): (
        "For children adopted during the past 12 months, an average of {value} passed between "
        "the child entering care and them moving in with their adoptive family."
    ),
    ("a1_days", PERIOD_MONTH): (
        "For children adopted in {month}, an average of {value} passed between the child "
        "entering care and them moving in with their adoptive family."
    ),
    ("a2_days", PERIOD_ROLLING12): (
        "For children adopted during the past 12 months, an average of {value} passed between "
        "the court's authority to place the child for adoption and the decision on a match "
        "with their adopters."
    ),
    ("a2_days", PERIOD_MONTH): (
        "For children adopted in {month}, an average of {value} passed between the court's "
        "authority to place and the match decision."
    ),
    ("a10_days", PERIOD_ROLLING12): (
        "Counting from the day a child moved in with foster carers who went on to adopt them, "
        "the average for the past 12 months was {value}."
    ),
    ("a10_days", PERIOD_MONTH): (
        "Counting from the day a child moved in with foster carers who went on to adopt them, "
        "the average for {month} was {value}."
    ),
    ("adoption_wait_under_14m", PERIOD_ROLLING12): (
        "{value} of the children adopted during the past 12 months waited less than 14 months "
        "between entering care and moving in with their adoptive family ({n} out of {d})."
    ),
    ("adoption_wait_under_14m", PERIOD_MONTH): (
        "{n} out of {d} children adopted in {month} waited less than 14 months between "
        "entering care and moving in with their adoptive family."
    ),
    ("iha_on_time", PERIOD_YTD): (
        "{value} of the children whose initial health assessment fell due since {fy_start} "
        "had it within 20 working days of coming into care ({n} out of {d})."
    ),
    ("iha_on_time", PERIOD_QUARTER): (
        "{value} of the children whose initial health assessment fell due since "
        "{quarter_start} had it within 20 working days of coming into care ({n} out of {d})."
    ),
    ("health_assessment_on_time", PERIOD_AT_E): (
        "{value} of the children in care for 12 months or more had an up-to-date health "
        "assessment on {date} ({n} out of {d})."
    ),
    ("dental_on_time", PERIOD_AT_E): (
        "{value} of the children in care for 12 months or more had a dental check in the 12 "
        "months to {date} ({n} out of {d})."
    ),
    ("pathway_plan", PERIOD_AT_E): (
        "{value} of care leavers had a pathway plan reviewed in the 6 months to {date} "
        "({n} out of {d})."
    ),
    ("cl_19_21_neet", PERIOD_YTD): (
        "{value} of the care leavers whose 19th, 20th or 21st birthday fell since {fy_start} "
        "were not in education, employment or training ({n} out of {d})."
    ),
    ("cl_19_21_unsuitable_accommodation", PERIOD_YTD): (
        "{value} of the care leavers whose 19th, 20th or 21st birthday fell since {fy_start} "
        "were living in unsuitable accommodation ({n} out of {d})."
    ),
    ("cl_19_21_in_touch", PERIOD_YTD): (
        "{value} of the care leavers whose 19th, 20th or 21st birthday fell since {fy_start} "
        "were in touch with the authority ({n} out of {d})."
    ),
    ("disability_pct", PERIOD_AT_E): (
        "{value} of children in care have a recorded disability ({n} out of {d})."
    ),
}


def long_date(d: date) -> str:
    """``31 March 2024`` (no leading zero, as the seeds write dates)."""
    return f"{d.day} {d:%B %Y}"


def sentence_for(
    *,
    indicator_id: str,
    period: str,
    value_text: str,
    data: Mapping[str, Any] | None,
    la_name: str,
    month: date,
    as_of: date,
    suppress_small: bool,
) -> str:
    """The sentence beside one figure, or ``""`` when there is none or nothing to say.

    ``value_text`` is the figure's own printed value ("72.4%", "499 days"); a value that
    reads "no data", "suppressed" or "<5" gets no sentence.
    """
    template = SENTENCES.get((indicator_id, period))
    if not template or value_text in (NO_DATA, "suppressed", SUPPRESSED, ""):
        return ""
    data = data or {}
    n, d = data.get("numerator"), data.get("denominator")
    if suppress_small and (is_small_number(n) or is_small_number(d)):
        return ""
    if any(is_withheld(data.get(k)) for k in ("numerator", "denominator", "value", "unknown")):
        return ""
    unknown = data.get("unknown") or 0
    if unknown and ((d is not None and unknown >= d) or (d is None and not data.get("value"))):
        return ""  # "0% live out of county" when no location is known would mislead
    return template.format(
        value=value_text,
        n=suppress(n, suppress_small) if n is not None else NO_DATA,
        d=suppress(d, suppress_small) if d is not None else NO_DATA,
        la=la_name,
        date=long_date(as_of),
        month=f"{month:%B %Y}",
        month_name=f"{month:%B}",
        fy_start=long_date(financial_year_start(month)),
        quarter_start=long_date(financial_quarter_start(month)),
    )


def breakdown_sentence(
    *,
    what: str,
    parts: list[tuple[str, Any]],
    total: Any,
    suppress_small: bool,
    lead: str = "The largest group",
) -> str:
    """ "The largest group of children in care by ethnicity is White (81.0%)."

    Parts are (label, count); the sentence names the biggest part. Nothing when there is
    no total, or when suppression is on and the part is a small number. Nothing either
    when the total or a part larger than 4 is withheld: the "largest" might be the
    withheld one, and its share would give the total back.
    """
    if is_withheld(total) or any(w == SECONDARY for _, w in parts):
        return ""
    parts = [(label, count) for label, count in parts if not is_withheld(count)]
    if total <= 0 or not parts:
        return ""
    label, count = max(parts, key=lambda part: part[1])
    if count <= 0 or (suppress_small and is_small_number(count)):
        return ""
    share = format_figure((Decimal(count), Decimal(total)), "pct")
    return f"{lead} {what} is {label}: {share} ({suppress(count, suppress_small)} children)."
