from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from organisations.roles import ADMIN, TEAM_MANAGER


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe: reveals nothing but that the app answers."""
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    groups = set(request.user.groups.values_list("name", flat=True))
    if TEAM_MANAGER in groups and ADMIN not in groups and not request.user.is_superuser:
        return redirect("worklists:my_team")  # a team manager lands on their team's lists
    memberships = request.user.memberships.select_related("la")
    return render(request, "home.html", {"memberships": memberships})
