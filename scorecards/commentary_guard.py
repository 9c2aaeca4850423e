"""No child identified in commentary (``roles.md``: nothing a committee receives identifies a
child), checked when commentary is saved and again when a month is published.

Commentary is typed by admins and committee leads and printed in the board's PDF. The
check is about mistakes, not only the obvious one: a note pasted from a case file carries a
name written "Surname, Forename (DOB …)", a UPN, a home postcode, or invisible characters
copied with it. So the text is first **normalised** (Unicode NFKC, accents and
zero-width/format characters removed, dashes unified, case folded) — a name or id split by
a zero-width space reads as the name or id — and then refused when it holds:

- a **child id** of the authority (ids of ``CHILD_ID_MIN_LENGTH`` characters or more, as a
  whole word: "12" is far more often a number of children than an id);
- a **UPN** (a letter and twelve digits, or eleven and a letter for a temporary one), any
  UPN, known or not, spaced or not;
- a **postcode** (a full UK postcode; a district alone, "PE1", is not a place anyone lives);
- a **date of birth**: "DOB", "D.O.B.", "date of birth", "born (on)" or "birth date" with
  a date beside it;
- a **child's name**: a child's forename and surname together (with a middle name between,
  or the other way round, "Surname, Forename"), or the surname of any child of the
  authority next to a forename of any of its children, an initial ("J. Surname") or a date.

Readings, to keep ordinary prose: a forename alone is fine ("Rowan House"); a surname
alone is fine ("the Green Lane home"); a forename that is also a month or weekday name
("April", "May", "June") counts as a forename only in the child's own full name, so "in
May, Fisher House" passes while "May Fisher" does not; the words of a date are the
date's, never a name ("31 March 2024" with a child surnamed March). The message says
what to remove, quoting it as typed (normalised).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from children.models import Child
from organisations.models import LocalAuthority

#: Child ids shorter than this are not looked for in commentary: "12" is a number of
#: children far more often than a child's id.
CHILD_ID_MIN_LENGTH = 4

REMOVE = "Commentary must not identify a child: remove "
BOARD = ". The scorecard goes to the corporate parenting board, where no child is identified."
ERROR_CHILD_ID = REMOVE + "the child’s id ({value})" + BOARD
ERROR_CHILD_NAME = REMOVE + "the child’s name ({value})" + BOARD
ERROR_UPN = REMOVE + "the unique pupil number ({value})" + BOARD
ERROR_POSTCODE = REMOVE + "the postcode ({value})" + BOARD
ERROR_DOB = REMOVE + "the date of birth ({value})" + BOARD

#: Forenames that are ordinary words of a date (month and weekday names): a forename only
#: in the child's own full name.
DATE_WORDS = frozenset(
    ("january", "february", "march", "april", "may", "june", "july", "august")
    + ("september", "october", "november", "december", "monday", "tuesday", "wednesday")
    + ("thursday", "friday", "saturday", "sunday")
)

_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: A full date: 13/07/1997, 13.7.97, 1997-07-13, 13 July 1997, 13th of July 1997, July 13, 1997.
DATE = (
    rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})(?!\d)"
    rf"|\d{{4}}-\d{{1,2}}-\d{{1,2}}(?!\d)"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}})"
)
DATE_RE = re.compile(rf"(?<![\w/.\-]){DATE}")
DOB_RE = re.compile(
    rf"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn(?:\s+on)?\b)"
    rf"\s*[:\-(]?\s*{DATE}"
    rf"|{DATE}\s*\(?\s*(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth)"
)
UPN_RE = re.compile(r"(?<![\w])[a-z](?:[\s\-]?\d){11}(?:[\s\-]?\d|[a-z])(?![\w])")
POSTCODE_RE = re.compile(
    r"(?<![\w])(?:gir\s?0aa|[a-pr-uwyz](?:\d[a-hjkpstuw]?|[a-hk-y]\d[abehmnprv-y]?|\d\d?"
    r"|[a-hk-y]\d\d?)\s?\d[abd-hjlnp-uw-z]{2})(?![\w])"
)
#: Words, dates and child-id-like tokens, in order; the gaps between them decide adjacency.
TOKEN_RE = re.compile(rf"(?P<date>(?<![\w/.\-]){DATE})|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)")
ID_TOKEN_RE = re.compile(r"[\w](?:[\w\-/.]*[\w])?")
#: What may stand between two words that read as one name: spaces, commas, brackets.
NAME_GAP_RE = re.compile(r"[\s,;:()\[\]\"']*")
_DATE_GAP = r"[\s,;:()\[\]\"'\-]*(?:(?:dob|d\.o\.b\.?|born(?:\s+on)?|b\.)[\s:(\-]*)?"
#: A date right after a surname ("Surname (DOB 13/07/1997)"), or right before one.
DATE_AFTER_RE = re.compile(rf"{_DATE_GAP}{DATE}")
DATE_BEFORE_RE = re.compile(rf"{DATE}[\s,;:()\[\]\"'\-]*\Z")


class CommentaryIdentifiesChild(ValueError):
    """The text identifies a child; the message says what to remove."""


def text_normalise(text: str) -> str:
    """The text as it reads: NFKC, accents and zero-width/format characters dropped, every
    dash a hyphen, case folded. Applied alike to commentary and to the names it is
    compared with."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category in ("Mn", "Cf"):
            continue
        kept.append("-" if category == "Pd" else ch)
    return unicodedata.normalize("NFKC", "".join(kept)).casefold()


