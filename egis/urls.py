from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from egis.api.main import api as api_v1


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("healthz", healthz),
    path("api/v1/", api_v1.urls),
    path("", include("egis.web.urls")),
]
