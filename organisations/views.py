from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe: reveals nothing but that the app answers."""
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("la")
    return render(request, "home.html", {"memberships": memberships})