@dataclass
class _Known:
    """The authority's children, normalised for the check."""

    ids: dict[str, str] = field(default_factory=dict)
    #: surname words → the first forename word of each child with that surname
    surnames: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    forenames: set[str] = field(default_factory=set)
    longest_surname: int = 1


def _words(text: str) -> tuple[str, ...]:
    return tuple(m.group("word") for m in TOKEN_RE.finditer(text) if m.group("word"))


def _known_children(*, la: LocalAuthority) -> _Known:
    known = _Known()
    rows = Child.objects.filter(la=la).values_list("child_id", "forename", "surname")
    for child_id, forename, surname in rows.iterator(chunk_size=5000):
        if len(child_id) >= CHILD_ID_MIN_LENGTH:
            known.ids[text_normalise(child_id)] = child_id
        first = _words(text_normalise(forename or ""))[:1]
        last = _words(text_normalise(surname or ""))
        if first:
            known.forenames.add(first[0])
        if last:
            known.surnames.setdefault(last, set()).update(first)
            known.longest_surname = max(known.longest_surname, len(last))
    return known


@dataclass(frozen=True)
class _Token:
    kind: str  # "word" or "date"
    text: str
    start: int
    end: int


def _refuse(message: str, value: str) -> None:
    raise CommentaryIdentifiesChild(message.format(value=" ".join(value.split())))


def _check_patterns(text: str) -> None:
    for pattern, message in ((UPN_RE, ERROR_UPN), (POSTCODE_RE, ERROR_POSTCODE)):
        found = pattern.search(text)
        if found:
            _refuse(message, found.group(0).upper())
    found = DOB_RE.search(text)
    if found:
        _refuse(ERROR_DOB, found.group(0))


def _check_ids(text: str, known: _Known) -> None:
    """Each id as a whole word, however the text around it is punctuated."""
    tokens = set(ID_TOKEN_RE.findall(text))
    tokens.update(re.findall(r"[\w\-]+", text), re.findall(r"\w+", text))
    for token in sorted(tokens):
        if token in known.ids:
            _refuse(ERROR_CHILD_ID, known.ids[token])


def _check_names(text: str, known: _Known) -> None:
    tokens = [
        _Token("date" if m.group("date") else "word", m.group(0), m.start(), m.end())
        for m in TOKEN_RE.finditer(text)
    ]
    for i, token in enumerate(tokens):
        if token.kind != "word":
            continue
        for length in range(min(known.longest_surname, len(tokens) - i), 0, -1):
            span = tokens[i : i + length]
            own = known.surnames.get(tuple(t.text for t in span))
            if own is None or any(t.kind != "word" for t in span):
                continue
            named = _named_at(text, tokens, i, i + length - 1, own, known)
            if named is not None:
                _refuse(ERROR_CHILD_NAME, text[named[0] : named[1]])


def _named_at(
    text: str, tokens: list[_Token], i: int, j: int, own: set[str], known: _Known
) -> tuple[int, int] | None:
    """Where the surname ``tokens[i..j]`` reads as a child's name: beside a forename, an
    initial or a date (the span to quote), or ``None``."""
    first, last = tokens[i], tokens[j]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[j + 1] if j + 1 < len(tokens) else None

    def forename(token: _Token | None, *, own_only: bool = False) -> bool:
        if token is None or token.kind != "word":
            return False
        if token.text in own:
            return True
        return not own_only and token.text in known.forenames and token.text not in DATE_WORDS

    def joined(left: _Token, right: _Token) -> bool:
        return NAME_GAP_RE.fullmatch(text, left.end, right.start) is not None

    if before is not None:
        # "May Fisher" is a name; "In May, Fisher House" is a month and a house.
        plain = before.text not in DATE_WORDS or text[before.end : first.start].isspace()
        if joined(before, first) and forename(before) and plain:
            return before.start, last.end
        initial = re.fullmatch(r"([^\W\d_])\.?\s*", text[before.start : first.start])
        if initial and any(name.startswith(initial.group(1)) for name in own):
            return before.start, last.end
        # A middle name between the child's own forename and surname.
        middle = i >= 2 and joined(tokens[i - 2], before) and joined(before, first)
        if middle and forename(tokens[i - 2], own_only=True):
            return tokens[i - 2].start, last.end
    if after is not None and joined(last, after) and forename(after):
        return first.start, after.end
    date_after = DATE_AFTER_RE.match(text, last.end)
    if date_after:
        return first.start, date_after.end()
    date_before = DATE_BEFORE_RE.search(text, max(0, first.start - 40), first.start)
    if date_before:
        return date_before.start(), last.end
    return None


def commentary_check_identifiers(*, la: LocalAuthority, text: str) -> None:
    """Refuse (``CommentaryIdentifiesChild``) commentary that identifies a child of ``la``.

    See the module docstring for what is looked for and why.
    """
    normalised = text_normalise(text)
    if not normalised.strip():
        return
    _check_patterns(normalised)
    known = _known_children(la=la)
    _check_ids(normalised, known)
    _check_names(normalised, known)
