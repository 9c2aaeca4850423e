"""Linked SSDA903 returns of several consecutive years, as councils' exports send them.

A seeded cohort of synthetic children whose care histories span the years, written one
return per collection year the way the DfE asks — every episode open at any time in the
year (DEC blank when it ended after 31 March), reviews held in the year, OC3 rows for care
leavers, a Header row for every child in any table — together with the artefacts real
exports carry, so that the import is tried on what it will meet:

- MOTHER written by pandas or Excel as ``1.0`` / ``0.0``;
- OC3 ACCOM codes in no year's list (``01``, ``02``, ``S1``);
- a review listed twice (an exact copy) and a review date given twice with another
  REVIEW_CODE;
- an open episode the next return omits (a child whose care ended and whose record was
  then filtered out of the live extract);
- an overlap: an episode that starts before the previous one ended.

Besides the random cohort, six story children (ids ``S1``–``S6``) have fixed histories
whose month-end counts are worked by hand in the test. Pure Python: no database.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

EPISODE_COLUMNS = (
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
)  # fmt: skip
HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
REVIEW_COLUMNS = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
OC3_COLUMNS = ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM")

POSTCODES = ("CB1 2AB", "CB4 1DX", "PE1 5QT", "PE29 3TN", "NN1 4AA", "IP1 3QL", "CB6 1AS")
FOSTER = (("U6", "PR1"), ("U6", "PR4"), ("U3", "PR1"), ("U4", "PR1"), ("U5", "PR4"))
OTHER = (("K2", "PR4"), ("P1", "PR0"), ("K3", "PR4"), ("R1", "PR3"))
LEGAL = ("C1", "C2", "C2", "V2", "V2", "E1")
ENDINGS = ("E4A", "E4A", "E13", "E45", "E8", "E17")
ETHNIC = ("WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "AIND", "BAFR", "OOTH", "NOBT")


def _d(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def year_bounds(year: int) -> tuple[date, date]:
    return date(year - 1, 4, 1), date(year, 3, 31)


@dataclass(frozen=True)
class Ep:
    """One true episode of care (as the case system holds it)."""

    child: str
    decom: date
    rne: str
    ls: str
    place: str
    provider: str
    dec: date | None = None
    rec: str = ""
    reason: str = ""
    cin: str = "N1"
    home: str = "CB1 2AB"
    pl: str = "CB4 1DX"
    urn: str = "SC900001"

    def row(self, year_end: date) -> dict[str, str]:
        """Its row in the return of the year ending ``year_end`` (open if it ended later)."""
        ended = self.dec is not None and self.dec <= year_end
        return {
            "CHILD": self.child, "DECOM": _d(self.decom), "RNE": self.rne, "LS": self.ls,
            "CIN": self.cin, "PLACE": self.place,
            "PLACE_PROVIDER": "" if self.place in ("T1",) else self.provider,
            "DEC": _d(self.dec) if ended else "", "REC": self.rec if ended else "",
            "REASON_PLACE_CHANGE": self.reason if ended else "",
            "HOME_POST": self.home, "PL_POST": self.pl,
            "URN": "" if self.place in ("P1", "R1") else self.urn,
        }  # fmt: skip


@dataclass
class Story:
    child: str
    sex: str
    dob: date
    ethnic: str = "WBRI"
    episodes: list[Ep] = field(default_factory=list)
    reviews: list[tuple[date, str]] = field(default_factory=list)
    #: (collection year, DECOM) of episodes a return leaves out though it should hold them.
    omitted: set[tuple[int, date]] = field(default_factory=set)
    mother: bool = False
    care_leaver_accom: str = ""


@dataclass
class Returns:
    """Files per collection year (table file name → CSV text) and what they were made from."""

    years: list[int]
    files: dict[int, dict[str, str]]
    episodes: dict[int, list[dict[str, str]]]
    stories: list[Story]


def _story_children() -> list[Story]:
    """Six children with fixed histories (the test works their counts by hand)."""
    s1 = Story("S1", "2", date(2009, 2, 3))  # omitted from 2021-22 on
    s1.episodes = [Ep("S1", date(2019, 6, 1), "S", "C2", "U6", "PR1")]
    s1.omitted = {(2022, date(2019, 6, 1)), (2023, date(2019, 6, 1)),
                  (2024, date(2019, 6, 1)), (2025, date(2019, 6, 1))}  # fmt: skip
    s2 = Story("S2", "1", date(2012, 5, 6))  # omitted, then back in care (RNE S)
    s2.episodes = [
        Ep("S2", date(2020, 1, 10), "S", "C2", "U6", "PR4", dec=date(2021, 6, 30), rec="E4A"),
        Ep("S2", date(2022, 11, 1), "S", "V2", "U3", "PR1"),
    ]
    s2.omitted = {(2022, date(2020, 1, 10))}
    s3 = Story("S3", "1", date(2010, 8, 9))  # re-keyed in 2022: omitted, superseded by P
    s3.episodes = [
        Ep("S3", date(2020, 9, 1), "S", "C2", "U6", "PR1", dec=date(2021, 5, 20), rec="X1",
           reason="CARPL"),
        Ep("S3", date(2021, 5, 20), "P", "C2", "K2", "PR4", pl="PE1 5QT", urn="1900002"),
    ]  # fmt: skip
    s3.omitted = {(2022, date(2020, 9, 1))}
    s4 = Story("S4", "2", date(2008, 12, 1), care_leaver_accom="01")  # overlap, then leaves
    s4.episodes = [
        Ep("S4", date(2021, 2, 1), "S", "V2", "U6", "PR1", dec=date(2022, 3, 10), rec="X1",
           reason="CHILD"),
        Ep("S4", date(2022, 3, 5), "P", "V2", "K2", "PR4", dec=date(2024, 11, 30), rec="E8",
           pl="PE29 3TN", urn="1900003"),
    ]  # fmt: skip
    s4.reviews = [(date(2021, 2, 26), "PN1"), (date(2021, 8, 20), "PN1")]
    s5 = Story("S5", "1", date(2014, 3, 31))  # a plain carried episode, goes home 2023
    s5.episodes = [
        Ep("S5", date(2020, 3, 31), "S", "C1", "U6", "PR1", dec=date(2020, 10, 2), rec="X1"),
        Ep("S5", date(2020, 10, 2), "L", "C2", "U6", "PR1", dec=date(2023, 1, 15), rec="E4A"),
    ]
    s5.reviews = [(date(2020, 4, 28), "PN1"), (date(2020, 7, 27), "PN1")]
    s6 = Story("S6", "2", date(2016, 7, 7))  # short breaks only: never looked after here
    s6.episodes = [
        Ep("S6", date(2021, 7, 1), "S", "V3", "K2", "PR4", dec=date(2021, 7, 5), rec="E4A"),
    ]
    return [s1, s2, s3, s4, s5, s6]


def _random_child(rng: random.Random, n: int, first: date, last: date) -> Story:
    sex = rng.choice("12")
    age = rng.randint(0, 16)
    start = first + timedelta(days=rng.randint(0, (last - first).days))
    dob = start - timedelta(days=365 * age + rng.randint(0, 364))
    story = Story(f"R{n:04d}", sex, dob, ethnic=rng.choice(ETHNIC))
    story.mother = sex == "2" and age >= 14 and rng.random() < 0.15
    day, rne, ls = start, "S", rng.choice(LEGAL)
    place, provider = rng.choice(FOSTER)
    while day < date(2025, 3, 31):
        length = rng.randint(60, 900)
        end = day + timedelta(days=length)
        if end >= date(2025, 3, 31) and rng.random() < 0.6:
            story.episodes.append(Ep(story.child, day, rne, ls, place, provider,
                                     pl=rng.choice(POSTCODES)))  # fmt: skip
            break
        leaves = rng.random() < 0.3
        story.episodes.append(
            Ep(story.child, day, rne, ls, place, provider, dec=end,
               rec=rng.choice(ENDINGS) if leaves else "X1",
               reason="" if leaves else "CARPL", pl=rng.choice(POSTCODES))
        )  # fmt: skip
        if leaves:
            if age >= 15 and rng.random() < 0.5:
                story.care_leaver_accom = rng.choice(("U1", "D1", "B1", "01", "02", "S1"))
            if rng.random() < 0.8:
                break
            day = end + timedelta(days=rng.randint(30, 400))  # back in care later
            rne, ls = "S", rng.choice(LEGAL)
            place, provider = rng.choice(FOSTER + OTHER)
            continue
        day = end
        if rng.random() < 0.25:
            rne, ls = "L", "C2" if ls != "C2" else "E1"
        else:
            rne = "P"
            place, provider = rng.choice(FOSTER + OTHER)
    reviews_from = story.episodes[0].decom + timedelta(days=rng.randint(10, 25))
    review = reviews_from
    while review < min(date(2025, 3, 31), story.episodes[-1].dec or date.max):
        story.reviews.append((review, rng.choice(("PN1", "PN1", "PN2", "PN6", "PN7"))))
        review += timedelta(days=rng.randint(150, 200))
    return story


def _artefacts(rng: random.Random, stories: list[Story], years: list[int]) -> None:
    """Omit some carried open episodes from the next return; make some overlaps."""
    for story in stories:
        if not story.child.startswith("R"):
            continue
        for i, ep in enumerate(story.episodes):
            for year in years[:-1]:
                _, year_end = year_bounds(year)
                open_at_end = ep.decom <= year_end and (ep.dec is None or ep.dec > year_end)
                ends_next = ep.dec is not None and ep.dec <= year_bounds(year + 1)[1]
                last = i == len(story.episodes) - 1
                if open_at_end and ends_next and last and rng.random() < 0.2:
                    story.omitted.add((year + 1, ep.decom))  # care ended, record filtered
        if len(story.episodes) >= 2 and rng.random() < 0.05:
            first, second = story.episodes[0], story.episodes[1]
            if first.dec is not None and second.rne != "S" and first.dec == second.decom:
                story.episodes[0] = replace(first, dec=first.dec + timedelta(days=4))


def returns_generate(*, seed: int = 1, children: int = 150, first_year: int = 2021,
                     years: int = 5, export_artefacts: bool = True) -> Returns:  # fmt: skip
    """``years`` consecutive returns from ``first_year``, with the artefacts above.

    ``export_artefacts=False`` leaves out the cell-level artefacts (floats, codes in no
    list, repeated reviews) but keeps the cross-year ones (omissions, the overlap).
    """
    rng = random.Random(seed)
    year_list = list(range(first_year, first_year + years))
    window = (date(first_year - 3, 1, 1), date(first_year + years - 1, 2, 1))
    stories = _story_children() + [_random_child(rng, n, *window) for n in range(1, children + 1)]
    _artefacts(rng, stories, year_list)
    files: dict[int, dict[str, str]] = {}
    episodes_by_year: dict[int, list[dict[str, str]]] = {}
    for year in year_list:
        start, end = year_bounds(year)
        episodes, reviews, oc3, in_return = [], [], [], set()
        for story in stories:
            for ep in story.episodes:
                if ep.decom > end or (ep.dec is not None and ep.dec < start):
                    continue
                if (year, ep.decom) in story.omitted:
                    continue
                episodes.append(ep.row(end))
                in_return.add(story.child)
            for held, code in story.reviews:
                if start <= held <= end:
                    reviews.append([story.child, _d(story.dob), _d(held), code])
                    in_return.add(story.child)
            left_care = [
                e for e in story.episodes if e.dec and start <= e.dec <= end and e.rec != "X1"
            ]
            if story.care_leaver_accom and left_care:
                accom = story.care_leaver_accom
                if not export_artefacts and accom in ("01", "02", "S1"):
                    accom = "U1"
                oc3.append([story.child, _d(story.dob), "YES", "F2", accom])
                in_return.add(story.child)
        if export_artefacts:
            _reviews_repeat(rng, reviews)
        episodes.sort(key=lambda r: (r["CHILD"], r["DECOM"][6:], r["DECOM"][3:5], r["DECOM"][:2]))
        header = [
            _header_row(story, year, floats=export_artefacts)
            for story in stories
            if story.child in in_return
        ]
        episodes_by_year[year] = episodes
        files[year] = {
            f"SSDA903_{year}_Header.csv": _csv(HEADER_COLUMNS, header),
            f"SSDA903_{year}_Episodes.csv": _csv(
                EPISODE_COLUMNS, [[r[c] for c in EPISODE_COLUMNS] for r in episodes]
            ),
            f"SSDA903_{year}_Reviews.csv": _csv(REVIEW_COLUMNS, reviews),
            f"SSDA903_{year}_OC3.csv": _csv(OC3_COLUMNS, oc3),
        }
    return Returns(years=year_list, files=files, episodes=episodes_by_year, stories=stories)


def _reviews_repeat(rng: random.Random, reviews: list[list[str]]) -> None:
    """An exact copy of one review row, and one review date given again with another code."""
    if len(reviews) < 4:
        return
    copy = rng.choice(reviews)
    reviews.append(list(copy))
    other = rng.choice(reviews)
    reviews.append([*other[:3], "PN4" if other[3] != "PN4" else "PN5"])


def _header_row(story: Story, year: int, *, floats: bool) -> list[str]:
    sex = story.sex if year <= 2024 else {"1": "M", "2": "F"}[story.sex]
    mother = ""
    if story.sex == "2":
        mother = "1" if story.mother else "0"
        if floats:
            mother += ".0"  # as pandas writes a column with blanks in it
    mc_dob = _d(story.dob + timedelta(days=365 * 14 + 200)) if story.mother else ""
    return [story.child, sex, _d(story.dob), story.ethnic, "UN2", mother, mc_dob]


def _csv(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()
