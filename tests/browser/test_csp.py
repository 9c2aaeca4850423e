"""The Content Security Policy in a real browser: Chromium reports no violation on any page
type, and the API docs (Swagger UI) render their operations with no inline script or style
(``roles.md``: "a Content Security Policy that allows no inline script")."""

from __future__ import annotations

PAGES = [
    "/",
    "/la/873/scorecard/",
    "/la/873/dashboard/",
    "/la/873/demographics/",
    "/la/873/my-team/",
    "/imports/upload/",
    "/imports/",
    "/admin/",
    "/admin/scorecards/target/",
    "/api/authorities/",
]


def _watch_violations(visitor) -> list[str]:
    seen: list[str] = []
    visitor.page.on(
        "console",
        lambda msg: (
            seen.append(f"{visitor.page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    return seen


def test_no_page_breaks_the_policy(visit):
    admin = visit("admin")
    violations = _watch_violations(admin)
    admin.login("admin")
    for path in PAGES:
        response = admin.goto(path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        admin.page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_api_docs_render_under_the_policy(visit):
    admin = visit("admin")
    violations = _watch_violations(admin)
    admin.login("admin")
    admin.goto("/api/docs/")

    admin.page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    title = admin.page.inner_text(".swagger-ui .info .title")
    operations = admin.page.locator(".swagger-ui .opblock").count()
    admin.screenshot("api-docs")

    assert "Corporate Parenting Scorecards API" in title
    assert operations >= 14
    assert violations == []
