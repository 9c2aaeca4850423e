"""The PDF as the board reads it (issue 9): text, fonts and pages of the hand-checked month.

March 2024 of ``tests/pages/conftest.py`` carries seed 000's figures ("1,093 out of
1,109" reviews on time, "80 out of 655" with three or more homes, "148 out of 202" in
the same home for two years), so the PDF must print exactly those.
"""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from PIL import Image, ImageStat

from scorecards import pdf
from scorecards.indicators import SECTIONS
from scorecards.publication import (
    commentary_save,
    commentary_sections,
    scorecard_pdf_choose,
    scorecard_publish,
)
from tests.pdf.conftest import MARCH, pdf_pages_text, pdf_text, pdffonts

HEADLINE_COMMENTARY = "Numbers in care rose by seven to 657, still above the target of 546."
HEALTH_COMMENTARY = (
    "Dental checks fell behind after the practice closed.\n\nA new practice starts in May."
)


@pytest.fixture
def commentary(la, committee_lead):
    commentary_save(
        la=la, month=MARCH, section="headline", text=HEADLINE_COMMENTARY, acting_user=committee_lead
    )
    commentary_save(
        la=la, month=MARCH, section="health", text=HEALTH_COMMENTARY, acting_user=committee_lead
    )


#: The draft is rendered once for the module: every test builds the same month, and a
#: render is the slow part (the bytes are copied to each test's own folder).
_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def draft(request, tmp_path):
    if "draft" not in _RENDERED:
        la = request.getfixturevalue("la")
        request.getfixturevalue("commentary")
        choice = scorecard_pdf_choose(la=la, month=MARCH, kind="draft")
        _RENDERED["draft"] = pdf.pdf_file_path(relative=choice.rendered.path).read_bytes()
    path = tmp_path / "draft.pdf"
    path.write_bytes(_RENDERED["draft"])
    return path


def test_draft_has_cover_contents_every_section_figures_and_commentary(draft):
    content = draft.read_bytes()
    assert content.startswith(b"%PDF-")
    pages = pdf_pages_text(content)
    cover, contents = pages[0], pages[1]
    assert "Cambridgeshire" in cover
    assert "Corporate parenting scorecard" in cover
    assert "March 2024" in cover
    assert "DRAFT" in cover and "Not yet published" in cover  # the label is set in capitals
    assert "Published" not in " ".join(pages) and "PUBLISHED" not in " ".join(pages)
    assert "Data as at 31 March 2024" in cover
    text = " ".join(pages)
    for _, title in commentary_sections():
        assert title in contents, title
        assert title in " ".join(pages[2:]), title
    assert set(SECTIONS) == {key for key, _ in commentary_sections()}
    # The hand-checked figures, as seed 000 prints them.
    assert "98.6%" in text and "1,093 out of 1,109" in text
    assert "12.2%" in text and "80 out of 655" in text
    assert "73.3%" in text and "148 out of 202" in text
    assert "657" in text and "Target: 546 or below" in text
    # Commentary under its section, paragraphs kept.
    assert HEADLINE_COMMENTARY in text
    assert "Dental checks fell behind after the practice closed." in text
    assert "A new practice starts in May." in text
    health_pages = [p for p in pages if "Health – service standards" in p or "Dental" in p]
    assert any("Dental checks fell behind" in p for p in health_pages)
    assert "No commentary yet." in text  # sections without commentary say so


def test_contents_give_the_page_each_section_starts_on(draft):
    pages = pdf_pages_text(draft.read_bytes())
    contents = pages[1]
    for _, title in commentary_sections():
        # Each page opens with its running head, the title of the section on it.
        start = next(n for n, p in enumerate(pages, start=1) if n > 2 and p.startswith(title))
        # "Staffing ....... 5": the title, leader dots, the page it starts on.
        after = contents.split(title, 1)[1].lstrip(" .")
        assert after.split()[0] == str(start), (title, after[:20], start)


def test_every_page_but_the_cover_is_numbered_and_marked_draft(draft):
    pages = pdf_pages_text(draft.read_bytes())
    total = len(pages)
    assert "Page 1 of" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page
        assert "DRAFT" in page
        assert "Cambridgeshire · March 2024" in page


def test_every_font_is_embedded(draft):
    fonts = pdffonts(draft)
    assert fonts, "no fonts listed"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert {f["name"].split("+")[-1] for f in fonts} >= {"Liberation-Sans", "Liberation-Sans-Bold"}


def test_page_images_are_not_blank(draft, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "3", str(draft), str(tmp_path / "page")],
        check=True,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 3
    for image_path in images:
        image = Image.open(image_path).convert("L")
        assert image.size[0] < image.size[1]  # A4 portrait
        stat = ImageStat.Stat(image)
        assert stat.stddev[0] > 10, image_path  # ink on the page, not a blank sheet
        dark = sum(image.histogram()[:128]) / (image.size[0] * image.size[1])
        assert 0.005 < dark < 0.5, (image_path, dark)


def test_published_pdf_says_published_by_whom_and_freezes_the_commentary(
    la, commentary, committee_lead
):
    committee_lead.first_name, committee_lead.last_name = "Alex", "Morgan"
    committee_lead.save()
    publication, new = scorecard_publish(la=la, month=MARCH, acting_user=committee_lead)
    assert new
    content = pdf.pdf_file_path(relative=publication.pdf.path).read_bytes()
    pages = pdf_pages_text(content)
    assert "PUBLISHED" in pages[0] and "Published by Alex Morgan on" in pages[0]
    assert "DRAFT" not in " ".join(pages) and "Draft" not in " ".join(pages)
    assert all("PUBLISHED" in page for page in pages[1:])
    text = " ".join(pages)
    assert HEADLINE_COMMENTARY in text and "1,093 out of 1,109" in text
    assert "No commentary." in text and "No commentary yet." not in text
    assert publication.commentary == {
        "headline": HEADLINE_COMMENTARY,
        "health": HEALTH_COMMENTARY,
    }
    assert publication.pdf.sha256 == hashlib.sha256(content).hexdigest()
    assert pdf_text(content).count("Cambridgeshire") >= len(pages) - 1
