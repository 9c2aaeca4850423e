"""axe-core (vendored from npm, tests/browser/vendor) finds no WCAG 2.2 AA violation on any page
type, and the scorecard can be worked by keyboard alone down to its PDF link."""

from __future__ import annotations

import re

PAGES_BY_USER = {
    "admin": [
        ("scorecard", "/la/873/scorecard/"),
        ("dashboard", "/la/873/dashboard/"),
        ("demographics", "/la/873/demographics/"),
        ("worklist", "/la/873/my-team/"),
        ("upload", "/imports/upload/"),
        ("import history", "/imports/"),
    ],
}


def test_every_page_type_has_no_wcag_22_aa_violations(visit):
    violations: dict[str, list[dict]] = {}

    anonymous = visit()
    anonymous.goto("/login/")
    violations["login"] = anonymous.axe_violations()

    admin = visit("admin")
    admin.login("admin")
    for name, path in PAGES_BY_USER["admin"]:
        admin.goto(path)
        assert admin.page.locator("h1").count() == 1, name
        violations[name] = admin.axe_violations()
        admin.screenshot(name.replace(" ", "-"))
    admin.goto("/la/873/my-team/")
    admin.page.locator("a[href^='/children/']").first.click()
    admin.page.wait_for_url(re.compile(r"/children/\d+/"))
    violations["child page"] = admin.axe_violations()

    found = {page: found for page, found in violations.items() if found}
    assert found == {}, found
    assert set(violations) == {
        "login", "scorecard", "dashboard", "demographics", "worklist", "child page", "upload",
        "import history",
    }  # fmt: skip


def test_the_scorecard_is_usable_by_keyboard_down_to_the_pdf_link(visit):
    lead = visit("committee")
    lead.login("committee")
    lead.goto("/la/873/scorecard/")
    page = lead.page
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    visited = []
    for _ in range(400):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const r = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                return {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 80),
                        href: el.getAttribute('href') || '',
                        visible: r.width > 0 && r.height > 0,
                        outline: style.outlineStyle !== 'none' || style.boxShadow !== 'none'};
            }"""
        )
        if focus is None:
            continue
        visited.append(focus)
        if focus["href"].endswith(".pdf"):
            break
    assert visited, "Tab never moved the focus"
    last = visited[-1]
    assert last["href"].endswith(".pdf"), [v["text"] for v in visited[-10:]]
    assert all(v["visible"] for v in visited), [v for v in visited if not v["visible"]]
    # GOV.UK Frontend's focus state (yellow outline or box shadow) shows where the focus is.
    assert last["outline"], last
    # The skip link comes first, then the month picker before the PDF link.
    assert "Skip to main content" in visited[0]["text"], visited[0]
    tags = [v["tag"] for v in visited]
    assert "SELECT" in tags and "BUTTON" in tags
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    assert download_info.value.path().read_bytes().startswith(b"%PDF-")


def test_the_scorecard_prints_without_its_page_tools(visit):
    lead = visit("committee")
    lead.login("committee")
    lead.goto("/la/873/scorecard/")
    page = lead.page
    assert page.locator(".cps-page-tools").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".cps-page-tools").first.is_visible()
    assert not page.locator(".cps-contents").first.is_visible()
    assert page.locator("h1").is_visible()
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.cps-section')).breakBefore")
        == "page"
    )
