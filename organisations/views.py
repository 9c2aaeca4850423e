"""Home, the sign-in lockout page and the superusers' audit page (/health/ is in operations)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from organisations.errors import ReaderBadRequest
from organisations.models import AuditEvent, LocalAuthority
from organisations.permissions import AUDIT_LOG, CASE_LEVEL, IMPORTS, user_can
from organisations.selectors import audit_events_filter

AUDIT_EVENTS_PER_PAGE = 100
MSG_AUDIT_SUPERUSERS = "The audit log is for superusers."


def home(request: HttpRequest) -> HttpResponse:
    """The user's authorities; a team manager (case-level reader who is an admin nowhere)
    lands on their team's lists instead."""
    user = request.user
    if user_can(user=user, capability=CASE_LEVEL) and not user_can(user=user, capability=IMPORTS):
        return redirect("worklists:my_team")
    memberships = request.user.memberships.select_related("la")
    return render(request, "home.html", {"memberships": memberships})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The ``handler400``: the service's page, with the message of a ``ReaderBadRequest``
    (what was wrong and what to ask for instead); other bad requests say nothing more."""
    message = str(exception) if isinstance(exception, ReaderBadRequest) else ""
    return render(request, "400.html", {"message": message}, status=400)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): a page saying why and for how
    long, status 429. The user name is echoed only as the person typed it."""
    cooloff = settings.AXES_COOLOFF_TIME or timedelta(0)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "username": username[:150],
            "minutes": int(cooloff.total_seconds() // 60),
        },
        status=429,
    )


class AuditFilterForm(forms.Form):
    """The audit page's filters (a GET form: every filter is in the URL)."""

    la = forms.ModelChoiceField(
        queryset=LocalAuthority.objects.none(),
        required=False,
        label="Authority",
        empty_label="Any authority",
    )
    action = forms.TypedChoiceField(
        choices=[("", "Any action"), *AuditEvent.Action.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    user = forms.CharField(required=False, max_length=150, label="User name")
    object_type = forms.CharField(required=False, max_length=50, label="Object type")
    on_or_after = forms.DateField(required=False, label="From (YYYY-MM-DD)")
    on_or_before = forms.DateField(required=False, label="To (YYYY-MM-DD)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        seen = AuditEvent.objects.exclude(la=None).values("la")
        self.fields["la"].queryset = LocalAuthority.objects.filter(pk__in=seen).order_by("code")


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every access event, newest first, with filters; superusers only, never editable."""
    if not user_can(user=request.user, capability=AUDIT_LOG):
        raise PermissionDenied(MSG_AUDIT_SUPERUSERS)
    form = AuditFilterForm(request.GET or None)
    wanted = form.cleaned_data if form.is_valid() else {}
    events = audit_events_filter(
        la=wanted["la"].pk if wanted.get("la") else None,
        action=wanted.get("action"),
        username=wanted.get("user", ""),
        object_type=wanted.get("object_type", ""),
        on_or_after=wanted.get("on_or_after"),
        on_or_before=wanted.get("on_or_before"),
    )
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisations/audit.html",
        {"form": form, "events": page, "query": query.urlencode()},
    )
