"""The access matrix (``roles.md`` "Tests that must exist", ``style.md`` rule 12).

Every URL pattern the resolver knows and every operation of the OpenAPI schema is requested
as each member of the cast (``conftest.py``) and must answer the expected status. The
routes are *enumerated*, never listed by hand: a new URL or API operation without a row
here fails ``test_every_route_has_a_row`` (and the schema test) until someone decides who
may use it.

Roles are held per authority, so a route of an authority (``/la/873/…``, a batch or child
of 873) is requested for **each** demo authority (873 and 874) and its row's columns are
what the user *is in that authority*: the mixed users of the cast (an admin of 874 who is
committee lead of 873; a team manager in 873 who is committee lead of 874) are an admin in
one column and a committee lead in the other. ``KIND_IN`` says what each user is where. A
route tied to no authority (home, the import history, the API's lists) has one column per
user instead (``users(...)``).

How refusals look (``roles.md`` "Scope"): anonymous users are sent to sign in (302; the
API answers 401); an authority the user is not a member of is 404, exactly like one that
does not exist, and so is its batch or child; a member whose roles *there* lack the
capability gets 403; a child outside a team manager's teams is 404.

The Django admin is covered by rules rather than rows, because it has a handful of URLs
per registered model: non-staff users are sent to the admin's sign-in page; an admin
(staff, an admin of some authority) reaches only the reference data of ``organisations.roles.
ADMIN_REFERENCE_MODELS`` with the actions listed there; a superuser reaches everything
except the read-only lists (audit events, reference-data history, django-axes records).
Object URLs use an id that does not exist, so a user with the permission gets 404 on the
models scoped by authority (``organisations.admin_scoping``: a missing row and another
authority's row answer alike) and Django's redirect (302) elsewhere, and one without the
permission is refused (403). ``tests/security/test_admin_scoping.py`` checks the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from organisations.roles import ADMIN_REFERENCE_MODELS
from tests.security.conftest import (
    ADMIN_ROLE,
    ANONYMOUS,
    COMMITTEE,
    MANAGER,
    MANAGER_OTHER_TEAM,
    MIXED,
    MIXED_MANAGER,
    OUTSIDER,
    ROLES,
    SUPERUSER,
    Cast,
)

pytestmark = pytest.mark.django_db

# What a user is in the authority of the URL: the columns of ``row``.
IS_ANONYMOUS = "anonymous"
IS_MANAGER = "team manager of the child's team"
IS_MANAGER_ELSEWHERE = "team manager of another team"
IS_ADMIN = "admin"
IS_LEAD = "committee lead"
IS_NON_MEMBER = "no role there (a member of another authority)"
IS_SUPERUSER = "superuser"
KINDS = (IS_ANONYMOUS, IS_MANAGER, IS_MANAGER_ELSEWHERE, IS_ADMIN, IS_LEAD, IS_NON_MEMBER,
         IS_SUPERUSER)  # fmt: skip
AUTHORITIES = ("873", "874")

#: user of the cast → what they are in each demo authority.
KIND_IN: dict[str, dict[str, str]] = {
    ANONYMOUS: {"873": IS_ANONYMOUS, "874": IS_ANONYMOUS},
    MANAGER: {"873": IS_MANAGER, "874": IS_NON_MEMBER},
    MANAGER_OTHER_TEAM: {"873": IS_MANAGER_ELSEWHERE, "874": IS_NON_MEMBER},
    ADMIN_ROLE: {"873": IS_ADMIN, "874": IS_NON_MEMBER},
    COMMITTEE: {"873": IS_LEAD, "874": IS_NON_MEMBER},
    OUTSIDER: {"873": IS_NON_MEMBER, "874": IS_ADMIN},
    MIXED: {"873": IS_LEAD, "874": IS_ADMIN},
    MIXED_MANAGER: {"873": IS_MANAGER, "874": IS_LEAD},
    SUPERUSER: {"873": IS_SUPERUSER, "874": IS_SUPERUSER},
}


def row(*statuses: int) -> dict[str, int]:
    """A route of an authority: statuses by what the user is there, in the order of
    ``KINDS``: anonymous, team manager of the child's team, team manager of another team,
    admin, committee lead, not a member, superuser."""
    assert len(statuses) == len(KINDS)
    return dict(zip(KINDS, statuses, strict=True))


def users(*statuses: int) -> dict[str, int]:
    """A route of no authority: statuses per user of the cast, in the order of ``ROLES``:
    anonymous, manager, manager2, admin (873), committee lead (873), outsider (admin of
    874), mixed (admin of 874, lead of 873), mixed manager (team manager in 873, lead of
    874), superuser."""
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


@dataclass(frozen=True)
class Route:
    expected: dict[str, int]
    kwargs: dict[str, Any] | None = None  # values, or callables of (cast, authority code)
    query: str = ""  # may name the authority as {code}
    method: str = "get"

    @property
    def of_an_authority(self) -> bool:
        return set(self.expected) == set(KINDS)


MONTH = "2024-03"
CODE = "{code}"  # the authority the route is asked of


def _batch(cast: Cast, code: str) -> int:
    return (cast.batch if code == "873" else cast.other_batch).pk


def _child(cast: Cast, code: str) -> int:
    """873: the child of Team 1 (the manager's); 874: the child of 874's one team."""
    return (cast.child_own if code == "873" else cast.child_874).pk


def _section(cast: Cast, code: str) -> str:
    from scorecards.publication import commentary_sections

    return commentary_sections()[0][0]


LA_MONTH = {"code": CODE, "month": MONTH}

# fmt: off
#                               anon  mgr  mgr2  admin  lead  none  super
READER = row(                   302,  200, 200,  200,   200,  404,  200)   # aggregates
READER_REDIRECT = row(          302,  302, 302,  302,   302,  404,  302)   # "latest" pages
CASE_READER = row(              302,  200, 200,  200,   403,  404,  200)   # whole-LA case pages
IMPORT_BATCH = row(             302,  403, 403,  200,   403,  404,  200)
API_READER = row(               401,  200, 200,  200,   200,  404,  200)
API_CASE = row(                 401,  200, 200,  200,   403,  404,  200)
API_BATCH = row(                401,  403, 403,  200,   403,  404,  200)
#                               anon  mgr  mgr2  admin  lead  outsider  mixed  mixedmgr  super
EVERYONE = users(               200,  200, 200,  200,   200,  200,      200,   200,      200)
IMPORT_PAGE = users(            302,  403, 403,  200,   403,  200,      200,   403,      200)
API_EVERYONE = users(           401,  200, 200,  200,   200,  200,      200,   200,      200)
API_IMPORTS = users(            401,  403, 403,  200,   403,  200,      200,   403,      200)

ROUTES: dict[str, Route] = {
    # organisations: team managers (an admin nowhere) land on their team
    "home": Route(users(302, 302, 302, 200, 200, 200, 200, 302, 200)),
    "health": Route(EVERYONE),
    "login": Route(EVERYONE),
    "logout": Route(users(302, 302, 302, 302, 302, 302, 302, 302, 302), method="post"),
    "audit": Route(users(302, 403, 403, 403, 403, 403, 403, 403, 200)),
    # worklists, drill-down and the child page (case level)
    "worklists:my_team": Route(users(302, 302, 302, 302, 403, 302, 302, 302, 302)),
    "worklists:team": Route(CASE_READER, {"code": CODE}),
    "worklists:export": Route(CASE_READER, {"code": CODE, "kind": "visits_overdue", "fmt": "csv"}),
    "worklists:drilldown": Route(CASE_READER, {"code": CODE, "indicator": "visits_on_time",
                                               "month": MONTH, "period": "month"}),
    "children:detail": Route(row(302, 200, 404, 200, 404, 404, 200), {"pk": _child}),
    # scorecard, dashboard, demographics, commentary, publication, PDF
    "scorecards:switch": Route(READER_REDIRECT, query="la={code}&page=scorecard"),
    **{f"scorecards:{page}_latest": Route(READER_REDIRECT, {"code": CODE})
       for page in ("scorecard", "dashboard", "demographics")},
    **{f"scorecards:{page}": Route(READER, LA_MONTH)
       for page in ("scorecard", "dashboard", "demographics")},
    **{f"scorecards:{page}_xlsx": Route(READER, LA_MONTH)
       for page in ("scorecard", "dashboard", "demographics")},
    "scorecards:commentary_edit": Route(row(302, 403, 403, 200, 200, 404, 200),
                                        {**LA_MONTH, "section": _section}),
    "scorecards:publish": Route(row(302, 403, 403, 403, 302, 404, 302), LA_MONTH, method="post"),
    "scorecards:scorecard_pdf": Route(READER, LA_MONTH),
    "scorecards:scorecard_pdf_draft": Route(READER, LA_MONTH),
    # imports (admins)
    "imports:history": Route(IMPORT_PAGE),
    "imports:upload": Route(IMPORT_PAGE),
    "imports:data_quality": Route(IMPORT_PAGE),
    "imports:batch": Route(IMPORT_BATCH, {"pk": _batch}),
    "imports:batch_progress": Route(IMPORT_BATCH, {"pk": _batch}),
    "imports:batch_rerun": Route(row(302, 403, 403, 302, 403, 404, 302), {"pk": _batch},
                                 method="post"),
    # The cast's batch is not interrupted: admins are sent back to it with an error.
    "imports:batch_run_again": Route(row(302, 403, 403, 302, 403, 404, 302), {"pk": _batch},
                                     method="post"),
    # An empty form: admins are sent back to the history page with an error, nothing queued.
    "imports:recompute": Route(row(302, 403, 403, 302, 403, 404, 302), {"code": CODE},
                               method="post"),
    # the API
    "api:schema": Route(API_EVERYONE),
    "api:docs": Route(users(302, 200, 200, 200, 200, 200, 200, 200, 200)),  # sign in first
    "api:authorities": Route(API_EVERYONE),
    "api:indicators": Route(API_EVERYONE),
    "api:indicator": Route(API_EVERYONE, {"indicator": "cla_count"}),
    "api:snapshots": Route(API_READER, {"code": CODE}),
    "api:snapshot": Route(API_READER, LA_MONTH),
    "api:trend": Route(API_READER, {"code": CODE, "indicator": "reviews_on_time"}),
    "api:worklists": Route(API_CASE, {"code": CODE}),
    "api:worklist": Route(API_CASE, {"code": CODE, "kind": "visits_overdue"}),
    "api:recomputes": Route(row(401, 403, 403, 200, 403, 404, 200), {"code": CODE}),
    "api:recompute": Route(row(401, 403, 403, 202, 403, 404, 202), {"code": CODE},
                           method="post"),
    "api:imports": Route(API_IMPORTS),
    # An empty upload: 400 means the request got past the role check to validation.
    "api:import_upload": Route(users(401, 403, 403, 400, 403, 400, 400, 403, 400),
                               method="post"),
    "api:import": Route(API_BATCH, {"pk": _batch}),
    "api:import_issues": Route(API_BATCH, {"pk": _batch}),
}
# fmt: on


# --- the Django admin, by rule ---------------------------------------------------------------

NON_STAFF = (ANONYMOUS, MANAGER, MANAGER_OTHER_TEAM, COMMITTEE, OUTSIDER, MIXED_MANAGER)
ALL_ACTIONS = {"view", "add", "change", "delete"}
#: What even a superuser may do with records the admin never writes: access events are
#: read-only; django-axes records are deleted to unlock a user, never added; ONS postcodes
#: come from ``load_ons_postcodes``; reference-data history is read-only (``history_admin``);
#: commentary, publications, stored PDFs and recompute locks belong to their services.
SUPERUSER_ACTIONS = {
    "organisations.auditevent": {"view"},
    "axes.accessattempt": {"view", "delete"},
    "axes.accesslog": {"view", "delete"},
    "axes.accessfailurelog": {"view", "delete"},
    "placements.onspostcode": {"view", "change", "delete"},
    # Written only through their pages and services (audited), never in the admin.
    "scorecards.commentary": {"view"},
    "scorecards.commentaryrevision": {"view"},
    "scorecards.publication": {"view"},
    "scorecards.renderedpdf": {"view"},
    "scorecards.recomputelock": {"view"},
}
#: An admin's rights: the reference data of ``organisations.roles`` and nothing else.
ADMIN_ACTIONS = {f"{app}.{model}": set(actions) for app, model, actions in ADMIN_REFERENCE_MODELS}
MISSING_ID = "0"
SIGN_OUT_URLS = ("/logout/", "/admin/logout/")
#: The permission each kind of admin URL needs.
NEEDS = {
    "changelist": "view",
    "add": "add",
    "change": "view",  # view or change: the form is shown read-only with view alone
    "delete": "delete",
    "export": "view",
    "import": "add",
    "process_import": "add",
}


def _admin_scoped(label: str) -> bool:
    from django.contrib import admin

    from organisations.admin_scoping import AuthorityScopedAdmin

    return isinstance(admin.site._registry.get(apps.get_model(label)), AuthorityScopedAdmin)


def _admin_model_status(label: str, suffix: str, role: str) -> int:
    """What a staff user gets on one of a model's admin URLs (a missing object's id)."""
    missing = 404 if _admin_scoped(label) else 302  # the answer for a missing object
    if role == SUPERUSER:
        history = label.split(".")[1].startswith("historical")
        allowed = {"view"} if history else SUPERUSER_ACTIONS.get(label, ALL_ACTIONS)
    else:
        allowed = ADMIN_ACTIONS.get(label, set())
    if suffix == "shortcut":
        return 302  # to the object's change page
    if suffix == "history":
        return missing  # the object is looked up before the right is checked
    if suffix == "password":  # the right is checked first; a missing user is then 404
        return 404 if "change" in allowed else 403
    if suffix in ("change", "delete"):  # the right is checked first, then the object
        return missing if NEEDS[suffix] in allowed else 403
    # process_import: an empty POST with the right shows the import form again
    return 200 if NEEDS[suffix] in allowed else 403


def admin_route(route: str, name: str | None, role: str) -> tuple[str, str, int] | None:
    """(method, url, expected status) for an admin URL pattern, or None if no rule knows it."""
    staff = None if role in NON_STAFF else role
    site = {
        "admin:index": ("/admin/", 200),
        "admin:login": ("/admin/login/", 302),  # staff are already signed in: to the index
        "admin:logout": ("/admin/logout/", 302),  # to LOGOUT_REDIRECT_URL
        "admin:password_change": ("/admin/password_change/", 200),
        "admin:password_change_done": ("/admin/password_change/done/", 200),
        "admin:autocomplete": ("/admin/autocomplete/", 403),  # no field named: refused
        "admin:jsi18n": ("/admin/jsi18n/", 200),
        "admin:view_on_site": ("/admin/r/0/0/", 404),
        "admin:app_list": ("/admin/organisations/", 200),
    }
    if name in site:
        url, status = site[name]
        method = "post" if name == "admin:logout" else "get"
        if staff is None:  # the admin's sign-in form, and a redirect to it from anywhere else
            status = 200 if name == "admin:login" else 302
        return method, url, status
    if route == "admin/(?P<url>.*)$":
        return "get", "/admin/no-such-page/", 302 if staff is None else 404
    match = re.fullmatch(r"admin/(\w+)/(\w+)/(.*)", route)
    if match is None:
        return None
    app, model, rest = match.groups()
    label = f"{app}.{model}"
    suffixes = {
        "": ("changelist", ""),
        "add/": ("add", "add/"),
        "<path:object_id>/change/": ("change", f"{MISSING_ID}/change/"),
        "<path:object_id>/delete/": ("delete", f"{MISSING_ID}/delete/"),
        "<path:object_id>/history/": ("history", f"{MISSING_ID}/history/"),
        "<path:object_id>/": ("shortcut", f"{MISSING_ID}/"),
        "<id>/password/": ("password", f"{MISSING_ID}/password/"),
        "import/": ("import", "import/"),
        "export/": ("export", "export/"),
        "process_import/": ("process_import", "process_import/"),
    }
    if rest not in suffixes:
        return None
    suffix, tail = suffixes[rest]
    url = f"/admin/{app}/{model}/{tail}"
    method = "post" if suffix == "process_import" else "get"
    if staff is None:
        return method, url, 302
    return method, url, _admin_model_status(label, suffix, role)


# --- enumeration -----------------------------------------------------------------------------


def url_patterns() -> list[tuple[str, str | None]]:
    """(route, namespaced name) of every URL pattern the resolver knows."""

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (
                    f"{namespace}:{pattern.name}" if namespace else pattern.name
                )
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns, "", None))


def request_for(
    route: str, name: str | None, user: str, cast: Cast, code: str
) -> tuple[str, str, int]:
    """(method, url, expected status) of a route asked by ``user``, of authority ``code``
    when the route belongs to one."""
    if route.startswith("admin/"):
        found = admin_route(route, name, user)
        assert found is not None, f"no admin rule for {route}"
        return found
    spec = ROUTES[name]
    kwargs = {
        k: v(cast, code) if callable(v) else v.format(code=code)
        for k, v in (spec.kwargs or {}).items()
    }
    url = reverse(name, kwargs=kwargs)
    if spec.query:
        url = f"{url}?{spec.query.format(code=code)}"
    if spec.of_an_authority:
        return spec.method, url, spec.expected[KIND_IN[user][code]]
    return spec.method, url, spec.expected[user]


def test_every_route_has_a_row():
    """A URL pattern nobody decided about fails here, naming it."""
    missing = []
    for route, name in url_patterns():
        if route.startswith("admin/"):
            if admin_route(route, name, SUPERUSER) is None:
                missing.append(route)
        elif name not in ROUTES:
            missing.append(f"{name or '(unnamed)'}  {route}")
    assert not missing, "URL patterns without a row in the access matrix:\n" + "\n".join(missing)


def test_every_row_names_a_route():
    names = {name for _, name in url_patterns()}
    assert not set(ROUTES) - names, f"rows for routes that no longer exist: {set(ROUTES) - names}"


def test_every_api_operation_has_a_row_with_its_method():
    """The OpenAPI schema's operations, each resolved to its URL name: all in the matrix."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    samples = {"code": "873", "month": MONTH, "indicator": "cla_count", "kind": "visits_overdue",
               "pk": "1", "id": "1"}  # fmt: skip
    missing = []
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: samples[m.group(1)], path)
        name = resolve(url).view_name
        for method in operations:
            spec = ROUTES.get(name)
            if spec is None or spec.method != method:
                missing.append(f"{method.upper()} {path} ({name})")
    assert not missing, "API operations without a row in the access matrix:\n" + "\n".join(missing)


