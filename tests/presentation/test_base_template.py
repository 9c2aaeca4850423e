"""The page template: GOV.UK structure, no inline script (roles.md CSP), print stylesheet."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory

from .conftest import FakeLA, parse_page


def render_base(context: dict, *, user=None, messages: list[str] | None = None) -> str:
    request = RequestFactory().get("/")
    request.user = user or get_user_model()(username="lead", first_name="Alex", last_name="Lead")
    request.session = {}
    storage = FallbackStorage(request)
    for message in messages or []:
        storage.add(25, message)
    request._messages = storage
    return render_to_string("base.html", context, request=request)


def assert_no_inline_script(html: str) -> None:
    page = parse_page(html)
    assert page.scripts, "the page loads its scripts from /static/"
    for script in page.scripts:
        assert script["attrs"].get("src", "").startswith("/static/"), script
        assert script["content"].strip() == "", "inline script is not allowed by the CSP"
    assert page.event_handlers == [], "inline event handlers are not allowed by the CSP"
    assert page.style_attributes == [], "no inline styles either (a strict CSP may forbid them)"
    assert "javascript:" not in html


def test_base_has_no_inline_script_and_loads_govuk_frontend_as_a_module():
    html = render_base({"current_la": FakeLA("Northshire")})
    assert_no_inline_script(html)
    page = parse_page(html)
    sources = {script["attrs"]["src"]: script["attrs"] for script in page.scripts}
    assert sources["/static/js/init.js"].get("type") == "module"
    assert "/static/vendor/htmx/htmx.min.js" in sources
    stylesheets = {link["href"]: link.get("media") for link in page.stylesheets}
    assert stylesheets == {
        "/static/vendor/govuk-frontend/govuk-frontend.min.css": None,
        "/static/css/app.css": None,
        "/static/css/print.css": "print",
    }


def test_base_follows_the_govuk_page_template():
    html = render_base({"current_la": FakeLA("Northshire")})
    page = parse_page(html)
    tags = page.tags
    assert tags[0][0] == "html" and tags[0][1]["lang"] == "en-GB"
    assert "govuk-template" in tags[0][1]["class"]
    body = next(attrs for tag, attrs in tags if tag == "body")
    assert body["class"] == "govuk-template__body"
    first_link = next(attrs for tag, attrs in tags if tag == "a")
    assert first_link["href"] == "#main-content"
    assert "govuk-skip-link" in first_link["class"]
    main = next(attrs for tag, attrs in tags if tag == "main")
    assert main["id"] == "main-content"
    assert "<title>Corporate Parenting Scorecards – Northshire</title>" in html
    assert "Northshire" in html.split("</header>")[0]
    assert "govuk-phase-banner" in html and ">Beta<" in html
    assert '<footer class="govuk-footer">' in html
    assert len(page.ids) == len(set(page.ids))


def test_sign_out_is_a_post_form_styled_as_a_link():
    html = render_base({})
    page = parse_page(html)
    forms = [attrs for tag, attrs in page.tags if tag == "form"]
    assert {"method": "post", "action": "/logout/", "class": "cps-header__sign-out"} in forms
    assert any(
        tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" for tag, attrs in page.tags
    )
    buttons = [attrs for tag, attrs in page.tags if tag == "button"]
    assert any(b.get("type") == "submit" and "cps-link-button" in b["class"] for b in buttons)
    assert 'href="/logout/"' not in html
    assert "Signed in as </span>Alex Lead" in html


def test_navigation_renders_only_the_items_given():
    items = [
        {"label": "Scorecard", "href": "/scorecard/", "current": True},
        {"label": "My team", "href": "/team/"},
    ]
    html = render_base({"nav_items": items})
    page = parse_page(html)
    links = [
        attrs
        for tag, attrs in page.tags
        if tag == "a" and attrs.get("href") in ("/scorecard/", "/team/", "/dashboard/", "/imports/")
    ]
    assert [link["href"] for link in links] == ["/scorecard/", "/team/"]
    assert links[0].get("aria-current") == "page"
    assert "aria-current" not in links[1]
    assert "Dashboard" not in html and "Imports" not in html
    assert '<nav aria-label="Menu"' in html


def test_no_navigation_without_items():
    html = render_base({})
    assert "<nav" not in html
    assert "Children’s services" in html  # no authority chosen yet


def test_messages_show_as_notification_banners():
    html = render_base({}, messages=["Commentary saved"])
    assert "govuk-notification-banner--success" in html
    assert "Commentary saved" in html


@pytest.mark.django_db
def test_login_page_renders_in_the_govuk_style_without_inline_script(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_script(html)
    assert 'class="govuk-input' in html and 'autocomplete="current-password"' in html
    assert '<button type="submit" class="govuk-button"' in html


@pytest.mark.django_db
def test_failed_login_shows_an_error_summary(client):
    response = client.post("/login/", {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "<title>Error: Sign in" in html
    assert_no_inline_script(html)


@pytest.mark.django_db
def test_home_page_and_sign_out(client):
    user = get_user_model().objects.create_user(username="alex", password="a-long-passphrase")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_script(html)
    assert "You are not a member of any authority yet" in html
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
