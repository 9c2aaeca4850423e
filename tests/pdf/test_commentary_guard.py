"""Commentary never carries a child's identity into the board's PDF (issue #21 item 5).

The guard used to refuse only an exact child id or "Forename Surname". Each text below got
through it; now each is refused with a message saying what to remove, and ordinary prose
(a month, "the placement team", a forename used as a place name) still passes.

The authority's children (synthetic): Jasmine Zephyrcombe (UPN A123456789012, born
13 July 1997), Rowan Ashdown (id A1234567), April Green, May Fisher, Bartholomew
van der Berg, and a child surnamed March.
"""

from __future__ import annotations

import pytest

from children.models import Child
from scorecards.commentary_guard import (
    ERROR_CHILD_ID,
    ERROR_CHILD_NAME,
    ERROR_DOB,
    ERROR_POSTCODE,
    ERROR_UPN,
    CommentaryIdentifiesChild,
    commentary_check_identifiers,
    text_normalise,
)
from scorecards.models import Commentary
from scorecards.publication import (
    CommentaryRejected,
    PublishRefused,
    commentary_save,
    scorecard_publish,
)
from tests.pdf.conftest import MARCH

ZWSP = "\u200b"


@pytest.fixture
def children(la):
    for child_id, forename, surname, upn in (
        ("JZ-0001", "Jasmine", "Zephyrcombe", "A123456789012"),
        ("A1234567", "Rowan", "Ashdown", ""),
        ("AG-0003", "April", "Green", ""),
        ("MF-0004", "May", "Fisher", ""),
        ("BB-0005", "Bartholomew", "van der Berg", ""),
        ("TM-0006", "Tobias", "March", ""),
    ):
        Child.objects.create(la=la, child_id=child_id, forename=forename, surname=surname, upn=upn)
    return la


def _message(la, text: str) -> str:
    with pytest.raises(CommentaryIdentifiesChild) as refused:
        commentary_check_identifiers(la=la, text=text)
    return str(refused.value)


def _head(template: str) -> str:
    return template.split("({value})")[0]


@pytest.mark.parametrize(
    ("text", "error", "quoted"),
    [
        # The bypasses of the issue.
        ("Zephyrcombe, Jasmine (DOB 13/07/1997) moved in March.", ERROR_DOB, "dob 13/07/1997"),
        ("Zephyrcombe, Jasmine moved in March.", ERROR_CHILD_NAME, "zephyrcombe, jasmine"),
        ("UPN A123456789012 lives at CB2 1TN.", ERROR_UPN, "A123456789012"),
        ("Lives at CB2 1TN with her aunt.", ERROR_POSTCODE, "CB2 1TN"),
        (f"Jas{ZWSP}mine Zeph{ZWSP}yrcombe moved home.", ERROR_CHILD_NAME, "jasmine zephyrcombe"),
        (f"Case A123{ZWSP}4567 is closed.", ERROR_CHILD_ID, "A1234567"),
        # Other ways of writing the same.
        (
            "Ｊａｓｍｉｎｅ Ｚｅｐｈｙｒｃｏｍｂｅ (full-width)",
            ERROR_CHILD_NAME,
            "jasmine zephyrcombe",
        ),
        ("Jasmine Rose Zephyrcombe settled well.", ERROR_CHILD_NAME, "jasmine rose zephyrcombe"),
        ("J. Zephyrcombe settled well.", ERROR_CHILD_NAME, "j. zephyrcombe"),
        ("Rowan ZEPHYRCOMBE and her brother.", ERROR_CHILD_NAME, "rowan zephyrcombe"),
        ("Zephyrcombe 13 July 1997 was moved.", ERROR_CHILD_NAME, "zephyrcombe 13 july 1997"),
        ("Zephyrcombe (b. 13.7.97) was moved.", ERROR_CHILD_NAME, "zephyrcombe (b. 13.7.97"),
        ("Bartholomew van der Berg has a PEP.", ERROR_CHILD_NAME, "bartholomew van der berg"),
        ("May Fisher started college.", ERROR_CHILD_NAME, "may fisher"),
        ("Born on 1st April 2010, now settled.", ERROR_DOB, "born on 1st april 2010"),
        ("Date of birth: 2010-04-01.", ERROR_DOB, "date of birth: 2010-04-01"),
        ("Temporary UPN A12345678901Z issued.", ERROR_UPN, "A12345678901Z"),
        ("UPN A 1234 5678 9012 (spaced).", ERROR_UPN, "A 1234 5678 9012"),
        ("Postcode pe11xx, no space.", ERROR_POSTCODE, "PE11XX"),
        ("Ref: A1234567/2024 closed.", ERROR_CHILD_ID, "A1234567"),
        ("Zoë Zephyrcombe\u00ad, Jasmine", ERROR_CHILD_NAME, "zephyrcombe, jasmine"),
    ],
)
def test_text_identifying_a_child_is_refused_saying_what_to_remove(children, text, error, quoted):
    message = _message(children, text)
    assert message.startswith(_head(error)), message
    assert f"({quoted})" in message, message
    assert message.endswith("where no child is identified.")