def _ask(client, cast, settings, *, wanted: Callable[[str, str | None], bool], code: str):
    """Every route ``wanted`` picks, as every user of the cast; the mismatches, each naming
    the user, the method and the URL."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    failures = []
    for role in ROLES:
        user = cast.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, name in url_patterns():
            if not wanted(route, name):
                continue
            method, url, expected = request_for(route, name, role, cast, code)
            response = getattr(client, method)(url)
            if url in SIGN_OUT_URLS and user is not None:
                client.force_login(user)
            if response.status_code != expected:
                failures.append(
                    f"{role}: {method.upper()} {url} → {response.status_code}, expected {expected}"
                )
    return failures


def _of_an_authority(route: str, name: str | None) -> bool:
    return not route.startswith("admin/") and ROUTES[name].of_an_authority


@pytest.mark.parametrize("code", AUTHORITIES)
def test_access_matrix_routes_of_each_authority(client, cast, settings, code):
    """Every route of an authority, asked of 873 and of 874, as every user of the cast.

    One test per authority for all users rather than one per user: they then share one
    database, so the scorecard PDF is rendered once (WeasyPrint takes seconds) and later
    requests read it from storage, as in production.
    """
    failures = _ask(client, cast, settings, wanted=_of_an_authority, code=code)
    assert not failures, f"{len(failures)} answers differ from the matrix:\n" + "\n".join(failures)


def test_access_matrix_routes_of_no_authority_and_the_django_admin(client, cast, settings):
    """Home, the import pages, the API's lists and every Django admin URL, as every user."""
    failures = _ask(
        client, cast, settings, wanted=lambda r, n: not _of_an_authority(r, n), code="873"
    )
    assert not failures, f"{len(failures)} answers differ from the matrix:\n" + "\n".join(failures)


def test_admin_rules_cover_every_registered_model():
    """Sanity of the admin rules: each registered model's changelist is matched by them."""
    from django.contrib import admin

    for model in admin.site._registry:
        label = model._meta.label_lower
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert admin_route(route, f"admin:{label.replace('.', '_')}_changelist", SUPERUSER)
        assert apps.get_model(label)
