"""SSD code lists and the descriptions case systems send instead of codes (``ssd-extracts.md``).

A code column's value is read in this order (§1 "Codes vs descriptions"):

1. the code itself, in any case (``f`` → ``F``), or one of its documented spellings
   (``Yes`` → ``Y``; sex ``1``/``2``/``I``; ``COMPLETE`` → ``COMPLETED``);
2. the authority's own ``ext_code_map.csv`` (§4.9) — the authority knows its case system
   better than any built-in guess, so its map is consulted before the descriptions;
3. a known description (SystemC sends the CMS description for care-leaver accommodation,
   suitability, activity and review participation), compared ignoring case, punctuation
   and spacing, or a value that starts with a code (``D - Semi-independent``), or a
   keyword rule (Mosaic's ``a) Relevant child``);

anything still unmapped is a row error naming the value.

Description texts follow the DfE 903 guidance wording as given in ``ssda903.md`` §3; the
exact strings SystemC's lookup tables hold are **unverified**, which is why the
code-prefix and ``ext_code_map`` routes exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from imports.formats import ssda903_codes as c903


def squash(value: str) -> str:
    """Lower-case letters and digits only: ``"Semi-independent, B&B"`` → ``semiindependentbb``."""
    return re.sub(r"[^a-z0-9]+", "", value.lower())


@dataclass(frozen=True)
class SsdCodes:
    """A code list with the spellings and descriptions accepted for it.

    ``aliases`` map an upper-cased spelling to a code; ``descriptions`` map a squashed
    description to a code; ``keyword`` is a last-resort rule on the lower-cased value;
    ``prefix`` accepts a value that starts with a code followed by a separator.
    ``blank`` lists spellings read as blank (``0`` = not applicable in care-leaver fields).
    """

    codes: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    keyword: Callable[[str], str | None] | None = None
    prefix: bool = False
    blank: frozenset[str] = frozenset()

    def builtin(self, value: str) -> str | None:
        """The code for ``value`` from the code list and its spellings (step 1)."""
        up = value.strip().upper()
        if up in self.codes:
            return up
        return self.aliases.get(up)

    def described(self, value: str) -> str | None:
        """The code for a description, a code-prefixed value or a keyword (step 3)."""
        key = squash(value)
        if key in self.descriptions:
            return self.descriptions[key]
        if self.prefix:
            match = re.match(r"^\s*([A-Za-z0-9]{1,6})\s*(?:[-–:.)]|\s)\s*\S", value)
            if match and match.group(1).upper() in self.codes:
                return match.group(1).upper()
        if self.keyword is not None:
            return self.keyword(value.strip().lower())
        return None

    def shown(self) -> str:
        return ", ".join(self.codes)


def _describe(pairs: Mapping[str, str | tuple[str, ...]]) -> dict[str, str]:
    """code → description(s) as squashed description → code."""
    out: dict[str, str] = {}
    for code, texts in pairs.items():
        for text in (texts,) if isinstance(texts, str) else texts:
            out[squash(text)] = code
    return out


YES_NO = SsdCodes(codes=("Y", "N"), aliases={"YES": "Y", "NO": "N"})
YES_NO_NA = SsdCodes(codes=("Y", "N", "NA"), aliases={"YES": "Y", "NO": "N", "N/A": "NA"})

SEX = SsdCodes(
    codes=("F", "M", "U"),
    aliases={"I": "U", "1": "M", "2": "F", "0": "U", "9": "U", "MALE": "M", "FEMALE": "F",
             "UNKNOWN": "U", "INDETERMINATE": "U", "NOT KNOWN": "U"},
)  # fmt: skip
#: pers_gender is a fallback for a blank pers_sex: 01 male, 02 female, anything else unknown.
GENDER = SsdCodes(
    codes=("01", "02", "00", "09"),
    aliases={"1": "01", "2": "02", "0": "00", "9": "09", "M": "01", "F": "02", "U": "00",
             "MALE": "01", "FEMALE": "02"},
    keyword=lambda v: "09" if v.isdigit() and 10 <= int(v) <= 99 else None,
)  # fmt: skip
GENDER_TO_SEX = {"01": "M", "02": "F", "00": "U", "09": "U"}

ETHNICITY = SsdCodes(
    codes=tuple(c903.ETHNIC.accepted()),
    aliases={"CNHE": "CHNE"},  # the SSD YAML's spelling of Chinese
    descriptions=_describe(
        {
            "WBRI": "White British",
            "WIRI": "White Irish",
            "WOTH": "Any other White background",
            "WIRT": "Traveller of Irish Heritage",
            "WROM": ("Gypsy/Roma", "Gypsy Roma"),
            "MWBC": "White and Black Caribbean",
            "MWBA": "White and Black African",
            "MWAS": "White and Asian",
            "MOTH": "Any other Mixed background",
            "AIND": "Indian",
            "APKN": "Pakistani",
            "ABAN": "Bangladeshi",
            "CHNE": "Chinese",
            "AOTH": "Any other Asian background",
            "BCRB": "Caribbean",
            "BAFR": "African",
            "BOTH": "Any other Black background",
            "OOTH": "Any other ethnic group",
            "REFU": "Refused",
            "NOBT": ("Information not yet obtained", "Not obtained"),
        }
    ),
    prefix=True,
)

# Episodes and placements (as the 903, ``ssda903.md`` §3).
START_REASON = SsdCodes(codes=("S", "L", "P", "T", "B", "U"))
CEASED_REASON = SsdCodes(
    codes=("X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47",
           "E48", "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17")
)  # fmt: skip
PRIMARY_NEED = SsdCodes(codes=tuple(f"N{i}" for i in range(1, 9)))
PLACEMENT_TYPE = SsdCodes(
    codes=("A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3",
           "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
           "Z11", "Z12", "Z13", "Z14"),
    prefix=True,
)  # fmt: skip
PROVIDER = SsdCodes(codes=("PR0", "PR1", "PR2", "PR3", "PR4", "PR5"), prefix=True)
PLACEMENT_CHANGE_REASON = SsdCodes(
    codes=("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
           "PLACE", "CUSTOD", "OTHER"),
    prefix=True,
)  # fmt: skip
#: SSD legal statuses include orders that are not 903 statuses (SGO, CAO, private
#: fostering…): only the 903 LS codes are used, for the short-break rule; others are kept
#: out of episodes without an error (``ssd-extracts.md`` §3.13).
LEGAL_STATUS_903 = frozenset(c903.LS.accepted())

# Health (§3.4).
HEALTH_TYPE = SsdCodes(
    codes=("IHA", "RHA", "HA", "DENTAL", "OPTICIAN", "OTHER"),
    descriptions=_describe({
        "IHA": ("Initial Health Assessment", "Initial Health Check", "IHA"),
        "RHA": ("Review Health Assessment", "Review Health Check", "RHA"),
        "HA": ("Health Assessment", "Health Check"),
        "DENTAL": ("Dental Check", "Dental"),
        "OPTICIAN": ("Optician check", "Optician", "Eye check"),
    }),
)  # fmt: skip
HEALTH_STATUS = SsdCodes(
    codes=("COMPLETED", "PLANNED", "REFUSED", "CANCELLED"),
    aliases={"COMPLETE": "COMPLETED"},
)

# Reviews (§3.6): participation, 903 REVIEW_CODE (``ssda903.md`` §3.10).
PARTICIPATION = SsdCodes(
    codes=tuple(f"PN{i}" for i in range(8)),
    descriptions=_describe({
        "PN0": ("Child aged under 4 at the time of the review", "Child under 4 at review"),
        "PN1": ("Child physically attends and speaks for him or herself",
                "Child attends and speaks for self"),
        "PN2": ("Child physically attends and an advocate speaks on his or her behalf",
                "Child attends, advocate speaks"),
        "PN3": ("Child attends and conveys his or her view symbolically (non-verbally)",
                "Child attends, conveys views non-verbally"),
        "PN4": ("Child physically attends but does not speak for him or herself, does not "
                "convey his or her view symbolically (non-verbally) and does not ask an "
                "advocate to speak for him or her", "Child attends without contributing"),
        "PN5": ("Child does not attend physically but briefs an advocate to speak for him or "
                "her", "Child does not attend, briefs an advocate"),
        "PN6": ("Child does not attend but conveys his or her feelings to the review by a "
                "facilitative medium", "Child does not attend, conveys views by another medium"),
        "PN7": ("Child does not attend nor are his or her views conveyed to the review",
                "Child does not attend and views not conveyed"),
    }),
    prefix=True,
)  # fmt: skip

# Care leavers (§3.7), 903 OC3 wording (``ssda903.md`` §3.12–3.14).
RELEVANT = "Relevant"
FORMER_RELEVANT = "Former Relevant"
ELIGIBLE = "Eligible"
QUALIFYING = "Qualifying"
NO_CURRENT_ELIGIBILITY = "No Current Eligibility"
#: The catalogue's "care leaver" (§3.7).
CARE_LEAVER_ELIGIBILITIES = frozenset({ELIGIBLE, RELEVANT, FORMER_RELEVANT})


def _eligibility_keyword(value: str) -> str | None:
    """Mosaic sends ``a) Relevant child``, ``b) Former relevant child``, ``d) Eligible``."""
    text = re.sub(r"^[a-z]\)\s*", "", value)
    if "former" in text:
        found = FORMER_RELEVANT
    elif "no current" in text or "not eligible" in text or text in ("none", "n/a"):
        found = NO_CURRENT_ELIGIBILITY
    elif "qualifying" in text:
        found = QUALIFYING
    elif "relevant" in text:
        found = RELEVANT
    elif "eligible" in text:
        found = ELIGIBLE
    else:
        return None
    return found.upper()


ELIGIBILITY = SsdCodes(
    codes=(RELEVANT.upper(), FORMER_RELEVANT.upper(), ELIGIBLE.upper(), QUALIFYING.upper(),
           NO_CURRENT_ELIGIBILITY.upper()),
    keyword=_eligibility_keyword,
)  # fmt: skip
#: Stored spelling of each eligibility (the code list holds the upper-cased form).
ELIGIBILITY_STORED = {
    v.upper(): v for v in (RELEVANT, FORMER_RELEVANT, ELIGIBLE, QUALIFYING, NO_CURRENT_ELIGIBILITY)
}

IN_TOUCH = SsdCodes(
    codes=("YES", "NO", "DIED", "REFU", "NREQ", "RHOM"),
    aliases={"Y": "YES", "N": "NO"},
    descriptions=_describe({
        "YES": ("In touch", "Yes in touch"),
        "NO": ("Not in touch", "No not in touch"),
        "DIED": ("Died", "Died since leaving care", "Young person has died"),
        "REFU": ("Refuses contact", "Young person refuses contact",
                 "Young person refuses contact with the local authority"),
        "NREQ": ("No longer requires services", "No longer requires services from the LA",
                 "Young person no longer requires services"),
        "RHOM": ("Returned home", "Returned home to parents for 6 months or more",
                 "Returned home to parents for 6+ months",
                 "Young person has returned home to live with parents for at least 6 months"),
    }),
)  # fmt: skip

ACCOMMODATION = SsdCodes(
    codes=("B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"),
    descriptions=_describe({
        "B": ("With parents or relatives", "With parents/relatives", "Parents/relatives",
              "With parents or other relatives"),
        "C": ("Community home or other form of residential care",
              "Community home or other residential care",
              "Community home or other form of residential care such as an NHS establishment"),
        "D": ("Semi-independent, transitional accommodation",
              "Semi-independent transitional accommodation",
              "Semi-independent, transitional accommodation and self-contained accommodation",
              "Semi-independent living"),
        "E": ("Supported lodgings",),
        "G": ("Gone abroad",),
        "H": ("Deported",),
        "K": ("Ordinary lodgings", "Ordinary lodgings, without formal support",
              "Ordinary lodgings without support"),
        "R": ("Residence not known", "Not known"),
        "S": ("No fixed abode", "No fixed abode/homeless", "No fixed abode / homeless",
              "Homeless"),
        "T": ("Foyer", "Foyers", "Foyers and similar supported accommodation",
              "Foyer or similar"),
        "U": ("Independent living", "Independent living, e.g. flat, tenancy",
              "Independent living (own tenancy, college/university)",
              "Independent living e.g. flat, tenancy, owner-occupied"),
        "V": ("Emergency accommodation",
              "Emergency accommodation, e.g. night shelters, direct access, emergency hostels"),
        "W": ("Bed and breakfast", "Bed & breakfast", "B&B"),
        "X": ("In custody", "Custody"),
        "Y": ("Other accommodation", "Other"),
        "Z": ("With former foster carers", "With former foster carer(s)",
              "Former foster carers", "Staying put"),
    }),
    prefix=True,
    blank=frozenset({"0"}),
)  # fmt: skip

SUITABILITY = SsdCodes(
    codes=("1", "2"),
    aliases={"Y": "1", "N": "2", "YES": "1", "NO": "2"},
    descriptions=_describe({
        "1": ("Suitable", "Accommodation suitable", "Accommodation considered suitable"),
        "2": ("Unsuitable", "Not suitable", "Accommodation unsuitable",
              "Accommodation considered unsuitable"),
    }),
    blank=frozenset({"0"}),
)  # fmt: skip

ACTIVITY = SsdCodes(
    codes=("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5", "G4", "G5", "G6"),
    descriptions=_describe({
        "F1": ("Full time in higher education", "Full-time in higher education",
               "Young person engaged full time in higher education"),
        "P1": ("Part time in higher education", "Part-time in higher education",
               "Young person engaged part time in higher education"),
        "F2": ("Full time in education other than higher education",
               "Full-time in education other than higher education",
               "Young person engaged full time in education other than higher education"),
        "P2": ("Part time in education other than higher education",
               "Part-time in education other than higher education",
               "Young person engaged part time in education other than higher education"),
        "F3": ("Full time in training or employment", "Full-time in training or employment"),
        "P3": ("Part time in training or employment", "Part-time in training or employment"),
        "F4": ("Full time apprenticeship", "Full-time apprenticeship",
               "Young person engaged full time in an apprenticeship"),
        "P4": ("Part time apprenticeship", "Part-time apprenticeship",
               "Young person engaged part time in an apprenticeship"),
        "F5": ("Full time in training or employment (not apprenticeship)",
               "Full-time in training or employment (not apprenticeship)",
               "Full time employment", "Full-time employment"),
        "P5": ("Part time in training or employment (not apprenticeship)",
               "Part-time in training or employment (not apprenticeship)",
               "Part time employment", "Part-time employment"),
        "G4": ("Not in education, training or employment owing to illness or disability",
               "Not in education, employment or training due to illness or disability",
               "NEET illness or disability", "NEET - illness/disability"),
        "G5": ("Not in education, training or employment owing to other reasons",
               "Not in education, employment or training for other reasons",
               "NEET other reasons", "NEET - other"),
        "G6": ("Not in education, training or employment owing to pregnancy or parenting",
               "Not in education, employment or training due to pregnancy or parenting",
               "NEET pregnancy or parenting", "NEET - pregnancy/parenting"),
    }),
    prefix=True,
    blank=frozenset({"0"}),
)  # fmt: skip

# Missing (§3.8).
MISSING_TYPE = SsdCodes(
    codes=("M", "A"), aliases={"MISSING": "M", "AWAY": "A", "ABSENT": "A"}, prefix=True
)

# Involvements (§3.11): the SystemC codes the contract names; everything else via 4.9.
ALLOCATION_ROLE = SsdCodes(
    codes=("ALLOCATED_SW", "PA", "OTHER"), aliases={"CW": "ALLOCATED_SW", "16PLUS": "PA"}
)
WORKER_CHANGE_REASON = SsdCodes(
    codes=("MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN",
           "SWDIED", "OTHERS"),
    prefix=True,
)  # fmt: skip

# Project extensions (§4).
PEP_STATUS = SsdCodes(codes=("COMPLETE", "DRAFT"), aliases={"COMPLETED": "COMPLETE"})
IN_AREA = SsdCodes(codes=("IN", "OUT"))
RISK_TYPE = SsdCodes(codes=("CSE", "CCE", "GANG"), aliases={"GANGS": "GANG"})
RISK_LEVEL = SsdCodes(codes=("LOW", "MEDIUM", "HIGH", "NONE"))
CATALOGUE_ROLE = SsdCodes(
    codes=("CIC_SOCIAL_WORKER", "FAMILY_SAFEGUARDING_SOCIAL_WORKER", "LEAVING_CARE_PA", "IRO",
           "TEAM_MANAGER", "OTHER")
)  # fmt: skip
