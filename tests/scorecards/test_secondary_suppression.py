"""Small-number suppression that arithmetic cannot undo (issue #21 item 4).

Hand-worked examples first (the issue's two: a legal status is ``cla_count`` less the
others; a month is this year to date less last month's), then the property: for many
synthetic years of a small authority, a reader holding every published count of every
month, and the definitions of the indicators, recomputes no withheld count.
"""

from __future__ import annotations

from datetime import date

import pytest

from scorecards.suppression import PRIMARY, SECONDARY, Withheld, published_cells
from tests.scorecards.disclosure_builders import (
    Reader,
    flatten,
    months_of_cells,
    with_totals,
)

APRIL, MAY, JUNE = date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1)


def _published(cells_by_month, months=None):
    months = months or sorted(cells_by_month)
    return published_cells(cells_by_month=cells_by_month, months=months)


def test_a_legal_status_that_is_the_total_less_the_others_is_protected_by_another():
    """657 children: C2 400, V2 254, E1 3. E1 is "<5"; with C2 and V2 shown it is 657 −
    400 − 254 = 3, so the next smallest part, V2, is withheld with it ("suppressed")."""
    cells = {
        APRIL: {
            "cla_count": {"at_e": {"value": 657}},
            "legal_status_breakdown": {"at_e": {"breakdown": {"C2": 400, "V2": 254, "E1": 3}}},
        }
    }
    shown = _published(cells)[APRIL]
    assert shown["legal_status_breakdown"]["at_e"]["breakdown"] == {
        "C2": 400,
        "V2": SECONDARY,
        "E1": PRIMARY,
    }
    assert shown["legal_status_breakdown"]["at_e"]["total"] == 657
    assert shown["cla_count"]["at_e"]["value"] == 657


def test_a_month_that_is_the_year_to_date_less_last_month_is_protected():
    """Starters: April 9, May 3, June 7 (year to date 9, 12, 19). May's 3 is "<5"; with
    April's 9 and May's year to date 12 shown it is 12 − 9 = 3, so May's year to date is
    withheld; then June's 7 would give it back (19 − 7 = 12), so June withholds its
    month (7, cheaper than 19): June's year to date, 19, stands."""
    started = {APRIL: (9, 9), MAY: (3, 12), JUNE: (7, 19)}
    cells = {
        m: {"cla_started": {"month": {"value": n}, "ytd": {"value": ytd}}}
        for m, (n, ytd) in started.items()
    }
    shown = _published(cells)
    assert shown[APRIL]["cla_started"] == {"month": {"value": 9}, "ytd": {"value": 9}}
    assert shown[MAY]["cla_started"] == {"month": {"value": PRIMARY}, "ytd": {"value": SECONDARY}}
    assert shown[JUNE]["cla_started"] == {"month": {"value": SECONDARY}, "ytd": {"value": 19}}


def test_a_month_is_decided_once_whatever_is_asked_for_with_it():
    """May's page, and a trend from April to June, publish the same May."""
    cells = months_of_cells(seed=7, first=date(2023, 4, 1), last=JUNE)
    alone = _published(cells, [MAY])[MAY]
    with_june = _published(cells, [APRIL, MAY, JUNE])[MAY]
    assert alone == with_june


def test_late_reviews_are_not_due_less_on_time():
    """1 late review of 97 due, 96 on time: 97 − 96 = 1, so one of them is withheld, and
    the percentage built on it."""
    cells = {
        APRIL: {
            "reviews_on_time": {"month": {"numerator": 96, "denominator": 97}},
            "reviews_late": {"month": {"value": 1}},
        }
    }
    shown = _published(cells)[APRIL]
    assert shown["reviews_late"]["month"]["value"] == PRIMARY
    assert isinstance(shown["reviews_on_time"]["month"]["numerator"], Withheld)
    assert shown["reviews_on_time"]["month"]["denominator"] == 97


def test_nothing_is_withheld_that_need_not_be():
    """No count of 1 to 4 anywhere: everything is published as stored."""
    cells = {
        APRIL: {
            "cla_count": {"at_e": {"value": 657}},
            "legal_status_breakdown": {"at_e": {"breakdown": {"C2": 400, "V2": 257, "E1": 0}}},
            "cla_started": {"month": {"value": 21}, "ytd": {"value": 21}},
        }
    }
    shown = _published(cells)[APRIL]
    assert shown["legal_status_breakdown"]["at_e"]["breakdown"] == {"C2": 400, "V2": 257, "E1": 0}
    assert shown["cla_started"]["month"]["value"] == 21


@pytest.mark.parametrize("seed", range(12))
def test_no_withheld_count_can_be_worked_out_from_everything_published(seed):
    """Two financial years of a small authority, every month published as every output
    shows it: the reader recomputes none of the withheld counts."""
    first, last = date(2023, 4, 1), date(2025, 3, 1)
    cells = months_of_cells(seed=seed, first=first, last=last)
    months = sorted(cells)
    truth = flatten(with_totals(cells))
    published = flatten(_published(cells, months))
    reader = Reader(published=published, truth=truth, months=months)

    # The reader's arithmetic is real: each identity holds in the figures, and there are
    # many of every kind (the generator keeps the definitions).
    assert len(reader.identities) > 60 * len(months)
    withheld = {ref for ref, v in published.items() if isinstance(v, Withheld)}
    assert any(v == PRIMARY for v in published.values())
    assert any(v == SECONDARY for v in published.values())
    # Every count of 1 to 4 is withheld; a published count is the true one.
    for ref, value in published.items():
        if isinstance(value, int):
            assert value == truth[ref] and not 1 <= value <= 4, ref
        else:
            assert ref in withheld
    recovered = reader.recoverable()
    assert recovered == {}, {ref: (v, truth[ref]) for ref, v in list(recovered.items())[:5]}


def test_the_reader_would_recover_counts_from_primary_suppression_alone():
    """Without the complements, the same reader recovers withheld counts: the property
    test above is not passing for want of arithmetic."""
    cells = months_of_cells(seed=3, first=date(2023, 4, 1), last=date(2025, 3, 1))
    truth = flatten(with_totals(cells))
    primary_only = {
        ref: (PRIMARY if isinstance(v, int) and 1 <= v <= 4 else v) for ref, v in truth.items()
    }
    reader = Reader(published=primary_only, truth=truth, months=sorted(cells))
    recovered = reader.recoverable()
    assert len(recovered) > 20
    assert all(value == truth[ref] for ref, value in recovered.items())