@pytest.mark.parametrize(
    "text",
    [
        "In April the placement team moved three children closer to home.",
        "Reviews in April and May were on time; June is on track.",
        "Figures as at 31 March 2024 show 657 children in care.",
        "Since 1 April 2024 the Green Lane home has two beds.",
        "Rowan House opened in March.",
        "Two children were born abroad.",
        "12 children moved home; 3 of them to PE1 and PE2 districts.",
        "Visits on 13/07/2024 and 14/07/2024 were all on time.",
        "The March figures, and the March 2024 return, are final.",
        "On Friday, March 15 2024 the panel met.",
        "The ratio of 1:4 placements, reference 2023/24, stays.",
        "In May, Fisher House took two children.",
        "Section 20 (S20) placements fell; 123 children have a PEP.",
    ],
)
def test_ordinary_prose_passes(children, text):
    commentary_check_identifiers(la=children, text=text)


def test_normalising_drops_invisible_characters_and_folds_width_and_case():
    assert text_normalise(f"Jas{ZWSP}mine\u2060 ＺＥＰＨ\u00adyrcombe") == "jasmine zephyrcombe"
    assert text_normalise("A123\u2011456") == "a123-456"  # a non-breaking hyphen is a hyphen
    assert text_normalise("Zoë") == "zoe"


def test_another_authoritys_child_is_not_looked_for(children, other_la):
    Child.objects.create(la=other_la, child_id="OTHER-01", forename="Quentin", surname="Ravelstoke")
    commentary_check_identifiers(la=children, text="Quentin Ravelstoke is not ours.")


def test_saving_refuses_with_the_message_and_writes_nothing(children, committee_lead):
    with pytest.raises(CommentaryRejected, match="remove the child’s name"):
        commentary_save(
            la=children,
            month=MARCH,
            section="homes",
            text="Zephyrcombe, Jasmine moved twice.",
            acting_user=committee_lead,
        )
    assert not Commentary.objects.exists()


def test_the_form_shows_what_to_remove(children, committee_client):
    response = committee_client.post(
        "/la/873/scorecard/2024-03/commentary/homes/", {"text": "Lives at CB2 1TN."}
    )
    assert response.status_code == 400
    assert "remove the postcode (CB2 1TN)" in response.content.decode()


def test_publishing_checks_the_commentary_again(children, committee_lead):
    """Text saved before a child was imported is caught when the month is published."""
    commentary_save(
        la=children,
        month=MARCH,
        section="homes",
        text="Quentin Ravelstoke settled well.",
        acting_user=committee_lead,
    )
    Child.objects.create(la=children, child_id="QR-0009", forename="Quentin", surname="Ravelstoke")
    with pytest.raises(PublishRefused, match="remove the child’s name"):
        scorecard_publish(la=children, month=MARCH, acting_user=committee_lead)
