from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("operations.urls")),
    path("imports/", include("imports.urls")),
    path("api/", include("api.urls")),
    path("", include("organisations.urls")),
    path("", include("reviews.urls")),
    path("", include("children.urls")),
    path("", include("scorecards.urls")),
]

#: A bad request gets the service's page, with the reason when it is one for the reader.
handler400 = "organisations.views.bad_request"
